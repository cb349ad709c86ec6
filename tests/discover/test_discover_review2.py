"""Review 2 of theme discovery: defects found by using ``textmine discover`` as an analyst would."""

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from ..clitools import assert_clean_fail, run_cli

SAME = "Ventetid på telefon er for lang"


def _lexical():
    from textmine.embed import get_embedder

    return get_embedder("lexical")


def test_small_wave_keeps_identical_answers_together():
    from textmine.discover.clustering import small_wave_labels

    x = np.tile(np.array([[0.6, 0.8, 0.0]], dtype=np.float32), (40, 1))
    assert small_wave_labels(x, seed=42).tolist() == [0] * 40
    # two distinct answers, one given 39 times: two topics, never a split of the identical ones
    y = np.vstack([x[:39], np.array([[0.0, 0.6, 0.8]], dtype=np.float32)])
    assert sorted(set(small_wave_labels(y, seed=42)[:39].tolist())) == [0]


def test_a_wave_of_one_repeated_answer_is_one_topic_and_warns_nothing():
    from textmine.discover import discover_themes

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = discover_themes([SAME] * 60 + ["vet ikke"], embedder=_lexical(), seed=42)
    assert [t.size for t in res.topics] == [60]
    assert res.assignments.tolist() == [0] * 60 + [-1]
    runtime = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert runtime == []


@pytest.mark.parametrize("seed", [-1, 2**32, True])
def test_discover_themes_refuses_a_seed_numpy_cannot_take(seed):
    from textmine.discover import discover_themes

    with pytest.raises(ValueError, match="seed"):
        discover_themes(["Telefonkøen er lang"] * 25, embedder=_lexical(), seed=seed)


@pytest.fixture()
def src(tmp_path):
    p = tmp_path / "in.csv"
    texts = ["Telefonkøen er altfor lang", "Lang kø på telefonen hver dag", "Saksbehandlingstiden er lang",
             "Vi venter lenge på svar i saken", "Refusjonen av sykepenger tar tid", "Refusjon kommer alltid sent"] * 4
    pd.DataFrame({"id": range(1, len(texts) + 1), "kommentar": texts}).to_csv(p, index=False)
    return p


@pytest.fixture()
def no_work(monkeypatch):
    import textmine.discover as discover

    monkeypatch.setattr(discover, "discover_themes", lambda *a, **k: pytest.fail("discovered before checking"))


@pytest.mark.parametrize("seed", ["-1", str(2**32)])
def test_cli_out_of_range_seed_is_a_clean_error(src, tmp_path, no_work, seed):
    res = run_cli("discover", src, "--text-col", "kommentar", "--out", tmp_path / "out", "--embedder", "lexical",
                  "--seed", seed)
    assert_clean_fail(res, "--seed")
    assert not (tmp_path / "out" / "topics.json").exists()


def test_library_run_discover_refuses_a_bad_seed_before_work(src, tmp_path, no_work):
    from textmine.cli.discover import run_discover

    import typer

    with pytest.raises(typer.Exit) as exc:
        run_discover(src, "kommentar", tmp_path / "out", embedder="lexical", seed=-5)
    assert exc.value.exit_code == 2


def test_cli_sheet_on_a_csv_is_refused_not_ignored(src, tmp_path, no_work):
    res = run_cli("discover", src, "--text-col", "kommentar", "--out", tmp_path / "out", "--embedder", "lexical",
                  "--sheet", "Ark2")
    assert_clean_fail(res, "--sheet", ".csv")


def test_cli_max_seed_still_works(src, tmp_path):
    res = run_cli("discover", src, "--text-col", "kommentar", "--out", tmp_path / "out", "--embedder", "lexical",
                  "--seed", str(2**32 - 1))
    assert res.exit_code == 0, res.output
    topics = json.loads((tmp_path / "out" / "topics.json").read_text(encoding="utf-8"))
    assert topics["seed"] == 2**32 - 1
    assigned = pd.read_csv(tmp_path / "out" / "assignments.csv")
    assert sum(t["size"] for t in topics["topics"]) == int((assigned["topic"] >= 0).sum())


def test_slugify_matches_its_documented_example():
    from textmine.discover.core import slugify

    assert "``\"ventetid_paa_telefon\"``" in slugify.__doc__
    assert slugify("ventetid på telefon") == "ventetid_paa_telefon"
