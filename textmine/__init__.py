"""textmine: text analytics for Norwegian free-text survey comments.

Modules (one concern each): ``preprocess`` (cleaning, language, lemmas, non-answers,
PII redaction), ``embed`` (embedding backends + cache), ``discover`` (theme discovery),
``codebook``/``classify``/``evaluate``/``review`` (coding against a codebook),
``io``/``survey``/``stats``/``quotes``/``summary`` (survey statistics), ``disclosure`` (small-cell
labels, ids read as words), ``report``.
"""

__version__ = "0.1.0"
