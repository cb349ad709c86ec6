"""Codebook loading, validation, hashing and hierarchy."""

import copy

import numpy as np
import pytest
import yaml

from textmine.codebook import Codebook, CodebookError, load_codebook, parse_theme_list
from textmine.paths import DEFAULT_CODEBOOK

from .conftest import HIER_CODEBOOK, TOY_CODEBOOK


def _with(**changes):
    d = copy.deepcopy(TOY_CODEBOOK)
    d.update(changes)
    return d


def test_sample_codebook_loads_with_the_fixed_theme_ids():
    if not DEFAULT_CODEBOOK.exists():
        pytest.skip("sample codebook not present")
    cb = load_codebook(DEFAULT_CODEBOOK)
    assert cb.theme_ids == ["telefon", "saksbehandlingstid", "refusjon", "sykefravaersoppfolging", "kontaktperson",
                            "digitale_tjenester", "regelverk_sprak", "kompetanse", "samhandling", "ia_forebygging",
                            "rekruttering", "tiltak", "lege_sykmelding", "permittering", "ros", "annet"]
    assert cb.exclusive_ids == ["annet"]
    assert set(cb.types) == {"klage", "ønske", "ros"}


def test_yaml_round_trip_keeps_content_and_hash(tmp_path, toy_codebook):
    path = tmp_path / "cb.yaml"
    path.write_text(toy_codebook.to_yaml(), encoding="utf-8")
    again = load_codebook(path)
    assert again == toy_codebook and again.hash == toy_codebook.hash
    assert again.theme("ko").keywords == ("kø", "vente", "ventetid", "kassa")


def test_hash_changes_with_content_not_formatting(toy_codebook):
    reformatted = Codebook.from_yaml(yaml.safe_dump(TOY_CODEBOOK, default_flow_style=True, allow_unicode=True))
    assert reformatted.hash == toy_codebook.hash
    d = copy.deepcopy(TOY_CODEBOOK)
    d["themes"][0]["keywords"].append("lunsj")
    assert Codebook.from_dict(d).hash != toy_codebook.hash
    assert Codebook.from_dict(_with(version="0.2")).hash != toy_codebook.hash


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d["themes"].append(dict(d["themes"][0])), "duplicate theme id"),
        (lambda d: d["themes"][1].update(parent="finnesikke"), "unknown parent 'finnesikke'"),
        (lambda d: d["themes"][1].update(description="", keywords=[], examples=[]), "empty theme"),
        (lambda d: d["themes"][1].update(label=""), "missing 'label'"),
        (lambda d: d["themes"][1].pop("id"), "missing 'id'"),
        (lambda d: d["themes"][1].update(id="Pris-x"), "lower-case"),
        (lambda d: d["themes"][1].update(colour="red"), "unknown key"),
        (lambda d: d["themes"][1].update(exclusive="yes"), "'exclusive' must be true or false"),
        (lambda d: d.update(themes=[]), "'themes' is empty; list at least one theme"),
        (lambda d: d.pop("themes"), "missing 'themes'"),
        (lambda d: d.update(name=""), "'name' is empty"),
        (lambda d: d["themes"][0].update(parent="mat"), "its own parent"),
    ],
)
def test_validation_errors_name_the_problem(mutate, message):
    d = copy.deepcopy(TOY_CODEBOOK)
    mutate(d)
    with pytest.raises(CodebookError, match=message):
        Codebook.from_dict(d)


def test_parent_cycle_is_refused():
    d = copy.deepcopy(HIER_CODEBOOK)
    d["themes"][0]["parent"] = "telefon"  # kontakt -> telefon -> kontakt
    with pytest.raises(CodebookError, match="cycle"):
        Codebook.from_dict(d)


def test_invalid_yaml_and_missing_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nthemes: [\n", encoding="utf-8")
    with pytest.raises(CodebookError, match="bad.yaml"):
        load_codebook(bad)
    with pytest.raises(CodebookError, match="not found"):
        load_codebook(tmp_path / "nope.yaml")


def test_hierarchy_rolls_children_up(hier_codebook):
    cb = hier_codebook
    assert cb.children("kontakt") == ["telefon", "epost"] and cb.ancestors("epost") == ["kontakt"]
    assert cb.rollup(["epost"]) == ["kontakt", "epost"]
    y = cb.to_matrix([["telefon"], ["tid"], []])
    assert y.tolist() == [[1, 1, 0, 0], [0, 0, 0, 1], [0, 0, 0, 0]]
    scores = np.array([[0.1, 0.7, 0.3, 0.0]])
    assert cb.rollup_matrix(scores).tolist() == [[0.7, 0.7, 0.3, 0.0]]


def test_labels_with_unknown_ids_are_refused(toy_codebook):
    with pytest.raises(CodebookError, match="row 1: unknown theme id"):
        toy_codebook.to_matrix([["mat"], ["drikke"]])


def test_exclusive_theme_cannot_have_children():
    d = _with()
    d["themes"][0]["parent"] = "annet"
    with pytest.raises(CodebookError, match="exclusive"):
        Codebook.from_dict(d)


def test_parse_theme_list():
    assert parse_theme_list("a; b;;c") == ["a", "b", "c"]
    assert parse_theme_list(float("nan")) == [] and parse_theme_list(None) == []
    assert parse_theme_list(["x", " y "]) == ["x", "y"]
