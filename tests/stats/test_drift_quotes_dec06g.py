"""The summary's quotes come only from answers the coder is sure of (its review flag reaches the quote guard), and
a new off-codebook topic shows: the share of answers sent to review and the share coded only with the catch-all
theme, per wave and question, with their change (summary.json meta, the terminal, the report's «Merknader»)."""

import itertools

import numpy as np
import pandas as pd

from textmine.summary import build_summary, review_drift_lines
from textmine.survey import SurveyDefinition

_MADE = ["".join(p) for p in itertools.product("bdfgkp", "aeiou", "lmnrst", "aeiou")]


def _survey() -> SurveyDefinition:
    return SurveyDefinition.from_dict({"name": "t", "id": "rid", "wave": "aar", "min_cell": 3,
                                       "indicators": [{"id": "helhet", "column": "q1", "scale": [1, 6]}],
                                       "free_text": [{"column": "ft", "label": "Kommentar"}]})


def _wave(year: int, n: int, review: np.ndarray, annet: np.ndarray, corrected=None, with_flag: bool = True):
    """``n`` respondents of one wave, each with a distinct comment on «telefon» (or only «annet» where ``annet``)."""
    texts = [f"Telefonen svarer aldri, {_MADE[3 * i]} og {_MADE[3 * i + 1]} venter, brevet {_MADE[3 * i + 2]} kom "
             f"aldri fram" for i in range(n)]
    ids = [f"{year}-{i}" for i in range(n)]
    df = pd.DataFrame({"rid": ids, "aar": year, "q1": [1 + i % 6 for i in range(n)], "ft": texts})
    coded = pd.DataFrame({"respondent_id": ids, "question": "ft", "text_clean": texts, "is_non_answer": 0,
                          "health_flag": 0, "theme_telefon": (~annet).astype(int), "theme_annet": annet.astype(int)})
    if with_flag:
        coded["needs_review"] = review.astype(int)
    if corrected is not None:
        coded["corrected"] = np.asarray(corrected, dtype=int)
    return df, coded


def _flags(n: int, k: int) -> np.ndarray:
    return np.arange(n) < k


# ------------------------------------------------------------------ 1. quotes never from unsure answers
def test_summary_quotes_leave_out_answers_sent_to_review():
    n = 24
    df, coded = _wave(2024, n, _flags(n, 20), np.zeros(n, bool))
    s = build_summary({2024: df}, _survey(), {2024: coded}, embedder="fallback", drivers=False, n_quotes=5)
    q = s.table("quotes")
    quoted = set(q.loc[q["theme"] == "telefon", "respondent_id"].astype(str))
    sure = {f"2024-{i}" for i in range(20, n)}
    assert quoted and quoted <= sure  # only the 4 sure answers (fewer quotes than asked for is right)
    # the same frame without the flag: unsure answers are quoted (the test can fail)
    s2 = build_summary({2024: df}, _survey(), {2024: coded.drop(columns="needs_review")}, embedder="fallback",
                       drivers=False, n_quotes=5)
    q2 = s2.table("quotes")
    assert set(q2["respondent_id"].astype(str)) - sure


def test_a_corrected_answer_stays_quotable_in_the_summary():
    n = 24
    corrected = _flags(n, 8)
    df, coded = _wave(2024, n, np.ones(n, bool), np.zeros(n, bool), corrected=corrected)
    s = build_summary({2024: df}, _survey(), {2024: coded}, embedder="fallback", drivers=False, n_quotes=5)
    quoted = set(s.table("quotes")["respondent_id"].astype(str))
    assert quoted and quoted <= {f"2024-{i}" for i in range(8)}


def test_quote_rules_and_select_quotes_apply_the_same_guard():
    from textmine.quotes import select_quotes
    from textmine.summary import quote_rules

    n = 24
    df, coded = _wave(2024, n, _flags(n, 20), np.zeros(n, bool))
    rule = quote_rules(df, _survey(), coded, "ft")
    picked = select_quotes(coded, theme="telefon", k=5, rule=rule, embedder="fallback")
    assert picked and {p.respondent_id for p in picked} <= {f"2024-{i}" for i in range(20, n)}


