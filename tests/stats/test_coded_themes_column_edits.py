"""``--coded`` and the two ways a ``textmine code`` output states its codes: the readable ``themes`` column and the
``theme_<id>`` columns. A reviewer correcting the file in Excel edits ``themes``; the statistics were built from
``theme_<id>`` only, so such a correction showed up in the row-level export but not in any table, chart or quote.

Now: both columns present and disagreeing → a one-line error (exit 2) naming the file, the rows and the fix;
``themes`` only → the ``theme_<id>`` columns are built from it (ids checked against the codebook)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from textmine.pipeline import coded_from_code_output
from textmine.survey import SurveyDefinition

from ..clitools import assert_clean_fail, run_cli

N = 40
SPEC = {"name": "bruker", "id": "lopenr", "wave": "aar", "min_cell": 5,
        "indicators": [{"id": "fornoyd", "column": "q1", "label": "Fornøyd", "scale": [1, 5]}],
        "free_text": [{"column": "ft_a", "label": "Hvorfor?"}]}


def _theme_cols(df):
    return [c for c in df.columns if c.startswith("theme_")]


@pytest.fixture()
def study(tmp_path):
    """Two waves and, per wave, a `textmine code`-style output (default codebook ids telefon/annet)."""
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(SPEC, allow_unicode=True), encoding="utf-8")
    rng = np.random.default_rng(3)
    waves, coded = [], []
    for year in (2024, 2025):
        text = ["Telefonkøen er lang" if i % 2 == 0 else "Greit nok" for i in range(N)]
        df = pd.DataFrame({"lopenr": [f"{year}-{i:03d}" for i in range(N)], "aar": year,
                           "q1": rng.integers(1, 6, N), "ft_a": text})
        p = tmp_path / f"w{year}.csv"
        df.to_csv(p, index=False)
        waves.append(p)
        tel = np.array([int(i % 2 == 0) for i in range(N)])
        out = df.assign(theme_telefon=tel, theme_annet=1 - tel, themes=np.where(tel == 1, "telefon", "annet"),
                        confidence=0.9, needs_review=0, type="klage")
        cp = tmp_path / f"coded{year}.csv"
        out.to_csv(cp, index=False)
        coded.append(cp)
    return {"dir": tmp_path, "survey": tmp_path / "s.yaml", "waves": waves, "coded": coded}


def _edit_themes_only(p, out, rows=(2, 6, 10)):
    """The reviewer's correction typed into `themes` only (telefon → annet), theme_<id> left as they were."""
    df = pd.read_csv(p, keep_default_na=False, dtype=str)
    for r in rows:
        df.loc[r, "themes"] = "annet"
    df.to_csv(out, index=False)
    return out


def _telefon_2025(summary_dir):
    t = pd.read_csv(summary_dir / "themes.csv", dtype={"wave": str})
    k = t[(t["wave"] == "2025") & (t["question"] == "ft_a") & (t["theme"] == "telefon")
          & (t["denominator"] == "kommentatorer") & (t["segment"] == "Totalt")]
    assert len(k) == 1
    return int(k["count"].iloc[0])


# --- the library function -------------------------------------------------------------------------------------------

def test_disagreeing_themes_and_theme_columns_are_refused_in_one_line(study):
    survey = SurveyDefinition.from_yaml(study["survey"])
    df = pd.read_csv(_edit_themes_only(study["coded"][1], study["dir"] / "r.csv", rows=range(0, 14, 2)),
                     keep_default_na=False, dtype=str)
    with pytest.raises(ValueError) as err:
        coded_from_code_output(df, survey, "ft_a", source="r.csv")
    msg = str(err.value)
    assert msg.startswith("r.csv: ") and "\n" not in msg, msg
    for needle in ("disagree on 7 row(s)", "data row(s) 1, 3, 5, 7, 9, …", "2025-000, 2025-002", "make them agree",
                   "delete the theme_<id> columns"):
        assert needle in msg, msg


