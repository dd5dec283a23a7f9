"""FIM for many documents at once: the emitter's vectorised form of ``tokenize.fim``.

``fim_batch`` takes a window of stored documents (tokens concatenated), their FIM modes and
their candidate split points (an Arrow list column, as routed), draws every FIM document's two
cuts with one call to the generator, and builds every FIM document with one gather (each is
five segments of the input: BOS, three parts, EOS) and one scatter of the sentinels; runs of
plain documents between them are copied as they are. ``fim_place`` is its FIM part alone, for
the phase writer, which reads plain documents straight to their place in the output (no copy)
and hands it the FIM ones. The result is what ``tokenize.fim``'s
``fim_document`` gives for the same cuts (tested), and the cuts follow ``choose_cuts``'s rule:
two distinct candidates, uniformly, among the split points strictly inside the content plus
its two ends; any token boundary when a document has no split points (null).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mellum_data.mixtures.keys import FIM_PSM, FIM_SPM
from mellum_data.tokenize.columns import from_numpy, to_numpy
from mellum_data.tokenize.fim import FIM_EXTRA_TOKENS, FimIds


def draw_cuts(
    n: np.ndarray, points: pa.ListArray, shift: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Cuts ``0 <= a < b <= n`` per document (``a = b = 0`` when ``n == 0``).

    ``points`` are offsets in the stored documents; ``shift`` (1 where a document starts with
    BOS) moves them into the content. One ``rng.random((k, 2))`` draw serves ``k`` documents.
    """
    k = n.size
    n = n.astype(np.int64)
    has = ~to_numpy(points.is_null())
    values = to_numpy(points.flatten()).astype(np.int64)
    parent = to_numpy(pc.list_parent_indices(points)).astype(np.int64)
    values -= shift[parent]
    keep = (values > 0) & (values < n[parent])
    values, parent = values[keep], parent[keep]
    # Parents never decrease; points as the tokenizer lists them also rise within a document,
    # and then need no sort (the costliest step here) and hold no duplicates.
    rising = (values[1:] > values[:-1]) | (parent[1:] != parent[:-1])
    if not rising.all():
        order = np.lexsort((values, parent))
        values, parent = values[order], parent[order]
        fresh = np.ones(values.size, dtype=bool)
        fresh[1:] = (values[1:] != values[:-1]) | (parent[1:] != parent[:-1])
        values, parent = values[fresh], parent[fresh]
    counts = np.bincount(parent, minlength=k)
    first = np.cumsum(counts) - counts
    m = np.where(has, counts + 2, n + 1)  # candidates: inner points + both ends, or 0..n
    u = rng.random((k, 2))
    i = np.floor(u[:, 0] * m).astype(np.int64)
    j = np.floor(u[:, 1] * (m - 1)).astype(np.int64)
    j += j >= i
    lo, hi = np.minimum(i, j), np.maximum(i, j)

    def value(c: np.ndarray) -> np.ndarray:
        inner = values[np.clip(first + c - 1, 0, max(values.size - 1, 0))] if values.size else 0
        listed = np.where(c == 0, 0, np.where(c == m - 1, n, inner))
        return np.where(has, listed, c)

    empty = n == 0
    a = np.where(empty, 0, value(lo))
    b = np.where(empty, 0, value(hi))
    return a, b


