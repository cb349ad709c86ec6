"""Inter-coder agreement between two codings of the same comments (pure: frames in, report out).

Survey houses double-code a sample to publish reliability: two people (or a person and textmine) code the
same comments, matched on an id. :func:`intercoder_agreement` reports, per theme and overall, Cohen's kappa,
Krippendorff's alpha, F1 of the second coding against the first, the theme shares each coding gives and their
difference, agreement on the comment type and on what is a non-answer, and the list of disagreements (ids and
codes only, never text).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .codebook import parse_theme_list, shown_values
from .evaluate import cohen_kappa, evaluate_coding, json_value, krippendorff_alpha_nominal

__all__ = ["AgreementReport", "intercoder_agreement"]


@dataclass
class AgreementReport:
    """What :func:`intercoder_agreement` measures (``first`` is the reference for F1 and share differences)."""

    summary: dict[str, float]
    per_theme: pd.DataFrame  # theme, n_first, n_second, share_first, share_second, share_diff, kappa, alpha, f1
    disagreements: pd.DataFrame  # id, first_themes, second_themes, first_type, second_type

    def to_dict(self) -> dict[str, Any]:
        return {"summary": {k: json_value(v) for k, v in self.summary.items()},
                "per_theme": [{k: json_value(v) for k, v in r.items()} for r in self.per_theme.to_dict("records")],
                "disagreements": self.disagreements.to_dict("records")}

    def to_text(self) -> str:
        lines = ["theme                    n_first n_second share_first share_second   diff  kappa alpha    F1"]
        for r in self.per_theme.itertuples():
            lines.append(f"{r.theme:<24} {r.n_first:7d} {r.n_second:8d} {r.share_first:11.1%} {r.share_second:12.1%}"
                         f" {100 * r.share_diff:+5.1f}pp {r.kappa:6.2f} {r.alpha:5.2f} {r.f1:5.2f}")
        s = self.summary
        lines += ["",
                  f"units compared: {s['n_units']} (only in first: {s['n_only_first']}, only in second: "
                  f"{s['n_only_second']}); same theme set: {s['exact_match']:.1%} (example-based: "
                  f"{s['example_accuracy']:.1%}); non-answer agreement: "
                  f"{s['non_answer_agreement']:.1%}",
                  f"mean kappa {s['mean_kappa']:.3f}  mean alpha {s['mean_alpha']:.3f}  pooled alpha "
                  f"{s['pooled_alpha']:.3f}  macro-F1 {s['macro_f1']:.3f}"
                  f"  weighted F1 {s['weighted_f1']:.3f}  top-10 share difference max {100 * s['top10_share_max_diff']:.1f}"
                  f" pp, mean {100 * s['top10_share_mean_diff']:.1f} pp",
                  f"type: agreement {s['type_agreement']:.1%}, kappa {s['type_kappa']:.3f} "
                  f"(on {s['n_typed_both']} answers typed by both)"]
        return "\n".join(lines)


_WHOLE_DECIMAL = re.compile(r"([+-]?(?:0|[1-9][0-9]*))\.0+")  # "12.0": a whole-number id written as a float


def _id_key(value: Any) -> str:
    """The key an id is matched on: whole numbers as digits, whatever their type (``1``, ``1.0``, ``"1.0"`` →
    ``"1"``), so a file read with a float id column (a blank row) still matches. Other text is kept as written
    (trimmed): leading zeros are part of many ids (case numbers, postcodes), so ``"01"`` and ``"1"`` stay apart."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    text = str(value).strip()
    whole = _WHOLE_DECIMAL.fullmatch(text)
    return whole.group(1) if whole else text


