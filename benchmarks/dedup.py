# ruff: noqa: E402
"""MinHash near-dedup benchmark: signature throughput and recall/precision on planted copies.

Generates documents of ~2 KB (sentences of Zipf-distributed synthetic words, with numbers,
punctuation and case), and for a share of them one copy edited (words replaced, inserted,
deleted, then re-cased and re-wrapped) down to a target Jaccard similarity drawn uniformly
from [0.3, 1]; the similarity of every pair is computed exactly on the word 5-gram sets of
the normalised texts. Then, on the same documents and in the same run:

- signatures with our vectorised step (``MinhashSignature``, bucket files and whole
  signatures written, bucket files sorted), with datasketch (``MinHash.update_batch`` on
  the same word 5-grams, its default affine32 scheme and SHA-1 shingle hash, the same 112
  permutations reused across documents), and with datatrove's default
  ``MinhashDedupSignature`` (spaCy word tokenizer, bucket files written and sorted; slow,
  so it runs on a subset and its rate is per document). Rates are documents per CPU second
  of this process, in rounds that alternate between the three, so that other load on a
  shared machine does not skew the ratios; one-time start-up costs are paid before timing;
- datatrove's bucket stage and our cluster step on our signatures (FineWeb preset, or
  ``--preset``), and per similarity band the share of planted pairs found in one cluster,
  next to the probability the banding predicts, 1 - (1 - J^r)^b.

``precision`` is the share of merged pairs (any two documents in one found cluster) whose
Jaccard similarity is at least 0.5; ``false_pos_j50`` the share of planted pairs below 0.5
that were merged. The last line printed is one JSON object.

    .venv/bin/python benchmarks/dedup.py [--scale K] [--preset fineweb]
"""

from __future__ import annotations

import os
import sys

# This folder holds a tokenize.py benchmark that would shadow the standard library's.
sys.path = [
    p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))
]

import argparse
import itertools
import json
import random
import resource
import string
import tempfile
import time
from collections import defaultdict

import numpy as np
import pyarrow.parquet as pq
from datasketch import MinHash
from datatrove.data import Document
from datatrove.pipeline.dedup.minhash import MinhashDedupBuckets, MinhashDedupSignature

from mellum_data.dedup import DedupCluster, DedupKeys, MinhashSignature, minhash_params
from mellum_data.dedup.shingles import word_tokens
from mellum_data.pipelines.dedup import MinhashSettings

VERIFY = MinhashSettings().verify  # the stage's default
BANDS = [
    (0.0, 0.3),
    (0.3, 0.4),
    (0.4, 0.5),
    (0.5, 0.6),
    (0.6, 0.7),
    (0.7, 0.8),
    (0.8, 0.9),
    (0.9, 1.0),
]


def vocabulary(rng: random.Random, size: int = 40_000) -> tuple[list[str], list[float]]:
    words = {
        "".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 11))) for _ in range(size)
    }
    words = sorted(words)
    rng.shuffle(words)
    return words, list(itertools.accumulate(1 / (r + 1) for r in range(len(words))))


def render(words: list[str], rng: random.Random) -> str:
    """Sentences with capitals, commas, full stops and irregular line breaks."""
    out, start = [], True
    for w in words:
        token = w.capitalize() if start or rng.random() < 0.03 else w
        start = rng.random() < 1 / 14
        out.append(token + ("." if start else "," if rng.random() < 0.06 else ""))
    text = ""
    for token in out:
        text += token + ("\n" if rng.random() < 0.02 else "  " if rng.random() < 0.02 else " ")
    return text.strip()


def shingle_set(text: str, n: int = 5) -> set[tuple[str, ...]]:
    toks = word_tokens(text)
    return {tuple(toks[i : i + n]) for i in range(len(toks) - n + 1)}


def gram_set(words: list[str], n: int = 5) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def edited(words: list[str], edits: list[tuple[int, str, str]], m: int) -> list[str]:
    out = list(words)
    for pos, op, new in sorted(edits[:m], reverse=True):
        if op == "insert":
            out.insert(pos, new)
        elif pos >= len(out):  # a second edit where a delete already shortened the list
            continue
        elif op == "replace":
            out[pos] = new
        else:
            del out[pos]
    return out


