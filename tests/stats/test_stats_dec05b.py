"""Statistics loose ends of 5 December (b).

1. Secondary suppression of the theme × indicator table counted the hidden people by everyone mentioning the
   theme; primary suppression counts only respondents of positive weight. Weight-0 mentioners made two hidden rows
   of one weighing person each look like enough people, and the total minus the shown rows gave both answers.
2. ``SupervisedCoder.estimate_shares`` gave a point estimate only; ``estimate_shares_ci`` adds a confidence
   interval (Wilson for ``raw``/``prob``, the delta method of the Rogan–Gladen correction for ``corrected``).
3. The service's summary and the CLI report numbered the same small level of a free-valued segment differently."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from textmine.summary import build_summary
from textmine.survey import SurveyDefinition

MIN_CELL = 5


# ---------------------------------------------------------------- 1: theme × indicator secondary suppression
def _weighted_definition() -> SurveyDefinition:
    return SurveyDefinition.from_dict({
        "name": "ti", "id": "rid", "wave": "aar", "weight": "vekt", "min_cell": MIN_CELL, "suppression": "hide",
        "indicators": [{"id": "helhet", "column": "q1", "scale": [1, 6]}],  # positive: 4–6
        "free_text": [{"column": "ft", "label": "Kommentar?"}]})


def _weighted_wave():
    """One theme per comment. «a»: one commenter of weight 1; «b»: one of weight 1 and nine of weight 0 (ten
    mention it, one counts); «c» (7) and «d» (20) all of weight 1. Both weighing people of «a» and «b» answer
    6."""
    rows = []  # (theme, q1, weight)
    rows += [("a", 6, 1.0)]
    rows += [("b", 6, 1.0)] + [("b", 1 + j % 6, 0.0) for j in range(9)]
    rows += [("c", 1 + j % 6, 1.0) for j in range(7)]
    rows += [("d", 1 + (j * 5) % 6, 1.0) for j in range(20)]
    df = pd.DataFrame({"rid": [f"r{i}" for i in range(len(rows))], "aar": 2024,
                       "q1": [q for _, q, _ in rows], "vekt": [w for _, _, w in rows],
                       "ft": [f"Om {th} {i}" for i, (th, _, _) in enumerate(rows)]})
    silent = pd.DataFrame({"rid": [f"s{i}" for i in range(10)], "aar": 2024, "q1": [1 + i % 6 for i in range(10)],
                           "vekt": 1.0, "ft": ""})
    df = pd.concat([df, silent], ignore_index=True)
    coded = pd.DataFrame({"respondent_id": [f"r{i}" for i in range(len(rows))], "question": "ft",
                          "text_clean": df["ft"].iloc[: len(rows)].to_numpy(), "is_non_answer": 0})
    for th in "abcd":
        coded[f"theme_{th}"] = [int(t == th) for t, _, _ in rows]
    return df, coded


def _theme_indicators() -> pd.DataFrame:
    df, coded = _weighted_wave()
    s = build_summary({2024: df}, _weighted_definition(), {2024: coded}, quotes=False, drivers=False)
    return s.table("theme_indicators").set_index("theme")


def test_weight_zero_mentioners_do_not_make_two_hidden_rows_look_big_enough():
    t = _theme_indicators()
    assert t.loc["a", "suppressed"] and t.loc["b", "suppressed"], t[["n_mention", "suppressed"]]
    assert t.loc["b", "n_mention"] == 10  # ten mention «b»: the old count said the hidden rows held 11 ≥ 5
    assert t.loc["c", "suppressed"] and t.loc["c", "suppressed_secondary"], t[["n_mention", "suppressed"]]
    assert not t.loc["d", "suppressed"]


def test_the_subtraction_no_longer_gives_the_two_weighing_peoples_answers():
    """With weights 0/1 the shown effective n is the number of weighing people, so the total's positives minus the
    shown rows' gave the positives of the hidden weighing people: 2 of 2, each answer known."""
    t = _theme_indicators()
    shown = t[~t["suppressed"]]
    assert len(shown), t
    row = shown.iloc[0]
    total_people = row["n_eff_mention"] + row["n_eff_other"]
    total_pos = row["n_eff_mention"] * row["share_mention"] + row["n_eff_other"] * row["share_other"]
    hidden_people = total_people - shown["n_eff_mention"].sum()
    hidden_pos = total_pos - (shown["n_eff_mention"] * shown["share_mention"]).sum()
    assert hidden_people >= MIN_CELL, (hidden_people, hidden_pos)
    assert 0 < hidden_pos < hidden_people  # not all alike: no single answer follows


