"""An SPSS analyst's findings (dec 5) on the .sav that `textmine code` and `textmine clean` write: an empty (or
never asked) answer came out as «Ikke-svar» = 1 with confidence 1.0, and the coding columns had no 0/1 value
labels, some no variable labels, and measurement level «unknown». They now carry the labels of the report's
kodede_svar.sav, and an empty answer is system-missing in the coding columns (the .sav only: CSV/XLSX/Parquet keep
their 0/1 values)."""

import hashlib
import re

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from textmine.classify.table import CODING_LABELS, FLAG_LABELS, YES_NO, code_dataframe
from textmine.cli import app
from textmine.io import write_table

pyreadstat = pytest.importorskip("pyreadstat")

CODEBOOK = {
    "name": "kantine", "version": "0.1", "language": "nb", "types": ["klage", "ønske", "ros"],
    "themes": [
        {"id": "mat", "label": "Maten", "description": "Smak og kvalitet på maten.", "keywords": ["mat", "suppe"]},
        {"id": "pris", "label": "Pris", "description": "Hva maten koster.", "keywords": ["pris", "dyr"]},
        {"id": "annet", "label": "Annet", "description": "Alt annet.", "keywords": [], "exclusive": True},
    ],
}
LIK = {1: "Svært misfornøyd", 2: "Misfornøyd", 3: "Fornøyd", 4: "Svært fornøyd", 98: "Vet ikke"}
TEXTS = ["Suppen var kald og maten er altfor dyr.", "", "   ", None, "vet ikke", "Prisene er for høye."]
BLANK = [False, True, True, True, False, False]


class _FakeEmbedder:
    """Deterministic hashed character 4-grams (no model needed)."""

    name, version, dimension = "fake-hash", "1", 64

    def encode(self, texts, *, batch_size=64, show_progress=False):
        out = np.full((len(texts), self.dimension), 0.05, dtype=np.float32)
        for i, t in enumerate(texts):
            low = " " + re.sub(r"\s+", " ", str(t).lower()) + " "
            for f in [low[k : k + 4] for k in range(len(low) - 3)]:
                out[i, int(hashlib.md5(f.encode()).hexdigest()[:8], 16) % self.dimension] += 1.0
        return out / np.linalg.norm(out, axis=1, keepdims=True)


@pytest.fixture()
def fake_e5(monkeypatch):
    import textmine.embed as embed

    monkeypatch.setattr(embed, "get_embedder", lambda spec="e5", **kw: _FakeEmbedder())


@pytest.fixture()
def cb(tmp_path):
    p = tmp_path / "kantine.yaml"
    p.write_text(yaml.safe_dump(CODEBOOK, allow_unicode=True), encoding="utf-8")
    return p


def _client_sav(tmp_path):
    """A client's .sav: a Likert item with value labels, user-missing 98, «ordinal»; a routed free-text question."""
    src = tmp_path / "in.sav"
    df = pd.DataFrame({"respondent_id": [f"{i:03d}" for i in range(1, 7)],
                       "q_mat": [1.0, 4.0, 98.0, 3.0, 2.0, 1.0], "kommentar": ["" if t is None else t for t in TEXTS]})
    pyreadstat.write_sav(df, str(src), column_labels={"respondent_id": "Respondent-ID", "q_mat": "Fornøyd med maten",
                                                      "kommentar": "Hva kan bli bedre?"},
                         variable_value_labels={"q_mat": LIK}, missing_ranges={"q_mat": [98]},
                         variable_measure={"respondent_id": "nominal", "q_mat": "ordinal", "kommentar": "nominal"},
                         variable_format={"q_mat": "F2.0"})
    return src


def _run(*args):
    res = CliRunner().invoke(app, [*map(str, args)])
    assert res.exit_code == 0, res.output
    return res


def _coded_sav(tmp_path, cb):
    out = tmp_path / "coded.sav"
    _run("code", _client_sav(tmp_path), "--codebook", cb, "--text-col", "kommentar", "--out", out)
    return pyreadstat.read_sav(str(out))


