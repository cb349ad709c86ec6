"""«Metode» says how the codes read from files were made (their records: zero-shot, a trained model, reviewed
corrections, «ukjent»), zero-shot codes get the zero-shot share check's reader note, an empty quotes section says
why, the model note says how many coded answers trained it, and a wave whose comments nearly all went to review gets
a «Merknader» note (review dec07a)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from textmine.codebook import Codebook
from textmine.pipeline import coded_identity, identity_path
from textmine.report.html import REVIEW_HIGH_NOTE, ZERO_SHOT_NOTE, no_quotes_text, reader_notes
from textmine.report.pipeline import (ORIGIN_TEXTS, _describe_coder, build_report, coded_record, coding_origin,
                                      recorded_coding_text)
from textmine.report.views import method_lines, model_text, quote_gaps, review_high
from textmine.report.wording import say
from textmine.survey import SurveyDefinition

from .conftest import SURVEY, make_codebook, make_wave

Q = "fritekst_generell"
LABEL = "Har du andre kommentarer til NAV?"


@pytest.fixture(scope="module")
def cb():
    return Codebook.from_dict(make_codebook())


@pytest.fixture(scope="module")
def survey():
    return SurveyDefinition.from_dict(SURVEY)


def _record(cb, model=None, coded_by=None) -> dict:
    return coded_identity(cb, model, Q, coded_by=coded_by)


@pytest.fixture(scope="module")
def zero_shot_report(cb, survey):
    """One wave of 150 respondents, coded zero-shot (its record says so) with «telefon» on 60 % of the comments,
    every comment sent to review."""
    frame, coded = make_wave(2023, 150, 3, telefon_rate=0.6)
    return build_report({2023: frame}, survey, codebook=cb, coded={2023: coded.assign(needs_review=1)},
                        code_missing=True, coded_records={2023: {Q: _record(cb)}}, embedder="fallback")


# ---------------------------------------------------------------------------------------------- 1. how codes were made
def test_zero_shot_codes_are_named_in_metode_not_only_read_from_files(zero_shot_report):
    model = zero_shot_report.method["model"]
    assert model.startswith("Ingen automatisk koding i denne kjøringen")
    assert f"«{LABEL}» (måling 2023): {ORIGIN_TEXTS['zero-shot']}" in model
    lines = dict(method_lines(zero_shot_report.method))
    assert "zero-shot" in lines["Modell"] and "ikke kontrollert manuelt" in lines["Modell"]


def test_zero_shot_codes_get_the_share_warnings_reader_note(zero_shot_report):
    from textmine.classify.zeroshot import is_share_warning

    warned = zero_shot_report.method["warnings"]
    items = warned if isinstance(warned, list) else warned.split("; ")
    assert any(is_share_warning(w) and "telefon" in w for w in items)
    assert say(ZERO_SHOT_NOTE) in reader_notes(zero_shot_report)


def test_plausible_zero_shot_shares_give_no_share_note(cb, survey):
    """The note is the share check's: zero-shot codes whose shares pass it add none."""
    frame, coded = make_wave(2023, 120, 5, telefon_rate=0.1)
    coded = coded.assign(theme_ros=0, theme_refusjon=0, theme_saksbehandlingstid=0, theme_digitale_tjenester=0,
                         theme_annet=0)  # (about 10 % telefon, nothing else: no implausible share)
    r = build_report({2023: frame}, survey, codebook=cb, coded={2023: coded}, code_missing=True,
                     coded_records={2023: {Q: _record(cb)}}, embedder="fallback")
    assert "zero-shot" in r.method["model"]
    assert say(ZERO_SHOT_NOTE) not in reader_notes(r)


