"""Survey definition: which columns are the id, wave, weight, segments, indicators, multi-select groups
and routed free-text questions — read from a YAML file beside the data and validated with clear errors.

Example (see ``data/sample/survey.yaml``)::

    name: arbeidsgiver
    title: Arbeidsgiverundersøkelsen   # optional: the reports' default title (one line, ≤ 200 characters)
    language: nb              # optional: the reports' written standard, nb (bokmål) | nn (nynorsk); --language
                              # wins over it; left out: the codebook's language, else nb
    id: respondent_id
    wave: wave
    weight: vekt
    min_cell: 10              # small-cell suppression threshold
    suppression: flag         # flag | hide
    excluded_codes: {7: Vet ikke, 8: Ikke benyttet tjenesten}
    segments:
      - column: ansatte
        label: Antall ansatte
        levels: {"1": "1 ansatt", "2-9": "2–9 ansatte"}   # ordered; list or value → display label
        # a data value is the level whose code (key) it equals — 1, 1.0 and "1" alike — else whose label it
        # equals (SPSS value labels of a .sav count too); codes win; see Segment.level_key
        aliases: {"2-9": ["2 til 9", "2-9 ansatte"]}   # other spellings of a level (e.g. an earlier wave's)
    indicators:
      - id: helhet
        column: q_helhet
        label: Hvor fornøyd er du med NAV, helhetlig sett?
        scale: [1, 6]         # left out: 1–6 (checking the data warns when no answer is 6)
        measure: positive     # positive (4–6) | top2 | topbox | bottom2 — or give `positive: [..]` (do so for a
                              # scale of 2–3 codes such as Ja/Nei: the top code is counted otherwise, with a warning;
                              # for a scale with a gap such as [1, 2, 9]; top2/bottom2 of 2 codes is refused)
        overall: true         # optional, at most one indicator: the overall one the report's «Hovedfunn» leads with
      - id: telefon
        column: q_telefon
        themes: [telefon]     # optional: codebook theme id(s) that speak to this indicator (the report's table
                              # «Temaer ved siden av indikatorene»); checked against the free-text questions'
                              # codebooks when they are found, else the report warns about an id its codebook lacks
    multiselect:
      - id: tjenester
        options: {tj_sykefravaer: Sykefraværsoppfølging, tj_ingen: Ingen av disse}
        exclusive: [tj_ingen]
    free_text:
      - column: fritekst_sykefravaer
        asked_if: {item: q_sykefravaer, codes: [1, 2, 3]}
        codebook: ../codebooks/arbeidsgiver.yaml
    drivers: {outcome: helhet, controls: [sektor, ansatte]}
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
import yaml

from .disclosure import identifier_words

__all__ = [
    "SurveyDefinitionError",
    "Segment",
    "Indicator",
    "MultiSelect",
    "FreeTextQuestion",
    "SurveyDefinition",
    "load_survey",
]


class SurveyDefinitionError(ValueError):
    """The survey YAML (or the data checked against it) does not fit; the message names the place."""


MEASURES = ("positive", "top2", "topbox", "bottom2")

# ---------------------------------------------------------------- warning wording (one wording, shared)
# The warnings SurveyDefinition.validate_frame returns, as templates. The service stores them with an upload, and
# its store scrub (service.scrub) recognises stored ones with patterns built from these same templates: change
# the wording here, nowhere else. Fields: src (file name), columns (comma-separated), col, n (a count), limit (a
# number), rows (``_rows``: row numbers, never cell values), group (a multi-select id).
ABSENT_COLUMNS_WARNING = ("{src}: column(s) {columns} not in the data (optional: wave / free text supplied by coded "
                          "frames)")
UNKNOWN_COLUMNS_WARNING = "{src}: unknown column(s) {columns} not declared in the survey definition"
LARGE_WEIGHTS_WARNING = ("{src}, column {col}: {n} implausibly large weight(s) (over {limit:g}, 1000 × the median "
                         "weight) in {rows}; check the weight column")
MULTISELECT_CODES_WARNING = ("{src}, column {col}: {n} multi-select value(s) are not 0/1 codes and are treated as "
                             "missing ({rows})")
EXCLUSIVE_WARNING = "{src}: {n} respondent(s) ticked an exclusive option of {group} together with other options"
UNDECLARED_LEVELS_WARNING = "{src}: column {col} has {n} value(s) not among the declared levels ({rows})"
# not in WARNING_TEMPLATES (which lists validate_frame's checks of the data's columns); the service's store scrub
# matches it on its own, with the item, column and scale checked against the stored definition (service/scrub.py)
DEFAULT_SCALE_WARNING = ("{src}, column {col}: item {item}: no answer is {top} among {n} answers — is the scale "
                         "{low}–{alt}? The survey definition gives the item no scale, so the default {low}–{top} "
                         "applies (and decides the positive codes); declare scale: in the survey definition")
DEFAULT_SCALE = (1, 2, 3, 4, 5, 6)  # an indicator's scale when the definition gives none
DEFAULT_SCALE_MIN_ANSWERS = 30  # answers on the scale before a never-used top code is worth a warning
WARNING_TEMPLATES = {
    "absent_columns": ABSENT_COLUMNS_WARNING,
    "unknown_columns": UNKNOWN_COLUMNS_WARNING,
    "large_weights": LARGE_WEIGHTS_WARNING,
    "multiselect_codes": MULTISELECT_CODES_WARNING,
    "exclusive": EXCLUSIVE_WARNING,
    "undeclared_levels": UNDECLARED_LEVELS_WARNING,
}


def _code(v: Any, where: str) -> int | float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        try:
            f = float(str(v).strip().replace(",", "."))
        except ValueError:
            raise SurveyDefinitionError(f"{where}: expected a numeric answer code, got {v!r}") from None
        v = f
    return int(v) if float(v).is_integer() else float(v)


def _codes(v: Any, where: str) -> tuple:
    if v is None:
        return ()
    if isinstance(v, Mapping):
        v = list(v.keys())
    if isinstance(v, str) and "," in v.strip().strip(","):  # YAML reads `codes: 1,2` as the text "1,2", not a list
        raise SurveyDefinitionError(f"{where}: expected a list of codes such as [{v.strip()}], got the text {v!r}")
    if not isinstance(v, (list, tuple)):
        v = [v]
    return tuple(_code(x, where) for x in v)


def _check_keys(d: Mapping, allowed: set[str], where: str) -> None:
    if not isinstance(d, Mapping):
        raise SurveyDefinitionError(f"{where}: expected a mapping, got {type(d).__name__}")
    unknown = sorted(set(map(str, d)) - allowed)
    if unknown:
        raise SurveyDefinitionError(
            f"{where}: unknown key(s) {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})"
        )


def _bool(v: Any, where: str, default: bool) -> bool:
    """A YAML boolean (``true``/``false``); a quoted "false" would otherwise count as true."""
    if v is None:
        return default
    if isinstance(v, (bool, np.bool_)) or (isinstance(v, (int, np.integer)) and v in (0, 1)):
        return bool(v)
    raise SurveyDefinitionError(f"{where}: expected true or false, got {v!r}")


def _names(v: Any, where: str) -> list[str]:
    """A list of names (one string is a list of one)."""
    if v is None:
        return []
    if isinstance(v, str):
        return [v]
    if not isinstance(v, (list, tuple)):
        raise SurveyDefinitionError(f"{where}: expected a list, got {type(v).__name__}")
    return [str(x) for x in v]


def _req(d: Mapping, key: str, where: str) -> Any:
    if key not in d or d[key] in (None, ""):
        raise SurveyDefinitionError(f"{where}: missing required key {key!r}")
    return d[key]


@dataclass(frozen=True)
class Segment:
    """A breakdown column with ordered levels; ``display`` maps raw value (as str) → label for reports."""

    column: str
    label: str
    levels: tuple[str, ...] = ()
    display: Mapping[str, str] = field(default_factory=dict)
    attribution: bool = True
    attribution_format: str = "{}"
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # level key → other spellings of it

    def display_label(self, value: Any) -> str:
        """The reader-facing label of a cell value (its declared level's display text, in ``attribution_format``)."""
        key = _value_key(value)
        key = self.level_key(value) or key
        return self.attribution_format.format(self.display.get(key, key))

    # ---------------------------------------------------------------- matching data values to declared levels
    # The one rule every entry point shares (the summary, read_waves / read_table, the report's coded view and
    # the service's upload check all go through these methods): a value is the declared level whose
    #   1. code (the key under ``levels``) it equals — 1, 1.0, "1" and "1.0" are all the code "1" — else
    #   2. display label (the text after the colon) it equals (surrounding blanks and Unicode form ignored;
    #      a label declared for two levels matches neither), or one of its declared ``aliases`` (another
    #      spelling, or the name a level had in an earlier wave: "Privat sektor" for "Privat"), else
    #   3. with SPSS value labels (``value_labels``, code → label, e.g. ``df.attrs["value_labels"][column]`` of a
    #      .sav): the level its value label names (rule 1 or 2 applied to the label), or, for a value that is
    #      itself one of those value labels, the level whose code that label belongs to.
    # Codes win: a value equal to one level's code and another level's label is the first level. A value that
    # matches nothing is undeclared (never a level: it may be personal data, see clear_undeclared_levels).
    # Reading a .sav refuses two codes with rows that end up in one level this way (merged_codes), and a level
    # matching nothing beside labelled codes matching no level (unmatched_levels): textmine.io reads them.
    # Labels-only levels (``levels: [Oslo, Vestland]``) declare no codes: a file holding the codes 1, 2 cannot be
    # matched to them without value labels (positions are never guessed).
    def _lookup(self) -> dict[str, str]:
        cached = self.__dict__.get("_lookup_cache")
        if cached is None:
            cached = {_text_key(k): k for k in self.levels}
            labels: dict[str, list[str]] = {}
            for k in self.levels:
                lab = _text_key(self.display.get(k, ""))
                if lab:
                    labels.setdefault(lab, []).append(k)
            for lab, ks in labels.items():
                if len(ks) == 1 and lab not in cached:  # codes win over labels; a shared label matches nothing
                    cached[lab] = ks[0]
            for k, names in self.aliases.items():  # checked when read: never another level's code or label
                for name in names:
                    cached.setdefault(_text_key(name), k)
            object.__setattr__(self, "_lookup_cache", cached)
        return cached

    def _free_aliases(self) -> dict[str, str]:
        cached = self.__dict__.get("_free_alias_cache")
        if cached is None:
            cached = {_text_key(a): k for k, names in self.aliases.items() for a in names}
            object.__setattr__(self, "_free_alias_cache", cached)
        return cached

    def level_key(self, value: Any, value_labels: Mapping | None = None) -> str | None:
        """The declared level key ``value`` matches (see the rule above); '' for a missing value, None for a value
        matching no declared level. A segment without declared levels: the value's own key."""
        key = _value_key(value)
        if key == "":
            return key
        if not self.levels:  # free values: an alias becomes the value it names, anything else stays itself
            return self._free_aliases().get(_text_key(key), key) if self.aliases else key
        lookup = self._lookup()
        for cand in _candidates(key):
            if cand in self.levels:
                return cand
        for cand in _candidates(key):
            if cand in lookup:
                return lookup[cand]
        if value_labels:
            by_code = {_value_key(c): lab for c, lab in value_labels.items()}
            for cand in _candidates(key):
                if cand in by_code:
                    found = self.level_key(by_code[cand])
                    if found:
                        return found
            codes: dict[str, list[str]] = {}
            for c, lab in by_code.items():
                codes.setdefault(_text_key(lab), []).append(c)
            cs = codes.get(_text_key(key), [])
            if len(cs) == 1 and cs[0] in self.levels:
                return cs[0]
        return None

    def level_rule(self, value: Any, value_labels: Mapping | None = None) -> str:
        """How ``value`` matches its level (see the rule above): 'code', 'label' (the declared label or an alias)
        or 'value label' (the file's value label of the code)."""
        key = _value_key(value)
        if any(cand in self.levels for cand in _candidates(key)):
            return "code"
        return "label" if self.level_key(value) else "value label"

    def merged_codes(self, codes: Sequence[Any], value_labels: Mapping | None = None) -> dict[str, list[Any]]:
        """Declared levels that two or more different numeric ``codes`` (a column's codes, e.g. those of a .sav
        with rows) end up in through the rules above — one by its code, another by its value label, say — so that
        two groups of the file would be merged: level key → those codes, in level order. Text values are left
        out (a level's code and its label spelled out are one group, as are a level's aliases)."""
        if not self.levels:
            return {}
        found: dict[str, dict[str, Any]] = {}
        for c in codes:
            if isinstance(c, (bool, np.bool_)) or not isinstance(c, (int, float, np.integer, np.floating)):
                continue
            key = self.level_key(c, value_labels)
            if key:
                found.setdefault(key, {}).setdefault(_value_key(c), c)
        return {k: list(found[k].values()) for k in self.levels
                if len(found.get(k, {})) > 1 and not self._labels_agree(k, found[k].values(), value_labels)}

    def _labels_agree(self, key: str, codes: Any, value_labels: Mapping | None) -> bool:
        """No code's value label names another declared level than ``key``: several codes labelled for one level
        (an old and a new code both «Oslo») are one group on purpose, not a clash."""
        for c in codes:
            label = file_value_label(c, value_labels)
            if label is not None and self.level_key(str(label)) not in (None, key):
                return False
        return True

    def unmatched_levels(self, codes: Sequence[Any], value_labels: Mapping | None = None) -> list[str]:
        """Declared levels that none of ``codes`` (the file's codes) and none of the file's ``value_labels``
        matches, in level order."""
        if not self.levels:
            return []
        hit = {self.level_key(c, value_labels) for c in codes}
        hit |= {self.level_key(c, value_labels) for c in (value_labels or {})}
        hit |= {self.level_key(t) for t in (value_labels or {}).values()}
        return [k for k in self.levels if k not in hit]

    def level_keys(self, values: pd.Series, value_labels: Mapping | None = None) -> np.ndarray:
        """:meth:`level_key` for a whole column (computed once per distinct value): declared level key, '' for a
        missing value, None for an undeclared one."""
        codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
        keys = np.empty(len(uniques) + 1, dtype=object)
        for i, u in enumerate(uniques):
            keys[i] = self.level_key(u, value_labels)
        keys[-1] = ""
        return keys[codes]


@dataclass(frozen=True)
class Indicator:
    """A scale item: ``positive`` codes are counted, ``excluded`` codes leave the base (vet ikke…)."""

    id: str
    column: str
    label: str
    scale: tuple
    positive: tuple
    excluded: tuple
    measure: str = "positive"
    excluded_given: bool = False  # the definition lists the indicator's own ``excluded`` codes (it decides alone)
    scale_given: bool = True  # False: the definition gives no ``scale`` (the default 1–6 applies)
    overall: bool = False  # the survey's overall indicator (``overall: true``): «Hovedfunn» leads with it
    themes: tuple[str, ...] = ()  # codebook theme ids that speak to it (``themes:``), for the report's theme table


@dataclass(frozen=True)
class MultiSelect:
    """A "flere svar mulig" group of 0/1 columns (share of respondents who answered the group)."""

    id: str
    label: str
    options: Mapping[str, str]
    exclusive: tuple[str, ...] = ()


@dataclass(frozen=True)
class FreeTextQuestion:
    """An open question; ``asked_item``/``asked_codes`` describe the routing (None = asked of everyone)."""

    column: str
    label: str
    codebook: Path | None = None
    asked_item: str | None = None
    asked_codes: tuple = ()

    def asked_mask(self, df: pd.DataFrame) -> np.ndarray:
        """Boolean array: which respondents were asked this question."""
        if self.asked_item is None:
            return np.ones(len(df), dtype=bool)
        if self.asked_item not in df.columns:
            raise SurveyDefinitionError(f"free text {self.column}: asked_if item {self.asked_item!r} is neither an "
                                        "indicator id nor a column of the data")
        vals = pd.to_numeric(df[self.asked_item], errors="coerce").to_numpy(float)
        return np.isin(vals, np.asarray(self.asked_codes, dtype=float))


def file_value_label(code: Any, value_labels: Mapping | None) -> Any:
    """The file's value label of ``code`` (codes compared as level keys: 5, 5.0 and '5' are one), or None."""
    key = _value_key(code)
    return next((lab for c, lab in (value_labels or {}).items() if _value_key(c) == key), None)


def _value_key(v: Any) -> str:
    """Normalise a segment value to the string used for levels ('1' for 1, 1.0 and '1')."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    if isinstance(v, (np.integer,)):
        return str(int(v))
    return str(v).strip()


def _segment_aliases(raw: Any, levels: tuple[str, ...], display: Mapping[str, str],
                     where: str) -> dict[str, tuple[str, ...]]:
    """``aliases: {level: [other spelling, …]}`` of a segment, checked: a declared level (or, for a segment without
    declared levels, the value its spellings become), never another level's code, label or alias (a value must
    match one level or none)."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise SurveyDefinitionError(f"{where}.aliases: expected a mapping of level → other spellings, "
                                    f"got {type(raw).__name__}")
    owner: dict[str, str] = {}
    for k in levels:
        owner[_text_key(k)] = k
        if display.get(k):
            owner.setdefault(_text_key(display[k]), k)
    out: dict[str, tuple[str, ...]] = {}
    for j, (level, names) in enumerate(raw.items()):
        key = _value_key(level)
        if levels and key not in levels:  # without declared levels, the key is the value the spellings become
            raise SurveyDefinitionError(f"{where}.aliases[{j}]: {key!r} is not a declared level of this segment "
                                        f"(declared: {', '.join(levels[:10])}{' …' if len(levels) > 10 else ''})")
        names = [names] if isinstance(names, (str, int, float)) else names
        if not isinstance(names, (list, tuple)) or not names:
            raise SurveyDefinitionError(f"{where}.aliases[{j}]: expected a spelling or a list of spellings")
        kept = []
        for name in names:
            text = _text_key(name)
            if not text:
                raise SurveyDefinitionError(f"{where}.aliases[{j}]: an empty spelling")
            other = owner.get(text) or (key if not levels and text == _text_key(key) else None)
            if other is None and not levels and text in {_text_key(k) for k in raw}:
                other = _value_key(next(k for k in raw if _text_key(k) == text))
            if other is not None and other != key:
                raise SurveyDefinitionError(f"{where}.aliases[{j}]: {text!r} already names level {other!r} (its code "
                                            "or label, or an alias of it); a spelling can name one level only")
            if other is None:
                owner[text] = key
                kept.append(text)
        out[key] = tuple(kept)
    return out


