"""``textmine discover`` writes topics.json, assignments.csv, codebook.yaml with stable names and shapes."""

import json

import pandas as pd
import yaml
from typer.testing import CliRunner


def test_cli_writes_the_three_files(tmp_path, labelled, e5_root, monkeypatch):
    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(e5_root))
    from textmine.cli import app

    src = labelled.iloc[:90][["respondent_id", "question", "text"]].copy()
    src.loc[0, "text"] = "Ring meg på 91234567 om refusjon, telefonkøen er lang"
    src.to_csv(tmp_path / "in.csv", index=False)
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["discover", str(tmp_path / "in.csv"), "--text-col", "text", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.iterdir()) == ["assignments.csv", "codebook.yaml", "topics.json"]
    topics = json.loads((out / "topics.json").read_text(encoding="utf-8"))["topics"]
    assert topics and {"id", "label", "keywords", "size", "examples"} <= set(topics[0])
    assigned = pd.read_csv(out / "assignments.csv", dtype=str, keep_default_na=False)
    assert list(assigned.columns) == ["respondent_id", "question", "text", "topic"]
    assert assigned["respondent_id"].tolist() == src["respondent_id"].tolist()
    assert "91234567" not in (out / "assignments.csv").read_text(encoding="utf-8")
    counts = assigned["topic"].astype(int).value_counts()
    assert all(counts[t["id"]] == t["size"] for t in topics)
    cb = yaml.safe_load((out / "codebook.yaml").read_text(encoding="utf-8"))
    assert {"name", "version", "themes"} <= set(cb) and cb["themes"][0]["keywords"]


def test_cli_rejects_unknown_column(tmp_path, labelled):
    from textmine.cli import app

    labelled.iloc[:5].to_csv(tmp_path / "in.csv", index=False)
    res = CliRunner().invoke(app, ["discover", str(tmp_path / "in.csv"), "--text-col", "svar", "--out", str(tmp_path / "o")])
    assert res.exit_code != 0 and "svar" in res.output
