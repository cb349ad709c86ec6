"""``textmine code --zero-shot-background`` (the zero-shot coder's opt-in background check) and the zero-shot share
warning on the terminal: on stderr, worded as the CLI's other warnings, once per finding for the whole file (not
once per batch, with the batch's counts)."""

import pandas as pd
import pytest
from typer.testing import CliRunner

from textmine.cli import app
from textmine.codebook import Codebook

from .conftest import TOY_TRAIN

THEMES = [
    {"id": "refusjon", "label": "Refusjon av sykepenger",
     "description": "Refusjon av sykepenger til arbeidsgiver, utbetaling som kommer sent eller med feil beløp.",
     "keywords": ["refusjon", "sykepenger"]},
    {"id": "permittering", "label": "Permittering",
     "description": "Permittering av ansatte, permitteringsvarsel og lønnsplikt.", "keywords": ["permittering"]},
    {"id": "digitalt", "label": "Digitale tjenester",
     "description": "Innlogging, nettsider, skjema og digitale løsninger.", "keywords": ["innlogging", "nettside"]},
]
REFUSJON = "Refusjon av sykepenger kommer sent"
SPREAD = ["Refusjon av sykepenger kommer sent", "Permittering av ansatte var vanskelig",
          "Innlogging på nettside feiler"]


@pytest.fixture()
def small_cb(tmp_path):
    p = tmp_path / "lite.yaml"
    p.write_text(Codebook.from_dict({"name": "lite", "version": "1", "types": ["klage", "ønske", "ros"],
                                     "themes": THEMES}).to_yaml(), encoding="utf-8")
    return p


def _code(tmp_path, cbf, texts, *extra):
    src = tmp_path / "in.csv"
    pd.DataFrame({"kommentar": texts}).to_csv(src, index=False)
    out = tmp_path / "o.csv"
    res = CliRunner().invoke(app, ["code", str(src), "--codebook", str(cbf), "--text-col", "kommentar",
                                   "--out", str(out), *extra])
    return res, out


def _share_lines(stream: str) -> list[str]:
    """The share warnings in ``stream``, each on one line as the CLI prints its notes."""
    return [line for line in stream.splitlines() if line.startswith("warning: zero-shot coding with")]


def test_share_warning_is_said_once_on_stderr_with_the_whole_files_counts(tmp_path, small_cb, fake_e5):
    # batch 1: every answer refusjon; batch 2: spread over the themes. Coded batch by batch, each batch had its own
    # finding (and counts); the file as a whole has one
    texts = [REFUSJON] * 40 + SPREAD * 20
    res, out = _code(tmp_path, small_cb, texts, "--batch-size", "40")
    assert res.exit_code == 0, res.output
    said = _share_lines(res.stderr)
    assert len(said) == 1, res.stderr
    coded = pd.read_csv(out)
    share = coded["theme_refusjon"].mean()
    assert "of the 100 answers" in said[0] and f"'refusjon' to {share:.0%}" in said[0]
    assert "permittering" not in said[0] and "digitalt" not in said[0]
    assert not _share_lines(res.stdout)  # the coding summary line on stdout, the warning on stderr only
    assert "Refusjon av" not in said[0]  # counts and theme ids, no answer text


def test_no_share_warning_for_a_plausible_spread_or_a_trained_model(tmp_path, small_cb, cb, toy_model, fake_e5):
    texts = [t for t, _, _ in TOY_TRAIN] * 2  # 48 answers over mat, pris, ko and the catch-all, none on 40 %
    res, out = _code(tmp_path, cb, texts)
    assert res.exit_code == 0, res.output
    assert "zero-shot coding" not in res.output
    shares = pd.read_csv(out)[["theme_mat", "theme_pris", "theme_ko"]].mean()
    assert shares.max() < 0.4 and shares.min() > 0  # (a spread, coded zero-shot)
    res, _ = _code(tmp_path, cb, ["Maten var kald og smakte ingenting.", "Køen i kassa er lang hver dag."] * 30,
                   "--model", str(toy_model))
    assert res.exit_code == 0, res.output
    assert "zero-shot coding" not in res.output


def test_zero_shot_background_is_passed_to_the_coder(tmp_path, small_cb, fake_e5, zero_shot_backgrounds):
    made = zero_shot_backgrounds
    res, _ = _code(tmp_path, small_cb, SPREAD)
    assert res.exit_code == 0, res.output
    res, out = _code(tmp_path, small_cb, SPREAD + ["Været er fint i dag"], "--zero-shot-background")
    assert res.exit_code == 0, res.output
    assert made == [False, True]
    assert len(pd.read_csv(out)) == 4


def test_zero_shot_background_with_a_model_or_dask_is_a_usage_error(tmp_path, cb, toy_model, fake_e5):
    res, out = _code(tmp_path, cb, ["Maten var kald"], "--model", str(toy_model), "--zero-shot-background")
    assert res.exit_code == 2
    flat = " ".join(res.stderr.split())
    assert "error: --zero-shot-background" in flat and "without --model" in flat and not out.exists()
    res, _ = _code(tmp_path, cb, ["Maten var kald"], "--engine", "dask", "--zero-shot-background")
    assert res.exit_code == 2 and "--engine local" in " ".join(res.stderr.split())


def test_zero_shot_background_on_a_large_codebook_says_it_changes_nothing(tmp_path, fake_e5):
    from textmine.paths import DEFAULT_CODEBOOK

    res, _ = _code(tmp_path, DEFAULT_CODEBOOK, SPREAD, "--zero-shot-background")
    assert res.exit_code == 0, res.output
    flat = " ".join(res.stderr.split())
    assert "warning: --zero-shot-background" in flat and "fewer than 13" in flat


def test_share_check_is_per_question(tmp_path):
    """One question whose 40 answers all get one theme is warned about even when the whole file's shares look
    plausible (code review dec06e: the file-wide check hid it)."""
    import numpy as np

    from textmine.classify.zeroshot import question_share_warnings
    from textmine.codebook import Codebook

    cb = Codebook.from_dict({"name": "t", "version": "1", "language": "nb", "themes": [
        {"id": f"t{i}", "label": f"T{i}", "description": f"tema {i}"} for i in range(14)]})
    decided = np.zeros((160, 14), dtype=np.int8)
    decided[:40, 0] = 1                       # q1: every answer theme t0
    decided[40:, 1 + np.arange(120) % 5] = 0
    for i in range(120):
        decided[40 + i, 1 + i % 5] = 1        # q2: spread over five themes (20 % each)
    questions = np.array(["q1"] * 40 + ["q2"] * 120, dtype=object)
    answered = np.ones(160, dtype=bool)
    assert question_share_warnings(cb, decided, answered) == []      # the whole file: t0 on 25 %
    (msg,) = question_share_warnings(cb, decided, answered, questions)
    assert "(question q1)" in msg and "'t0' to 100%" in msg