def _text_key(v: Any) -> str:
    """A level key or label as matched: stripped, in one Unicode form (NFC)."""
    return unicodedata.normalize("NFC", str(v).strip()) if v is not None else ""


def _candidates(key: str) -> tuple[str, ...]:
    """The forms a value key is matched in: as written, and a numeric text as its code ("1.0", "1,0" → "1")."""
    key = _text_key(key)
    try:
        f = float(key.replace(",", ".")) if key[:1].isdigit() or key[:1] in "+-." else None
    except ValueError:
        f = None
    if f is None or not np.isfinite(f):
        return (key,)
    num = _value_key(f)
    return (key,) if num == key else (key, num)


def _is_number(key: str) -> bool:
    """Whether a value key is a numeric code ("1", "1.0", "-2"), not a label such as "2-9" or "18–29 år"."""
    try:
        return bool(np.isfinite(float(_text_key(key).replace(",", "."))))
    except ValueError:
        return False


def _rows(positions: Sequence[int], rowno, limit: int = 10) -> str:
    """'rows 3, 7, 9' (at most ``limit`` row numbers, then '…'): where bad cells are, never what they hold."""
    shown = [str(rowno(int(p))) for p in list(positions)[:limit]]
    more = "…" if len(positions) > limit else ""
    return ("row " if len(positions) == 1 else "rows ") + ", ".join(shown) + (", " + more if more else "")


