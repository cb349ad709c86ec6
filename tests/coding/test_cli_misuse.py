"""Analyst misuse of code/train/evaluate/review/agreement: clear one-line errors (exit 2, no traceback), outputs
never lost or half-written, byte-identical reruns, JSON input, Excel sheets and hierarchy in agreement."""

import json
import time
import warnings

import numpy as np
import openpyxl
import pandas as pd
import pytest

from textmine.codebook import Codebook
from textmine.paths import MODELS_DIR

from .conftest import HIER_CODEBOOK, FakeEmbedder
from ..clitools import assert_clean_fail as _clean_fail, break_csv_writes, run_cli as _run


@pytest.fixture()
def lab(tmp_path):
    p = tmp_path / "lab.csv"
    rows = ["Køen er lang,ko", "Vi venter i kassa,ko", "Maten er dyr,pris", "Høye priser,pris", "Suppen var kald,mat",
            "God middag,mat", "Lang ventetid,ko", "Billig salat,pris;mat"]
    p.write_text("id,text,themes,type\n" + "".join(f"{i},{r},klage\n" for i, r in enumerate(rows)), encoding="utf-8")
    return p


@pytest.fixture()
def src(tmp_path):
    p = tmp_path / "in.csv"
    p.write_text("id,text\n1,Køen er lang\n2,Maten er dyr\n3,vet ikke\n", encoding="utf-8")
    return p


def test_json_output_can_be_coded_again(tmp_path, cb, src, fake_e5):
    first, again = tmp_path / "o.json", tmp_path / "o2.csv"
    assert _run("code", src, "--codebook", cb, "--text-col", "text", "--out", first).exit_code == 0
    res = _run("code", first, "--codebook", cb, "--text-col", "text", "--out", again)
    assert res.exit_code == 0, res.output
    assert pd.read_csv(again)["id"].tolist() == [1, 2, 3]


def test_out_equal_to_input_is_refused_and_the_input_kept(tmp_path, cb, src, fake_e5):
    before = src.read_bytes()
    res = _run("code", src, "--codebook", cb, "--text-col", "text", "--out", tmp_path / "." / "in.csv")
    _clean_fail(res, "is the input file")
    assert src.read_bytes() == before


def test_failed_write_keeps_the_existing_output_whole(tmp_path, cb, src, fake_e5, monkeypatch):
    out = tmp_path / "o.csv"
    out.write_text("previous results\n", encoding="utf-8")

    break_csv_writes(monkeypatch, "id,te")
    res = _run("code", src, "--codebook", cb, "--text-col", "text", "--out", out)
    _clean_fail(res, f"could not write {out}", "No space left on device")
    assert out.read_text(encoding="utf-8") == "previous results\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "kantine.yaml", "o.csv"]  # no temp file left


@pytest.mark.parametrize("cmd", ["code", "review", "agreement", "evaluate", "train"])
def test_output_below_a_file_fails_cleanly_before_any_work(tmp_path, cb, src, lab, fake_e5, cmd, monkeypatch):
    import textmine.classify.table as table

    monkeypatch.setattr(table, "code_dataframe", lambda *a, **k: pytest.fail("coded before checking --out"))
    bad = src / "sub" / "x.csv"
    args = {"code": ["code", src, "--codebook", cb, "--text-col", "text", "--out", bad],
            "review": ["review", src, "--codebook", cb, "--queue-out", bad],
            "agreement": ["agreement", lab, lab, "--codebook", cb, "--json", src / "a.json"],
            "evaluate": ["evaluate", lab, "--codebook", cb, "--json", src / "e.json"],
            "train": ["train", lab, "--codebook", cb, "--out", src]}[cmd]
    _clean_fail(_run(*args), str(src))


def test_agreement_refuses_an_unsupported_disagreements_file(tmp_path, cb, lab):
    _clean_fail(_run("agreement", lab, lab, "--codebook", cb, "--disagreements", tmp_path / "d.txt"),
                "unsupported output type '.txt'")


def test_train_refuses_a_folder_that_is_not_a_model(tmp_path, cb, lab, fake_e5):
    data = tmp_path / "data"
    data.mkdir()
    (data / "survey.csv").write_text("x\n1\n", encoding="utf-8")
    _clean_fail(_run("train", lab, "--codebook", cb, "--out", data), "not a textmine model")
    assert [p.name for p in data.iterdir()] == ["survey.csv"]


@pytest.mark.parametrize("ext", ["xlsx", "sav"])
def test_same_input_gives_byte_identical_xlsx_and_sav(tmp_path, cb, src, fake_e5, ext):
    outs = [tmp_path / f"a.{ext}", tmp_path / f"b.{ext}"]
    for i, out in enumerate(outs):
        if i:
            time.sleep(1.1)  # the file formats store the time of writing
        assert _run("code", src, "--codebook", cb, "--text-col", "text", "--out", out).exit_code == 0
    assert outs[0].read_bytes() == outs[1].read_bytes()