def make_corpus(scale: int, seed: int) -> tuple[list[Document], list[tuple[int, int, float]]]:
    rng = random.Random(seed)
    vocab, cum = vocabulary(rng)

    def words(k: int) -> list[str]:
        ws = rng.choices(vocab, cum_weights=cum, k=k)
        return [str(rng.randint(0, 9999)) if rng.random() < 0.01 else w for w in ws]

    docs, pairs = [], []
    n_pairs, n_single = 2500 * scale, 5000 * scale
    for i in range(n_pairs + n_single):
        base = words(rng.randint(300, 360))
        docs.append(Document(text=render(base, rng), id=f"d{len(docs)}"))
        if i >= n_pairs:
            continue
        target = 1.0 if rng.random() < 0.08 else rng.uniform(0.3, 1.0)
        norm = {w: "".join(word_tokens(w)) for w in base}
        a = gram_set([norm[w] for w in base])
        ops = [
            (rng.randrange(len(base)), rng.choice(["replace", "insert", "delete"]), w)
            for w in words(len(base))
        ]
        lo, hi = 0, len(ops)  # smallest number of edits with J <= target
        while lo < hi:
            mid = (lo + hi) // 2
            copy = edited(base, ops, mid)
            norm.update((w, "".join(word_tokens(w))) for w in copy if w not in norm)
            if jaccard(a, gram_set([norm[w] for w in copy])) <= target:
                hi = mid
            else:
                lo = mid + 1
        copy = render(edited(base, ops, lo), rng)
        # Exact, on the texts as written: the search above skipped rendering.
        pairs.append(
            (len(docs) - 1, len(docs), jaccard(shingle_set(docs[-1].text), shingle_set(copy)))
        )
        docs.append(Document(text=copy, id=f"d{len(docs)}"))
    order = list(range(len(docs)))
    rng.shuffle(order)
    where = {old: new for new, old in enumerate(order)}
    docs = [Document(text=docs[o].text, id=f"d{i}") for i, o in enumerate(order)]
    return docs, [(where[a], where[b], j) for a, b, j in pairs]


