"""YAML type quirks in the codebook's text fields: a value YAML reads as a number, yes/no, a date or a time is kept as
written (``version: 1.10``, ``id: no``, ``keywords: [2024-01-01]``); .nan/.inf and ``!!binary`` are refused with a
message naming the theme and field."""

from __future__ import annotations

import pytest
import yaml

from textmine.codebook import Codebook, CodebookError, load_codebook

_YAML = """name: {name}
version: {version}
themes:
  - id: {id}
    label: {label}
    keywords: {keywords}
    replaces: {replaces}
  - id: annet
    label: Annet
    keywords: [annet]
"""
_OK = dict(name="toy", version='"1.0"', id="telefon", label="Telefon", keywords="[telefon]", replaces="null")


def _load(**fields) -> Codebook:
    return Codebook.from_yaml(_YAML.format(**{**_OK, **fields}))


@pytest.mark.parametrize("field, written, attr", [
    ("version", "1.10", "version"), ("version", "no", "version"), ("version", "2024-01-01", "version"),
    ("name", "1.10", "name"), ("name", "no", "name"),
])
def test_top_level_text_is_kept_as_written(field, written, attr):
    assert getattr(_load(**{field: written}), attr) == written


@pytest.mark.parametrize("written", ["no", "yes", "010", "0x1f", "1_000"])
def test_theme_id_is_kept_as_written(written):
    # was: «no» → missing 'id', «yes» → 'True', 010 → '8' (YAML 1.1 octal), 0x1f → '31', 1_000 → '1000'
    assert _load(id=written).themes[0].id == written


@pytest.mark.parametrize("written", ["no", "1.10", "2024-01-01", "12:30:00"])
def test_label_is_kept_as_written(written):
    # was: refused (bool, date), '1.1', and '45000' (YAML 1.1 reads 12:30:00 as sexagesimal)
    assert _load(label=written).themes[0].label == written


def test_keywords_and_replaces_are_kept_as_written():
    cb = _load(keywords="[no, 1.10, 2024-01-01, telefon]", replaces="[010]")
    assert cb.themes[0].keywords == ("no", "1.10", "2024-01-01", "telefon")
    assert cb.themes[0].replaces == ("010",)


def test_blank_version_is_the_default():
    assert _load(version="~").version == "1.0"  # was 'None'


@pytest.mark.parametrize("field, written, special, place", [
    ("keywords", "[telefon, .nan]", ".nan", "theme #1: 'keywords' item 2"),  # was silently 'nan'
    ("keywords", "[.inf]", ".inf", "theme #1: 'keywords' item 1"),
    ("label", ".NaN", ".NaN", "theme #1: 'label'"),
    ("id", ".nan", ".nan", "theme #1: 'id'"),  # was the valid id 'nan'
    ("version", "-.inf", "-.inf", "'version'"),
])
def test_nan_and_inf_are_refused_naming_theme_and_field(field, written, special, place):
    with pytest.raises(CodebookError) as exc:
        _load(**{field: written})
    msg = str(exc.value)
    assert msg.startswith(place) and f" {special} " in msg and "quotes" in msg, msg


@pytest.mark.parametrize("field, written, place", [
    ("keywords", "!!binary aGVp", "theme #1: 'keywords'"),  # was silently ('104', '101', '105')
    ("keywords", "[!!binary aGVp]", "theme #1: 'keywords' item 1"),
    ("version", "!!binary aGVp", "'version'"),  # was "b'hei'"
    ("id", "!!binary aGVp", "theme #1: 'id'"),
])
def test_binary_is_refused_naming_theme_and_field(field, written, place):
    with pytest.raises(CodebookError, match="!!binary") as exc:
        _load(**{field: written})
    assert str(exc.value).startswith(place), str(exc.value)
    assert "hei" not in str(exc.value)  # the decoded bytes are not echoed


def test_quoted_text_and_non_text_fields_are_unchanged():
    cb = Codebook.from_yaml(_YAML.format(**{**_OK, "label": '".nan"', "keywords": "['1.10']"}).replace(
        "    label: Annet\n", "    label: Annet\n    exclusive: yes\n"))
    assert cb.themes[0].label == ".nan" and cb.themes[0].keywords == ("1.10",)
    assert cb.themes[1].exclusive is True  # a YAML yes/no stays a bool where one is expected


def test_load_codebook_names_the_file_theme_and_field(tmp_path):
    path = tmp_path / "cb.yaml"
    path.write_text(_YAML.format(**{**_OK, "keywords": "[.nan]"}), encoding="utf-8")
    with pytest.raises(CodebookError, match=r"cb\.yaml: theme #1: 'keywords' item 1"):
        load_codebook(path)


def test_id_holding_personal_data_is_not_named_in_the_message():
    with pytest.raises(CodebookError) as exc:
        _load(id="ola_nordmann", keywords="[.nan]")
    assert "nordmann" not in str(exc.value) and str(exc.value).startswith("theme #1: 'keywords'")


def test_theme_is_named_by_position_only():
    # the service's 422 for uploaded YAML quotes no uploaded text; was «theme #1 (karinordmann): 'label': …»
    with pytest.raises(CodebookError) as exc:
        _load(id="karinordmann", label=".nan")
    assert str(exc.value).startswith("theme #1: 'label'") and "karinordmann" not in str(exc.value)


_TRAINED = """name: toy
version: "2"
language: no
themes:
  - id: telefon
    label: 1.10
    keywords: [telefon, 1.50, "010"]
  - id: annet
    label: Annet
    keywords: [annet, 010]
"""


def _model(tmp_path, codebook_yaml: str, trained_hash: str):
    import json

    from textmine.classify.artefact import FORMAT

    model = tmp_path / "m"
    model.mkdir(parents=True)
    (model / "codebook.yaml").write_text(codebook_yaml, encoding="utf-8")
    (model / "manifest.json").write_text(json.dumps({"format": FORMAT, "codebook": {"hash": trained_hash}}),
                                         encoding="utf-8")
    return model


def test_a_model_trained_before_text_was_kept_as_written_still_loads(tmp_path):
    """Its manifest has the hash of codebook.yaml read by plain yaml.safe_load (language 'nb', label '1.1',
    keyword '8'), which differs from today's reading; it is still accepted, and a real edit is still refused."""
    from textmine.classify.artefact import ArtefactError, checked_codebook

    old_hash = Codebook.from_dict(yaml.safe_load(_TRAINED)).hash  # the earlier reading (version quoted: no rule)
    assert old_hash != Codebook.from_yaml(_TRAINED).hash
    _, stored = checked_codebook(_model(tmp_path, _TRAINED, old_hash))  # was: «edited after training»
    assert stored.language == "no" and stored.themes[0].label == "1.10"
    edited = _TRAINED.replace("label: 1.10", "label: 1.20")
    with pytest.raises(ArtefactError, match="edited after training"):
        checked_codebook(_model(tmp_path / "e", edited, old_hash))


def test_earlier_hashes_keep_the_earlier_version_rules():
    from textmine.codebook import earlier_hashes

    text = _TRAINED.replace('version: "2"', "version: 1.10")  # kept as written before too
    assert Codebook.from_dict({**yaml.safe_load(text), "version": "1.10"}).hash in earlier_hashes(text)
    blank = _TRAINED.replace('version: "2"', "version:")  # read as 'None' before, '1.0' now
    assert Codebook.from_dict({**yaml.safe_load(blank), "version": "None"}).hash in earlier_hashes(blank)
