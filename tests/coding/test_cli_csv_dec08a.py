"""CLI leftovers (dec08a): ``evaluate --zero-shot-background`` as ``code`` has it; ``--csv-sep`` (``,`` ``;`` ``tab``)
for the analysts' CSV tables of ``code``, ``review --queue-out``, ``summary`` and ``agreement --disagreements``, read
back by textmine (``summary --coded``, ``train``); the disagreements CSV with the byte-order mark Excel needs."""

import json
import re

import pandas as pd
import pytest
import yaml

from textmine.io import read_table

from ..clitools import assert_clean_fail, run_cli
from ..smallwaves import write_mini_survey
from .conftest import TOY_TRAIN

BOM = b"\xef\xbb\xbf"
TEXTS = ["Køen i kassa er lang", "Maten er dyr, 120 kroner", "Suppen var kald", "vet ikke", "Mer salat, takk"]


@pytest.fixture()
def labelled(tmp_path):
    p = tmp_path / "labelled.csv"
    pd.DataFrame(TOY_TRAIN, columns=["text", "themes", "type"]).to_csv(p, index=False)
    return p


@pytest.fixture()
def comments(tmp_path):
    p = tmp_path / "svar.csv"
    pd.DataFrame({"id": [f"r{i}" for i in range(len(TEXTS))], "kommentar": TEXTS}).to_csv(p, index=False)
    return p


def _header(path) -> str:
    return path.read_bytes().decode("utf-8-sig").splitlines()[0]


# ----------------------------------------------------------------------------------- evaluate --zero-shot-background
def test_evaluate_zero_shot_background_reaches_the_coder_and_the_json(tmp_path, cb, labelled, fake_e5,
                                                                       zero_shot_backgrounds):
    made = zero_shot_backgrounds
    plain, bg = tmp_path / "plain.json", tmp_path / "bg.json"
    assert run_cli("evaluate", labelled, "--codebook", cb, "--json", plain).exit_code == 0
    res = run_cli("evaluate", labelled, "--codebook", cb, "--json", bg, "--zero-shot-background")
    assert res.exit_code == 0, res.output
    assert made == [False, True]
    # the evaluated coder is named as `code` records it: the background check ran (3 themes besides the catch-all)
    assert json.loads(bg.read_text(encoding="utf-8"))["zero_shot"] == {"background": True}
    assert json.loads(plain.read_text(encoding="utf-8"))["zero_shot"] == {"background": False}


def test_evaluate_zero_shot_background_with_a_model_is_a_usage_error(tmp_path, cb, labelled):
    out = tmp_path / "e.json"  # (refused before the model is read)
    res = run_cli("evaluate", labelled, "--model", tmp_path / "model", "--codebook", cb, "--json", out,
                  "--zero-shot-background")
    assert_clean_fail(res, "--zero-shot-background applies to zero-shot coding (without --model)")
    assert not out.exists()


# ------------------------------------------------------------------------------------------------------ --csv-sep
def test_code_csv_sep_semicolon_is_for_norwegian_excel_and_reads_back_the_same(tmp_path, cb, comments, fake_e5):
    plain, semi = tmp_path / "plain.csv", tmp_path / "semi.csv"
    for out, extra in ((plain, ()), (semi, ("--csv-sep", ";"))):
        res = run_cli("code", comments, "--codebook", cb, "--text-col", "kommentar", "--out", out, *extra)
        assert res.exit_code == 0, res.output
    raw = semi.read_bytes()
    assert raw.startswith(BOM) and not plain.read_bytes().startswith(BOM)  # (the default output is unchanged)
    assert _header(semi).startswith("id;kommentar;") and "," not in _header(semi)
    scores = pd.read_csv(semi, sep=";", dtype=str, encoding="utf-8-sig")["confidence"]
    assert scores.str.fullmatch(r"\d+,\d+").all()  # decimal comma, as nb-NO Excel reads numbers
    a, b = read_table(plain), read_table(semi)
    assert b.attrs["delimiter"] == ";" and b.attrs["decimal"] == ","
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    assert semi.with_name("semi.csv.textmine.json").exists()  # the record beside it, as for any output


