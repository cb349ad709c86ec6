"""The one rule for a short name that may hold personal data (a column name, a file or folder name, an id or key in
a message) and how it is shown masked (:func:`mask_personal`). Each caller keeps the marker its users see:
«[REDIGERT]» in output files (:func:`textmine.classify.table.masked_column_names`) and the service's messages
(``service.library.hide_personal_ids``), «[navn skjult]» in the survey's warnings and the CLI's errors
(:func:`textmine.cli.redact_message`)."""

from __future__ import annotations


def personal_id(name: str) -> bool:
    """``name`` is an id or code that holds personal data when read as words
    (:func:`textmine.disclosure.identifier_words`: "ola_nordmann_91234567", "kariNordmann15038512363"): the
    redaction finds no name inside an id, so a redacted id would still show the rest."""
    from .disclosure import identifier_words
    from .labelcheck import personal_data_counts

    words = identifier_words(name)
    return words != name and bool(personal_data_counts(words))


def mask_personal(name: str, marker: str, *, file: bool = False, whole: bool = False) -> str:
    """``name`` as it may be shown: as it is where it holds no personal data, else masked. It holds personal data
    where the redaction finds some or :func:`textmine.pipeline.personal_name` does (with ``file``: a file or folder
    name, where a lone surname or first name counts too). Masked: ``marker`` for an id holding personal data
    (:func:`personal_id`), for ``whole``, and where the redacted name still holds some; otherwise the redacted name
    («Kari Nordmann 01019012480» → «[NAVN] [FØDSELSNUMMER]»)."""
    from .pipeline import personal_name
    from .preprocess import redact

    name = str(name)
    if not name.strip():
        return name
    if personal_id(name):
        return marker
    masked, counts = redact(name)
    found = any(counts.values())
    if not found and not personal_name(name, file=file):
        return name
    if whole or not found or personal_name(masked, file=file):
        return marker
    return masked