@pytest.mark.parametrize("record, said", [
    (lambda cb: _record(cb, model="/srv/modeller/nav_v3"), "kodet med en trent modell («nav_v3»)"),
    (lambda cb: _record(cb, coded_by="corrections (textmine review)"), "manuelt gjennomgåtte og rettede koder"),
    (lambda cb: None, "ukjent (filen har ingen opplysninger om hvordan den ble kodet)"),
    (lambda cb: {"model": "Kari Nordmann 15038510190"}, "(«(navn skjult)»)"),
])
def test_each_kind_of_record_is_said(cb, survey, record, said):
    text = recorded_coding_text({2024: [Q]}, {2024: {Q: record(cb)}}, survey)
    assert f"«{LABEL}» (måling 2024): " in text and said in text
    assert "15038510190" not in text and "/srv" not in text


def test_waves_with_different_origins_are_told_apart(cb, survey):
    text = recorded_coding_text({2022: [Q], 2023: [Q], 2024: [Q]},
                                {2022: {Q: _record(cb)}, 2024: {Q: _record(cb)}}, survey)
    assert f"«{LABEL}» (måling 2022, 2024): {ORIGIN_TEXTS['zero-shot']}" in text
    assert f"«{LABEL}» (måling 2023): {ORIGIN_TEXTS['unknown']}" in text


def test_coding_origin_reads_the_recorded_model(cb):
    assert coding_origin(_record(cb)) == ("zero-shot", None)
    assert coding_origin(_record(cb, model="models/default")) == ("model", "default")
    assert coding_origin({"codebook_hash": "x"}) == ("unknown", None)


def test_origin_in_nynorsk(zero_shot_report):
    line = dict(method_lines(zero_shot_report.method, "nn"))["Modell"]
    assert "Inga automatisk koding i denne køyringa" in line and "Slik vart kodane i filene laga" in line
    assert "koda utan ein modell trena på koda svar (zero-shot" in line and "kodet" not in line


def test_coded_record_from_the_sidecar_and_from_parquet_metadata(tmp_path, cb):
    df = pd.DataFrame({"respondent_id": ["1"], Q: ["x"]})
    csv = tmp_path / "c.csv"
    df.to_csv(csv, index=False)
    assert coded_record(csv) is None
    identity_path(csv).write_text(json.dumps(_record(cb, model="m1")), encoding="utf-8")
    assert coded_record(csv)["model"] == "m1"
    table = df.copy()
    table.attrs["coded_with"] = _record(cb)
    assert coded_record(tmp_path / "other.parquet", table)["model"] == "zero-shot"
    identity_path(csv).write_text("{not json", encoding="utf-8")
    assert coded_record(csv) is None


def test_cli_report_reads_the_record_beside_the_coded_file(tmp_path, cb):
    """``textmine report --coded FILE`` with FILE.textmine.json saying zero-shot: «Metode» in rapport.json says so."""
    import yaml

    from ..clitools import run_cli

    spec = {"name": "bruker", "id": "lopenr", "wave": "aar", "min_cell": 5,
            "segments": [{"column": "kjonn", "label": "Kjønn", "levels": {"K": "Kvinne", "M": "Mann"}}],
            "indicators": [{"id": "fornoyd", "column": "q1", "label": "Fornøyd", "scale": [1, 5]}],
            "free_text": [{"column": "ft", "label": "Hvorfor?"}]}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    (tmp_path / "cb.yaml").write_text(Codebook.from_dict(make_codebook()).to_yaml(), encoding="utf-8")
    n = 40
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"lopenr": [f"{i:04d}" for i in range(n)], "aar": 2025, "kjonn": rng.choice(["K", "M"], n),
                       "q1": rng.integers(1, 6, n), "ft": ["Telefonkøen er for lang hos NAV i dag"] * n})
    df.to_csv(tmp_path / "w.csv", index=False)
    cbk = Codebook.from_dict(make_codebook())
    themes = {f"theme_{t}": int(t == "telefon") for t in cbk.theme_ids}
    df.assign(**themes, themes="telefon", confidence=0.9, needs_review=0, type="klage").to_csv(tmp_path / "c.csv",
                                                                                              index=False)
    identity_path(tmp_path / "c.csv").write_text(json.dumps(coded_identity(cbk, None, "ft")), encoding="utf-8")
    res = run_cli("report", tmp_path / "w.csv", "--survey", tmp_path / "s.yaml", "--codebook", tmp_path / "cb.yaml",
                  "--coder", "keyword", "--coded", tmp_path / "c.csv", "--out", tmp_path / "o")
    assert res.exit_code == 0, res.output
    method = json.loads((tmp_path / "o" / "rapport.json").read_text(encoding="utf-8"))["method"]
    assert "«Hvorfor?» (måling 2025): " + ORIGIN_TEXTS["zero-shot"] in method["model"]


