"""The web pipeline on pages written for this evaluation (``tests/data/web_eval/``): technical
documentation, tutorials, Q&A, API references and math pages in 14 languages, and junk
(keyword stuffing, link farms, navigation only, lorem filler, repeated lines, near-empty).

Goal (issue 8): keep at least 80% of the real pages in allowed languages and remove at least
98% of the junk. Run with ``-s`` to see the numbers."""

import io
import statistics
from collections import Counter
from pathlib import Path

import polars as pl
import yaml
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from mellum_data.cli import main
from mellum_data.pipelines.executor import Execution
from mellum_data.pipelines.sources import LanguageConfig
from mellum_data.pipelines.web import WebConfig, calibrate_language_table, lid_scores, run_web

EVAL = Path(__file__).parents[1] / "data" / "web_eval"


def write_eval_warc(path: Path) -> dict[str, Path]:
    """One WARC response per page, served as XHTML when the file says so; url -> file."""
    pages = {}
    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=True)
        for page in sorted(EVAL.glob("*/*.html")):
            body = page.read_bytes()
            ctype = "application/xhtml+xml" if body.startswith(b"<?xml") else "text/html"
            url = f"https://{page.stem}.{page.parent.name}.example/"
            headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=headers
            )
            writer.write_record(record)
            pages[url] = page
    return pages


def test_keeps_the_technical_web_and_removes_junk(tmp_path, capsys):
    pages = write_eval_warc(tmp_path / "eval.warc.gz")
    out = tmp_path / "out"
    run_web([str(tmp_path / "eval.warc.gz")], str(out), WebConfig(), Execution())
    outcome = {}
    for parquet in out.glob("**/*.parquet"):
        for meta in pl.read_parquet(parquet)["metadata"]:
            outcome[meta["url"]] = "kept" if "removed" not in parquet.parts else meta["drop_reason"]
    assert set(outcome) == set(pages)

    allowed = set(LanguageConfig().languages)
    real = {u: p for u, p in pages.items() if p.parent.name == "real"}
    in_allowed = [u for u, p in real.items() if p.stem.split("-")[0] in allowed]
    other = [u for u in real if u not in in_allowed]
    junk = [u for u, p in pages.items() if p.parent.name == "junk"]
    kept_real = sum(outcome[u] == "kept" for u in in_allowed) / len(in_allowed)
    removed_junk = sum(outcome[u] != "kept" for u in junk) / len(junk)
    print(
        f"\nweb eval: kept {kept_real:.1%} of {len(in_allowed)} real pages in allowed languages, "
        f"removed {removed_junk:.1%} of {len(junk)} junk pages"
    )
    assert len(in_allowed) >= 40 and len(junk) >= 40
    assert kept_real >= 0.80, sorted((pages[u].name, outcome[u]) for u in in_allowed)
    assert removed_junk >= 0.98, sorted(pages[u].name for u in junk if outcome[u] == "kept")
    assert {outcome[u] for u in other} == {"language_not_allowed"}

    # Per-language thresholds calibrated on this output (kept and removed pages alike).
    scored = [m for f in out.glob("**/*.parquet") for m in pl.read_parquet(f)["metadata"]]
    scores = lid_scores(str(out))
    assert sorted(scores) == sorted((m["lang"], m["lang_score"]) for m in scored if m["lang"])
    table = calibrate_language_table(str(out), min_documents=5)
    counts = Counter(lang for lang, _ in scores)
    assert set(table) == {lang for lang, n in counts.items() if n >= 5}
    en = [score for lang, score in scores if lang == "en"]
    expected = statistics.median(en) - statistics.pstdev(en)
    assert table["en"] == round(max(0.3, min(0.9, expected)), 4)

    # The same table from the command line, as YAML to paste into the web config.
    capsys.readouterr()
    assert main(["lid", "calibrate", str(out), "--min-documents", "5"]) == 0
    printed = yaml.safe_load(capsys.readouterr().out)
    assert printed == {"language": {"min_score_per_language": table}}
    (tmp_path / "empty").mkdir()
    assert main(["lid", "calibrate", str(tmp_path / "empty")]) == 1
    assert "no document with lang and lang_score" in capsys.readouterr().err