def cpu_rates(runners: dict[str, tuple], rounds: int = 4) -> dict[str, float]:
    """Documents per CPU second of each runner ``(fn(docs, rank), docs)``, run in rounds
    that alternate between runners, so that other load on the machine weighs on all alike."""
    spent, done = dict.fromkeys(runners, 0.0), dict.fromkeys(runners, 0)
    for r in range(rounds):
        for name, (fn, docs) in runners.items():
            chunk = docs[r * len(docs) // rounds : (r + 1) * len(docs) // rounds]
            start = time.process_time()
            fn(chunk, r)
            spent[name] += time.process_time() - start
            done[name] += len(chunk)
    return {name: done[name] / spent[name] for name in runners}


def ours(params, folder: str):
    def run(docs: list[Document], rank: int) -> None:
        # As the stage runs it: whole signatures are written too, for verification.
        MinhashSignature(folder, params, full=True).run(iter(docs), rank=rank)

    return run


def with_datasketch(params):
    template = MinHash(num_perm=params.num_hashes, seed=params.seed)

    def run(docs: list[Document], rank: int) -> None:
        n = params.n_grams
        for doc in docs:
            toks = word_tokens(doc.text)
            grams = [" ".join(toks[i : i + n]).encode() for i in range(len(toks) - n + 1)]
            # Its default scheme (affine32) and SHA-1 shingle hash; permutations reused.
            mh = MinHash(
                num_perm=params.num_hashes,
                seed=params.seed,
                permutations=template.permutations,
                scheme="affine32",
            )
            mh.update_batch(grams)
            mh.digest()

    return run


def with_datatrove(folder: str):
    step = MinhashDedupSignature(folder)  # defaults: FineWeb parameters, spaCy "en" words

    def run(docs: list[Document], rank: int) -> None:
        step.run(iter(docs), rank=rank)

    return run


def clusters(docs: list[Document], params, work: str, verify: float | None) -> dict[int, int]:
    """Position -> cluster id, through the stage's own steps on one task."""
    if not os.path.exists(f"{work}/docs"):
        for _ in DedupKeys(work, exact=False, urls=False).run(iter(docs), rank=0):
            pass
        MinhashSignature(f"{work}/sigs", params, full=True).run(iter(docs), rank=0)
        config = params.datatrove_config()
        for b in range(params.num_buckets):
            MinhashDedupBuckets(f"{work}/sigs", f"{work}/buckets", config=config).run(
                None, rank=b, world_size=params.num_buckets
            )
    DedupCluster(
        work, f"{work}/buckets", signatures=f"{work}/sigs", params=params, verify=verify
    ).run(None, 0, 1)
    table = pq.read_table(f"{work}/clusters/000000.parquet").to_pydict()
    return dict(zip(table["idx"], table["cluster"]))


def precision(found: dict[int, int], pairs: list, docs: list[Document]) -> tuple[float, int]:
    """Share of merged pairs (two documents in one found cluster) with Jaccard >= 0.5."""
    members = defaultdict(list)
    for pos, cid in found.items():
        members[cid].append(pos)
    jac = {(a, b): j for a, b, j in pairs} | {(b, a): j for a, b, j in pairs}
    merged = good = 0
    for group in members.values():
        for a, b in itertools.combinations(group, 2):
            j = jac.get((a, b))
            if j is None:
                j = jaccard(shingle_set(docs[a].text), shingle_set(docs[b].text))
            merged += 1
            good += j >= 0.5
    return (good / merged if merged else float("nan")), merged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=1, help="corpus size: 10,000 x K documents")
    parser.add_argument(
        "--preset",
        default="fineweb",
        choices=["fineweb", "starcoder"],
        help="MinHash preset with word 5-grams, the shingles the Jaccard is computed on "
        "(default: fineweb)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--datatrove-docs", type=int, default=400, help="subset for datatrove's slow step"
    )
    args = parser.parse_args()
    params = minhash_params(args.preset)

    t0 = time.perf_counter()
    docs, pairs = make_corpus(args.scale, args.seed)
    mean_kb = sum(len(d.text.encode()) for d in docs) / len(docs) / 1024
    print(
        f"corpus: {len(docs)} documents of {mean_kb:.1f} KB, {len(pairs)} planted pairs "
        f"({time.perf_counter() - t0:.0f}s to generate and measure)"
    )

    with tempfile.TemporaryDirectory() as tmp:
        subset = docs[: min(len(docs), 3000)]
        trove_docs = docs[: args.datatrove_docs]
        # One-time costs (the separator table, spaCy's model) are paid before timing.
        ours(params, f"{tmp}/warm")(docs[:2], 0)
        with_datatrove(f"{tmp}/warm")(docs[:2], 0)
        rates = cpu_rates(
            {
                "ours": (ours(params, f"{tmp}/ours"), docs),
                "datasketch": (with_datasketch(params), subset),
                "datatrove": (with_datatrove(f"{tmp}/trove"), trove_docs),
            }
        )
        ours_rate, sketch_rate, trove_rate = rates["ours"], rates["datasketch"], rates["datatrove"]
        found = clusters(docs, params, f"{tmp}/lsh", VERIFY)
        unverified = clusters(docs, params, f"{tmp}/lsh", None)

    print(
        f"\nsignatures ({args.preset}: word {params.n_grams}-grams, {params.num_hashes} hashes), "
        "documents per CPU second"
    )
    print(f"  {'ours (vectorised, files written)':38s} {ours_rate:9.0f} docs/s  ({len(docs)} docs)")
    print(f"  {'datasketch MinHash':38s} {sketch_rate:9.0f} docs/s  ({len(subset)} docs)")
    print(
        f"  {'datatrove MinhashDedupSignature':38s} {trove_rate:9.0f} docs/s  "
        f"({len(trove_docs)} docs, rate scaled from the subset)"
    )

    bands: dict[tuple[float, float], list] = defaultdict(list)
    for a, b, j in pairs:
        band = (1.0, 1.0) if j == 1 else next(bd for bd in BANDS if bd[0] <= j < bd[1])
        same = a in found and found.get(a) == found.get(b)
        raw = a in unverified and unverified.get(a) == unverified.get(b)
        bands[band].append((same, raw, params.p_found(j)))
    print(
        f"\nplanted pairs per Jaccard band ({args.preset}: {params.num_buckets} buckets x "
        f"{params.hashes_per_bucket} hashes, threshold {params.threshold:.2f}); share merged "
        f"by the stage (verify {VERIFY}), by the LSH alone, and the LSH's 1 - (1 - J^r)^b"
    )
    print(f"  {'band':12s} {'pairs':>6s} {'stage':>7s} {'LSH':>7s} {'expected':>9s}")
    for band in [*BANDS, (1.0, 1.0)]:
        rows = bands.get(band, [])
        if rows:
            label = "J = 1" if band == (1.0, 1.0) else f"[{band[0]:.1f}, {band[1]:.1f})"
            stage = sum(r[0] for r in rows) / len(rows)
            lsh = sum(r[1] for r in rows) / len(rows)
            expect = sum(r[2] for r in rows) / len(rows)
            print(f"  {label:12s} {len(rows):6d} {stage:7.3f} {lsh:7.3f} {expect:9.3f}")

    def share(cond, found=found) -> float:
        sel = [found.get(a, -1) == found.get(b, -2) for a, b, j in pairs if cond(j)]
        return sum(sel) / len(sel) if sel else float("nan")

    prec, merged = precision(found, pairs, docs)
    prec_raw, _ = precision(unverified, pairs, docs)
    print(f"\nverification (whole signatures agree on >= {VERIFY} of hashes) vs none:")
    print(
        f"  precision {prec:.4f} vs {prec_raw:.4f}, false_pos_j50 "
        f"{share(lambda j: j < 0.5):.4f} vs {share(lambda j: j < 0.5, unverified):.4f}, "
        f"recall_j80 {share(lambda j: j >= 0.8):.4f} vs {share(lambda j: j >= 0.8, unverified):.4f}"
    )
    result = {
        "preset": args.preset,
        "documents": len(docs),
        "sig_docs_per_s": round(ours_rate),
        "datasketch_docs_per_s": round(sketch_rate),
        "datatrove_docs_per_s": round(trove_rate),
        "sig_vs_datasketch": round(ours_rate / sketch_rate, 1),
        "sig_vs_datatrove": round(ours_rate / trove_rate, 1),
        "recall_j80": round(share(lambda j: j >= 0.8), 4),
        "recall_j90": round(share(lambda j: j >= 0.9), 4),
        "false_pos_j50": round(share(lambda j: j < 0.5), 4),
        "precision": round(prec, 4),
        "merged_pairs": merged,
        "verify": VERIFY,
        "precision_unverified": round(prec_raw, 4),
        "false_pos_j50_unverified": round(share(lambda j: j < 0.5, unverified), 4),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "seconds": round(time.perf_counter() - t0, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    np.seterr(over="ignore")
    main()
