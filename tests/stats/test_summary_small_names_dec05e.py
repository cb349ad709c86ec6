"""``textmine summary`` names the hidden levels of a free-valued segment as the report does (dec05e): every file
it writes (the CSVs, summary_tidy.csv, summary.json, summary.xlsx) and its terminal tables carry «Liten gruppe N»,
numbered with the installation's key like the report on the same data, never the level's real name.

Was: indicators.csv, themes.csv, changes.csv, summary_tidy.csv and summary.json named «Hammerfest legekontor» and
«Vardø» next to their hidden cells while the report called them «Liten gruppe N»."""

from __future__ import annotations

import csv
import json

import numpy as np
import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook
from typer.testing import CliRunner

from textmine.cli import app

SMALL = ("Hammerfest legekontor", "Vardø")
OFFICES = {"Kontor A": 60, "Kontor B": 50, SMALL[0]: 3, SMALL[1]: 4}
SPEC = {"name": "smaa", "id": "rid", "wave": "aar", "min_cell": 10,
        "segments": [{"column": "kontor", "label": "Kontor"}],
        "indicators": [{"id": "helhet", "column": "q1", "label": "Fornøyd", "scale": [1, 6]}],
        "free_text": [{"column": "ft", "label": "Kommentar?"}]}


def _wave(year: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    kontor = [k for k, n in OFFICES.items() for _ in range(n)]
    n = len(kontor)
    df = pd.DataFrame({"rid": [f"{year}-{i}" for i in range(n)], "aar": year, "kontor": kontor,
                       "q1": rng.integers(1, 7, n),
                       "ft": [f"Vi synes ventetiden på telefonen er for lang, svar {i}" for i in range(n)]})
    tel = rng.integers(0, 2, n)
    coded = pd.DataFrame({"respondent_id": df["rid"], "question": "ft", "text_clean": df["ft"], "is_non_answer": 0,
                          "theme_telefon": tel, "theme_ros": 1 - tel})
    return df, coded


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The CLI's output folder and terminal text, and the report built from the same data and key."""
    from textmine.report import report_from_summary
    from textmine.summary import build_summary
    from textmine.survey import SurveyDefinition

    mp = pytest.MonkeyPatch()
    mp.setenv("TEXTMINE_DISCLOSURE_KEY", "dec05e-test-key-0123456789abcdef")
    tmp = tmp_path_factory.mktemp("smallnames")
    (tmp / "s.yaml").write_text(yaml.safe_dump(SPEC, allow_unicode=True), encoding="utf-8")
    args, coded_args, frames, coded = ["summary"], [], {}, {}
    for year, seed in ((2022, 1), (2023, 2)):
        frames[year], coded[year] = _wave(year, seed)
        frames[year].to_csv(tmp / f"w{year}.csv", index=False)
        coded[year].to_csv(tmp / f"c{year}.csv", index=False)
        args.append(str(tmp / f"w{year}.csv"))
        coded_args += ["--coded", str(tmp / f"c{year}.csv")]
    try:
        r = CliRunner().invoke(app, [*args, "--survey", str(tmp / "s.yaml"), "--no-quotes", *coded_args,
                                     "--out", str(tmp / "out")])
        assert r.exit_code == 0, r.output
        survey = SurveyDefinition.from_dict(SPEC)
        report = report_from_summary(build_summary(frames, survey, coded), survey)
    finally:
        mp.undo()
    return {"out": tmp / "out", "output": r.output, "report": report}


def _report_levels(report) -> list[str]:
    """The report's kontor labels in its indicator table."""
    t = report.indicators[report.indicators["segment_var"] == "kontor"]
    return sorted(set(t["segment"]))


@pytest.mark.parametrize("name", ["indicators.csv", "themes.csv", "changes.csv", "summary_tidy.csv",
                                  "summary.json", "multiselect.csv"])
def test_no_written_text_file_names_a_small_level(run, name):
    text = (run["out"] / name).read_text(encoding="utf-8")
    for level in SMALL:
        assert level not in text, f"{name} names the hidden level {level!r}; expected «Liten gruppe N»"


def test_the_xlsx_names_no_small_level(run):
    wb = load_workbook(run["out"] / "summary.xlsx", read_only=True)
    cells = {str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None}
    assert not cells & set(SMALL)


def test_the_files_use_the_reports_neutral_names(run):
    report_names = _report_levels(run["report"])
    assert "Liten gruppe 1" in report_names and "Liten gruppe 2" in report_names
    for name in ("indicators.csv", "themes.csv"):
        with open(run["out"] / name, encoding="utf-8", newline="") as fh:
            got = sorted({r["value"] for r in csv.DictReader(fh) if r["segment"] == "kontor"})
        assert got == report_names, f"{name}: kontor levels {got}, the report's {report_names}"
    data = json.loads((run["out"] / "summary.json").read_text(encoding="utf-8"))
    got = sorted({r["value"] for r in data["tables"]["changes"] if r["segment"] == "kontor"})
    assert got == report_names


def test_the_renamed_rows_stay_hidden_and_the_others_keep_their_names(run):
    with open(run["out"] / "indicators.csv", encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["segment"] == "kontor"]
    small = [r for r in rows if r["value"].startswith("Liten gruppe")]
    assert len(small) == 2 * sum(x.startswith("Liten gruppe") for x in _report_levels(run["report"]))
    assert all(r["suppressed"] == "True" and r["share"] == "" for r in small)
    assert {r["value"] for r in rows} - {r["value"] for r in small} <= {"Kontor A", "Kontor B"}
    assert "Kontor A" in {r["value"] for r in rows}


def test_the_terminal_tables_name_no_small_level(run):
    for level in SMALL:
        assert level not in run["output"]


def test_a_bad_disclosure_key_is_named_as_such_not_as_a_write_error(tmp_path, monkeypatch, capsys):
    import typer

    from textmine.cli.stats import write_summary
    from textmine.summary import build_summary
    from textmine.survey import SurveyDefinition

    monkeypatch.setenv("TEXTMINE_DISCLOSURE_KEY", "short")
    survey = SurveyDefinition.from_dict(SPEC)
    waves = {y: _wave(y, seed) for y, seed in ((2022, 1), (2023, 2))}
    summary = build_summary({y: f for y, (f, _) in waves.items()}, survey, {y: c for y, (_, c) in waves.items()},
                            quotes=False)
    with pytest.raises(typer.Exit):
        write_summary(summary, tmp_path / "out", survey)
    err = capsys.readouterr().err
    assert "TEXTMINE_DISCLOSURE_KEY is too short" in err and "could not write" not in err, err
    assert not (tmp_path / "out").exists()  # nothing written, not even the folder


def test_the_demos_summary_files_use_the_reports_neutral_names(tmp_path, monkeypatch):
    """``textmine demo``'s «sammendrag» files name a free-valued level hidden in the report «Liten gruppe N», as the
    report does (they named «Primærnæringer», «Transport og lagring» … beside their hidden cells; dec05e). Small,
    fast stand-ins: the keyword coder and 300 respondents per sample wave."""

    from ..clitools import run_fast_demo

    res = run_fast_demo(monkeypatch, tmp_path / "d")
    assert res.exit_code == 0, res.output
    report = pd.read_json(tmp_path / "d" / "rapport" / "rapport.json", typ="series")
    renamed = {r["segment"] for r in report["themes"] if str(r["segment"]).startswith("Liten gruppe")}
    assert renamed, "the sample run hides no free-valued level: the test needs one"
    themes = pd.read_csv(tmp_path / "d" / "sammendrag" / "themes.csv", dtype=str, keep_default_na=False)
    names = set(themes["value"]) | set(themes["segment"])
    assert {n.lower() for n in renamed} <= {n.lower() for n in names}
    hidden_free = themes[(themes["suppressed"] == "True") & (themes["segment"] == "naering")]
    assert hidden_free.empty or hidden_free["value"].str.lower().str.startswith("liten gruppe").all(), \
        sorted(set(hidden_free["value"]))[:5]
