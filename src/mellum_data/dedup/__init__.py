from mellum_data.dedup.cluster import DedupCluster, DedupFilter
from mellum_data.dedup.decontam import (
    Benchmark,
    DecontamFilter,
    benchmark_texts,
    check_benchmarks,
    contamination_counts,
)
from mellum_data.dedup.exact import DedupKeys, normalize_text, normalize_url, text_hash
from mellum_data.dedup.index import LshIndex
from mellum_data.dedup.minhash import PRESETS, MinHasher, MinhashParams, minhash_params
from mellum_data.dedup.shingles import NgramHasher, code_tokens, word_tokens
from mellum_data.dedup.signature import MinhashSignature

__all__ = [
    "PRESETS",
    "Benchmark",
    "DecontamFilter",
    "DedupCluster",
    "DedupFilter",
    "DedupKeys",
    "LshIndex",
    "MinHasher",
    "MinhashParams",
    "MinhashSignature",
    "NgramHasher",
    "benchmark_texts",
    "check_benchmarks",
    "code_tokens",
    "contamination_counts",
    "minhash_params",
    "normalize_text",
    "normalize_url",
    "text_hash",
    "word_tokens",
]
