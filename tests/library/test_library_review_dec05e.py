"""Library review (Dec 5, L1-L4): ``Codebook.from_yaml`` given a path, ``Cleaner`` parameter checks, ``Cleaner``
in a pandas-output ``ColumnTransformer``, and ``get_params`` kept through save/load."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from textmine.codebook import Codebook, CodebookError
from textmine.preprocess.cleaner import OUTPUT_COLUMNS, Cleaner

from .conftest import CODEBOOK


# ------------------------------------------------------------------ L1: from_yaml given a path
@pytest.fixture()
def codebook_file(tmp_path, codebook):
    path = tmp_path / "kantine.yaml"
    path.write_text(codebook.to_yaml(), encoding="utf-8")
    return path


def test_from_yaml_given_a_path_string_points_to_load_codebook(codebook_file):
    with pytest.raises(CodebookError) as err:
        Codebook.from_yaml(str(codebook_file))
    msg = str(err.value)
    assert "load_codebook(" in msg and "read_text()" in msg and "path" in msg
    assert "must be a mapping" not in msg


def test_from_yaml_given_a_missing_yaml_file_name_points_to_load_codebook():
    with pytest.raises(CodebookError, match=r"load_codebook\("):
        Codebook.from_yaml("kodebok.yml")


def test_from_yaml_accepts_a_path_object(codebook_file, codebook):
    assert Codebook.from_yaml(codebook_file) == codebook


def test_from_yaml_still_reads_yaml_text(codebook_file, codebook):
    assert Codebook.from_yaml(codebook_file.read_text(encoding="utf-8")) == codebook
    with pytest.raises(CodebookError, match="must be a mapping"):
        Codebook.from_yaml("bare en setning")  # not a path, not a mapping: the shape message


# ------------------------------------------------------------------ L2: Cleaner parameters
@pytest.mark.parametrize("kwargs, words", [
    ({"redact": "no"}, ["redact", "True or False", "str"]),
    ({"lemmatize": None}, ["lemmatize", "True or False", "NoneType"]),
    ({"detect_language": 1}, ["detect_language", "True or False", "int"]),
    ({"n_jobs": "x"}, ["n_jobs", "-1", "positive whole number", "'x'"]),
    ({"n_jobs": 0}, ["n_jobs", "-1", "positive whole number", "0"]),
    ({"n_jobs": -2}, ["n_jobs", "-1", "-2"]),
    ({"n_jobs": 2.5}, ["n_jobs", "2.5"]),
    ({"n_jobs": True}, ["n_jobs", "True"]),
])
def test_cleaner_refuses_bad_parameters_naming_them(kwargs, words):
    with pytest.raises(ValueError) as err:
        Cleaner(**kwargs)
    for w in words:
        assert w in str(err.value)


def test_cleaner_accepts_the_documented_values_and_set_params_checks_too():
    for n_jobs in (None, 1, 4, -1, np.int64(2)):
        assert Cleaner(n_jobs=n_jobs).n_jobs == n_jobs
    c = Cleaner(redact=np.bool_(False), lemmatize=False)
    with pytest.raises(ValueError, match="redact"):
        c.set_params(redact="yes")
    assert c.get_params()["redact"] == np.bool_(False)  # unchanged after the refusal


# ------------------------------------------------------------------ L3: feature names and set_output
def test_cleaner_names_its_output_columns():
    names = Cleaner().get_feature_names_out()
    assert list(names) == list(OUTPUT_COLUMNS)
    assert list(Cleaner().get_feature_names_out(["kommentar"])) == list(OUTPUT_COLUMNS)


def test_cleaner_set_output_refuses_an_unknown_container():
    c = Cleaner()
    assert c.set_output(transform="pandas") is c and c.set_output(transform="default") is c
    assert c.set_output() is c
    with pytest.raises(ValueError, match="transform.*'default'.*'pandas'"):
        c.set_output(transform="tabell")


def test_cleaner_in_a_pandas_output_column_transformer():
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline

    df = pd.DataFrame({"kommentar": ["Ring meg på 912 34 567", "vet ikke", None], "alder": [30, 41, 52]},
                      index=[10, 11, 12])
    ct = ColumnTransformer([("rens", Cleaner(detect_language=False), ["kommentar"])], remainder="passthrough")
    out = Pipeline([("ct", ct)]).set_output(transform="pandas").fit_transform(df)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == [f"rens__{c}" for c in OUTPUT_COLUMNS] + ["remainder__alder"]
    assert list(out.index) == [10, 11, 12]
    assert "912" not in out.loc[10, "rens__text_clean"] and out.loc[10, "rens__pii_count"] == 1
    assert out.loc[11, "rens__is_non_answer"] == 1 and out["remainder__alder"].tolist() == [30, 41, 52]
    assert list(ct.get_feature_names_out())[:2] == ["rens__text_clean", "rens__pii_count"]


# ------------------------------------------------------------------ L4: get_params through save/load
def _own_params(coder) -> dict:
    return {k: v for k, v in coder.get_params(deep=False).items() if k not in ("codebook", "embedder")}


def test_lexical_only_coder_keeps_its_params_through_save_and_load(tmp_path, codebook, train, embedder):
    from textmine.classify import SupervisedCoder, load_coder, save_coder

    coder = SupervisedCoder(codebook, embedder, embedder_spec="fake", cv=3, C=0.5, lexical_only=True)
    coder.fit(train["text"], train["themes"], types=train["type"])
    before = _own_params(coder)
    assert before["emb_scale"] == 3.0 and before["lexical_share"] == 0.5  # as given
    save_coder(coder, tmp_path / "m")
    loaded = load_coder(tmp_path / "m", embedder=embedder)
    assert _own_params(loaded) == before
    assert loaded.predict(train["text"]).equals(coder.predict(train["text"]))
    assert loaded.emb_scale == 0.0  # what the model runs on is still the derived setting


def test_supervised_coder_keeps_a_given_review_threshold_through_save_and_load(tmp_path, codebook, train, embedder):
    from textmine.classify import SupervisedCoder, load_coder, save_coder

    coder = SupervisedCoder(codebook, embedder, embedder_spec="fake", cv=3, review_threshold=0.6, seed=7)
    coder.fit(train["text"], train["themes"])
    save_coder(coder, tmp_path / "m")
    manifest = json.loads((tmp_path / "m" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["init_params"]["seed"] == 7 and "codebook" not in manifest["init_params"]
    assert _own_params(load_coder(tmp_path / "m", embedder=embedder)) == _own_params(coder)


@pytest.mark.slow
def test_shipped_fast_model_loads_and_its_params_are_stable_through_save_and_load(tmp_path):
    from textmine.classify import load_coder, save_coder
    from textmine.paths import FAST_MODEL_DIR

    if not (Path(FAST_MODEL_DIR) / "manifest.json").exists():
        pytest.skip("models/fast not built")
    shipped = load_coder(FAST_MODEL_DIR)
    params = _own_params(shipped)
    assert params["lexical_only"] is False and params["embedder_spec"] == "e5-static"
    save_coder(shipped, tmp_path / "fast")
    again = load_coder(tmp_path / "fast", embedder=shipped.embedder)
    assert _own_params(again) == params
    assert _own_params(again.lexical_) == _own_params(shipped.lexical_)
    texts = ["Umulig å komme gjennom på telefon.", "Refusjonen kommer for sent.", "vet ikke"]
    assert again.predict(texts).equals(shipped.predict(texts))
