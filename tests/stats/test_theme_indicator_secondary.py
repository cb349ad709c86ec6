"""Secondary suppression in the theme × indicator table (those who mention a theme against the other commenters).

Was: a row was hidden only when its own "with theme" or "without theme" group was under min_cell. Any shown row
gives the question's total for the indicator (n_mention·share_mention + n_other·share_other), and where each
comment has one theme (or the children of a parent theme) the "with theme" groups add up to that total, so the
total minus the shown themes gave back the positives of a lone hidden theme. Now one hidden row takes the next
smallest row of its breakdown with it (``suppressed_secondary``), and ``hide`` blanks its numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from textmine.summary import build_summary
from textmine.survey import SurveyDefinition

MIN_CELL = 5
CYCLE = (6, 1, 5, 2, 4, 3)


def _definition(min_cell: int = MIN_CELL, suppression: str = "hide") -> SurveyDefinition:
    return SurveyDefinition.from_dict({
        "name": "ti", "id": "rid", "wave": "aar", "min_cell": min_cell, "suppression": suppression,
        "indicators": [{"id": "helhet", "column": "q1", "scale": [1, 6]}],  # positive: 4–6
        "free_text": [{"column": "ft", "label": "Kommentar?"}]})


def _wave(sizes: dict[str, int], *, parents: dict[str, list[str]] | None = None, silent: int = 10):
    """One wave: ``sizes`` commenters per theme, one theme each (a parent also marks its children's comments),
    then ``silent`` respondents without a comment. q1 cycles through 1–6 from a place set by the theme's name."""
    themes = list(sizes) + list(parents or {})
    rows, codes = [], []
    for th, k in sizes.items():
        for j in range(k):
            rows.append({"q1": CYCLE[(j + ord(th[0])) % 6], "ft": f"Om {th} {j}"})
            codes.append({t: int(t == th or th in (parents or {}).get(t, [])) for t in themes})
    rows += [{"q1": 1 + j % 6, "ft": ""} for j in range(silent)]
    df = pd.DataFrame(rows)
    df.insert(0, "rid", [f"r{i}" for i in range(len(df))])
    df.insert(1, "aar", 2024)
    com = df.index[: len(codes)]
    coded = pd.DataFrame({"respondent_id": df.loc[com, "rid"].to_numpy(), "question": "ft",
                          "text_clean": df.loc[com, "ft"].to_numpy(), "is_non_answer": 0})
    for t in themes:
        coded[f"theme_{t}"] = [c[t] for c in codes]
    return df, coded


def _table(df, coded, **kw) -> pd.DataFrame:
    s = build_summary({2024: df}, _definition(**kw), {2024: coded}, quotes=False, drivers=False)
    return s.table("theme_indicators").set_index("theme")


def _positives(t: pd.DataFrame, col: str) -> pd.Series:
    return t[f"n_{col}"] * t[f"share_{col}"]


def _subtraction(published: pd.DataFrame, themes: list[str], total: float) -> float:
    """The attack: the total minus the positives of the shown themes of ``themes`` (the rest of the breakdown)."""
    shown = published.loc[themes]
    return total - float(_positives(shown[~shown["suppressed"]], "mention").sum())


def _total_positives(published: pd.DataFrame) -> float:
    """The question's total for the indicator, from any shown row: with theme + without theme."""
    row = published[~published["suppressed"]].iloc[0]
    return float(row["n_mention"] * row["share_mention"] + row["n_other"] * row["share_other"])


EXCLUSIVE = {"a": 2, "b": 6, "c": 12, "d": 20}  # "a" under min_cell, "b" the next smallest


def test_a_lone_hidden_theme_could_be_subtracted_from_the_total_with_primary_suppression_only():
    """The leak as it was: hide only the primary (small) rows of the full table, and the total minus the shown
    themes is exactly the hidden theme's positives."""
    df, coded = _wave(EXCLUSIVE)
    full = _table(df, coded, min_cell=1)  # nothing hidden: the true numbers
    flagged = _table(df, coded, suppression="flag")
    old = full.assign(suppressed=flagged["suppressed"] & ~flagged.get("suppressed_secondary", False))
    assert list(old.index[old["suppressed"]]) == ["a"], old[["n_mention", "n_other", "suppressed"]]
    true_a = float(_positives(full, "mention")["a"])
    assert true_a > 0
    assert _subtraction(old, list(EXCLUSIVE), _total_positives(old)) == pytest.approx(true_a)


def test_the_next_smallest_theme_is_hidden_so_the_subtraction_gives_no_single_cell():
    df, coded = _wave(EXCLUSIVE)
    full = _table(df, coded, min_cell=1)
    t = _table(df, coded)
    assert t.loc["a", "suppressed"] and not t.loc["a", "suppressed_secondary"], t.loc["a"]
    assert t.loc["b", "suppressed"] and t.loc["b", "suppressed_secondary"], t.loc["b"]  # 6: next smallest
    for th in ("c", "d"):
        assert not t.loc[th, "suppressed"] and not t.loc[th, "suppressed_secondary"], t.loc[th]
    residual = _subtraction(t, list(EXCLUSIVE), _total_positives(t))
    pos = _positives(full, "mention")
    assert residual == pytest.approx(pos["a"] + pos["b"])
    assert residual != pytest.approx(pos["a"]) and residual != pytest.approx(pos["b"])
    assert (full.loc[["a", "b"], "n_mention"] > 0).all() and (full.loc[["a", "b"], "n_other"] > 0).all()


def test_hide_mode_blanks_every_number_of_a_secondarily_hidden_row_and_flag_mode_keeps_them():
    df, coded = _wave(EXCLUSIVE)
    t = _table(df, coded)
    for th in ("a", "b"):
        for c in ("share_mention", "share_other", "n_eff_mention", "n_eff_other", "diff", "ci_low", "ci_high",
                  "p_value", "p_adjusted"):
            assert np.isnan(t.loc[th, c]), (th, c, t.loc[th, c])
        assert t.loc[th, "verdict"] == "for få svar", (th, t.loc[th, "verdict"])
    f = _table(df, coded, suppression="flag")
    assert f.loc["b", "suppressed_secondary"] and f.loc["b", "verdict"] == "for få svar"
    assert not np.isnan(f.loc["b", "share_mention"]) and np.isnan(f.loc["b", "p_adjusted"])


def test_large_rows_are_untouched():
    df, coded = _wave(EXCLUSIVE)
    full = _table(df, coded, min_cell=1)
    t = _table(df, coded)
    for th in ("c", "d"):
        for c in ("n_mention", "n_other", "share_mention", "share_other", "n_eff_mention", "n_eff_other", "diff",
                  "ci_low", "ci_high", "p_value"):
            assert t.loc[th, c] == pytest.approx(full.loc[th, c], nan_ok=True), (th, c)
        assert t.loc[th, "verdict"] != "for få svar", (th, t.loc[th, "verdict"])


def test_no_secondary_row_when_two_themes_are_small_or_none():
    df, coded = _wave({"a": 2, "b": 3, "c": 12, "d": 20})
    t = _table(df, coded)
    assert list(t.index[t["suppressed"]]) == ["a", "b"] and not t["suppressed_secondary"].any()
    df, coded = _wave({"c": 12, "d": 20, "e": 9})
    t = _table(df, coded)
    assert not t["suppressed"].any() and not t["suppressed_secondary"].any()


def test_a_lone_hidden_child_takes_its_sibling_not_only_the_smallest_theme():
    """A parent theme rolls up its children: the parent's positives minus a shown sibling would give a lone
    hidden child back, so the sibling is hidden too (here not the smallest theme overall, which goes as well)."""
    sizes = {"x": 2, "y": 10, "z": 7, "w": 20}
    df, coded = _wave(sizes, parents={"p": ["x", "y"]})
    full = _table(df, coded, min_cell=1)
    t = _table(df, coded)
    assert t.loc["x", "suppressed"] and not t.loc["x", "suppressed_secondary"]
    assert t.loc["z", "suppressed_secondary"], "the next smallest of all themes"
    assert t.loc["y", "suppressed_secondary"], "the hidden child's sibling"
    assert not t.loc["p", "suppressed"] and not t.loc["w", "suppressed"]
    residual = float(_positives(t, "mention")["p"]) - float(_positives(t.loc[["y"]][~t.loc[["y"], "suppressed"]],
                                                                        "mention").sum())
    pos = _positives(full, "mention")
    assert residual == pytest.approx(pos["x"] + pos["y"]) and residual != pytest.approx(pos["x"])
