"""An SPSS analyst's findings (dec 5): an indicator's value labels that run the other way from the definition or
differ between waves, SPSS user-missing codes («Vet ikke») on indicators and segments, coded files whose ids lost
their leading zeros, the crosstab's weight, and the driver model's perfect separation."""

import json
import warnings

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from textmine.cli import app
from textmine.io import TableReadError, label_direction, read_table
from textmine.pipeline import read_waves
from textmine.summary import build_summary
from textmine.survey import SurveyDefinition

pyreadstat = pytest.importorskip("pyreadstat")

LIK = {1: "Svært misfornøyd", 2: "Misfornøyd", 3: "Litt misfornøyd", 4: "Litt fornøyd", 5: "Fornøyd",
       6: "Svært fornøyd", 98: "Vet ikke", 99: "Ønsker ikke å svare"}
REV = {1: "Svært fornøyd", 2: "Fornøyd", 3: "Litt fornøyd", 4: "Litt misfornøyd", 5: "Misfornøyd",
       6: "Svært misfornøyd", 98: "Vet ikke", 99: "Ønsker ikke å svare"}
N = 80


def _spec(**kw):
    spec = {"name": "klient", "id": "respondent_id", "wave": "wave", "weight": "vekt", "min_cell": 5,
            "segments": [{"column": "sektor", "label": "Sektor", "levels": {1: "Privat", 2: "Offentlig"}}],
            "indicators": [{"id": "helhet", "column": "q_helhet", "label": "Fornøyd", "scale": [1, 6]}]}
    spec.update(kw)
    return spec


def _survey(tmp_path, **kw):
    p = tmp_path / "survey.yaml"
    p.write_text(yaml.safe_dump(_spec(**kw), allow_unicode=True), encoding="utf-8")
    return p, SurveyDefinition.from_yaml(p)


def _frame(year):
    rng = np.random.default_rng(year)
    q = rng.integers(1, 7, N).astype(float)
    q[:6] = 98.0
    q[6:9] = 99.0
    q[9:11] = np.nan
    return pd.DataFrame({"respondent_id": [f"{i:06d}" for i in range(1, N + 1)], "wave": float(year),
                         "sektor": (np.arange(N) % 2 + 1).astype(float), "vekt": rng.uniform(0.5, 2.0, N),
                         "q_helhet": q})


def _sav(tmp_path, year, *, labels=LIK, reverse=False, missing=True, sektor_missing=False, name=None):
    df = _frame(year)
    if reverse:  # the same answers delivered reverse-coded, the labels saying so
        ok = df.q_helhet.between(1, 6)
        df.loc[ok, "q_helhet"] = 7 - df.loc[ok, "q_helhet"]
    vl = {"q_helhet": labels, "sektor": {1: "Privat", 2: "Offentlig"}}
    mr = {"q_helhet": [98, 99]} if missing else {}
    if sektor_missing:
        df.loc[df.index[:7], "sektor"] = 9.0
        vl["sektor"] = {1: "Privat", 2: "Offentlig", 9: "Vet ikke"}
        mr["sektor"] = [9]
    p = tmp_path / (name or f"w{year}.sav")
    pyreadstat.write_sav(df, str(p), variable_value_labels=vl, missing_ranges=mr)
    return p, df


def _total(summary, wave):
    t = summary.tables["indicators"]
    return t[(t.segment == "Totalt") & (t.wave == wave)].iloc[0]


# -- 1: value labels of an indicator ---------------------------------------------------------------------------------

def test_waves_whose_indicator_labels_differ_are_refused(tmp_path):
    _, sd = _survey(tmp_path)
    a, _ = _sav(tmp_path, 2022)
    b, _ = _sav(tmp_path, 2023, labels=REV, reverse=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError) as e:
            read_waves([a, b], sd)
    msg = str(e.value)
    assert "w2023.sav" in msg and "w2022.sav" in msg and "q_helhet" in msg
    assert "code 1 is «Svært fornøyd» here and «Svært misfornøyd» there" in msg
    assert "6 = «Svært misfornøyd»" in msg and "6 = «Svært fornøyd»" in msg  # both label sets