#: appended to the "declared columns missing" error when the weight column is one of them (a wave without weights)
_MISSING_WEIGHT_HINT = (
    "; to treat this wave as unweighted, add a column {col} with 1 in every row (the report's «Metode» will then say "
    "this wave's weights were used), or remove `weight` from the survey definition to report every wave unweighted")


def _sheet_hint(df: pd.DataFrame) -> str:
    """'; the workbook also has sheet(s) …: choose one with --sheet' when the frame is one sheet of a workbook of
    several (the first sheet may be a notes sheet), as ``textmine clean`` says it."""
    sheets = df.attrs.get("sheets") or []
    others = [s for s in sheets if s != df.attrs.get("sheet")]
    if not others:
        return ""
    return (f" (in sheet {df.attrs.get('sheet')!r}; the workbook also has sheet(s) {', '.join(map(repr, others))}: "
            "choose one with --sheet)")


def _decimal_comma_hint(col: pd.Series, bad: np.ndarray, rowno) -> str:
    """For a weight error: where some of the bad cells are decimal-comma numbers («1,25») in a column of decimal
    points, the text saying so and naming their rows (the first 5); '' otherwise."""
    comma = [int(p) for p in bad if isinstance(col.iloc[int(p)], str)
             and re.fullmatch(r"\s*[+-]?\d+,\d+\s*", col.iloc[int(p)])]
    if not comma:
        return ""
    return (f"; {_rows(comma, rowno, limit=5)} of the weight column {'has' if len(comma) == 1 else 'have'} a "
            f"decimal comma: a decimal comma is accepted only when the whole column uses it — write "
            f"{'it' if len(comma) == 1 else 'them'} with a decimal point (1.25), or every weight with a comma")


