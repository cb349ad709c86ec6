"""Norwegian preprocessing: normalisation, non-answers, language, lemmas, PII redaction, health flag.

Contract: ``Cleaner``, ``clean_texts``, ``redact``, ``normalize``, ``analyze``, ``is_non_answer``.
"""

from .cleaner import (
    OUTPUT_COLUMNS,
    PII_COLUMNS,
    Cleaner,
    Resources,
    analyze,
    clean_texts,
    default_resources,
    detect_language,
    health_flag,
    is_non_answer,
    redact,
)
from .normalize import normalize
from .redact import PII_TYPES, PLACEHOLDERS

__all__ = [
    "Cleaner",
    "clean_texts",
    "redact",
    "normalize",
    "analyze",
    "is_non_answer",
    "detect_language",
    "health_flag",
    "Resources",
    "default_resources",
    "OUTPUT_COLUMNS",
    "PII_COLUMNS",
    "PII_TYPES",
    "PLACEHOLDERS",
]
