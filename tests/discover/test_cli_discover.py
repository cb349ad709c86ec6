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
    assert list(assigned.columns) == ["respondent_id", "question", "text", "topic", "topic_label", "is_non_answer",
                                       "outlier"]
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


def test_cli_counts_empty_cells_apart_from_non_answers(tmp_path, labelled):
    from textmine.cli import app

    src = labelled.iloc[:60][["respondent_id", "text"]].reset_index(drop=True)
    src.loc[:2, "text"] = "vet ikke"
    empty = pd.DataFrame({"respondent_id": [f"tom{i}" for i in range(40)], "text": [""] * 40})
    pd.concat([src, empty], ignore_index=True).to_csv(tmp_path / "in.csv", index=False)
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["discover", str(tmp_path / "in.csv"), "--text-col", "text", "--out", str(out),
                                   "--embedder", "lexical"])
    assert res.exit_code == 0, res.output
    summary = json.loads((out / "topics.json").read_text(encoding="utf-8"))
    assert summary["n_empty"] == 40
    assert 3 <= summary["n_non_answers_written"] < 60  # the written non-answers only, not the 40 empty cells
    flat = " ".join(res.output.split())
    assert f"{summary['n_non_answers_written']} non-answers, 40 empty" in flat