# ---------------------------------------------------------------- 2: estimate_shares with a confidence interval
def _hand_coder(metrics: dict | None = None):
    """A coder with three themes and given out-of-fold rates (tpr 0.8 / 0.8 / 0.5, fpr 0.1 / 0.1 / 0.5)."""
    from textmine.classify.supervised import SupervisedCoder

    class _Book:
        theme_ids = ["a", "b", "c"]

    coder = SupervisedCoder.__new__(SupervisedCoder)
    coder.codebook, coder.share_method = _Book(), "raw"
    coder.share_rates_ = np.array([[0.8, 0.8, 0.5], [0.1, 0.1, 0.5]])
    if metrics is not None:
        coder.training_metrics_ = metrics
    return coder


# 10 rows, 8 answered: «a» coded on 4, «b» on 3, «c» on 3
_Y = np.array([[1, 0, 0], [1, 1, 0], [1, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 1], [0, 1, 0],
               [0, 0, 0], [0, 0, 0]])


def _pred() -> pd.DataFrame:
    scores = np.where(_Y > 0, 0.7, 0.2) * _Y.any(1)[:, None]
    return pd.DataFrame({**{f"theme_{t}": _Y[:, j] for j, t in enumerate("abc")},
                         **{f"score_{t}": scores[:, j] for j, t in enumerate("abc")}})


def test_raw_and_prob_shares_get_a_wilson_interval():
    from textmine import stats as st

    coder, pred = _hand_coder(), _pred()
    raw = coder.estimate_shares_ci(pred, "raw")
    lo, hi = st.wilson_ci(_Y.sum(0).astype(float), np.full(3, 10.0))
    assert raw["share"].tolist() == pytest.approx((_Y.sum(0) / 10).tolist())
    assert raw["ci_low"].tolist() == pytest.approx(lo.tolist())
    assert raw["ci_high"].tolist() == pytest.approx(hi.tolist())
    assert (raw["ci_method"] == "wilson").all() and (raw["ci_missing"] == "").all()
    prob = coder.estimate_shares_ci(pred, "prob", level=0.9)
    expected = pred[[f"score_{t}" for t in "abc"]].to_numpy().sum(0)  # the expected count
    lo, hi = st.wilson_ci(expected, np.full(3, 10.0), level=0.9)
    assert prob["share"].tolist() == pytest.approx((expected / 10).tolist())
    assert prob["ci_low"].tolist() == pytest.approx(lo.tolist())
    assert prob["ci_high"].tolist() == pytest.approx(hi.tolist())


def test_corrected_share_gets_the_score_interval_from_the_validation_counts():
    coder, pred = _hand_coder({"positives_per_theme": {"a": 40, "b": 25, "c": 30}, "n_train": 200}), _pred()
    with pytest.warns(UserWarning, match=r"no correction possible.*\(c\)"):
        est = coder.estimate_shares_ci(pred, "corrected")
    frac, z = 0.8, 1.959963984540054
    grid = np.linspace(0, 1, 200_001)
    for t, npos in (("a", 40), ("b", 25)):
        q = _Y[_Y.any(1), "abc".index(t)].mean()
        th = (q - 0.1) / 0.7
        q0 = 0.1 + grid * 0.7  # the score interval: the θ₀ the delta-method test at θ₀ keeps
        se0 = np.sqrt(q0 * (1 - q0) / 8 + grid**2 * 0.8 * 0.2 / npos + (1 - grid) ** 2 * 0.1 * 0.9 / (200 - npos)) / 0.7
        kept = grid[np.abs(th - grid) <= z * se0]
        assert est.loc[t, "share"] == pytest.approx(th * frac)
        assert (est.loc[t, "ci_low"], est.loc[t, "ci_high"]) == pytest.approx(
            (kept.min() * frac, kept.max() * frac), abs=1e-5)
        assert est.loc[t, "ci_method"] == "score" and est.loc[t, "ci_missing"] == ""
    assert np.isnan(est.loc["c", "ci_low"]) and est.loc["c", "ci_missing"] == "uncorrected"  # tpr = fpr
    assert est.attrs["uncorrected"] == ["c"]