def test_code_csv_sep_tab_keeps_decimal_points(tmp_path, cb, comments, fake_e5):
    out = tmp_path / "tab.csv"
    res = run_cli("code", comments, "--codebook", cb, "--text-col", "kommentar", "--out", out, "--csv-sep", "tab")
    assert res.exit_code == 0, res.output
    assert _header(out).startswith("id\tkommentar\t")
    scores = pd.read_csv(out, sep="\t", dtype=str, encoding="utf-8-sig")["confidence"]
    assert scores.str.fullmatch(r"\d+\.\d+").all()
    assert read_table(out)["kommentar"].tolist() == TEXTS


@pytest.mark.parametrize("args, needle", [
    (("--csv-sep", "|"), "expected ',', ';' or 'tab'"),
    (("--csv-sep", ";", "--out-xlsx"), "--csv-sep applies to a .csv --out"),
])
def test_code_csv_sep_refused_for_another_value_or_output(tmp_path, cb, comments, args, needle):
    out = tmp_path / ("o.xlsx" if "--out-xlsx" in args else "o.csv")
    res = run_cli("code", comments, "--codebook", cb, "--text-col", "kommentar", "--out", out,
                  *[a for a in args if a != "--out-xlsx"])
    assert_clean_fail(res, needle)
    assert not out.exists()


def test_review_queue_with_semicolons_trains_as_the_default_queue(tmp_path, cb, comments, labelled, fake_e5):
    queues = {}
    for name, extra in (("plain", ()), ("semi", ("--csv-sep", ";"))):
        q = tmp_path / f"{name}.csv"
        res = run_cli("review", comments, "--codebook", cb, "--text-col", "kommentar", "--id-col", "id",
                      "--queue-out", q, *extra)
        assert res.exit_code == 0, res.output
        queues[name] = q
    assert _header(queues["semi"]).startswith("id;text;themes;type")
    pd.testing.assert_frame_equal(read_table(queues["plain"]), read_table(queues["semi"]), check_dtype=False)
    # the edited queue is a training file: read with its separator detected (as the default queue: same frame above)
    res = run_cli("train", labelled, queues["semi"], "--codebook", cb, "--out", tmp_path / "m")
    assert res.exit_code == 0, res.output
    assert re.search(r"n=(\d+)", res.output).group(1) == str(len(TOY_TRAIN) + len(TEXTS) - 1)  # («vet ikke»: none)
    res = run_cli("review", comments, "--codebook", cb, "--queue-out", tmp_path / "q.xlsx", "--csv-sep", ";")
    assert_clean_fail(res, "--csv-sep applies to a .csv --queue-out")


CB = {"name": "arbeidsgiver", "version": "1.0",
      "themes": [{"id": "telefon", "label": "Telefon", "description": "Telefonkø og ventetid på telefon.",
                  "keywords": ["telefon"]},
                 {"id": "annet", "label": "Annet", "description": "Alt annet.", "keywords": ["annet"]}]}


