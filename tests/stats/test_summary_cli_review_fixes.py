"""User review of `textmine summary` on .sav waves: a question given no coding is «ikke kodet», not 0 % / «for få
svar»; the terminal tables are printed once (the latest wave); the outcome column is headed by the indicator's
label; coding warnings are one `warning:` line that fits what the user gave."""

import warnings

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

import textmine.cli.stats as cli_stats
from textmine.cli import app
from textmine.summary import build_summary

NOT_CODED = "ikke kodet"
from textmine.survey import SurveyDefinition

N = 80
SPEC = {
    "name": "bruker", "id": "lopenr", "wave": "aar", "min_cell": 5,
    "indicators": [{"id": "fornoyd", "column": "q1", "label": "Fornøyd alt i alt", "scale": [1, 5]}],
    "drivers": {"outcome": "fornoyd"},
    "free_text": [{"column": "ft_a", "label": "Hva kan bli bedre?"}, {"column": "ft_b", "label": "Andre kommentarer?"}],
}


def _wave(year: int) -> pd.DataFrame:
    rng = np.random.default_rng(year)
    return pd.DataFrame({
        "lopenr": [f"{year}-{i:04d}" for i in range(N)], "aar": year, "q1": rng.integers(1, 6, N),
        "ft_a": ["Telefonkøen er lang" if i % 2 == 0 else "" for i in range(N)],
        "ft_b": ["Takk for hjelpen" if i % 3 == 0 else "" for i in range(N)],
    })


def _code_output(df: pd.DataFrame, question: str) -> pd.DataFrame:
    """What `textmine code WAVE --text-col QUESTION` writes: the input columns + the coding."""
    tel = np.array([int(i % 4 == 0 and t != "") for i, t in enumerate(df[question])])
    return df.assign(theme_telefon=tel, theme_annet=0, score_telefon=tel * 0.9, score_annet=0.0,
                     themes=np.where(tel == 1, "telefon", ""), confidence=0.9, needs_review=0, type="klage")


@pytest.fixture
def files(tmp_path):
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(SPEC, allow_unicode=True), encoding="utf-8")
    waves, coded_a = [], []
    for year in (2024, 2025):
        df = _wave(year)
        p = tmp_path / f"w{year}.csv"
        df.to_csv(p, index=False)
        waves.append(p)
        c = tmp_path / f"coded_a_{year}.csv"
        _code_output(df, "ft_a").to_csv(c, index=False)
        coded_a.append(c)
    return tmp_path / "s.yaml", waves, coded_a


def _run(survey, waves, coded, out, *extra):
    args = ["summary", *map(str, waves), "--survey", str(survey), "--out", str(out), "--no-quotes", *extra]
    for c in coded:
        args += ["--coded", f"ft_a={c}"]
    return CliRunner().invoke(app, args)


# -- 1. a question that was not coded ------------------------------------------------------------------------------

def test_uncoded_question_has_no_zero_rows_and_no_verdict(files, tmp_path):
    survey, waves, coded = files
    r = _run(survey, waves, coded, tmp_path / "out", "--quiet")
    assert r.exit_code == 0, r.output
    th = pd.read_csv(tmp_path / "out" / "themes.csv")
    ch = pd.read_csv(tmp_path / "out" / "changes.csv")
    assert (th["question"] == "ft_a").any()  # the coded question is summarised as before
    assert not (th["question"] == "ft_b").any()  # no "0 commenters, 0 % of those asked"
    assert not ((ch["kind"] == "theme") & (ch["question"] == "ft_b")).any()  # no «for få svar»
    for name in ("theme_indicators", "drivers"):
        t = pd.read_csv(tmp_path / "out" / f"{name}.csv") if (tmp_path / "out" / f"{name}.csv").stat().st_size > 1 \
            else pd.DataFrame(columns=["question"])
        assert not (t.get("question", pd.Series(dtype=object)) == "ft_b").any(), name
    ind = pd.read_csv(tmp_path / "out" / "indicators.csv")
    assert set(ind["wave"]) == {2024, 2025} and len(ind)  # the structured indicators are kept
    # a note per question and wave, in the output and in the files' metadata
    assert "ft_b: not coded" in r.output and "--coded ft_b=FILE" in r.output
    import json

    meta = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))["meta"]
    assert [(x["wave"], x["question"], x["answers"]) for x in meta["not_coded"]] == [(2024, "ft_b", 27), (2025, "ft_b", 27)]
    assert all(x["question"] != "ft_b" for x in meta["question_counts"])  # no "0 commenters" to copy from


def test_uncoded_question_terminal_says_ikke_kodet(files, tmp_path):
    survey, waves, coded = files
    r = _run(survey, waves, coded, tmp_path / "out")
    assert r.exit_code == 0, r.output
    line = next(x for x in r.output.splitlines() if x.startswith("Andre kommentarer?"))
    assert NOT_CODED in line and "27 svar" in line and "kommentatorer" not in line


