"""The review loop through Excel: a queue opened, labelled and saved back by a Norwegian analyst (XLSX, or
«CSV (semikolonseparert)» in Windows-1252) keeps its ids and texts as INPUT holds them."""

import csv

import pandas as pd
import pytest
from typer.testing import CliRunner

from textmine.cli import app
from textmine.review import read_labelled, restore_correction_ids, restore_correction_texts

TEXTS = ["Køen i kassa er altfor lang 😡", "Maten var kald og smakte ingenting.", "Prisene har økt, 120 kroner!",
         "Salaten var slapp og brun.", "Vi venter i tjue minutter hver dag.", "Suppen er god, takk til kokken 👍"]


def _excel_csv(frame: pd.DataFrame, path, *, numbers: bool) -> None:
    """What Excel writes for «CSV (semikolonseparert)»: ';', Windows-1252 (a character it has not, an emoji, becomes
    '?'), and, when the file was a CSV opened in Excel (``numbers``), an id of digits as the number it shows."""
    with open(path, "w", encoding="cp1252", errors="replace", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(frame.columns)
        for row in frame.itertuples(index=False):
            w.writerow([str(int(v)) if numbers and k == 0 and str(v).isdigit() else ("" if pd.isna(v) else v)
                        for k, v in enumerate(row)])


@pytest.fixture()
def queue(tmp_path, toy_model):
    wave = tmp_path / "wave.csv"
    pd.DataFrame({"id": [f"{i:05d}" for i in range(1, len(TEXTS) + 1)], "kommentar": TEXTS}).to_csv(wave, index=False)
    out = tmp_path / "queue.xlsx"
    res = CliRunner().invoke(app, ["review", str(wave), "--model", str(toy_model), "--text-col", "kommentar",
                                   "--id-col", "id", "--n", "6", "--queue-out", str(out)])
    assert res.exit_code == 0, res.output
    return wave, pd.read_excel(out, dtype=str, keep_default_na=False)


def _retrain(tmp_path, toy_model, wave, corr):
    out = tmp_path / "m2"
    res = CliRunner().invoke(app, ["review", str(wave), "--model", str(toy_model), "--id-col", "id",
                                   "--corrections", str(corr), "--out", str(out)])
    assert res.exit_code == 0, res.output
    return res.output, pd.read_csv(out / "corrections.csv", dtype=str, keep_default_na=False)


def test_excel_csv_round_trip_keeps_ids_and_texts(tmp_path, toy_model, queue):
    wave, q = queue
    assert q["id"].str.len().eq(5).all()  # the queue keeps the leading zeros
    corr = tmp_path / "labels.csv"
    _excel_csv(q[["id", "text", "themes", "type"]], corr, numbers=True)
    assert "?" in corr.read_text(encoding="cp1252")  # the emoji did not survive Windows-1252
    output, stored = _retrain(tmp_path, toy_model, wave, corr)
    assert sorted(stored["id"]) == sorted(q["id"])  # "00001", not "1"
    assert sorted(stored["text"]) == sorted(q["text"])  # the emoji back, from INPUT's comment of that id
    assert "not in" not in output
    assert "Excel" in output  # said what was restored


def test_float_ids_from_a_workbook_are_restored(tmp_path, toy_model, queue):
    wave, q = queue
    corr = tmp_path / "labels.xlsx"
    q2 = q[["id", "text", "themes", "type"]].copy()
    q2["id"] = [float(int(v)) for v in q2["id"]]
    q2.loc[0, "id"] = None  # a blank id makes the column floats: 1.0, 2.0 …
    q2.to_excel(corr, index=False)
    _, stored = _retrain(tmp_path, toy_model, wave, corr)
    assert sorted(i for i in stored["id"] if i) == sorted(q["id"].iloc[1:])


def test_restore_ids_only_where_exactly_one_input_id_has_that_number():
    known = ["00012", "012", "00007", "AB-3"]
    out, n = restore_correction_ids(["7", "7.0", "12", "AB-3", "", "99"], known)
    assert out == ["00007", "00007", "12", "AB-3", "", "99"]  # 12 is ambiguous: left as written
    assert n == 2


def test_restore_texts_only_for_excel_damage():
    source = {"1": "Køen er lang 😡", "2": "Maten er god", "3": "Maten er god"}
    texts = ["Køen er lang ??", "Maten er elendig", "Maten er ?"]
    out, rows = restore_correction_texts(texts, ["1", "2", "4"], source)
    assert out == ["Køen er lang 😡", "Maten er elendig", "Maten er ?"]  # an edited text is the analyst's
    assert rows == [1]
    moji = "Køen er lang".encode("utf-8").decode("cp1252")
    out, rows = restore_correction_texts([moji], ["1"], {"1": "Køen er lang"})
    assert out == ["Køen er lang"] and rows == [1]


def test_typo_in_a_theme_id_names_the_likely_one(toy_codebook):
    df = pd.DataFrame({"id": ["a", "b"], "text": ["Maten var kald", "Lang kø"], "themes": ["mat", "ko;prsi"]})
    with pytest.raises(ValueError) as err:
        read_labelled(df, codebook=toy_codebook, where="labels.xlsx")
    msg = str(err.value)
    assert "data row 2" in msg and "'themes'" in msg and "'prsi'" in msg and "did you mean 'pris'" in msg


def test_blank_themes_warning_names_the_ids(tmp_path, toy_model, queue):
    wave, q = queue
    corr = tmp_path / "labels.xlsx"
    q2 = q[["id", "text", "themes", "type"]].copy()
    q2.loc[2, "themes"] = ""
    q2.to_excel(corr, index=False)
    output, _ = _retrain(tmp_path, toy_model, wave, corr)
    assert f"(data row 3 (id '{q2.loc[2, 'id']}'))" in " ".join(output.split())
