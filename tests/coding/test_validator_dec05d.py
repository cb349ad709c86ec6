"""Codebook validator gaps the reviewer found (dec05d): duplicate labels, identical keyword lists, a lone exclusive
theme, empty or repeated ``types``, personal data in a label (CLI and service alike), a parent that only groups
its children, and an unknown parent spelt another way."""

import warnings

import pytest

from textmine.codebook import Codebook, CodebookError, load_codebook, personal_data_fields


def _cb(*themes, **top):
    return {"name": "t", "version": "1.0", "types": ["klage", "ønske", "ros"], "themes": list(themes), **top}


def test_two_themes_with_one_label_are_refused_naming_both():
    d = _cb({"id": "a", "label": "Telefon", "keywords": ["telefon"]}, {"id": "b", "label": "telefon ", "keywords": ["chat"]})
    with pytest.raises(CodebookError, match=r"themes 'a' and 'b' have the same label"):
        Codebook.from_dict(d)


def test_identical_keyword_lists_warn_naming_both_themes():
    d = _cb({"id": "a", "label": "A", "keywords": ["telefon", "vente"]},
            {"id": "b", "label": "B", "keywords": ["Vente", "telefon"]})
    with pytest.warns(UserWarning, match=r"themes 'a' and 'b' have the same keywords"):
        cb = Codebook.from_dict(d)
    assert cb.theme_ids == ["a", "b"]


def test_different_keyword_lists_do_not_warn():
    d = _cb({"id": "a", "label": "A", "keywords": ["telefon"]}, {"id": "b", "label": "B", "keywords": ["chat"]})
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        Codebook.from_dict(d)


def test_a_codebook_whose_only_theme_is_exclusive_is_refused_with_a_reason():
    with pytest.raises(CodebookError, match=r"theme 'annet': the only theme is exclusive.*needs other themes"):
        Codebook.from_dict(_cb({"id": "annet", "label": "Annet", "keywords": ["x"], "exclusive": True}))
    two = Codebook.from_dict(_cb({"id": "a", "label": "A", "keywords": ["telefon"]},
                                 {"id": "annet", "label": "Annet", "keywords": ["x"], "exclusive": True}))
    assert two.exclusive_ids == ["annet"]


def test_empty_types_are_refused_not_replaced_by_defaults():
    with pytest.raises(CodebookError, match=r"'types' is empty; list the comment types"):
        Codebook.from_dict(_cb({"id": "a", "label": "A", "keywords": ["telefon"]}, types=[]))
    assert Codebook.from_dict({"name": "t", "themes": [{"id": "a", "label": "A", "keywords": ["x"]}]}).types == (
        "klage", "ønske", "ros")  # left out: the defaults, as documented


def test_a_key_given_twice_in_the_yaml_is_refused_with_both_lines(tmp_path):
    p = tmp_path / "type_empty.yaml"
    p.write_text('name: t\nversion: "1.0"\ntypes: [klage, ønske, ros]\nthemes:\n'
                 '  - {id: a, label: "A", keywords: [telefon]}\ntypes: []\n', encoding="utf-8")
    with pytest.raises(CodebookError, match=r"key 'types' is given twice \(lines 3 and 6\)"):
        load_codebook(p)
    p.write_text('name: t\nthemes:\n  - id: a\n    label: A\n    keywords: [x]\n    label: B\n', encoding="utf-8")
    with pytest.raises(CodebookError, match=r"theme #1: key 'label' is given twice \(lines 4 and 6\)"):
        load_codebook(p)


def test_personal_data_in_a_label_is_refused_by_the_library_as_by_the_service(tmp_path):
    p = tmp_path / "label_pii.yaml"
    p.write_text('name: t\nversion: "1.0"\nthemes:\n'
                 '  - {id: a, label: "Saker hos Kari Nordmann 91234567", keywords: [telefon]}\n', encoding="utf-8")
    with pytest.raises(CodebookError, match=r"theme 'a' label \((?=.*telefon)(?=.*navn).*\): looks like personal data") as exc:
        load_codebook(p)
    assert "91234567" not in str(exc.value) and "Kari" not in str(exc.value)  # the value is never quoted
    d = _cb({"id": "a", "label": "Saker hos Kari Nordmann 91234567", "keywords": ["telefon"]})
    assert [f for f, _ in personal_data_fields(d)] == ["theme 'a' label"]
    with pytest.raises(CodebookError, match=r"^theme 'a' label \("):
        Codebook.from_dict(d)  # building refuses it too


def test_personal_data_fields_cover_ids_keywords_and_examples_by_place():
    d = _cb({"id": "kari_nordmann_01019012480", "label": "A", "keywords": ["telefon", "ola@example.com"],
             "examples": ["Ring meg på 91234567"]})
    fields = [f for f, _ in personal_data_fields(d)]  # the mapping: building refuses these
    # a theme whose id holds personal data is named by its place, never by the id (dec05e)
    assert fields == ["themes[0].id", "theme #1 keyword 2", "theme #1 example 1"]


def test_shipped_and_reviewer_codebooks_hold_no_personal_data():
    from textmine.paths import DEFAULT_CODEBOOK, DEFAULT_MODEL_DIR

    for path in (DEFAULT_CODEBOOK, DEFAULT_MODEL_DIR / "codebook.yaml"):
        assert personal_data_fields(load_codebook(path)) == []


def test_a_parent_that_only_groups_its_children_is_accepted_and_rolls_them_up():
    cb = Codebook.from_dict(_cb({"id": "ytelser", "label": "Ytelser", "parent": None},
                                {"id": "dagpenger", "label": "Dagpenger", "keywords": ["dagpenger"], "parent": "ytelser"}))
    assert cb.children("ytelser") == ["dagpenger"]
    assert cb.to_matrix(cb.validate_labels([["dagpenger"]])).tolist() == [[1, 1]]  # the parent is coded from it
    assert set(cb.rollup(["dagpenger"])) == {"ytelser", "dagpenger"}
    with pytest.raises(CodebookError, match=r"theme 'b': empty theme"):  # a theme nobody names as parent still needs content
        Codebook.from_dict(_cb({"id": "a", "label": "A", "keywords": ["x"]}, {"id": "b", "label": "B"}))


@pytest.mark.parametrize("parent, hint", [("Ytelser", "did you mean 'ytelser'?"), ("ytelse", "did you mean 'ytelser'?"),
                                          ("Ytelsar", "did you mean 'ytelser'?")])
def test_an_unknown_parent_suggests_the_id_and_lists_the_valid_ones(parent, hint):
    d = _cb({"id": "ytelser", "label": "A", "keywords": ["penger"]}, {"id": "telefon", "label": "T", "keywords": ["ring"]},
            {"id": "b", "label": "B", "keywords": ["dagpenger"], "parent": parent})
    with pytest.raises(CodebookError) as exc:
        Codebook.from_dict(d)
    msg = str(exc.value)
    assert f"theme 'b': unknown parent {parent!r}" in msg and hint in msg
    assert msg.endswith("one of: ytelser, telefon")


def test_an_unknown_parent_without_a_close_id_lists_the_valid_ones():
    d = _cb({"id": "a", "label": "A", "keywords": ["x"]}, {"id": "b", "label": "B", "keywords": ["y"], "parent": "zzz"})
    with pytest.raises(CodebookError, match=r"unknown parent 'zzz'; 'parent' is the id of another theme, one of: a$"):
        Codebook.from_dict(d)
