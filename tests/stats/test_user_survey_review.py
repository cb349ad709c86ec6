"""User-survey review (w1): undeclared segment values never published, driver model on one hierarchy level,
no «med og uten temaet» test on an indicator that does not vary among the answerers."""

import warnings

import numpy as np
import pandas as pd
import pytest

from textmine.pipeline import read_waves
from textmine.summary import TOTAL_SEGMENT, build_summary

EMAIL = "per.olsen@gmail.com"


def _frame():
    df = pd.DataFrame({
        "rid": [f"r{i:02d}" for i in range(1, 13)],
        "wave": 2025,
        "sektor": list("PPPPPPPPOOOO"),
        "fylke": ["Oslo", "Vestland"] * 6,
        "w": 1.0,
        "q1": [6, 5, 4, 3, 2, 1, 5, 4, 4, 4, 5, 1],
        "q2": [1, 2, 3, 4, 5, 6, 1, 2, 3, 6, 4, 1],
    })
    df.loc[8, "sektor"] = EMAIL  # data row 10 of the file
    return df


def _coded():
    return pd.DataFrame({
        "respondent_id": ["r04", "r05", "r06", "r10", "r11", "r09"],
        "question": "ft_alle",
        "text_clean": ["Bra hjelp", "Lang ventetid", "Fin oppfølging", "Treg behandling", "Gode folk", "Ok"],
        "is_non_answer": 0,
        "theme_ros": [1, 0, 1, 0, 1, 0],
        "theme_vente": [0, 1, 0, 1, 0, 1],
    })


# ---------------------------------------------------------------- 1: undeclared value of a declared-levels segment
def test_undeclared_segment_value_is_treated_as_missing_and_never_published(make_tiny_definition, tmp_path):
    survey = make_tiny_definition(min_cell=1)
    s = build_summary({2025: _frame()}, survey, {2025: _coded()}, quotes=False)
    for name, t in s.tables.items():
        assert EMAIL not in t.to_csv(), name
        if "segment" in t.columns:
            # the cleared value is never published; its respondent is in the level «(uoppgitt)» (review dec05)
            assert set(t.loc[t["segment"] == "sektor", "value"]) <= {"P", "O", "(uoppgitt)"}, name
    written = s.write(tmp_path / "sum")  # CSV, JSON and Excel
    assert written
    for f in written:
        if f.suffix == ".xlsx":
            assert all(EMAIL not in pd.read_excel(f, sheet_name=sh).to_csv() for sh in pd.ExcelFile(f).sheet_names)
        else:
            assert EMAIL not in f.read_text(encoding="utf-8"), f.name
    msgs = [m for m in s.warnings if "declared levels" in m]
    assert msgs and all(EMAIL not in m for m in s.warnings)
    assert "column sektor has 1 value(s)" in msgs[0] and "row 10" in msgs[0] and "treated as missing" in msgs[0]
    ind = s.table("indicators")  # the respondent still counts in the total, in the level «(uoppgitt)» (dec05)
    tot = ind[(ind["segment"] == TOTAL_SEGMENT) & (ind["indicator"] == "helhet")]
    lv = ind[(ind["segment"] == "sektor") & (ind["indicator"] == "helhet")]
    assert int(tot["n"].iloc[0]) == 12 and int(lv["n"].sum()) == 12
    assert lv["value"].tolist() == ["P", "O", "(uoppgitt)"] and int(lv["n"].iloc[-1]) == 1

def test_segment_levels_lists_declared_levels_only(make_tiny_definition):
    survey = make_tiny_definition()
    assert survey.segment_levels(_frame(), "sektor") == ["P", "O"]
    out, msgs = survey.clear_undeclared_levels(_frame(), source="w.csv")
    assert out["sektor"].isna().tolist() == [i == 8 for i in range(12)]
    assert msgs == ["w.csv: column sektor has 1 value(s) not among the declared levels (row 10); treated as missing"]


