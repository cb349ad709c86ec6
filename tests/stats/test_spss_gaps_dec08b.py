"""SPSS gaps (dec 8): one read note for a file's user-missing codes, a segment's user-missing codes in its
«(uoppgitt)» row, a misspelt column named with its field and the closest match,
a decimal-comma weight made numbers by ``code --survey``, and Norwegian reader notes on the user-missing codes."""

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from textmine.cli import app
from textmine.io import TableReadError, read_table, write_table
from textmine.report.html import analyst_warnings, reader_notes
from textmine.report.model import ReportData
from textmine.summary import MISSING_LEVEL, build_summary
from textmine.survey import SurveyDefinition

pyreadstat = pytest.importorskip("pyreadstat")

LIK = {1: "Svært misfornøyd", 2: "Misfornøyd", 3: "Litt misfornøyd", 4: "Litt fornøyd", 5: "Fornøyd",
       6: "Svært fornøyd", 98: "Vet ikke", 99: "Ikke benyttet"}
ITEMS = ("q_helhet", "q_tillit", "q_telefon")
N = 60


def _spec(**kw) -> dict:
    spec = {"name": "spss", "id": "respondent_id", "wave": "wave", "weight": "vekt", "min_cell": 5,
            "segments": [{"column": "sektor", "label": "Sektor", "levels": {1: "Privat", 2: "Offentlig"}}],
            "indicators": [{"id": c[2:], "column": c, "scale": [1, 6]} for c in ITEMS]}
    spec.update(kw)
    return spec


def _survey(tmp_path, **kw) -> SurveyDefinition:
    p = tmp_path / "survey.yaml"
    p.write_text(yaml.safe_dump(_spec(**kw), allow_unicode=True), encoding="utf-8")
    return SurveyDefinition.from_yaml(p)


def _sav(tmp_path) -> tuple:
    rng = np.random.default_rng(8)
    df = pd.DataFrame({"respondent_id": np.arange(1, N + 1, dtype=float), "wave": 2024.0,
                       "sektor": (np.arange(N) % 2 + 1).astype(float), "vekt": rng.uniform(0.5, 2, N)})
    for j, c in enumerate(ITEMS):
        q = rng.integers(1, 7, N).astype(float)
        q[: 3 + j] = 98.0
        df[c] = q
    df.loc[df.index[-6:], "sektor"] = 9.0
    labels = {c: LIK for c in ITEMS} | {"sektor": {1: "Privat", 2: "Offentlig", 9: "Vet ikke"}}
    path = tmp_path / "w2024.sav"
    pyreadstat.write_sav(df, str(path), variable_value_labels=labels,
                         missing_ranges={c: [98, 99] for c in ITEMS} | {"sektor": [9]})
    return path, df


def test_user_missing_codes_of_many_columns_make_one_note_naming_each(tmp_path):
    path, _ = _sav(tmp_path)
    notes = read_table(path, survey=_survey(tmp_path), user_missing="excluded").attrs["missing_notes"]
    spss = [n for n in notes if "SPSS missing code" in n]
    assert spss == [
        f"{path}: SPSS missing codes in 4 columns: [9 «Vet ikke»] treated as missing (declared missing in the .sav: "
        "in the total and the segment's «(uoppgitt)» row, as blank answers, not a level of the segment) in sektor "
        "(6 value(s)); [98 «Vet ikke», 99 «Ikke benyttet»] counted as excluded codes (as the survey definition's "
        "excluded_codes: in n_excluded, not in the base) in q_helhet (3 value(s)), q_tillit (4), q_telefon (5)"]


def test_a_segments_user_missing_code_is_its_uoppgitt_row_in_the_total(tmp_path):
    path, raw = _sav(tmp_path)
    sd = _survey(tmp_path)
    df = read_table(path, survey=sd, user_missing="excluded")
    s = build_summary({2024: df}, sd, quotes=False, drivers=False)
    assert any("[9 «Vet ikke»] treated as missing (declared missing in the .sav: in the total and the segment's "
               "«(uoppgitt)» row" in w for w in s.warnings)  # the note says where they are
    t = s.tables["indicators"]
    t = t[t.indicator == "helhet"]
    own = t[(t.segment == "sektor") & (t.value == MISSING_LEVEL)]
    assert len(own) == 1 and int(own["n"].iloc[0] + own["n_excluded"].iloc[0]) == 6  # a group of its own …
    assert int(t.loc[t.segment == "Totalt", "n"].iloc[0] + t.loc[t.segment == "Totalt", "n_excluded"].iloc[0]) == N
    assert set(t.loc[t.segment == "sektor", "value"]) == {"1", "2", MISSING_LEVEL}  # … not a level «9»


def test_a_misspelt_column_names_its_field_and_the_closest_column(tmp_path):
    path, _ = _sav(tmp_path)
    sd = _survey(tmp_path, indicators=[{"id": "helhet", "column": "q_helhet", "scale": [1, 6]},
                                       {"id": "tillit", "column": "q_tilit", "scale": [1, 6]},
                                       {"id": "telefon", "column": "Q_TELEFON", "scale": [1, 6]}])
    with pytest.raises(TableReadError) as e:
        read_table(path, survey=sd)
    msg = str(e.value)
    assert "column(s) q_tilit, Q_TELEFON declared in the survey definition are missing from the data" in msg
    assert "q_tilit: indicators[1].column — did you mean q_tillit?" in msg
    assert "Q_TELEFON: indicators[2].column — did you mean q_telefon?" in msg


