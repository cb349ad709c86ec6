"""SPSS (dec 9): a segment's user-missing codes are «(uoppgitt)» in the summary and left out of a crosstab — never a
level — also when the .sav declares them as a range («LOWEST THRU -1»); a misspelt column's suggestion never
proposes a column another field already uses without saying so; the reader's note on a hidden value label has one
bracket, not two in a row."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from textmine.cli import app
from textmine.io import TableReadError, read_table
from textmine.report.html import spss_missing_notes
from textmine.report.model import ReportData
from textmine.summary import MISSING_LEVEL, build_summary
from textmine.survey import SurveyDefinition

pyreadstat = pytest.importorskip("pyreadstat")
N = 60
LOWEST = -1.7976931348623157e308  # SPSS «LOWEST», as pyreadstat writes and reads it


def _survey(tmp_path, **kw) -> Path:
    spec = {"name": "s", "id": "respondent_id", "wave": "wave", "min_cell": 3,
            "segments": [{"column": "sektor", "label": "Sektor"}],
            "indicators": [{"id": "helhet", "column": "q_helhet", "scale": [1, 6]}]}
    spec.update(kw)
    p = tmp_path / "survey.yaml"
    p.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return p


def _sav(tmp_path, missing: dict) -> tuple:
    """sektor 1/2, the last 8 answers -1 and 99 («Vet ikke» / «Ubesvart»), declared missing as ``missing``."""
    df = pd.DataFrame({"respondent_id": np.arange(1, N + 1, dtype=float), "wave": 2024.0,
                       "sektor": (np.arange(N) % 2 + 1).astype(float),
                       "q_helhet": np.random.default_rng(9).integers(1, 7, N).astype(float)})
    df.loc[df.index[-8:-4], "sektor"] = -1.0
    df.loc[df.index[-4:], "sektor"] = 99.0
    path = tmp_path / "w2024.sav"
    pyreadstat.write_sav(df, str(path), missing_ranges=missing,
                         variable_value_labels={"sektor": {1: "Privat", 2: "Offentlig", -1: "Ubesvart",
                                                           99: "Vet ikke"}})
    return path


@pytest.mark.parametrize("missing", [[{"lo": LOWEST, "hi": -1.0}, 99], [-1, 99]], ids=["range", "codes"])
def test_summary_and_crosstab_agree_a_user_missing_segment_code_is_no_level(tmp_path, missing):
    path = _sav(tmp_path, {"sektor": missing})
    sp = _survey(tmp_path)
    sd = SurveyDefinition.from_yaml(sp)
    s = build_summary({2024: read_table(path, survey=sd)}, sd, quotes=False, drivers=False)
    t = s.tables["indicators"]
    levels = set(t.loc[t.segment == "sektor", "value"])
    assert MISSING_LEVEL in levels and not levels & {"-1", "99", "Ubesvart", "Vet ikke"}, levels
    own = t[(t.segment == "sektor") & (t.value == MISSING_LEVEL)]
    assert int(own["n"].iloc[0] + own["n_excluded"].iloc[0]) == 8
    for extra in ([], ["--survey", str(sp)]):
        out = tmp_path / f"x{len(extra)}.json"
        r = CliRunner().invoke(app, ["crosstab", str(path), "--row", "sektor", "--col", "q_helhet", "--out", str(out),
                                     *extra])
        assert r.exit_code == 0, r.output
        res = json.loads(out.read_text(encoding="utf-8"))
        rows = set(res["counts"])
        assert rows == {"Privat", "Offentlig"}, rows  # not «Ubesvart» (-1) nor «Vet ikke» (99)
        assert any("code -1" in n and "SPSS missing code" in n for n in res["left_out"]), res["left_out"]


def test_a_range_of_missing_codes_reads_as_the_codes_the_file_holds(tmp_path):
    path = _sav(tmp_path, {"sektor": [{"lo": LOWEST, "hi": -1.0}]})
    assert read_table(path).attrs["missing_codes"]["sektor"] == [-1]


def test_a_suggested_column_already_declared_says_so(tmp_path):
    path = _sav(tmp_path, {"sektor": [99]})
    sp = _survey(tmp_path, indicators=[{"id": "helhet", "column": "q_helhet", "scale": [1, 6]},
                                       {"id": "helhet2", "column": "q_helhett", "scale": [1, 6]}])
    with pytest.raises(TableReadError) as e:
        read_table(path, survey=SurveyDefinition.from_yaml(sp))
    msg = str(e.value)
    assert "did you mean q_helhet?" not in msg  # q_helhet is indicators[0]'s: naming it again would clash
    assert ("q_helhett: indicators[1].column — the closest column, q_helhet, is already declared "
            "(indicators[0].column)") in msg


def test_a_free_column_is_still_suggested(tmp_path):
    path = _sav(tmp_path, {"sektor": [99]})
    sp = _survey(tmp_path, indicators=[{"id": "helhet", "column": "q_helhett", "scale": [1, 6]}])
    with pytest.raises(TableReadError) as e:
        read_table(path, survey=SurveyDefinition.from_yaml(sp))
    assert "q_helhett: indicators[0].column — did you mean q_helhet?" in str(e.value)


def _report(run: str, language: str = "nb", segments: dict | None = None) -> ReportData:
    return ReportData(title="t", waves=["2024"], questions={}, segments=segments or {}, indicators=None, themes=None,
                      changes=None, impact=None, quotes=None, codebook=[], coded=None, method={"warnings": run},
                      language=language)


def test_a_hidden_label_keeps_its_bracket_and_the_missing_note_follows_the_list():
    run = ("2023: w.sav: column q_helhet: 2 value(s) with SPSS missing code(s) [98 «Vet ikke», 9 (value label "
           "hidden: personal data)] treated as missing (no value label)")
    for language, said in (("nb", "definert som manglende i SPSS-filen, regnet som ubesvart"),
                           ("nn", "definerte som manglande i SPSS-fila, rekna som ubesvarte")):
        note, = spss_missing_notes(_report(run, language), language)
        assert f"kod{'ene' if language == 'nb' else 'ane'} 98 «Vet ikke» og 9 (etikett skjult), {said}" in note, note
        assert ") (" not in note and "skjult;" not in note


@pytest.mark.parametrize("minus", ["-", "\u2212"])
def test_negative_codes_are_two_codes_in_the_note(minus):
    run = (f"2024: w.sav: column q_helhet: 6 value(s) with SPSS missing code(s) [{minus}2 «Ubesvart», {minus}1 «Vet "
           f"ikke»] treated as missing (read as missing, not as excluded codes)")
    note, = spss_missing_notes(_report(run), "nb")
    assert note == (f"I 2024 er svar med kodene {minus}2 «Ubesvart» og {minus}1 «Vet ikke», definert som manglende i "
                    f"SPSS-filen, regnet som ubesvart i 1 spørsmål."), note


def test_a_negative_code_from_a_sav_file_reads_as_its_own_code(tmp_path):
    """The read note of a real file (LOWEST THRU -1, labels with a comma before a minus) gives one item per code."""
    df = pd.DataFrame({"respondent_id": np.arange(1, N + 1, dtype=float), "wave": 2024.0,
                       "sektor": (np.arange(N) % 2 + 1).astype(float),
                       "q_helhet": np.random.default_rng(1).integers(1, 7, N).astype(float)})
    df.loc[df.index[-6:-3], "q_helhet"] = -1.0
    df.loc[df.index[-3:], "q_helhet"] = -2.0
    path = tmp_path / "w2024.sav"
    pyreadstat.write_sav(df, str(path), missing_ranges={"q_helhet": [{"lo": LOWEST, "hi": -1.0}]},
                         variable_value_labels={"q_helhet": {-1: "Vet ikke, -1 i skjemaet", -2: "Ubesvart"}})
    sd = SurveyDefinition.from_yaml(_survey(tmp_path, indicators=[{"id": "helhet", "column": "q_helhet",
                                                                   "scale": [1, 6], "excluded": []}]))
    notes = read_table(path, survey=sd).attrs["missing_notes"]
    said = [n for x in notes for n in spss_missing_notes(_report(f"2024: {x}"), "nb")]
    assert said == ["I 2024 er svar med kodene -2 «Ubesvart» og -1 «Vet ikke,\u00a0-1 i skjemaet», definert som "
                    "manglende i SPSS-filen, regnet som ubesvart i 1 spørsmål."], said


def _one_column_sav(tmp_path, values, ranges, name="x"):
    path = tmp_path / f"{name}.sav"
    pyreadstat.write_sav(pd.DataFrame({"x": np.array(values, dtype=float)}), str(path), missing_ranges={"x": ranges})
    return read_table(path)


def test_a_narrow_range_keeps_the_fractional_codes_it_holds(tmp_path):
    r = _one_column_sav(tmp_path, [0.5, 1.0, 1.2, 1.5, 2.0, 3.0], [{"lo": 0.5, "hi": 1.5}])
    assert r.attrs["missing_codes"]["x"] == [0.5, 1, 1.2, 1.5]  # (was [1]: 0.5, 1.2 and 1.5 read as answers)
    r = _one_column_sav(tmp_path, [-1.5, -1.0, -0.5, 1.0], [{"lo": -2, "hi": -0.25}], "neg")
    assert r.attrs["missing_codes"]["x"] == [-2, -1.5, -1, -0.5]  # (whole codes of the range as before: -2)
    r = _one_column_sav(tmp_path, [0.7, 0.8, 2.0], [{"lo": 0.6, "hi": 0.9}], "none_whole")
    assert r.attrs["missing_codes"]["x"] == [0.7, 0.8]


def test_a_date_variables_missing_value_is_read_as_a_date(tmp_path):
    import datetime as dt

    df = pd.DataFrame({"d": [dt.datetime(1960, 1, 1), dt.datetime(1900, 1, 1)], "x": [1.0, 2.0]})
    path = tmp_path / "dates.sav"
    spss_1900 = (dt.datetime(1900, 1, 1) - dt.datetime(1582, 10, 14)).total_seconds()  # (SPSS date: seconds)
    pyreadstat.write_sav(df, str(path), missing_ranges={"d": [spss_1900]})
    assert read_table(path).attrs["missing_codes"]["d"] == [pd.Timestamp(1900, 1, 1)]  # (was a raw TypeError)
    pyreadstat.write_sav(df, str(path), missing_ranges={"d": [{"lo": 12219379200.0, "hi": 12219379500.0}]})
    assert read_table(path).attrs["missing_codes"]["d"] == []  # 1970-01-01 00:00–00:05: no value of the file


def test_a_range_that_cannot_be_compared_is_left_out_with_a_warning():
    import datetime as dt

    from textmine.io import _sav_range_codes

    with pytest.warns(UserWarning, match=r"column d: its SPSS missing range .* cannot be compared"):
        codes = _sav_range_codes(pd.Series(["a", None], dtype=object), dt.datetime(1900, 1, 1),
                                 dt.datetime(1901, 1, 1), None, Path("f.sav"), "d")
    assert codes == []


def test_many_codes_in_a_range_are_counted_not_listed_and_read_fast(tmp_path):
    """20,000 different fractional codes below -1 in a segment of 40,000 rows: one vectorised pass (the codes
    were looked up one by one: minutes; bench, not timed here), and the notes count them instead of listing them."""
    n, k = 40_000, 20_000
    rng = np.random.default_rng(1)
    sektor = rng.integers(1, 3, n).astype(float)
    sektor[:k] = -rng.random(k) * 100 - 1.5
    df = pd.DataFrame({"respondent_id": np.arange(1, n + 1, dtype=float), "wave": 2024.0, "sektor": sektor,
                       "q_helhet": rng.integers(1, 7, n).astype(float)})
    path = tmp_path / "w2024.sav"
    pyreadstat.write_sav(df, str(path), missing_ranges={"sektor": [{"lo": LOWEST, "hi": -1.0}]})
    r = read_table(path, survey=SurveyDefinition.from_yaml(_survey(tmp_path)))
    assert r["sektor"].isna().sum() == k and len(r.attrs["missing_codes"]["sektor"]) == k
    note, = r.attrs["missing_notes"]
    assert f"with SPSS missing code(s) [{k} values in the range LOWEST to -1] treated as missing" in note
    assert len(note) < 400
    said, = spss_missing_notes(_report(f"2024: {note}", segments={"sektor": "Sektor"}), "nb")
    assert said.startswith("I 2024 er svar med 20\u00a0000 verdier i området LOWEST–-1 (definert som manglende i "
                           "SPSS-filen) regnet som uoppgitt for «Sektor»"), said


def test_up_to_50_codes_of_a_range_are_still_listed():
    from textmine.io import SPSS_LISTED_CODES, _spss_missing_text

    ranges = [{"lo": LOWEST, "hi": -1.0}, 99.0]
    codes = [-float(i) for i in range(SPSS_LISTED_CODES, 0, -1)] + [99]
    assert _spss_missing_text(codes, {99: "Vet ikke"}, ranges).count(", ") == SPSS_LISTED_CODES
    assert _spss_missing_text([-51.0, *codes], {99: "Vet ikke"}, ranges) == (
        "[51 values in the range LOWEST to -1, 99 «Vet ikke»]")
