"""A survey methodologist's findings in the statistics (Statistics Norway review, Dec 06).

Was: (1) a level hidden for its small base took a complementary level with it only when it had respondents of
positive weight (commenters, for a theme): a level of weight-0 respondents, or of respondents who did not comment,
was hidden alone, and the total minus the shown levels gave its n and count back; (2) two levels hidden for their
small bases were left as they were even when together (total − shown) they failed the complement rule; (3) the
z-test / Fisher switch and the direction of a change turned on float residue (all weights ×1000 changed them);
(4) change rows with both shares 0 % (or 100 %) said ``test = z-pooled``, ``p = 1`` although they are no test of
their Benjamini–Hochberg family; (5) ``meta.driver_method`` said «logit» where a model fell back to the linear
probability model."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import textmine.summary as summ
from textmine import stats as st
from textmine.summary import TOTAL_SEGMENT, build_summary
from textmine.survey import SurveyDefinition

MIN_CELL = 5
FAMILY = ["kind", "wave_prev", "wave", "segment", "question", "denominator"]


def _definition(levels, *, weighted: bool = True, drivers: bool = False) -> SurveyDefinition:
    spec = {"name": "small", "id": "rid", "wave": "aar", "min_cell": MIN_CELL,
            "segments": [{"column": "region", "levels": {k: k for k in levels}}],
            "indicators": [{"id": "helhet", "column": "q1", "scale": [1, 5], "positive": [4, 5]}],
            "free_text": [{"column": "ft", "label": "Kommentar?"}]}
    if weighted:
        spec["weight"] = "vekt"
    if drivers:
        spec["drivers"] = {"outcome": "helhet"}
    return SurveyDefinition.from_dict(spec)


def _wave(levels, wave: int, *, shift: int = 0, weight=lambda lv, i: 1.0 + (i % 3) * 0.25):
    """Per level ``n`` respondents, the first ``pos`` positive, the first ``com`` commenting, the first ``theme``
    − ``shift`` commenters coded ``pris``; the weight of respondent i of a level is ``weight(level, i)``."""
    rows, coded = [], []
    for lv, c in levels.items():
        for i in range(c["n"]):
            rid = f"{wave}-{lv}-{i}"
            com = i < c["com"]
            rows.append({"rid": rid, "aar": wave, "region": lv, "q1": 5 if i < c["pos"] else 2,
                         "vekt": weight(lv, i), "ft": f"Kommentar {i}" if com else ""})
            if com:
                coded.append({"respondent_id": rid, "question": "ft", "text_clean": f"Kommentar {i}",
                              "is_non_answer": 0, "theme_pris": int(i < c["theme"] - shift),
                              "theme_annet": 0})
    return pd.DataFrame(rows), pd.DataFrame(coded)


def _summary(levels, *, weight=None, drivers: bool = False, **kw):
    w = {"weight": weight} if weight else {}
    f22, c22 = _wave(levels, 2022, shift=2, **w)
    f23, c23 = _wave(levels, 2023, **w)
    return build_summary({2022: f22, 2023: f23}, _definition(levels, drivers=drivers), {2022: c22, 2023: c23},
                         quotes=False, drivers=drivers, **kw)


def _leaks(t: pd.DataFrame, items: list[str]) -> list[tuple]:
    """What a reader gets by subtraction from a reader table: per breakdown with hidden levels, the total's n and
    count minus the shown levels'; a leak where exactly one level is hidden and the rest holds anyone, or the rest
    (or its complement) is 1 to min_cell − 1."""
    out = []
    hidden_all = t["suppressed"].astype(bool)
    total = t[t["segment"] == TOTAL_SEGMENT].set_index(items)
    for key, g in t[t["segment"] != TOTAL_SEGMENT].groupby(items + ["segment"], dropna=False):
        hid = hidden_all.loc[g.index]
        if not hid.any():
            continue
        tot = total.loc[key[:-1] if len(items) > 1 else key[0]]
        rn = float(tot["n"]) - float(g.loc[~hid, "n"].sum())
        rc = float(tot["count"]) - float(g.loc[~hid, "count"].sum())
        if (hid.sum() == 1 and rn > 0) or 1 <= rn < MIN_CELL or 1 <= rn - rc < MIN_CELL:
            out.append((key, list(g.loc[hid, "value"]), rn, rc))
    return out


def _all_leaks(s) -> list[tuple]:
    reader = s.for_readers(key="t")
    themes = reader.table("themes")
    out = _leaks(reader.table("indicators"), ["wave", "indicator"])
    for d in summ.DENOMINATORS:
        out += [(d, *x) for x in _leaks(themes[themes["denominator"] == d], ["wave", "question", "theme"])]
    return out


# ------------------------------------------------------------------------------------------------ 1: hidden alone
BIG = {"A": dict(n=30, pos=20, com=20, theme=8), "B": dict(n=40, pos=25, com=24, theme=10),
       "C": dict(n=25, pos=12, com=15, theme=7)}


def test_a_level_of_weight_0_respondents_takes_a_complementary_level_with_it():
    levels = {**BIG, "Z": dict(n=12, pos=9, com=8, theme=3)}
    s = _summary(levels, weight=lambda lv, i: 0.0 if lv == "Z" else 1.0 + (i % 3) * 0.25)
    raw = s.table("indicators")
    z = raw[(raw["value"] == "Z") & (raw["wave"] == 2023)].iloc[0]
    assert z["n"] == 12 and z["suppressed"] and not z["suppressed_secondary"], "hidden for its positive weights"
    for t in (raw, s.table("themes")):
        lv = t[(t["wave"] == 2023) & (t["segment"] == "region")]
        assert lv.loc[lv["value"] != "Z", "suppressed_secondary"].any(), "a complementary level is hidden too"
    assert _all_leaks(s) == []


def test_a_level_without_commenters_takes_a_complementary_level_with_it_in_the_themes():
    levels = {**BIG, "N": dict(n=12, pos=6, com=0, theme=0)}  # 12 respondents (all asked), no commenter
    s = _summary(levels)
    th = s.table("themes")
    lv = th[(th["wave"] == 2023) & (th["segment"] == "region") & (th["denominator"] == "alle")]
    n = lv[lv["value"] == "N"].iloc[0]
    assert n["suppressed"] and n["n"] == 12, "hidden: no commenter; counted in «spurt» and «alle»"
    assert lv.loc[lv["value"] != "N", "suppressed_secondary"].any()
    assert _all_leaks(s) == []


# ------------------------------------------------------------------------------------ 2: the union of hidden levels
def test_two_small_hidden_levels_whose_union_fails_the_complement_rule_take_a_third():
    # S1, S2: 3 commenters each (hidden for the base), 5 of the 6 with the theme: total − shown = 6 commenters,
    # 5 with it — the one without it is singled out (complement 1)
    levels = {**BIG, "S1": dict(n=3, pos=1, com=3, theme=3), "S2": dict(n=3, pos=1, com=3, theme=2)}
    s = _summary(levels)
    raw = s.table("themes")
    cell = lambda t: t[(t["wave"] == 2023) & (t["theme"] == "pris") & (t["segment"] == "region")  # noqa: E731
                       & (t["denominator"] == "kommentatorer")].set_index("value")
    r = cell(raw)
    assert set(r.index[r["suppressed"]]) == {"S1", "S2"}, "the base rule hides the two small levels only"
    assert r.loc[["S1", "S2"], "n"].sum() - r.loc[["S1", "S2"], "count"].sum() == 1
    shown = cell(s.for_readers(key="t").table("themes"))
    hidden = set(shown.index[shown["suppressed"].astype(bool)])
    assert {"S1", "S2"} < hidden and len(hidden) == 3
    assert hidden - {"S1", "S2"} == {"C"}, "the smallest shown level"
    assert _all_leaks(s) == []


# --------------------------------------------------------------------------------------- 3: float residue
def test_the_test_switch_does_not_turn_on_float_residue():
    # 4 % of 100 vs 6 % of 100: the smallest expected count is 5 exactly; Kish n 100 computed two ways
    p1, p2 = np.array([0.04, 0.35]), np.array([0.06, 0.36])
    runs = [st.two_proportion_test(p1, [n, n], p2, [n, n]) for n in (100 * (1 - 4e-15), 100 * (1 + 4e-15))]
    assert list(runs[0]["test"]) == list(runs[1]["test"]) == ["z-pooled", "z-pooled"]
    np.testing.assert_allclose(runs[0]["p_value"], runs[1]["p_value"], rtol=1e-9)
    r = st.two_proportion_test(0.5, 100.0, 0.5 + 1e-16, 100.0)
    assert r["diff"] == 0.0 and r["z"] == 0.0 and r["p_value"] == 1.0
    # a Fisher count of x.5 (3.25 % of 200 = 6.5) computed two ways rounds alike
    a, b = st.two_proportion_test([0.0325 * (1 - 1e-15), 0.0325 * (1 + 1e-15)], [200.0, 200.0], [0.0, 0.0],
                                  [200.0, 200.0])["p_value"]
    assert a == pytest.approx(b, rel=1e-12)


def test_weights_times_1000_change_no_test_p_value_or_direction():
    levels = {**BIG, "D": dict(n=20, pos=10, com=12, theme=5)}
    rng, drawn = np.random.default_rng(1), {}
    weight = lambda lv, i: drawn.setdefault((lv, i), float(rng.uniform(0.2, 3.0)))  # noqa: E731
    f22, c22 = _wave(levels, 2022, weight=weight)
    f23, c23 = _wave(levels, 2023, weight=weight)
    f23["vekt"] *= 0.7  # the same answers, every weight ×0.7: the same weighted shares, computed another way
    d = _definition(levels)
    runs = []
    for k in (1.0, 1000.0):
        fr = {2022: f22.assign(vekt=f22["vekt"] * k), 2023: f23.assign(vekt=f23["vekt"] * k)}
        runs.append(build_summary(fr, d, {2022: c22, 2023: c23}, quotes=False, drivers=False).table("changes"))
    a, b = runs
    assert list(a["test"]) == list(b["test"]) and list(a["direction"]) == list(b["direction"])
    np.testing.assert_allclose(a["p_value"].to_numpy(float), b["p_value"].to_numpy(float), rtol=1e-9)
    assert set(a["direction"]) == {""} and (a["diff"].dropna() == 0).all(), "equal shares: no change"


# -------------------------------------------------------------------------------------- 4: untested rows
def test_rows_with_both_shares_0_are_no_test_and_bh_is_redone_from_the_shown_p(tmp_path):
    s = _summary({**BIG, "D": dict(n=20, pos=10, com=12, theme=5)})
    for ch in (s.table("changes"), s.for_readers(key="t").table("changes")):
        deg = (ch["kind"] == "theme") & (ch["item"] == "annet") & ~ch["suppressed"].astype(bool)
        assert deg.sum() > 0 and (ch.loc[deg, "share"] == 0).all() and (ch.loc[deg, "share_prev"] == 0).all()
        assert (ch.loc[deg, "test"] == "").all() and ch.loc[deg, ["p_value", "p_adjusted"]].isna().all().all()
        assert set(ch.loc[deg, "verdict"]) == {st.VERDICT_UNCHANGED}
        tested = ~deg & ~ch["suppressed"].astype(bool) & ch["p_value"].notna()
        assert set(ch.loc[tested, "test"]) <= {"z-pooled", "fisher"} and tested.sum() > 0
        shown_p = ch["p_value"].where(~ch["suppressed"].astype(bool))
        for _, idx in ch.groupby(FAMILY, sort=False, dropna=False).groups.items():
            want = st.bh_adjust(shown_p.loc[idx].to_numpy(float))
            np.testing.assert_allclose(ch.loc[idx, "p_adjusted"].to_numpy(float), want, rtol=1e-12)
    s.write(tmp_path, formats=("csv", "json", "xlsx"))
    csv = pd.read_csv(tmp_path / "changes.csv", keep_default_na=False)
    rows = csv[(csv["kind"] == "theme") & (csv["item"] == "annet") & (csv["suppressed"].astype(str) == "False")]
    assert len(rows) and (rows["test"] == "").all() and (rows["p_value"] == "").all()
    assert "annet" in s.to_text_table(wave=2023)
    from textmine.report.views import report_from_summary
    from textmine.report.writer import write_report

    r = report_from_summary(s, s.definition, key="t")
    out = write_report(r, tmp_path / "rapport", formats=("html", "json", "xlsx"))
    assert {"html", "json", "xlsx"} <= set(out)
    rep = pd.DataFrame(json.loads((tmp_path / "rapport" / "rapport.json").read_text(encoding="utf-8"))["change_table"])
    deg = rep[(rep["key"] == "annet") & ~rep["suppressed"].astype(bool)]
    assert len(deg) and deg["p_value"].isna().all() and set(deg["verdict"]) == {st.VERDICT_UNCHANGED}


# -------------------------------------------------------------------------------------- 5: the driver model used
def test_meta_names_the_linear_fallback(monkeypatch):
    levels = {"A": dict(n=60, pos=30, com=60, theme=25), "B": dict(n=60, pos=35, com=60, theme=30)}
    real, calls = summ._fit_logit, []

    def fails_in_2023(y, X, w=None):
        calls.append(1)
        if len(calls) == 2:  # the second model fitted: wave 2023
            raise RuntimeError("no convergence")
        return real(y, X, w)

    def outcome(lv, i):  # positive answers spread over the theme's mentioners and the others
        return 1.0 + (i % 3) * 0.25

    monkeypatch.setattr(summ, "_fit_logit", fails_in_2023)
    f22, c22 = _wave(levels, 2022, weight=outcome)
    f23, c23 = _wave(levels, 2023, weight=outcome)
    for f in (f22, f23):
        f["q1"] = np.where(np.arange(len(f)) % 5 < 3, 5, 2)
    s = build_summary({2022: f22, 2023: f23}, _definition(levels, drivers=True), {2022: c22, 2023: c23},
                      quotes=False, drivers=True)
    d = s.table("drivers")
    by_wave = d.groupby("wave")["method"].first()
    assert by_wave[2022].startswith("logit") and by_wave[2023].startswith("lineær sannsynlighetsmodell")
    assert s.meta["driver_method"] == "logit (lineær for ft 2023)"
    assert s.meta["driver_method_requested"] == "logit"
    assert [(m["wave"], m["question"], m["method"]) for m in s.meta["driver_methods"]] == [
        (2022, "ft", "logit"), (2023, "ft", "linear")]
    assert json.loads(s.to_json())["meta"]["driver_methods"][1] == {"wave": 2023, "question": "ft", "method": "linear"}
    monkeypatch.setattr(summ, "_fit_logit", real)
    same = build_summary({2022: f22, 2023: f23}, _definition(levels, drivers=True), {2022: c22, 2023: c23},
                         quotes=False, drivers=True)
    assert same.meta["driver_method"] == "logit"


def test_a_hidden_level_without_commenters_does_not_shield_another_in_the_commenters_table():
    # N: 8 respondents, no commenter (hidden); its complementary level L1 is then the only hidden level with
    # commenters: total − shown in «kommentatorer» gave L1's 9 of 9 back (code review, 2026-12-06)
    levels = {"N": dict(n=8, pos=4, com=0, theme=0), "L1": dict(n=10, pos=5, com=9, theme=9),
              "L2": dict(n=40, pos=20, com=30, theme=10), "L3": dict(n=40, pos=20, com=30, theme=10)}
    reader = _summary(levels).for_readers(key="t").table("themes")
    for (_, _, theme), g in reader[(reader["denominator"] == "kommentatorer")
                                   & (reader["segment"] == "region")].groupby(["wave", "question", "theme"]):
        hid = g["suppressed"].astype(bool)
        if hid.any():
            raw = _summary(levels).table("themes")
            raw = raw[(raw["denominator"] == "kommentatorer") & (raw["segment"] == "region")
                      & (raw["theme"] == theme) & (raw["wave"].isin(g["wave"]))].set_index("value")
            with_base = [v for v in g.loc[hid, "value"] if raw.loc[v, "n"] > 0]
            assert len(with_base) != 1, (theme, list(g.loc[hid, "value"]))
    assert _all_leaks(_summary(levels)) == []
