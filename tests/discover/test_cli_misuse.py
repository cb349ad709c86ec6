"""Analyst misuse of ``textmine discover``: clear one-line errors (exit 2, no traceback), bad outputs refused
before any work, outputs never lost or half-written, no personal data in outputs or messages."""

import json

import pandas as pd
import pytest

from ..clitools import assert_clean_fail as _clean_fail, break_csv_writes, run_cli

FNR, PHONE, MAIL = "01019010046", "91234567", "kari.nordmann@example.no"
TEXTS = ["Telefonkøen er altfor lang", "Lang kø på telefonen hver dag", "Saksbehandlingstiden er lang",
         "Vi venter lenge på svar i saken", "Refusjonen av sykepenger tar tid", "Refusjon kommer alltid sent",
         "vet ikke", ""]


def _run(*args):
    return run_cli("discover", *args)


@pytest.fixture()
def src(tmp_path):
    p = tmp_path / "in.csv"
    pd.DataFrame({"id": range(1, len(TEXTS) + 1), "text": TEXTS}).to_csv(p, index=False)
    return p


@pytest.fixture()
def no_work(monkeypatch):
    """Fail the test if the slow part (embedding + clustering) starts."""
    import textmine.discover as discover

    monkeypatch.setattr(discover, "discover_themes", lambda *a, **k: pytest.fail("discovered before checking"))


def _lexical(*args):
    return _run(*args, "--embedder", "lexical")


@pytest.mark.parametrize("content, needles", [
    ("", ["file is empty"]),
    ("id,text\n", ["no rows"]),
    ("id,text\n1,K\u00f8en er lang\n2,\u00e6\u00f8\n", None),  # mixed encodings: written below
])
def test_unreadable_or_empty_input_is_one_line_error(tmp_path, content, needles):
    p = tmp_path / "in.csv"
    if needles is None:
        p.write_bytes("id,text\n1,Køen er lang\n".encode() + "2,æø\n".encode("latin-1"))
        needles = ["row 3, column text", "not valid utf-8"]
    else:
        p.write_text(content, encoding="utf-8")
    _clean_fail(_lexical(p, "--text-col", "text", "--out", tmp_path / "o"), str(p), *needles)
    assert not (tmp_path / "o").exists()


def test_only_empty_cells_and_non_answers_gives_no_topics_not_a_crash(tmp_path):
    p = tmp_path / "in.csv"
    p.write_text("id,text\n1,\n2,\n3,vet ikke\n", encoding="utf-8")
    res = _lexical(p, "--text-col", "text", "--out", tmp_path / "o")
    assert res.exit_code == 0, res.output
    summary = json.loads((tmp_path / "o" / "topics.json").read_text(encoding="utf-8"))
    assert summary["topics"] == [] and summary["n_empty"] == 2


def test_missing_text_column_names_the_file_and_columns(src, tmp_path, no_work):
    _clean_fail(_lexical(src, "--text-col", "svar", "--out", tmp_path / "o"), f"{src}: no text column 'svar'",
                "columns are: id, text")


def test_excel_with_several_sheets_names_them_and_sheet_picks_one(tmp_path):
    xl = tmp_path / "m.xlsx"
    with pd.ExcelWriter(xl) as xw:
        pd.DataFrame({"info": ["les meg"]}).to_excel(xw, sheet_name="Info", index=False)
        pd.DataFrame({"id": range(len(TEXTS)), "text": TEXTS}).to_excel(xw, sheet_name="Svar", index=False)
    _clean_fail(_lexical(xl, "--text-col", "text", "--out", tmp_path / "o"), "'Svar'", "--sheet")
    _clean_fail(_lexical(xl, "--sheet", "Nope", "--text-col", "text", "--out", tmp_path / "o"),
                "no sheet named 'Nope' (sheets: Info, Svar)")
    res = _lexical(xl, "--sheet", "Svar", "--text-col", "text", "--out", tmp_path / "o")
    assert res.exit_code == 0, res.output
    assert len(pd.read_csv(tmp_path / "o" / "assignments.csv")) == len(TEXTS)


def test_out_that_is_a_file_is_refused_before_any_work_and_kept(src, tmp_path, no_work):
    out = tmp_path / "results.csv"
    out.write_text("previous\n", encoding="utf-8")
    _clean_fail(_lexical(src, "--text-col", "text", "--out", out), f"{out}: is a file", "folder")
    assert out.read_text(encoding="utf-8") == "previous\n"
    _clean_fail(_lexical(src, "--text-col", "text", "--out", out / "sub"), str(out), "is a file, not a folder")


def test_out_folder_holding_an_input_under_an_output_name_is_refused(tmp_path, no_work):
    folder = tmp_path / "work"
    folder.mkdir()
    data = folder / "assignments.csv"
    pd.DataFrame({"id": [1, 2], "text": TEXTS[:2]}).to_csv(data, index=False)
    before = data.read_bytes()
    _clean_fail(_lexical(data, "--text-col", "text", "--out", folder), "is the input file")
    assert data.read_bytes() == before
    cb = folder / "codebook.yaml"
    cb.write_text("name: x\nthemes:\n  - {id: ko, label: Kø}\n", encoding="utf-8")
    cb_before = cb.read_bytes()
    src = tmp_path / "in.csv"
    data.rename(src)
    _clean_fail(_lexical(src, "--text-col", "text", "--out", folder, "--codebook", cb), "is the input file")
    assert cb.read_bytes() == cb_before