# ------------------------------------------------------------------------------------ 2. why there are no quotes
def test_every_comment_sent_to_review_is_the_reason_given(zero_shot_report):
    gaps = zero_shot_report.method["quote_gaps"]
    assert zero_shot_report.quotes.empty and gaps["review"] == gaps["comments"] > 0
    text = no_quotes_text(gaps)
    assert text.startswith("Ingen sitater: alle de ") and "sendt til manuell gjennomgang" in text
    assert f" {gaps['comments']} kommentarene" in text and "for få kommentarer" not in text
    from textmine.report.html import render_html

    html = render_html(zero_shot_report)
    assert text in html and "Ingen sitater (for få kommentarer)" not in html


def _gaps_frame(n: int = 8, **cols) -> pd.DataFrame:
    base = {"respondent_id": [str(i) for i in range(n)], "question": Q,
            "text_clean": ["Telefonkøen hos NAV er altfor lang hver eneste dag"] * n, "is_non_answer": 0,
            "needs_review": 0, "health_flag": 0, "theme_telefon": 1}
    return pd.DataFrame({**base, **cols})


def test_quote_gaps_count_each_reason_once():
    df = _gaps_frame(needs_review=[1, 1, 1, 0, 0, 0, 0, 0], health_flag=[1, 0, 0, 1, 0, 0, 0, 0],
                     theme_telefon=[1, 1, 1, 1, 0, 1, 1, 1], corrected=[0, 0, 1, 0, 0, 0, 0, 0],
                     is_non_answer=[0, 0, 0, 0, 0, 0, 0, 1])
    # (row 2: a person corrected its codes, so it counts as quotable, left out for small groups)
    assert quote_gaps(df) == {"comments": 7, "review": 2, "no_theme": 1, "personal": 1, "rest": 3}


def test_health_text_is_held_back_even_without_the_flag():
    """A stored health flag may be stale: the cleaner's flagger is run on the redacted text, as quotes do."""
    df = _gaps_frame(2, text_clean=["Jeg har vært sykemeldt med depresjon i et halvt år", "Helt greit med NAV"])
    assert quote_gaps(df) == {"comments": 2, "review": 0, "no_theme": 0, "personal": 1, "rest": 1}


@pytest.mark.parametrize("gaps, said", [
    (None, "Ingen sitater (for få kommentarer)."),
    ({"comments": 0, "review": 0, "no_theme": 0, "personal": 0, "rest": 0}, "Ingen sitater (for få kommentarer)."),
    ({"comments": 415, "review": 348, "no_theme": 0, "personal": 0, "rest": 67},
     "Ingen sitater: 348 av 415 kommentarer er sendt til manuell gjennomgang, og de andre er fra grupper som er for "
     "små til å vises (sitater hentes bare fra svar der temaet er sikkert)."),
    ({"comments": 12, "review": 0, "no_theme": 0, "personal": 12, "rest": 0},
     "Ingen sitater: kommentarene inneholder person- eller helseopplysninger."),
    ({"comments": 30, "review": 0, "no_theme": 0, "personal": 4, "rest": 26},
     "Ingen sitater: kommentarene inneholder person- eller helseopplysninger eller er fra grupper som er for små til "
     "å vises."),
])
def test_no_quotes_text_gives_the_reason_that_applies(gaps, said):
    assert no_quotes_text(gaps) == said


