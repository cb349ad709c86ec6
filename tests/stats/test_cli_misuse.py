"""Analyst misuse of ``textmine summary``, ``textmine crosstab`` and ``textmine clean`` (the table commands):
clear one-line errors (exit 2, no traceback), bad outputs refused before any work, inputs and earlier
outputs never overwritten or half-written, no personal data in outputs or messages."""

import json

import pandas as pd
import pytest

from ..clitools import assert_clean_fail as _clean_fail, break_csv_writes, run_cli as _run
from ..smallwaves import write_mini_survey

PHONE, FNR, MAIL = "91234567", "01019010046", "kari.nordmann@example.no"


@pytest.fixture()
def survey(tmp_path):
    """A two-wave survey (s.yaml, w2022.csv, w2023.csv) with pre-coded comments (coded2022/2023.csv)."""
    return write_mini_survey(tmp_path, seed=7, n=60, indicator={"excluded": [7]},
                             ft=lambda i: f"Telefonkøen er lang, ring {PHONE}" if i % 3 == 0 else "",
                             coded="Telefonkøen er lang, ring [TELEFON]")


def _summary(d, *args, coded=True):
    extra = ["--coded", d / "coded2022.csv", "--coded", d / "coded2023.csv"] if coded else []
    return _run("summary", d / "w2022.csv", d / "w2023.csv", "--survey", d / "s.yaml", "--embedder", "fallback",
                "--quiet", *extra, *args)


@pytest.fixture()
def no_coding(monkeypatch):
    import textmine.cli.stats as stats

    monkeypatch.setattr(stats, "code_wave", lambda *a, **k: pytest.fail("coded before checking the options"))


# ---------------------------------------------------------------------------------------------- summary
def test_summary_out_that_is_a_file_is_refused_before_any_work(survey, monkeypatch):
    import textmine.summary as summary

    monkeypatch.setattr(summary, "build_summary", lambda *a, **k: pytest.fail("summarised before checking --out"))
    out = survey / "results.csv"
    out.write_text("previous\n", encoding="utf-8")
    _clean_fail(_summary(survey, "--out", out), f"{out}: is a file")
    assert out.read_text(encoding="utf-8") == "previous\n"
    _clean_fail(_summary(survey, "--out", out / "sub"), "is a file, not a folder")


def test_summary_out_folder_holding_an_input_under_an_output_name_is_refused(survey):
    data = survey / "themes.csv"
    (survey / "w2023.csv").rename(data)
    before = data.read_bytes()
    res = _run("summary", survey / "w2022.csv", data, "--survey", survey / "s.yaml", "--embedder", "fallback",
               "--coded", survey / "coded2022.csv", "--coded", survey / "coded2023.csv", "--out", survey)
    _clean_fail(res, "is the input file")
    assert data.read_bytes() == before


def test_summary_failed_write_keeps_the_previous_outputs_whole(survey, monkeypatch):
    out = survey / "o"
    assert _summary(survey, "--out", out).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    break_csv_writes(monkeypatch, "wave,th")
    _clean_fail(_summary(survey, "--out", out), "could not write", "No space left on device")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # whole, and no temporary folder left


@pytest.mark.parametrize("kind", ["folder", "latin-1"])
def test_summary_unreadable_survey_definition_is_a_one_line_error(survey, kind):
    bad = survey / "bad.yaml"
    if kind == "folder":
        bad.mkdir()
    else:
        bad.write_bytes("name: m\u00e5ling\n".encode("latin-1"))
    _clean_fail(_summary(survey, "--out", survey / "o", "--survey", bad), str(bad),
                "folder" if kind == "folder" else "not valid UTF-8")


@pytest.mark.parametrize("coded", [True, False])
def test_summary_malformed_codebook_is_a_one_line_error_before_coding(survey, no_coding, coded):
    cb = survey / "cb.yaml"
    cb.write_text("name: x\nthemes:\n  - id: a\n    label: \"A\n", encoding="utf-8")
    _clean_fail(_summary(survey, "--out", survey / "o", "--codebook", cb, coded=coded), str(cb), "not valid YAML")
    assert not (survey / "o").exists()


def test_summary_bad_model_is_a_one_line_error_before_coding(survey, no_coding):
    model = survey / "model"
    model.mkdir()
    _clean_fail(_summary(survey, "--out", survey / "o", "--model", model, coded=False), str(model),
                "not a textmine model")