@pytest.mark.parametrize("content, needles", [
    (b"name: x\nthemes:\n  - id: a\n    label: \"A\n", ["not valid YAML"]),
    (b"name: x\xff\nthemes: []\n", ["line 1", "not valid UTF-8"]),
    (b"", ["codebook"]),
])
def test_bad_codebook_is_a_one_line_error_before_any_work(src, tmp_path, no_work, content, needles):
    p = tmp_path / "cb.yaml"
    p.write_bytes(content)
    res = _lexical(src, "--text-col", "text", "--out", tmp_path / "o", "--codebook", p)
    _clean_fail(res, str(p), *needles)
    assert not (tmp_path / "o").exists()


def test_unknown_embedder_is_a_one_line_error(src, tmp_path, no_work):
    _clean_fail(_run(src, "--text-col", "text", "--out", tmp_path / "o", "--embedder", "no-such-model"),
                "--embedder", "no-such-model")


def test_failed_write_keeps_the_previous_outputs_whole(src, tmp_path, monkeypatch):
    out = tmp_path / "o"
    assert _lexical(src, "--text-col", "text", "--out", out).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    break_csv_writes(monkeypatch, "id,te")
    _clean_fail(_lexical(src, "--text-col", "text", "--out", out, "--seed", "7"), "could not write",
                "No space left on device")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # whole, and no temporary file left


def test_personal_data_stays_out_of_outputs_and_messages(tmp_path):
    src = tmp_path / "in.csv"
    texts = [f"Ring meg på {PHONE}, telefonkøen er lang", f"Skriv til {MAIL} om refusjonen",
             f"Mitt fødselsnummer er {FNR}, saken tar tid", *TEXTS]
    notes = [f"Kontakt {MAIL}", "", f"tlf {PHONE}"] + [""] * len(TEXTS)
    pd.DataFrame({"id": range(len(texts)), "text": texts, "notat": notes}).to_csv(src, index=False)
    out = tmp_path / "o"
    res = _lexical(src, "--text-col", "text", "--out", out)
    assert res.exit_code == 0, res.output
    flat = " ".join(res.output.split())
    assert "notat (2 cells)" in flat and "masked in place" in flat  # a note: names and counts, never values
    assigned = (out / "assignments.csv").read_text(encoding="utf-8")
    assert MAIL not in assigned and PHONE not in assigned and "[EPOST]" in assigned  # masked without being named
    for secret in (PHONE, MAIL, FNR):
        assert secret not in res.output
        assert secret not in (out / "topics.json").read_text(encoding="utf-8")
        assert secret not in (out / "codebook.yaml").read_text(encoding="utf-8")
    res = _lexical(src, "--text-col", "text", "--out", out, "--redact-col", "notat")
    assert res.exit_code == 0, res.output
    assigned = (out / "assignments.csv").read_text(encoding="utf-8")
    assert all(s not in assigned for s in (PHONE, MAIL, FNR)) and "[EPOST]" in assigned
    res = _lexical(src, "--text-col", "text", "--out", out, "--keep-raw-text")  # asked for: the raw text column
    assert res.exit_code == 0, res.output
    assert PHONE in pd.read_csv(out / "assignments.csv")["text"].iloc[0]


@pytest.mark.parametrize("answers", [
    [],
    ["Telefonkøen er altfor lang, vi venter 40 min hver gang"],
    ["Telefonkøen er altfor lang, vi venter 40 min hver gang", "Refusjonen av sykepenger kommer alltid sent"],
], ids=["zero", "one", "two"])
def test_guided_lexical_with_few_real_answers_gives_a_result(tmp_path, answers):
    """Guided discovery on 0-2 real answers among non-answers writes a result (one answer used to crash inside
    classify: a lexical space cannot be fitted on one text)."""
    from textmine.paths import DEFAULT_CODEBOOK

    texts = [*answers, "vet ikke", "-"]
    p = tmp_path / "in.csv"
    pd.DataFrame({"id": range(1, len(texts) + 1), "text": texts}).to_csv(p, index=False)
    out = tmp_path / "o"
    res = _lexical(p, "--text-col", "text", "--out", out, "--codebook", DEFAULT_CODEBOOK)
    assert res.exit_code == 0, res.output
    assigned = pd.read_csv(out / "assignments.csv", dtype=str, keep_default_na=False)
    assert assigned["id"].tolist() == [str(i) for i in range(1, len(texts) + 1)]
    assert assigned["topic"].tolist()[len(answers):] == ["-1", "-1"]  # the non-answers
    uncovered = assigned["uncovered"] == "1"
    assert not uncovered.iloc[len(answers):].any()
    assert ((assigned["topic"] != "-1") == uncovered).all()  # candidate topics only from uncovered answers
    summary = json.loads((out / "topics.json").read_text(encoding="utf-8"))
    assert summary["n_uncovered"] == int(uncovered.sum()) == sum(t["size"] for t in summary["topics"])
