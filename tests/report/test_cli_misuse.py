"""Analyst misuse of ``textmine report`` and ``textmine demo``: clear one-line errors (exit 2, no traceback),
bad outputs refused before any work, earlier outputs never half-written, no personal data in the outputs."""

import pandas as pd
import pytest

from ..clitools import assert_clean_fail as _clean_fail, run_cli as _run
from ..smallwaves import write_mini_survey

PHONE, MAIL = "91234567", "kari.nordmann@example.no"


@pytest.fixture()
def waves(tmp_path):
    """s.yaml and two small waves w2022.csv, w2023.csv with free text (some with personal data)."""
    texts = [f"Ventetiden på telefon er altfor lang, ring meg på {PHONE}", f"Svar meg på {MAIL} om refusjonen",
             "Saksbehandlingstiden er lang og vi venter på svar", ""]
    return write_mini_survey(tmp_path, seed=3, n=60, ft=lambda i: texts[i % 4],
                             free_text={"label": "Andre kommentarer?"})


def _report(d, *args):
    return _run("report", d / "w2022.csv", d / "w2023.csv", "--survey", d / "s.yaml", "--coder", "keyword", *args)


@pytest.fixture()
def no_work(monkeypatch):
    import textmine.report.pipeline as pipeline

    monkeypatch.setattr(pipeline, "build_report", lambda *a, **k: pytest.fail("built the report before checking"))


def test_report_out_below_a_file_is_refused_before_any_work(waves, no_work):
    notes = waves / "notes.txt"
    notes.write_text("notes\n", encoding="utf-8")
    _clean_fail(_report(waves, "--out", notes / "rapport"), str(notes), "is a file, not a folder")
    assert notes.read_text(encoding="utf-8") == "notes\n"


def test_report_out_folder_holding_an_input_under_an_output_name_is_refused(waves, no_work):
    data = waves / "rapport.json"
    pd.read_csv(waves / "w2023.csv").to_json(data, orient="records", force_ascii=False)
    before = data.read_bytes()
    res = _run("report", waves / "w2022.csv", data, "--survey", waves / "s.yaml", "--coder", "keyword", "--out", waves)
    _clean_fail(res, "is the input file")
    assert data.read_bytes() == before


@pytest.mark.parametrize("content, needles", [
    (b"name: x\nid: [\n", ["not valid YAML"]),
    ("name: m\u00e5ling\n".encode("latin-1"), ["not valid UTF-8"]),
])
def test_report_unreadable_survey_definition_is_a_one_line_error(waves, no_work, content, needles):
    bad = waves / "bad.yaml"
    bad.write_bytes(content)
    res = _run("report", waves / "w2022.csv", "--survey", bad, "--coder", "keyword", "--out", waves / "o")
    _clean_fail(res, str(bad), *needles)
    assert not (waves / "o").exists()


@pytest.mark.parametrize("coder", ["keyword", "model"])
def test_report_malformed_codebook_is_a_one_line_error(waves, no_work, coder):
    cb = waves / "cb.yaml"
    cb.write_text("name: x\nthemes:\n  - id: a\n    label: \"A\n", encoding="utf-8")
    res = _run("report", waves / "w2022.csv", "--survey", waves / "s.yaml", "--coder", coder, "--codebook", cb,
               "--out", waves / "o")
    _clean_fail(res, str(cb), "not valid YAML")
    assert not (waves / "o").exists()


def test_report_failed_write_keeps_the_previous_file_and_leaves_no_temporary_files(waves, monkeypatch):
    import pyreadstat

    out = waves / "o"
    res = _report(waves, "--out", out)
    assert res.exit_code == 0, res.output
    for p in out.rglob("*.*"):  # the keyword coder's report: no personal data in any output file
        if p.suffix in (".html", ".json", ".svg"):
            text = p.read_text(encoding="utf-8")
            assert PHONE not in text and MAIL not in text, p.name
    sav = pyreadstat.read_sav(str(out / "kodede_svar.sav"))[0]
    assert not sav.astype(str).apply(lambda c: c.str.contains(PHONE)).any().any()
    before = (out / "kodede_svar.sav").read_bytes()
    files = sorted(p.relative_to(out) for p in out.rglob("*"))

    def disk_full(df, path, **kw):
        with open(path, "wb") as fh:
            fh.write(b"$FL2")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pyreadstat, "write_sav", disk_full)
    _clean_fail(_report(waves, "--out", out), "could not write", "No space left on device")
    assert (out / "kodede_svar.sav").read_bytes() == before
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == files


