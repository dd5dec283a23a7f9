from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from mellum_data.errors import ConfigError
from mellum_data.mixtures.emitter import emit
from mellum_data.mixtures.spec import load_mixture
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


def test_another_spec_into_the_same_output_is_refused(root: Path, emitted) -> None:
    other = load_mixture(root / "mix.yaml", ["seed=12"])
    with pytest.raises(ConfigError, match="emitted from another mixture spec"):
        emit(other, str(root / "out"), Execution())


def test_selected_tier_only(tmp_path: Path, make_source) -> None:
    docs = [{"tokens": 20, "quality_tier": "high" if i % 4 == 0 else "low"} for i in range(80)]
    make_source(tmp_path / "tokens" / "web", "web", docs)
    (tmp_path / "mix.yaml").write_text(
        "sources:\n"
        "  web_hq: {path: tokens/web, select: {quality_tier: [high]}}\n"
        "phases:\n  - {name: p, tokens: 300, weights: {web_hq: 1}}\n"
    )
    [m] = emit(load_mixture(tmp_path / "mix.yaml"), str(tmp_path / "out"), Execution())
    got = read_phase(tmp_path / "out" / "p")
    assert m.tokens == 300 and len(got) == 15 and len({d["id"] for d in got}) == 15
    assert {d["quality_tier"] for d in got} == {"high"} and {d["source"] for d in got} == {"web_hq"}
