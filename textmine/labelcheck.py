"""Personal data in short texts that readers see: labels, ids, codebook fields and file names.

The running-text redaction (:mod:`textmine.preprocess.redact`) finds names in sentences; a label or file name has
no sentence around it, so a text made only of names ("hansen", "KARI 2024") counts as a name here, and an 8-digit
date (20240115) is a date, not a phone number. The service checks uploads and codebooks with these rules, and
:func:`textmine.codebook.load_codebook` checks codebooks with the same ones."""

from __future__ import annotations

import re

_DATE8 = re.compile(r"(?<!\d)((?:19|20)\d\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?!\d)")  # 20240115


# Surnames that are also a municipality or town ("sandnes_2024.csv" is about the place): never a file-name surname.
_PLACE_SURNAMES = frozenset({"sandnes", "vestby", "kvam", "sandvik", "lervik", "hove", "husby", "nordby", "brandal"})
# First names of ``name_ambiguous.txt`` that a file name still counts as names: the ordinary word is a sentence's
# ("Anna enn det", nynorsk "other", also a catch-all theme «anna»); a file stem "anna_2024" is a person's.
_FILE_STEM_FIRST_NAMES = frozenset({"anna"})
_STEM_TOKEN = re.compile(r"[^\W\d_]+")
_CAMEL_CUT = re.compile(r"(?<=[a-zæøå])(?=[A-ZÆØÅ])")


def _stem_tokens(stem: str) -> list[str]:
    """Runs of letters, cut at digits, "_", "-", ".", spaces and a lower-to-upper case change ("NordmannSvar")."""
    return _STEM_TOKEN.findall(_CAMEL_CUT.sub(" ", stem))


def _name_lists():
    from textmine.preprocess import default_resources

    return default_resources().redactor.names


def _word_or_place(token: str, names) -> bool:
    """A name that is also an ordinary word, a place or an organisation: ``name_ambiguous.txt`` ("per", "tor",
    "liv", "dag", "strand", "berg"…), the name block list ("Mai", "NAV", "Oslo"…) or ``_PLACE_SURNAMES``."""
    low = token.lower()
    return (low in names.ambiguous or low in _PLACE_SURNAMES or token in names.blocked or low in names.blocked
            or low.capitalize() in names.blocked)


def _is_surname(token: str, names) -> bool:
    return token.lower() in (names.last | names.last_extra) and not _word_or_place(token, names)


def _is_first_name(token: str, names) -> bool:
    return token.lower() in names.first and not _word_or_place(token, names)


def stem_surnames(stem: str) -> list[str]:
    """The unambiguous surnames in a file-name stem (lower-cased, in order; tokens as :func:`_stem_tokens`). A
    token counts when it is a surname the redaction knows (Faker's ``no_NO`` surnames and ``name_last_no.txt``)
    and not also an ordinary word or place (:func:`_word_or_place`: "Strand", "Berg", "Lie", "Vik", "Bakken",
    "Haugen", "Dahl", "Sandnes", "Vestby", "Kvam"…). "Nordmann" counts: in a file name it is the surname."""
    names = _name_lists()
    return [t.lower() for t in _stem_tokens(stem) if _is_surname(t, names)]


def stem_first_names(stem: str) -> list[str]:
    """The unambiguous first names in a file-name stem (lower-cased, in order; tokens as :func:`_stem_tokens`):
    a first name the redaction knows (Faker's ``no_NO`` first names and ``name_first_no.txt``: "kari", "ola",
    "anne") that is not also an ordinary word (``name_ambiguous.txt``: "per", "tor", "liv", "sol", "dag") nor on
    the name block list ("Mai"); "anna" counts too (``_FILE_STEM_FIRST_NAMES``), though a label «Anna» is the
    nynorsk word (:func:`only_names`)."""
    names = _name_lists()
    return [t.lower() for t in _stem_tokens(stem)
            if _is_first_name(t, names) or t.lower() in _FILE_STEM_FIRST_NAMES]


def only_names(text: str) -> bool:
    """``text`` has letters and every run of them is an unambiguous surname or first name (the file-name rules,
    any case): "Hansen", "johansen 2024", "KARI"; not "Bølge 2024", "Høst", "Oslo", "Strand", "Per 2024"."""
    names = _name_lists()
    tokens = _stem_tokens(text)
    return bool(tokens) and all(_is_surname(t, names) or _is_first_name(t, names) for t in tokens)


def personal_data_counts(text: str) -> dict[str, int]:
    """What the project's redaction finds in a short label or file name, by kind; an 8-digit date (YYYYMMDD,
    e.g. 20240115) is a date, not a phone number. A label made only of names (:func:`only_names`: "hansen",
    "JOHANSEN 2024", "kari") counts as a name even where the running-text redaction lets it pass."""
    from textmine.preprocess import redact

    probe = _DATE8.sub(lambda m: f"{m[1]}-{m[2]}-{m[3]}", text)
    counts = {kind: n for kind, n in redact(probe)[1].items() if n}
    if not counts.get("navn") and only_names(text):
        counts["navn"] = 1
    return counts
