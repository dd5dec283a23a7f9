from pathlib import Path

import numpy as np
import pytest

from mellum_data.errors import ConfigError
from mellum_data.mixtures.spec import (
    list_presets,
    load_mixture,
    megatron_exporter,
    parse_tokens,
    preset_path,
)

GOOD = """\
seed: 7
sources:
  web: {path: tokens/web}
  code: {path: tokens/code, max_epochs: 3}
phases:
  - name: p1
    tokens: 6.18e12
    weights: {web: 0.7, code: 0.3}
  - name: p2
    tokens_per_source: {web: 2M, code: 1_000}
    fim: {rate: 0.5}
"""


def load(text: str, tmp_path: Path, overrides: list[str] | None = None):
    path = tmp_path / "mix.yaml"
    path.write_text(text)
    return load_mixture(path, overrides)


def test_valid_spec_resolves_paths_and_token_counts(tmp_path: Path) -> None:
    spec = load(GOOD, tmp_path)
    assert spec.sources["web"].path == str(tmp_path / "tokens" / "web")
    assert spec.phases[0].budget == 6_180_000_000_000
    assert spec.phases[1].tokens_per_source == {"web": 2_000_000, "code": 1000}
    assert spec.phases[1].budget == 2_001_000
    assert spec.max_epochs_of("code") == 3 and spec.max_epochs_of("web") == 4
    assert spec.phases[1].fim.spm_share == 0.5
    assert len(spec.sha256()) == 64


def test_token_count_spellings() -> None:
    assert parse_tokens("6.18T") == parse_tokens("6.18e12") == 6_180_000_000_000
    assert parse_tokens("500K") == 500_000 and parse_tokens(2.5e6) == 2_500_000
    assert parse_tokens("lots") == "lots"


def test_overrides_by_phase_name_or_index(tmp_path: Path) -> None:
    spec = load(GOOD, tmp_path, ["phases.p1.tokens=2M", "phases.1.fim.rate=0.25", "seed=3"])
    assert spec.phases[0].budget == 2_000_000 and spec.phases[1].fim.rate == 0.25
    assert spec.seed == 3
    with pytest.raises(ConfigError, match="no phase 'p9'; phases: p1, p2"):
        load(GOOD, tmp_path, ["phases.p9.tokens=1"])


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "    weights: {web: 0.7, code: 0.3}",
            "    weigths: {web: 0.7, code: 0.3}",
            "mix.yaml:8: unknown field 'phases[0].weigths' (did you mean 'weights'?); "
            "valid fields: fim, name, tokens, tokens_per_source, weights",
        ),
        (
            "    weights: {web: 0.7, code: 0.3}",
            "    weights: {web: 0.7, cod: 0.3}",
            "mix.yaml:8: field 'phases[0].weights.cod': unknown source 'cod'; "
            "valid sources and groups: code, web",
        ),
        (
            "    weights: {web: 0.7, code: 0.3}",
            "    weights: {web: -0.7, code: 0.3}",
            "mix.yaml:8: field 'phases[0].weights.web': Input should be greater than or equal to 0",
        ),
        (
            "    tokens: 6.18e12",
            "    tokens: 0",
            "mix.yaml:6: field 'phases[0]': Value error, 'weights' needs a positive 'tokens'",
        ),
        (
            "  code: {path: tokens/code, max_epochs: 3}",
            "  code: {path: tokens/code, max_epoch: 3}",
            "mix.yaml:4: unknown field 'sources.code.max_epoch' (did you mean 'max_epochs'?); "
            "valid fields: exclude, max_epochs, path, rehydrate, select",
        ),
        (
            "  - name: p2",
            "  - name: p1",
            "mix.yaml:9: phase name 'p1' is used twice",
        ),
        (
            "    tokens_per_source: {web: 2M, code: 1_000}",
            "    tokens: 5\n    tokens_per_source: {web: 2M, code: 1_000}",
            "mix.yaml:9: field 'phases[1]': Value error, omit 'tokens' with 'tokens_per_source'",
        ),
    ],
)
def test_errors_name_file_line_field_and_valid_names(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    assert old in GOOD
    with pytest.raises(ConfigError) as err:
        load(GOOD.replace(old, new), tmp_path)
    assert str(err.value).startswith(f"{tmp_path}/{message}")


def test_rehydrate_and_formats(tmp_path: Path) -> None:
    text = GOOD.replace(
        "{path: tokens/web}", "{path: tokens/web, rehydrate: {copies: {2: 3, 100: 0}}}"
    )
    spec = load(text, tmp_path)
    rehydrate = spec.sources["web"].rehydrate
    assert rehydrate is not None and rehydrate.column == "minhash_cluster_size"
    assert rehydrate.copies_for(np.array([1, 2, 99, 100, 10**6])).tolist() == [1, 3, 3, 0, 0]
    with pytest.raises(
        ConfigError,
        match=r"mix.yaml:3: field 'sources.web.rehydrate.copies.2': Input should be less than or "
        "equal to 255",
    ):
        load(text.replace("2: 3", "2: 300"), tmp_path)
    with pytest.raises(ConfigError, match=r"mix.yaml:12: field 'formats' must include 'datatrove'"):
        load(GOOD + "formats: [megatron]\n", tmp_path)
    if megatron_exporter() is None:
        with pytest.raises(ConfigError, match=r"mix.yaml:12: format megatron not available yet"):
            load(GOOD + "formats: [datatrove, megatron]\n", tmp_path)
    with pytest.raises(ConfigError, match=r"mix.yaml:12: field 'bucket_tokens' must be positive"):
        load(GOOD + "bucket_tokens: 0\n", tmp_path)


def test_groups_must_name_known_sources(tmp_path: Path) -> None:
    text = GOOD + "groups:\n  all: [web, math]\n"
    with pytest.raises(
        ConfigError,
        match=r"mix.yaml:\d+: group 'all': unknown source 'math'; valid sources: code, web",
    ):
        load(text, tmp_path)


def test_presets(tmp_path: Path) -> None:
    assert {"demo", "mellum2"} <= set(list_presets())
    with pytest.raises(ConfigError, match="unknown mixture preset 'nope'; presets: demo, mellum2"):
        preset_path("nope")
    m2 = load_mixture(preset_path("mellum2"), base_dir=str(tmp_path))
    assert [p.budget for p in m2.phases] == [
        6_180_000_000_000,
        2_790_000_000_000,
        1_690_000_000_000,
    ]
    assert [p.fim.rate for p in m2.phases] == [0.5, 0.1, 0.5]
    assert m2.phases[2].weights == {"web": 23, "code": 59, "math": 18}
    assert m2.sources["code_python"].path == str(tmp_path / "tokens" / "code")
    assert set(m2.members("code")) == {
        "code_python",
        "code_web",
        "code_systems",
        "code_jvm",
        "code_other",
    }
    demo = load_mixture(preset_path("demo"), base_dir=str(tmp_path))
    assert set(demo.sources) == {"web", "code", "math"} and demo.sequence_length == 256
