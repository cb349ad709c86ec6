"""Codebooks written by hand: wrong types in fields, ids that cannot be column names, label lists in odd forms."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from textmine.codebook import Codebook, CodebookError, parse_theme_list


def _cb(**theme0):
    d = copy.deepcopy({
        "name": "kantine", "version": "0.1",
        "themes": [{"id": "mat", "label": "Maten", "description": "Maten.", "keywords": ["mat"]},
                   {"id": "pris", "label": "Pris", "description": "Prisen.", "keywords": ["pris"]}],
    })
    d["themes"][0].update(theme0)
    return d


def test_keywords_written_as_one_string_with_commas_are_refused():
    """Was: ``keywords: mat, smak, middag`` became the single keyword "mat, smak, middag" (which never matches)."""
    with pytest.raises(CodebookError, match=r"theme #1 \(mat\): 'keywords' must be a list, e.g. \[mat, smak, middag\]"):
        Codebook.from_dict(_cb(keywords="mat, smak, middag"))
    assert Codebook.from_dict(_cb(keywords="mat")).themes[0].keywords == ("mat",)  # one keyword is fine


@pytest.mark.parametrize("field, value", [("label", ["Maten", "Mat"]), ("description", {"a": 1}), ("parent", ["pris"])])
def test_fields_of_the_wrong_type_are_refused(field, value):
    """Was: a list or mapping was stored as its Python repr ("['Maten', 'Mat']")."""
    with pytest.raises(CodebookError, match=rf"theme #1 \(mat\): '{field}' must be"):
        Codebook.from_dict(_cb(**{field: value}))


@pytest.mark.parametrize("types", [5, {"klage": 1}])
def test_types_that_are_not_a_list_are_refused(types):
    """Was: ``types: 5`` crashed with "'int' object is not iterable"; a mapping was read as its keys."""
    with pytest.raises(CodebookError, match="'types' must be a list"):
        Codebook.from_dict({**_cb(), "types": types})


def test_non_ascii_id_message_says_ascii_and_suggests_an_id():
    with pytest.raises(CodebookError, match=r"ASCII lower-case letters a-z.*e.g. 'sykefravaer'"):
        Codebook.from_dict(_cb(id="sykefravær"))
    with pytest.raises(CodebookError, match="e.g. 'mat'"):
        Codebook.from_dict(_cb(id="Mat"))


def test_label_lists_in_every_form_a_frame_column_can_hold():
    """Was: ``pd.NA`` (a "string" column) crashed, None inside a list became the id 'None'."""
    assert parse_theme_list(pd.NA) == [] and parse_theme_list(np.float32("nan")) == []
    assert parse_theme_list(["mat", None, np.nan, " pris "]) == ["mat", "pris"]
    with pytest.raises(TypeError, match="expected theme ids as 'a;b' or a list of ids, got int"):
        parse_theme_list(5)


def test_to_matrix_reads_joined_strings_and_missing_rows():
    """Was: each "a;b" string was split into characters ("unknown theme id(s) ['m', 'a', 't']")."""
    cb = Codebook.from_dict(_cb())
    y = cb.to_matrix(pd.Series(["mat", "mat;pris", pd.NA, None], dtype=object))
    assert y.tolist() == [[1, 0], [1, 1], [0, 0], [0, 0]]
    with pytest.raises(CodebookError, match=r"labels row 1: unknown theme id\(s\) \['Mat'\]"):
        cb.to_matrix(["pris", "Mat"])
    with pytest.raises(CodebookError, match="labels row 0: expected theme ids"):
        cb.to_matrix([3])


def test_index_of_an_unknown_id_says_which_ids_exist():
    with pytest.raises(KeyError, match=r"unknown theme id 'Mat'; codebook 'kantine' has \['mat', 'pris'\]"):
        Codebook.from_dict(_cb()).index("Mat")


def test_checked_and_fine_duplicates_cycles_and_case():
    d = _cb()
    d["themes"][1]["id"] = "mat"
    with pytest.raises(CodebookError, match="duplicate theme id"):
        Codebook.from_dict(d)
    d = _cb(parent="pris")
    d["themes"][1]["parent"] = "mat"
    with pytest.raises(CodebookError, match="parent cycle: mat -> pris -> mat"):
        Codebook.from_dict(d)
    with pytest.raises(CodebookError, match="missing 'id'"):
        Codebook.from_dict(_cb(id=None))
