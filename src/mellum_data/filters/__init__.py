from mellum_data.filters.code_quality import CodeQualityFilter
from mellum_data.filters.language import (
    LID_MIN_SCORES,
    LanguageFilter,
    calibrate_lid_thresholds,
    document_prose,
    lid_model_path,
    prose_view,
)
from mellum_data.filters.license import LicenseFilter, is_permissive
from mellum_data.filters.license_detect import (
    detect_license_text,
    license_from_header,
    license_from_name,
)
from mellum_data.filters.math import MathScoreFilter, math_features, math_score
from mellum_data.filters.quality_classifier import QualityScorer, QualityTier
from mellum_data.filters.syntax import SyntaxFilter, SyntaxScorer
from mellum_data.filters.url import UrlFilter, normalize_url
from mellum_data.filters.web_quality import (
    STOP_WORDS,
    C4Quality,
    FineWebQuality,
    GopherQuality,
    GopherRepetition,
    ScriptWordTokenizer,
)

__all__ = [
    "LID_MIN_SCORES",
    "STOP_WORDS",
    "C4Quality",
    "CodeQualityFilter",
    "FineWebQuality",
    "GopherQuality",
    "GopherRepetition",
    "LanguageFilter",
    "LicenseFilter",
    "MathScoreFilter",
    "QualityScorer",
    "QualityTier",
    "ScriptWordTokenizer",
    "SyntaxFilter",
    "SyntaxScorer",
    "UrlFilter",
    "calibrate_lid_thresholds",
    "detect_license_text",
    "document_prose",
    "is_permissive",
    "license_from_header",
    "license_from_name",
    "lid_model_path",
    "math_features",
    "math_score",
    "normalize_url",
    "prose_view",
]
