"""Zero-shot coding with a small codebook: the share sanity check (a warning when a theme, or a theme at all, is
given to an implausible share of the answers) and the opt-in background check (a theme must also stand out from
generic survey topics that belong to no codebook, and an answer may get no theme)."""

import warnings

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from textmine.classify import ZeroShotCoder, code_dataframe
from textmine.classify.zeroshot import SHARE_MIN_ANSWERS, background_texts, share_warning
from textmine.codebook import Codebook, load_codebook

from .conftest import FakeEmbedder

THEMES = [
    {"id": "refusjon", "label": "Refusjon av sykepenger",
     "description": "Refusjon av sykepenger til arbeidsgiver, utbetaling som kommer sent eller med feil beløp.",
     "keywords": ["refusjon", "sykepenger"]},
    {"id": "permittering", "label": "Permittering",
     "description": "Permittering av ansatte, permitteringsvarsel og lønnsplikt.", "keywords": ["permittering"]},
    {"id": "digitalt", "label": "Digitale tjenester",
     "description": "Innlogging, nettsider, skjema og digitale løsninger.", "keywords": ["innlogging", "nettside"]},
]
ANNET = {"id": "annet", "label": "Annet", "description": "Svar som ikke passer i noe annet tema.", "exclusive": True}


def _cb(*themes) -> Codebook:
    return Codebook.from_dict({"name": "lite", "version": "1", "types": ["klage", "ønske", "ros"],
                               "themes": list(themes) or THEMES})


def _decided(n: int, on: dict[int, int], k: int = 3) -> np.ndarray:
    """(n, k) decisions with theme column j on for the first on[j] rows."""
    y = np.zeros((n, k), dtype=np.int8)
    for j, count in on.items():
        y[:count, j] = 1
    return y


# ------------------------------------------------------------------ the share check (counts only)
def test_a_theme_on_most_answers_is_warned_about_by_name_and_share():
    cb = _cb(*THEMES, ANNET)
    y = _decided(100, {0: 59, 1: 10, 3: 20}, k=4)  # 59 refusjon, 20 annet, 21 none
    msg = share_warning(cb, y, np.ones(100, bool))
    assert msg is not None
    assert "'refusjon' to 59%" in msg and "of the 100 answers" in msg and "3 theme(s)" in msg
    assert "train" in msg and "permittering" not in msg


def test_plausible_shares_and_exclusive_theme_shares_are_not_warned_about():
    cb = _cb(*THEMES, ANNET)
    assert share_warning(cb, _decided(100, {0: 30, 1: 20, 2: 10}, k=4), np.ones(100, bool)) is None
    # the catch-all on most answers is no sign of the nearest theme winning
    assert share_warning(cb, _decided(100, {0: 10, 3: 80}, k=4), np.ones(100, bool)) is None


def test_a_parent_theme_holding_its_children_is_not_warned_about():
    kids = [{"id": "sykepenger", "label": "Sykepenger", "description": "Sykepenger."},
            {"id": "refusjon", "label": "Refusjon", "description": "Refusjon.", "parent": "sykepenger"},
            {"id": "maksdato", "label": "Maksdato", "description": "Maksdato.", "parent": "sykepenger"},
            {"id": "digitalt", "label": "Digitalt", "description": "Nettsider."}, ANNET]
    y = _decided(100, {0: 50, 1: 30, 4: 40}, k=5)  # the parent on half the answers, its child on 30 %
    y[30:50, 2] = 1
    assert share_warning(_cb(*kids), y, np.ones(100, bool)) is None
    y[:, 3] = 0
    y[:45, 3] = 1
    assert "'digitalt' to 45%" in share_warning(_cb(*kids), y, np.ones(100, bool))


def test_every_answer_with_a_theme_is_implausible_only_in_a_small_codebook():
    y = np.zeros((100, 3), dtype=np.int8)
    y[np.arange(100), np.arange(100) % 3] = 1  # each answer one theme, none above a third
    msg = share_warning(_cb(), y, np.ones(100, bool))
    assert msg is not None and "100% of the 100 answers a theme" in msg
    assert share_warning(_cb(), y, np.ones(100, bool), small_below=3) is None  # 3 themes counted as many


def test_shares_are_of_answered_rows_and_need_enough_of_them():
    y = _decided(100, {0: 100})
    answered = np.zeros(100, bool)
    answered[: SHARE_MIN_ANSWERS - 1] = True
    assert share_warning(_cb(), y, answered) is None  # too few answers to judge a share
    y = _decided(100, {0: 40})
    answered = np.ones(100, bool)
    answered[40:] = False  # the 60 non-answers are no denominator: 40 of 40 answers
    assert "'refusjon' to 100% of the 40 answers" in share_warning(_cb(), y, answered)


# ------------------------------------------------------------------ surfaced by the coder, the library and the CLI
ON_TOPIC = ["Refusjon av sykepenger kommer sent", "Permittering av ansatte var vanskelig",
            "Innlogging på nettside feiler", "Sykepenger til arbeidsgiver er feil beløp"]


def test_zero_shot_predict_warns_once_per_coder_and_not_for_a_few_answers():
    zs = ZeroShotCoder(_cb(), FakeEmbedder())
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        zs.predict(ON_TOPIC)  # 4 answers: too few to judge
    texts = ON_TOPIC * 10
    with pytest.warns(UserWarning, match=r"zero-shot coding with 3 theme\(s\) gave .*100% of the 40 answers a theme"):
        zs.predict(texts)
    with warnings.catch_warnings(record=True) as again:
        warnings.simplefilter("always")
        zs.predict(texts)
    assert not [w for w in again if "zero-shot coding" in str(w.message)]  # said once per coder
    with pytest.warns(UserWarning, match="zero-shot coding"):
        ZeroShotCoder(_cb(), FakeEmbedder()).predict(texts)


