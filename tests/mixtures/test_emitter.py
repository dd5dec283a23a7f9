import hashlib
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from mellum_data.errors import ConfigError
from mellum_data.mixtures.emitter import emit
from mellum_data.mixtures.planner import make_plan
from mellum_data.mixtures.spec import load_mixture
from mellum_data.mixtures.writer import PhaseShardWriter
from mellum_data.pipelines.executor import Execution
from mellum_data.tokenize.fim import FimIds, invert_fim
from mellum_data.tokenize.manifest import verify_folder
from mellum_data.tokenize.shards import ShardReader, list_shards

MIX = """\
seed: 11
shard_tokens: 3000
sources:
  web:  {path: tokens/web}
  code: {path: tokens/code}
  math: {path: tokens/math}
phases:
  - {name: phase1, tokens: 12000, weights: {web: 70, code: 23, math: 6}, fim: {rate: 0.5}}
  - {name: phase2, tokens: 8000, weights: {web: 44, code: 42, math: 14}, fim: {rate: 0.1}}
  - {name: phase3, tokens: 6000, weights: {web: 23, code: 59, math: 18}, fim: {rate: 0.5}}
"""


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory, make_source) -> Path:
    root = tmp_path_factory.mktemp("mix")
    rng = np.random.default_rng(0)
    for name, n, kind in (("web", 300, "web"), ("code", 200, "code"), ("math", 60, "math")):
        docs = [{"tokens": int(t), "kind": kind} for t in rng.integers(10, 60, size=n)]
        make_source(root / "tokens" / name, name, docs)
    (root / "mix.yaml").write_text(MIX)
    return root


def read_phase(folder: Path) -> list[dict]:
    docs = []
    for name in list_shards(folder):
        r = ShardReader(str(folder / f"{name}.ds"))
        for i, row in enumerate(r.docs().to_pylist()):
            docs.append({**row, "tokens_data": np.array(r.document(i))})
    return docs


@pytest.fixture(scope="module")
def emitted(root: Path):
    spec = load_mixture(root / "mix.yaml")
    manifests = emit(spec, str(root / "out"), Execution(tasks=1))
    return spec, manifests


def source_docs(root: Path, name: str) -> dict[str, np.ndarray]:
    return {d["id"]: d["tokens_data"] for d in read_phase(root / "tokens" / name)}


def test_manifests_verify_and_shares_match_the_plan(root: Path, emitted) -> None:
    spec, manifests = emitted
    assert [m.phase for m in manifests] == ["phase1", "phase2", "phase3"]
    assert (root / "out" / "plan.json").exists()
    for m, phase in zip(manifests, spec.phases, strict=True):
        assert verify_folder(root / "out" / m.phase) == len(m.shards) >= 2
        assert m.spec_sha256 == spec.sha256() and m.seed == 11
        assert abs(m.tokens - phase.budget) <= 60  # within a document of the budget
        docs = read_phase(root / "out" / m.phase)
        assert len(docs) == m.documents
        weights = phase.weights or {}
        for s, w in weights.items():
            realised = sum(d["tokens"] for d in docs if d["source"] == s) / m.tokens
            assert realised == pytest.approx(m.sources[s]["share"])
            assert abs(realised - w / sum(weights.values())) < 0.005


def test_no_repeat_within_a_phase_before_exhaustion(root: Path, emitted) -> None:
    docs = {p: read_phase(root / "out" / p) for p in ("phase1", "phase2", "phase3")}
    n_docs = {"web": 300, "code": 200, "math": 60}
    seen_before: dict[str, set] = {s: set() for s in n_docs}
    for phase in ("phase1", "phase2", "phase3"):
        for s, n in n_docs.items():
            ids = Counter(d["id"] for d in docs[phase] if d["source"] == s)
            epochs = {d["epoch"] for d in docs[phase] if d["source"] == s}
            if len(epochs) == 1:
                assert max(ids.values()) == 1  # one epoch: no document twice
            else:
                # The phase crossed into a new epoch: every document of the source was taken.
                assert len(seen_before[s] | set(ids)) == n
            seen_before[s] |= set(ids)
    # Phases continue where the previous stopped: web's phase2 documents are new.
    p1 = {d["id"] for d in docs["phase1"] if d["source"] == "web"}
    p2 = {d["id"] for d in docs["phase2"] if d["source"] == "web" and d["epoch"] == 0}
    assert p2 and not p1 & p2