def _yes_no_columns(columns):
    return [c for c in columns if c.startswith("theme_") or c in ("needs_review", "health_flag", "is_non_answer")]


def test_code_sav_blank_answers_are_system_missing_in_the_coding_columns(tmp_path, cb, fake_e5):
    back, _ = _coded_sav(tmp_path, cb)
    blank = np.array(BLANK)
    numeric = [*_yes_no_columns(back.columns), "confidence", *(c for c in back.columns if c.startswith("score_"))]
    assert len(numeric) == 3 + 3 + 3 + 1
    for c in numeric:
        assert back.loc[blank, c].isna().all(), f"{c}: expected system-missing on empty rows, got {back[c].tolist()}"
        assert back.loc[~blank, c].notna().all(), f"{c}: expected a value on the answered rows, got {back[c].tolist()}"
    assert back["is_non_answer"].tolist()[4] == 1.0  # «vet ikke» is a non-answer; an empty cell is no answer at all
    assert back.loc[~blank, "is_non_answer"].tolist() == [0.0, 1.0, 0.0]
    # type: a blank string declared user-missing (read as missing), as the report's .sav has it system-missing
    assert back.loc[blank, "type"].isna().all() and back.loc[[0, 5], "type"].notna().all(), back["type"].tolist()


def test_code_csv_keeps_its_0_1_values_for_blank_answers(tmp_path, cb, fake_e5):
    """Other tools read the CSV: its flag columns stay whole 0/1 numbers on every row (no empty cells)."""
    out = tmp_path / "coded.csv"
    _run("code", _client_sav(tmp_path), "--codebook", cb, "--text-col", "kommentar", "--out", out)
    df = pd.read_csv(out)
    for c in ("is_non_answer", "needs_review", "health_flag", "theme_mat"):
        assert df[c].dtype == "int64" and set(df[c]) <= {0, 1}, (c, df[c].tolist())
    assert df["is_non_answer"].tolist() == [0, 1, 1, 1, 1, 0]


def test_code_sav_has_the_report_labels_and_measurement_levels(tmp_path, cb, fake_e5):
    back, meta = _coded_sav(tmp_path, cb)
    vl, labels, measure = meta.variable_value_labels, meta.column_names_to_labels, meta.variable_measure
    for c in _yes_no_columns(back.columns):
        assert vl.get(c) == {0.0: "Nei", 1.0: "Ja"}, (c, vl.get(c))
        assert measure[c] == "nominal", (c, measure[c])
    for c in ("themes", "type", "kommentar"):
        assert measure[c] == "nominal", (c, measure[c])
    for c in ("confidence", "score_mat", "score_pris", "score_annet"):
        assert measure[c] == "scale", (c, measure[c])
    assert labels["themes"] == "Temaer (id-er skilt med ;)" and labels["type"] == "Type kommentar"
    assert labels["confidence"] == "Sikkerhet (0–1)" and labels["needs_review"] == "Til manuell gjennomgang"
    assert labels["is_non_answer"] == FLAG_LABELS["is_non_answer"] and labels["theme_mat"] == "Tema: Maten"
    # the client's own variables keep their labels, value labels, user-missing codes, formats and levels
    assert labels["q_mat"] == "Fornøyd med maten" and labels["kommentar"] == "Hva kan bli bedre?"
    assert vl["q_mat"] == {float(k): v for k, v in LIK.items()}
    assert measure["q_mat"] == "ordinal" and measure["respondent_id"] == "nominal"
    assert meta.original_variable_types["q_mat"] == "F2.0"
    _, um = pyreadstat.read_sav(str(tmp_path / "coded.sav"), user_missing=True)
    assert um.missing_ranges["q_mat"] == [{"lo": 98.0, "hi": 98.0}]


