"""Building a codebook refuses personal data (fix of 5 December e): ``Codebook.from_dict``, ``Codebook.from_yaml`` and
the constructor itself apply the rule :func:`load_codebook` and the service use (``personal_data_fields``), naming
the place («theme #1», «theme 'telefon' keyword 2»), never the value."""

from __future__ import annotations

import pytest
import yaml

from textmine.codebook import Codebook, CodebookError, Theme, load_codebook, personal_data_fields
from textmine.paths import DATA_DIR

FNR = "15078510150"
SECRETS = ("kari", "nordmann", "hansen", FNR, "91234567", "ola@example.com")


def _cb(*themes):
    return {"name": "t", "version": "1.0", "types": ["klage", "ønske", "ros"], "themes": list(themes)}


def _refused(build, pattern: str) -> str:
    with pytest.raises(CodebookError, match=pattern) as exc:
        build()
    msg = str(exc.value)
    assert "looks like personal data" in msg, msg
    assert not [s for s in SECRETS if s in msg.casefold()], f"the message repeats a value: {msg}"
    return msg


@pytest.mark.parametrize(
    "theme, pattern",
    [
        ({"id": "telefon", "label": "Saker hos Kari Nordmann", "keywords": ["telefon"]},
         r"^theme 'telefon' label \(navn\)"),
        ({"id": "telefon", "label": "Telefon", "description": "Ring 91234567", "keywords": ["telefon"]},
         r"^theme 'telefon' description \(telefon\)"),
        ({"id": "telefon", "label": "Telefon", "keywords": ["telefon", "ola@example.com"]},
         r"^theme 'telefon' keyword 2 \(epost\)"),
        ({"id": "telefon", "label": "Telefon", "keywords": ["telefon"], "examples": ["Hansen ringte aldri"]},
         r"^theme 'telefon' example 1 \(navn\)"),
        ({"id": f"sak_{FNR}", "label": "Sak", "keywords": ["sak"]}, r"^themes\[0\]\.id \(fodselsnummer\)"),
        ({"id": "kari_nordmann", "label": "Kari Nordmann", "keywords": ["k"]},
         r"^themes\[0\]\.id \(navn\); theme #1 label \(navn\)"),
    ],
)
def test_from_dict_and_from_yaml_refuse_personal_data_naming_the_place(theme, pattern):
    d = _cb(theme)
    _refused(lambda: Codebook.from_dict(d), pattern)
    _refused(lambda: Codebook.from_yaml(yaml.safe_dump(d, allow_unicode=True)), pattern)


def test_the_constructor_itself_refuses_personal_data():
    theme = Theme(id="telefon", label="Telefon", keywords=("telefon",), examples=("Ring Kari Nordmann på 91234567",))
    _refused(lambda: Codebook(name="t", version="1.0", themes=(theme,)), r"^theme 'telefon' example 1 \(")


def test_personal_data_is_refused_before_a_validation_message_could_name_the_theme_by_its_id():
    d = _cb({"id": f"kari_nordmann_{FNR}", "label": "Telefon", "keywords": ["telefon"]},
            {"id": "svartid", "label": "Telefon", "keywords": ["svartid"]})  # also the same label twice
    msg = _refused(lambda: Codebook.from_dict(d), r"^themes\[0\]\.id ")
    assert "same label" not in msg


def test_personal_data_fields_reads_a_mapping_before_building():
    d = _cb({"id": "kari_nordmann_01019012480", "label": "A", "keywords": ["telefon", "ola@example.com"],
             "examples": ["Ring meg på 91234567"]})
    assert [f for f, _ in personal_data_fields(d)] == ["themes[0].id", "theme #1 keyword 2", "theme #1 example 1"]


def test_ordinary_texts_with_name_like_words_still_build():
    d = _cb({"id": "telefon", "label": "Ventetid per telefon", "description": "Svar per e-post eller telefon",
             "keywords": ["telefon", "Strand", "per time"], "examples": ["Per i dag har ingen svart oss."]},
            {"id": "nav_kontor", "label": "NAV-kontoret i Bodø", "keywords": ["NAV Bodø"]})
    cb = Codebook.from_dict(d)
    assert cb.theme_ids == ["telefon", "nav_kontor"] and personal_data_fields(d) == []


def test_shipped_codebooks_still_build_by_every_path():
    from textmine.paths import DEFAULT_MODEL_DIR

    paths = sorted((DATA_DIR / "codebooks").glob("*.yaml")) + [DEFAULT_MODEL_DIR / "codebook.yaml"]
    assert len(paths) >= 2
    for path in paths:
        cb = load_codebook(path)
        assert Codebook.from_dict(cb.to_dict()) == cb, path
        assert Codebook.from_yaml(path.read_text(encoding="utf-8")).hash == cb.hash, path
