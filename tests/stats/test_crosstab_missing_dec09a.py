"""Crosstab (dec 9): a column's SPSS missing codes give ONE note, counted with one pass: up to 50 codes listed with
their counts, the codes of a range holding more counted as the read notes count them (a «LOWEST THRU -1» range of
2,000 codes gave 2,000 notes); one code keeps its note as before."""

import json

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from textmine.cli import app
from textmine.cli.stats import _shown_levels

pyreadstat = pytest.importorskip("pyreadstat")
LOWEST = -1.7976931348623157e308  # SPSS «LOWEST», as pyreadstat writes and reads it
LABELS = {1: "Privat", 2: "Offentlig", -1: "Ubesvart", 99: "Vet ikke"}


def _sav(tmp_path, negative: list[float], n_99: int, missing: list) -> tuple:
    """sektor 1/2 (80 answers), then each code of ``negative`` twice and ``n_99`` answers 99."""
    sektor = [float(i % 2 + 1) for i in range(80)] + [c for c in negative for _ in range(2)] + [99.0] * n_99
    q = [float(i % 5 + 1) for i in range(len(sektor))]
    path = tmp_path / "w.sav"
    pyreadstat.write_sav(pd.DataFrame({"sektor": sektor, "q": q}), str(path), missing_ranges={"sektor": missing},
                         variable_value_labels={"sektor": LABELS})
    return path


def _crosstab(tmp_path, path, *extra) -> tuple:
    out = tmp_path / "x.json"
    r = CliRunner().invoke(app, ["crosstab", str(path), "--row", "sektor", "--col", "q", "--out", str(out), *extra])
    assert r.exit_code == 0, r.output
    notes = [line[len("note: "):] for line in r.output.splitlines() if line.startswith("note: sektor")]
    return notes, json.loads(out.read_text(encoding="utf-8"))


def _declared(tmp_path):
    p = tmp_path / "survey.yaml"
    p.write_text(yaml.safe_dump({"name": "s", "id": "rid", "segments": [
        {"column": "sektor", "label": "Sektor", "levels": {1: "Privat", 2: "Offentlig"}}]}, allow_unicode=True),
        encoding="utf-8")
    return ["--survey", str(p), "--min-cell", "0"]


@pytest.mark.parametrize("declared", [False, True], ids=["labels", "declared_levels"])
def test_many_codes_of_a_range_give_one_short_note_with_the_counts(tmp_path, declared):
    negative = [-float(i) - 0.5 for i in range(120)]  # 120 codes (fractions: no label), each held twice
    path = _sav(tmp_path, negative, 3, [{"lo": LOWEST, "hi": -0.25}, 99.0])
    notes, res = _crosstab(tmp_path, path, *(_declared(tmp_path) if declared else ()))
    assert notes == ["sektor: 243 answer(s) with SPSS missing codes left out: 240 with one of 120 values in the "
                     "range LOWEST to -0.25, 3 with code 99 («Vet ikke»)"], notes  # (was 121 notes)
    assert res["left_out"] == notes
    assert set(res["counts"]) == {"Privat", "Offentlig"} and res["n"] == 80


def test_two_codes_are_listed_in_one_note(tmp_path):
    path = _sav(tmp_path, [-1.0, -1.0], 3, [-1.0, 99.0])
    notes, res = _crosstab(tmp_path, path)
    assert notes == ["sektor: 7 answer(s) with SPSS missing codes left out: 4 with code -1 («Ubesvart»), 3 with code "
                     "99 («Vet ikke»)"], notes  # (was one note per code)
    assert res["n"] == 80


def test_one_code_keeps_its_note(tmp_path):
    notes, _ = _crosstab(tmp_path, _sav(tmp_path, [], 3, [99.0]))
    assert notes == ["sektor: 3 answer(s) with code 99 («Vet ikke») left out (SPSS missing code)"]


def test_up_to_50_codes_of_a_range_are_listed_with_their_counts(tmp_path):
    negative = [-float(i) for i in range(50, 0, -1)]  # -50 … -1: 50 codes, each held twice
    notes, res = _crosstab(tmp_path, _sav(tmp_path, negative, 0, [{"lo": LOWEST, "hi": -1.0}]))
    note, = notes
    assert note.startswith("sektor: 100 answer(s) with SPSS missing codes left out: 2 with code -50, 2 with code -49, ")
    assert note.endswith(", 2 with code -2, 2 with code -1 («Ubesvart»)") and note.count(" with code ") == 50, note


def test_many_codes_without_a_range_are_counted():
    """More than 50 codes that no range of the file counts (a frame given its missing codes): counted too."""
    df = pd.DataFrame({"x": [float(c) for c in range(100, 160)] * 2 + [1.0, 2.0]})
    df.attrs.update({"missing_codes": {"x": list(range(100, 160))}, "value_labels": {"x": {1: "Ja", 2: "Nei"}}})
    shown, order, notes = _shown_levels(df, "x")
    assert notes == ["x: 120 answer(s) with SPSS missing codes left out: 120 with one of 60 codes"]
    assert order == ["Ja", "Nei"] and shown.notna().sum() == 2


def test_a_personal_label_of_a_listed_code_is_not_shown(tmp_path):
    path = tmp_path / "w.sav"
    pyreadstat.write_sav(pd.DataFrame({"sektor": [1.0, 2.0] * 10 + [-1.0, 99.0], "q": [1.0] * 22}), str(path),
                         missing_ranges={"sektor": [-1.0, 99.0]},
                         variable_value_labels={"sektor": {**LABELS, -1: "Vet ikke Ola Nordmann"}})
    notes, _ = _crosstab(tmp_path, path)
    assert notes == ["sektor: 2 answer(s) with SPSS missing codes left out: 1 with code -1, 1 with code 99 («Vet "
                     "ikke»)"], notes
