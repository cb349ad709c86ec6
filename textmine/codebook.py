"""Codebooks: the analyst's list of themes (YAML, versioned) with validation and hierarchy.

A codebook looks like::

    name: arbeidsgiver
    version: "1.0"
    language: nb
    description: "…"
    types: [klage, ønske, ros]
    themes:
      - id: telefon
        label: "Telefon og tilgjengelighet"
        description: "…"
        keywords: [telefon, telefonkø, "komme gjennom"]
        examples: ["…"]
        parent: null        # optional: id of the parent theme (parent rolls up its children)
        exclusive: false    # optional: cannot co-occur with other themes (e.g. ``annet``)
        replaces: kontaktperson  # optional: id(s) of an earlier version's theme(s) this one continues (a rename;
                                 # a list: a merge) — the summary compares it with them across versions

``load_codebook(path)`` reads and validates; every problem raises :class:`CodebookError`
naming the theme and field. Text fields keep the text as written where YAML would read a number,
yes/no or date (``version: 1.10``, ``id: no``, ``keywords: [2024-01-01]``); .nan/.inf and ``!!binary`` are refused,
as are a list or mapping where text is expected and (:meth:`Codebook.from_dict`) NaN, e.g. pandas' missing cell.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import math
import numbers
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

__all__ = [
    "Codebook",
    "CodebookError",
    "CodebookDiff",
    "Theme",
    "codebook_diff",
    "content_hash",
    "load_codebook",
    "parse_theme_list",
    "personal_data_fields",
    "DEFAULT_TYPES",
]

DEFAULT_TYPES = ("klage", "ønske", "ros")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_THEME_KEYS = {"id", "label", "description", "keywords", "examples", "parent", "exclusive", "replaces"}
_TOP_KEYS = {"name", "version", "language", "description", "types", "themes"}
# a label value shown in an error message: short, one id-like word, no run of 5+ digits (phone, fnr, account)
_SHOWN_RE = re.compile(r"^[a-z0-9æøå][a-z0-9_æøå-]{0,39}$", re.IGNORECASE)
_LONG_NUMBER_RE = re.compile(r"[0-9]{5}")


class CodebookError(ValueError):
    """The codebook is malformed; the message names the theme and field."""


@dataclass(frozen=True)
class Theme:
    """One theme of a codebook."""

    id: str
    label: str
    description: str = ""
    keywords: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    parent: str | None = None
    exclusive: bool = False
    #: ids of an earlier codebook version's themes this theme continues (one: a rename; several: a merge)
    replaces: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The theme as a YAML mapping (optional keys only when set)."""
        d: dict[str, Any] = {"id": self.id, "label": self.label, "description": self.description,
                             "keywords": list(self.keywords)}
        if self.examples:
            d["examples"] = list(self.examples)
        if self.parent:
            d["parent"] = self.parent
        if self.exclusive:
            d["exclusive"] = True
        if self.replaces:  # only when set: a codebook without it keeps its hash (and its trained models)
            d["replaces"] = list(self.replaces)
        return d

    def prompt_text(self) -> str:
        """Label + description as one sentence-like text (for embedding)."""
        desc = self.description.strip()
        return f"{self.label}. {desc}" if desc else self.label