def value_keys(series: pd.Series) -> np.ndarray:
    """:func:`_value_key` for a whole column ('' for missing), computed once per distinct value
    (an all-distinct text column, e.g. respondent ids, is simply stripped)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    if len(uniques) == len(series) and series.dtype.kind not in "fciu" and not (codes < 0).any():
        return series.astype(str).str.strip().to_numpy(dtype=object)
    keys = np.array([_value_key(u) for u in uniques] + [""], dtype=object)
    return keys[codes]


def yaml_error_position(exc: Exception) -> str:
    """' at line L, column C' for a YAML error (never the offending line's content), '' when unknown."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is None:
        return ""
    return f" at line {mark.line + 1}, column {mark.column + 1}"


TITLE_MAX = 200  # characters of a survey's ``title``


def _title(v: Any) -> str:
    """The YAML's ``title`` as text ("" when absent): one line of at most :data:`TITLE_MAX` characters."""
    if v is None:
        return ""
    if not isinstance(v, str):
        raise SurveyDefinitionError(f"title: expected a text, got {type(v).__name__}")
    text = v.strip()
    if len(text) > TITLE_MAX:
        raise SurveyDefinitionError(f"title: at most {TITLE_MAX} characters, got {len(text)}")
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise SurveyDefinitionError("title: expected one line of text (no line breaks or control characters)")
    return text


#: text a reader sees may not hold characters that change how it reads: bidi embeddings, overrides and isolates
#: (U+202A–U+202E, U+2066–U+2069) can make a printed label read differently from what is stored, and tag characters
#: (U+E0001, U+E0020–U+E007F) hide text. Other invisible format characters — the bidi marks (U+200E/U+200F, U+061C),
#: zero-width space and joiners, BOM, the soft hyphen — are common in text pasted from e-mail and word processors,
#: change nothing a reader sees, and loaded before (a stored definition holding one must keep loading): allowed.
_READS_DIFFERENTLY = re.compile("[\u202a-\u202e\u2066-\u2069\U000e0001\U000e0020-\U000e007f]")


def _invisible_char(text: str) -> str | None:
    """The first bidi control or tag character of ``text`` (:data:`_READS_DIFFERENTLY`), None when none."""
    m = _READS_DIFFERENTLY.search(text)
    return m.group() if m else None


#: the texts of :func:`definition_texts` not checked for invisible characters: column names and aliases must equal
#: what the data holds, as must a routing item and a codebook's file name (they are matched, not written by the
#: definition's author for readers)
_MATCHED_FIELDS = re.compile(r"^(id|wave|weight)$|\.column$|\.aliases\[\d+\]$|^other_columns\[|\.asked_if\.item$"
                             r"|\.codebook$")


def _check_visible(d: "SurveyDefinition") -> None:
    """Refuse a reader-facing text of the definition (name, title, description, labels, level codes, ids; every
    text of :func:`definition_texts` but column names and aliases) that holds an invisible format character,
    naming the field and the character's code point, never the text."""
    for path, text, _ in definition_texts(d):
        if not isinstance(text, str) or _MATCHED_FIELDS.search(path):
            continue
        ch = _invisible_char(text)
        if ch is not None:
            raise SurveyDefinitionError(f"{path}: contains an invisible control character U+{ord(ch):04X} (it can "
                                        f"make the printed text read differently from what is stored); remove it")


def _check_scale_order(scale: tuple, where: str) -> None:
    """Refuse a scale written from the top down as two codes ([5, 1]): ``[a, b]`` means every code from a to b,
    so it must be listed from the lowest code. (Another list is a set of codes: its order changes nothing.)"""
    if len(scale) == 2 and all(isinstance(c, int) for c in scale) and scale[0] - scale[1] > 1:
        raise SurveyDefinitionError(
            f"{where}: {list(scale)} must be listed from the lowest to the highest code, e.g. {sorted(scale)} (two "
            f"codes [a, b] mean every code from a to b); the order does not say which answers are positive: to count "
            f"the low codes, give measure: bottom2 or positive: [..]")


def _short_scale_warning(scale: tuple, pos: tuple, measure: str, where: str) -> str:
    return (f"{where}: a scale of {len(scale)} codes {list(scale)} counts code(s) {list(pos)} as positive (measure "
            f"{measure}); if another code is the positive answer (Ja = 1, Nei = 2 is common), give positive: [..] "
            f"with the code(s) to count")


def _lone_codes(scale: tuple) -> list:
    """Codes at the ends of a whole-number scale that a gap sets apart from the rest (9 of [1, 2, 9], 99 of
    [1, …, 5, 99]): likely «vet ikke» / «ikke aktuelt» codes rather than answers on the scale."""
    codes = sorted(scale)
    gaps = [b - a for a, b in zip(codes, codes[1:])]
    if len(gaps) < 2:
        return []
    lone = []
    if gaps[-1] > 1 and gaps[-1] > max(gaps[:-1]):
        lone.append(codes[-1])
    if codes[0] < 0 and gaps[0] > 1 and gaps[0] > max(gaps[1:]):  # -1 «vet ikke» below a 1–5 scale
        lone.insert(0, codes[0])
    return lone


#: the widest span of codes a scale may have when its positive codes are derived (a wider one is no rating scale)
MAX_SCALE_SPAN = 1000


def _lone_code_warning(scale: tuple, pos: tuple, where: str) -> str | None:
    """A warning when derived positive codes include a code a gap sets apart (9 of [1, 2, 9] under topbox): likely a
    «vet ikke» code counted as the top answer."""
    lone = [c for c in _lone_codes(scale) if c in pos] if all(isinstance(c, int) for c in scale) else []
    if not lone:
        return None
    return (f"{where}: the positive codes {list(pos)} include {', '.join(map(str, lone))}, which a gap sets apart "
            f"from the scale {list(scale)}; if it means «vet ikke» or «ikke aktuelt», list it under excluded_codes "
            f"and leave it off the scale, or give positive: [..]")


def _derived_positive(scale: tuple, measure: str, where: str) -> tuple:
    """The positive codes ``measure`` implies on ``scale`` (no ``positive:`` given), refused with a message naming
    the item where no sound set follows: codes the scale lacks (its codes have a gap, 9 of [1, 2, 9], or are not
    whole numbers), or top2/bottom2 of 2 codes. (A gapped scale whose implied codes it holds loads as before.)"""
    codes = sorted(scale)
    whole = all(isinstance(c, int) for c in codes)
    if codes[-1] - codes[0] > MAX_SCALE_SPAN:
        raise SurveyDefinitionError(f"{where}: the scale's codes run from {codes[0]} to {codes[-1]}, wider than a rating "
                                    f"scale ({MAX_SCALE_SPAN} codes at most); list the answer codes (scale: [1, 2, 3, "
                                    f"4, 5]) and put codes such as 99 «vet ikke» under excluded_codes, or give "
                                    f"positive: [..]")
    pos = _default_positive(scale, measure)
    if any(c not in scale for c in pos):
        what = "are not whole numbers" if not whole else "have a gap"
        lone = _lone_codes(scale) if whole else []
        it = "it" if len(lone) == 1 else "them"
        hint = (f"; if {' or '.join(map(str, lone))} means «vet ikke» or «ikke aktuelt», list {it} under "
                f"excluded_codes (or the item's excluded:) and leave {it} off the scale") if lone else ""
        raise SurveyDefinitionError(f"{where}: the scale's codes {list(scale)} {what}, so measure {measure} cannot tell "
                                    f"which codes are positive; give positive: [..] with the code(s) to count{hint}")
    if measure in ("top2", "bottom2") and len(codes) == 2:
        raise SurveyDefinitionError(f"{where}: measure {measure} on a scale of 2 codes {codes} takes every code (the "
                                    f"share would be 100 %); give positive: [..] with the code(s) to count")
    return pos


def _default_positive(scale: tuple, measure: str) -> tuple:
    lo, hi = int(min(scale)), int(max(scale))
    codes = range(lo, hi + 1)  # (a range, not a list: a scale's ends may lie far apart before they are refused)
    if measure == "positive":
        return tuple(c for c in codes if c > (lo + hi) / 2)
    if measure == "top2":
        return tuple(codes[-2:])
    if measure == "topbox":
        return (hi,)
    if measure == "bottom2":
        return tuple(codes[:2])
    raise AssertionError(measure)


def _language(v: Any) -> str | None:
    """The YAML's ``language`` (the reports' written standard), checked: one of the report's languages
    (:data:`textmine.report.wording.LANGUAGES`, "nb" or "nn"); None when absent."""
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    from .report.wording import LANGUAGES

    lang = str(v).strip().lower() if isinstance(v, str) else None
    if lang not in LANGUAGES:
        codes = " or ".join(f"'{k}' ({name})" for k, name in LANGUAGES.items())
        hint = (" (YAML reads an unquoted no/yes as false/true: write nb or nn)" if isinstance(v, bool) else "")
        raise SurveyDefinitionError(f"language: expected {codes}, got {v!r}{hint}")
    return lang


def _theme_ids(v: Any, where: str) -> tuple[str, ...]:
    """An indicator's ``themes``: codebook theme ids (one id is a list of one), each given once."""
    if isinstance(v, Mapping):
        raise SurveyDefinitionError(f"{where}: expected a list of theme ids, got a mapping")
    ids = [x.strip() for x in _names(v, where)]
    if any(not x for x in ids):
        raise SurveyDefinitionError(f"{where}: an empty theme id")
    dup = sorted({x for x in ids if ids.count(x) > 1})
    if dup:
        raise SurveyDefinitionError(f"{where}: theme id(s) {', '.join(dup)} given twice")
    return tuple(ids)


def _known_theme_ids(free: Sequence["FreeTextQuestion"]) -> set[str] | None:
    """The theme ids of the free-text questions' codebooks, when every question names one that is found and reads
    (paths resolved against the definition's folder); None when any is unknown (the report checks then)."""
    paths = [q.codebook for q in free]
    if not paths or any(p is None or not Path(p).is_absolute() or not Path(p).is_file() for p in paths):
        return None
    ids: set[str] = set()
    for p in dict.fromkeys(paths):
        try:  # its theme ids only (checking the whole codebook is the coding's job, and slower)
            themes = (yaml.safe_load(Path(p).read_text(encoding="utf-8")) or {}).get("themes") or []
            ids.update(str(t["id"]).strip() for t in themes)
        except (OSError, UnicodeDecodeError, yaml.YAMLError, AttributeError, KeyError, TypeError):
            return None  # a codebook that does not read: reported where it is used
    return ids


def _check_theme_ids(indicators: Sequence["Indicator"], free: Sequence["FreeTextQuestion"]) -> None:
    """Refuse an indicator's theme id that the free-text questions' codebooks lack (when they are known), naming
    the indicator and the id."""
    if not any(ind.themes for ind in indicators):
        return
    known = _known_theme_ids(free)
    if known is None:
        return
    for i, ind in enumerate(indicators):
        bad = [t for t in ind.themes if t not in known]
        if bad:
            names = ", ".join(sorted({Path(q.codebook).name for q in free}))
            raise SurveyDefinitionError(
                f"indicators[{i}] ({ind.id}).themes: unknown theme id(s) {', '.join(bad)}: not in the codebook "
                f"({names}); use the ids the codebook's themes have")


def _description(v: Any) -> str:
    """The YAML's ``description`` as text ("" when absent)."""
    return "" if v is None else str(v).strip()


@dataclass(frozen=True)
class SurveyDefinition:
    """Everything the statistics need to know about one survey's columns (see module docstring)."""

    name: str
    id_column: str
    wave_column: str | None = None
    weight_column: str | None = None
    segments: tuple[Segment, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    multiselect: tuple[MultiSelect, ...] = ()
    free_text: tuple[FreeTextQuestion, ...] = ()
    min_cell: int = 10
    suppression: str = "flag"
    excluded_labels: Mapping[int, str] = field(default_factory=dict)
    driver_outcome: str | None = None
    driver_controls: tuple[str, ...] = ()
    other_columns: tuple[str, ...] = ()
    allow_unknown_columns: bool = False
    description: str = ""  # the YAML's free-text description (e.g. says the data is synthetic)
    source: Path | None = None
    title: str = ""  # the reports' default title (textmine.report.views.report_title); "" = from the name
    language: str | None = None  # the reports' written standard ("nb"/"nn"); None: the codebook's, else bokmål
    # what loaded but may count the wrong answers (wording only: item ids and codes, never data)
    definition_warnings: tuple[str, ...] = field(default=(), compare=False)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_yaml(cls, path: str | Path) -> "SurveyDefinition":
        """Read and validate a survey YAML; relative codebook paths resolve against the YAML's folder."""
        path = Path(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SurveyDefinitionError(f"{path}: survey definition not found") from None
        except UnicodeDecodeError as e:
            line = e.object.count(b"\n", 0, e.start) + 1
            raise SurveyDefinitionError(f"{path}: line {line}: byte 0x{e.object[e.start]:02x} is not valid UTF-8; save "
                                        f"the survey definition as UTF-8") from None
        except IsADirectoryError:
            raise SurveyDefinitionError(f"{path}: is a folder; expected a survey definition YAML file") from None
        except OSError as e:
            raise SurveyDefinitionError(f"{path}: cannot read the survey definition ({e.strerror or e})") from None
        except yaml.YAMLError as e:
            raise SurveyDefinitionError(f"{path}: not valid YAML{yaml_error_position(e)}") from None
        try:
            return cls.from_dict(data, base_dir=path.parent, source=path)
        except SurveyDefinitionError as e:
            raise SurveyDefinitionError(f"{path}: {e}") from None

    @classmethod
    def from_dict(cls, d: Mapping, *, base_dir: str | Path | None = None, source: Path | None = None,
                  warn: bool = True) -> "SurveyDefinition":
        """Build from a plain dict (the parsed YAML), validating as it goes. What loads but may count the wrong
        answers (a short scale's guessed positive code) is kept in ``definition_warnings`` and, with ``warn``,
        also issued as ``UserWarning`` (the service passes ``warn=False`` and returns them to the uploader)."""
        top = {
            "name", "id", "wave", "weight", "segments", "indicators", "multiselect", "free_text", "min_cell",
            "suppression", "excluded_codes", "drivers", "other_columns", "allow_unknown_columns", "description",
            "title", "language",
        }
        _check_keys(d, top, "survey")
        notes: list[str] = []  # the definition's warnings (see ``definition_warnings``)
        base = Path(base_dir) if base_dir else None
        excluded_labels: dict[int, str] = {}
        ex = d.get("excluded_codes") or {}
        if isinstance(ex, Mapping):
            excluded_labels = {_code(k, "excluded_codes"): str(v) for k, v in ex.items()}
        else:
            excluded_labels = {c: str(c) for c in _codes(ex, "excluded_codes")}

        for section in ("segments", "indicators", "multiselect", "free_text", "other_columns"):
            if d.get(section) is not None and not isinstance(d[section], (list, tuple)):
                raise SurveyDefinitionError(f"{section}: expected a list, got {type(d[section]).__name__}")
        segments = []
        for i, s in enumerate(d.get("segments") or []):
            where = f"segments[{i}]"
            if isinstance(s, str):
                s = {"column": s}
            _check_keys(s, {"column", "label", "levels", "aliases", "attribution", "format"}, where)
            col = str(_req(s, "column", where))
            lv = s.get("levels") or []
            if isinstance(lv, Mapping):
                levels = tuple(_value_key(k) for k in lv)
                display = {_value_key(k): str(v) for k, v in lv.items()}
            elif isinstance(lv, (list, tuple)):
                levels = tuple(_value_key(k) for k in lv)
                display = {}
            else:
                raise SurveyDefinitionError(f"{where}.levels: expected a list or a mapping")
            if len(set(levels)) != len(levels):
                raise SurveyDefinitionError(f"{where}.levels: duplicate level")
            fmt = str(s.get("format", "{}"))
            if "{}" not in fmt:
                raise SurveyDefinitionError(f"{where}.format: must contain '{{}}', got {fmt!r}")
            aliases = _segment_aliases(s.get("aliases"), levels, display, where)
            segments.append(Segment(col, str(s.get("label", col)), levels, display,
                                    _bool(s.get("attribution"), f"{where}.attribution", True), fmt, aliases))

        indicators = []
        for i, s in enumerate(d.get("indicators") or []):
            where = f"indicators[{i}]"
            _check_keys(s, {"id", "column", "label", "scale", "positive", "excluded", "measure", "overall", "themes"},
                        where)
            col = str(_req(s, "column", where))
            iid = str(s.get("id", col))
            where = f"indicators[{i}] ({iid})"
            scale_raw = s.get("scale", [DEFAULT_SCALE[0], DEFAULT_SCALE[-1]])
            sc = _codes(scale_raw, f"{where}.scale")
            _check_scale_order(sc, f"{where}.scale")
            if len(sc) == 2 and all(isinstance(x, int) for x in sc) and sc[1] - sc[0] > 1:
                sc = tuple(range(sc[0], sc[1] + 1))
            if len(sc) < 2:
                raise SurveyDefinitionError(f"{where}.scale: need at least two codes, got {scale_raw!r}")
            measure = str(s.get("measure", "positive"))
            if measure not in MEASURES:
                raise SurveyDefinitionError(f"{where}.measure: {measure!r} not one of {', '.join(MEASURES)}")
            if "positive" in s:
                pos = _codes(s["positive"], f"{where}.positive")
            else:
                pos = _derived_positive(sc, measure, where)
                # Ja = 1 / Nei = 2 is as common as the reverse: the upper half ("positive", the default measure) is
                # no safe guess. A warning, not a refusal: definitions stored by the service before load as they
                # did. A measure naming its codes (topbox, top2, bottom2) is the user's choice: no warning.
                if len(sc) <= 3 and measure == "positive":
                    notes.append(_short_scale_warning(sc, pos, measure, where))
                lone = _lone_code_warning(sc, pos, where)
                if lone:
                    notes.append(lone)
            bad = [c for c in pos if c not in sc]
            if bad or not pos:
                raise SurveyDefinitionError(f"{where}.positive: codes {bad or pos} not on the scale {list(sc)}")
            excl = _codes(s["excluded"], f"{where}.excluded") if "excluded" in s else tuple(excluded_labels)
            clash = [c for c in excl if c in sc]
            if clash:
                raise SurveyDefinitionError(f"{where}.excluded: codes {clash} are also on the scale {list(sc)}")
            indicators.append(Indicator(iid, col, str(s.get("label", iid)), sc, pos, excl, measure, "excluded" in s,
                                        "scale" in s, _bool(s.get("overall"), f"{where}.overall", False),
                                        _theme_ids(s.get("themes"), f"{where}.themes")))
        overall = [ind.id for ind in indicators if ind.overall]
        if len(overall) > 1:
            raise SurveyDefinitionError(f"indicators: {', '.join(overall)} are all marked overall: true; at most one "
                                        f"indicator can be the survey's overall indicator")

        multis = []
        for i, s in enumerate(d.get("multiselect") or []):
            where = f"multiselect[{i}]"
            _check_keys(s, {"id", "label", "options", "exclusive"}, where)
            opts = _req(s, "options", where)
            if not isinstance(opts, (Mapping, list, tuple)):
                raise SurveyDefinitionError(f"{where}.options: expected a list of 0/1 columns or a mapping column → "
                                            f"label, got {type(opts).__name__}")
            options = {str(k): str(v) for k, v in opts.items()} if isinstance(opts, Mapping) else {str(o): str(o) for o in opts}
            excl = tuple(_names(s.get("exclusive"), f"{where}.exclusive"))
            bad = [x for x in excl if x not in options]
            if bad:
                raise SurveyDefinitionError(f"{where}.exclusive: {bad} not among the options")
            mid = str(s.get("id", f"multiselect_{i}"))
            multis.append(MultiSelect(mid, str(s.get("label", mid)), options, excl))

        free = []
        for i, s in enumerate(d.get("free_text") or []):
            where = f"free_text[{i}]"
            if isinstance(s, str):
                s = {"column": s}
            _check_keys(s, {"column", "label", "codebook", "asked_if"}, where)
            col = str(_req(s, "column", where))
            cb = s.get("codebook")
            cbp = None
            if cb:
                cbp = Path(cb)
                if not cbp.is_absolute() and base is not None:
                    cbp = (base / cbp).resolve()
            item, codes = None, ()
            if s.get("asked_if") is not None:
                a = s["asked_if"]
                _check_keys(a, {"item", "codes"}, f"{where}.asked_if")
                item = str(_req(a, "item", f"{where}.asked_if"))
                codes = _codes(_req(a, "codes", f"{where}.asked_if"), f"{where}.asked_if.codes")
                ids = {ind.id: ind.column for ind in indicators}
                item = ids.get(item, item)
            free.append(FreeTextQuestion(col, str(s.get("label", col)), cbp, item, codes))
        _check_theme_ids(indicators, free)

        drivers = d.get("drivers") or {}
        _check_keys(drivers, {"outcome", "controls"}, "drivers")
        outcome = drivers.get("outcome")
        if outcome is not None:
            by = {ind.id: ind for ind in indicators} | {ind.column: ind for ind in indicators}
            if str(outcome) not in by:
                raise SurveyDefinitionError(f"drivers.outcome: {outcome!r} is not an indicator id")
            outcome = by[str(outcome)].id
        controls = tuple(_names(drivers.get("controls"), "drivers.controls"))
        seg_cols = {s.column for s in segments}
        bad = [c for c in controls if c not in seg_cols]
        if bad:
            raise SurveyDefinitionError(f"drivers.controls: {bad} are not segment columns")

        supp = str(d.get("suppression", "flag"))
        if supp not in ("flag", "hide"):
            raise SurveyDefinitionError(f"suppression: expected 'flag' or 'hide', got {supp!r}")
        try:
            min_cell = int(d.get("min_cell", 10))
        except (TypeError, ValueError):
            raise SurveyDefinitionError(f"min_cell: expected an integer, got {d.get('min_cell')!r}") from None
        if min_cell < 0:
            raise SurveyDefinitionError("min_cell: must be ≥ 0")
        sd = cls(
            name=str(d.get("name", "survey")),
            id_column=str(_req(d, "id", "survey")),
            wave_column=str(d["wave"]) if d.get("wave") else None,
            weight_column=str(d["weight"]) if d.get("weight") else None,
            segments=tuple(segments),
            indicators=tuple(indicators),
            multiselect=tuple(multis),
            free_text=tuple(free),
            min_cell=min_cell,
            suppression=supp,
            excluded_labels=excluded_labels,
            driver_outcome=outcome,
            driver_controls=controls,
            other_columns=tuple(str(c) for c in (d.get("other_columns") or [])),
            allow_unknown_columns=_bool(d.get("allow_unknown_columns"), "allow_unknown_columns", False),
            description=_description(d.get("description")),
            title=_title(d.get("title")),
            language=_language(d.get("language")),
            source=source,
            definition_warnings=tuple(notes),
        )
        _check_visible(sd)
        sd._check_unique()
        if warn:
            import warnings

            for note in notes:
                warnings.warn(note, UserWarning, stacklevel=2)
        return sd

    def _check_unique(self) -> None:
        seen: dict[str, str] = {}
        for role, col in self._column_roles():
            if col in seen and not (role == "asked_if" or seen[col] == "asked_if"):
                raise SurveyDefinitionError(f"column {col!r} is declared twice ({seen[col]} and {role})")
            seen.setdefault(col, role)
        ids = [i.id for i in self.indicators]
        dup = {x for x in ids if ids.count(x) > 1}
        if dup:
            raise SurveyDefinitionError(f"indicators: duplicate id(s) {sorted(dup)}")

    def _column_roles(self) -> list[tuple[str, str]]:
        roles = [("id", self.id_column)]
        if self.wave_column:
            roles.append(("wave", self.wave_column))
        if self.weight_column:
            roles.append(("weight", self.weight_column))
        roles += [("segment", s.column) for s in self.segments]
        roles += [(f"indicator {i.id}", i.column) for i in self.indicators]
        roles += [(f"multiselect {m.id}", c) for m in self.multiselect for c in m.options]
        roles += [("free_text", f.column) for f in self.free_text]
        roles += [("other", c) for c in self.other_columns]
        return roles

    def _missing_columns_hint(self, missing: Sequence[str], data_columns: Sequence[str]) -> str:
        """' (q_tilit: indicators[1].column — did you mean q_tillit?)': the definition's field naming each missing
        column and the data's closest undeclared column name (difflib, case ignored), else the closest declared one
        with the field that already uses it; shown as the warnings show column names (personal data masked)."""
        import difflib

        fields: dict[str, str] = {}
        for path, text, _ in definition_texts(self):
            if path in ("id", "wave", "weight") or path.endswith((".column", ".asked_if.item")) or \
                    path.startswith("other_columns"):
                fields.setdefault(text, path)
        declared_set = set(self.columns)
        undeclared = [c for c in data_columns if c not in declared_set]
        declared = [c for c in data_columns if c in declared_set]
        parts = []
        for col in missing:
            text = f"{col}: {fields.get(col, 'declared')}"
            for pool in (undeclared, declared):
                lower = {c.lower(): c for c in reversed(pool)}
                close = difflib.get_close_matches(col.lower(), list(lower), n=1, cutoff=0.6)
                if close and pool is undeclared:
                    text += f" — did you mean {_shown_column_name(lower[close[0]])}?"
                elif close:
                    used = lower[close[0]]
                    text += (f" — the closest column, {_shown_column_name(used)}, is already declared "
                             f"({fields.get(used, 'for another role')})")
                if close:
                    break
            parts.append(text)
        return f" ({'; '.join(parts)})"

    # ------------------------------------------------------------------ lookups
    @property
    def columns(self) -> list[str]:
        """All declared columns, in declaration order, without duplicates."""
        out: list[str] = []
        for _, c in self._column_roles():
            if c not in out:
                out.append(c)
        return out

    def indicator(self, key: str) -> Indicator:
        """The indicator with this id or column (``KeyError`` naming the declared ids)."""
        for i in self.indicators:
            if key in (i.id, i.column):
                return i
        raise KeyError(f"no indicator {key!r} (have: {', '.join(i.id for i in self.indicators)})")

    def segment(self, column: str) -> Segment:
        """The segment declared for ``column`` (``KeyError`` naming the declared segment columns)."""
        for s in self.segments:
            if s.column == column:
                return s
        raise KeyError(f"no segment {column!r} (have: {', '.join(s.column for s in self.segments)})")

    def question(self, column: str) -> FreeTextQuestion:
        """The free-text question declared for ``column`` (``KeyError`` when none is)."""
        for q in self.free_text:
            if q.column == column:
                return q
        raise KeyError(f"no free-text question {column!r}")

    @property
    def overall_indicator(self) -> Indicator | None:
        """The indicator marked ``overall: true`` (the report's «Hovedfunn» leads with it); a definition marking none
        (one written before the key existed) falls back to its explicit ``drivers.outcome``; else None."""
        marked = next((i for i in self.indicators if i.overall), None)
        return marked or (self.indicator(self.driver_outcome) if self.driver_outcome else None)

    @property
    def indicator_themes(self) -> dict[str, tuple[str, ...]]:
        """Indicator column → the codebook theme ids its ``themes`` declares (indicators declaring none left out). A
        definition declaring none at all (written before the key existed) links an indicator to the theme named
        as its id or its column without a ``q_``/``q3_`` prefix ("q_telefon" → "telefon"), where the codebook has
        one (the report keeps only themes it has)."""
        if any(i.themes for i in self.indicators):
            return {i.column: tuple(i.themes) for i in self.indicators if i.themes}
        return {i.column: tuple(dict.fromkeys((i.id, re.sub(r"^q\d*_", "", i.column, flags=re.IGNORECASE))))
                for i in self.indicators}

    def link_hints(self) -> list[str]:
        """Hints for a definition that declares no ``overall`` indicator or no ``themes`` links (the report then
        guesses or leaves them out). Ids only, never data."""
        out = []
        if not any(i.overall for i in self.indicators):
            out.append("survey definition: no indicator is marked `overall: true`; «Hovedfunn» "
                       + (f"leads with drivers.outcome ({self.driver_outcome})" if self.driver_outcome
                          else "names no overall indicator") + " — mark the overall indicator to choose it")
        if self.indicators and not any(i.themes for i in self.indicators):
            out.append("survey definition: no indicator declares `themes: [id, …]`; «Temaer ved siden av "
                       "indikatorene» links an indicator only to a theme of the same name — declare the links")
        return out

    def unknown_indicator_themes(self, theme_ids) -> list[str]:
        """One warning per indicator whose declared ``themes`` include ids not in ``theme_ids`` (the report's
        codebook): the report's theme table shows nothing for them. Ids only, never data."""
        known = set(theme_ids)
        out = []
        for ind in self.indicators:
            bad = [t for t in ind.themes if t not in known]
            if bad:
                out.append(f"survey definition, indicator {ind.id}: theme id(s) {', '.join(bad)} not in the report's "
                           f"codebook; the table «Temaer ved siden av indikatorene» shows no theme for them")
        return out

    @property
    def outcome(self) -> Indicator | None:
        """The driver-analysis outcome (explicit, else the first indicator)."""
        if self.driver_outcome:
            return self.indicator(self.driver_outcome)
        return self.indicators[0] if self.indicators else None

    def attribution(self, row: Mapping[str, Any], segments: Sequence[str] | None = None) -> str:
        """Quote attribution from segment display labels: ``"Privat virksomhet, 10–49 ansatte, Vestland"``."""
        cols = segments if segments is not None else [s.column for s in self.segments if s.attribution]
        parts = []
        for c in cols:
            v = row.get(c)
            if _value_key(v):
                parts.append(self.segment(c).display_label(v))
        return ", ".join(parts)

    def segment_levels(self, df: pd.DataFrame, column: str) -> list[str]:
        """Ordered level keys for a segment: its declared levels present in ``df`` (an undeclared value is never a
        level: it may be personal data, see :meth:`clear_undeclared_levels`); free-valued segments: values sorted."""
        seg = self.segment(column)
        if seg.levels:
            present = set(self.level_keys(df, column)) - {"", None}
            return [lv for lv in seg.levels if lv in present]
        present = {_value_key(v) for v in df[column].dropna().unique()} - {""}
        return sorted(present)

    def level_keys(self, df: pd.DataFrame, column: str) -> np.ndarray:
        """Per cell of segment ``column``: the declared level it matches by code or label (see
        :meth:`Segment.level_key`; a .sav's value labels in ``df.attrs['value_labels']`` are used), '' for
        missing, None for a value that is no declared level."""
        labels = (df.attrs.get("value_labels") or {}).get(column)
        return self.segment(column).level_keys(df[column], labels)

    def clear_undeclared_levels(self, df: pd.DataFrame, *, source: str | None = None) -> tuple[pd.DataFrame, list[str]]:
        """Set values of declared-levels segments that are not declared levels to missing (as the service's store
        scrub does; its upload refuses them). Returns the frame (a copy only when something changed) and one
        warning per column naming the count and rows, never the values (a stray value may be personal data)."""
        src = source or str(df.attrs.get("source", "data"))
        offset = int(df.attrs.get("first_data_row", 2))
        out = df
        warnings = []
        for s in self.segments:
            if s.column not in df.columns:
                continue
            if not s.levels:  # free values: only declared aliases change (to the value they name)
                if s.aliases:
                    old = df[s.column]
                    new = old.map(lambda v, s=s: v if v is None or v != v else s.level_key(v) if
                                  s._free_aliases().get(_text_key(_value_key(v))) else v)
                    if not new.equals(old):
                        out = df.copy() if out is df else out
                        out[s.column] = new
                continue
            # values matching a level by code or label become its key ("Oslo", 1.0 → "1" for levels {1: Oslo}),
            # so that every table, label and wave sees one level; undeclared values become missing
            keys = self.level_keys(df, s.column)
            pos = np.flatnonzero(pd.isna(keys))
            new = pd.Series(np.where((keys == "") | pd.isna(keys), None, keys), index=df.index, dtype=object)
            old = df[s.column]
            if old.dtype == object and new.equals(old.where(old.notna(), None).astype(object)):
                continue
            if out is df:
                out = df.copy()
            out[s.column] = new
            if not len(pos):
                continue
            col = s.column
            warnings.append(UNDECLARED_LEVELS_WARNING.format(src=src, col=col, n=len(pos),
                                                             rows=_rows(pos, lambda p: p + offset))
                            + "; treated as missing")
        return out, warnings

    def mask_free_segments(self, df: pd.DataFrame, redact=None) -> tuple[pd.DataFrame, dict[str, int]]:
        """Segments that declare no levels (free values such as an industry) are shown verbatim in tables,
        reports and attributions, so personal data typed into them is redacted here: each distinct value goes
        through ``redact(text) -> (text, counts)`` (default: the cleaning's redactor). Returns the frame (a copy
        only when something changed) and, per column, how many cells were masked (never the values)."""
        free = [sg.column for sg in self.segments if not sg.levels and sg.column in df.columns]
        if not free:
            return df, {}
        if redact is None:
            from .preprocess.cleaner import default_resources

            redact = default_resources().redactor.redact
        out, masked = df, {}
        for col in free:
            values = df[col]
            text = values[values.map(lambda v: isinstance(v, str) and any(ch.isalnum() for ch in v))]
            mapping = {}
            for v in pd.unique(text):
                new, counts = redact(v)
                if new != v and any(counts.values()):
                    mapping[v] = new
            if mapping:
                hit = values.isin(list(mapping))
                if out is df:
                    out = df.copy()
                out[col] = values.where(~hit, values.map(lambda v: mapping.get(v, v)))
                masked[col] = int(hit.sum())
        return out, masked

    def with_excluded(self, extra: Mapping[str, Mapping[Any, str]]) -> "SurveyDefinition":
        """This definition with more excluded codes: ``extra`` maps an indicator column to ``{code: label}`` (a
        .sav's labelled SPSS user-missing codes, ``df.attrs['spss_excluded']`` of :func:`textmine.io.read_table`).
        The codes join those indicators' ``excluded`` codes and their labels ``excluded_labels`` (a label the
        definition gives wins); ``self`` when nothing is added."""
        if not extra:
            return self
        inds, labels = [], dict(self.excluded_labels)
        for ind in self.indicators:
            add = [c for c in (extra.get(ind.column) or {}) if c not in ind.excluded and c not in ind.scale]
            inds.append(replace(ind, excluded=tuple(ind.excluded) + tuple(add)) if add else ind)
            for c in add:
                labels.setdefault(c, str(extra[ind.column][c]))
        if tuple(inds) == self.indicators:
            return self
        return replace(self, indicators=tuple(inds), excluded_labels=labels)

    # ------------------------------------------------------------------ data checks
    def undeclared_levels(self, df: pd.DataFrame) -> dict[str, np.ndarray]:
        """Segment column → positions (0-based) of cells whose value is not a declared level (segments that
        declare levels only; missing cells are fine)."""
        out: dict[str, np.ndarray] = {}
        for s in self.segments:
            if s.levels and s.column in df.columns:
                bad = np.flatnonzero(pd.isna(self.level_keys(df, s.column)))
                if len(bad):
                    out[s.column] = bad
        return out

    def codes_for_label_levels(self, df: pd.DataFrame) -> list[str]:
        """Segments whose levels are declared as labels only (no codes) while the column holds numeric answer codes
        none of which matches: the codes cannot be matched to the labels without guessing (see
        :meth:`Segment.level_key`), so the whole segment would silently drop out."""
        out = []
        for s in self.segments:
            if not s.levels or s.column not in df.columns:
                continue
            if any(_is_number(k) for k in s.levels):
                continue  # some level is declared by a code
            keys = self.level_keys(df, s.column)
            raw = value_keys(df[s.column])
            given = raw != ""
            if given.any() and pd.isna(keys[given]).all() and all(_is_number(v) for v in set(raw[given])):
                out.append(s.column)
        return out

    def validate_frame(self, df: pd.DataFrame, *, source: str | None = None, strict: bool | None = None) -> list[str]:
        """Check a respondent table against the definition; raise on errors, return warnings.

        Errors (``SurveyDefinitionError`` naming file/row/column): declared columns missing, undeclared
        columns (unless ``allow_unknown_columns``/``other_columns``), missing or duplicate respondent ids,
        negative/missing weights, indicator codes neither on the scale nor excluded, non-0/1 multi-select values.
        Row numbers are 1-based data rows as in the file (header = row 1, first data row = row 2).
        """
        src = source or str(df.attrs.get("source", "data"))
        strict = (not self.allow_unknown_columns) if strict is None else strict
        row_offset = int(df.attrs.get("first_data_row", 2))

        def rowno(pos: int) -> int:
            return pos + row_offset

        cols = set(map(str, df.columns))
        free_cols = {f.column for f in self.free_text} | ({self.wave_column} if self.wave_column else set())
        missing = [c for c in self.columns if c not in cols and c not in free_cols]
        missing += [q.asked_item for q in self.free_text if q.asked_item and q.asked_item not in cols
                    and q.asked_item not in missing]  # routing needs the item it is asked on
        if missing:
            raise SurveyDefinitionError(
                f"{src}: column(s) {', '.join(missing)} declared in the survey definition are missing from the data"
                + self._missing_columns_hint(missing, list(map(str, df.columns)))
                + (sheet := _sheet_hint(df))  # another sheet likely holds the data: no weight advice then
                + (_MISSING_WEIGHT_HINT.format(col=self.weight_column)
                   if self.weight_column in missing and (not sheet or missing == [self.weight_column]) else "")
            )
        warnings: list[str] = []
        absent_free = [c for c in self.columns if c in free_cols and c not in cols]
        if absent_free:
            warnings.append(ABSENT_COLUMNS_WARNING.format(src=src, columns=", ".join(absent_free)))
        unknown = [c for c in map(str, df.columns) if c not in set(self.columns)]
        if unknown:
            msg = UNKNOWN_COLUMNS_WARNING.format(src=src, columns=", ".join(map(_shown_column_name, unknown)))
            if strict:
                raise SurveyDefinitionError(msg + " (declare them under other_columns or set allow_unknown_columns)")
            warnings.append(msg)
        ids = df[self.id_column]
        if ids.isna().any():
            pos = int(np.flatnonzero(ids.isna().to_numpy())[0])
            raise SurveyDefinitionError(f"{src}, row {rowno(pos)}, column {self.id_column}: missing respondent id")
        keys = pd.Series(value_keys(ids), index=ids.index)
        dup = keys.duplicated(keep=False).to_numpy()
        if dup.any():
            first = keys[dup].iloc[0]
            where = np.flatnonzero((keys == first).to_numpy())
            raise SurveyDefinitionError(  # row numbers only: an id may itself be personal data
                f"{src}, rows {', '.join(str(rowno(int(p))) for p in where[:5])}, column {self.id_column}: "
                f"the same respondent id occurs more than once ({int(keys.duplicated().sum())} duplicate id(s) in all)"
            )
        if self.weight_column:
            w = pd.to_numeric(df[self.weight_column], errors="coerce").to_numpy(float)
            bad = np.flatnonzero(np.isnan(w) | (w < 0))
            if len(bad):
                p = int(bad[0])
                raise SurveyDefinitionError(
                    f"{src}, row {rowno(p)}, column {self.weight_column}: weight must be a number ≥ 0 "
                    f"({len(bad)} such value(s): {_rows(bad, rowno)})"
                    + _decimal_comma_hint(df[self.weight_column], bad, rowno)
                )
            ok = w[~np.isnan(w) & (w > 0)]
            if len(ok):
                limit = max(1000.0 * float(np.median(ok)), 1000.0)
                huge = np.flatnonzero(~np.isnan(w) & (w > limit))
                if len(huge):
                    warnings.append(LARGE_WEIGHTS_WARNING.format(src=src, col=self.weight_column, n=len(huge),
                                                                 limit=limit, rows=_rows(huge, rowno)))
        for ind in self.indicators:
            raw = df[ind.column]
            vals = pd.to_numeric(raw, errors="coerce").to_numpy(float)
            if raw.dtype.kind in "iufb":
                nonnum = np.zeros(0, dtype=np.int64)
            else:
                cand = np.flatnonzero(np.isnan(vals) & raw.notna().to_numpy())
                nonnum = cand[[str(raw.iloc[int(p)]).strip() != "" for p in cand]] if len(cand) else cand
            allowed = np.asarray(tuple(ind.scale) + tuple(ind.excluded), dtype=float)
            off = np.flatnonzero(~np.isnan(vals) & ~np.isin(vals, allowed))
            bad = np.sort(np.concatenate([nonnum, off]))
            if len(bad):
                p = int(bad[0])
                raise SurveyDefinitionError(
                    f"{src}, row {rowno(p)}, column {ind.column}: expected a code on the scale {list(ind.scale)} "
                    f"or an excluded code {list(ind.excluded)} ({len(bad)} value(s) do not fit: {_rows(bad, rowno)})"
                )
            note = _default_scale_note(ind, vals, src)
            if note:
                warnings.append(note)
        for m in self.multiselect:
            for c in m.options:
                vals = pd.to_numeric(df[c], errors="coerce").to_numpy(float)
                bad = np.flatnonzero(~np.isnan(vals) & ~np.isin(vals, [0.0, 1.0]))
                if len(bad):
                    p = int(bad[0])
                    raise SurveyDefinitionError(
                        f"{src}, row {rowno(p)}, column {c}: multi-select value must be 0 or 1 "
                        f"({len(bad)} such value(s): {_rows(bad, rowno)})"
                    )
                raw = df[c]
                if raw.dtype.kind not in "iufb":
                    cand = np.flatnonzero(np.isnan(vals) & raw.notna().to_numpy())
                    nonnum = [int(p) for p in cand if str(raw.iloc[int(p)]).strip() != ""]
                    if nonnum:
                        warnings.append(MULTISELECT_CODES_WARNING.format(src=src, col=c, n=len(nonnum),
                                                                         rows=_rows(nonnum, rowno)))
            if m.exclusive:
                ex = df[list(m.exclusive)].apply(pd.to_numeric, errors="coerce").fillna(0).to_numpy().sum(axis=1) > 0
                others = [c for c in m.options if c not in m.exclusive]
                oth = df[others].apply(pd.to_numeric, errors="coerce").fillna(0).to_numpy().sum(axis=1) > 0 if others else ex & False
                n_bad = int((ex & oth).sum())
                if n_bad:
                    warnings.append(EXCLUSIVE_WARNING.format(src=src, n=n_bad, group=m.id))
        unmatched = self.codes_for_label_levels(df)
        if unmatched:
            seg = self.segment(unmatched[0])
            example = ", ".join(f"<code>: {seg.display.get(k, k)}" for k in seg.levels[:2])
            raise SurveyDefinitionError(
                f"{src}, column(s) {', '.join(unmatched)}: the column holds numeric answer codes, but the survey "
                f"definition declares its levels as labels only, so no value matches a level and the segment would "
                f"be empty; declare each level's code with its label (levels: {{{example}, …}}, the codes as in the "
                f"data) or supply the labels in the data (e.g. an SPSS .sav with value labels)")
        for col, bad in self.undeclared_levels(df).items():  # counts and rows only: a stray value may be personal data
            warnings.append(UNDECLARED_LEVELS_WARNING.format(src=src, col=col, n=len(bad), rows=_rows(bad, rowno)))
        return warnings


def _default_scale_note(ind: Indicator, vals: np.ndarray, src: str) -> str | None:
    """:data:`DEFAULT_SCALE_WARNING` for an item without a declared scale (the default 1–6) whose top code no
    answer uses among at least :data:`DEFAULT_SCALE_MIN_ANSWERS` answers on the scale (a 1–5 item read as 1–6
    gets the wrong top box, top 2 and midpoint); None otherwise. Counts only, never values."""
    if ind.scale_given or tuple(ind.scale) != DEFAULT_SCALE:
        return None
    on_scale = vals[np.isin(vals, np.asarray(DEFAULT_SCALE, dtype=float))]
    top = DEFAULT_SCALE[-1]
    if len(on_scale) < DEFAULT_SCALE_MIN_ANSWERS or (on_scale == top).any():
        return None
    return DEFAULT_SCALE_WARNING.format(src=src, col=ind.column, item=ind.id, top=top, n=len(on_scale),
                                        low=DEFAULT_SCALE[0], alt=top - 1)


def load_survey(path: str | Path) -> SurveyDefinition:
    """Shorthand for :meth:`SurveyDefinition.from_yaml`."""
    return SurveyDefinition.from_yaml(path)


def definition_texts(d: SurveyDefinition):
    """``(field path, text, is an id or code)`` for every string of a survey definition that readers of its
    summaries, reports and exports see: its name and description, the labels of excluded codes, segments (with
    their levels' codes and labels and the attribution format), indicators, multi-select groups (and their
    options) and free-text questions (with the item routing them and their codebook's file name), and every column
    name it declares (column names become variable names, chart files and table headers). The checks for personal data (the service's 422, the CLI's refusal) read
    this one list."""
    yield "name", d.name, True
    yield "description", d.description, False
    yield "title", d.title, False
    for field_name, column in (("id", d.id_column), ("wave", d.wave_column), ("weight", d.weight_column)):
        if column:
            yield field_name, column, True
    for j, text in enumerate(d.excluded_labels.values()):  # by place: a code may be any number
        yield f"excluded_codes[{j}].label", text, False
    for i, seg in enumerate(d.segments):
        yield f"segments[{i}].column", seg.column, True
        yield f"segments[{i}].label", seg.label, seg.label == seg.column
        yield f"segments[{i}].format", seg.attribution_format, False
        for j, level in enumerate(seg.levels):
            yield f"segments[{i}].levels[{j}]", level, True
            if level in seg.display:
                yield f"segments[{i}].levels[{j}].label", seg.display[level], False
        for j, alias in enumerate(a for names in seg.aliases.values() for a in names):  # by place, never the value
            yield f"segments[{i}].aliases[{j}]", alias, False
    for i, ind in enumerate(d.indicators):
        yield f"indicators[{i}].id", ind.id, True
        yield f"indicators[{i}].column", ind.column, True
        yield f"indicators[{i}].label", ind.label, ind.label == ind.id
    for i, group in enumerate(d.multiselect):
        yield f"multiselect[{i}].id", group.id, True
        yield f"multiselect[{i}].label", group.label, group.label == group.id
        for j, (column, text) in enumerate(group.options.items()):
            yield f"multiselect[{i}].options[{j}].column", column, True
            yield f"multiselect[{i}].options[{j}].label", text, text == column
    for i, question in enumerate(d.free_text):
        yield f"free_text[{i}].column", question.column, True
        yield f"free_text[{i}].label", question.label, question.label == question.column
        if question.asked_item:
            yield f"free_text[{i}].asked_if.item", question.asked_item, True
        if question.codebook is not None:  # its file name: the folders are the analyst's (the CLI resolves them)
            yield f"free_text[{i}].codebook", Path(question.codebook).name, True
    for i, column in enumerate(d.other_columns):
        yield f"other_columns[{i}]", column, True


def _shown_column_name(name: str) -> str:
    """A data column's name as :meth:`SurveyDefinition.validate_frame`'s warnings print it: as it is, or, where it
    holds personal data, masked (:func:`textmine.masking.mask_personal`) with the CLI's marker for its errors
    (``textmine.cli.redact_message``): by the redaction («Ola Nordmann 91234567» → «[NAVN] [TELEFON]»), or
    «[navn skjult]» where that is not enough («ola_nordmann_91234567»)."""
    from .masking import mask_personal

    return mask_personal(name, "[navn skjult]")


def personal_data_fields(d: SurveyDefinition, redact=None) -> list[str]:
    """The field paths of :func:`definition_texts` whose text holds personal data by the rules the service checks
    definitions with (:func:`textmine.labelcheck.personal_data_counts`; ids and codes also read as words,
    :func:`textmine.disclosure.identifier_words`: "Kari_Nordmann_01019012480"); paths only, never the values.
    ``redact``: another redaction function (``text -> (masked, counts)``) instead of those rules."""
    if redact is None:
        from .labelcheck import personal_data_counts
    else:
        def personal_data_counts(text: str) -> dict[str, int]:
            return {k: n for k, n in redact(text)[1].items() if n}
    found = []
    for path, text, ident in definition_texts(d):
        if not isinstance(text, str) or not text.strip():
            continue
        if personal_data_counts(text) or (ident and personal_data_counts(identifier_words(text))):
            found.append(path)
    return found
