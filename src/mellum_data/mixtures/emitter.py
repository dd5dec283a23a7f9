"""Emitting the phases of a mixture: ``OUTPUT/<phase>/<bucket>_<n>.ds`` shards and manifests.

``emit`` plans (unless given a plan), then for each phase that is not already emitted with
the same phase hash (see ``planner.phase_hashes``):

1. cuts the sources (``cuts``: two streaming passes over each source's sidecars per epoch a
   phase reaches; reused from ``selection/<phase>/cut.json`` when the hash matches);
2. runs three datatrove stages: ``PhaseRouter`` (tasks split the input shards and route each
   selected document to a bucket of its phase), ``PhaseShardWriter`` (tasks split the
   buckets and write their shards) and ``PhaseManifestWriter`` (one task: the manifests);
   and between the first two, for phases of more than ``route.GROUPS`` buckets,
   ``PhaseRegrouper`` (tasks split the routing groups into their buckets).

A phase whose hash is unchanged is left alone, byte for byte: editing phase ``k`` rewrites
phases ``k`` and later only. A different spec may thus be emitted into the same output;
phases of an earlier spec that this one lacks are refused unless ``force``, which also
rewrites every phase. A phase left alone keeps its manifest, whose ``spec_sha256`` names the
spec that wrote it (``plan.json`` holds the current spec and every phase's hash). An
interrupted run resumes where it stopped when rerun (datatrove's completion markers, under
``logs/emit/<run>``). With ``formats: [datatrove, megatron]`` each phase is also exported to
``OUTPUT/megatron/<phase>.bin/.idx`` (``tokenize.megatron``).

Layout besides the phases: ``plan.json``; ``selection/run.json`` (the current run);
``selection/<phase>/``: ``cut.json`` (the phase's cut, reused while its hash holds),
``draft.json`` (its manifest before the shards), ``emitted.json`` (the hash it was emitted
with) and, during a run, ``<run>/`` (routed records and per-bucket shard lists).

Scale: no process holds the corpus, a source, or an index of either. Per process:

- the driver (``emit``): per source being cut, a histogram (40 bytes a bucket, at most
  2**20 buckets), one shard's sidecar columns (remote: ``sources.READ_AHEAD`` more), one
  bucket's copies (about ``BUCKET_DOCS`` plus ``LOOKAHEAD``), and up to ``CACHE_BYTES`` of
  per-document arrays kept between passes;
- a router or regrouper task: one input sidecar (remote ones: up to
  ``sources.READ_AHEAD`` more, read ahead) or routed file, and up to ``flush_rows`` routed
  records;
- a writer task: one bucket's records (about 100 bytes per document plus its FIM points, for
  ``bucket_tokens`` tokens) and a few windows of ``WINDOW`` documents' tokens (the one laid
  out, and those of the two shards being written that the helper thread has not written yet).

What still grows with the corpus, honestly: the driver's *time* (cutting reads the token
counts of every shard of a source twice per epoch a phase reaches, in this one process,
remote sidecars ``sources.READ_AHEAD`` at a time; the histogram adds up across shards, so it
could be split across tasks, but is not yet); scratch
disk (routed records, about 100 bytes per selected document copy, deleted once the phase's
manifest is written; twice that for regrouped phases); the number of routed-record files
(per router flush, one per bucket, or per group of buckets past ``route.GROUPS`` buckets,
then per regrouping flush one per bucket: for Mellum 2's phase 1, about 7.7G copies in
6,180 buckets of 1B tokens, about 7.4k router flushes of ``route.FLUSH_ROWS`` records make
1.9M files of about 4k records and 0.2M files after regrouping, where one level would make
46M files of about 170); and lists of shards (``counts.json``, the input list every task
receives, manifests), which grow with the number of shards, not documents.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math

from datatrove.io import DataFolder, get_datafolder
from loguru import logger

from mellum_data.errors import ConfigError
from mellum_data.io import atomic_write_json, full_path, read_json
from mellum_data.mixtures.cuts import PhaseCut, cut_phases
from mellum_data.mixtures.planner import PhasePlan, Plan, make_plan
from mellum_data.mixtures.route import PhaseRegrouper, PhaseRouter, RoutePhase
from mellum_data.mixtures.sources import source_shards
from mellum_data.mixtures.spec import MixtureSpec, megatron_exporter
from mellum_data.mixtures.writer import (
    CUT,
    DRAFT,
    EMITTED,
    RUN,
    PhaseManifestWriter,
    PhaseShardWriter,
)
from mellum_data.pipelines.common import logs_dir
from mellum_data.pipelines.executor import Execution, make_executor
from mellum_data.tokenize.manifest import (
    PHASE_MANIFEST,
    PhaseManifest,
    read_phase_manifest,
    subfolder,
)

PLAN_FILE = "plan.json"
SELECTION_DIR = "selection"
MEGATRON_DIR = "megatron"
MEGATRON_SUFFIXES = (".json", ".bin", ".idx")  # the record first: it marks a finished export


def phase_done(out: DataFolder, phase: PhasePlan) -> bool:
    """Whether ``phase`` is emitted, complete, with this hash."""
    psel = subfolder(out, f"{SELECTION_DIR}/{phase.name}")
    return (
        out.exists(f"{phase.name}/{PHASE_MANIFEST}")
        and psel.exists(EMITTED)
        and read_json(psel, EMITTED).get("sha256") == phase.sha256
    )


def _cached_cut(out: DataFolder, phase: PhasePlan) -> PhaseCut | None:
    psel = subfolder(out, f"{SELECTION_DIR}/{phase.name}")
    if psel.exists(CUT):
        data = read_json(psel, CUT)
        if data.get("sha256") == phase.sha256:
            return PhaseCut.from_dict(data)
    return None


def _drop_stale_phases(out: DataFolder, plan: Plan, force: bool) -> None:
    if not out.exists(PLAN_FILE):
        return
    names = {p.name for p in plan.phases}
    old = [p["name"] for p in read_json(out, PLAN_FILE).get("phases", [])]
    stale = [n for n in old if n not in names and out.isdir(n)]
    if stale and not force:
        raise ConfigError(
            f"{out.path}: holds phases {', '.join(stale)} of an earlier mixture spec that this "
            "one lacks; remove them, use a new output folder, or --force (rewrites every phase)"
        )
    for name in stale:
        out.rm(name, recursive=True)
        if out.isdir(f"{SELECTION_DIR}/{name}"):
            out.rm(f"{SELECTION_DIR}/{name}", recursive=True)


def _start_run(out: DataFolder, todo: list[PhasePlan], execution: Execution) -> str:
    """The run id; a new run (not a resumed one) clears what older runs left."""
    sel = subfolder(out, SELECTION_DIR)
    text = json.dumps([[p.name, p.sha256] for p in todo] + [execution.tasks])
    key = hashlib.sha256(text.encode()).hexdigest()[:12]
    prev = read_json(sel, RUN) if sel.exists(RUN) else {}
    if prev.get("key") == key and not prev.get("finished") and not execution.force:
        return f"{prev['generation']:04d}-{key}"
    generation = int(prev.get("generation", -1)) + 1
    for p in todo:
        if out.isdir(p.name):
            out.rm(p.name, recursive=True)
        for suffix in MEGATRON_SUFFIXES:
            if out.exists(f"{MEGATRON_DIR}/{p.name}{suffix}"):
                out.rm_file(f"{MEGATRON_DIR}/{p.name}{suffix}")
        psel = subfolder(sel, p.name)
        for child in psel.list_files(recursive=False, include_directories=True):
            if psel.isdir(child):
                psel.rm(child, recursive=True)
    atomic_write_json(sel, RUN, {"key": key, "generation": generation, "finished": False})
    return f"{generation:04d}-{key}"


def _draft(plan: Plan, phase: PhasePlan, cut: PhaseCut) -> PhaseManifest:
    stats = {s: c.stats for s, c in cut.sources.items()}
    return PhaseManifest(
        phase=phase.name,
        index=phase.index,
        spec_sha256=plan.spec_sha256,
        tokenizer=plan.tokenizer,
        seed=plan.seed,
        sequence_length=plan.sequence_length,
        sources=stats,
        documents=cut.documents,
        tokens=cut.tokens,
        shards=[],
        fim={
            "rate": phase.fim_rate,
            "spm_share": phase.spm_share,
            "psm": sum(s["fim_psm"] for s in stats.values()),
            "spm": sum(s["fim_spm"] for s in stats.values()),
        },
    )


def _stage(execution: Execution, output: str, run: str, stage: str) -> tuple[Execution, str]:
    if execution.logging_dir:
        path = f"{execution.logging_dir.rstrip('/')}/emit/{run}/{stage}"
        return dataclasses.replace(execution, logging_dir=path), path
    return execution, logs_dir(output, f"emit/{run}/{stage}")


def emit(
    spec: MixtureSpec,
    output: str,
    execution: Execution,
    *,
    plan: Plan | None = None,
) -> list[PhaseManifest]:
    """Write every phase of ``spec`` under ``output`` that is not already there; returns all
    phase manifests (empty when the executor only submits jobs, as Slurm does)."""
    if plan is None:
        plan = make_plan(spec)
    elif plan.spec_sha256 != spec.sha256():
        raise ConfigError("the plan given to emit was made from another spec")
    out = get_datafolder(output)
    _drop_stale_phases(out, plan, execution.force)
    todo = [p for p in plan.phases if execution.force or not phase_done(out, p)]
    atomic_write_json(out, PLAN_FILE, {**plan.to_dict(), "spec": spec.model_dump(mode="json")})
    for p in plan.phases:
        if p not in todo:
            logger.info(f"phase {p.name}: emitted with the same phase hash, left as it is")
    if todo:
        _emit_phases(spec, plan, output, todo, execution)
        if execution.executor == "slurm":
            return []
    if "megatron" in spec.formats:
        _export_megatron(spec, out, plan)
    return [read_phase_manifest(subfolder(out, p.name)) for p in plan.phases]


def _export_megatron(spec: MixtureSpec, out: DataFolder, plan: Plan) -> None:
    """``OUTPUT/megatron/<phase>.bin/.idx`` for every phase that lacks a finished export."""
    export = megatron_exporter()
    if export is None:
        raise ConfigError(f"{spec.where('formats')}: format megatron not available yet")
    base = full_path(out)
    for phase in plan.phases:
        if not out.exists(f"{MEGATRON_DIR}/{phase.name}.json"):
            export(f"{base}/{phase.name}", f"{base}/{MEGATRON_DIR}/{phase.name}")


def _emit_phases(
    spec: MixtureSpec, plan: Plan, output: str, todo: list[PhasePlan], execution: Execution
) -> None:
    out = get_datafolder(output)
    cached = (lambda p: None) if execution.force else (lambda p: _cached_cut(out, p))
    cuts = cut_phases(spec, plan, cached, upto=max(p.index for p in todo))
    run = _start_run(out, todo, execution)
    route_phases, items, manifests = [], [], []
    for phase in todo:
        cut = cuts[phase.index]
        for w in cut.warnings:
            logger.warning(w)
        psel = subfolder(out, f"{SELECTION_DIR}/{phase.name}")
        atomic_write_json(psel, CUT, cut.to_dict())
        atomic_write_json(psel, DRAFT, _draft(plan, phase, cut).to_dict())
        buckets = max(1, math.ceil(cut.tokens / spec.bucket_tokens))
        segments = {s: c.segments for s, c in cut.sources.items() if c.segments}
        route_phases.append(
            RoutePhase(phase.name, phase.index, buckets, phase.fim_rate, phase.spm_share, segments)
        )
        items += [(phase.name, phase.index, b) for b in range(buckets)]
        manifests.append((phase.name, buckets, phase.sha256))
    refs = [ref for name, src in spec.sources.items() for ref in source_shards(name, src)]
    sel_path = f"{output.rstrip('/')}/{SELECTION_DIR}"
    ex, logs = _stage(execution, output, run, "route")
    router = make_executor(
        [PhaseRouter((sel_path, out.fs), run, refs, spec.sources, route_phases, seed=plan.seed)],
        ex,
        logging_dir=logs,
        tasks=max(1, min(execution.tasks, len(refs))),
        name="emit_route",
    )
    regroup = [(p.name, g) for p in route_phases for g in range(p.groups)]
    if regroup:
        ex, logs = _stage(execution, output, run, "regroup")
        router = make_executor(
            [PhaseRegrouper((sel_path, out.fs), run, regroup)],
            ex,
            logging_dir=logs,
            tasks=max(1, min(execution.tasks, len(regroup))),
            depends=router,
            name="emit_regroup",
        )
    ex, logs = _stage(execution, output, run, "write")
    writer = make_executor(
        [
            PhaseShardWriter(
                (output, out.fs),
                run,
                items,
                [r.path for r in refs],
                list(plan.sources),
                plan.tokenizer,
                seed=plan.seed,
                shard_tokens=plan.shard_tokens,
            )
        ],
        ex,
        logging_dir=logs,
        tasks=max(1, min(execution.tasks, len(items))),
        depends=router,
        name="emit_write",
    )
    ex, logs = _stage(execution, output, run, "manifest")
    make_executor(
        [PhaseManifestWriter((output, out.fs), run, manifests)],
        ex,
        logging_dir=logs,
        tasks=1,
        depends=writer,
        name="emit_manifest",
    ).run()