def test_sav_refuses_text_longer_than_spss_allows_and_keeps_the_old_file(tmp_path, cb, fake_e5):
    src = tmp_path / "long.csv"
    src.write_text("id,text\n1," + "Køen er lang. " * 2500 + "\n2,Bra\n", encoding="utf-8")
    out = tmp_path / "o.sav"
    out.write_bytes(b"old")
    _clean_fail(_run("code", src, "--codebook", cb, "--text-col", "text", "--out", out), "32,767-byte", "'text'")
    assert out.read_bytes() == b"old"


@pytest.mark.parametrize("content, needles", [
    (b"name: x\nthemes:\n  - id: a\n    label: \"A\n", ["not valid YAML: while scanning a quoted scalar at line 4, column 12"]),
    (b"name: x\xff\nthemes: []\n", ["line 1", "not valid UTF-8"]),
    (None, ["is a folder"]),
])
def test_bad_codebook_file_gives_a_one_line_error(tmp_path, src, content, needles):
    p = tmp_path / "cb.yaml"
    p.mkdir() if content is None else p.write_bytes(content)
    res = _run("code", src, "--codebook", p, "--text-col", "text", "--out", tmp_path / "o.csv")
    _clean_fail(res, str(p), *needles)
    assert "<unicode string>" not in res.output


def test_excel_duplicate_headers_are_refused(tmp_path, cb, fake_e5):
    wb = openpyxl.Workbook()
    for r in [["id", "text", "text"], [1, "Køen er lang", "Bra"]]:
        wb.active.append(r)
    wb.save(tmp_path / "d.xlsx")
    _clean_fail(_run("code", tmp_path / "d.xlsx", "--codebook", cb, "--text-col", "text", "--out", tmp_path / "o.csv"),
                "duplicate column name", "text")


def test_excel_with_several_sheets_names_them_and_sheet_picks_one(tmp_path, cb, fake_e5):
    xl = tmp_path / "m.xlsx"
    with pd.ExcelWriter(xl) as xw:
        pd.DataFrame({"info": ["les meg"]}).to_excel(xw, sheet_name="Info", index=False)
        pd.DataFrame({"id": [1, 2], "text": ["Køen er lang", "Bra"]}).to_excel(xw, sheet_name="Svar", index=False)
    out = tmp_path / "o.csv"
    _clean_fail(_run("code", xl, "--codebook", cb, "--text-col", "text", "--out", out), "'Svar'", "--sheet")
    res = _run("code", xl, "--sheet", "Svar", "--codebook", cb, "--text-col", "text", "--out", out)
    assert res.exit_code == 0, res.output
    assert pd.read_csv(out)["id"].tolist() == [1, 2]


def test_labelled_workbooks_take_sheet_in_train_evaluate_and_agreement(tmp_path, cb, lab, fake_e5):
    """Labels on a second sheet: without --sheet the commands name the sheets, with it they read the labels."""
    xl = tmp_path / "lab.xlsx"
    with pd.ExcelWriter(xl) as xw:
        pd.DataFrame({"om": ["koding av bølge 2"]}).to_excel(xw, sheet_name="Info", index=False)
        pd.read_csv(lab, dtype=str, keep_default_na=False).to_excel(xw, sheet_name="Koder", index=False)
    model, ev = tmp_path / "model", tmp_path / "e.json"
    _clean_fail(_run("train", xl, "--codebook", cb, "--out", model), "'Koder'", "--sheet")
    assert not model.exists()
    res = _run("train", xl, "--sheet", "Koder", "--codebook", cb, "--out", model)
    assert res.exit_code == 0, res.output
    _clean_fail(_run("evaluate", xl, "--model", model, "--sheet", "Svar", "--json", ev), "no sheet named 'Svar'",
                "Info, Koder")
    res = _run("evaluate", xl, "--model", model, "--sheet", "Koder", "--json", ev)
    assert res.exit_code == 0, res.output
    assert json.loads(ev.read_text(encoding="utf-8"))["summary"]["n"] == 8
    res = _run("agreement", xl, lab, "--codebook", cb, "--sheet", "Koder")  # the CSV side ignores --sheet
    assert res.exit_code == 0, res.output
    assert "same theme set: 100.0%" in res.output


def test_column_clash_warning_is_one_line_without_python_source(tmp_path, cb, fake_e5):
    src = tmp_path / "in.csv"
    src.write_text("id,text,themes\n1,Køen er lang,ko\n", encoding="utf-8")
    res = _run("code", src, "--codebook", cb, "--text-col", "text", "--out", tmp_path / "o.csv")
    assert res.exit_code == 0, res.output
    assert "warning: input already has column(s) ['themes']" in res.output
    assert "UserWarning" not in res.output and "code_dataframe(" not in res.output


def test_evaluate_header_only_file_is_refused(tmp_path, cb, fake_e5):
    lab = tmp_path / "lab.csv"
    lab.write_text("text,themes,type\n", encoding="utf-8")
    _clean_fail(_run("evaluate", lab, "--codebook", cb, "--json", tmp_path / "e.json"), "no labelled comments")
    assert not (tmp_path / "e.json").exists()


