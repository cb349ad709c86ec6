"""Text normalisation: Unicode, dashes, quotes, whitespace, HTML, Excel artefacts, PDF hyphenation."""

from __future__ import annotations

import html
import re
import unicodedata

_DASH_TABLE = {ord(c): "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"}
_QUOTE_TABLE = {ord(c): '"' for c in "«»“”„‟″〝〞＂"}
_QUOTE_TABLE.update({ord(c): "'" for c in "‘’‚‛′`´"})
# C0 control characters that are not whitespace (NUL, backspace, ESC of a pasted colour code …): dropped. XML (so
# Excel) forbids them; tab, newline, CR and the whitespace-like ones (\x0b, \x0c, \x1c–\x1f) become spaces below.
_CONTROLS = [c for c in range(0x20) if not chr(c).isspace()]
_TRANSLATE = {**_DASH_TABLE, **_QUOTE_TABLE,
              **dict.fromkeys((0x00AD, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF)),  # soft hyphen, zero-width
              **dict.fromkeys(_CONTROLS)}

_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
# Empty-cell markers and Excel error values, English and Norwegian-localised ("#I/T", "#VERDI!", "#NAVN?").
_NULL_CELL = re.compile(r"^\s*(?:nan|NaN|NAN|null|NULL|Null|None|none|N/A|#(?:N/A|NA|I/T|VALUE!|VERDI!|REF!|NAME\?|NAVN\?"
                        r"|DIV/0!|NUM!|TALL!|NULL!|SPILL!|CALC!))\s*$")
# UTF-8 read as Windows-1252 ("fÃ¸rst", "Ã…pningstid"): lead byte Ã/Â followed by a continuation character.
_MOJIBAKE = re.compile("[ÃÂ][^\x00-\x7f]")  # only a trigger: _fix_mojibake checks the whole text
_HTML_BREAK = re.compile(r"<\s*(?:br|/p|p|/div|div|li|/li)\b[^<>]{0,100}>", re.IGNORECASE)
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]{0,300})?/?>")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
# PDF line-break hyphenation: lower-case letter, hyphen, line break, lower-case letter -> join,
# unless the next word is a conjunction (suspended compound: "helse-\nog sosialtjenester").
_PDF_HYPHEN_LOWER = re.compile(r"(?<=[a-zæøåéäöü])-[ \t]*\r?\n[ \t]*(?!(?:og|eller|samt|til|som|&)\b)(?=[a-zæøåéäöü])")
# Upper-case / digit before the hyphen ("NAV-\nkontoret"): keep the hyphen, drop the break.
_PDF_HYPHEN_KEEP = re.compile(r"(?<=[A-ZÆØÅ0-9])-[ \t]*\r?\n[ \t]*(?=\w)")
# Footnote digit glued to the end of a lower-case word ("sykefraværet2. Neste") -> drop the digit.
_FOOTNOTE = re.compile(r"(?<=[a-zæøå]{4})[1-9](?=[\s.,;:!?)]|$)")
_WS = re.compile(r"\s+")
_ANY_DIGIT = re.compile(r"\d")


def _excel_unescape(match: re.Match) -> str:
    code = int(match.group(1), 16)
    if code in (0x000D, 0x000A, 0x0009):
        return " " if code != 0x000D else ""
    try:
        return chr(code)
    except ValueError:  # pragma: no cover - defensive
        return ""


def normalize(text: str | None) -> str:
    """Return display-ready text: NFKC, ASCII dashes/quotes, no HTML/Excel artefacts, no control characters,
    single spaces.

    Numbers, times and durations are left untouched ("20 min", "08:00 - 16:00", "100%").
    ``None``/NaN and literal "nan"/"NULL" cells become "".
    """
    if text is None:
        return ""
    if not isinstance(text, str):
        if isinstance(text, float) and text != text:  # NaN
            return ""
        text = str(text)
    if not text or _NULL_CELL.match(text):
        return ""
    if "_x" in text:
        text = _EXCEL_ESCAPE.sub(_excel_unescape, text)
    if _MOJIBAKE.search(text):
        text = _fix_mojibake(text)
    if "&" in text:
        text = html.unescape(html.unescape(text))
    if "<" in text:
        text = _HTML_BREAK.sub(" ", text)
        text = _HTML_TAG.sub("", text)
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    if "-" in text and "\n" in text:
        text = _PDF_HYPHEN_LOWER.sub("", text)
        text = _PDF_HYPHEN_KEEP.sub("-", text)
    if _ANY_DIGIT.search(text):
        text = _protect_urls(text, lambda s: _FOOTNOTE.sub("", s))
    text = _WS.sub(" ", text).strip()
    if _NULL_CELL.match(text):
        return ""
    return text


def _fix_mojibake(text: str) -> str:
    """Undo UTF-8-read-as-Windows-1252 when the whole text round-trips cleanly; else leave it."""
    try:
        return text.encode("cp1252").decode("utf-8")
    except UnicodeError:
        return text


def _protect_urls(text: str, func) -> str:
    """Apply ``func`` to the text outside URLs (URLs stay one untouched token)."""
    if "www." not in text and "://" not in text:
        return func(text)
    parts, last = [], 0
    for m in _URL.finditer(text):
        parts.append(func(text[last : m.start()]))
        parts.append(m.group(0))
        last = m.end()
    parts.append(func(text[last:]))
    return "".join(parts)