def test_no_quotes_text_in_nynorsk():
    text = no_quotes_text({"comments": 1415, "review": 1348, "no_theme": 67, "personal": 0, "rest": 0}, "nn")
    assert text == ("Ingen sitat: 1\u00a0348 av 1\u00a0415 kommentarar er sende til manuell gjennomgang, og dei andre "
                    "har ikkje fått noko tema (sitat blir berre henta frå svar der temaet er sikkert).")


def test_hidden_small_groups_are_the_reason_when_every_cell_is_hidden(cb):
    frame, coded = make_wave(2023, 60, 4, telefon_rate=0.3)
    small = SurveyDefinition.from_dict({**SURVEY, "min_cell": 500})
    r = build_report({2023: frame}, small, codebook=cb, coded={2023: coded.assign(health_flag=0)},
                     code_missing=True, embedder="fallback")
    gaps = r.method["quote_gaps"]
    assert r.quotes.empty and gaps["rest"] > 0 and gaps["review"] == 0
    assert "er fra grupper som er for små til å vises" in no_quotes_text(gaps)


# ------------------------------------------------------------------ 3. training rows and a wave nearly all in review
def test_model_note_says_how_many_answers_trained_it():
    coder = SimpleNamespace(kind="supervised", embedder_spec="e5-l6", n_train_=20)
    note = _describe_coder(coder, None)
    assert model_text(note) == ("Veiledet klassifiseringsmodell (trent på 20 manuelt kodede svar); språkmodell for "
                                "tekstrepresentasjon: e5-l6.")
    assert "trena på 1\u00a0378 manuelt koda svar" in model_text(
        _describe_coder(SimpleNamespace(kind="supervised", embedder_spec=None, n_train_=1378), None), "nn")
    untold = _describe_coder(SimpleNamespace(kind="supervised", embedder_spec="e5"), None)
    assert "(trent på manuelt kodede svar)" in model_text(untold)
    zs = _describe_coder(SimpleNamespace(kind="zeroshot", embedder_spec="e5", n_train_=5), None)
    assert "trent på 5" not in model_text(zs)


def test_n_train_comes_from_the_training_metrics():
    coder = SimpleNamespace(kind="supervised", embedder_spec=None, training_metrics_={"n_train": 42})
    assert "trent på 42 manuelt kodede svar" in model_text(_describe_coder(coder, None))


def test_a_wave_with_nearly_all_comments_in_review_gets_a_note_without_a_change(zero_shot_report):
    """One wave only (nothing to compare): the ≥ 90 % note is there all the same."""
    high = zero_shot_report.method["review_high"]
    assert [(h["wave"], h["question"]) for h in high] == [("2023", Q)]
    notes = reader_notes(zero_shot_report)
    assert any(n.startswith("100\u00a0% av kommentarene til «" + LABEL + "» i 2023") for n in notes)


@pytest.mark.parametrize("k, noted", [(90, True), (89, False)])
def test_review_high_threshold_is_90_percent(k, noted):
    meta = {"coding_review": [{"wave": "2024", "question": Q, "answered": 100, "needs_review": k},
                              {"wave": "2024", "question": "b", "answered": 100, "needs_review": None}]}
    assert bool(review_high(meta)) is noted


def test_review_high_note_in_nynorsk():
    r = SimpleNamespace(method={"review_high": [{"wave": "2024", "question": Q, "needs_review": 376,
                                                 "answered": 415, "share": 376 / 415}]},
                        questions={Q: LABEL}, language="nn", current_wave="2024")
    notes = reader_notes(r, "nn")
    assert notes == [say(REVIEW_HIGH_NOTE, "nn", question=LABEL, wave="2024", share="91\u00a0%", n="376",
                         total="415")]
    assert "vart sende til manuell gjennomgang" in notes[0]
