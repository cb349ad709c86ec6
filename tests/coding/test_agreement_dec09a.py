"""``textmine agreement`` reads both files' id and themes columns as text: numeric theme ids («1», «10», «1,10»,
«01») in ';' and ',' CSVs and .xlsx keep their ids; the library names a themes cell read as a decimal number."""

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from textmine.agreement import intercoder_agreement
from textmine.cli import app
from textmine.codebook import Codebook


def _codebook(tmp_path, ids):
    cb = Codebook.from_dict({"name": "tall", "version": "1", "themes": [
        {"id": i, "label": f"Tema {i}", "description": f"Beskrivelse av tema {i}."} for i in ids]})
    path = tmp_path / "cb.yaml"
    path.write_text(cb.to_yaml(), encoding="utf-8")
    return path


def _agreement(tmp_path, ids, first, second, ext, sep=","):
    """Run the CLI on two coder files; the per-theme counts (first, second) and the disagreeing ids."""
    paths = []
    for name, df in (("first", first), ("second", second)):
        path = tmp_path / f"{name}{ext}"
        df.to_excel(path, index=False) if ext == ".xlsx" else df.to_csv(path, sep=sep, index=False)
        paths.append(path)
    out = tmp_path / "agreement.json"
    res = CliRunner().invoke(app, ["agreement", *map(str, paths), "--codebook", str(_codebook(tmp_path, ids)),
                                   "--json", str(out)])
    assert res.exit_code == 0, res.output
    payload = json.loads(out.read_text(encoding="utf-8"))
    counts = {r["theme"]: (r["n_first"], r["n_second"]) for r in payload["per_theme"]}
    return counts, [d["id"] for d in payload["disagreements"]]


FILES = pytest.mark.parametrize(("ext", "sep"), [(".csv", ";"), (".csv", ","), (".xlsx", ",")])


@FILES
def test_comma_joined_and_zero_padded_theme_ids_stay_as_written(tmp_path, ext, sep):
    # «1,10» in a ';' file was read as the decimal 1.1 (a crash); it is themes 1 and 10. «01» is not «1».
    first = pd.DataFrame({"id": ["1", "2", "3", "4", "5"], "themes": ["1,10", "2", "10", "1,2", "1"]})
    second = pd.DataFrame({"id": ["1", "2", "3", "4", "5"], "themes": ["1", "2", "10", "1,2", "01"]}).iloc[::-1]
    counts, differ = _agreement(tmp_path, ["01", "1", "2", "10"], first, second, ext, sep)
    assert counts == {"01": (0, 1), "1": (3, 2), "2": (2, 2), "10": (2, 1)}
    assert differ == ["1", "5"]


@FILES
def test_whole_number_theme_ids_are_matched(tmp_path, ext, sep):
    # a themes column of single numeric ids was read as integers (a TypeError crash)
    first = pd.DataFrame({"id": ["a", "b", "c", "d"], "themes": ["1", "2", "10", "10"]})
    second = pd.DataFrame({"id": ["a", "b", "c", "d"], "themes": ["1", "10", "10", "10"]})
    counts, differ = _agreement(tmp_path, ["1", "2", "10"], first, second, ext, sep)
    assert counts == {"1": (1, 1), "2": (1, 0), "10": (2, 3)}
    assert differ == ["b"]


def test_ids_with_a_comma_in_a_semicolon_csv_stay_apart(tmp_path):
    # ids «1,1» and «1,10» were both read as 1.1 (refused as duplicates)
    first = pd.DataFrame({"id": ["1,1", "1,10", "2,5"], "themes": ["1", "2", "1;2"]})
    second = first.assign(themes=["1", "1", "1;2"])
    counts, differ = _agreement(tmp_path, ["1", "2"], first, second, ".csv", ";")
    assert counts == {"1": (2, 3), "2": (2, 1)}
    assert differ == ["1,10"]


def test_library_matches_whole_numbers_and_names_a_decimal_cell():
    first = pd.DataFrame({"id": [1, 2, 3], "themes": [1, 10, None]})
    second = pd.DataFrame({"id": [1, 2, 3], "themes": ["1", "10", ""]})
    rep = intercoder_agreement(first, second, ["1", "10"])
    assert rep.summary["exact_match"] == 1.0 and rep.summary["n_units"] == 3
    with pytest.raises(ValueError, match=r"^first coding: row 3 \(id 2\): column 'themes' holds a decimal number, "
                                         r"not theme ids .*read the column as text"):
        intercoder_agreement(first.assign(themes=[1.0, 1.1, None]), second, ["1", "10"])
