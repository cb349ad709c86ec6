"""``textmine codebook CB.yaml [--compare OLD.yaml] [--json]``: check a codebook without coding a file."""

import json

import pytest

from textmine.codebook import load_codebook

from ..clitools import assert_clean_fail, run_cli

THEMES = {
    "telefon": "  - id: telefon\n    label: Telefon\n    description: Telefonkø\n"
               "    keywords: [telefon, telefonkø]\n",
    "kontaktperson": "  - id: kontaktperson\n    label: Kontaktperson\n    description: Fast kontakt\n"
                     "    keywords: [kontaktperson]\n",
    "kontakt_tlf": "  - id: kontakt_tlf\n    label: Kontakt på telefon\n    description: Ringe\n"
                   "    keywords: [ringe]\n",
    "lonn": "  - id: lonn\n    label: Lønn\n    description: Lønn og tillegg\n    keywords: [lønn]\n",
    "annet": "  - id: annet\n    label: Annet\n    description: Alt annet\n    exclusive: true\n",
}


def _write(tmp_path, name, *themes, version="1.0", extra=""):
    p = tmp_path / name
    p.write_text(f'name: demo\nversion: "{version}"\nthemes:\n' + "".join(themes) + extra, encoding="utf-8")
    return p


@pytest.fixture()
def old(tmp_path):
    return _write(tmp_path, "old.yaml", *THEMES.values())


def test_valid_codebook_shows_header_and_a_row_per_theme(old):
    res = run_cli("codebook", old)
    assert res.exit_code == 0, res.output
    cb = load_codebook(old)
    assert f"old.yaml: codebook 'demo', version 1.0, language nb, hash {cb.hash}" in res.output.splitlines()[0]
    rows = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:-1]]
            for line in res.output.splitlines() if line.startswith("│")}
    assert list(rows) == cb.theme_ids
    assert rows["telefon"] == ["Telefon", "", "", "2", "0", ""]
    assert rows["annet"][2] == "yes"


def test_library_warning_for_shared_keywords_is_shown(tmp_path):
    twin = THEMES["lonn"].replace("lonn", "lonn2").replace("Lønn\n", "Lønnstillegg\n")
    res = run_cli("codebook", _write(tmp_path, "cb.yaml", THEMES["telefon"], THEMES["lonn"], twin))
    assert res.exit_code == 0, res.output
    assert "warning:" in res.output and "'lonn' and 'lonn2' have the same keywords" in " ".join(res.output.split())


@pytest.mark.parametrize("themes, needles", [
    ((THEMES["telefon"], THEMES["telefon"].replace("Telefon\n", "Telefon 2\n")),
     ["cb.yaml", "theme 'telefon': duplicate theme id"]),
    ((THEMES["telefon"], THEMES["lonn"] + "    parent: telfon\n"),
     ["cb.yaml", "theme 'lonn': unknown parent 'telfon' (did you mean 'telefon'?)"]),
    ((THEMES["telefon"].replace("    keywords", "   keywords"), THEMES["lonn"]),
     ["cb.yaml: line 7: the YAML structure is broken here (check the indentation of this line and the one before)",
      "not valid YAML", "expected <block end>", "line 7, column 4"]),
])
def test_invalid_codebook_exits_2_naming_theme_and_field(tmp_path, themes, needles):
    res = run_cli("codebook", _write(tmp_path, "cb.yaml", *themes))
    assert_clean_fail(res, "error:", *needles)
    assert len(res.output.strip().splitlines()) == 1, res.output  # one line, as `textmine code` reports it


def test_old_codebook_errors_too(tmp_path, old):
    bad = _write(tmp_path, "bad.yaml", THEMES["telefon"], THEMES["telefon"].replace("Telefon\n", "Tlf\n"))
    assert_clean_fail(run_cli("codebook", old, "--compare", bad), "bad.yaml", "duplicate theme id")