def test_library_uncoded_question_left_out_but_partially_coded_kept():
    sd = SurveyDefinition.from_dict(SPEC)
    frames = {2024: _wave(2024)}
    coded = _code_output(frames[2024], "ft_a").rename(columns={"lopenr": "respondent_id", "ft_a": "text_clean"})
    coded = coded[coded["text_clean"] != ""].assign(question="ft_a")
    s = build_summary(frames, sd, {2024: coded}, quotes=False)
    assert set(s.table("themes")["question"]) == {"ft_a"}
    assert s.meta["not_coded"] == [{"wave": 2024, "question": "ft_b", "label": "Andre kommentarer?", "answers": 27}]
    # a question coded for only some answers is still summarised (with the existing warning for the rest)
    s2 = build_summary(frames, sd, {2024: coded.iloc[5:]}, quotes=False)
    assert "ft_a" in set(s2.table("themes")["question"])
    assert any("ft_a: 5 non-empty answer(s)" in w for w in s2.warnings)
    # a question without any answer has, truly, no commenters: not «ikke kodet»
    empty = {2024: frames[2024].assign(ft_b="")}
    s3 = build_summary(empty, sd, {2024: coded}, quotes=False)
    assert s3.meta["not_coded"] == [] and "ft_b" in set(s3.table("themes")["question"])
    # structured columns only (as summarise_parts reads them): no coded row and no column → not coded, count unknown
    s4 = build_summary({2024: frames[2024].drop(columns=["ft_a", "ft_b"])}, sd, {2024: coded}, quotes=False)
    assert set(s4.table("themes")["question"]) == {"ft_a"}
    assert s4.meta["not_coded"] == [{"wave": 2024, "question": "ft_b", "label": "Andre kommentarer?", "answers": None}]
    assert "ikke kodet; ingen temaandeler for 2024" in s4.to_text_table()


# -- 2. printed once; 4. column header is the label ------------------------------------------------------------------

def test_terminal_tables_printed_once_for_the_latest_wave(files, tmp_path):
    survey, waves, coded = files
    r = _run(survey, waves, coded, tmp_path / "out")
    assert r.exit_code == 0, r.output
    titles = [x for x in r.output.splitlines() if "indikatorer (andel positive" in x]
    assert len(titles) == 1 and "2025" in titles[0]
    assert r.output.count("Hva kan bli bedre?") == 1
    assert "fra 2024" in r.output  # the change column says what it compares with
    assert "Fornøyd alt i alt: nevner vs ikke" in r.output and "Fornoyd: nevner" not in r.output


def test_to_text_table_prints_nothing_itself(files, capsys):
    sd = SurveyDefinition.from_dict(SPEC)
    frames = {2024: _wave(2024)}
    text = build_summary(frames, sd, None, quotes=False).to_text_table()
    assert "indikatorer" in text and capsys.readouterr().out == ""


def test_help_says_the_terminal_shows_the_latest_wave():
    r = CliRunner().invoke(app, ["summary", "--help"], terminal_width=200)
    assert "latest wave" in " ".join(r.output.split())


# -- 4. coding warnings: one line, a hint that fits ------------------------------------------------------------------

MISMATCH = ("model /x/models/default was trained for codebook 'arbeidsgiver' v1.0 (hash eef78c07785d), but the "
            "codebook given is 'bruker' v1.0 (hash f4cc450a3412) — new themes ['telefon']. Retrain with `textmine "
            "train`, or code zero-shot without --model. — falling back to zero-shot coding")


def test_coding_warning_is_one_line_without_the_model_hint(files, tmp_path, monkeypatch):
    survey, waves, _ = files

    def fake_code_wave(df, survey, **kw):
        warnings.warn(MISMATCH, stacklevel=2)
        c = _code_output(df, "ft_a").rename(columns={"lopenr": "respondent_id", "ft_a": "text_clean"})
        return c[c["text_clean"] != ""].assign(question="ft_a", respondent_id=lambda d: d["respondent_id"].astype(str))

    monkeypatch.setattr(cli_stats, "code_wave", fake_code_wave)
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        r = _run(survey, waves, [], tmp_path / "out", "--quiet")
    assert r.exit_code == 0, r.output
    lines = [x for x in r.output.splitlines() if "trained for codebook 'arbeidsgiver'" in x]
    assert len(lines) == 1 and lines[0].startswith("warning: the shipped model")  # once, not per wave
    assert "without --model" not in r.output and "UserWarning" not in r.output
    assert "zero-shot" in lines[0] and "--model" in lines[0]


def test_coding_warning_with_a_model_is_kept():
    assert cli_stats._coding_warning(MISMATCH, tmp := __import__("pathlib").Path("m")) == MISMATCH and tmp
    assert cli_stats._coding_warning("other", None) == "other"
