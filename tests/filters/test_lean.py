"""LeanFilter keeps datatrove's BaseFilter results and statistics, with local counters."""

from datatrove.data import Document
from datatrove.pipeline.filters.base_filter import BaseFilter

from mellum_data.filters.lean import LeanFilter


def verdict(doc: Document) -> bool | tuple[bool, str]:
    n = int(doc.id)
    if n % 3 == 0:
        return False, "by_three"
    return False if n % 5 == 0 else True


class Plain(BaseFilter):
    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        return verdict(doc)


class Lean(LeanFilter):
    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        return verdict(doc)


def run(flt: BaseFilter) -> tuple[list[str], dict]:
    docs = [Document(text="x" * i, id=str(i), metadata={}) for i in range(1, 31)]
    kept = [doc.id for doc in flt.run(iter(docs))]
    stats = flt.stats.to_dict()["stats"]
    return kept, stats


def test_same_documents_and_statistics_as_base_filter():
    for batch_size in (1, 4):
        plain, lean = Plain(batch_size=batch_size), Lean(batch_size=batch_size)
        kept, stats = run(lean)
        assert (kept, stats) == run(plain)
        assert stats["total"] == 30 and stats["forwarded"] == 16 and stats["dropped"] == 14
        assert stats["dropped_by_three"] == 10
        assert lean.stats.time_stats.n == (30 if batch_size == 1 else 8)