def _new(tmp_path, *extra_themes):
    merged = ("  - id: kontakt\n    label: Kontakt\n    description: Kontaktperson og oppfølging\n"
              "    keywords: [kontaktperson, ringe]\n    replaces: [kontaktperson, kontakt_tlf]\n")
    renamed = THEMES["lonn"].replace("id: lonn", "id: lonning") + "    replaces: lonn\n"
    return _write(tmp_path, "new.yaml", THEMES["telefon"], merged, renamed, *extra_themes, THEMES["annet"],
                  version="2.0")


def _compare(new, old):
    res = run_cli("codebook", new, "--compare", old, "--json")
    assert res.exit_code == 0, res.output
    return json.loads(res.output)["compare"]


def test_compare_rename_and_merge_only_keeps_the_catch_all_compared(tmp_path, old):
    cmp = _compare(_new(tmp_path), old)
    assert cmp["added"] == [] and cmp["removed"] == []
    assert {r["theme"]: (r["replaces"], r["merge"]) for r in cmp["renamed"]} == {
        "kontakt": (["kontaktperson", "kontakt_tlf"], True), "lonning": (["lonn"], False)}
    assert [r["theme"] for r in cmp["renamed"] if r["changed"]] == ["kontakt"]  # its description changed too
    assert [(c["theme"], c["verdict"]) for c in cmp["catch_all"]] == [("annet", "compared")]


def test_compare_added_theme_makes_the_catch_all_untested(tmp_path, old):
    added = "  - id: digital\n    label: Digitale tjenester\n    description: App og nett\n    keywords: [app]\n"
    new = _new(tmp_path, added)
    cmp = _compare(new, old)
    assert cmp["added"] == ["digital"]
    [catch] = cmp["catch_all"]
    assert (catch["theme"], catch["verdict"]) == ("annet", "untested") and "digital" in catch["reason"]
    table = run_cli("codebook", new, "--compare", old)
    assert table.exit_code == 0, table.output
    flat = " ".join(table.output.split())
    for needle in ("merged │ kontakt │ continues kontaktperson, kontakt_tlf",
                   "renamed │ lonning │ continues lonn", "added │ digital", "catch-all untested │ annet"):
        assert needle in flat, flat


def test_compare_redefined_theme_and_replaces_typo(tmp_path, old):
    redefined = THEMES["telefon"].replace("Telefonkø", "Ventetid på telefon")
    typo = THEMES["lonn"].replace("id: lonn", "id: lonning") + "    replaces: lnn\n"
    new = _write(tmp_path, "new.yaml", redefined, THEMES["kontaktperson"], THEMES["kontakt_tlf"], typo,
                 THEMES["annet"])
    cmp = _compare(new, old)
    assert cmp["redefined"] == [{"theme": "telefon", "fields": ["description"]}]
    assert cmp["replaces_unknown"] == [{"theme": "lonning", "replaces": ["lnn"], "known": []}]
    assert cmp["renamed"] == [] and cmp["added"] == ["lonning"] and cmp["removed"] == ["lonn"]
    assert cmp["catch_all"][0]["verdict"] == "untested"
    flat = " ".join(run_cli("codebook", new, "--compare", old).output.split())
    assert "old.yaml has no theme lnn (typo?)" in flat, flat


def test_json_keys_are_stable(tmp_path, old):
    res = run_cli("codebook", _new(tmp_path), "--compare", old, "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert list(data) == ["name", "version", "language", "hash", "themes", "warnings", "compare"]
    assert list(data["themes"][0]) == ["id", "label", "parent", "exclusive", "keywords", "examples", "replaces"]
    assert list(data["compare"]) == ["added", "removed", "renamed", "redefined", "replaces_unknown", "catch_all"]
    assert data["hash"] == load_codebook(tmp_path / "new.yaml").hash
    assert "compare" not in json.loads(run_cli("codebook", old, "--json").output)


def test_a_file_name_holding_personal_data_is_not_printed(tmp_path, old):
    named = tmp_path / "Ola_Nordmann_15038510190.yaml"
    named.write_bytes(old.read_bytes())
    res = run_cli("codebook", named, "--compare", named)
    assert res.exit_code == 0, res.output
    assert "15038510190" not in res.output and "Nordmann" not in res.output
    assert res.output.startswith("[navn skjult]: codebook 'demo'") and "compared with [navn skjult]" in res.output