def test_agreeing_columns_are_taken_as_they_are(study):
    survey = SurveyDefinition.from_yaml(study["survey"])
    df = pd.read_csv(study["coded"][1], keep_default_na=False, dtype=str)
    got = coded_from_code_output(df, survey, "ft_a", source="c.csv")
    assert pd.to_numeric(got["theme_telefon"]).sum() == N // 2


def test_themes_only_builds_the_theme_columns(study):
    survey = SurveyDefinition.from_yaml(study["survey"])
    df = pd.read_csv(_edit_themes_only(study["coded"][1], study["dir"] / "r.csv"), keep_default_na=False, dtype=str)
    df = df.drop(columns=_theme_cols(df))
    got = coded_from_code_output(df, survey, "ft_a", source="r.csv")
    assert got["theme_telefon"].sum() == N // 2 - 3 and got["theme_annet"].sum() == N // 2 + 3
    assert "theme_saksbehandlingstid" in got.columns  # one column per theme of the (default) codebook
    assert got["themes"].tolist() == df["themes"].tolist()


def test_themes_only_with_an_unknown_id_is_refused_naming_the_codebook(study):
    survey = SurveyDefinition.from_yaml(study["survey"])
    df = pd.read_csv(study["coded"][1], keep_default_na=False, dtype=str)
    df = df.drop(columns=_theme_cols(df))
    df.loc[4, "themes"] = "telefon;telefn"
    with pytest.raises(ValueError) as err:
        coded_from_code_output(df, survey, "ft_a", source="r.csv")
    msg = str(err.value)
    assert msg.startswith("r.csv: ") and "\n" not in msg
    assert "data row 5 (lopenr '2025-004')" in msg and "unknown theme id(s) 'telefn'" in msg
    assert "expected ids of codebook" in msg


def test_long_table_gets_the_same_check():
    from textmine.pipeline import theme_columns_from_themes

    survey = SurveyDefinition.from_dict(SPEC)
    long = pd.DataFrame({"respondent_id": ["a", "b"], "question": "ft_a", "text_clean": ["x", "y"],
                         "theme_telefon": [1, 0], "themes": ["telefon", "telefon"]})
    with pytest.raises(ValueError, match="disagree on 1 row"):
        theme_columns_from_themes(long, survey, source="l.csv", id_column="respondent_id")
    built = theme_columns_from_themes(long.drop(columns=["theme_telefon"]), survey, source="l.csv",
                                      id_column="respondent_id")
    assert built["theme_telefon"].tolist() == [1, 1]


# --- the CLI: summary and report ------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["summary", "report"])
def test_cli_refuses_a_correction_typed_in_themes_only(study, command):
    st = study
    edited = _edit_themes_only(st["coded"][1], st["dir"] / "reviewed2025.csv")
    extra = ["--coder", "keyword"] if command == "report" else ["--quiet", "--no-quotes"]
    res = run_cli(command, *st["waves"], "--survey", st["survey"], "--out", st["dir"] / "o", *extra,
                  "--coded", st["coded"][0], "--coded", edited)
    assert_clean_fail(res, "reviewed2025.csv", "disagree on 3 row(s)", "data row(s) 3, 7, 11",
                      "2025-002, 2025-006, 2025-010", "delete the theme_<id> columns")


def test_summary_uses_themes_when_the_theme_columns_are_deleted(study):
    st = study
    edited = _edit_themes_only(st["coded"][1], st["dir"] / "reviewed2025.csv")
    df = pd.read_csv(edited, keep_default_na=False, dtype=str)
    df.drop(columns=_theme_cols(df)).to_csv(edited, index=False)
    res = run_cli("summary", *st["waves"], "--survey", st["survey"], "--out", st["dir"] / "s", "--quiet",
                  "--no-quotes", "--coded", st["coded"][0], "--coded", edited)
    assert res.exit_code == 0, res.output
    assert _telefon_2025(st["dir"] / "s") == N // 2 - 3