def fim_batch(
    tokens: np.ndarray,
    lengths: np.ndarray,
    modes: np.ndarray,
    points: pa.ListArray,
    rng: np.random.Generator,
    ids: FimIds | None,
    *,
    bos_id: int | None,
    eos_id: int,
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """``(output tokens, output lengths, (a, b))`` for documents ``tokens`` split by
    ``lengths``; ``modes`` holds FIM_NONE / FIM_PSM / FIM_SPM per document, ``points`` the
    candidate split points of each (null for none). ``a``, ``b`` are the cuts of the FIM
    documents, in order, relative to their content (between BOS and EOS)."""
    lengths = lengths.astype(np.int64)
    modes = np.asarray(modes)
    fim = np.flatnonzero(modes > 0)
    if not fim.size:
        return tokens, lengths, (np.zeros(0, np.int64), np.zeros(0, np.int64))
    if ids is None:
        raise ValueError("FIM documents need the tokenizer's sentinel ids")
    starts = np.cumsum(lengths) - lengths
    out_lengths = lengths + FIM_EXTRA_TOKENS * (modes > 0)
    out_start = np.cumsum(out_lengths) - out_lengths
    out = np.empty(int(out_lengths.sum()), dtype=tokens.dtype)
    # Runs of plain documents keep their order and content: one copy per run.
    run_from = np.concatenate([[0], fim + 1])
    run_to = np.append(fim, lengths.size)
    for lo, hi in zip(run_from.tolist(), run_to.tolist(), strict=True):
        if hi > lo:
            src, dst = int(starts[lo]), int(out_start[lo])
            n = int(starts[hi - 1] + lengths[hi - 1]) - src
            out[dst : dst + n] = tokens[src : src + n]
    cuts = fim_place(
        out,
        out_start[fim],
        tokens,
        starts[fim],
        lengths[fim],
        modes[fim],
        points.take(from_numpy(fim)),
        rng,
        ids,
        bos_id=bos_id,
        eos_id=eos_id,
    )
    return out, out_lengths, cuts


def fim_place(
    out: np.ndarray,
    at: np.ndarray,
    tokens: np.ndarray,
    starts: np.ndarray,
    lengths: np.ndarray,
    modes: np.ndarray,
    points: pa.ListArray,
    rng: np.random.Generator,
    ids: FimIds,
    *,
    bos_id: int | None,
    eos_id: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Writes FIM documents into ``out``: document ``i`` is ``tokens[starts[i]:][:lengths[i]]``
    stored, FIM mode ``modes[i]`` (PSM or SPM), candidate split points ``points[i]``, and goes
    to ``out[at[i]:]`` (``lengths[i] + 3`` tokens). Returns the cuts ``(a, b)``, drawn as
    ``fim_batch`` draws them (one ``rng`` call for all), so that a caller that lays out the
    plain documents itself gets the same output."""
    s, size = starts.astype(np.int64), lengths.astype(np.int64)
    modes = np.asarray(modes)
    probe = tokens if tokens.size else np.zeros(1, tokens.dtype)  # lookups of empty docs
    head = np.zeros(s.size, dtype=np.int64)
    if bos_id is not None:
        head = ((size > 0) & (probe[np.minimum(s, probe.size - 1)] == bos_id)).astype(np.int64)
    last = probe[np.clip(s + size - 1, 0, probe.size - 1)]
    tail = ((size > head) & (last == eos_id)).astype(np.int64)
    c0, c1 = s + head, s + size - tail
    a, b = draw_cuts(c1 - c0, points, head, rng)
    psm = modes == FIM_PSM
    if not np.all(psm | (modes == FIM_SPM)):
        raise ValueError(f"unknown FIM modes {sorted(set(modes.tolist()))}")
    # Five segments each (BOS, the three parts in the mode's order, EOS) copied as slices (a
    # gather would touch every token through an index array), then the sentinels by one
    # scatter. Output positions leave a hole for each sentinel:
    # PSM: BOS <pre> prefix <suf> suffix <mid> middle EOS
    # SPM: BOS <pre> <suf> suffix <mid> prefix middle EOS
    seg_src = np.stack(
        [s, np.where(psm, c0, c0 + b), np.where(psm, c0 + b, c0), c0 + a, c1], axis=1
    )
    pre_len, mid_len, suf_len = a, b - a, c1 - c0 - b
    seg_len = np.stack(
        [head, np.where(psm, pre_len, suf_len), np.where(psm, suf_len, pre_len), mid_len, tail],
        axis=1,
    )
    zero, one = np.zeros_like(s), np.ones_like(s)
    holes = np.stack([zero, np.where(psm, 1, 2), one, np.where(psm, 1, 0), zero], axis=1)
    at = np.asarray(at, dtype=np.int64)
    seg_dst = at[:, None] + np.cumsum(seg_len + holes, axis=1) - seg_len
    for src, dst, n in zip(
        seg_src.ravel().tolist(), seg_dst.ravel().tolist(), seg_len.ravel().tolist(), strict=True
    ):
        if n:
            out[dst : dst + n] = tokens[src : src + n]
    doc_at = at + head
    after_suffix = doc_at + 2 + suf_len  # SPM: <pre> <suf> suffix <mid>
    after_prefix = doc_at + 1 + pre_len  # PSM: <pre> prefix <suf>
    out[doc_at] = ids.prefix
    out[np.where(psm, after_prefix, doc_at + 1)] = ids.suffix
    out[np.where(psm, after_prefix + 1 + suf_len, after_suffix)] = ids.middle
    return a, b


__all__ = ["draw_cuts", "fim_batch", "fim_place"]