def _check_ids(raw: pd.Series, ids: pd.Series, which: str, id_col: str) -> None:
    """Every row has an id, and no two rows share one — also not two spellings of one number (1 and 1.0)."""
    if (ids == "").any():
        row = int(np.flatnonzero((ids == "").to_numpy())[0])
        raise ValueError(f"{which}: row {row + 2}: column {id_col!r} is empty (every row needs an id)")
    dup = ids[ids.duplicated()].unique().tolist()
    if not dup:
        return
    shown = []
    for key in dup[:5]:
        forms = list(dict.fromkeys(str(v).strip() for v in raw[(ids == key).to_numpy()]))
        shown.append(key if len(forms) < 2 else f"{key} (written {' and '.join(forms[:3])}: whole-number ids "
                     "are matched as numbers)")
    raise ValueError(f"{which}: column {id_col!r} has duplicate ids: {', '.join(shown)}"
                     + (f" (+{len(dup) - 5} more)" if len(dup) > 5 else ""))


def _theme_cell(value: Any, at: str, themes_col: str) -> list[str]:
    """A themes cell's ids. A whole number (a column read as numbers) is that id (``10`` → ``"10"``); a decimal
    (``1.1``, from «1,10» in a ';' file) is refused: the list is lost, so the column must be read as text."""
    if isinstance(value, (float, np.floating)) and not np.isnan(value) and not float(value).is_integer():
        raise ValueError(f"{at} holds a decimal number, not theme ids (a list such as «1,10» read as a number?); "
                         f"read the column as text: read_table(..., text_cols=[{themes_col!r}])")
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
        value = _id_key(value) or None
    try:
        return parse_theme_list(value)
    except TypeError as exc:
        raise ValueError(f"{at}: {exc}") from None


def _codes(df: pd.DataFrame, which: str, id_col: str, themes_col: str, type_col: str | None,
           known: set[str], rollup: Callable[[list[str]], list[str]] | None = None) -> pd.DataFrame:
    for col in (id_col, themes_col):
        if col not in df.columns:
            raise ValueError(f"{which}: no column {col!r} (columns: {', '.join(map(str, df.columns))})")
    ids = pd.Series([_id_key(v) for v in df[id_col].tolist()], index=df.index, dtype=object)
    _check_ids(df[id_col], ids, which, id_col)
    themes = []
    for pos, v in enumerate(df[themes_col].tolist()):
        lab = _theme_cell(v, f"{which}: row {pos + 2} (id {ids.iloc[pos]}): column {themes_col!r}", themes_col)
        bad = [t for t in lab if t not in known]
        if bad:  # a value is shown only when it looks like a theme id: a misplaced comment may be personal data
            raise ValueError(f"{which}: row {pos + 2} (id {ids.iloc[pos]}): column {themes_col!r} has unknown "
                             f"theme id(s) {shown_values(bad, quote=False)}; expected ids from the codebook")
        themes.append(list(rollup(lab)) if rollup is not None else lab)
    types = ([""] * len(df) if type_col is None or type_col not in df.columns  # case is ignored: Klage is klage
             else df[type_col].astype("string").fillna("").str.strip().str.casefold().tolist())
    return pd.DataFrame({"id": ids.tolist(), "themes": themes, "type": types})


def _leading_zero_hint(a: pd.Series, b: pd.Series) -> str:
    """A hint when the ids would match without leading zeros (one file read its id column as numbers)."""
    strip = lambda s: set(s.str.lstrip("0").replace("", "0"))  # noqa: E731
    if strip(a) & strip(b):
        return ("; some ids differ only in leading zeros (e.g. 01 and 1), which are kept apart: read both id "
                "columns as text, or write them the same way")
    return ""