def test_fim_documents_invert_to_their_source(root: Path, emitted, tok_info) -> None:
    _, manifests = emitted
    ids = FimIds.from_info(tok_info)
    code = source_docs(root, "code")
    web = source_docs(root, "web")
    for m, rate in zip(manifests, (0.5, 0.1, 0.5), strict=True):
        docs = read_phase(root / "out" / m.phase)
        fim = [d for d in docs if d["fim"]]
        n_code = sum(d["source"] == "code" for d in docs)
        assert {d["source"] for d in fim} <= {"code"}
        assert abs(len(fim) / n_code - rate) < 0.2
        assert m.fim["psm"] + m.fim["spm"] == len(fim)
        for d in docs:
            if d["fim"]:
                t = d["tokens_data"]
                assert t[-1] == tok_info.eos_id
                assert np.array_equal(np.append(invert_fim(t[:-1], ids), 1), code[d["id"]])
                assert d["tokens"] == code[d["id"]].size + 3
            elif d["source"] in ("code", "web"):
                src = code if d["source"] == "code" else web
                assert np.array_equal(d["tokens_data"], src[d["id"]])
    assert manifests[0].fim["psm"] > 0 and manifests[0].fim["spm"] > 0


def test_byte_identical_with_any_number_of_tasks(root: Path, emitted) -> None:
    spec, _ = emitted
    emit(spec, str(root / "out3"), Execution(tasks=3, workers=1))
    for phase in ("phase1", "phase2", "phase3"):
        a, b = root / "out" / phase, root / "out3" / phase
        files = sorted(p.name for p in a.iterdir() if not p.name.startswith("shards."))
        assert files == sorted(p.name for p in b.iterdir() if not p.name.startswith("shards."))
        for f in files:
            assert (a / f).read_bytes() == (b / f).read_bytes(), f


