from mellum_data.dedup.exact import exact_config, normalized_content
from mellum_data.dedup.minhash import (
    PRESETS,
    EnsureRankFiles,
    MinhashPreset,
    WhitespaceWordTokenizer,
    minhash_config,
)

__all__ = [
    "PRESETS",
    "EnsureRankFiles",
    "MinhashPreset",
    "WhitespaceWordTokenizer",
    "exact_config",
    "minhash_config",
    "normalized_content",
]