@dataclass(frozen=True)
class Codebook:
    """A validated, immutable codebook. Build with :meth:`from_dict` or :func:`load_codebook`. Every way of building
    one refuses personal data in its texts (ids, labels, descriptions, keywords, examples: :func:`personal_data_fields`)
    with a :class:`CodebookError` that names the place, never the value."""

    name: str
    version: str
    themes: tuple[Theme, ...]
    language: str = "nb"
    description: str = ""
    types: tuple[str, ...] = DEFAULT_TYPES
    _index: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        _refuse_personal_data(self)  # first: a validation message names a theme by its id
        _validate(self)
        object.__setattr__(self, "_index", {t.id: i for i, t in enumerate(self.themes)})

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Codebook:
        """Build from a parsed YAML/JSON mapping (validates). A float ``version`` has lost its trailing zeros
        (1.10 is 1.1): give it as text, or read YAML with :meth:`from_yaml`, which keeps it as written."""
        return cls(**_codebook_fields(d))

    @classmethod
    def from_yaml(cls, text: str | Path) -> Codebook:
        """Parse and validate YAML text; text fields keep the text as written (``version: 1.10`` is "1.10", not 1.1).
        A :class:`~pathlib.Path` is read as a file (:func:`load_codebook`); a string that looks like a file name
        is refused with a pointer to :func:`load_codebook`."""
        if isinstance(text, Path):
            return load_codebook(text)
        if _looks_like_path(text):
            raise CodebookError(f"Codebook.from_yaml takes YAML text, but got what looks like a file path "
                                f"({_quoted(text)}); use load_codebook(path) or "
                                f"Codebook.from_yaml(Path(path).read_text())")
        return _read_from(cls.from_dict(_yaml_data(text)), text)

    # ------------------------------------------------------------------ serialisation
    def to_dict(self) -> dict[str, Any]:
        """The codebook as a plain mapping (what :meth:`from_dict` reads back)."""
        return {
            "name": self.name,
            "version": self.version,
            "language": self.language,
            "description": self.description,
            "types": list(self.types),
            "themes": [t.to_dict() for t in self.themes],
        }

    def to_yaml(self) -> str:
        """The codebook as YAML text (what :meth:`from_yaml` reads back)."""
        return yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=False, width=110)

    @property
    def hash(self) -> str:
        """SHA-256 of the canonical content (:func:`content_hash` of :meth:`to_dict`)."""
        return content_hash(self.to_dict())

    # ------------------------------------------------------------------ access
    @property
    def theme_ids(self) -> list[str]:
        """The theme ids in codebook order."""
        return [t.id for t in self.themes]

    def __len__(self) -> int:
        return len(self.themes)

    def __contains__(self, theme_id: object) -> bool:
        return theme_id in self._index

    def theme(self, theme_id: str) -> Theme:
        """The :class:`Theme` with this id (``KeyError`` naming the valid ids when unknown)."""
        try:
            return self.themes[self._index[theme_id]]
        except KeyError:
            raise KeyError(self._unknown(theme_id)) from None

    def index(self, theme_id: str) -> int:
        """The theme's position (its column in a label matrix); ``KeyError`` when unknown."""
        try:
            return self._index[theme_id]
        except KeyError:
            raise KeyError(self._unknown(theme_id)) from None

    def _unknown(self, theme_id: Any) -> str:
        return f"unknown theme id {shown_value(theme_id)}; codebook {self.name!r} has {self.theme_ids}"

    def children(self, theme_id: str) -> list[str]:
        """Ids of the themes whose parent is ``theme_id`` (codebook order)."""
        return [t.id for t in self.themes if t.parent == theme_id]

    def ancestors(self, theme_id: str) -> list[str]:
        """Ids of the parent, grandparent, … of ``theme_id`` (nearest first)."""
        out, cur = [], self.theme(theme_id).parent
        while cur is not None:
            out.append(cur)
            cur = self.theme(cur).parent
        return out

    @property
    def has_hierarchy(self) -> bool:
        """Some theme has a parent."""
        return any(t.parent for t in self.themes)

    @property
    def replacements(self) -> dict[str, tuple[str, ...]]:
        """Theme id → the ids of an earlier version's themes it continues (``replaces``), for the themes that
        declare any (codebook order)."""
        return {t.id: t.replaces for t in self.themes if t.replaces}

    @property
    def exclusive_ids(self) -> list[str]:
        """Ids of the exclusive themes (never combined with another)."""
        return [t.id for t in self.themes if t.exclusive]

    # ------------------------------------------------------------------ label helpers
    def validate_labels(self, labels: Iterable[Iterable[str]], *, where: str = "labels", index: Any = None,
                        exclusive: bool = False) -> list[list[str]]:
        """Check every id exists; return lists (rolled up to parents). ``exclusive``: also refuse an exclusive
        theme combined with another. Errors name the row counted from 0 and, when ``index`` (default: a
        Series' own index) is not 0, 1, 2, …, its index label; a value is shown only when it looks like a
        theme id (see :func:`shown_value`)."""
        if index is None and hasattr(labels, "iloc"):
            index = labels.index
        out = []
        for row, lab in enumerate(labels):
            try:
                lab = parse_theme_list(lab)  # "a;b", a list of ids, or NaN/None (no theme)
            except TypeError as exc:
                raise CodebookError(f"{label_row(where, row, index)}: {exc}{_FROM_0}") from None
            bad = [x for x in lab if x not in self._index]
            if bad:
                raise CodebookError(f"{label_row(where, row, index)}: unknown theme id(s) "
                                    f"[{shown_values(bad)}]; valid ids: {self.theme_ids}{_FROM_0}")
            problem = self.exclusive_problem(lab) if exclusive else None
            if problem:
                raise CodebookError(f"{label_row(where, row, index)}: {problem}{_FROM_0}")
            out.append(self.rollup(lab))
        return out

    def exclusive_problem(self, theme_ids: Sequence[str]) -> str | None:
        """What is wrong when known ids combine an exclusive theme with another (``None`` when nothing is)."""
        excl = [x for x in theme_ids if x in self.exclusive_ids]
        if not excl or len(set(self.rollup(theme_ids))) < 2:
            return None
        others = [x for x in dict.fromkeys(theme_ids) if x != excl[0]]
        return (f"{';'.join(theme_ids)!r} combines the exclusive theme {excl[0]!r} (used only when no other theme "
                f"applies) with {', '.join(map(repr, others))}; expected {excl[0]!r} alone or only the other theme(s)")

    def rollup(self, theme_ids: Iterable[str]) -> list[str]:
        """Add the ancestors of every theme (a child implies its parent); codebook order."""
        chosen = set(theme_ids)
        for tid in list(chosen):
            chosen.update(self.ancestors(tid))
        return [t for t in self.theme_ids if t in chosen]

    def to_matrix(self, labels: Iterable[Iterable[str]]) -> np.ndarray:
        """Multi-hot matrix (n, n_themes) of int8, rolled up."""
        labels = self.validate_labels(labels)
        y = np.zeros((len(labels), len(self.themes)), dtype=np.int8)
        for i, lab in enumerate(labels):
            for tid in lab:
                y[i, self._index[tid]] = 1
        return y

    def from_matrix(self, y: np.ndarray) -> list[list[str]]:
        """Theme id lists from a 0/1 matrix (n, n_themes): the inverse of :meth:`to_matrix`."""
        ids = self.theme_ids
        return [[ids[j] for j in np.flatnonzero(row)] for row in np.asarray(y)]

    def rollup_matrix(self, y: np.ndarray) -> np.ndarray:
        """Set parent columns to 1 where any descendant is 1 (0/1 matrices) or to the max (scores)."""
        y = np.array(y, copy=True)
        if not self.has_hierarchy:
            return y
        # deepest first so grand-children propagate
        order = sorted(self.themes, key=lambda t: -len(self.ancestors(t.id)))
        for t in order:
            if t.parent:
                p, c = self._index[t.parent], self._index[t.id]
                y[:, p] = np.maximum(y[:, p], y[:, c])
        return y


