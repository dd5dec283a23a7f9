"""The kept-documents writer's rows are datatrove's default rows, without the deep copy."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from datatrove.data import Document
from datatrove.pipeline.writers import ParquetWriter

from mellum_data.pipelines.writers import doc_schema, document_row, schema_kept_writer

META = {"source": pa.string(), "spans": pa.list_(pa.list_(pa.int64()))}


def _docs() -> list[Document]:
    return [
        Document(text="kept page", id="a", metadata={"source": "web", "spans": [[0, 4]]}),
        Document(text="", id="b", metadata={"source": "web", "spans": []}),  # empty: left out
        Document(text="no spans", id="c", metadata={"source": "web"}),
    ]


def test_rows_match_datatrove_default_rows(tmp_path: Path) -> None:
    reference = ParquetWriter(str(tmp_path / "ref"), schema=doc_schema(META))
    for doc in [*_docs(), Document(text="x", id="", metadata={})]:
        assert document_row(reference, doc) == reference._default_adapter(doc)
    doc = _docs()[0]
    assert document_row(reference, doc)["metadata"] is doc.metadata  # not a copy
    with schema_kept_writer(str(tmp_path / "out"), META) as w:
        for doc in _docs():
            w.write(doc, rank=0)
    (written,) = (tmp_path / "out").glob("**/*.parquet")
    rows = pq.read_table(written).to_pylist()
    assert [(r["id"], r["text"]) for r in rows] == [
        ("a", "kept page"),
        ("b", None),
        ("c", "no spans"),
    ]
    assert rows[0]["metadata"] == {"source": "web", "spans": [[0, 4]]}
    assert rows[2]["metadata"] == {"source": "web", "spans": None}