def intercoder_agreement(first: pd.DataFrame, second: pd.DataFrame, theme_ids: Sequence[str], *,
                         id_col: str = "id", themes_col: str = "themes", type_col: str | None = "type",
                         top_k_shares: int = 10, names: tuple[str, str] = ("first coding", "second coding"),
                         rollup: Callable[[list[str]], list[str]] | None = None) -> AgreementReport:
    """Agreement of two codings matched on ``id_col`` (units coded by only one side are counted, not compared).

    ``themes_col`` holds theme ids joined by ``;`` (empty = non-answer); ``type_col`` (optional) the comment
    type. Theme ids must be in ``theme_ids``. ``rollup`` (e.g. ``Codebook.rollup``) adds each theme's parents
    to both codings, so "telefon" and "kontakt;telefon" agree under a hierarchical codebook. Raises ``ValueError`` naming the coding (``names``, e.g. the two
    file names), row and column."""
    if isinstance(theme_ids, str):
        raise TypeError("theme_ids: expected a list of theme ids (e.g. Codebook.theme_ids), got one string")
    ids = list(theme_ids)
    known = set(ids)
    a = _codes(first, names[0], id_col, themes_col, type_col, known, rollup)
    b = _codes(second, names[1], id_col, themes_col, type_col, known, rollup)
    common = a.merge(b, on="id", suffixes=("_1", "_2"), sort=False)
    if common.empty:
        raise ValueError(f"the two codings share no {id_col!r} values (first: {len(a)} rows, second: {len(b)} rows)"
                         + _leading_zero_hint(a["id"], b["id"]))
    index = {t: j for j, t in enumerate(ids)}

    def matrix(col: str) -> np.ndarray:
        m = np.zeros((len(common), len(ids)), dtype=np.int8)
        for i, lab in enumerate(common[col]):
            m[i, [index[t] for t in lab]] = 1
        return m

    y1, y2 = matrix("themes_1"), matrix("themes_2")
    rep = evaluate_coding(y1, y2, ids, top_k_shares=top_k_shares)
    per = rep.per_theme.merge(rep.shares, on="theme")
    per_theme = pd.DataFrame({
        "theme": per["theme"], "n_first": y1.sum(0).astype(int), "n_second": y2.sum(0).astype(int),
        "share_first": per["true_share"], "share_second": per["pred_share"],
        "share_diff": per["pred_share"] - per["true_share"], "kappa": per["kappa"],
        "alpha": per["alpha"], "f1": per["f1"]})
    answered1, answered2 = y1.any(1), y2.any(1)
    t1, t2 = common["type_1"].to_numpy(dtype=object), common["type_2"].to_numpy(dtype=object)
    typed = (t1 != "") & (t2 != "")
    s = rep.summary
    summary = {
        "n_units": int(len(common)), "n_only_first": int(len(a) - len(common)),
        "n_only_second": int(len(b) - len(common)),
        "exact_match": s["exact_match"], "example_accuracy": s["example_accuracy"], "macro_f1": s["macro_f1"], "weighted_f1": s["weighted_f1"],
        "micro_f1": s["micro_f1"], "mean_kappa": s["mean_kappa"], "mean_alpha": s["mean_alpha"],
        # multi-label alpha over all theme decisions at once (every unit x theme is one pairable value)
        "pooled_alpha": (krippendorff_alpha_nominal(np.vstack([y1.ravel(), y2.ravel()]).astype(float))
                         if len(np.unique(np.concatenate([y1.ravel(), y2.ravel()]))) > 1 else float("nan")),
        "top10_share_max_diff": s["top10_share_max_abs_error"], "top10_share_mean_diff": s["top10_share_mean_abs_error"],
        "non_answer_agreement": float((answered1 == answered2).mean()),
        "n_typed_both": int(typed.sum()),
        "type_agreement": float((t1[typed] == t2[typed]).mean()) if typed.any() else float("nan"),
        "type_kappa": cohen_kappa(t1[typed], t2[typed]) if typed.any() else float("nan"),
    }
    differ = ~(y1 == y2).all(1) | (t1 != t2)
    join = lambda lab: ";".join(sorted(lab, key=index.get))  # noqa: E731 (codebook order)
    dis = common.loc[differ]
    disagreements = pd.DataFrame({"id": dis["id"].tolist(), "first_themes": [join(v) for v in dis["themes_1"]],
                                  "second_themes": [join(v) for v in dis["themes_2"]],
                                  "first_type": dis["type_1"].tolist(), "second_type": dis["type_2"].tolist()})
    return AgreementReport(summary=summary, per_theme=per_theme, disagreements=disagreements)
