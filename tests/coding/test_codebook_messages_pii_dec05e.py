"""Codebook error messages never repeat personal data held in a theme id or parent (privacy audit dec05e): the
personal-data check runs before any check that names a theme by its id, and a theme whose id holds personal data is
named by its place («theme #1»)."""

import warnings

import pytest
import yaml

from textmine.codebook import Codebook, CodebookError, load_codebook, personal_data_fields

FNR = "15078510150"
SECRETS = ("berit", "johansen", "kari", "nordmann", FNR, "91234567")


def _cb(*themes):
    return {"name": "t", "version": "1.0", "types": ["klage", "ønske", "ros"], "themes": list(themes)}


def _assert_clean(msg: str) -> None:
    assert not [s for s in SECRETS if s in msg.casefold()], msg


def _write(tmp_path, d):
    p = tmp_path / "cb.yaml"
    p.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    return p


def test_the_same_label_check_names_a_theme_with_personal_data_in_its_id_by_place():
    d = _cb({"id": f"berit_johansen_{FNR}", "label": "Telefon", "keywords": ["telefon"]},
            {"id": "saksbehandlingstid", "label": "Telefon", "keywords": ["svartid"]})
    with pytest.raises(CodebookError, match=r"^themes\[0\]\.id \(.*fodselsnummer.*\): looks like personal data") as exc:
        Codebook.from_dict(d)  # building refuses personal data before the same-label check could name the id
    assert "same label" not in str(exc.value)
    _assert_clean(str(exc.value))


def test_load_codebook_reports_the_personal_data_before_the_same_label_check(tmp_path):
    d = _cb({"id": f"berit_johansen_{FNR}", "label": "Telefon", "keywords": ["telefon"]},
            {"id": "saksbehandlingstid", "label": "Telefon", "keywords": ["svartid"]})
    with pytest.raises(CodebookError, match=r"themes\[0\]\.id \(.*fodselsnummer.*\): looks like personal data") as exc:
        load_codebook(_write(tmp_path, d))
    assert "same label" not in str(exc.value)
    _assert_clean(str(exc.value))


def test_the_personal_data_error_names_the_field_of_a_theme_with_personal_data_in_its_id_by_place(tmp_path):
    d = _cb({"id": f"sak_{FNR}", "label": "Telefon", "description": "Ring Kari Hansen på 91234567 (NKS)"},
            {"id": "saksbehandlingstid", "label": "Svartid", "keywords": ["svartid"]})
    with pytest.raises(CodebookError, match=r"themes\[0\]\.id \(fodselsnummer\); theme #1 description") as exc:
        load_codebook(_write(tmp_path, d))
    _assert_clean(str(exc.value))
    fields = [f for f, _ in personal_data_fields(d)]  # the mapping: a built codebook holds none
    assert fields == ["themes[0].id", "theme #1 description"]


def test_an_unknown_parent_holding_a_name_is_not_quoted():
    d = _cb({"id": "telefon", "label": "Telefon", "keywords": ["telefon"]},
            {"id": "saksbehandlingstid", "label": "Svartid", "keywords": ["svartid"], "parent": "kari_nordmann"})
    with pytest.raises(CodebookError, match=r"^theme 'saksbehandlingstid' parent \(navn\): looks like personal data") \
            as exc:
        Codebook.from_dict(d)
    _assert_clean(str(exc.value))


def test_load_codebook_refuses_a_parent_holding_a_name_as_personal_data(tmp_path):
    d = _cb({"id": "telefon", "label": "Telefon", "keywords": ["telefon"]},
            {"id": "saksbehandlingstid", "label": "Svartid", "keywords": ["svartid"], "parent": "kari_nordmann"})
    with pytest.raises(CodebookError, match=r"theme 'saksbehandlingstid' parent \(navn\): looks like personal data") \
            as exc:
        load_codebook(_write(tmp_path, d))
    _assert_clean(str(exc.value))


def test_the_valid_ids_listed_for_an_unknown_parent_hide_an_id_with_personal_data():
    d = _cb({"id": "kari_nordmann", "label": "K", "keywords": ["k"]}, {"id": "b", "label": "B", "keywords": ["y"]})
    d["themes"][1]["parent"] = "zzz"
    with pytest.raises(CodebookError, match=r"^themes\[0\]\.id \(navn\): looks like personal data") as exc:
        Codebook.from_dict(d)
    _assert_clean(str(exc.value))
    d["themes"][1]["parent"] = "kari_nordmen"  # a misspelt name is no personal data by itself; the id it is close to is
    with pytest.raises(CodebookError) as exc:
        Codebook.from_dict(d)
    assert "did you mean" not in str(exc.value) and "nordmann" not in str(exc.value)


def test_other_checks_name_a_theme_with_personal_data_in_its_id_by_place():
    cases = [
        # building refuses the personal data first (named by place); a malformed theme is refused while reading
        (_cb({"id": f"sak_{FNR}", "label": "", "keywords": ["x"]}), r"^themes\[0\]\.id \(fodselsnummer\): looks like"),
        (_cb({"id": "a", "label": "A", "keywords": ["x"]}, {"id": "kari_nordmann", "label": "K"}),
         r"^themes\[1\]\.id \(navn\): looks like"),
        (_cb({"id": "Kari Nordmann", "label": "K", "keywords": ["x"]}), r"^themes\[0\]\.id \(navn\): looks like"),
        (_cb({"id": "kari_nordmann", "label": "K", "keywords": ["x"], "farge": "rød"}), r"^theme #1: unknown key"),
        (_cb({"id": "a", "label": "A", "keywords": ["x"], "parent": "kari_nordmann"},
             {"id": "kari_nordmann", "label": "K", "keywords": ["y"], "parent": "a"}),
         r"^theme 'a' parent \(navn\); themes\[1\]\.id \(navn\): looks like"),
    ]
    for d, pattern in cases:
        with pytest.raises(CodebookError, match=pattern) as exc:
            Codebook.from_dict(d)
        _assert_clean(str(exc.value))


def test_the_same_keywords_warning_names_a_theme_with_personal_data_in_its_id_by_place():
    d = _cb({"id": "a", "label": "A", "keywords": ["telefon"]},
            {"id": f"berit_johansen_{FNR}", "label": "B", "keywords": ["Telefon"]})
    with warnings.catch_warnings(record=True) as caught, pytest.raises(CodebookError, match="looks like personal data"):
        warnings.simplefilter("always")
        Codebook.from_dict(d)  # refused before the same-keywords warning could name the theme
    messages = [str(w.message) for w in caught]
    assert not any("same keywords" in m for m in messages), messages
    _assert_clean(" ".join(messages))


def test_a_keyword_string_with_separators_and_a_name_is_not_repeated():
    d = _cb({"id": "a", "label": "A", "keywords": "ring Kari Nordmann, 91234567"})
    with pytest.raises(CodebookError, match=r"'keywords' must be a list, e.g. \[telefon, telefonkø\]") as exc:
        Codebook.from_dict(d)
    _assert_clean(str(exc.value))
