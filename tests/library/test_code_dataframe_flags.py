"""``code_dataframe`` writes ``health_flag`` and ``is_non_answer`` as ``textmine code`` does: same names, place,
values (``question_labels``: an echo of the question's label is a non-answer), one implementation for both."""

import warnings

import pandas as pd
import pytest
from typer.testing import CliRunner

from textmine.classify import ZeroShotCoder, output_columns
from textmine.classify.table import CODE_FLAG_COLUMNS, FLAG_LABELS, code_dataframe
from textmine.cli import app
from textmine.io import read_table

from .conftest import FakeEmbedder

LABEL = "Hva synes du om kantina?"
TEXTS = ["Jeg er sykmeldt med depresjon og maten er dyr", "vet ikke", "hva synes du om kantina",
         "Køen i kassa er lang", ""]


@pytest.fixture()
def fake_e5(monkeypatch):
    """get_embedder returns the FakeEmbedder (the CLI builds its coder from the codebook file)."""
    import textmine.embed as embed

    monkeypatch.setattr(embed, "get_embedder", lambda spec="e5", **kw: FakeEmbedder())


@pytest.fixture()
def files(tmp_path, codebook):
    data = tmp_path / "bolge.parquet"
    pd.DataFrame({"id": [f"r{i}" for i in range(len(TEXTS))], "sektor": ["Privat"] * len(TEXTS),
                  "kommentar": TEXTS}).to_parquet(data, index=False)
    cb = tmp_path / "kantine.yaml"
    cb.write_text(codebook.to_yaml(), encoding="utf-8")
    survey = tmp_path / "survey.yaml"
    survey.write_text(f'name: kantine\nid: id\nfree_text:\n  - column: kommentar\n    label: "{LABEL}"\n',
                      encoding="utf-8")
    return data, cb, survey


def _cli(tmp_path, data, cb, *extra) -> pd.DataFrame:
    out = tmp_path / "coded.parquet"
    res = CliRunner().invoke(app, ["code", str(data), "--codebook", str(cb), "--text-col", "kommentar",
                                   "--out", str(out), *map(str, extra)])
    assert res.exit_code == 0, res.output
    return pd.read_parquet(out)


@pytest.mark.parametrize("with_survey", [False, True])
def test_cli_output_is_code_dataframes_output(tmp_path, codebook, files, fake_e5, with_survey):
    data, cb, survey = files
    cli = _cli(tmp_path, data, cb, *(["--survey", survey] if with_survey else []))
    labels = {"kommentar": LABEL} if with_survey else None
    lib = code_dataframe(ZeroShotCoder(codebook, FakeEmbedder()), read_table(data, text_cols=["kommentar"]),
                         "kommentar", question_labels=labels)
    assert list(lib.columns) == ["id", "sektor", "kommentar", *output_columns(codebook), *CODE_FLAG_COLUMNS]
    pd.testing.assert_frame_equal(lib.reset_index(drop=True), cli, check_dtype=False)
    assert lib["id"].tolist() == [f"r{i}" for i in range(len(TEXTS))]
    assert lib["health_flag"].tolist() == [1, 0, 0, 0, 0]
    assert lib["is_non_answer"].tolist() == [0, 1, int(with_survey), 0, 1]
    assert lib.loc[1, "themes"] == "" and (not with_survey or lib.loc[2, "themes"] == "")


def test_a_rows_question_column_picks_its_label(codebook):
    df = pd.DataFrame({"sporsmal": ["kantine", "parkering", ""], "svar": [LABEL, LABEL, LABEL]})
    coded = code_dataframe(ZeroShotCoder(codebook, FakeEmbedder()), df, "svar", question_col="sporsmal",
                           question_labels={"kantine": LABEL, "parkering": "Hvor parkerer du?", "svar": LABEL})
    assert coded["is_non_answer"].tolist() == [1, 0, 1]  # the empty question: the text column's label


def test_flags_are_the_same_in_any_batch_size_and_keep_the_index(codebook):
    df = pd.DataFrame({"kommentar": TEXTS}, index=[10, 11, 12, 13, 14])
    coder = ZeroShotCoder(codebook, FakeEmbedder())
    one = code_dataframe(coder, df, "kommentar", question="kommentar", question_labels={"kommentar": LABEL})
    small = code_dataframe(coder, df, "kommentar", question="kommentar", question_labels={"kommentar": LABEL},
                           batch_size=2)
    pd.testing.assert_frame_equal(one, small)
    assert list(one.index) == [10, 11, 12, 13, 14]
    assert one["is_non_answer"].dtype == "int64" and one["is_non_answer"].tolist() == [0, 1, 1, 0, 1]
    assert {c: one.attrs["column_labels"][c] for c in CODE_FLAG_COLUMNS} == FLAG_LABELS


def test_an_input_flag_column_is_kept_as_input_with_a_warning(codebook):
    df = pd.DataFrame({"kommentar": ["vet ikke", "Maten er dyr"], "is_non_answer": [0, 0]})
    df.attrs["column_labels"] = {"is_non_answer": "Fra skjemaet"}
    with pytest.warns(UserWarning, match=r"\['is_non_answer'\]; kept them as <name>_input"):
        coded = code_dataframe(ZeroShotCoder(codebook, FakeEmbedder()), df, "kommentar")
    assert list(coded.columns[:2]) == ["kommentar", "is_non_answer_input"] and coded.columns[-1] == "is_non_answer"
    assert coded["is_non_answer_input"].tolist() == [0, 0] and coded["is_non_answer"].tolist() == [1, 0]
    assert coded.attrs["column_labels"]["is_non_answer_input"] == "Fra skjemaet"
    assert coded.attrs["column_labels"]["is_non_answer"] == FLAG_LABELS["is_non_answer"]


def test_empty_frame_has_the_flag_columns(codebook):
    coded = code_dataframe(ZeroShotCoder(codebook, FakeEmbedder()), pd.DataFrame({"kommentar": []}), "kommentar")
    assert list(coded.columns) == ["kommentar", *output_columns(codebook), *CODE_FLAG_COLUMNS] and coded.empty


def test_pipeline_code_table_gives_the_same_frame(codebook):
    """The dask engine's path (``pipeline.code_table``) writes what ``code_dataframe`` writes, without a warning."""
    from textmine.pipeline import code_table

    df = pd.DataFrame({"id": [1, 2, 3, 4, 5], "kommentar": TEXTS})
    coder = ZeroShotCoder(codebook, FakeEmbedder())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = code_table(coder, df, "kommentar", question_labels={"kommentar": LABEL})
    assert not [str(w.message) for w in caught if "_input" in str(w.message)]
    pd.testing.assert_frame_equal(table, code_dataframe(coder, df, "kommentar", question_labels={"kommentar": LABEL}))


def test_textmine_classify_exports_code_dataframe_and_the_flag_names():
    import textmine.classify as classify

    assert classify.code_dataframe is code_dataframe and classify.CODE_FLAG_COLUMNS == ("health_flag", "is_non_answer")


def test_a_coder_whose_cleaning_has_no_health_flag_is_refused(codebook, monkeypatch):
    coder = ZeroShotCoder(codebook, FakeEmbedder())
    real = coder.clean
    monkeypatch.setattr(coder, "clean", lambda texts, qs=None: real(texts, qs).drop(columns=["health_flag"]))
    with pytest.raises(ValueError, match=r"clean\(\) gave no column\(s\) \['health_flag'\]; expected the output of "
                                         r"textmine.preprocess.Cleaner"):
        code_dataframe(coder, pd.DataFrame({"kommentar": TEXTS}), "kommentar")