# ------------------------------------------------------------------ 2. drift signal
def _three_waves(with_flag: bool = True):
    n = 300
    rng = np.random.default_rng(0)
    waves = {}
    for year, rev, ann in ((2022, 52, 10), (2023, 58, 19), (2024, 120, 45)):
        review = np.zeros(n, bool)
        review[rng.choice(n, rev, replace=False)] = True
        annet = np.zeros(n, bool)
        annet[rng.choice(n, ann, replace=False)] = True
        waves[year] = _wave(year, n, review, annet, with_flag=with_flag)
    frames = {y: w[0] for y, w in waves.items()}
    coded = {y: w[1] for y, w in waves.items()}
    return frames, coded


def _meta(s, key):
    return s.to_dict()["meta"].get(key)


def test_summary_json_holds_review_and_catch_all_shares_per_wave_and_question():
    frames, coded = _three_waves()
    s = build_summary(frames, _survey(), coded, quotes=False, drivers=False)
    rows = {r["wave"]: r for r in _meta(s, "coding_review")}
    assert rows[2024]["question"] == "ft" and rows[2024]["answered"] == 300
    assert rows[2024]["needs_review"] == 120 and abs(rows[2024]["needs_review_share"] - 0.4) < 1e-12
    assert rows[2022]["needs_review"] == 52
    assert rows[2024]["catch_all"] == ["annet"] and rows[2024]["catch_all_only"] == 45
    assert abs(rows[2023]["catch_all_only_share"] - 19 / 300) < 1e-12
    changes = {(c["wave"], c["measure"]): c for c in _meta(s, "coding_review_changes")}
    c = changes[(2024, "needs_review")]
    assert c["wave_prev"] == 2023 and abs(c["diff"] - (120 - 58) / 300) < 1e-12
    assert c["p_value"] < 0.001 and c["verdict"] == "signifikant" and c["ci_low"] > 0
    assert changes[(2023, "needs_review")]["verdict"] == "ingen sikker endring"
    assert (2024, "catch_all_only") in changes
    assert "uvektet" in _meta(s, "coding_review_note")


def test_a_corrected_answer_is_not_counted_as_sent_to_review():
    n = 40
    df, coded = _wave(2024, n, _flags(n, 10), np.zeros(n, bool), corrected=_flags(n, 4))
    s = build_summary({2024: df}, _survey(), {2024: coded}, quotes=False, drivers=False)
    assert s.meta["coding_review"][0]["needs_review"] == 6


def test_non_answers_are_not_in_the_review_base():
    n = 40
    df, coded = _wave(2024, n, _flags(n, 10), np.zeros(n, bool))
    coded.loc[:4, "is_non_answer"] = 1  # five of the flagged ones are non-answers
    s = build_summary({2024: df}, _survey(), {2024: coded}, quotes=False, drivers=False)
    row = s.meta["coding_review"][0]
    assert row["answered"] == 35 and row["needs_review"] == 5


def test_human_coded_files_without_the_flag_are_skipped_silently():
    frames, coded = _three_waves(with_flag=False)
    s = build_summary(frames, _survey(), coded, quotes=False, drivers=False)
    rows = s.meta.get("coding_review") or []
    assert all(r["needs_review"] is None for r in rows)
    assert not [c for c in s.meta.get("coding_review_changes") or [] if c["measure"] == "needs_review"]
    assert review_drift_lines(s) == []
    assert not [w for w in s.warnings if "review" in w.lower() or "kontroll" in w]


def test_no_catch_all_share_without_a_catch_all_theme():
    frames, coded = _three_waves()
    coded = {w: c.rename(columns={"theme_annet": "theme_brev"}) for w, c in coded.items()}
    s = build_summary(frames, _survey(), coded, quotes=False, drivers=False)
    rows = s.meta["coding_review"]
    assert all(r["catch_all"] is None and r["catch_all_only"] is None for r in rows)
    assert all(r["needs_review"] is not None for r in rows)


def test_the_codebook_names_the_catch_all_theme():
    from textmine.codebook import Codebook

    frames, coded = _three_waves()
    coded = {w: c.rename(columns={"theme_annet": "theme_ovrig"}) for w, c in coded.items()}
    cb = Codebook.from_dict({"name": "k", "version": "1", "themes": [
        {"id": "telefon", "label": "Telefon", "description": "telefon"},
        {"id": "ovrig", "label": "Øvrig", "description": "annet", "exclusive": True}]})
    s = build_summary(frames, _survey(), coded, quotes=False, drivers=False, codebooks={w: cb for w in frames})
    rows = {r["wave"]: r for r in s.meta["coding_review"]}
    assert rows[2024]["catch_all"] == ["ovrig"] and rows[2024]["catch_all_only"] == 45


