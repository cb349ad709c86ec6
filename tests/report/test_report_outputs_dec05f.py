"""`textmine report` row-level outputs (kodede_svar.xlsx «Kodede svar», kodede_svar.sav): the weight blanked by the
small-cell rule is said out loud (the run's output, «Metode», the .sav's variable label), and the respondent id is
left out unless asked for (``--with-respondent-id``)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from textmine.paths import SAMPLE_DIR
from textmine.report.numbers import fmt_int

WAVES = [str(SAMPLE_DIR / "arbeidsgiver_2022.csv"), str(SAMPLE_DIR / "arbeidsgiver_2023.csv")]
LINE = re.compile(r"^(\d+) of (\d+) rows have their weight blanked \(small-cell rule\); weighted figures cannot be "
                  r"reproduced from kodede_svar\.sav$", re.M)
pytestmark = pytest.mark.skipif(not (SAMPLE_DIR / "arbeidsgiver_2023.csv").exists(), reason="sample data missing")


def _run(out: Path, *args: str):
    from textmine.cli import app

    result = CliRunner().invoke(app, ["report", *WAVES, "--survey", str(SAMPLE_DIR / "survey.yaml"), "--out",
                                      str(out), "--coder", "keyword", *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("report_default")
    return out, _run(out)


@pytest.fixture(scope="module")
def with_id_nn(tmp_path_factory):
    out = tmp_path_factory.mktemp("report_with_id")
    return out, _run(out, "--with-respondent-id", "--language", "nn")


def _sample_ids() -> set[str]:
    return {str(v) for w in WAVES for v in pd.read_csv(w)["respondent_id"]}


def _sheet(path: Path, name: str) -> list[tuple]:
    rows = list(load_workbook(path, read_only=True)[name].iter_rows(values_only=True))
    if Path(path).name == "kodede_svar.xlsx" and name != "Metode":  # (below its «not for publication» first row)
        return rows[1:]
    return rows


def _method(path: Path) -> str:
    return "\n".join(str(c) for row in _sheet(path, "Metode") for c in row if c is not None)


def test_cli_prints_how_many_rows_lost_their_weight(default_run):
    out, output = default_run
    found = LINE.findall(output)
    assert len(found) == 1, output
    n, m = map(int, found[0])
    df, _ = pyreadstat.read_sav(str(out / "kodede_svar.sav"))
    assert m == len(df) and 0 < n < m, (n, m, len(df))
    assert int(df["vekt"].isna().sum()) == n, "the printed count is not the .sav's blank weights"


def test_sav_weight_label_and_method_note_state_the_count(default_run):
    out, output = default_run
    n, m = map(int, LINE.findall(output)[0])
    _, meta = pyreadstat.read_sav(str(out / "kodede_svar.sav"), metadataonly=True)
    label = meta.column_names_to_labels["vekt"]
    assert f"blanket i {n} rader" in label and "liten gruppe" in label, label
    note = _method(out / "kodede_svar.xlsx")
    assert f"Vekten er fjernet i {fmt_int(n)} av {fmt_int(m)} rader" in note, note
    assert "vektede tall kan derfor ikke regnes ut igjen" in note, note


def test_respondent_id_left_out_by_default(default_run):
    out, _ = default_run
    header = _sheet(out / "kodede_svar.xlsx", "Kodede svar")[0]
    assert "Respondent-id" not in header, header
    df, meta = pyreadstat.read_sav(str(out / "kodede_svar.sav"))
    assert "respondent_id" not in df.columns and "Respondent-id" not in meta.column_labels, list(df.columns)
    cells = {str(v) for row in _sheet(out / "kodede_svar.xlsx", "Kodede svar")[1:] for v in row if v is not None}
    assert not cells & _sample_ids(), sorted(cells & _sample_ids())[:5]
    assert "Respondent-id" not in _method(out / "kodede_svar.xlsx")


def test_with_respondent_id_keeps_it_and_says_so_in_nynorsk(with_id_nn):
    out, output = with_id_nn
    header = _sheet(out / "kodede_svar.xlsx", "Koda svar")[0]
    assert "Respondent-id" in header, header
    df, _ = pyreadstat.read_sav(str(out / "kodede_svar.sav"))
    assert "respondent_id" in df.columns and set(df["respondent_id"].astype(str)) <= _sample_ids()
    note = _method(out / "kodede_svar.xlsx")
    assert "Respondent-id-en er teken med" in note, note
    n, m = map(int, LINE.findall(output)[0])
    assert f"Vekta er fjerna i {fmt_int(n)} av {fmt_int(m)} rader" in note, note
    assert "vekta tal kan difor ikkje reknast ut att" in note, note
    _, meta = pyreadstat.read_sav(str(out / "kodede_svar.sav"), metadataonly=True)
    assert f"blanka i {n} rader" in meta.column_names_to_labels["vekt"]


def test_write_report_leaves_the_id_out_unless_asked(tmp_path):
    from textmine.report import ReportData
    from textmine.report.writer import write_report

    coded = pd.DataFrame({"respondent_id": ["R1", "R2"], "wave": ["2024", "2024"], "question": ["q", "q"],
                          "text_clean": ["a", "b"], "themes": ["x", "x"]})
    r = ReportData(title="t", waves=["2024"], coded=coded)
    plain = write_report(r, tmp_path / "a", formats=("xlsx", "sav"))
    assert "respondent_id" not in pyreadstat.read_sav(str(plain["sav"]))[0].columns
    assert "Respondent-id" not in _sheet(plain["xlsx_rows"], "Kodede svar")[0]
    kept = write_report(r, tmp_path / "b", formats=("xlsx", "sav"), with_respondent_id=True)
    assert list(pyreadstat.read_sav(str(kept["sav"]))[0]["respondent_id"]) == ["R1", "R2"]
    assert "Respondent-id" in _sheet(kept["xlsx_rows"], "Kodede svar")[0]
    assert "Respondent-id-en er tatt med" in _method(kept["xlsx_rows"])
