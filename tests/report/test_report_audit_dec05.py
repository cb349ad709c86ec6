"""Privacy audit of 5 December (CLI report exports).

H3 (a) a respondent id that is personal data (here a valid fødselsnummer) is left out of the row-level exports
(«Kodede svar», kodede_svar.sav, the JSON's ``coded``), which number the rows instead, and the CLI warns with the
column's name and the count, never the value; ordinary ids stay (analysts merge back in SPSS).
H3 (b) segments declared ``attribution: false`` (næring) are left out of the row-level exports, as the service does.
H1 a hidden level of a segment without declared levels (a licence plate, a user name, a house name …) is shown under
a neutral label («liten gruppe N») in the report outputs; hidden declared levels keep their names."""

from __future__ import annotations

import json

import pandas as pd
import pyreadstat
import pytest
import yaml
from openpyxl import load_workbook

from textmine.report.excel import ROW_LEVEL_SHEET, ROW_NUMBER, write_workbook
from textmine.report.spss import write_sav
from textmine.report.views import SMALL_GROUP, neutral_small_levels, small_level_names
from textmine.report.writer import report_to_dict
from textmine.survey import SurveyDefinition

from ..clitools import run_cli

FNR = "01019012480"  # a valid fødselsnummer (both check digits)
N = 60
# one respondent each: identifying values of the free-valued segment «kontor» (the first two are masked by the
# Redactor on reading; the last two are not: only the neutral label keeps them out)
TINY = {10: "EL 12345", 11: "@kari_nordmann92", 12: "ZX 98765", 13: "Villa Solbakken"}
SMALL_FM = {0, 1}  # Finnmark: a declared level under min_cell (5)
SURVEY = {"name": "mini", "id": "rid", "wave": "aar", "min_cell": 5,
          "segments": [{"column": "sektor", "label": "Sektor", "levels": {"P": "Privat", "O": "Offentlig"}},
                       {"column": "fylke", "label": "Fylke",
                        "levels": {"OS": "Oslo", "VL": "Vestland", "FM": "Finnmark"}},
                       {"column": "naering", "label": "Næring", "attribution": False},
                       {"column": "kontor", "label": "Kontor"}],
          "indicators": [{"id": "helhet", "column": "q1", "label": "Helhet", "scale": [1, 6]}],
          "free_text": [{"column": "ft", "label": "Andre kommentarer?"}]}


def _wave() -> pd.DataFrame:
    ids = [f"2023-{i:04d}" for i in range(N)]
    ids[3] = FNR
    return pd.DataFrame({
        "rid": ids, "aar": 2023, "sektor": ["P" if i % 2 else "O" for i in range(N)],
        "fylke": ["FM" if i in SMALL_FM else ("OS" if i < 32 else "VL") for i in range(N)],
        "naering": ["Bygg" if i % 3 else "Helse" for i in range(N)],
        "kontor": [TINY.get(i, "Kontor A" if i < 36 else "Kontor B") for i in range(N)],
        "q1": [1 + i % 6 for i in range(N)],
        "ft": [f"Ventetiden på telefon er altfor lang, svar nummer {i}" for i in range(N)]})


@pytest.fixture(scope="module")
def report_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("audit")
    (tmp / "s.yaml").write_text(yaml.safe_dump(SURVEY, allow_unicode=True), encoding="utf-8")
    _wave().to_csv(tmp / "w2023.csv", index=False)
    res = run_cli("report", tmp / "w2023.csv", "--survey", tmp / "s.yaml", "--coder", "keyword",
                  "--out", tmp / "out", "--with-respondent-id")  # (asked for: still no personal id exported)
    assert res.exit_code == 0, res.output
    return res, tmp / "out"


def _sheet(path, name):
    wb = load_workbook(path, read_only=True)
    return list(wb[name].iter_rows(values_only=True))


def _rows_sheet(out):
    """The CLI report's row-level sheet (in kodede_svar.xlsx, below its «not for publication» first row)."""
    return _sheet(out / "kodede_svar.xlsx", ROW_LEVEL_SHEET)[1:]


def test_cli_warns_of_personal_ids_by_column_and_count_only(report_run):
    res, _ = report_run
    flat = " ".join(res.output.split())
    assert "the id column 'rid' holds personal data in 1 id" in flat, flat
    assert FNR not in res.output


def test_personal_ids_are_in_no_output_file_and_rows_are_numbered(report_run, piiscan):
    _, out = report_run
    hits = [name for name, text in piiscan.output_texts(out).items() if FNR in text]
    assert not hits, f"the fødselsnummer used as respondent id is in {hits}"
    header, *rows = _rows_sheet(out)
    assert "Respondent-id" not in header and header[0] == "Radnummer", header
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    df, meta = pyreadstat.read_sav(str(out / "kodede_svar.sav"))
    assert ROW_NUMBER in df.columns and not {"rid", "respondent_id"} & set(df.columns), list(df.columns)
    assert df[ROW_NUMBER].tolist() == list(range(1, len(df) + 1))
    notes = [r[1] for r in _sheet(out / "kodede_svar.xlsx", "Metode")[1:] if r[0] == "Merknader"]
    assert any("Respondent-id («rid») er utelatt" in n for n in notes), notes