def test_terminal_line_when_the_review_share_rose():
    frames, coded = _three_waves()
    s = build_summary(frames, _survey(), coded, quotes=False, drivers=False)
    lines = review_drift_lines(s)
    assert len(lines) == 1  # only 2024 rose (2023: +2 pp, not significant)
    assert "ft" in lines[0] and "Flere svar til manuell gjennomgang i 2024 (40 % mot 19 %)" in lines[0]
    assert "textmine discover" in lines[0]


def test_no_terminal_line_when_the_review_share_is_flat():
    n = 300
    frames, coded = {}, {}
    for year in (2023, 2024):
        frames[year], coded[year] = _wave(year, n, _flags(n, 60), np.zeros(n, bool))
    s = build_summary(frames, _survey(), coded, quotes=False, drivers=False)
    assert review_drift_lines(s) == []


def test_no_terminal_line_for_a_rise_among_a_handful_of_answers():
    frames, coded = {}, {}
    for year, sent in ((2023, 1), (2024, 4)):  # 1 of 4 → 4 of 4: too few answers to say anything
        frames[year], coded[year] = _wave(year, 4, _flags(4, sent), np.zeros(4, bool))
    s = build_summary(frames, _survey(), coded, quotes=False, drivers=False)
    assert s.meta["coding_review_changes"] and review_drift_lines(s) == []


def test_reader_note_in_bokmal_and_nynorsk():
    from textmine.report.html import reader_notes
    from textmine.report.views import report_from_summary

    frames, coded = _three_waves()
    s = build_summary(frames, _survey(), coded, quotes=False, drivers=False)
    r = report_from_summary(s, _survey())
    nb = [x for x in reader_notes(r, "nb") if "manuell gjennomgang" in x]
    nb = [x.replace("\u00a0", " ") for x in nb]
    assert len(nb) == 1 and "2024" in nb[0] and "40 %" in nb[0] and "19 %" in nb[0] and "Kommentar" in nb[0]
    nn = [x for x in reader_notes(r, "nn") if "manuell gjennomgang" in x]
    assert len(nn) == 1 and nn[0] != nb[0]
    # the data key is no method line of its own
    from textmine.report.views import method_lines

    assert r.method["review_rises"] and not [k for k, _ in method_lines(r.method) if k == "review_rises"]
    # flat shares: no note
    n = 300
    frames2, coded2 = {}, {}
    for year in (2023, 2024):
        frames2[year], coded2[year] = _wave(year, n, _flags(n, 60), np.zeros(n, bool))
    r2 = report_from_summary(build_summary(frames2, _survey(), coded2, quotes=False, drivers=False), _survey())
    assert not [x for x in reader_notes(r2, "nb") if "manuell gjennomgang" in x]


def test_summary_cli_prints_the_review_line_and_writes_the_figures(tmp_path):
    import json

    from typer.testing import CliRunner

    from textmine.cli import app

    from .test_cli import _survey_files

    survey, paths, coded = _survey_files(tmp_path)
    for p, share in zip(coded, (0.1, 0.5)):
        c = pd.read_csv(p)
        c["needs_review"] = (np.arange(len(c)) < round(share * len(c))).astype(int)
        c.to_csv(p, index=False)
    out = tmp_path / "out"
    args = ["summary", *map(str, paths), "--survey", str(survey), "--out", str(out), "--no-quotes", "--quiet"]
    for c in coded:
        args += ["--coded", str(c)]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    lines = [x for x in r.output.splitlines() if "manuell gjennomgang" in x]
    assert lines == ["note: ft: Flere svar til manuell gjennomgang i 2023 (50 % mot 10 %): mulig nytt tema — kjør "
                     "`textmine discover`"]
    meta = json.loads((out / "summary.json").read_text(encoding="utf-8"))["meta"]
    assert [r["needs_review"] for r in meta["coding_review"]] == [4, 20]
    assert meta["coding_review_changes"][0]["verdict"] == "signifikant"