def test_build_summary_refuses_frames_with_differing_labels(tmp_path):
    _, sd = _survey(tmp_path)
    a, _ = _sav(tmp_path, 2022)
    b, _ = _sav(tmp_path, 2023, labels=REV, reverse=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frames = {2022: read_table(a, survey=sd), 2023: read_table(b, survey=sd)}
    with pytest.raises(ValueError, match="column q_helhet .*its value labels differ"):
        build_summary(frames, sd, quotes=False)


def test_same_labels_in_other_case_and_spacing_pass(tmp_path):
    _, sd = _survey(tmp_path)
    a, _ = _sav(tmp_path, 2022)
    b, _ = _sav(tmp_path, 2023, labels={k: f" {v.upper()} " for k, v in LIK.items()})
    assert set(read_waves([a, b], sd)) == {2022, 2023}


@pytest.mark.parametrize("label,direction", [
    ("Svært misfornøyd", -1), ("Ikke fornøyd", -1), ("Helt uenig", -1), ("Dårlig", -1), ("I svært liten grad", -1),
    ("Svært fornøyd", 1), ("Litt fornøyd", 1), ("Helt enig", 1), ("Svært godt", 1), ("I stor grad", 1),
    ("Verken fornøyd eller misfornøyd", 0), ("3", 0), ("", 0),
])
def test_label_direction(label, direction):
    assert label_direction(label) == direction


def test_reverse_coded_indicator_warns_and_reaches_summary_and_cli(tmp_path):
    sp, sd = _survey(tmp_path)
    b, _ = _sav(tmp_path, 2023, labels=REV, reverse=True)
    with pytest.warns(UserWarning, match=r"q_helhet \(indicator helhet\): the file's value labels run the other way"):
        df = read_table(b, survey=sd)
    s = build_summary({2023: df}, sd, quotes=False)
    assert any("run the other way" in w and w.startswith("2023: w2023.sav") for w in s.warnings)
    r = CliRunner().invoke(app, ["summary", str(b), "--survey", str(sp), "--out", str(tmp_path / "o"), "--quiet"])
    assert r.exit_code == 0, r.output
    assert r.output.count("run the other way") == 1  # printed once, as a `warning:` line
    assert "warning: 2023: w2023.sav: column q_helhet (indicator helhet)" in r.output


def test_straight_labels_do_not_warn_and_bottom2_expects_negative_labels(tmp_path):
    _, sd = _survey(tmp_path)
    a, _ = _sav(tmp_path, 2022)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_table(a, survey=sd)
    _, low = _survey(tmp_path, indicators=[{"id": "misn", "column": "q_helhet", "scale": [1, 6], "measure": "bottom2"}])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_table(a, survey=low)  # counts «Svært misfornøyd», «Misfornøyd»: meant so
    rev, _ = _sav(tmp_path, 2023, labels=REV, reverse=True)
    with pytest.warns(UserWarning, match="run the other way"):
        read_table(rev, survey=low)


def test_cli_summary_refuses_waves_with_differing_labels(tmp_path):
    sp, _ = _survey(tmp_path)
    a, _ = _sav(tmp_path, 2022)
    b, _ = _sav(tmp_path, 2023, labels=REV, reverse=True)
    r = CliRunner().invoke(app, ["summary", str(a), str(b), "--survey", str(sp), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2, r.output
    assert "its value labels differ" in r.output and "Traceback" not in r.output
    assert not (tmp_path / "o" / "indicators.csv").exists()


# -- 2: SPSS user-missing codes of an indicator ----------------------------------------------------------------------

def test_labelled_spss_missing_codes_are_excluded_codes(tmp_path):
    _, sd = _survey(tmp_path)
    a, raw = _sav(tmp_path, 2022)
    assert read_table(a, survey=sd).attrs["spss_excluded"] == {}  # the default: missing (the service's store)
    df = read_table(a, survey=sd, user_missing="excluded")
    s = build_summary({2022: df}, sd, quotes=False)
    row = _total(s, 2022)
    assert row["n_excluded"] == 9 and row["n"] == N - 11
    assert row["experience_share"] == pytest.approx((N - 11) / (N - 2))
    # the same as the same codes declared as excluded_codes in the definition, in a file without SPSS missing codes
    _, sd_ex = _survey(tmp_path, excluded_codes={98: "Vet ikke", 99: "Ønsker ikke å svare"})
    c, _ = _sav(tmp_path, 2022, missing=False, name="nomiss.sav")
    ref = _total(build_summary({2022: read_table(c, survey=sd_ex)}, sd_ex, quotes=False), 2022)
    for k in ("n", "n_excluded", "n_missing", "experience_share", "share", "share_w"):
        assert row[k] == pytest.approx(ref[k]), k
    assert s.definition.excluded_labels == {98: "Vet ikke", 99: "Ønsker ikke å svare"}
    assert any("9 value(s) with SPSS missing code(s) [98 «Vet ikke», 99 «Ønsker ikke å svare»] counted as "
               "excluded codes" in w for w in s.warnings)


def test_indicator_with_its_own_excluded_list_keeps_spss_missing_as_missing(tmp_path):
    _, sd = _survey(tmp_path, indicators=[{"id": "helhet", "column": "q_helhet", "scale": [1, 6], "excluded": [97]}])
    a, _ = _sav(tmp_path, 2022)
    df = read_table(a, survey=sd, user_missing="excluded")
    s = build_summary({2022: df}, sd, quotes=False)
    assert _total(s, 2022)["n_excluded"] == 0
    assert any("treated as missing (the indicator lists its own excluded codes)" in w for w in s.warnings)


def test_read_notes_reach_the_cli_summary(tmp_path):
    sp, _ = _survey(tmp_path)
    a, _ = _sav(tmp_path, 2022)
    r = CliRunner().invoke(app, ["summary", str(a), "--survey", str(sp), "--out", str(tmp_path / "o"), "--quiet"])
    assert r.exit_code == 0, r.output
    assert "counted as excluded codes" in r.output
    ind = pd.read_csv(tmp_path / "o" / "indicators.csv")
    assert ind.loc[ind.segment == "Totalt", "n_excluded"].iloc[0] == 9


# -- 3: coded ids without their leading zeros ------------------------------------------------------------------------

def _coded(ids, n_theme=12):
    return pd.DataFrame({"respondent_id": ids, "question": "fritekst", "text_clean": "Lang ventetid",
                         "is_non_answer": 0, "theme_ventetid": [1] * n_theme + [0] * (len(ids) - n_theme)})


def _with_text(tmp_path):
    sp, sd = _survey(tmp_path, free_text=[{"column": "fritekst", "label": "Kommentar"}],
                     excluded_codes={98: "Vet ikke", 99: "Ønsker ikke å svare"})
    df = _frame(2023)
    df["fritekst"] = "Lang ventetid"
    return sp, sd, df


def test_coded_ids_that_lost_leading_zeros_are_refused_with_a_hint(tmp_path):
    _, sd, df = _with_text(tmp_path)
    stripped = [str(int(i)) for i in df.respondent_id]
    with pytest.raises(ValueError, match=r"wave 2023: fritekst: none of the 80 coded comment\(s\) has a respondent id"
                                         r".*80 of them match a respondent id once leading zeros are stripped"):
        build_summary({2023: df}, sd, {2023: _coded(stripped)}, quotes=False, drivers=False)
    with pytest.raises(ValueError) as e:
        build_summary({2023: df}, sd, {2023: _coded([f"x{i}" for i in range(N)])}, quotes=False, drivers=False)
    assert "leading zeros" not in str(e.value)


def test_some_coded_ids_without_zeros_warn_with_the_hint(tmp_path):
    _, sd, df = _with_text(tmp_path)
    ids = list(df.respondent_id[:70]) + [str(int(i)) for i in df.respondent_id[70:]]
    s = build_summary({2023: df}, sd, {2023: _coded(ids)}, quotes=False, drivers=False)
    assert any("10 coded comment(s) have respondent ids not in the survey data; ignored (10 of them match" in w
               for w in s.warnings)


def test_cli_summary_refuses_coded_ids_without_zeros(tmp_path):
    sp, sd, df = _with_text(tmp_path)
    wave = tmp_path / "w.csv"
    df.to_csv(wave, index=False)
    coded = tmp_path / "coded.csv"
    _coded([str(int(i)) for i in df.respondent_id]).to_csv(coded, index=False)
    r = CliRunner().invoke(app, ["summary", str(wave), "--survey", str(sp), "--coded", str(coded),
                                 "--out", str(tmp_path / "o"), "--quiet"])
    assert r.exit_code == 2, r.output
    assert "leading zeros" in r.output and "Traceback" not in r.output


# -- 4: crosstab --survey uses the definition's weight ---------------------------------------------------------------

def _ct(tmp_path, *extra):
    sp, _ = _survey(tmp_path)
    a, raw = _sav(tmp_path, 2022)
    out = tmp_path / "x.json"
    r = CliRunner().invoke(app, ["crosstab", str(a), "--row", "sektor", "--col", "q_helhet", "--survey", str(sp),
                                 "--out", str(out), "--min-cell", "0", *extra])  # weights, not suppression
    assert r.exit_code == 0, r.output
    return json.loads(out.read_text(encoding="utf-8")), r.output, raw


def test_crosstab_survey_weight_by_default(tmp_path):
    d, output, raw = _ct(tmp_path)
    assert d["weighted"] is True and "weighted by 'vekt'" in output
    ok = raw.q_helhet == 6
    assert d["counts"]["Privat"]["Svært fornøyd"] == pytest.approx(raw.loc[ok & (raw.sektor == 1), "vekt"].sum())
    assert "q_helhet: 2 blank answer(s) left out" in d["left_out"]
    for off in (["--no-weight"], ["--weight", ""]):
        d, output, _ = _ct(tmp_path, *off)
        assert d["weighted"] is False and d["counts"]["Privat"]["Svært fornøyd"] == int((ok & (raw.sektor == 1)).sum())


# -- 5: an SPSS missing code on a segment ----------------------------------------------------------------------------

def test_segment_spss_missing_code_is_named_as_such(tmp_path):
    sp, sd = _survey(tmp_path)
    a, _ = _sav(tmp_path, 2023, sektor_missing=True)
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        frames = read_waves([a], sd)
    s = build_summary(frames, sd, quotes=False)
    text = " ".join([str(w.message) for w in got] + s.warnings)
    assert "not among the declared levels" not in text
    assert ("SPSS missing codes in 2 columns: [9 «Vet ikke»] treated as missing (declared missing in the .sav: in the "
            "total and the segment's «(uoppgitt)» row, as blank answers, not a level of the segment) in sektor "
            "(7 value(s))") in text
    out = tmp_path / "x.json"
    r = CliRunner().invoke(app, ["crosstab", str(a), "--row", "sektor", "--col", "q_helhet", "--survey", str(sp),
                                 "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "sektor: 7 answer(s) with code 9 («Vet ikke») left out (SPSS missing code)" in r.output
    assert "no declared level" not in r.output


# -- 6: the driver model's logit and perfect separation --------------------------------------------------------------

def test_driver_logit_separation_names_the_theme(tmp_path):
    _, sd, df = _with_text(tmp_path)
    rng = np.random.default_rng(3)
    df["q_helhet"] = rng.integers(1, 7, N).astype(float)
    ros = np.zeros(N, int)
    ros[np.flatnonzero(df.q_helhet >= 5)[:12]] = 1  # every commenter praising is positive
    coded = _coded(list(df.respondent_id), n_theme=0)
    coded["theme_ros"] = ros
    coded["theme_ventetid"] = (rng.random(N) < 0.3).astype(int)
    s = build_summary({2023: df}, sd, {2023: coded}, quotes=False)
    w = [x for x in s.warnings if "logistic model failed" in x]
    assert w == ["drivers fritekst 2023: logistic model failed (perfect separation: all 12 commenters with theme ros "
                 "have outcome positive); linear probability model used"]
    assert set(s.tables["drivers"]["theme"]) == {"ros", "ventetid"}