def test_summary_unknown_embedder_is_a_one_line_error(survey):
    res = _summary(survey, "--out", survey / "o", "--embedder", "no-such-model")
    _clean_fail(res, "--embedder", "no-such-model")
    assert not (survey / "o").exists()


def test_summary_reads_every_wave_before_coding_any(survey, no_coding):
    (survey / "w2023.csv").write_text("", encoding="utf-8")
    _clean_fail(_summary(survey, "--out", survey / "o", coded=False), f"{survey / 'w2023.csv'}: file is empty")


def test_summary_excel_with_several_sheets_and_wrong_sheet(survey):
    xl = survey / "w.xlsx"
    with pd.ExcelWriter(xl) as xw:
        pd.DataFrame({"info": ["les meg"]}).to_excel(xw, sheet_name="Info", index=False)
        pd.read_csv(survey / "w2022.csv").to_excel(xw, sheet_name="Data", index=False)
    args = ["summary", xl, "--survey", survey / "s.yaml", "--coded", survey / "coded2022.csv", "--quiet",
            "--embedder", "fallback", "--out", survey / "o"]
    _clean_fail(_run(*args, "--sheet", "Nope"), "no sheet named 'Nope' (sheets: Info, Data)")
    assert _run(*args, "--sheet", "Data").exit_code == 0


def test_summary_outputs_carry_no_personal_data(survey):
    res = _summary(survey, "--out", survey / "o", coded=False)
    assert res.exit_code == 0, res.output
    assert PHONE not in res.output
    for p in (survey / "o").iterdir():
        data = p.read_bytes()
        assert PHONE.encode() not in data, p.name


# ---------------------------------------------------------------------------------------------- crosstab
@pytest.fixture()
def data(tmp_path):
    p = tmp_path / "data.csv"
    pd.DataFrame({"sektor": ["P", "O", "P", "O", "P", "O"], "q": [1, 2, 2, 1, 1, 2],
                  "vekt": ["1", "1,5", "x", "1", "1", "1"],
                  "fritekst": [f"Ring {PHONE}", f"fnr {FNR}", "Bra", "", f"{MAIL}", "ok"]}).to_csv(p, index=False)
    return p


def test_crosstab_out_equal_to_input_is_refused_and_the_input_kept(data, tmp_path):
    before = data.read_bytes()
    _clean_fail(_run("crosstab", data, "--row", "sektor", "--col", "q", "--out", tmp_path / "." / "data.csv"),
                "is the input file")
    assert data.read_bytes() == before


@pytest.mark.parametrize("out, needles", [
    ("folder.json", ["is a folder"]),
    ("notes.txt/x.json", ["is a file, not a folder"]),
    ("x.csv", ["writes JSON", ".json"]),
])
def test_crosstab_bad_out_is_refused(data, tmp_path, out, needles):
    (tmp_path / "folder.json").mkdir()
    (tmp_path / "notes.txt").write_text("notes\n", encoding="utf-8")
    _clean_fail(_run("crosstab", data, "--row", "sektor", "--col", "q", "--out", tmp_path / out), *needles)
    assert not (tmp_path / "x.csv").exists()


def test_crosstab_failed_write_keeps_the_previous_output(data, tmp_path, monkeypatch):
    out = tmp_path / "x.json"
    out.write_text('{"previous": 1}', encoding="utf-8")
    import textmine.io as tio

    def boom(path, suffix=""):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tio, "replacing", boom)
    _clean_fail(_run("crosstab", data, "--row", "sektor", "--col", "q", "--out", out), "could not write",
                "No space left on device")
    assert json.loads(out.read_text(encoding="utf-8")) == {"previous": 1}


def test_crosstab_same_row_and_col_is_refused(data, tmp_path):
    _clean_fail(_run("crosstab", data, "--row", "sektor", "--col", "sektor", "--out", tmp_path / "x.json"),
                "--row and --col")


@pytest.mark.parametrize("decimals", ["-1", "400"])
def test_crosstab_decimals_out_of_range_is_refused(data, tmp_path, decimals):
    res = _run("crosstab", data, "--row", "sektor", "--col", "q", "--out", tmp_path / "x.json", "--decimals", decimals)
    assert res.exit_code == 2 and "--decimals" in res.output, res.output
    assert not (tmp_path / "x.json").exists()


