"""Emitting the phases of a mixture: ``OUTPUT/<phase>/<n:05d>.ds`` shards and ``manifest.json``.

``emit`` plans (unless given a plan), computes every phase's selection in this process from
the sidecar tables (``select``), writes it to ``OUTPUT/selection/<phase>.parquet`` together
with the manifest draft ``<phase>.json``, then runs two datatrove stages: ``PhaseShardWriter``
(task ``r`` writes the shards ``n`` with ``n % tasks == r`` of every phase) and
``PhaseManifestWriter`` (one task: the manifests, from the tasks' shard lists). The shards
depend only on the spec, never on the number of tasks.

``OUTPUT/plan.json`` holds the plan and the spec's hash; emitting a different spec into the
same output is refused (use a new folder or ``force``), since completion markers would keep
the old shards.
"""

from __future__ import annotations

import dataclasses
import io

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from datatrove.io import get_datafolder
from loguru import logger
from tqdm import tqdm

from mellum_data.errors import ConfigError
from mellum_data.io import atomic_write_bytes, atomic_write_json, read_json
from mellum_data.mixtures.planner import Plan, make_plan
from mellum_data.mixtures.select import PhaseSelection, select_phases
from mellum_data.mixtures.sources import SourceDocs, load_source_docs
from mellum_data.mixtures.spec import MixtureSpec
from mellum_data.mixtures.writer import PhaseManifestWriter, PhaseShardWriter
from mellum_data.pipelines.common import logs_dir
from mellum_data.pipelines.executor import Execution, make_executor
from mellum_data.tokenize.manifest import PhaseManifest, read_phase_manifest, subfolder

PLAN_FILE = "plan.json"
SELECTION_DIR = "selection"


def load_all_docs(spec: MixtureSpec) -> dict[str, SourceDocs]:
    names = list(spec.sources)
    bar = tqdm(names, desc="reading sidecars", unit="source", disable=None)
    return {name: load_source_docs(name, spec.sources[name]) for name in bar}


def _selection_table(sel: PhaseSelection, docs: dict[str, SourceDocs], inputs: list[str]):
    """Per document: output shard, input shard, row, offset, stored tokens, source, epoch, FIM."""
    index = {p: i for i, p in enumerate(inputs)}
    n = sel.row.size
    input_id = np.zeros(n, np.int32)
    row = np.zeros(n, np.int64)
    offset = np.zeros(n, np.int64)
    stored = np.zeros(n, np.int64)
    for k, name in enumerate(sel.sources):
        mask = sel.source == k
        if not mask.any():
            continue
        d = docs[name]
        rows = sel.row[mask]
        mapping = np.array([index[p] for p in d.shard_paths], dtype=np.int32)
        input_id[mask] = mapping[d.shard[rows]]
        row[mask] = d.row[rows]
        offset[mask] = d.offset[rows]
        stored[mask] = d.tokens[rows]
    return pa.table(
        {
            "shard": sel.shard,
            "input": input_id,
            "row": row,
            "offset": offset,
            "tokens": stored,
            "source": sel.source,
            "epoch": sel.epoch,
            "fim": sel.fim,
        }
    )


def _check_plan_file(output: str, plan: Plan, force: bool) -> None:
    folder = get_datafolder(output)
    if folder.exists(PLAN_FILE) and not force:
        old = read_json(folder, PLAN_FILE).get("spec_sha256")
        if old != plan.spec_sha256:
            raise ConfigError(
                f"{folder.path}/{PLAN_FILE}: this output was emitted from another mixture spec "
                f"(sha256 {str(old)[:12]}…, now {plan.spec_sha256[:12]}…); use a new output "
                "folder or --force"
            )


def _stage_execution(execution: Execution, stage: str) -> Execution:
    if execution.logging_dir:
        return dataclasses.replace(
            execution, logging_dir=f"{execution.logging_dir.rstrip('/')}/{stage}"
        )
    return execution


def emit(
    spec: MixtureSpec,
    output: str,
    execution: Execution,
    *,
    plan: Plan | None = None,
) -> list[PhaseManifest]:
    """Write every phase of ``spec`` under ``output``; returns the phase manifests (empty when
    the executor only submits jobs, as Slurm does)."""
    docs = load_all_docs(spec)
    if plan is None:
        plan = make_plan(spec, docs=docs)
    elif plan.spec_sha256 != spec.sha256():
        raise ConfigError("the plan given to emit was made from another spec")
    _check_plan_file(output, plan, execution.force)
    selections = select_phases(plan, docs)
    for sel in selections:
        for w in sel.warnings:
            logger.warning(w)
    inputs = sorted({p for d in docs.values() for p in d.shard_paths})
    out = get_datafolder(output)
    sel_dir = subfolder(out, SELECTION_DIR)
    phases = []
    for sel, phase in zip(selections, plan.phases, strict=True):
        sink = io.BytesIO()
        pq.write_table(_selection_table(sel, docs, inputs), sink, compression="zstd")
        atomic_write_bytes(sel_dir, f"{sel.name}.parquet", sink.getvalue())
        draft = PhaseManifest(
            phase=sel.name,
            index=sel.index,
            spec_sha256=plan.spec_sha256,
            tokenizer=plan.tokenizer,
            seed=plan.seed,
            sequence_length=plan.sequence_length,
            sources=sel.stats,
            documents=int(sel.row.size),
            tokens=sel.tokens,
            shards=[],
            fim={
                "rate": phase.fim_rate,
                "spm_share": phase.spm_share,
                "psm": int(sum(s["fim_psm"] for s in sel.stats.values())),
                "spm": int(sum(s["fim_spm"] for s in sel.stats.values())),
            },
        )
        atomic_write_json(sel_dir, f"{sel.name}.json", draft.to_dict())
        phases.append((sel.name, sel.index, sel.num_shards))
    atomic_write_json(out, PLAN_FILE, {**plan.to_dict(), "spec": spec.model_dump(mode="json")})

    writer = make_executor(
        [
            PhaseShardWriter(
                output, phases, inputs, list(plan.sources), plan.tokenizer, seed=plan.seed
            )
        ],
        _stage_execution(execution, "emit"),
        logging_dir=logs_dir(output, "emit"),
        name="emit",
    )
    manifests = make_executor(
        [PhaseManifestWriter(output, [(name, shards) for name, _, shards in phases])],
        _stage_execution(execution, "emit_manifest"),
        logging_dir=logs_dir(output, "emit_manifest"),
        tasks=1,
        depends=writer,
        name="emit_manifest",
    )
    manifests.run()
    if execution.executor == "slurm":
        return []
    return [read_phase_manifest(subfolder(out, name)) for name, _, _ in phases]