def test_agreement_rolls_child_themes_up_to_their_parent(tmp_path):
    cbp = tmp_path / "hier.yaml"
    cbp.write_text(Codebook.from_dict(HIER_CODEBOOK).to_yaml(), encoding="utf-8")
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("id,themes\n1,telefon\n2,tid\n3,epost;tid\n", encoding="utf-8")
    b.write_text("id,themes\n1,kontakt;telefon\n2,tid\n3,kontakt;epost;tid\n", encoding="utf-8")
    res = _run("agreement", a, b, "--codebook", cbp, "--disagreements", tmp_path / "d.csv")
    assert res.exit_code == 0, res.output
    assert "same theme set: 100.0%" in res.output
    assert pd.read_csv(tmp_path / "d.csv").empty


def test_training_with_one_theme_warns_and_raises_no_runtime_warning(toy_codebook):
    from textmine.classify import SupervisedCoder

    texts = [f"Maten var kald og smakløs dag {i}" for i in range(12)] + ["Fint", "Greit nok"]
    labels = ["mat"] * 12 + ["", ""]
    coder = SupervisedCoder(toy_codebook, embedder=FakeEmbedder(), lexical_only=True, cv=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        coder.fit(texts, labels, [""] * len(texts))
    assert np.isfinite(coder.blend_).all()


def test_train_names_the_themes_without_labelled_examples(tmp_path, cb, lab, fake_e5):
    res = _run("train", lab, "--codebook", cb, "--out", tmp_path / "model")
    assert res.exit_code == 0, res.output
    flat = " ".join(res.output.split())
    assert "1 of 4 themes have fewer than 2 labelled comments" in flat and "(coded from the codebook alone): annet" in flat


def test_train_on_non_answers_only_names_the_file(tmp_path, cb, fake_e5):
    lab = tmp_path / "na.csv"
    lab.write_text("text,themes,type\nvet ikke,,\nnei,,\n-,,\n", encoding="utf-8")
    _clean_fail(_run("train", lab, "--codebook", cb, "--out", tmp_path / "m"), f"{lab}: no answered")


def test_evaluate_json_report_over_a_json_labelled_file_is_refused(tmp_path, cb, lab, fake_e5):
    labelled = tmp_path / "lab.json"
    pd.read_csv(lab).to_json(labelled, orient="records", force_ascii=False)
    before = labelled.read_bytes()
    _clean_fail(_run("evaluate", labelled, "--codebook", cb, "--json", labelled), "is the input file")
    assert labelled.read_bytes() == before
    assert _run("evaluate", labelled, "--codebook", cb, "--json", tmp_path / "e.json").exit_code == 0


def test_json_input_with_a_mixed_column_writes_parquet(tmp_path, cb, fake_e5):
    src = tmp_path / "in.json"
    src.write_text('[{"id": 1, "text": "Køen er lang", "x": 1}, {"id": 2, "text": "Bra", "x": "a"}]', encoding="utf-8")
    out = tmp_path / "o.parquet"
    res = _run("code", src, "--codebook", cb, "--text-col", "text", "--out", out)
    assert res.exit_code == 0, res.output
    assert pd.read_parquet(out)["x"].tolist() == ["1", "a"]


@pytest.mark.skipif(not (MODELS_DIR / "fast" / "manifest.json").exists(), reason="models/fast not built")
@pytest.mark.parametrize("damage", ["truncate", "delete"])
def test_damaged_model_arrays_give_a_clear_error(tmp_path, src, damage):
    import shutil

    model = tmp_path / "m"
    shutil.copytree(MODELS_DIR / "fast", model)
    arrays = model / "arrays.npz"
    arrays.write_bytes(arrays.read_bytes()[:1000]) if damage == "truncate" else arrays.unlink()
    res = _run("code", src, "--codebook", model / "codebook.yaml", "--model", model, "--text-col", "text",
               "--out", tmp_path / "o.csv")
    _clean_fail(res, f"{model}: arrays.npz is", "retrain")


def test_xlsm_output_has_the_content_type_excel_requires(tmp_path, cb, src, fake_e5):
    import zipfile

    out = tmp_path / "o.xlsm"
    assert _run("code", src, "--codebook", cb, "--text-col", "text", "--out", out).exit_code == 0
    types = zipfile.ZipFile(out).read("[Content_Types].xml").decode()
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
    assert openpyxl.load_workbook(out).active.max_row == 4


def test_text_column_with_numbers_only_is_warned_about(tmp_path, cb, fake_e5):
    src = tmp_path / "in.csv"
    src.write_text("id,q1,kommentar\n1,4,Køen er lang\n2,5,\n3,2,Bra\n", encoding="utf-8")
    res = _run("code", src, "--codebook", cb, "--text-col", "q1", "--out", tmp_path / "o.csv")
    assert res.exit_code == 0, res.output
    assert "holds no letters at all" in " ".join(res.output.split())
    res = _run("code", src, "--codebook", cb, "--text-col", "kommentar", "--out", tmp_path / "o.csv")
    assert "holds no letters" not in res.output
