from mellum_data.filters.code_quality import CodeQualityFilter
from mellum_data.filters.language import LanguageFilter, lid_model_path, prose_view
from mellum_data.filters.license import LicenseFilter, is_permissive
from mellum_data.filters.license_detect import (
    detect_license_text,
    license_from_header,
    license_from_name,
)
from mellum_data.filters.math import MathScoreFilter, math_features, math_score
from mellum_data.filters.syntax import SyntaxFilter, SyntaxScorer
from mellum_data.filters.web_quality import (
    STOP_WORDS,
    C4Quality,
    FineWebQuality,
    GopherQuality,
    GopherRepetition,
    ScriptWordTokenizer,
)

__all__ = [
    "STOP_WORDS",
    "C4Quality",
    "CodeQualityFilter",
    "FineWebQuality",
    "GopherQuality",
    "GopherRepetition",
    "LanguageFilter",
    "LicenseFilter",
    "MathScoreFilter",
    "ScriptWordTokenizer",
    "SyntaxFilter",
    "SyntaxScorer",
    "detect_license_text",
    "is_permissive",
    "license_from_header",
    "license_from_name",
    "lid_model_path",
    "math_features",
    "math_score",
    "prose_view",
]
