"""Quote selection: 3–6 representative, mutually diverse, redacted comments per theme with an attribution
line from the respondent's segments ("Privat virksomhet, 10–49 ansatte, Vestland").

Representative = close to the theme's centroid in embedding space; diverse = maximal marginal relevance
(MMR). Only redacted text (``text_clean``) is ever used, with a second regex redaction pass as a safety
net. Comments flagged for health data, non-answers, and respondents in suppressed cells are never quoted.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any, Callable, Collection, Mapping, Sequence

import numpy as np
import pandas as pd

from textmine.preprocess.health import default_flagger
from textmine.preprocess.wordlists import read_list
from textmine.preprocess.redact import NameLists, Redactor, personal_number_type

__all__ = ["Quote", "select_quotes", "resolve_embedder", "LexicalFallbackEmbedder", "safe_quote_text", "mmr"]

PLACEHOLDER = "«…»"
_WS = re.compile(r"\W+")
_MARKER = re.compile(r"\[[A-ZÆØÅ]{3,}\]")  # a redaction marker ([NAVN], [TELEFON] …)

_PII_PATTERNS: list[tuple[re.Pattern, Callable[[re.Match], str] | None]] = [
    # (pattern, replacement): None = one placeholder; a function decides (checksum gate, several parts)
    (re.compile(r"[\w.+-]+ ?@ ?[\w-]+(?:\.[\w-]+)+"), None),  # e-mail, also "kari.nordmann @ firma.no"
    (re.compile(r"(?<![\w-])(?i:no) ?\d{2}(?: ?\d{4}){2} ?\d{3}(?!\d)"), None),  # IBAN NO93 8601 1117 947
    (re.compile(r"(?<!\d)\d{6}[ .-]?\d{5}(?!\d)"), None),  # fødselsnummer / d-nummer, also "fnr/..." "ID..."
    (  # fødselsnummer in date groups "01 01 90 10046", "01.01.90.10046" (checksum + date, not a plain date)
        re.compile(r"(?<![\d/])\d{2}[ .-]\d{2}[ .-]\d{2}[ .-]?\d{5}(?!\d)"),
        lambda m: PLACEHOLDER if personal_number_type(re.sub(r"\D", "", m.group(0))) else m.group(0),
    ),
    # kontonummer 1234.56.78901 / 1234-56-78903 (not "2023-10-12345")
    (re.compile(r"(?<![\d/])(?:\d{4}[ .]\d{2}[ .]|(?!(?:19|20)\d\d-)\d{4}-\d{2}-)\d{5}(?!\d)"), None),
    (  # phone numbers joined by "/": 41234567/91234567
        re.compile(r"(?<![\d/])[2-9]\d{7}(?:/[2-9]\d{7})+(?![\d/])"),
        lambda m: "/".join(PLACEHOLDER for _ in m.group(0).split("/")),
    ),
    (re.compile(r"(?<![\d/])(?:\+47[ ]?|0047[ ]?)?(?:\d{2}[ ]?\d{2}[ ]?\d{2}[ ]?\d{2}|\d{3}[ ]?\d{2}[ ]?\d{3})(?![\d])"), None),  # telefon
]


@dataclass(frozen=True)
class Quote:
    """One selected quote. ``respondent_id`` is for traceability inside the system only."""

    text: str
    attribution: str
    theme: str | None
    question: str | None
    respondent_id: str
    score: float
    rank: int

    def to_dict(self, *, with_id: bool = False) -> dict[str, Any]:
        d = asdict(self)
        if not with_id:
            d.pop("respondent_id")
        return d


# the redactor's link and birth-date rules without name lists: conservative (a link that names someone only by a
# slug, "/om-oss/kari-nordmann", is the cleaner's to catch); stateless, so one shared instance
_LINK_DATE_REDACTOR = Redactor(names=NameLists(first=frozenset(), last=frozenset(), ambiguous=frozenset(),
                                               blocked=frozenset(), cues_before=frozenset(), max_cue_len=1),
                               public_pages=frozenset(p.lower() for p in read_list("public_pages.txt")))


def safe_quote_text(text: str) -> str:
    """Safety-net redaction on top of ``text_clean``: personal links, birth dates after a birth cue, e-mail,
    fødselsnummer/d-nummer, account and phone numbers.

    Numbers that are not personal data ("kr 12 500", "2023/123456", "08:00 - 16:00"), dates without a birth cue
    and organisational links ("nav.no/sykepenger") are left alone.
    """
    out = _LINK_DATE_REDACTOR.mask_links_and_birth_dates(str(text))  # first: a link goes whole, not piecewise
    for pat, repl in _PII_PATTERNS:
        out = pat.sub(repl or PLACEHOLDER, out)
    return out


def _shorten(text: str, max_chars: int) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars]
    sentence = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
    if sentence >= max_chars * 0.6:
        return cut[: sentence + 1] + " […]"
    space = cut.rfind(" ")
    return (cut[:space] if space > 0 else cut).rstrip(",;:- ") + " […]"


class LexicalFallbackEmbedder:
    """Word uni/bigram TF-IDF vectors (L2-normalised), fitted on the texts it encodes; no model needed."""

    name = "lexical-fallback"
    version = "1"
    dimension = 0

    def encode(self, texts: Sequence[str], *, batch_size: int = 64, show_progress: bool = False) -> np.ndarray:
        from sklearn.feature_extraction.text import TfidfVectorizer

        texts = [str(t).lower() for t in texts]
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        vec = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, min_df=1)
        try:
            m = vec.fit_transform(texts)
        except ValueError:  # only stop-chars
            return np.zeros((len(texts), 1), dtype=np.float32)
        return m.astype(np.float32)  # sparse, rows already L2-normalised


def resolve_embedder(embedder: Any = None):
    """An Embedder object as is; ``"fallback"``/``"lexical"`` → :class:`LexicalFallbackEmbedder`; another spec string
    via ``textmine.embed.get_embedder``; None = the default (e5) embedder when it can be built, else the fallback."""
    if embedder is not None and not isinstance(embedder, str) and hasattr(embedder, "encode"):
        return embedder
    if embedder in ("fallback", "lexical-fallback", "lexical"):  # fitted per call on the candidates
        return LexicalFallbackEmbedder()
    try:
        from .embed import get_embedder  # type: ignore

        return get_embedder(embedder or "e5")
    except Exception:  # noqa: BLE001 - any failure to build the default → lexical fallback
        if embedder not in (None, "e5", "auto"):
            raise
        return LexicalFallbackEmbedder()


def _dot(a, b) -> np.ndarray:
    r = a @ b.T
    r = r.toarray() if hasattr(r, "toarray") else np.asarray(r)
    return np.asarray(r, dtype=float)


def mmr(vectors, k: int, *, diversity: float = 0.5) -> list[int]:
    """Greedy maximal marginal relevance: relevance = cosine to the centroid, penalty = max cosine to picks."""
    n = vectors.shape[0]
    if n == 0 or k <= 0:
        return []
    centroid = np.asarray(vectors.mean(axis=0)).ravel()
    norm = np.linalg.norm(centroid)
    rel = _dot(vectors, centroid[None, :] / (norm if norm > 0 else 1)).ravel()
    sim = _dot(vectors, vectors)
    picked = [int(np.argmax(rel))]
    while len(picked) < min(k, n):
        penalty = sim[:, picked].max(axis=1)
        score = (1 - diversity) * rel - diversity * penalty
        score[picked] = -np.inf
        picked.append(int(np.argmax(score)))
    return picked


def _eligible_mask(eligible: Any, df: pd.DataFrame) -> np.ndarray:
    """``eligible`` as a boolean array over the rows of ``df``: paired by position, so a pandas Series with
    another index than ``df`` (filtered or re-sorted) and a mask of another length are refused."""
    if isinstance(eligible, pd.Series) and not eligible.index.equals(df.index):
        raise ValueError("eligible is a pandas Series with another index than the coded frame; rows are paired by "
                         "position, so align it first (e.g. eligible.loc[coded.index], or .reset_index(drop=True) "
                         "on both)")
    keep = np.asarray(eligible, dtype=bool).copy()
    if keep.shape != (len(df),):
        raise ValueError(f"eligible has shape {keep.shape}; expected one value per row of the coded frame "
                         f"({len(df)})")
    return keep


def select_quotes(
    coded: pd.DataFrame,
    *,
    theme: str | None = None,
    question: str | None = None,
    respondents: pd.DataFrame | None = None,
    survey: Any = None,
    k: int = 5,
    embedder: Any = None,
    vectors: Any = None,
    attribute: Callable[[Mapping[str, Any]], str] | None = None,
    is_suppressed: Callable[[Mapping[str, Any]], bool] | None = None,
    eligible: Any = None,
    excluded_ids: Collection[str] = (),
    min_chars: int = 40,
    max_chars: int = 280,
    diversity: float = 0.5,
    max_candidates: int = 300,
    seed: int = 0,
) -> list[Quote]:
    """Pick ``k`` (clamped to 3–6) quotes for ``theme`` (a ``theme_<id>`` column; None = all comments).

    ``coded`` has ``respondent_id``, ``text_clean`` and optionally ``question``, ``is_non_answer``,
    ``health_flag``, ``needs_review``, ``corrected`` and ``theme_<id>``. Non-answers and comments with
    special-category data (``health_flag``, and the flagger re-run on the redacted text) are never quoted; for a theme, neither is a comment the coder sent to review (``needs_review`` 1) unless a
    human corrected its codes (``corrected`` 1): a quote must show the theme, not a likely miscoding. ``respondents`` (with ``survey``) supplies segment columns for the
    attribution line; ``attribute(row)`` overrides how it is built and ``is_suppressed(row)`` drops
    respondents in suppressed cells; ``eligible`` (a boolean mask aligned with ``coded``: a Series must have
    ``coded``'s index) does the same vectorised. ``vectors`` (rows aligned with ``coded``) skips encoding.
    Fewer than 3 quotes come back only when fewer eligible comments exist.
    """
    k = int(min(max(k, 3), 6))
    df = coded
    if "text_clean" not in df:
        raise KeyError("coded frame needs a text_clean column (redacted text); raw text is never quoted")
    keep = np.ones(len(df), dtype=bool) if eligible is None else _eligible_mask(eligible, df)
    if question is not None and "question" in df:
        keep &= (df["question"].astype(str) == str(question)).to_numpy()
    if theme is not None:
        col = theme if theme.startswith("theme_") else f"theme_{theme}"
        if col not in df:
            raise KeyError(f"coded frame has no column {col!r}")
        keep &= pd.to_numeric(df[col], errors="coerce").fillna(0).to_numpy() == 1
    for flag in ("is_non_answer", "health_flag"):
        if flag in df:
            keep &= pd.to_numeric(df[flag], errors="coerce").fillna(0).to_numpy() == 0
    if theme is not None and "needs_review" in df:  # a theme is quoted only from comments it surely has
        unsure = pd.to_numeric(df["needs_review"], errors="coerce").fillna(0).to_numpy() == 1
        if "corrected" in df:  # a human's code stands, whatever the coder's confidence was
            unsure &= pd.to_numeric(df["corrected"], errors="coerce").fillna(0).to_numpy() == 0
        keep &= ~unsure
    idx = np.flatnonzero(keep)
    text_all = df["text_clean"].to_numpy(dtype=object)
    id_all = df["respondent_id"].to_numpy(dtype=object)
    texts = np.asarray([("" if v is None or v != v else str(v)).strip() for v in text_all[idx]], dtype=object)
    ids_sub = np.asarray([str(v) for v in id_all[idx]], dtype=object)
    ok = np.asarray([len(t) > 0 for t in texts], dtype=bool)
    if excluded_ids:
        ex = {str(x) for x in excluded_ids}
        ok &= np.asarray([i not in ex for i in ids_sub], dtype=bool)
    idx, texts, ids_sub = idx[ok], texts[ok], ids_sub[ok]
    if len(idx) == 0:
        return []

    seg = None
    if respondents is not None and survey is not None:
        r = respondents.copy()
        r["_rid"] = r[survey.id_column].astype(str)
        seg = r.drop_duplicates("_rid").set_index("_rid")

    def row_of(j: int) -> dict:
        row = {"respondent_id": ids_sub[j]}
        if seg is not None and ids_sub[j] in seg.index:
            row.update(seg.loc[ids_sub[j]].to_dict())
        return row

    if is_suppressed is not None:
        ok = np.asarray([not is_suppressed(row_of(j)) for j in range(len(idx))], dtype=bool)
        idx, texts, ids_sub = idx[ok], texts[ok], ids_sub[ok]
    if len(idx) == 0:
        return []

    lengths = np.asarray([len(t) for t in texts])
    readable = (lengths >= min_chars) & (lengths <= max_chars * 1.5)
    unmarked = readable & np.asarray([not _MARKER.search(t) for t in texts], dtype=bool)
    if unmarked.sum() >= k:  # a quote for publication reads better without «[FØDSELSNUMMER]» in it
        sel = np.flatnonzero(unmarked)
    elif readable.sum() >= k:
        sel = np.flatnonzero(readable)
    else:  # relax: anything of at least 15 characters, preferring the readable ones
        sel = np.flatnonzero(lengths >= min(15, min_chars))
        if len(sel) == 0:
            sel = np.arange(len(idx))
    rng = np.random.default_rng(seed)
    if len(sel) > 3 * max_candidates:  # deterministic subsample before the (slower) de-duplication
        sel = np.sort(rng.choice(sel, size=3 * max_candidates, replace=False))
    seen: set[str] = set()
    uniq = []
    flagger = default_flagger()  # re-checked with today's lists: a stored health_flag may predate them, or be missing
    for j in sel:
        key = _WS.sub(" ", texts[j].lower()).strip()
        if key not in seen:
            seen.add(key)
            if not flagger.flag(texts[j]):
                uniq.append(j)
    sel = np.asarray(uniq, dtype=int)
    if len(sel) > max_candidates:
        sel = np.sort(rng.choice(sel, size=max_candidates, replace=False))
    if vectors is not None:
        V = vectors[idx[sel]]
    else:
        V = resolve_embedder(embedder).encode([texts[j] for j in sel])
    order = mmr(V, k, diversity=diversity)
    centroid_rel = None
    if order:
        c = np.asarray(V.mean(axis=0)).ravel()
        centroid_rel = _dot(V, c[None, :] / max(np.linalg.norm(c), 1e-12)).ravel()
    qcol = df["question"].to_numpy(dtype=object) if "question" in df else None
    out = []
    for rank, o in enumerate(order, 1):
        j = int(sel[o])
        row = row_of(j)
        if attribute is not None:
            attr = attribute(row)
        elif survey is not None and seg is not None:
            attr = survey.attribution(row)
        else:
            attr = ""
        out.append(
            Quote(
                text=safe_quote_text(_shorten(texts[j], max_chars)),
                attribution=attr,
                theme=(theme[6:] if theme and theme.startswith("theme_") else theme),
                question=str(qcol[idx[j]]) if qcol is not None else question,
                respondent_id=ids_sub[j],
                score=float(centroid_rel[o]) if centroid_rel is not None else float("nan"),
                rank=rank,
            )
        )
    return out
