"""Text from a checkpoint: greedy or sampled decoding, plain or self-speculative.

Self-speculative decoding uses the model's own MTP head as a one-token draft (DeepSeek-V3,
arXiv 2412.19437, sec. 5.4.3, reports 85-90% acceptance of the second token). After a
forward pass has fixed token n, the MTP head at position n-1 reads the hidden state h_{n-1}
and the embedding of token n and drafts token n+1. The next pass runs the main model on
the sequence plus that draft: its prediction at position n decides whether the draft is
kept, and when it is, its prediction at position n+1 is a second new token from the same
pass. So a pass yields one token, or two when the draft is accepted.

Greedy: the draft is kept iff it equals the main model's argmax, so the output is exactly
plain greedy decoding. Sampling: speculative sampling (Leviathan et al. 2023, Chen et al.
2023) with a draft that is a point mass: keep it with probability p(draft), otherwise draw
from p without the draft; every token is then distributed as plain sampling's.

There is no KV cache: each pass recomputes the whole sequence, which keeps the code short
and makes both modes do the same arithmetic at every position. The context is not cropped
to the training length: RoPE and the sliding windows run at any length.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from mellum_data.errors import ConfigError, InputError
from mellum_data.tokenize.tokenizer import load_tokenizer
from mellum_data.trainer.checkpoint import load_checkpoint
from mellum_data.trainer.config import TrainConfig
from mellum_data.trainer.device import resolve_device
from mellum_data.trainer.model import Transformer


@dataclass
class Decoded:
    tokens: list[int]  # the new tokens, the stop token included if one was produced
    forward_passes: int  # main-model passes (the MTP head's draft block is not counted)
    drafted: int  # drafts checked by a pass
    accepted: int  # drafts kept


def choose(logits: torch.Tensor, temperature: float, generator: torch.Generator | None) -> int:
    """Argmax at temperature 0, else a sample from ``softmax(logits / temperature)``."""
    if temperature == 0:
        return int(logits.argmax())
    probs = (logits.float() / temperature).softmax(-1)
    return int(torch.multinomial(probs, 1, generator=generator))


def verify_draft(
    logits: torch.Tensor, draft: int, temperature: float, generator: torch.Generator | None
) -> tuple[int, bool]:
    """The token at a drafted position, and whether it is the draft (see module doc)."""
    if temperature == 0:
        token = int(logits.argmax())
        return token, token == draft
    probs = (logits.float() / temperature).softmax(-1)
    if float(torch.rand((), generator=generator, device=probs.device)) < float(probs[draft]):
        return draft, True
    probs[draft] = 0.0  # the residual max(p - q, 0) of a point-mass draft q
    return int(torch.multinomial(probs, 1, generator=generator)), False


@torch.no_grad()
def decode(
    model: Transformer,
    prompt: list[int],
    max_new_tokens: int,
    *,
    speculative: bool = True,
    temperature: float = 0.0,
    stop_id: int | None = None,
    generator: torch.Generator | None = None,
) -> Decoded:
    """Up to ``max_new_tokens`` tokens after ``prompt``, stopping after ``stop_id``."""
    if not prompt:
        raise ValueError("decode needs at least one prompt token")
    if speculative and model.mtp is None:
        raise ConfigError("speculative decoding needs the MTP head; this model has none")
    model.eval()
    device = model.embed.weight.device
    seq, new = list(prompt), []
    passes = drafted = accepted = 0
    draft: int | None = None
    while len(new) < max_new_tokens and not (new and new[-1] == stop_id):
        n = len(seq)
        inp = torch.tensor([seq + ([] if draft is None else [draft])], device=device)
        hidden, _, _ = model.trunk(inp)
        logits = model.head(model.norm(hidden))[0]
        passes += 1
        if draft is None:
            step = [choose(logits[n - 1], temperature, generator)]
        else:
            drafted += 1
            token, kept = verify_draft(logits[n - 1], draft, temperature, generator)
            step = [token]
            if kept:
                accepted += 1
                step.append(choose(logits[n], temperature, generator))
        step = step[: max_new_tokens - len(new)]
        if stop_id in step:
            step = step[: step.index(stop_id) + 1]
        seq += step
        new += step
        draft = None
        if speculative and len(new) < max_new_tokens and new[-1] != stop_id:
            # The MTP head at position m (the one before the last new token) reads h_m and
            # that token, and predicts the token after it. Positions <= m saw no rejected
            # draft, so their hidden states from this pass are valid.
            m = len(seq) - 2
            nxt = torch.tensor([seq[1 : m + 2]], device=device)
            mtp_logits, _, _ = model.mtp_logits(
                hidden[:, : m + 1], nxt, model.positions(m + 1, device)
            )
            draft = int(mtp_logits[0, -1].argmax())
    return Decoded(new, passes, drafted, accepted)


def load_model(checkpoint: str | Path, device: torch.device) -> tuple[Transformer, dict]:
    """The model of a checkpoint (its config travels in it) and the checkpoint itself."""
    ckpt = load_checkpoint(checkpoint)
    cfg = TrainConfig.model_validate(ckpt["config"])
    model = Transformer(cfg.model)
    model.load_state_dict(ckpt["model"])
    return model.to(device).eval(), ckpt


def generate(
    checkpoint: str | Path,
    tokenizer_json: str,
    prompt: str,
    max_new_tokens: int = 64,
    *,
    speculative: bool = True,
    temperature: float = 0.0,
    seed: int = 0,
    device: str = "auto",
) -> dict[str, Any]:
    """Continue ``prompt`` with the model in ``checkpoint``; returns the completion and the
    decoding statistics (forward passes, tokens per pass, draft acceptance rate, speed).

    The tokenizer must be the one the model was trained with (checked by identity). The
    prompt is preceded by EOS, the token before every document in concatenated training,
    unless the model was trained with document masking (there a document sees no EOS).
    Generation stops after EOS or ``max_new_tokens``.
    """
    if max_new_tokens < 1:
        raise ConfigError(f"max_new_tokens must be at least 1, got {max_new_tokens}")
    if temperature < 0:
        raise ConfigError(f"temperature must be >= 0, got {temperature}")
    dev = resolve_device(device)
    model, ckpt = load_model(checkpoint, dev)
    tok, info = load_tokenizer(tokenizer_json)
    trained_with = ckpt.get("tokenizer", {}).get("id")
    if trained_with and info.id != trained_with:
        raise InputError(
            f"{tokenizer_json}: tokenizer {info.id} is not the one {checkpoint} was trained "
            f"with ({trained_with})"
        )
    cfg = TrainConfig.model_validate(ckpt["config"])
    ids = tok.encode(prompt, add_special_tokens=False).ids
    context = ids if cfg.data.doc_mask else [info.eos_id, *ids]
    if not context:
        raise InputError("the prompt is empty and this model starts documents without EOS")
    generator = torch.Generator(device=dev).manual_seed(seed)
    threads = torch.get_num_threads()
    if cfg.threads and dev.type == "cpu":
        torch.set_num_threads(cfg.threads)  # as in training: see TrainConfig.threads
    try:
        t0 = time.perf_counter()
        out = decode(
            model,
            context,
            max_new_tokens,
            speculative=speculative,
            temperature=temperature,
            stop_id=info.eos_id,
            generator=generator,
        )
        seconds = time.perf_counter() - t0
    finally:
        torch.set_num_threads(threads)
    return {
        "prompt": prompt,
        "completion": tok.decode(out.tokens),
        "prompt_tokens": len(ids),
        "tokens": out.tokens,
        "new_tokens": len(out.tokens),
        "stopped_at_eos": bool(out.tokens) and out.tokens[-1] == info.eos_id,
        "speculative": speculative,
        "temperature": temperature,
        "forward_passes": out.forward_passes,
        "tokens_per_forward": len(out.tokens) / out.forward_passes,
        "drafted": out.drafted,
        "accepted": out.accepted,
        "acceptance_rate": out.accepted / out.drafted if out.drafted else None,
        "seconds": round(seconds, 3),
        "tokens_per_s": len(out.tokens) / seconds if seconds > 0 else None,
        "device": dev.type,
    }
