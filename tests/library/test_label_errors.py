"""Label errors: no personal data echoed, rows named unambiguously, multi-hot matrices and exclusive themes in
``SupervisedCoder.fit``, and codebook versions kept as written (review w3, findings 2, 7 and 8)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.clitools import assert_clean_fail, run_cli
from textmine.agreement import intercoder_agreement
from textmine.classify import SupervisedCoder
from textmine.codebook import Codebook, CodebookError
from textmine.review import read_labelled

COMMENT = "Ring meg på 912 34 567. Kari Nordmann venter fortsatt"  # a comment pasted into a label column
SECRETS = ("912", "Ring", "Kari", "Nordmann", "venter")
MASKED = f"a value that is not a theme id ({len(COMMENT)} characters, not shown: it may be personal data)"


def _sc(codebook, embedder, **kw):
    return SupervisedCoder(codebook, embedder, embedder_spec="fake", cv=3, **kw)


def _no_secret(text: str) -> None:
    for s in SECRETS:
        assert s not in text, text


# ------------------------------------------------------------------ finding 2: no cell text in label errors
def test_to_matrix_does_not_echo_a_comment_but_shows_a_typo(codebook):
    with pytest.raises(CodebookError) as info:
        codebook.to_matrix(["mat", COMMENT])
    msg = str(info.value)
    _no_secret(msg)
    assert msg.startswith(f"labels row 1: unknown theme id(s) [{MASKED}]; valid ids: ['mat', 'pris', 'ko', 'annet']")
    with pytest.raises(CodebookError, match=r"labels row 0: unknown theme id\(s\) \['Mat'\]"):
        codebook.to_matrix(["Mat"])


@pytest.mark.parametrize("value, length", [("91234567", 8), ("24049212345", 11), ("kari@example.no", 15),
                                           ("x" * 41, 41)])
def test_a_long_number_address_or_long_word_is_not_shown(codebook, value, length):
    """Id-like characters are not enough: a phone number, fødselsnummer or e-mail address stays hidden."""
    with pytest.raises(CodebookError) as info:
        codebook.to_matrix([value])
    assert value not in str(info.value)
    assert f"a value that is not a theme id ({length} characters, not shown" in str(info.value)


def test_several_hidden_values_are_described_together(codebook):
    """'a;b' is split on ';' and ',' so one pasted comment can give several pieces."""
    with pytest.raises(CodebookError) as info:
        codebook.to_matrix(["mat;prs;" + COMMENT + ", takk for sist"])
    msg = str(info.value)
    _no_secret(msg)
    assert (f"unknown theme id(s) ['prs', 2 values that are not theme ids ({len(COMMENT)} and 13 characters, not "
            f"shown: they may be personal data)]") in msg


def test_fit_does_not_echo_a_comment_given_as_a_label(codebook, embedder, train):
    labels = train["themes"].copy()
    labels.iloc[4] = COMMENT
    with pytest.raises(CodebookError) as info:
        _sc(codebook, embedder).fit(train["text"], labels)
    _no_secret(str(info.value))
    assert f"labels row 4: unknown theme id(s) [{MASKED}]" in str(info.value)


def test_unknown_theme_id_of_the_codebook_lookup_is_masked(codebook):
    with pytest.raises(KeyError) as info:
        codebook.index(COMMENT)
    _no_secret(str(info.value))
    assert f"unknown theme id a value that is not a theme id ({len(COMMENT)} characters" in str(info.value)


def test_agreement_names_row_and_id_but_not_the_cell(codebook):
    first = pd.DataFrame({"id": ["u1", "u2", "u3"], "themes": ["mat", "pris", "ko"]})
    second = first.assign(themes=["mat", COMMENT, "kø"])
    with pytest.raises(ValueError) as info:
        intercoder_agreement(first, second, codebook.theme_ids)
    msg = str(info.value)
    _no_secret(msg)
    assert msg.startswith(f"second coding: row 3 (id u2): column 'themes' has unknown theme id(s) {MASKED}; "
                          f"expected ids")
    second = first.assign(themes=["mat", "pris", "kø"])  # a short id-like typo is still shown
    with pytest.raises(ValueError, match="row 4 \\(id u3\\): column 'themes' has unknown theme id\\(s\\) kø;"):
        intercoder_agreement(first, second, codebook.theme_ids)


def test_read_labelled_masks_themes_and_types_but_keeps_row_id_and_column(codebook):
    df = pd.DataFrame({"id": ["L1", "L2", "L3"], "text": ["Maten er kald", "Dyrt", "Kø"],
                       "themes": ["mat", COMMENT, "ko"], "type": ["klage", "klage", COMMENT]})
    with pytest.raises(ValueError) as info:
        read_labelled(df, codebook=codebook, where="lab.csv")
    msg = str(info.value)
    _no_secret(msg)
    assert msg.startswith(f"lab.csv: data row 2 (id 'L2'), column 'themes': unknown theme id(s) {MASKED}; expected")
    assert (f"lab.csv: data row 3 (id 'L3'), column 'type': unknown type a value that is not a type ({len(COMMENT)} "
            "characters, not shown: it may be personal data); expected one of") in msg


@pytest.fixture()
def bad_files(tmp_path, codebook, monkeypatch):
    """A codebook file, a good labelled file, and one whose themes cell holds a comment (and a fake embedder)."""
    import textmine.embed as embed

    from tests.library.conftest import TRAIN, FakeEmbedder

    monkeypatch.setattr(embed, "get_embedder", lambda spec="e5", **kw: FakeEmbedder())
    cb = tmp_path / "kantine.yaml"
    cb.write_text(codebook.to_yaml(), encoding="utf-8")
    good = pd.DataFrame(TRAIN, columns=["text", "themes", "type"])
    good.insert(0, "id", [f"L{i:03d}" for i in range(len(good))])
    good.to_csv(tmp_path / "good.csv", index=False)
    good.loc[5, "themes"] = COMMENT
    good.to_csv(tmp_path / "bad.csv", index=False)
    return tmp_path, cb


@pytest.mark.parametrize("command", ["train", "evaluate", "review", "agreement"])
def test_cli_label_errors_do_not_echo_a_comment(bad_files, command):
    tmp, cb = bad_files
    bad, good = tmp / "bad.csv", tmp / "good.csv"
    args = {"train": ["train", bad, "--codebook", cb, "--out", tmp / "m"],
            "evaluate": ["evaluate", bad, "--codebook", cb, "--json", tmp / "ev.json"],
            "review": ["review", good, "--codebook", cb, "--corrections", bad, "--corrections-only"],
            "agreement": ["agreement", good, bad, "--codebook", cb]}[command]
    res = run_cli(*args)
    row = "row 7 (id L005)" if command == "agreement" else "data row 6 (id 'L005')"
    assert_clean_fail(res, row, "'themes'", MASKED)
    _no_secret(res.output)


# ------------------------------------------------------------------ finding 7: SupervisedCoder.fit labels
def test_fit_accepts_a_multi_hot_matrix_as_the_same_labels(codebook, embedder, train):
    """A 0/1 matrix over codebook.theme_ids (what Codebook.to_matrix returns) trains the same model."""
    lists = _sc(codebook, embedder).fit(train["text"], train["themes"])
    y = codebook.to_matrix(train["themes"])
    from_array = _sc(codebook, embedder).fit(train["text"], y)
    np.testing.assert_array_equal(from_array.coef_, lists.coef_)
    frame = pd.DataFrame(y, columns=[f"theme_{t}" for t in codebook.theme_ids], index=train.index)
    from_frame = _sc(codebook, embedder).fit(train["text"], frame[frame.columns[::-1]])  # matched by name
    np.testing.assert_array_equal(from_frame.coef_, lists.coef_)


@pytest.mark.parametrize("labels, error, match", [
    (np.ones((18, 3), dtype=int), ValueError, r"a 0/1 matrix of shape \(18, 3\) has 3 columns; expected one theme "
     r"list per text \('a;b' or a list of ids\), or a 0/1 matrix with one column per theme of codebook 'kantine' "
     r"\(4: mat, pris, ko, annet\)"),
    (np.full((18, 4), 0.7), ValueError, "a multi-hot matrix holds only 0 and 1"),
    (pd.DataFrame(np.ones((18, 4), dtype=int), columns=["mat", "pris", "kø", "annet"]), TypeError,
     r"a DataFrame must have one 0/1 column per theme, named by its id or theme_<id>, got columns 'mat', 'pris', "
     r"'kø', 'annet'"),
    (pd.DataFrame({"themes": ["mat"] * 18}), TypeError, r"pass one column, e.g. df\['themes'\]"),
])
def test_fit_refuses_a_matrix_it_cannot_read_saying_what_it_expects(codebook, embedder, train, labels, error, match):
    with pytest.raises(error, match=match):
        _sc(codebook, embedder).fit(train["text"].tolist(), labels)


def test_fit_refuses_a_frame_of_labels_with_another_index(codebook, embedder, train):
    y = pd.DataFrame(codebook.to_matrix(train["themes"]), columns=codebook.theme_ids, index=train.index[::-1])
    with pytest.raises(ValueError, match="texts and labels have different indexes"):
        _sc(codebook, embedder).fit(train["text"], y)


def test_fit_names_the_row_from_0_and_the_series_index_label(codebook, embedder, train):
    texts, labels = train["text"].copy(), train["themes"].copy()
    texts.index = labels.index = range(100, 100 + len(train))
    labels.iloc[3] = "mta"
    with pytest.raises(CodebookError, match=r"^labels row 3 \(index label 103\): unknown theme id\(s\) \['mta'\]; "
                                            r"valid ids: .*; rows are counted from 0$"):
        _sc(codebook, embedder).fit(texts, labels)
    as_list = train["themes"].tolist()
    as_list[3] = 5
    with pytest.raises(TypeError, match=r"^labels row 3: expected theme ids .*, got int; rows are counted from 0$"):
        _sc(codebook, embedder).fit(train["text"], as_list)


def test_fit_refuses_an_exclusive_theme_combined_with_another_as_train_does(codebook, embedder, train):
    labels = train["themes"].copy()
    labels.iloc[14] = "annet;pris"
    why = ("'annet;pris' combines the exclusive theme 'annet' (used only when no other theme applies) with 'pris'; "
           "expected 'annet' alone or only the other theme(s)")
    with pytest.raises(CodebookError) as info:
        _sc(codebook, embedder).fit(train["text"], labels)
    assert str(info.value) == f"labels row 14: {why}; rows are counted from 0"
    with pytest.raises(ValueError) as info:  # the CLI train check: the same words
        read_labelled(train.assign(themes=labels), codebook=codebook, where="lab.csv")
    assert str(info.value) == f"lab.csv: data row 15, column 'themes': {why}"
    y = codebook.to_matrix(train["themes"])
    y[14, codebook.index("pris")] = 1
    with pytest.raises(CodebookError, match="labels row 14: 'pris;annet' combines the exclusive theme 'annet'"):
        _sc(codebook, embedder).fit(train["text"], y)
    _sc(codebook, embedder).fit(train["text"], train["themes"].replace({"annet": "annet;annet"}))  # alone: fine


# ------------------------------------------------------------------ finding 8: codebook version as written
_BODY = "name: x\nthemes:\n  - {id: a, label: A, description: d}\n"


@pytest.mark.parametrize("written, version", [("1.10", "1.10"), ("1.1", "1.1"), ('"1.10"', "1.10"),
                                              ("1.0", "1.0"), ("2", "2"), ("'2.0'", "2.0"), ("010", "010")])
def test_an_unquoted_version_is_kept_as_written(written, version, tmp_path):
    p = tmp_path / "cb.yaml"
    p.write_text(f"version: {written}\n{_BODY}", encoding="utf-8")
    from textmine.codebook import load_codebook

    assert load_codebook(p).version == version
    assert Codebook.from_yaml(f"version: {written}\n{_BODY}").version == version


def test_versions_1_1_and_1_10_differ():
    a, b = (Codebook.from_yaml(f"version: {v}\n{_BODY}") for v in ("1.1", "1.10"))
    assert a.version != b.version and a.hash != b.hash
    assert Codebook.from_yaml(b.to_yaml()).version == "1.10"  # round trip (written quoted)
    assert Codebook.from_yaml(_BODY).version == "1.0"