def test_code_dataframe_in_batches_warns_once():
    df = pd.DataFrame({"k": ON_TOPIC * 20})
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        code_dataframe(ZeroShotCoder(_cb(), FakeEmbedder()), df, "k", batch_size=40)
    said = [str(w.message) for w in got if "zero-shot coding" in str(w.message)]
    assert len(said) == 1 and "of the 40 answers" in said[0]


def test_cli_code_shows_the_warning(tmp_path, fake_e5):
    from textmine.cli import app

    cbf = tmp_path / "lite.yaml"
    cbf.write_text(_cb().to_yaml(), encoding="utf-8")
    src = tmp_path / "in.csv"
    pd.DataFrame({"kommentar": ON_TOPIC * 10}).to_csv(src, index=False)
    res = CliRunner().invoke(app, ["code", str(src), "--codebook", str(cbf), "--text-col", "kommentar",
                                   "--out", str(tmp_path / "o.csv")])
    assert res.exit_code == 0, res.output
    flat = " ".join(res.output.split())
    assert "warning: zero-shot coding with 3 theme(s) gave" in flat and "100% of the 40 answers a theme" in flat


# ------------------------------------------------------------------ the background check (opt-in)
def test_background_list_is_read_and_lines_overlapping_the_codebook_are_left_out():
    texts = background_texts()
    assert len(texts) >= 20 and not any(t.startswith("#") for t in texts)
    own = {"id": "kantine", "label": "Kantina", "description": texts[0]}  # a theme written as a background line
    zs = ZeroShotCoder(_cb(own, *THEMES), FakeEmbedder(), background=True)
    zs.prototypes()
    bg = zs.background_embeddings()
    line0 = np.asarray(FakeEmbedder().encode([texts[0]]))[0]
    assert 0 < len(bg) < len(texts) and not np.isclose(bg @ line0, 1.0).any()


def test_background_is_off_by_default_and_for_large_codebooks(toy_codebook):
    from textmine.paths import DEFAULT_CODEBOOK

    texts = ["Refusjonen kom for sent", "Været er fint", "Maten i kantina er dyr"] * 2
    off = ZeroShotCoder(_cb(), FakeEmbedder())
    prep = off.prepare(off.clean(texts))
    assert off.background_levels() is None and off.params()["background"] is False
    big = load_codebook(DEFAULT_CODEBOOK)
    plain = ZeroShotCoder(big, FakeEmbedder()).predict(texts)
    opted = ZeroShotCoder(big, FakeEmbedder(), background=True)
    pd.testing.assert_frame_equal(plain, opted.predict(texts))  # ≥ 13 themes: scored as before
    assert opted.background_levels() is None and len(prep.emb) == len(texts)


def test_background_scores_are_batch_independent():
    texts = ON_TOPIC + ["Været er fint i dag", "Kantina har god mat"]
    zs = ZeroShotCoder(_cb(), FakeEmbedder(), background=True)
    together = zs.predict(texts)
    assert zs.background_levels() is not None
    alone = ZeroShotCoder(_cb(), FakeEmbedder(), background=True).predict(texts[4:5])
    assert np.array_equal(alone.filter(like="score_").to_numpy(), together.filter(like="score_").to_numpy()[4:5])


@pytest.mark.slow
def test_background_cuts_overcoding_of_a_three_theme_codebook_on_the_eval_set(e5):
    """Three themes of the sample codebook, no catch-all: without the background every eval answer gets one of
    them (most of them wrongly); with it far fewer do, and the themes' precision rises."""
    from textmine.paths import DEFAULT_CODEBOOK, EVAL_DIR

    full = load_codebook(DEFAULT_CODEBOOK).to_dict()
    keep = {"refusjon", "permittering", "digitale_tjenester"}
    cb = Codebook.from_dict({**full, "themes": [t for t in full["themes"] if t["id"] in keep]})
    ev = pd.read_csv(EVAL_DIR / "eval_set.csv")
    truth = ev["themes"].fillna("").str.split(";")

    def coded(coder):
        with warnings.catch_warnings(record=True) as got:
            warnings.simplefilter("always")
            out = coder.predict(ev["text"].fillna("").tolist())
        return out, [str(w.message) for w in got if "zero-shot coding" in str(w.message)]

    def precision(out):
        hits = sum(int(out[f"theme_{t}"].iloc[i] == 1 and t in truth.iloc[i]) for t in keep for i in range(len(ev)))
        return hits / sum(int(out[f"theme_{t}"].sum()) for t in keep)

    before, said_before = coded(ZeroShotCoder(cb, e5))
    after, said_after = coded(ZeroShotCoder(cb, e5, background=True))
    true_any = truth.apply(lambda ts: bool(keep & set(ts))).mean()
    any_before = (before["themes"] != "").mean()
    any_after = (after["themes"] != "").mean()
    assert any_before > 0.85 and said_before  # the problem: nearly all answers, and the warning says so
    assert any_after < any_before - 0.3 and abs(any_after - true_any) < abs(any_before - true_any)
    assert precision(after) > precision(before) + 0.1
    assert not said_after