def test_a_model_without_validation_counts_gives_a_flagged_nan_interval_and_the_same_share():
    coder, pred = _hand_coder({"n_train": 200}), _pred()  # saved before the counts: no positives_per_theme
    with (pytest.warns(UserWarning, match="no correction possible"),
          pytest.warns(UserWarning, match=r"no confidence interval for the corrected share of a, b")):
        est = coder.estimate_shares_ci(pred, "corrected")
    assert est.loc[["a", "b"], ["ci_low", "ci_high"]].isna().all().all()
    assert est.loc[["a", "b"], "ci_missing"].tolist() == ["no_validation_counts"] * 2
    with pytest.warns(UserWarning, match="no correction possible"):
        old = coder.estimate_shares(pred, "corrected")
    assert isinstance(old, pd.Series) and old.name == "share"  # the old API is unchanged
    assert old.tolist() == pytest.approx(est["share"].tolist())
    assert old.attrs == {"weak": [], "clipped": [], "uncorrected": ["c"]}
    assert not _hand_coder().estimate_shares(pred, "raw").attrs


def test_a_trained_model_keeps_its_validation_counts_through_save_and_load(tmp_path):
    from textmine.classify import SupervisedCoder
    from textmine.classify.artefact import load_coder
    from textmine.codebook import Codebook

    cb = Codebook.from_dict({"name": "x", "version": "1", "themes": [
        {"id": "mat", "label": "Mat", "description": "Maten", "keywords": ["mat"]},
        {"id": "pris", "label": "Pris", "description": "Prisen", "keywords": ["dyr"]}]})
    texts = ([f"Maten var kald dag {i}" for i in range(10)] + [f"Alt er for dyrt uke {i}" for i in range(10)]
             + [f"Dyr mat igjen {i}" for i in range(4)])
    coder = SupervisedCoder(cb, embedder=None, lexical_only=True, cv=3, share_method="corrected")
    coder.fit(texts, ["mat"] * 10 + ["pris"] * 10 + ["mat;pris"] * 4)
    pred = coder.predict(texts[:12])
    est = coder.estimate_shares_ci(pred)
    assert (est["ci_missing"] == "").all() and est[["ci_low", "ci_high"]].notna().all().all(), est
    assert (est["ci_low"] <= est["share"]).all() and (est["share"] <= est["ci_high"]).all()
    coder.save(tmp_path / "m")
    again = load_coder(tmp_path / "m", codebook=cb)
    pd.testing.assert_frame_equal(again.estimate_shares_ci(pred), est)


# ---------------------------------------------------------------- 3: one name per small level, service and report
# «kontor» is free-valued. In the data «ZX 98765» (1 respondent) comes before «AB 123» (2); «Kontor B» (7) is
# hidden with them by secondary suppression (3 < min_cell). The report numbers the hidden levels in the order its
# tables list them (sorted: AB 123, Kontor B, ZX 98765); the service numbered its small levels by first appearance
# in the data (ZX 98765 → 1, AB 123 → 2), so one level had two names.
KONTOR = ["ZX 98765"] + ["AB 123"] * 2 + ["Kontor A"] * 20 + ["Kontor B"] * 7


def _levels_definition() -> SurveyDefinition:
    return SurveyDefinition.from_dict({
        "name": "lv", "id": "rid", "wave": "aar", "min_cell": MIN_CELL,
        "segments": [{"column": "kontor", "label": "Kontor"}],
        "indicators": [{"id": "helhet", "column": "q1", "scale": [1, 6]}],
        "free_text": [{"column": "ft", "label": "Kommentar?"}]})


def _levels_wave():
    n = len(KONTOR)
    df = pd.DataFrame({"rid": [f"r{i}" for i in range(n)], "aar": 2024, "kontor": KONTOR,
                       "q1": [1 + i % 6 for i in range(n)], "ft": [f"Kommentar {i}" for i in range(n)]})
    coded = pd.DataFrame({"respondent_id": df["rid"], "question": "ft", "text_clean": df["ft"], "is_non_answer": 0,
                          "theme_x": [i % 2 for i in range(n)], "theme_y": [1 - i % 2 for i in range(n)]})
    return {"2024": df}, {"2024": coded}


def _report_names(frames, coded) -> dict[str, str]:
    from textmine.report.views import indicator_view, small_level_names, theme_view

    survey = _levels_definition()
    s = build_summary(frames, survey, coded, quotes=False, drivers=False)
    names = small_level_names(survey, indicator_view(s, survey), theme_view(s, survey, {}))
    return {level: label for (column, level), label in names.items() if column == "kontor"}