def test_crosstab_missing_column_and_bad_weight_name_the_file(data, tmp_path):
    _clean_fail(_run("crosstab", data, "--row", "nope", "--col", "q", "--out", tmp_path / "x.json"),
                f"{data}:", "'nope'", "columns are: sektor, q, vekt, fritekst")
    _clean_fail(_run("crosstab", data, "--row", "sektor", "--col", "q", "--weight", "vekt", "--out",
                     tmp_path / "x.json"), f"{data}:", "'vekt'")


def test_crosstab_excel_with_several_sheets_names_them(data, tmp_path):
    xl = tmp_path / "m.xlsx"
    with pd.ExcelWriter(xl) as xw:
        pd.DataFrame({"info": ["les meg"]}).to_excel(xw, sheet_name="Info", index=False)
        pd.read_csv(data).to_excel(xw, sheet_name="Data", index=False)
    _clean_fail(_run("crosstab", xl, "--row", "sektor", "--col", "q", "--out", tmp_path / "x.json"), "'Data'",
                "--sheet")
    assert _run("crosstab", xl, "--sheet", "Data", "--row", "sektor", "--col", "q", "--out",
                tmp_path / "x.json").exit_code == 0


def test_crosstab_of_a_column_with_personal_data_is_refused(data, tmp_path):
    out = tmp_path / "x.json"
    res = _run("crosstab", data, "--row", "fritekst", "--col", "q", "--out", out)
    _clean_fail(res, "'fritekst'", "personal data")
    assert all(s not in res.output for s in (PHONE, FNR, MAIL))
    assert not out.exists()


# ---------------------------------------------------------------------------------------------- clean
@pytest.fixture()
def comments(tmp_path):
    p = tmp_path / "in.csv"
    pd.DataFrame({"id": [1, 2, 3], "fritekst": [f"Ring meg på {PHONE}", f"fnr {FNR}", "Bra"]}).to_csv(p, index=False)
    return p


def test_clean_out_equal_to_input_is_refused_and_the_input_kept(comments, tmp_path):
    before = comments.read_bytes()
    _clean_fail(_run("clean", comments, "--text-col", "fritekst", "--out", tmp_path / "." / "in.csv"),
                "is the input file")
    assert comments.read_bytes() == before


@pytest.mark.parametrize("kind, needles", [
    ("empty", ["file is empty"]),
    ("mixed", ["row 3", "not valid utf-8"]),
    ("sheet", ["no sheet named 'Nope' (sheets: Info, Svar)"]),
])
def test_clean_unreadable_input_is_a_one_line_error(tmp_path, kind, needles):
    p = tmp_path / ("in.xlsx" if kind == "sheet" else "in.csv")
    if kind == "empty":
        p.write_text("", encoding="utf-8")
    elif kind == "mixed":
        p.write_bytes("id,fritekst\n1,Køen er lang\n".encode() + "2,æø\n".encode("latin-1"))
    else:
        with pd.ExcelWriter(p) as xw:
            pd.DataFrame({"info": ["les meg"]}).to_excel(xw, sheet_name="Info", index=False)
            pd.DataFrame({"fritekst": ["Bra"]}).to_excel(xw, sheet_name="Svar", index=False)
    args = ["clean", p, "--text-col", "fritekst", "--out", tmp_path / "o.csv"]
    _clean_fail(_run(*args, *(["--sheet", "Nope"] if kind == "sheet" else [])), str(p), *needles)
    assert str(p) + ": " + str(p) not in " ".join(_run(*args).output.split())  # the file named once


def test_clean_excel_with_several_sheets_names_them(tmp_path):
    xl = tmp_path / "m.xlsx"
    with pd.ExcelWriter(xl) as xw:
        pd.DataFrame({"info": ["les meg"]}).to_excel(xw, sheet_name="Info", index=False)
        pd.DataFrame({"fritekst": ["Bra"]}).to_excel(xw, sheet_name="Svar", index=False)
    _clean_fail(_run("clean", xl, "--text-col", "fritekst", "--out", tmp_path / "o.csv"), "'Svar'", "--sheet")


def test_clean_failed_write_is_one_line_and_keeps_the_previous_output(comments, tmp_path, monkeypatch):
    out = tmp_path / "o.csv"
    out.write_text("previous results\n", encoding="utf-8")

    break_csv_writes(monkeypatch, "id,fr")
    _clean_fail(_run("clean", comments, "--text-col", "fritekst", "--out", out), f"could not write {out}",
                "No space left on device")
    assert out.read_text(encoding="utf-8") == "previous results\n"