@pytest.mark.parametrize("tasks", [1, 2])
def test_an_interrupted_emit_resumes_to_the_same_shards(
    root: Path, emitted, tasks: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An emit that fails while writing phase2 (a crash, injected) leaves no manifest (they
    are written once every phase's shards are); rerun, it finishes the same shards, byte for
    byte."""
    spec, manifests = emitted
    out = root / f"out-resume{tasks}"
    write_bucket = PhaseShardWriter._write_bucket

    def fail_on_phase2(self, phase, *args):
        if phase == "phase2":
            raise RuntimeError("interrupted")
        return write_bucket(self, phase, *args)

    monkeypatch.setattr(PhaseShardWriter, "_write_bucket", fail_on_phase2)
    with pytest.raises(RuntimeError, match="interrupted"):
        emit(spec, str(out), Execution(tasks=tasks))
    assert not (out / "phase1" / "manifest.json").exists()
    monkeypatch.setattr(PhaseShardWriter, "_write_bucket", write_bucket)
    again = emit(spec, str(out), Execution(tasks=tasks))
    assert [m.shards for m in again] == [m.shards for m in manifests]
    for phase in ("phase1", "phase2", "phase3"):
        a, b = root / "out" / phase, out / phase
        files = sorted(p.name for p in a.iterdir() if p.name != "manifest.json")
        assert files == sorted(p.name for p in b.iterdir() if p.name != "manifest.json")
        for f in files:
            assert (a / f).read_bytes() == (b / f).read_bytes(), f


PHASES = ("phase1", "phase2", "phase3")


def files_state(folder: Path) -> dict[str, tuple[int, int, str]]:
    """Per file: inode, modification time and sha256."""
    return {
        p.name: (p.stat().st_ino, p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
        for p in sorted(folder.iterdir())
    }


def shard_bytes(folder: Path) -> dict[str, str]:
    return {n: s for n, (_, _, s) in files_state(folder).items() if n != "manifest.json"}


def test_changing_one_phase_rewrites_it_and_the_later_ones_only(root: Path, emitted) -> None:
    spec, _ = emitted
    out = root / "incremental"
    emit(spec, str(out), Execution())
    before = {p: files_state(out / p) for p in PHASES}
    assert all(shard_bytes(out / p) == shard_bytes(root / "out" / p) for p in PHASES)
    emit(spec, str(out), Execution())  # the same spec again: nothing is rewritten
    assert {p: files_state(out / p) for p in PHASES} == before

    edited = load_mixture(root / "mix.yaml", ["phases.phase2.weights.web=20"])
    manifests = emit(edited, str(out), Execution())
    after = {p: files_state(out / p) for p in PHASES}
    assert after["phase1"] == before["phase1"]  # same inodes, times and bytes
    for p in ("phase2", "phase3"):
        assert shard_bytes(out / p) != shard_bytes(root / "out" / p)
        assert {t for _, t, _ in after[p].values()}.isdisjoint(
            {t for _, t, _ in before[p].values()}
        )
    assert [m.spec_sha256 for m in manifests] == [spec.sha256()] + [edited.sha256()] * 2
    # What was rewritten is what a fresh emission of the edited spec gives.
    emit(edited, str(root / "fresh"), Execution())
    assert all(shard_bytes(out / p) == shard_bytes(root / "fresh" / p) for p in PHASES)

    # An incomplete phase (here: its manifest lost) is rewritten, the same, on the next run.
    (out / "phase3" / "manifest.json").unlink()
    emit(edited, str(out), Execution())
    assert files_state(out / "phase2") == after["phase2"]
    assert shard_bytes(out / "phase3") == shard_bytes(root / "fresh" / "phase3")


def test_phases_of_an_earlier_spec_are_refused_unless_forced(root: Path, emitted) -> None:
    spec, _ = emitted
    out = root / "renamed"
    emit(spec, str(out), Execution())
    renamed = load_mixture(root / "mix.yaml", ["phases.phase3.name=anneal"])
    with pytest.raises(ConfigError, match="holds phases phase3 of an earlier mixture spec"):
        emit(renamed, str(out), Execution())
    manifests = emit(renamed, str(out), Execution(force=True))
    assert [m.phase for m in manifests] == ["phase1", "phase2", "anneal"]
    assert not (out / "phase3").exists()
    assert shard_bytes(out / "anneal") == shard_bytes(root / "out" / "phase3")


def test_rehydration_repeats_documents_by_cluster_size(tmp_path: Path, make_source) -> None:
    sizes = [1, None, 2, 3, 7, 50, 1, 2]
    make_source(
        tmp_path / "tokens" / "web",
        "web",
        [{"tokens": 20, "minhash_cluster_size": n} for n in sizes],
        docs_per_shard=3,
    )
    (tmp_path / "mix.yaml").write_text(
        "sources:\n"
        "  web: {path: tokens/web, rehydrate: {copies: {2: 2, 5: 3, 40: 0}}}\n"
        "phases:\n  - {name: p, tokens: 240, weights: {web: 1}}\n"
    )
    spec = load_mixture(tmp_path / "mix.yaml")
    plan = make_plan(spec)
    web = plan.sources["web"]
    assert (web.tokens, web.documents, web.unique_tokens, web.unique_documents) == (240, 12, 140, 7)
    assert "(rehydrated from 140 unique)" in plan.table()
    [m] = emit(spec, str(tmp_path / "out"), Execution(), plan=plan)
    got = Counter(d["id"] for d in read_phase(tmp_path / "out" / "p"))
    # One epoch: every document as many times as its cluster size's bucket says.
    assert got == {
        "web/0": 1,
        "web/1": 1,
        "web/2": 2,
        "web/3": 2,
        "web/4": 3,
        "web/6": 1,
        "web/7": 2,
    }
    assert m.tokens == 240 and m.sources["web"]["epochs_after"] == pytest.approx(1.0)


def test_selected_tier_only(tmp_path: Path, make_source) -> None:
    docs = [{"tokens": 20, "quality_tier": "high" if i % 4 == 0 else "low"} for i in range(80)]
    make_source(tmp_path / "tokens" / "web", "web", docs)
    (tmp_path / "mix.yaml").write_text(
        "formats: [datatrove, megatron]\n"
        "sources:\n"
        "  web_hq: {path: tokens/web, select: {quality_tier: [high]}}\n"
        "phases:\n  - {name: p, tokens: 300, weights: {web_hq: 1}}\n"
    )
    [m] = emit(load_mixture(tmp_path / "mix.yaml"), str(tmp_path / "out"), Execution())
    got = read_phase(tmp_path / "out" / "p")
    assert m.tokens == 300 and len(got) == 15 and len({d["id"] for d in got}) == 15
    assert {d["quality_tier"] for d in got} == {"high"} and {d["source"] for d in got} == {"web_hq"}
    # The Megatron export holds the phase's tokens, in the phase's order.
    bin_bytes = (tmp_path / "out" / "megatron" / "p.bin").read_bytes()
    assert bin_bytes == b"".join(d["tokens_data"].tobytes() for d in got)
    assert (tmp_path / "out" / "megatron" / "p.idx").exists()


def test_emit_does_not_import_pandas(root: Path, emitted) -> None:
    """pyarrow's numpy conversions import pandas (a quarter of a second per process); emitting
    goes through Arrow buffers instead. The shards are the same as the fixture's."""
    script = f"""
import sys
from mellum_data.mixtures.emitter import emit
from mellum_data.mixtures.spec import load_mixture
from mellum_data.mixtures.writer import PhaseShardWriter
from mellum_data.pipelines.executor import Execution
emit(load_mixture({str(root / "mix.yaml")!r}), {str(root / "out-pandas")!r}, Execution(tasks=1))
print("pandas" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "False"
    for phase in ("phase1", "phase2", "phase3"):
        assert shard_bytes(root / "out-pandas" / phase) == shard_bytes(root / "out" / phase)


def test_many_buckets_are_regrouped_to_the_same_shards(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past ``route.GROUPS`` buckets a phase is routed per group of buckets, then regrouped
    per bucket: the shards are those of routing straight to the buckets, byte for byte."""
    from mellum_data.mixtures import route

    spec = load_mixture(root / "mix.yaml", overrides=["bucket_tokens=1500"])
    plans = make_plan(spec)
    buckets = {p.name: -(-p.budget // 1500) for p in spec.phases}
    assert buckets == {"phase1": 8, "phase2": 6, "phase3": 4}
    direct = emit(spec, str(root / "direct"), Execution(tasks=2), plan=plans)
    assert not list((root / "direct" / "logs").glob("emit/*/regroup"))
    monkeypatch.setattr(route, "GROUPS", 3)  # phase1: 3 groups of 3, 3 and 2 buckets
    written = []
    real = route.write_by

    def recording(folder, table, part, directory, name):
        written.append(directory(int(part[0])).split("/")[-1][0] + name[0])
        return real(folder, table, part, directory, name)

    monkeypatch.setattr(route, "write_by", recording)
    regrouped = emit(spec, str(root / "regrouped"), Execution(tasks=2), plan=plans)
    assert [m.shards for m in regrouped] == [m.shards for m in direct]
    # Router tasks wrote to group folders, regroupers to bucket folders (names g...).
    assert set(written) == {"g0", "bg"}
    for phase in PHASES:
        a, b = root / "direct" / phase, root / "regrouped" / phase
        files = sorted(p.name for p in a.iterdir())
        assert files == sorted(p.name for p in b.iterdir())
        assert len(files) > 4 * 3
        for f in files:
            assert (a / f).read_bytes() == (b / f).read_bytes(), f
    stats = list((root / "regrouped" / "logs").glob("emit/*/regroup/stats.json"))
    assert len(stats) == 1


def test_an_emit_interrupted_while_regrouping_resumes_to_the_same_shards(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A regrouping task that dies after writing some of its buckets' files is rerun: the
    files get the same names, so no record is written twice."""
    from mellum_data.mixtures import route

    spec = load_mixture(root / "mix.yaml", overrides=["bucket_tokens=1500"])
    monkeypatch.setattr(route, "GROUPS", 3)
    clean = emit(spec, str(root / "regroup-clean"), Execution(tasks=1))
    real = route.write_by
    calls = []

    def dies_on_the_fourth_write(folder, table, part, directory, name):
        if name.startswith("g"):  # a regrouper's write
            calls.append(name)
            if len(calls) == 4:
                raise RuntimeError("interrupted")
        return real(folder, table, part, directory, name)

    monkeypatch.setattr(route, "write_by", dies_on_the_fourth_write)
    out = root / "regroup-resumed"
    with pytest.raises(RuntimeError, match="interrupted"):
        emit(spec, str(out), Execution(tasks=1))
    assert not list(out.glob("phase*/*.ds"))
    monkeypatch.setattr(route, "write_by", real)
    again = emit(spec, str(out), Execution(tasks=1))
    assert [m.shards for m in again] == [m.shards for m in clean]