def test_summary_reads_semicolon_coded_files_and_writes_semicolon_tables(tmp_path, fake_e5):
    write_mini_survey(tmp_path, seed=4, n=120,
                      ft=lambda i: ("Lang kø på telefon" if i % 3 == 0 else "Annet enn det") if i % 2 == 0 else "")
    cbf = tmp_path / "cb.yaml"
    cbf.write_text(yaml.safe_dump(CB, allow_unicode=True), encoding="utf-8")
    outs = {}
    for name, extra in (("plain", ()), ("semi", ("--csv-sep", ";"))):
        coded = []
        for year in (2022, 2023):
            c = tmp_path / f"coded{year}_{name}.csv"
            res = run_cli("code", tmp_path / f"w{year}.csv", "--codebook", cbf, "--text-col", "ft", "--out", c, *extra)
            assert res.exit_code == 0, res.output
            coded += ["--coded", c]
        out = tmp_path / f"sum_{name}"
        res = run_cli("summary", tmp_path / "w2022.csv", tmp_path / "w2023.csv", "--survey", tmp_path / "s.yaml",
                      "--no-quotes", "--quiet", *coded, "--out", out, *extra)
        assert res.exit_code == 0, res.output
        outs[name] = out
    tidy = outs["semi"] / "summary_tidy.csv"
    assert tidy.read_bytes().startswith(BOM) and ";" in _header(tidy) and "," not in _header(tidy)
    for f in ("summary_tidy.csv", "themes.csv"):
        a, b = read_table(outs["plain"] / f), read_table(outs["semi"] / f)
        assert b.attrs["delimiter"] == ";" and b.attrs["decimal"] == ","
        pd.testing.assert_frame_equal(a, b, check_dtype=False)
    themes = pd.read_csv(outs["semi"] / "themes.csv", sep=";", dtype=str, encoding="utf-8-sig",
                         keep_default_na=False)
    shares = [v for v in themes["share"] if v]
    assert shares and all("." not in v for v in shares) and any("," in v for v in shares)
    # the run's numbers are the same whichever separator the coded files have
    a = json.loads((outs["plain"] / "summary.json").read_text(encoding="utf-8"))
    b = json.loads((outs["semi"] / "summary.json").read_text(encoding="utf-8"))
    assert a["tables"] == b["tables"]


def test_summary_csv_sep_refuses_another_value(tmp_path):
    write_mini_survey(tmp_path, seed=4, n=20, ft=lambda i: "")
    res = run_cli("summary", tmp_path / "w2022.csv", "--survey", tmp_path / "s.yaml", "--out", tmp_path / "o",
                  "--csv-sep", "semicolon")
    assert_clean_fail(res, "--csv-sep", "expected ',', ';' or 'tab'")
    assert not (tmp_path / "o").exists()


# ---------------------------------------------------------------------------------------- agreement --disagreements
FIRST = pd.DataFrame({"id": ["u1", "u2", "u3"], "themes": ["a", "a;b", "b"], "type": ["klage", "ønske", "ros"]})
SECOND = pd.DataFrame({"id": ["u1", "u2", "u3"], "themes": ["a", "a", "a"], "type": ["klage", "ønske", "ros"]})


@pytest.fixture()
def two_codings(tmp_path):
    cbf = tmp_path / "ab.yaml"
    cbf.write_text(yaml.safe_dump({"name": "ab", "version": "1", "themes": [
        {"id": "a", "label": "Æ-temaet", "description": "a"}, {"id": "b", "label": "B", "description": "b"}]},
        allow_unicode=True), encoding="utf-8")
    f1, f2 = tmp_path / "første.csv", tmp_path / "andre.csv"
    FIRST.to_csv(f1, index=False)
    SECOND.to_csv(f2, index=False)
    return f1, f2, cbf


def test_agreement_disagreements_csv_has_the_byte_order_mark(tmp_path, two_codings):
    f1, f2, cbf = two_codings
    dis = tmp_path / "uenige.csv"
    res = run_cli("agreement", f1, f2, "--codebook", cbf, "--disagreements", dis)
    assert res.exit_code == 0, res.output
    assert dis.read_bytes().startswith(BOM)
    assert "," in _header(dis)
    got = read_table(dis)
    assert got["id"].tolist() == ["u2", "u3"]


def test_agreement_disagreements_with_semicolons(tmp_path, two_codings):
    f1, f2, cbf = two_codings
    plain, semi = tmp_path / "d1.csv", tmp_path / "d2.csv"
    assert run_cli("agreement", f1, f2, "--codebook", cbf, "--disagreements", plain).exit_code == 0
    res = run_cli("agreement", f1, f2, "--codebook", cbf, "--disagreements", semi, "--csv-sep", ";")
    assert res.exit_code == 0, res.output
    assert semi.read_bytes().startswith(BOM) and ";" in _header(semi) and "," not in _header(semi)
    pd.testing.assert_frame_equal(read_table(plain), read_table(semi), check_dtype=False)
    res = run_cli("agreement", f1, f2, "--codebook", cbf, "--csv-sep", ";")
    assert_clean_fail(res, "--csv-sep", "--disagreements")