def test_service_and_report_give_each_small_level_the_same_name():
    from service import store

    frames, coded = _levels_wave()
    report = _report_names(frames, coded)
    assert set(report) == {"AB 123", "Kontor B", "ZX 98765"}, report
    out = store.neutral_small_levels(frames, _levels_definition(), coded)["2024"]
    service = dict(zip(frames["2024"]["kontor"], out["kontor"]))
    renamed = {level: name for level, name in service.items() if name != level}
    assert set(renamed) == {"ZX 98765", "AB 123"}, service  # fewer than min_cell respondents: renamed everywhere
    assert renamed == {level: f"({report[level]})" for level in renamed}, (renamed, report)
    assert service["Kontor A"] == "Kontor A" and service["Kontor B"] == "Kontor B"  # shown rows keep their name


def test_the_service_summary_numbers_small_levels_as_the_report_does():
    """The service's summary built from its renamed frames shows each small level under the report's name."""
    from service import store

    frames, coded = _levels_wave()
    report = _report_names(frames, coded)
    renamed = store.neutral_small_levels(frames, _levels_definition(), coded)
    t = build_summary(renamed, _levels_definition(), coded, quotes=False, drivers=False).table("indicators")
    shown = set(t.loc[t["segment"] == "kontor", "value"])
    assert {f"({report[v]})" for v in ("AB 123", "ZX 98765")} <= shown, shown
    assert not {"AB 123", "ZX 98765"} & shown


def test_the_report_run_on_the_service_renamed_frames_keeps_the_service_numbers():
    """The service's pages run the report's naming on the summary of its renamed frames: «(liten gruppe 3)» sorts
    before «Kontor B» there and was renumbered «liten gruppe 2»; a level that already has a numbered neutral label
    now keeps it, and the others take the free numbers."""
    from service import store

    frames, coded = _levels_wave()
    cli = _report_names(frames, coded)
    renamed = store.neutral_small_levels(frames, _levels_definition(), coded)
    pages = _report_names(renamed, coded)
    service = dict(zip(frames["2024"]["kontor"], renamed["2024"]["kontor"]))
    for level in ("AB 123", "ZX 98765"):
        assert pages[service[level]] == cli[level], (pages, cli)
    assert pages["Kontor B"] == cli["Kontor B"] and cli["Kontor B"].startswith("liten gruppe ")


def test_neutral_level_names_keeps_a_carried_number_and_fills_the_gaps():
    from textmine.disclosure import neutral_level_names

    levels = [("kontor", "(liten gruppe 1)"), ("kontor", "(liten gruppe 3)"), ("kontor", "Kontor B"),
              ("kontor", "Kontor C"), ("sted", "(liten gruppe 2)"), ("by", "(liten gruppe)")]
    assert neutral_level_names(levels) == {
        ("kontor", "(liten gruppe 1)"): "liten gruppe 1", ("kontor", "(liten gruppe 3)"): "liten gruppe 3",
        ("kontor", "Kontor B"): "liten gruppe 2", ("kontor", "Kontor C"): "liten gruppe 4",
        ("sted", "(liten gruppe 2)"): "liten gruppe 2",  # alone, but its number stays
        ("by", "(liten gruppe)"): "liten gruppe"}
    assert neutral_level_names([("k", "liten gruppe 2)"), ("k", "x")]) == {  # not a label: numbered as any value
        ("k", "liten gruppe 2)"): "liten gruppe 1", ("k", "x"): "liten gruppe 2"}


def test_a_hidden_missing_level_is_counted_as_the_report_counts_it():
    """One small level plus a small «(uoppgitt)» (respondents without a value): the service numbers the level as
    the report does (the report's own rule decides whether «(uoppgitt)» takes a number)."""
    from service import store

    frames, coded = _levels_wave()
    df = frames["2024"].copy()
    df["kontor"] = ["AB 123"] * 2 + [None] * 3 + ["Kontor A"] * 20 + ["Kontor B"] * (len(df) - 25)
    frames = {"2024": df}  # 2 + 3 hidden: no secondary suppression
    report = _report_names(frames, coded)
    assert set(report) - {"(uoppgitt)"} == {"AB 123"}, report
    out = store.neutral_small_levels(frames, _levels_definition(), coded)["2024"]
    assert out["kontor"].iloc[0] == f"({report['AB 123']})", (out["kontor"].iloc[0], report)
    assert out["kontor"].iloc[2:5].isna().all()  # no value: nothing to rename