def test_code_with_survey_writes_a_decimal_comma_weight_as_numbers(tmp_path):
    sp = tmp_path / "survey.yaml"
    sp.write_text(yaml.safe_dump({"name": "k", "id": "id", "weight": "vekt",
                                  "free_text": [{"column": "kommentar", "label": "Kommentar"}]}), encoding="utf-8")
    src = tmp_path / "in.csv"
    src.write_text('id,vekt,kommentar\n1,"1,25",Lang ventetid på telefon\n2,"0,5",Fint\n3,2,Saksbehandlingen tok '
                   "lang tid\n", encoding="utf-8")
    for suffix in (".xlsx", ".csv"):
        out = tmp_path / f"coded{suffix}"
        r = CliRunner().invoke(app, ["code", str(src), "--codebook", "data/codebooks/arbeidsgiver.yaml", "--text-col",
                                     "kommentar", "--survey", str(sp), "--out", str(out)])
        assert r.exit_code == 0, r.output
        got = read_table(out)
        assert got["vekt"].tolist() == [1.25, 0.5, 2.0], suffix


def _report(warnings, language="nb") -> ReportData:
    return ReportData(title="t", waves=["2023", "2024"], questions={}, segments={"sektor": "Sektor"},
                      indicators=None, themes=None, changes=None, impact=None, quotes=None, codebook=[], coded=None,
                      method={"warnings": warnings}, language=language)


def test_spss_missing_notes_are_norwegian_reader_notes_not_english_warnings(tmp_path):
    path, _ = _sav(tmp_path)
    notes = read_table(path, survey=_survey(tmp_path), user_missing="excluded").attrs["missing_notes"]
    run = [f"2024: {n}" for n in notes] + ["2023: w.sav: column q_helhet: 2 value(s) with SPSS missing code(s) [98 "
                                           "«Vet ikke», 9 (value label hidden: personal data)] treated as missing "
                                           "(no value label)", "drivers x 2024: logistic model failed"]
    r = _report(run)
    assert reader_notes(r) == [
        "I 2024 er svar med koden 9 «Vet ikke» (definert som manglende i SPSS-filen) regnet som uoppgitt for "
        "«Sektor»: de er med i totalen og i gruppen «(uoppgitt)», ikke i noen annen gruppe.",
        "I 2024 er svar med kodene 98 «Vet ikke» og 99 «Ikke benyttet», definert som manglende i SPSS-filen, telt "
        "som utelatte svar i 3 spørsmål: de er ikke med i grunnlaget for andelene.",
        "I 2023 er svar med kodene 98 «Vet ikke» og 9 (etikett skjult), definert som manglende i SPSS-filen, regnet "
        "som ubesvart i 1 spørsmål."]
    assert analyst_warnings(r) == "drivers x 2024: logistic model failed"  # no path, no English SPSS note
    nn = reader_notes(_report(run, "nn"), "nn")
    assert nn[1] == ("I 2024 er svar med kodane 98 «Vet ikke» og 99 «Ikke benyttet», definerte som manglande i "
                     "SPSS-fila, talde som utelatne svar i 3 spørsmål: dei er ikkje med i grunnlaget for delane.")


def test_the_reader_note_survives_odd_labels_a_wave_label_with_a_space_and_an_upper_case_sav():
    # review findings: «;», «]» and «, 2» inside a label cut the note; «høst 2023» became «2023»; «.SAV» was missed;
    # two entries of one column counted as two columns
    from pathlib import Path

    from textmine.io import _spss_missing_note, _spss_missing_text

    labels = {97: "Vet ikke] se [notat", 98: "Vet ikke; ønsker ikke å svare", 99: "Ikke benyttet, 2 ganger spurt"}
    how = "counted as excluded codes (as the survey definition's excluded_codes: in n_excluded, not in the base)"
    entries = [("q_helhet", 4, _spss_missing_text([97, 98, 99], labels), how),
               ("q_helhet", 2, "[96]", "treated as missing (no value label)")]
    note = _spss_missing_note(Path("/data/W.SAV"), entries)
    assert len(note) == 1 and "in 1 column: " in note[0]
    r = _report([f"høst 2023: {note[0]}", "drivers x 2024: logistic model failed"])
    assert reader_notes(r) == [
        "I høst 2023 er svar med kodene 97 «Vet ikke) se (notat», 98 «Vet ikke, ønsker ikke å svare» og 99 «Ikke "
        "benyttet,\u00a02 ganger spurt», definert som manglende i SPSS-filen, telt som utelatte svar i 1 spørsmål: de "
        "er ikke med i grunnlaget for andelene.",
        "I høst 2023 er svar med koden 96 (definert som manglende i SPSS-filen) regnet som ubesvart i 1 spørsmål."]
    assert analyst_warnings(r) == "drivers x 2024: logistic model failed"
