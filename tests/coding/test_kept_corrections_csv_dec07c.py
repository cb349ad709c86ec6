"""A model folder's corrections.csv is written by textmine.io.write_table (dec07c): a stored text holding «\\r», one
starting with «=», one with «;» read back exactly (was plain ``to_csv``: the «\\r» text was written unquoted and
read back as two rows, and «=…» stood as a live formula in the file)."""

from __future__ import annotations

import csv
import hashlib
import json

import pandas as pd

from textmine.review import CORRECTIONS_FILE, STORED_COLUMNS, keep_corrections, read_kept_corrections

TEXTS = ["linje en\rlinje to", "=HYPERLINK(\"http://x\")", "ring; skriv; møt opp", "'=x", "+47 22 33 44 55", "-3", ""]


def _stored() -> pd.DataFrame:
    return pd.DataFrame({"id": ["01554", "2", "3", "4", "5", "6", "7"], "question": ["q"] * len(TEXTS), "text": TEXTS,
                         "themes": ["telefon", "annet", "telefon;vente", "", "annet", "annet", ""],
                         "type": ["klage", "", "ros", "", "", "", ""],
                         "text_sha256": [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in TEXTS]},
                        columns=STORED_COLUMNS)


def _kept(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps({"model": "x"}), encoding="utf-8")
    keep_corrections(tmp_path, _stored(), ["a.csv"])
    return json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))


def test_cr_formula_and_semicolon_texts_round_trip_exactly(tmp_path):
    manifest = _kept(tmp_path)
    got, sources = read_kept_corrections(tmp_path, manifest)
    assert sources == ["a.csv"]
    assert got.to_dict("list") == _stored().to_dict("list")
    assert manifest["corrections"]["rows"] == len(TEXTS)
    assert manifest["corrections"]["sha256"] == hashlib.sha256((tmp_path / CORRECTIONS_FILE).read_bytes()).hexdigest()


def test_the_file_has_one_record_per_correction_and_no_live_formula(tmp_path):
    _kept(tmp_path)
    data = (tmp_path / CORRECTIONS_FILE).read_bytes()
    assert data.startswith(b"id,question,text,")  # a model file: no byte-order mark
    with open(tmp_path / CORRECTIONS_FILE, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(TEXTS)
    assert rows[0]["text"] == "linje en\rlinje to"
    assert rows[1]["text"].startswith("'=") and rows[3]["text"] == "''=x" and rows[5]["text"] == "-3"
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left