def test_read_waves_clears_undeclared_levels_with_a_warning_for_the_report(make_tiny_definition, tmp_path):
    survey = make_tiny_definition()
    path = tmp_path / "w2025.csv"
    _frame().to_csv(path, index=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frames = read_waves([path], survey)
    df = frames[2025]
    assert EMAIL not in df["sektor"].astype(str).tolist() and df["sektor"].isna().sum() == 1
    shown = [str(w.message) for w in caught if "declared levels" in str(w.message)]
    assert shown == ["w2025.csv: column sektor has 1 value(s) not among the declared levels (row 10); "
                     "treated as missing"]
    s = build_summary(frames, survey, None, quotes=False)  # the report's notes (Merknader) keep the warning
    assert any("column sektor has 1 value(s)" in m for m in s.warnings)


# ---------------------------------------------------------------- 2: driver model with a two-level codebook
def _hierarchy_data(n=240, seed=3):
    rng = np.random.default_rng(seed)
    a = rng.random(n) < 0.3
    b = ~a & (rng.random(n) < 0.35)  # children never co-occur, as in the review's data
    c = rng.random(n) < 0.3
    parent = a | b  # the parent rolls up its children
    p_pos = 0.55 - 0.25 * a + 0.15 * b - 0.1 * c
    q1 = np.where(rng.random(n) < p_pos, 5, 2)
    df = pd.DataFrame({"rid": [f"r{i:03d}" for i in range(n)], "wave": 2025, "sektor": np.where(rng.random(n) < .5, "P", "O"),
                       "fylke": "Oslo", "w": 1.0, "q1": q1, "q2": 3})
    coded = pd.DataFrame({"respondent_id": df["rid"], "question": "ft_alle", "text_clean": "tekst", "is_non_answer": 0,
                          "theme_parent": parent.astype(int), "theme_a": a.astype(int), "theme_b": b.astype(int),
                          "theme_c": c.astype(int)})
    return df, coded


def test_driver_model_leaves_out_parent_themes_and_unidentified_effects(make_tiny_definition):
    df, coded = _hierarchy_data()
    s = build_summary({2025: df}, make_tiny_definition(min_cell=10), {2025: coded}, quotes=False)
    d = s.table("drivers")
    assert set(d["theme"]) == {"a", "b", "c"}  # the parent is a linear combination of a and b
    assert (d["ci_high_pp"] - d["ci_low_pp"]).max() < 60
    assert d["effect_pp"].abs().max() < 60
    assert any("parent" in m and "left out of the adjusted model" in m for m in s.warnings)


def test_driver_model_leaves_out_a_theme_identical_to_another(make_tiny_definition):
    df, coded = _hierarchy_data()
    coded["theme_d"] = coded["theme_c"]  # same mentions: not a roll-up, but not estimable beside c
    s = build_summary({2025: df}, make_tiny_definition(min_cell=10), {2025: coded}, quotes=False,
                      themes=["a", "b", "c", "d"])
    d = s.table("drivers")
    assert set(d["theme"]) == {"a", "b", "c"}
    assert np.isfinite(d[["ci_low_pp", "ci_high_pp"]].to_numpy()).all()
    assert (d["ci_high_pp"] - d["ci_low_pp"]).max() < 60
    assert any("d left out of the adjusted model: linearly dependent" in m for m in s.warnings)


# ---------------------------------------------------------------- 8: indicator constant among the answerers
def test_theme_indicator_not_tested_when_the_indicator_is_constant_by_routing(make_tiny_definition):
    df = _frame()
    df.loc[8, "sektor"] = "O"
    coded = pd.DataFrame({
        "respondent_id": ["r01", "r02", "r07", "r09", "r12"],  # q2 (telefon) 1, 2, 1, 3, 1: routed on codes 1–3
        "question": "ft_rutet", "text_clean": "tekst", "is_non_answer": 0,
        "theme_ros": [1, 0, 1, 0, 0], "theme_vente": [0, 1, 0, 1, 1],
    })
    s = build_summary({2025: df}, make_tiny_definition(min_cell=1), {2025: coded}, quotes=False)
    t = s.table("theme_indicators")
    routed = t[(t["question"] == "ft_rutet") & (t["indicator"] == "telefon")]
    assert len(routed) == 2
    assert (routed["verdict"] == "ikke testbar").all() and not routed["applicable"].any()
    assert routed[["p_value", "p_adjusted", "diff", "ci_low", "ci_high"]].isna().all().all()
    assert (routed["share_mention"] == 0).all() and (routed["share_other"] == 0).all()
    varies = t[(t["question"] == "ft_rutet") & (t["indicator"] == "helhet")]  # q1 6, 5, 5, 4, 1: varies
    assert varies["applicable"].all() and varies["p_value"].notna().all()
    assert not varies["verdict"].eq("ikke testbar").any()


def test_driver_model_uses_the_codebook_hierarchy_when_parent_codes_are_incomplete(make_tiny_definition, tmp_path):
    df, coded = _hierarchy_data()
    coded.loc[coded.index[:15], "theme_parent"] = 0  # a model coded some children without the parent
    cb = tmp_path / "cb.yaml"
    cb.write_text("name: t\nversion: '1'\nthemes:\n" + "".join(
        f"  - {{id: {t}, label: {t}, description: tema {t}{p}}}\n"
        for t, p in (("parent", ""), ("a", ", parent: parent"), ("b", ", parent: parent"), ("c", ""))), encoding="utf-8")
    survey = make_tiny_definition(min_cell=10, free_text=[{"column": "ft_alle", "codebook": str(cb)}])
    s = build_summary({2025: df}, survey, {2025: coded}, quotes=False)
    assert set(s.table("drivers")["theme"]) == {"a", "b", "c"}
    assert any("parent left out of the adjusted model: they roll up" in m for m in s.warnings)