def test_unattributed_segment_is_not_in_the_row_level_exports(report_run):
    _, out = report_run
    header = _rows_sheet(out)[0]
    assert "Næring" not in header and "naering" not in header, header
    df, meta = pyreadstat.read_sav(str(out / "kodede_svar.sav"))
    assert "naering" not in df.columns, list(df.columns)
    assert "Helse" not in json.dumps(meta.variable_value_labels, ensure_ascii=False)
    # the tables still break down by it (suppressed like every segment), as the service's report does
    themes = json.loads((out / "rapport.json").read_text(encoding="utf-8"))["themes"]
    assert "naering" in {t["segment_var"] for t in themes}


def test_hidden_free_valued_levels_are_in_no_output_file(report_run, piiscan):
    _, out = report_run
    texts = piiscan.output_texts(out)
    for value in [*TINY.values(), "kari_nordmann92", "98765"]:
        hits = [name for name, text in texts.items() if value in text]
        assert not hits, f"the hidden level {value!r} of «kontor» is in {hits}"
    report = json.loads((out / "rapport.json").read_text(encoding="utf-8"))
    kontor = {(r["segment"], r["suppressed"]) for r in report["themes"] if r["segment_var"] == "kontor"}
    hidden = {s for s, sup in kontor if sup}
    assert hidden and all(s.lower().startswith(SMALL_GROUP) for s in hidden), kontor  # («Liten gruppe N»)
    assert ("Kontor A", False) in kontor  # shown levels keep their names
    assert "Liten gruppe" in texts[str(out / "rapport.html")]


def test_hidden_declared_levels_keep_their_names(report_run):
    _, out = report_run
    report = json.loads((out / "rapport.json").read_text(encoding="utf-8"))
    fylke = {(r["segment"], r["suppressed"]) for r in report["themes"] if r["segment_var"] == "fylke"}
    assert ("Finnmark", True) in fylke, fylke
    assert not any(s.lower().startswith(SMALL_GROUP) for s, _ in fylke)


def test_neutral_labels_are_numbered_per_segment_and_only_for_hidden_rows():
    survey = SurveyDefinition.from_dict({**SURVEY, "segments": SURVEY["segments"][1:2] + SURVEY["segments"][3:]})
    t = pd.DataFrame({"segment_var": ["kontor", "kontor", "kontor", "kontor", "fylke"],
                      "segment": ["ZX 98765", "Villa Solbakken", "Kontor A", "ZX 98765", "Finnmark"],
                      "value": ["ZX 98765", "Villa Solbakken", "Kontor A", "ZX 98765", "FM"],
                      "suppressed": [True, True, False, True, True]})
    names = small_level_names(survey, t)
    assert set(names) == {("kontor", "ZX 98765"), ("kontor", "Villa Solbakken")}
    assert sorted(names.values()) == ["liten gruppe 1", "liten gruppe 2"]  # numbered by the private key's order
    zx = names[("kontor", "ZX 98765")].capitalize()
    out = neutral_small_levels(t, names)
    # capitalised, and after the named levels of their segment (never in the slot of their real name), in number
    # order
    small = sorted([zx, names[("kontor", "Villa Solbakken")].capitalize(), zx])
    assert out["segment"].tolist() == ["Kontor A", *small, "Finnmark"]
    assert out["value"].tolist() == ["Kontor A", *small, "FM"]
    one = small_level_names(survey, t.iloc[[0, 2]])
    assert one == {("kontor", "ZX 98765"): "liten gruppe"}  # one hidden level: not numbered


def test_ordinary_ids_stay_in_the_row_level_exports(report_data, tmp_path):
    """Stop 29: the survey's id variable stays for SPSS merges when no id is personal data (the synthetic
    survey's ids are «AG2023-00012»); its ``attribution: false`` segment (næring) is still left out."""
    xlsx = write_workbook(report_data, tmp_path / "r.xlsx")
    header, *rows = _sheet(xlsx, ROW_LEVEL_SHEET)
    assert "Respondent-id" in header and "Radnummer" not in header and "Næring" not in header, header
    ids = [r[header.index("Respondent-id")] for r in rows]
    assert set(ids) <= set(report_data.coded["respondent_id"]) and len(set(ids)) > 1
    df, _ = pyreadstat.read_sav(str(write_sav(report_data, tmp_path / "k.sav")))
    assert "respondent_id" in df.columns and "naering" not in df.columns and ROW_NUMBER not in df.columns
    coded = report_to_dict(report_data, include_coded=True)["coded"]
    assert "respondent_id" in coded[0] and "naering" not in coded[0]


def test_personal_id_count_reads_whole_number_ids_as_numbers():
    """A fødselsnummer read as a number has lost its leading zero (also as "1019012480.0"); a run of consecutive
    8-digit ids is not a list of mobile numbers."""
    from textmine.report.excel import personal_id_count

    assert personal_id_count(pd.Series([1019012480, 5, 6])) == 1
    assert personal_id_count(pd.Series(["1019012480.0", "5.0", "6.0"])) == 1
    assert personal_id_count(pd.Series(["AG2023-00001", FNR, "kari.nordmann@example.no"])) == 2
    assert personal_id_count(pd.Series([str(40000001 + i) for i in range(50)])) == 0
    assert personal_id_count(pd.Series(["AG2023-00001", "AG2023-00002", None])) == 0
