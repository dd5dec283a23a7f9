"""The built-in sample corpus: web pages in WARC files, code repositories and math documents,
generated deterministically with ground-truth labels (``mellum-data sample``)."""

from mellum_data.sample.writer import write_sample

__all__ = ["write_sample"]
