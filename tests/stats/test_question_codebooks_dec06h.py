"""Per-question codebooks (``free_text[].codebook``) between waves: a theme whose definition changed in one
question's codebook is not compared for that question («ikke testbar», one warning naming the question) and still
compared for a question whose own codebook kept it (``build_summary(question_codebooks=)``; ``textmine summary
--coded`` from what the coded files record)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import yaml

from textmine.codebook import Codebook
from textmine.pipeline import coded_identity, identity_path
from textmine.summary import build_summary
from textmine.survey import SurveyDefinition

from ..clitools import run_cli
from ..smallwaves import write_mini_survey

KONTAKT = {"id": "kontakt", "label": "Kontaktperson", "description": "Navngitt kontakt i NAV.",
           "keywords": ["kontakt"]}
ANNET = {"id": "annet", "label": "Annet", "description": "Alt annet.", "keywords": ["annet"]}
#: question ft's codebook, whose «kontakt» is defined anew in 1.1; question ft2's, unchanged between the waves
FT = {2022: Codebook.from_dict({"name": "ft", "version": "1.0", "themes": [KONTAKT, ANNET]}),
      2023: Codebook.from_dict({"name": "ft", "version": "1.1", "themes": [
          {**KONTAKT, "description": "Fast kontaktperson over tid."}, ANNET]})}
FT2 = Codebook.from_dict({"name": "ft2", "version": "1.0", "themes": [KONTAKT, ANNET]})
WARNING = ("question ft: theme kontakt is defined differently in codebook 'ft' v1.0 (wave 2022) and v1.1 (wave "
           "2023): not compared")


def _waves(tmp_path):
    """The mini survey with a second free-text question ft2, each question naming its own codebook file; every
    second respondent answers both."""
    write_mini_survey(tmp_path, seed=3, n=400, ft=lambda i: "En kommentar" if i % 2 == 0 else "")
    for name, cb in (("ft.yaml", FT[2023]), ("ft2.yaml", FT2)):
        (tmp_path / name).write_text(cb.to_yaml(), encoding="utf-8")
    spec = yaml.safe_load((tmp_path / "s.yaml").read_text(encoding="utf-8"))
    spec["free_text"] = [{"column": "ft", "codebook": str(tmp_path / "ft.yaml")},
                         {"column": "ft2", "codebook": str(tmp_path / "ft2.yaml")}]
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    frames = {}
    for year in (2022, 2023):
        df = pd.read_csv(tmp_path / f"w{year}.csv", keep_default_na=False)
        df["ft2"] = df["ft"]
        df.to_csv(tmp_path / f"w{year}.csv", index=False)
        frames[year] = df
    return frames


def _coded(df, question, year, seed):
    """What `textmine code --text-col QUESTION` writes for the wave (themes drawn; 2023: more «kontakt»)."""
    rng = np.random.default_rng(seed)
    out = df[["rid", "aar", question]].copy()
    for t in ("kontakt", "annet"):
        p = 0.6 if (t, year) == ("kontakt", 2023) else 0.3
        out[f"theme_{t}"] = np.where(df[question] != "", (rng.random(len(df)) < p).astype(int), 0)
    return out


def _long(df, question, year, seed):
    c = _coded(df, question, year, seed)
    c = c[c[question] != ""].rename(columns={"rid": "respondent_id", question: "text_clean"})
    return c.drop(columns="aar").assign(question=question, is_non_answer=0, health_flag=0)


def _kontakt(changes: pd.DataFrame, question: str) -> pd.Series:
    ch = changes[(changes["kind"] == "theme") & (changes["segment"] == "Totalt")
                 & (changes["denominator"] == "kommentatorer") & (changes["question"] == question)]
    return ch.set_index("item").loc["kontakt"]


def test_a_theme_changed_in_one_questions_codebook_is_not_compared_for_that_question_only(tmp_path):
    frames = _waves(tmp_path)
    survey = SurveyDefinition.from_yaml(tmp_path / "s.yaml")
    coded = {y: pd.concat([_long(df, "ft", y, 1), _long(df, "ft2", y, 2)], ignore_index=True)
             for y, df in frames.items()}
    books = {y: {"ft": FT[y], "ft2": FT2} for y in frames}
    s = build_summary(frames, survey, coded, quotes=False, drivers=False, question_codebooks=books)
    ch = s.table("changes")
    k1, k2 = _kontakt(ch, "ft"), _kontakt(ch, "ft2")
    assert k1["verdict"] == "ikke testbar" and np.isnan(k1["p_value"]) and k1["share"] > k1["share_prev"] > 0
    assert not np.isnan(k2["p_value"]) and k2["verdict"] != "ikke testbar"
    assert [w for w in s.warnings if "defined differently" in w] == [WARNING + " («ikke testbar»)"]
    plain = build_summary(frames, survey, coded, quotes=False, drivers=False)  # without them: both compared
    assert not np.isnan(_kontakt(plain.table("changes"), "ft")["p_value"])


def test_summary_compares_each_question_on_the_codebooks_its_coded_files_record(tmp_path):
    frames = _waves(tmp_path)
    coded = []
    for y, df in frames.items():
        for q, cb, seed in (("ft", FT[y], 1), ("ft2", FT2, 2)):
            out = tmp_path / f"c{y}_{q}.csv"
            _coded(df, q, y, seed).to_csv(out, index=False)  # and its record, as `textmine code` writes it
            identity_path(out).write_text(json.dumps(coded_identity(cb, None, q)), encoding="utf-8")
            coded += ["--coded", f"{q}={out}"]
    res = run_cli("summary", tmp_path / "w2022.csv", tmp_path / "w2023.csv", "--survey", tmp_path / "s.yaml",
                  "--no-quotes", "--quiet", *coded, "--out", tmp_path / "o")
    assert res.exit_code == 0, res.output
    assert WARNING in " ".join(res.output.split()) and "question ft2:" not in res.output
    ch = pd.read_csv(tmp_path / "o" / "changes.csv")
    assert _kontakt(ch, "ft")["verdict"] == "ikke testbar"
    assert _kontakt(ch, "ft2")["verdict"] != "ikke testbar" and not np.isnan(_kontakt(ch, "ft2")["p_value"])


def test_report_compares_each_question_on_the_codebooks_its_coded_files_record(tmp_path):
    frames = _waves(tmp_path)
    coded = []
    for y, df in frames.items():
        for q, cb, seed in (("ft", FT[y], 1), ("ft2", FT2, 2)):
            out = tmp_path / f"c{y}_{q}.csv"
            _coded(df, q, y, seed).to_csv(out, index=False)
            identity_path(out).write_text(json.dumps(coded_identity(cb, None, q)), encoding="utf-8")
            coded += ["--coded", f"{q}={out}"]
    res = run_cli("report", tmp_path / "w2022.csv", tmp_path / "w2023.csv", "--survey", tmp_path / "s.yaml",
                  *coded, "--out", tmp_path / "r")
    assert res.exit_code == 0, res.output
    assert WARNING in " ".join(res.output.split())  # as `summary` says it: the question's own codebook changed
    data = json.loads((tmp_path / "r" / "rapport.json").read_text(encoding="utf-8"))
    rows = [r for r in data["change_table"] if r.get("kind") == "tema" and r.get("key") == "kontakt"
            and r.get("segment") == "Alle"]
    by_q = {r["question"]: r["verdict"] for r in rows}
    assert by_q.get("ft") == "ikke testbar" and by_q.get("ft2") not in (None, "ikke testbar")
