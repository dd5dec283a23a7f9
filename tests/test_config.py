import pytest

from mellum_data.config import StrictModel, load_config
from mellum_data.errors import ConfigError


class Language(StrictModel):
    min_score: float = 0.65
    allowed: list[str] = ["en"]


class Stage(StrictModel):
    source: str = "web"
    language: Language = Language()
    tasks: int = 1


def test_defaults_without_file():
    cfg, _ = load_config(Stage)
    assert cfg == Stage()


def test_values_and_overrides(tmp_path):
    path = tmp_path / "web.yaml"
    path.write_text("source: crawl\nlanguage:\n  allowed: [en, de]\n")
    cfg, lines = load_config(Stage, path, ["language.min_score=0.8", "tasks=4"])
    assert cfg.source == "crawl"
    assert cfg.language.allowed == ["en", "de"]
    assert cfg.language.min_score == 0.8
    assert cfg.tasks == 4
    assert lines[("language", "allowed")] == 3


def test_unknown_field_names_file_line_and_valid_fields(tmp_path):
    path = tmp_path / "web.yaml"
    path.write_text("source: crawl\nlanguage:\n  allowed: [en]\n  min_scor: 0.3\n")
    with pytest.raises(ConfigError) as e:
        load_config(Stage, path)
    assert str(e.value) == (
        f"{path}:4: unknown field 'language.min_scor' (did you mean 'min_score'?); "
        "valid fields: allowed, min_score"
    )


def test_wrong_type_names_line_and_field(tmp_path):
    path = tmp_path / "web.yaml"
    path.write_text("source: crawl\ntasks: many\n")
    with pytest.raises(
        ConfigError, match=r"web\.yaml:2: field 'tasks': Input should be a valid integer"
    ):
        load_config(Stage, path)


def test_yaml_syntax_error_has_line(tmp_path):
    path = tmp_path / "web.yaml"
    path.write_text("source: crawl\nlanguage: {allowed: [en\n")
    with pytest.raises(ConfigError, match=r"web\.yaml:\d+: YAML syntax error"):
        load_config(Stage, path)


def test_missing_file_and_bad_override(tmp_path):
    with pytest.raises(ConfigError, match="nope.yaml: file not found"):
        load_config(Stage, tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match="expected KEY=VALUE"):
        load_config(Stage, None, ["tasks"])


def test_top_level_must_be_mapping(tmp_path):
    path = tmp_path / "web.yaml"
    path.write_text("- a\n- b\n")
    with pytest.raises(ConfigError, match=r"web\.yaml:1: expected a mapping"):
        load_config(Stage, path)


def test_nested_unknown_field_reports_its_key_line(tmp_path):
    path = tmp_path / "web.yaml"
    path.write_text("language:\n  allowed: [en]\nlangauge:\n  min_score: 0.3\n")
    with pytest.raises(
        ConfigError, match=r"web\.yaml:3: unknown field 'langauge' \(did you mean 'language'\?\)"
    ):
        load_config(Stage, path)


class Source(StrictModel):
    path: str
    max_epochs: float = 4


class Mixture(StrictModel):
    sources: dict[str, Source] = {}


def test_unknown_field_under_a_mapping_key_lists_the_models_fields(tmp_path):
    path = tmp_path / "mix.yaml"
    path.write_text("sources:\n  web:\n    path: tokens/web\n    max_epoch: 2\n")
    with pytest.raises(ConfigError) as e:
        load_config(Mixture, path)
    assert str(e.value) == (
        f"{path}:4: unknown field 'sources.web.max_epoch' (did you mean 'max_epochs'?); "
        "valid fields: max_epochs, path"
    )


def test_duplicate_keys_are_errors(tmp_path):
    path = tmp_path / "web.yaml"
    path.write_text("source: a\nlanguage:\n  min_score: 0.5\nsource: b\n")
    with pytest.raises(ConfigError) as e:
        load_config(Stage, path)
    assert str(e.value) == f"{path}:4: duplicate key 'source' (first given on line 1)"
