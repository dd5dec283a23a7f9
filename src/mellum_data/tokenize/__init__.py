"""The token shard format and its manifests, tokenizer loading, and FIM.

These are the names the mixer, stats and trainer share. Training (``tokenize.train``) and the
tokenize stage's steps (``tokenize.step``) read stage outputs; import them by module path so
that readers of shards do not load the pipeline layer.
"""

from mellum_data.tokenize.fim import FimIds, apply_fim, fim_document, invert_fim
from mellum_data.tokenize.manifest import (
    PhaseManifest,
    SourceCounts,
    TokenizerInfo,
    read_phase_manifest,
    read_source_counts,
    verify_folder,
    write_phase_manifest,
    write_source_counts,
)
from mellum_data.tokenize.megatron import export_megatron
from mellum_data.tokenize.shards import ShardInfo, ShardReader, ShardWriter, list_shards
from mellum_data.tokenize.split_points import split_points
from mellum_data.tokenize.tokenizer import load_tokenizer, tokenizer_identity
from mellum_data.tokenize.verify import verify_shard

__all__ = [
    "FimIds",
    "PhaseManifest",
    "ShardInfo",
    "ShardReader",
    "ShardWriter",
    "SourceCounts",
    "TokenizerInfo",
    "apply_fim",
    "export_megatron",
    "fim_document",
    "invert_fim",
    "list_shards",
    "load_tokenizer",
    "read_phase_manifest",
    "read_source_counts",
    "split_points",
    "tokenizer_identity",
    "verify_folder",
    "verify_shard",
    "write_phase_manifest",
    "write_source_counts",
]
