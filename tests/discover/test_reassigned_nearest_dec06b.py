"""Answers moved into a topic after clustering are marked; guided mode shows each topic's nearest theme."""

import json

import pandas as pd
import pytest

from textmine.cli.discover import topic_columns, topic_rows
from textmine.discover import discover_themes
from textmine.paths import DEFAULT_CODEBOOK

from ..clitools import run_cli


@pytest.fixture(scope="module")
def big(labelled):
    return labelled["text"].iloc[:420].tolist()


def test_moved_answers_are_marked_and_counted(big):
    from textmine.embed import get_embedder

    r = discover_themes(big, embedder=get_embedder("lexical"), method="bertopic")
    assert r.method == "bertopic" and r.reassigned is not None
    moved = r.reassigned
    assert int(moved.sum()) == r.n_outliers_reassigned > 0
    assert (r.assignments[moved] >= 0).all()
    assert sum(t.n_reassigned for t in r.topics) == int(moved.sum())
    for t in r.topics:
        assert t.n_reassigned == int((moved & (r.assignments == t.id)).sum())
    assert topic_columns(r)[:4] == ["id", "label", "size", "moved in"]


def test_small_waves_move_nothing_and_have_no_column(labelled):
    from textmine.embed import get_embedder

    r = discover_themes(labelled["text"].iloc[:80].tolist(), embedder=get_embedder("lexical"))
    assert r.reassigned is None and "moved in" not in topic_columns(r)


def test_cli_writes_the_reassigned_column_and_counts(tmp_path, big):
    p = tmp_path / "in.csv"
    pd.DataFrame({"text": big}).to_csv(p, index=False)
    out = tmp_path / "o"
    res = run_cli("discover", p, "--text-col", "text", "--out", out, "--embedder", "lexical")
    assert res.exit_code == 0, res.output
    a = pd.read_csv(out / "assignments.csv", dtype=str, keep_default_na=False)
    summary = json.loads((out / "topics.json").read_text(encoding="utf-8"))
    assert list(a.columns)[-1] == "reassigned"
    moved = a["reassigned"] == "1"
    assert int(moved.sum()) == summary["n_outliers_reassigned"]
    assert (a.loc[moved, "topic"] != "-1").all() and (a.loc[moved, "outlier"] == "0").all()
    assert sum(t["n_reassigned"] for t in summary["topics"]) == int(moved.sum())
    assert "moved in" in res.output


def test_guided_table_shows_the_nearest_theme(tmp_path, labelled):
    from textmine.embed import get_embedder

    r = discover_themes(labelled["text"].iloc[:120].tolist(), embedder=get_embedder("lexical"),
                        codebook=DEFAULT_CODEBOOK)
    assert r.topics
    col = topic_columns(r).index("nearest theme")
    assert [row[col] for row in topic_rows(r)] == [t.nearest_theme for t in r.topics]
    p = tmp_path / "in.csv"
    labelled.iloc[:120][["text"]].to_csv(p, index=False)
    res = run_cli("discover", p, "--text-col", "text", "--out", tmp_path / "o", "--embedder", "lexical",
                  "--codebook", DEFAULT_CODEBOOK)
    assert res.exit_code == 0, res.output
    topics = json.loads((tmp_path / "o" / "topics.json").read_text(encoding="utf-8"))["topics"]
    flat = res.output
    assert "nearest" in flat and all(t["nearest_theme"] in flat for t in topics)


def test_same_seed_gives_byte_identical_outputs(tmp_path, big):
    p = tmp_path / "in.csv"
    pd.DataFrame({"text": big}).to_csv(p, index=False)
    outs = []
    for name in ("a", "b"):
        res = run_cli("discover", p, "--text-col", "text", "--out", tmp_path / name, "--embedder", "lexical",
                      "--codebook", DEFAULT_CODEBOOK, "--seed", "7")
        assert res.exit_code == 0, res.output
        outs.append({f: (tmp_path / name / f).read_bytes() for f in ("topics.json", "assignments.csv",
                                                                    "codebook.yaml")})
    assert outs[0] == outs[1]