# ---------------------------------------------------------------------------------------------- demo
def test_demo_out_that_is_a_file_is_refused(tmp_path, monkeypatch):
    import textmine.pipeline as pipeline

    monkeypatch.setattr(pipeline, "read_waves", lambda *a, **k: pytest.fail("read the sample before checking"))
    out = tmp_path / "demo.csv"
    out.write_text("previous\n", encoding="utf-8")
    _clean_fail(_run("demo", "--out", out, "--no-report"), f"{out}: is a file")
    assert out.read_text(encoding="utf-8") == "previous\n"
    _clean_fail(_run("demo", "--out", out / "sub", "--no-report"), "is a file, not a folder")


def test_demo_bad_model_is_a_one_line_error_before_writing_anything(tmp_path):
    model = tmp_path / "model"
    model.mkdir()
    _clean_fail(_run("demo", "--out", tmp_path / "d", "--model", model, "--no-report"), str(model),
                "not a textmine model")
    assert not (tmp_path / "d").exists()


def test_report_codes_with_the_codebook_given_not_the_default(waves, monkeypatch):
    """--codebook without --model: the comments are coded against that codebook (the default model is for
    another), so the report's themes are the codebook's, not the shipped codebook's."""
    import json

    import textmine.classify as classify
    import textmine.report.pipeline as pipeline
    from textmine.codebook import load_codebook
    from textmine.paths import DEFAULT_CODEBOOK

    used = []

    def coder(model_dir=None, codebook_path=None, **kw):  # the keyword coder stands in for the model (fast)
        used.append(codebook_path)
        return pipeline.KeywordCoder(load_codebook(codebook_path or DEFAULT_CODEBOOK))

    monkeypatch.setattr(classify, "default_coder", coder)
    cb = waves / "cb.yaml"
    cb.write_text("name: mini\nversion: '1'\nthemes:\n  - {id: ko, label: Telefonkø, keywords: [telefon, ventetid]}\n"
                  "  - {id: svar, label: Svar, keywords: [svar, saksbehandlingstid]}\n", encoding="utf-8")
    res = _run("report", waves / "w2022.csv", "--survey", waves / "s.yaml", "--codebook", cb, "--out", waves / "o")
    assert res.exit_code == 0, res.output
    assert [str(p) for p in used] == [str(cb)]
    report = json.loads((waves / "o" / "rapport.json").read_text(encoding="utf-8"))
    assert {t["theme"] for t in report["themes"]} == {"ko", "svar"}


def test_report_reads_the_named_sheet_of_excel_waves(waves):
    """--sheet: the answers on a later sheet of a workbook (a cover sheet first), as on the other commands."""
    for year in (2022, 2023):
        with pd.ExcelWriter(waves / f"w{year}.xlsx") as xl:
            pd.DataFrame({"Om filen": ["Eksport fra skjemaverktøyet"]}).to_excel(xl, sheet_name="Forside", index=False)
            pd.read_csv(waves / f"w{year}.csv").to_excel(xl, sheet_name="Svar", index=False)
    args = (waves / "w2022.xlsx", waves / "w2023.xlsx", "--survey", waves / "s.yaml", "--coder", "keyword")
    res = _run("report", *args, "--out", waves / "first")
    _clean_fail(res, "w2022.xlsx")  # the cover sheet has none of the survey's columns
    res = _run("report", *args, "--sheet", "Svar", "--out", waves / "o")
    assert res.exit_code == 0, res.output
    assert (waves / "o" / "rapport.html").exists() and not (waves / "first").exists()


def test_report_without_model_gets_the_hint_that_fits(waves, monkeypatch):
    """The shipped model not fitting the codebook: the report says it coded zero-shot and how to get a trained
    coder, not the library's 'code zero-shot without --model' (no --model was given)."""
    import warnings

    import textmine.report.pipeline as pipeline

    real = pipeline.build_report

    def warned(*a, **kw):
        warnings.warn("model /x/models/default was trained for codebook 'arbeidsgiver' v1.0 (hash eef78c07785d), "
                      "but the codebook given is 'mini' v1.0 (hash f4cc450a3412). Retrain with `textmine train`, "
                      "or code zero-shot without --model. — falling back to zero-shot coding", stacklevel=2)
        return real(*a, **kw)

    monkeypatch.setattr(pipeline, "build_report", warned)
    res = _report(waves, "--out", waves / "r")
    assert res.exit_code == 0, res.output
    flat = " ".join(res.output.split())
    assert "without --model" not in flat and "the shipped model" in flat and "coded zero-shot" in flat