def content_hash(mapping: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of a codebook as a mapping (:meth:`Codebook.to_dict`, or a stored copy of it): canonical JSON,
    keys sorted, so YAML formatting and key order do not count; the order of the themes does. This is
    :attr:`Codebook.hash`, which model artefacts store: changing it makes every trained model refuse its codebook."""
    canon = json.dumps(mapping, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()


#: the codebook fields :func:`codebook_diff` compares beside the themes
_DIFF_FIELDS = ("name", "version", "language", "description", "types")


@dataclass(frozen=True)
class CodebookDiff:
    """How codebook ``b`` differs from ``a`` (:func:`codebook_diff`), by theme ids and field names only (never a
    theme's texts). False when nothing differs."""

    added: list[str]  # theme ids only in b (sorted)
    removed: list[str]  # theme ids only in a (sorted)
    changed: dict[str, list[str]]  # theme id in both (a's order) -> the theme fields that differ
    fields: list[str]  # codebook fields that differ (name, version, language, description, types), "theme order"

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.fields)

    def describe(self, *, fields: bool = True) -> str:
        """``new themes [..]; missing themes [..]; changed themes [..]``, then (``fields``) ``description differs``
        and the like; "" when nothing (shown) differs."""
        parts = [f"{what} {ids}" for what, ids in (("new themes", self.added), ("missing themes", self.removed),
                                                   ("changed themes", list(self.changed))) if ids]
        if fields:
            parts += [f"{name} differs" for name in self.fields]
        return "; ".join(parts)


def codebook_diff(a: Codebook, b: Codebook) -> CodebookDiff:
    """What differs from codebook ``a`` to ``b``: new, missing and changed themes (with the fields that changed:
    label, description, keywords, examples, parent, exclusive, replaces), the other codebook fields and the themes'
    order."""
    ia, ib = set(a.theme_ids), set(b.theme_ids)
    changed = {tid: _theme_fields_differing(a.theme(tid), b.theme(tid)) for tid in a.theme_ids if tid in ib}
    fields = [name for name in _DIFF_FIELDS if getattr(a, name) != getattr(b, name)]
    if [t for t in a.theme_ids if t in ib] != [t for t in b.theme_ids if t in ia]:
        fields.append("theme order")
    return CodebookDiff(added=sorted(ib - ia), removed=sorted(ia - ib),
                        changed={tid: names for tid, names in changed.items() if names}, fields=fields)


def _theme_fields_differing(a: Theme, b: Theme) -> list[str]:
    """The names of the fields in which two themes of the same id differ (declaration order)."""
    return [f.name for f in dataclasses.fields(Theme) if getattr(a, f.name) != getattr(b, f.name)]


_FROM_0 = "; rows are counted from 0"


def label_row(where: str, pos: int, index: Any = None) -> str:
    """``"labels row 3"``, with the index label when ``index`` is not the default 0, 1, 2, …
    (``"labels row 3 (index label 5)"``)."""
    if index is None or _default_index(index):
        return f"{where} row {pos}"
    label = index[pos]
    return f"{where} row {pos} (index label {label.item() if isinstance(label, np.generic) else label!r})"


def _default_index(index: Any) -> bool:
    """The index is 0, 1, 2, … (a position and its label are the same number)."""
    return list(index) == list(range(len(index)))


def shown_value(value: Any, what: str = "theme id", *, quote: bool = True) -> str:
    """A label cell's value for a message: itself (``repr`` when ``quote``) when it looks like a ``what`` (up to 40
    letters, digits, '_' and '-', no run of 5 digits), else only its length. A comment pasted into a label column
    may hold a name, phone number or fødselsnummer, and messages end up in logs."""
    text = str(value)
    if _looks_like_id(text):
        return repr(text) if quote else text
    return f"a value that is not a {what} ({len(text)} characters, not shown: it may be personal data)"


def shown_values(values: Iterable[Any], what: str = "theme id", *, quote: bool = True) -> str:
    """Several label values for a message, joined by ', ' (see :func:`shown_value`); those not shown are
    described together, by their lengths."""
    texts = [str(v) for v in values]
    out = [repr(t) if quote else t for t in texts if _looks_like_id(t)]
    hidden = [t for t in texts if not _looks_like_id(t)]
    if len(hidden) == 1:
        out.append(shown_value(hidden[0], what))
    elif hidden:
        lengths = ", ".join(str(len(t)) for t in hidden[:-1]) + f" and {len(hidden[-1])}"
        out.append(f"{len(hidden)} values that are not {what}s ({lengths} characters, not shown: they may be "
                   f"personal data)")
    return ", ".join(out)


def _looks_like_id(text: str) -> bool:
    return bool(_SHOWN_RE.match(text)) and not _LONG_NUMBER_RE.search(text)


def parse_theme_list(value: Any) -> list[str]:
    """``"a;b"`` / ``["a","b"]`` / NaN, None, ``pd.NA`` → list of ids (stripped; empty and missing dropped).
    Anything else (a number, a mapping) raises ``TypeError``."""
    if isinstance(value, str):
        return [p.strip() for p in re.split(r"[;,|]", value) if p.strip()]
    if isinstance(value, Iterable) and not isinstance(value, bytes | Mapping):
        return [str(p).strip() for p in value if not _missing(p) and str(p).strip()]
    if _missing(value):
        return []
    raise TypeError(f"expected theme ids as 'a;b' or a list of ids, got {type(value).__name__}")


def _missing(v: Any) -> bool:
    """None, NaN, NaT or ``pd.NA`` (a scalar only)."""
    if v is None or type(v).__name__ in ("NAType", "NaTType"):
        return True
    try:
        return bool(np.ndim(v) == 0 and v != v)  # NaN
    except (TypeError, ValueError):
        return False


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate a codebook YAML file."""
    path = Path(path)
    if not path.exists():
        raise CodebookError(f"codebook file not found: {path}")
    if path.is_dir():
        raise CodebookError(f"{path}: is a folder; expected a codebook YAML file")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes().count(b"\n", 0, exc.start) + 1
        raise CodebookError(f"{path}: line {line}: byte 0x{exc.object[exc.start]:02x} is not valid UTF-8; "
                            f"save the codebook as UTF-8") from None
    except OSError as exc:
        raise CodebookError(f"{path}: cannot read the codebook ({exc.strerror or exc})") from None
    try:
        return _read_from(Codebook(**_codebook_fields(_yaml_data(text))), text)  # refuses personal data first
    except CodebookError as exc:
        raise CodebookError(f"{path}: {exc}") from None


@dataclass(frozen=True)
class _Draft:
    """A codebook's fields before validation (what :func:`personal_data_fields` reads from a mapping)."""

    name: str
    version: str
    themes: tuple[Theme, ...]
    language: str
    description: str
    types: tuple[str, ...]


def _refuse_personal_data(cb: Codebook) -> None:
    """Refuse the texts that hold personal data (the service refuses these too, ``personal_data_in_name``: readers
    see every one of them), naming fields and kinds, never values."""
    found = personal_data_fields(cb)
    if found:
        shown = "; ".join(f"{field} ({', '.join(kinds)})" for field, kinds in found[:5])
        raise CodebookError(f"{shown}{' …' if len(found) > 5 else ''}: looks like personal data; remove it "
                            f"(readers and reports see codebook texts)")


def codebook_texts(cb: Codebook | _Draft) -> Iterable[tuple[str, str, bool]]:
    """Every human-written text of a codebook that readers see, as (field path, text, is an id or code): its name,
    description, version, language and types, and each theme's id, label, description, parent (an id), keywords and
    examples. A theme whose id holds personal data is named by its place (``theme #3 label``), never by that id."""
    yield "name", cb.name, False
    yield "description", cb.description, False
    yield "version", cb.version, True
    yield "language", cb.language, True
    for i, ty in enumerate(cb.types):
        yield f"types[{i}]", ty, True
    for i, t in enumerate(cb.themes):
        yield f"themes[{i}].id", t.id, True
        theme = _theme_name(t.id, i)
        yield f"{theme} label", t.label, False
        yield f"{theme} description", t.description, False
        if t.parent:
            yield f"{theme} parent", t.parent, True
        for j, old in enumerate(t.replaces, start=1):
            yield f"{theme} replaces {j}", old, True
        for field, item, values in (("keywords", "keyword", t.keywords), ("examples", "example", t.examples)):
            for j, value in enumerate(values, start=1):
                yield f"{theme} {item} {j}", value, False


def personal_data_fields(cb: Codebook | Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    """(field, kinds of personal data) for each text of :func:`codebook_texts` that holds personal data by the
    rules the service checks codebooks with (:func:`textmine.labelcheck.personal_data_counts`; ids and codes also
    read as words: :func:`textmine.disclosure.identifier_words`); fields and kinds only, never the values. A built
    :class:`Codebook` has none (building one refuses them); give the parsed mapping to list them before building
    (a mapping of the wrong shape raises :class:`CodebookError`)."""
    from .disclosure import identifier_words
    from .labelcheck import personal_data_counts

    if isinstance(cb, Mapping):
        cb = _Draft(**_codebook_fields(cb))
    found = []
    for field, text, ident in codebook_texts(cb):
        if not isinstance(text, str) or not text.strip():
            continue
        kinds = personal_data_counts(text)
        if ident and not kinds:
            kinds = personal_data_counts(identifier_words(text))
        if kinds:
            found.append((field, list(kinds)))
    return found


# ---------------------------------------------------------------------- internals
def _holds_personal_data(text: str) -> bool:
    """An id, code or parent value holds personal data by the rules of :func:`personal_data_fields` (also read as
    words: ``kari_nordmann``)."""
    from .disclosure import identifier_words
    from .labelcheck import personal_data_counts

    return bool(personal_data_counts(text) or personal_data_counts(identifier_words(text)))


def _theme_ref(tid: str, pos: int) -> str:
    """A theme id for a message: ``'telefon'``, or ``#3`` (its 1-based place) when the id holds personal data."""
    return f"#{pos + 1}" if _holds_personal_data(tid) else repr(tid)


def _theme_name(tid: str, pos: int) -> str:
    """``theme 'telefon'``, or ``theme #3`` when the id holds personal data (messages end up in logs)."""
    return f"theme {_theme_ref(tid, pos)}"


def _quoted(value: Any) -> str:
    """A value for a message: its ``repr``, or only its length when it holds personal data."""
    text = str(value)
    if _holds_personal_data(text):
        return f"a value of {len(text)} characters (not shown: it looks like personal data)"
    return repr(value)


def _legacy_text(value: Any) -> str:
    """How codebook texts were kept before :func:`_text` (stripped only): for :func:`legacy_hash`."""
    return str(value).strip()


def legacy_hash(d: Mapping[str, Any]) -> str:
    """The hash a codebook mapping had before its texts were normalised (:func:`_text`: NFC, one space): what a
    model trained before then recorded, so its own stored codebook.yaml still matches it. Equal to
    :attr:`Codebook.hash` for texts without double spaces, line breaks or decomposed letters."""
    return Codebook(**_codebook_fields(d, legacy=True)).hash


def earlier_hashes(text: str | Codebook) -> set[str]:
    """The hashes earlier textmine versions gave this codebook YAML, for a model's record of the codebook it was
    trained for: :func:`legacy_hash` of the file read as today, and :attr:`Codebook.hash` and :func:`legacy_hash`
    of it read by the YAML rules before text fields were kept as written (``language: no`` was 'nb', ``label: 1.10``
    '1.1', ``id: 010`` '8'). Readings that fail are left out. A :class:`Codebook` read from YAML
    (:func:`load_codebook`, :meth:`Codebook.from_yaml`): those of its YAML; one built from a mapping: none."""
    if isinstance(text, Codebook):
        text = getattr(text, "_yaml", None)
        if text is None:
            return set()
    out = set()
    for as_written in (True, False):
        for legacy in (True,) if as_written else (True, False):
            try:
                out.add(Codebook(**_codebook_fields(_yaml_data(text, as_written=as_written), legacy=legacy)).hash)
            except Exception:  # noqa: BLE001 - not readable that way (e.g. «id: no» was False): no hash from it
                pass
    return out


def same_structure(a: Codebook, b: Codebook) -> bool:
    """Whether two codebooks differ at most in texts an earlier YAML reading could have typed differently (version,
    descriptions, theme labels, keywords, examples): the same name, language, types and themes in the same order
    with the same ids, parents, exclusive flags and ``replaces``. The guard on :func:`earlier_hashes` matches: an
    earlier reading must never accept another theme id (``id: 010`` read as '8') or another hierarchy."""
    def shape(cb: Codebook) -> tuple:
        return (cb.name, cb.language, cb.types,
                tuple((t.id, t.parent, t.exclusive, t.replaces) for t in cb.themes))

    return shape(a) == shape(b)


def _read_from(cb: Codebook, text: str) -> Codebook:
    """``cb`` with the YAML text it was read from (not a field: ``dataclasses.replace`` drops it), for
    :func:`earlier_hashes`."""
    object.__setattr__(cb, "_yaml", text)
    return cb


def _one_text(value: Any, where: str) -> Any:
    """``value`` where a codebook text is expected: text, a number, yes/no, a date, or None (missing), as a plain
    Python value (a numpy scalar from pandas, ``np.int64(2)``, is its ``.item()``). A list, a mapping or another
    object, or NaN / infinity (pandas' missing cell: a float; ``pd.NA``) raises :class:`CodebookError` naming
    ``where`` and the kind of value, never the value (as YAML's .nan is refused)."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, str | bool | datetime.date):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if _missing(value) or isinstance(value, float) and not math.isfinite(value):
        raise CodebookError(f"{where}: {'NaN' if _missing(value) else 'infinity'} (not a number: a missing cell?), "
                            f"not text; give the text, or None (or leave the key out) for none")
    if isinstance(value, float):
        return value
    kind = ("a mapping" if isinstance(value, Mapping) else "a list" if isinstance(value, Sequence | set | frozenset)
            and not isinstance(value, bytes) else type(value).__name__)
    raise CodebookError(f"{where} must be text, got {kind}")


def _codebook_fields(d: Any, *, legacy: bool = False) -> dict[str, Any]:
    """The fields of a :class:`Codebook` read from a parsed mapping (checked in shape only; validated on build).
    ``legacy``: texts stripped only, as before :func:`_text` (for :func:`legacy_hash`)."""
    text = _legacy_text if legacy else _text
    if not isinstance(d, Mapping):
        raise CodebookError(f"codebook must be a mapping with 'name', 'version' and 'themes', got {type(d).__name__}")
    unknown = set(d) - _TOP_KEYS
    if unknown:
        raise CodebookError(f"unknown top-level key(s) {sorted(unknown)}; expected some of {sorted(_TOP_KEYS)}")
    for key in ("name", "themes"):
        if key not in d or d[key] is None:
            raise CodebookError(f"codebook is missing '{key}'")
        if d[key] in ("", []):
            raise CodebookError(f"codebook '{key}' is empty" + ("; list at least one theme (id, label)"
                                                                if key == "themes" else ""))
    d = {**d, **{key: _one_text(d[key], f"'{key}'") for key in ("name", "version", "language", "description")
                 if key in d}}
    raw_themes = d["themes"]
    if not isinstance(raw_themes, Sequence) or isinstance(raw_themes, str | bytes):
        raise CodebookError("'themes' must be a list of theme mappings")
    themes = tuple(_parse_theme(t, i, text) for i, t in enumerate(raw_themes))
    types = DEFAULT_TYPES if d.get("types") is None else d["types"]  # left out (or blank): the defaults
    if isinstance(types, Sequence) and not isinstance(types, str | bytes) and not len(types):
        raise CodebookError("'types' is empty; list the comment types, e.g. [klage, ønske, ros], or leave "
                            "'types' out for these defaults")
    if (isinstance(types, str) or not isinstance(types, Sequence)
            or not all(isinstance(x, str) and x.strip() for x in types)):
        raise CodebookError("'types' must be a list of non-empty strings, e.g. [klage, ønske, ros]")
    return {
        "name": text(d["name"]),
        "version": "1.0" if d.get("version") is None else str(d["version"]).strip() or "1.0",
        "themes": themes,
        "language": str(d.get("language") or "nb") if legacy else str(d.get("language") or "nb").strip().lower() or "nb",
        "description": text(d.get("description") or ""),
        "types": tuple(text(x) for x in types),
    }


def _looks_like_path(text: Any) -> bool:
    """One line of text ending in .yaml/.yml, or naming an existing file (what ``from_yaml`` was given instead of
    YAML text)."""
    if not isinstance(text, str) or "\n" in text.strip() or not text.strip() or len(text) > 4096:
        return False
    name = text.strip()
    if name.lower().endswith((".yaml", ".yml")):
        return True
    try:
        return Path(name).is_file()
    except (OSError, ValueError):
        return False


def _yaml_data(text: str, *, as_written: bool = True) -> Any:
    """Parse codebook YAML text; a syntax error is one :class:`CodebookError` line naming line and column.
    ``as_written=False``: the rules before text fields were kept as written (:func:`earlier_hashes`)."""
    try:
        return _load_yaml(text, as_written)
    except yaml.YAMLError as exc:
        parts = []  # one line: what went wrong and where (line/column), never "<unicode string>"
        for what, mark in ((getattr(exc, "context", None), getattr(exc, "context_mark", None)),
                           (getattr(exc, "problem", None), getattr(exc, "problem_mark", None))):
            if what:
                parts.append(what + (f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""))
        said = f"not valid YAML: {'; '.join(parts) or ' '.join(str(exc).split())}"
        mark = getattr(exc, "problem_mark", None)
        if isinstance(exc, yaml.parser.ParserError) and mark is not None:  # a structural error: mostly indentation
            raise CodebookError(f"line {mark.line + 1}: the YAML structure is broken here (check the indentation of "
                                f"this line and the one before); {said}") from exc
        raise CodebookError(f"codebook is {said}") from exc


def _load_yaml(text: str, as_written: bool = True) -> Any:
    """``yaml.safe_load``, except that a text field keeps the text as written where YAML would read a number, a
    yes/no or a date (:func:`_keep_written_text`: ``version: 1.10`` is "1.10", not the float 1.1); with
    ``as_written=False`` only an unquoted number as ``version`` is (the earlier rule, :func:`_earlier_version`)."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    if isinstance(node, yaml.MappingNode):
        _refuse_duplicate_keys(node, "")
        for key, value in node.value:
            if key.value == "themes" and isinstance(value, yaml.SequenceNode):
                for i, item in enumerate(value.value):
                    if isinstance(item, yaml.MappingNode):
                        _refuse_duplicate_keys(item, f"theme #{i + 1}: ")
        if isinstance(data, dict):
            (_keep_written_text if as_written else _earlier_version)(node, data)
    return data


def _earlier_version(node: yaml.MappingNode, data: dict) -> None:
    """How ``version`` was read before :func:`_keep_written_text`: an unquoted number as written, a blank one
    as the text 'None' (``str(None)``); every other field as ``yaml.safe_load`` reads it."""
    if "version" in data and data["version"] is None:
        data["version"] = "None"
    if isinstance(data.get("version"), int | float) and not isinstance(data["version"], bool):
        for key, value in node.value:
            if key.value == "version" and isinstance(value, yaml.ScalarNode) and value.style is None:
                data["version"] = value.value


_TOP_TEXT_KEYS = ("name", "version", "language", "description", "types")
_THEME_TEXT_KEYS = ("id", "label", "description", "parent", "keywords", "examples", "replaces")


def _keep_written_text(node: yaml.MappingNode, data: dict) -> None:
    """In the fields that hold text (ids, labels, version, keywords, …), a value YAML reads as a number, yes/no or
    a date is the text as written (``id: no``, ``version: 1.10``, ``keywords: [2024-01-01]``); .nan/.inf and
    ``!!binary`` values are refused, naming the field and the theme by its position only (no text of the file)."""
    _written_fields(node, data, _TOP_TEXT_KEYS, lambda key: f"'{key}'")
    themes = data.get("themes")
    for key, value in node.value:
        if key.value == "themes" and isinstance(value, yaml.SequenceNode) and isinstance(themes, list):
            for i, (item, raw) in enumerate(zip(value.value, themes)):
                if isinstance(item, yaml.MappingNode) and isinstance(raw, dict):  # by position: no uploaded text
                    _written_fields(item, raw, _THEME_TEXT_KEYS, lambda key, i=i: f"theme #{i + 1}: '{key}'")


def _written_fields(node: yaml.MappingNode, data: dict, keys: Sequence[str], where: Callable[[str], str]) -> None:
    """:func:`_written` for ``keys`` of one mapping, and for each item of a list under them."""
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.value not in keys or key.value not in data:
            continue
        if isinstance(value, yaml.SequenceNode) and isinstance(data[key.value], list):
            items = data[key.value]
            for j, (item_node, item) in enumerate(zip(value.value, items)):
                items[j] = _written(item_node, item, f"{where(key.value)} item {j + 1}")
        else:
            data[key.value] = _written(value, data[key.value], where(key.value))


def _written(node: yaml.Node, value: Any, where: str) -> Any:
    """The text of a scalar as written when YAML read it as a number, bool, date or time (``1.10``, ``no``,
    ``2024-01-01``); a .nan/.inf or ``!!binary`` value is refused; anything else is ``value`` itself."""
    if not isinstance(node, yaml.ScalarNode):
        return value
    if isinstance(value, bytes):
        raise CodebookError(f"{where}: a YAML !!binary value (bytes); expected plain text")
    if isinstance(value, float) and not math.isfinite(value):
        shown = node.value if re.fullmatch(r"[-+]?\.(nan|inf)", node.value, re.IGNORECASE) else "the value"
        raise CodebookError(f"{where}: YAML reads {shown} as a number that is not finite (not a number or infinity), "
                            f"not as text; write the text in quotes, or leave it out")
    if isinstance(value, bool | int | float | datetime.date):
        return node.value
    return value


def _refuse_duplicate_keys(node: yaml.MappingNode, where: str) -> None:
    """A key given twice in one mapping (YAML keeps the last silently, e.g. a second ``types: []``) is refused,
    naming both lines."""
    first: dict[Any, int] = {}
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode):
            continue
        line = key.start_mark.line + 1
        if key.value in first:
            raise CodebookError(f"{where}key {key.value!r} is given twice (lines {first[key.value]} and {line}); "
                                f"expected it once")
        first[key.value] = line


def _text(value: Any) -> str:
    """A codebook text as it is kept (and hashed): NFC, whitespace runs (double spaces, CR/LF, tabs) one space,
    stripped — so a description pasted from Word or saved with CRLF is the same codebook as the one typed."""
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


def _str_list(value: Any, where: str, *, split_hint: bool = False, text: Callable[[Any], str] = _text) -> tuple[str, ...]:
    """A list of strings (one string is a list of one). ``split_hint``: a string with ',' or ';' is refused (the
    YAML ``keywords: a, b`` is one string, not a list)."""
    if value is None:
        return ()
    if _missing(value):
        _one_text(value, where)
    if isinstance(value, str):
        if split_hint and re.search(r"[,;]", value):
            parts = ", ".join(p.strip() for p in re.split(r"[,;]", value) if p.strip())
            example = "[telefon, telefonkø]" if _holds_personal_data(parts) else f"[{parts}]"
            raise CodebookError(f"{where} must be a list, e.g. {example}; got one string with separators")
        value = [value]
    if not isinstance(value, Sequence):
        raise CodebookError(f"{where} must be a list of strings")
    out = []
    for j, v in enumerate(value, start=1):
        v = _one_text(v, f"{where} item {j}")
        if not isinstance(v, str | int | float) or isinstance(v, bool):
            raise CodebookError(f"{where} must contain strings, got {_quoted(v)}")
        s = text(v)
        if s:
            out.append(s)
    return tuple(out)


def _parse_theme(raw: Any, i: int, text: Callable[[Any], str] = _text) -> Theme:
    if not isinstance(raw, Mapping):
        raise CodebookError(f"theme #{i + 1} must be a mapping with 'id' and 'label', got {_quoted(raw)}")
    raw = {**raw, "id": _one_text(raw.get("id"), f"theme #{i + 1}: 'id'")}
    tid = str(raw.get("id") or "").strip()
    where = f"theme #{i + 1}" + ("" if tid and _holds_personal_data(tid) else f" ({tid or 'no id'})")
    raw.update({key: _one_text(raw[key], f"{where}: '{key}'") for key in ("label", "description", "parent")
                if key in raw})
    if not tid:
        raise CodebookError(f"{where}: missing 'id'")
    unknown = set(raw) - _THEME_KEYS
    if unknown:
        raise CodebookError(f"{where}: unknown key(s) {sorted(unknown)}; expected some of {sorted(_THEME_KEYS)}")
    exclusive = raw.get("exclusive", False)
    if exclusive is None:
        exclusive = False
    if not isinstance(exclusive, bool):
        raise CodebookError(f"{where}: 'exclusive' must be true or false, got {_quoted(exclusive)}")
    parent = raw.get("parent")
    for key in ("label", "description"):
        v = raw.get(key)
        if isinstance(v, bool | datetime.date):
            raise CodebookError(f"{where}: '{key}' must be a string, got {type(v).__name__}")
    if parent is not None and (not isinstance(parent, str | int) or isinstance(parent, bool)):
        raise CodebookError(f"{where}: 'parent' must be a theme id (a string), got {type(parent).__name__}")
    return Theme(
        id=tid,
        label=text(raw.get("label") or ""),
        description=text(raw.get("description") or ""),
        keywords=_str_list(raw.get("keywords"), f"{where}: 'keywords'", split_hint=True, text=text),
        examples=_str_list(raw.get("examples"), f"{where}: 'examples'", text=text),
        parent=str(parent).strip() if parent not in (None, "") else None,
        exclusive=exclusive,
        replaces=_replaces(raw.get("replaces"), where),
    )


def _replaces(value: Any, where: str) -> tuple[str, ...]:
    """A theme's ``replaces``: one theme id or a list of ids (checked as ids on build: :func:`_check_replaces`)."""
    if value is not None and (_missing(value) or isinstance(value, np.generic)):
        value = _one_text(value, f"{where}: 'replaces'")
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if value is not None and not isinstance(value, str | Sequence) or isinstance(value, bytes | bool):
        raise CodebookError(f"{where}: 'replaces' must be a theme id or a list of theme ids, e.g. [kontaktperson], "
                            f"got {type(value).__name__}")
    return tuple(x.strip() for x in _str_list(value, f"{where}: 'replaces'", split_hint=True, text=_text))


def ascii_id(text: str) -> str:
    """The one transliteration for theme ids (validator suggestions and ``textmine discover`` drafts alike):
    lower-case, æ -> ae, ø -> o, å -> aa, other accents dropped, any other character run -> '_'
    (``"Ventetid på telefon"`` -> ``"ventetid_paa_telefon"``); may be empty."""
    import unicodedata

    s = text.lower().replace("æ", "ae").replace("ø", "o").replace("å", "aa")
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_")


def _suggest_id(tid: str) -> str:
    """A valid id close to ``tid`` (for error messages), spelt as :func:`ascii_id` spells it."""
    s = ascii_id(tid)
    return s if _ID_RE.match(s) else f"theme_{s}".rstrip("_")


def _validate(cb: Codebook) -> None:
    """Refuse a malformed codebook; a theme whose id (or parent) holds personal data is named by its place."""
    if not cb.name:
        raise CodebookError("codebook is missing 'name'")
    if not cb.themes:
        raise CodebookError(f"codebook {cb.name!r} has no themes")
    seen: set[str] = set()
    for i, t in enumerate(cb.themes):
        if not _ID_RE.match(t.id):
            hint = "" if _holds_personal_data(t.id) else f", e.g. {_suggest_id(t.id)!r}"  # a hint would repeat it
            raise CodebookError(f"{_theme_name(t.id, i)}: id must be ASCII lower-case letters a-z, digits and '_' (it "
                                f"becomes a column name theme_<id>){hint}")
        if t.id in seen:
            raise CodebookError(f"{_theme_name(t.id, i)}: duplicate theme id")
        seen.add(t.id)
        if not t.label:
            raise CodebookError(f"{_theme_name(t.id, i)}: missing 'label'")
    parents = {t.parent for t in cb.themes if t.parent}
    for i, t in enumerate(cb.themes):  # a parent may only group its children: it is coded from them (rollup)
        if not (t.description or t.keywords or t.examples or t.id in parents):
            raise CodebookError(f"{_theme_name(t.id, i)}: empty theme (needs a description, keywords or examples)")
    _refuse_duplicate_labels(cb)
    _warn_duplicate_keywords(cb)
    if len(cb.themes) == 1 and cb.themes[0].exclusive:
        raise CodebookError(f"{_theme_name(cb.themes[0].id, 0)}: the only theme is exclusive ('never with another "
                            f"theme'), which needs other themes; add the themes it stands apart from, or drop "
                            f"'exclusive: true'")
    seen_types: dict[str, str] = {}
    for ty in cb.types:  # labels match types case-insensitively, so "Klage" and "klage" are the same type
        if ty.casefold() in seen_types:
            twice = (f"{_quoted(ty)} is listed twice" if seen_types[ty.casefold()] == ty
                     else f"{_quoted(seen_types[ty.casefold()])} and {_quoted(ty)} are the same type")
            raise CodebookError(f"'types': {twice}; expected each type once, e.g. [klage, ønske, ros]")
        seen_types[ty.casefold()] = ty
    _check_parents(cb)
    _check_replaces(cb)


def _check_replaces(cb: Codebook) -> None:
    """Each ``replaces`` names a theme id of an earlier version: a valid id, not the theme itself, not a theme this
    codebook still has, and no id replaced twice (by two themes, or listed twice)."""
    ids = {t.id for t in cb.themes}
    by: dict[str, int] = {}
    for i, t in enumerate(cb.themes):
        where = f"{_theme_name(t.id, i)}: 'replaces'"
        for old in t.replaces:
            shown = _quoted(old)
            if not _ID_RE.match(old):
                raise CodebookError(f"{where}: {shown} is not a theme id (ASCII lower-case letters a-z, digits and "
                                    f"'_'); expected the id of a theme of an earlier codebook version")
            if old == t.id:
                raise CodebookError(f"{where}: a theme cannot replace itself; list the earlier version's id(s) "
                                    f"it continues, or leave 'replaces' out")
            if old in ids:
                raise CodebookError(f"{where}: {shown} is still a theme of this codebook; 'replaces' names only "
                                    f"themes of an earlier version that this one no longer has")
            if old in by:
                first = by[old]
                twice = ("listed twice" if first == i else
                         f"also replaced by {_theme_name(cb.themes[first].id, first)}")
                raise CodebookError(f"{where}: {shown} is {twice}; an earlier theme is continued by one theme "
                                    f"only (a split is two new themes without 'replaces')")
            by[old] = i


def _check_parents(cb: Codebook) -> None:
    """Each parent is another theme's id; no cycles; an exclusive theme has neither parent nor children."""
    by_id = {t.id: t for t in cb.themes}
    pos = {t.id: i for i, t in enumerate(cb.themes)}
    for i, t in enumerate(cb.themes):
        if t.parent is None:
            continue
        if t.parent == t.id:
            raise CodebookError(f"{_theme_name(t.id, i)}: is its own parent")
        if t.parent not in by_id:
            others = ", ".join(tid if not _holds_personal_data(tid) else f"theme #{pos[tid] + 1}"
                               for tid in by_id if tid != t.id)
            shown = (f"({len(t.parent)} characters, not shown: it looks like personal data)"
                     if _holds_personal_data(t.parent)
                     else f"{t.parent!r}{_did_you_mean(t.parent, by_id)}")
            raise CodebookError(f"{_theme_name(t.id, i)}: unknown parent {shown}; 'parent' is the id of another "
                                f"theme, one of: {others}")
    for t in cb.themes:  # cycles
        path, cur = [t.id], t.parent
        while cur is not None:
            if cur in path:
                shown = [_theme_ref(tid, pos[tid]).strip("'") for tid in path + [cur]]
                raise CodebookError(f"parent cycle: {' -> '.join(shown)}")
            path.append(cur)
            cur = by_id[cur].parent
    for i, t in enumerate(cb.themes):
        if t.exclusive and (t.parent or any(c.parent == t.id for c in cb.themes)):
            raise CodebookError(f"{_theme_name(t.id, i)}: an exclusive theme cannot have a parent or children")


def _did_you_mean(value: str, ids: Iterable[str]) -> str:
    """A hint naming the id that ``value`` spells another way (case, æøå) or comes close to; else empty."""
    import difflib

    ids = list(ids)
    for tid in ids:
        if (value.casefold() == tid.casefold() or ascii_id(value) == tid) and not _holds_personal_data(tid):
            return f" (did you mean {tid!r}?)"
    close = difflib.get_close_matches(ascii_id(value) or value.casefold(), ids, n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close and not _holds_personal_data(close[0]) else ""


def _refuse_duplicate_labels(cb: Codebook) -> None:
    """Two themes with one label (case and spacing ignored) cannot be told apart by readers or coders."""
    seen: dict[str, int] = {}
    for i, t in enumerate(cb.themes):
        key = " ".join(t.label.casefold().split())
        if key in seen:
            first = cb.themes[seen[key]].id
            raise CodebookError(f"themes {_theme_ref(first, seen[key])} and {_theme_ref(t.id, i)} have the same label; "
                                f"give each theme its own label (readers see labels, not ids)")
        seen[key] = i


def _warn_duplicate_keywords(cb: Codebook) -> None:
    """A ``UserWarning`` naming the themes whose keyword lists are the same (case and order ignored): their keyword
    evidence cannot tell them apart."""
    import warnings

    seen: dict[frozenset[str], int] = {}
    for i, t in enumerate(cb.themes):
        key = frozenset(k.casefold() for k in t.keywords)
        if not key:
            continue
        if key in seen:
            first = cb.themes[seen[key]].id
            warnings.warn(f"codebook {cb.name!r}: themes {_theme_ref(first, seen[key])} and {_theme_ref(t.id, i)} have "
                          f"the same keywords; keywords cannot tell them apart (give each its own)", UserWarning,
                          stacklevel=5)
        else:
            seen[key] = i
