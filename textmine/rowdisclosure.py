"""Row-level disclosure control: which segment values of comment rows (one row per respondent × question, as in the
workbook's «Kodede svar», the .sav and the quotes' attributions) are blanked so that no level or combination of
levels holds fewer than ``min_cell`` commenters. One rule for the row-level exports (:mod:`textmine.report.excel`)
and the quotes (:func:`textmine.quotes.export_shown_segments`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .summary import secondary_levels


def level_key(v) -> str:
    """A cell as the survey definition writes its levels: 2.0 → "2"."""
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)


def neutral_row_levels(rows: pd.DataFrame, names, columns) -> pd.DataFrame:
    """``rows`` with each value of the segment ``columns`` that ``names`` (``{(column, level): neutral label}``, the
    report's :func:`textmine.report.views.small_level_names`) renames under its neutral label («Liten gruppe 2»), as
    in the tables: a row-level export that kept «Kontor Vest» with 47 rows beside «Liten gruppe 2» with base 47 in
    the tables would give the numbering back. Blank values stay blank."""
    if not names or rows.empty:
        return rows
    out = rows
    for column in columns:
        mapping = {level: _capital(label) for (c, level), label in names.items() if c == column}
        if not mapping or column not in out.columns:
            continue
        keys = out[column].map(lambda v: None if pd.isna(v) else level_key(v))
        hit = keys.isin(list(mapping)).to_numpy()
        if hit.any():
            out = out.copy() if out is rows else out
            out[column] = out[column].astype(object).where(~hit, keys.map(mapping))
    return out


def _capital(text: str) -> str:
    """«liten gruppe 2» → «Liten gruppe 2», as the report's tables write the neutral labels."""
    return text[:1].upper() + text[1:]


def blank_small_cells(out: pd.DataFrame, segments: list[str], min_cell: int) -> np.ndarray:
    """Blank small cells' segment values in ``out`` (in place), each wave on its own (a wave's blanks never depend on
    another wave's rows); then a respondent id shown in several waves has a value blanked in one wave blanked in all
    its rows (the rows show the id, so its other wave would give the value back), and the waves are checked again,
    until nothing more is blanked. Returns the rows with any value blanked. See :func:`_blank_small_cells_all`."""
    if "wave" not in out.columns or out["wave"].nunique(dropna=False) <= 1:
        return _blank_small_cells_all(out, segments, min_cell)
    segments = [c for c in segments if c in out.columns]
    before = {c: out[c].notna().to_numpy() for c in segments}
    changed = np.zeros(len(out), dtype=bool)
    while True:
        changed |= _blank_per_wave(out, segments, min_cell)
        spread = _blank_across_waves(out, segments, before)
        if not spread.any():
            return changed
        changed |= spread


def _blank_per_wave(out: pd.DataFrame, segments: list[str], min_cell: int) -> np.ndarray:
    """:func:`_blank_small_cells_all` on each wave's rows (in place); returns the rows with a value blanked."""
    changed = np.zeros(len(out), dtype=bool)
    for _, pos in out.groupby(out["wave"].map(_key_text), sort=False).indices.items():
        part = out.iloc[pos].copy()
        changed[pos] = _blank_small_cells_all(part, segments, min_cell)
        for c in segments:
            col = out[c].astype(object)
            col.iloc[pos] = part[c].astype(object).to_numpy()
            out[c] = col
    return changed


def _blank_across_waves(out: pd.DataFrame, segments: list[str], before: dict[str, np.ndarray]) -> np.ndarray:
    """A segment value blanked (shown in ``before``, blank now) in any row of a respondent id is blanked in every row
    with that id, whatever the wave (in place); returns the rows newly blanked."""
    spread = np.zeros(len(out), dtype=bool)
    if "respondent_id" not in out.columns:
        return spread
    ids = out["respondent_id"].map(_key_text).to_numpy(dtype=object)
    has_id = out["respondent_id"].notna().to_numpy()  # (rows without an id link to nothing)
    for c in segments:
        shown = out[c].notna().to_numpy()
        blanked = before[c] & ~shown & has_id
        if not blanked.any():
            continue
        rows = np.isin(ids, ids[blanked]) & shown & has_id
        if rows.any():
            out[c] = out[c].astype(object).where(~rows, None)
            spread |= rows
    return spread


def _blank_small_cells_all(out: pd.DataFrame, segments: list[str], min_cell: int) -> np.ndarray:
    """Blank small cells' segment values in ``out`` (in place); returns the rows with any value blanked.

    Single segments (:func:`_blank_small_levels`) and combinations of segments (:func:`_blank_small_combinations`)
    in turn until neither blanks anything more (a combination's blanks can make a single level small)."""
    changed = np.zeros(len(out), dtype=bool)
    if not segments or not len(out) or min_cell <= 1:
        return changed
    rows = _RowKeys.of(out)
    shown = None
    while True:
        changed |= _blank_small_levels(out, segments, min_cell, rows)
        if len(segments) > 1:
            changed |= _blank_small_combinations(out, segments, min_cell, rows)
        now = int(out[segments].notna().to_numpy().sum())
        if now == shown:
            return changed
        shown = now


class _RowKeys:
    """Per-row keys of the row-level rows: the table cell (wave × question), the commenter (respondent id of a row
    with a real comment, else None: the tables count commenters) and the respondent (wave × id)."""

    def __init__(self, group: pd.DataFrame, commenter: pd.Series, person: np.ndarray):
        self.group, self.commenter, self.person = group, commenter, person

    @classmethod
    def of(cls, out: pd.DataFrame) -> "_RowKeys":
        cols = [c for c in ("wave", "question") if c in out.columns]
        group = pd.DataFrame({c: out[c].map(_key_text) for c in cols}, index=out.index)
        ids = out["respondent_id"] if "respondent_id" in out.columns else pd.Series(range(len(out)), index=out.index)
        ids = ids.map(_key_text)
        # commenters, as the tables count them: rows with a real comment (non-answers and blanks shown, not counted)
        real = np.ones(len(out), dtype=bool)
        if "is_non_answer" in out.columns:
            real &= pd.to_numeric(out["is_non_answer"], errors="coerce").fillna(0).to_numpy() == 0
        if "text_clean" in out.columns:
            real &= np.array([isinstance(t, str) and bool(t.strip()) for t in out["text_clean"].to_numpy()], dtype=bool)
        # a respondent: the same id in the same wave (a respondent has one row per question answered)
        wave = group["wave"] if "wave" in group.columns else pd.Series("", index=out.index)
        person = pd.factorize(pd.Series(list(zip(wave, ids)), index=out.index))[0]
        return cls(group, ids.where(real, None), person)

    def whole_respondents(self, rows: np.ndarray) -> np.ndarray:
        """``rows`` grown to every row of each respondent with a row in it."""
        return np.isin(self.person, self.person[rows]) if rows.any() else rows


def _blank_small_levels(out: pd.DataFrame, segments: list[str], min_cell: int, rows: _RowKeys) -> np.ndarray:
    """One segment at a time: blank the levels with fewer than ``min_cell`` commenters (per wave × question), the next
    smallest level with a single small one, per respondent (in place); returns the rows with a value blanked."""
    changed = np.zeros(len(out), dtype=bool)
    group = list(rows.group.columns)
    for c in segments:
        values = out[c].astype(object)
        present = values.notna().to_numpy()
        keys = rows.group.assign(**{"_seg": values.map(_key_text), "_id": rows.commenter})
        count = keys.groupby(group + ["_seg"], sort=False, dropna=False)["_id"].transform("nunique").to_numpy()
        small = (count < min_cell) & present
        # secondary rule, per wave × question: one small level → the next smallest level (by commenters) too
        pos = np.flatnonzero(present)
        if len(pos):
            cell = keys.iloc[pos][group + ["_seg"]].reset_index(drop=True).assign(_n=count[pos], _pos=pos)
            parts = cell.groupby(group, sort=False, dropna=False) if group else [(None, cell)]
            for _, part in parts:
                levels = part.groupby("_seg", sort=False)["_n"].first()
                n = levels.to_numpy()  # (every level here has rows, even one whose rows are all non-answers)
                extra = secondary_levels(n, n < min_cell, present=np.ones(len(n), dtype=bool), min_cell=min_cell)
                for level in levels.index[extra]:
                    small[part["_pos"].to_numpy()[part["_seg"].to_numpy() == level]] = True
        # per respondent: blanked in one of their rows → blanked in all of them
        small = rows.whole_respondents(small) & present
        if small.any():
            changed |= small
            out[c] = values.where(~small, None)
    return changed


#: up to this many segment columns every combination of two or more of them is checked; with more, the pairs and the
#: full combination (the number of combinations grows as 2^k)
ALL_COMBINATIONS_UP_TO = 5


def _segment_sets(segments: list[str]) -> list[tuple[str, ...]]:
    """The combinations of segment columns the row-level rows must keep at ``min_cell`` (largest first)."""
    from itertools import combinations

    k = len(segments)
    sizes = range(k, 1, -1) if k <= ALL_COMBINATIONS_UP_TO else (k, 2)
    return [s for n in sizes for s in combinations(segments, n)]


def _blank_small_combinations(out: pd.DataFrame, segments: list[str], min_cell: int, rows: _RowKeys) -> np.ndarray:
    """Local suppression (k-anonymity, k = ``min_cell``) over combinations of segment columns: a combination of
    shown values (rows with every column of the combination shown, per wave × question) with fewer than ``min_cell``
    commenters is small. Greedily, the column in the most small combinations (ties: the most distinct levels, then
    the first) is blanked in their rows (per respondent), until no combination is small (in place); returns the
    rows with a value blanked. A row with a blanked value counts in no combination holding that column."""
    changed = np.zeros(len(out), dtype=bool)
    group = list(rows.group.columns)
    n_levels = {c: out[c].nunique(dropna=True) for c in segments}
    sets = _segment_sets(segments)
    while True:
        keys = rows.group.assign(_id=rows.commenter, **{f"_s{i}": out[c].map(_key_text) for i, c in
                                                        enumerate(segments)})
        col = {c: f"_s{i}" for i, c in enumerate(segments)}
        shown = {c: out[c].notna().to_numpy() for c in segments}
        score = dict.fromkeys(segments, 0)
        small_rows: dict[str, np.ndarray] = {c: np.zeros(len(out), dtype=bool) for c in segments}
        for combo in sets:
            vis = np.logical_and.reduce([shown[c] for c in combo])
            if not vis.any():
                continue
            part = keys[vis]
            by = group + [col[c] for c in combo]
            count = part.groupby(by, sort=False, dropna=False)["_id"].transform("nunique").to_numpy()
            small = count < min_cell
            if not small.any():
                continue
            n_small = len(part[small].drop_duplicates(by))
            mask = np.zeros(len(out), dtype=bool)
            mask[np.flatnonzero(vis)[small]] = True
            for c in combo:
                score[c] += n_small
                small_rows[c] |= mask
        if not any(score.values()):
            return changed
        best = max(segments, key=lambda c: (score[c], n_levels[c], -segments.index(c)))
        blank = rows.whole_respondents(small_rows[best]) & shown[best]
        out[best] = out[best].astype(object).where(~blank, None)
        changed |= blank


def _key_text(v) -> str:
    """A cell as a grouping key: missing values one level of their own."""
    try:
        if v is None or pd.isna(v):
            return "\x00"
    except (TypeError, ValueError):
        pass
    return level_key(v)
