"""mellum-data: pre-training data pipeline and curriculum builder for code language models."""

__version__ = "0.1.0"