def test_coding_labels_are_the_report_kodede_svar_labels():
    """Both .sav writers label the coding columns alike (the report's kodede_svar.sav: textmine/report/spss.py)."""
    from textmine.report.spss import VAR_LABELS
    from textmine.report.spss import YES_NO as REPORT_YES_NO

    assert YES_NO == REPORT_YES_NO
    assert CODING_LABELS == {c: VAR_LABELS[c] for c in CODING_LABELS}
    assert set(CODING_LABELS) == {"themes", "type", "confidence", "needs_review"}


def test_clean_sav_flags_are_labelled_and_missing_for_blank_answers(tmp_path):
    out = tmp_path / "clean.sav"
    _run("clean", _client_sav(tmp_path), "--text-col", "kommentar", "--out", out, "--no-language")
    back, meta = pyreadstat.read_sav(str(out))
    blank = np.array(BLANK)
    for c in ("is_non_answer", "health_flag"):
        assert meta.variable_value_labels.get(c) == {0.0: "Nei", 1.0: "Ja"}, (c, meta.variable_value_labels.get(c))
        assert meta.column_names_to_labels[c] == FLAG_LABELS[c]
        assert meta.variable_measure[c] == "nominal"
        assert back.loc[blank, c].isna().all() and back.loc[~blank, c].notna().all(), (c, back[c].tolist())
    assert back["is_non_answer"].tolist()[4] == 1.0
    assert meta.variable_measure["pii_count"] == "scale" and back["pii_count"].notna().all()
    assert meta.variable_measure["text_clean"] == "nominal"
    assert meta.variable_measure["q_mat"] == "ordinal" and meta.column_names_to_labels["q_mat"] == "Fornøyd med maten"


def test_clean_sav_with_two_text_columns_labels_each_columns_flags(tmp_path):
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": [1, 2, 3], "a": ["Maten er god", "", "vet ikke"],
                  "b": ["", "Dyrt", None]}).to_csv(src, index=False)
    out = tmp_path / "clean.sav"
    _run("clean", src, "--text-col", "a", "--text-col", "b", "--out", out, "--no-language")
    back, meta = pyreadstat.read_sav(str(out))
    assert back["a__is_non_answer"].isna().tolist() == [False, True, False]
    assert back["a__is_non_answer"].iloc[[0, 2]].tolist() == [0.0, 1.0]
    assert back["b__is_non_answer"].isna().tolist() == [True, False, True]
    assert meta.variable_value_labels["b__health_flag"] == {0.0: "Nei", 1.0: "Ja"}
    assert meta.column_names_to_labels["a__is_non_answer"] == f"a: {FLAG_LABELS['is_non_answer']}"


def test_library_code_dataframe_then_filtered_rows_write_sav(tmp_path):
    """The library path: code_dataframe's frame keeps what the .sav needs in its attrs, also after rows are
    filtered; without the text column the values are written as they are."""
    from textmine.classify import ZeroShotCoder
    from textmine.codebook import Codebook

    import textmine.embed as embed

    mp = pytest.MonkeyPatch()
    mp.setattr(embed, "get_embedder", lambda spec="e5", **kw: _FakeEmbedder())
    try:
        coded = code_dataframe(ZeroShotCoder(Codebook.from_dict(CODEBOOK)),
                               pd.DataFrame({"id": range(6), "t": TEXTS}), "t")
    finally:
        mp.undo()
    assert coded["is_non_answer"].tolist() == [0, 1, 1, 1, 1, 0]  # the frame itself is unchanged
    write_table(coded.iloc[1:], tmp_path / "o.sav")
    back, meta = pyreadstat.read_sav(str(tmp_path / "o.sav"))
    assert back["is_non_answer"].isna().tolist() == BLANK[1:]
    assert meta.variable_value_labels["theme_pris"] == {0.0: "Nei", 1.0: "Ja"}
    write_table(coded.drop(columns=["t"]), tmp_path / "no_text.sav")
    back, _ = pyreadstat.read_sav(str(tmp_path / "no_text.sav"))
    assert back["is_non_answer"].tolist() == [0.0, 1.0, 1.0, 1.0, 1.0, 0.0]
