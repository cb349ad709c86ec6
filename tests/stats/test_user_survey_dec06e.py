"""User-survey review r4 (dec06e): one wave file without a wave column coded per question; routing violators do
not make a routed question testable; survey-definition warnings print as the CLI's `warning:` lines."""

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from textmine.cli import app

N = 60
SPEC = {
    "name": "uu", "id": "rid", "min_cell": 5,
    "indicators": [{"id": "tilfreds", "column": "tilfreds", "label": "Fornøyd?", "scale": [1, 5]}],
    "free_text": [{"column": "ft_a", "label": "Kommentarer?"},
                  {"column": "ft_b", "label": "Hva bør bli bedre?"}],
}


def _wave(n: int = N) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.DataFrame({
        "rid": [f"R-{i:04d}" for i in range(n)], "tilfreds": rng.integers(1, 6, n),
        "ft_a": ["Trapper ved inngangen" if i % 2 == 0 else "Fin nettside" for i in range(n)],
        "ft_b": ["Bedre skilting" if i % 3 == 0 else "" for i in range(n)],
    })


def _code_output(df: pd.DataFrame, question: str) -> pd.DataFrame:
    """What `textmine code WAVE --text-col QUESTION` writes: the input columns + the coding."""
    hit = np.array([int(i % 2 == 0 and t != "") for i, t in enumerate(df[question])])
    return df.assign(theme_trapp=hit, theme_annet=0, score_trapp=hit * 0.9, score_annet=0.0,
                     themes=np.where(hit == 1, "trapp", ""), confidence=0.9, needs_review=0, type="klage")


def _files(tmp_path, spec=SPEC, waves=1):
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    paths, coded = [], []
    for k in range(waves):
        df = _wave()
        p = tmp_path / f"brukere{k}.csv"
        df.to_csv(p, index=False)
        paths.append(p)
        for q in ("ft_a", "ft_b"):
            c = tmp_path / f"coded_{q}_{k}.csv"
            _code_output(df, q).to_csv(c, index=False)
            coded.append((q, c))
    return tmp_path / "s.yaml", paths, coded


def _summary(survey, waves, coded, out):
    args = ["summary", *map(str, waves), "--survey", str(survey), "--out", str(out), "--no-quotes", "--quiet"]
    for q, c in coded:
        args += ["--coded", f"{q}={c}"]
    return CliRunner().invoke(app, args)


# -- 1. one wave file, no wave column, one --coded file per question ----------------------------------------------

def test_one_wave_without_wave_column_takes_one_coded_file_per_question(tmp_path):
    survey, waves, coded = _files(tmp_path)
    r = _summary(survey, waves, coded, tmp_path / "out")
    assert r.exit_code == 0, r.output
    assert "wave column None" not in r.output
    th = pd.read_csv(tmp_path / "out" / "themes.csv")
    assert {"ft_a", "ft_b"} <= set(th["question"])  # both questions coded, in the only wave


def test_several_waves_without_wave_column_by_order_per_question(tmp_path):
    survey, waves, coded = _files(tmp_path, waves=2)
    r = _summary(survey, waves, coded, tmp_path / "out")  # ft_a, ft_b of wave 0, then of wave 1
    assert r.exit_code == 0, r.output
    th = pd.read_csv(tmp_path / "out" / "themes.csv")
    assert {"ft_a", "ft_b"} <= set(th["question"])


def test_ambiguous_coded_files_without_wave_column_advice_fits(tmp_path):
    survey, waves, coded = _files(tmp_path, waves=2)
    r = _summary(survey, waves, coded[:3], tmp_path / "out")  # ft_b of the second wave missing: ft_a 2, ft_b 1
    assert r.exit_code != 0
    assert "None" not in r.output
    assert "no wave column" in r.output and "wave:" in r.output  # says how to fix: declare the wave column
    assert "each question" in r.output


# -- 3. only declared parents roll up other themes -----------------------------------------------------------------

def test_theme_containing_another_is_not_a_rollup_unless_a_declared_parent():
    from textmine.summary import _rollup_themes

    # syn (rows 0–2) ⊂ skilting (rows 0–5); fysisk is the declared parent of trapp
    themes = ["skilting", "syn", "fysisk", "trapp"]
    T = np.zeros((12, 4))
    T[0:6, 0] = 1
    T[0:3, 1] = 1
    T[6:12, 2] = 1
    T[6:9, 3] = 1
    use = [0, 1, 2, 3]
    assert _rollup_themes(T, use, themes, {"trapp": "fysisk", "syn": "sanser"}) == [2]
    assert _rollup_themes(T, use, themes, {}) == []  # containment alone never makes a roll-up


# -- 5. a handful of routing violators do not make the routed question testable -----------------------------------

ROUTED = {
    "name": "uu", "id": "rid", "min_cell": 5,
    "indicators": [{"id": "tilfreds", "column": "tilfreds", "label": "Fornøyd?", "scale": [1, 5]}],
    "drivers": {"outcome": "tilfreds"},
    "free_text": [{"column": "ft_b", "label": "Hva bør bli bedre?", "asked_if": {"item": "tilfreds", "codes": [1, 2]}}],
}


def _routed(violators: int):
    """120 respondents; those with tilfreds 1–2 are asked ft_b; ``violators`` with tilfreds 5 answered it anyway."""
    from textmine.survey import SurveyDefinition

    n = 120
    sat = np.array([1, 2, 3, 4, 5] * (n // 5))
    asked = np.flatnonzero(sat <= 2)
    extra = np.flatnonzero(sat == 5)[:violators]
    who = np.concatenate([asked, extra])
    df = pd.DataFrame({"rid": [f"R-{i:03d}" for i in range(n)], "tilfreds": sat, "ft_b": ""})
    df.loc[who, "ft_b"] = "Bedre skilting"
    th = {f"theme_{t}": [(k + j) % 2 for k in range(len(who))] for j, t in enumerate(("skilting", "trapp"))}
    coded = pd.DataFrame({"respondent_id": df.loc[who, "rid"].to_numpy(), "question": "ft_b",
                          "text_clean": "Bedre skilting", "is_non_answer": 0, **th})
    return SurveyDefinition.from_dict(ROUTED, warn=False), df, coded


def _routed_summary(violators: int):
    from textmine.summary import build_summary

    survey, df, coded = _routed(violators)
    return build_summary({2025: df}, survey, {2025: coded}, quotes=False)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_few_routing_violators_leave_the_routed_question_not_testable():
    s = _routed_summary(3)  # 3 < min_cell: the question counts as routed
    ti = s.table("theme_indicators")
    assert len(ti) and not ti["applicable"].astype(bool).any()
    assert s.table("drivers").empty
    assert any("routing" in str(m) and "drivers ft_b" in str(m) for m in s.warnings)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_enough_routing_violators_make_the_question_testable():
    s = _routed_summary(6)  # 6 ≥ min_cell: the answers outside the routing are enough to compare
    ti = s.table("theme_indicators")
    assert ti["applicable"].astype(bool).all()


# -- 4. zero-shot share warnings: one per question, carried into the summary's warnings ---------------------------

class _HashEmbedder:
    """Deterministic bag of words hashed to 64 dims (no model needed)."""

    name, version, dimension = "hash", "1", 64

    def encode(self, texts, *, batch_size=64, show_progress=False):
        import hashlib

        out = np.full((len(texts), self.dimension), 0.05, dtype=np.float32)
        for i, t in enumerate(texts):
            for w in str(t).lower().split():
                out[i, int(hashlib.md5(w.encode()).hexdigest()[:8], 16) % self.dimension] += 1.0
        return out / np.linalg.norm(out, axis=1, keepdims=True)


ZS_THEMES = [
    {"id": "trapp", "label": "Trapper", "description": "Trapper og rampe ved inngangen.", "keywords": ["trapper"]},
    {"id": "skilt", "label": "Skilting", "description": "Skilt og skilting i bygget.", "keywords": ["skilting"]},
    {"id": "nett", "label": "Nettside", "description": "Kommunens nettside og skjema.", "keywords": ["nettside"]},
]


def _zs_coder():
    from textmine.classify import ZeroShotCoder
    from textmine.codebook import Codebook

    cb = Codebook.from_dict({"name": "uu", "version": "1", "types": ["klage", "ønske", "ros"], "themes": ZS_THEMES})
    return ZeroShotCoder(cb, _HashEmbedder())


ZS_TEXTS = ["Trapper ved inngangen", "Bedre skilting i bygget", "Nettside med skjema", "Trapper uten rampe"] * 10


def test_one_zero_shot_coder_warns_for_each_question():
    import warnings

    zs = _zs_coder()
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        zs.predict(ZS_TEXTS, questions="ft_a")
        zs.predict(ZS_TEXTS[:20], questions="ft_a")  # the same finding of the same question: said once
        zs.predict(ZS_TEXTS, questions="ft_b")
    said = [str(w.message) for w in got if "zero-shot coding" in str(w.message)]
    assert len(said) == 2, said
    assert "(question ft_a)" in said[0] and "(question ft_b)" in said[1]


def test_cli_summary_carries_zero_shot_share_warning_into_its_warnings(tmp_path, monkeypatch):
    import json

    import textmine.pipeline as pipeline

    coder = _zs_coder()
    monkeypatch.setattr(pipeline, "coder_for", lambda **kw: coder)
    spec = {**SPEC, "free_text": [SPEC["free_text"][0]]}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    df = _wave().drop(columns="ft_b")
    df["ft_a"] = ZS_TEXTS + ZS_TEXTS[: N - len(ZS_TEXTS)]
    df.to_csv(tmp_path / "w.csv", index=False)
    r = CliRunner().invoke(app, ["summary", str(tmp_path / "w.csv"), "--survey", str(tmp_path / "s.yaml"),
                                 "--out", str(tmp_path / "out"), "--no-quotes", "--quiet"])
    assert r.exit_code == 0, r.output
    flat = " ".join(r.output.split())
    assert flat.count("zero-shot coding with 3 theme(s)") == 1  # said once on the terminal
    kept = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))["warnings"]
    assert any("zero-shot coding with 3 theme(s)" in w and "(question ft_a)" in w for w in kept)


# -- 6. the survey definition's warnings are the CLI's `warning:` lines --------------------------------------------

def test_survey_definition_warning_is_a_cli_warning_line(tmp_path):
    import warnings

    spec = {**SPEC, "indicators": SPEC["indicators"] + [
        {"id": "hjelp", "column": "hjelp", "label": "Fikk du hjelp?", "scale": [1, 2]}]}  # no positive: a guess
    survey, waves, coded = _files(tmp_path, spec=spec)
    df = pd.read_csv(waves[0])
    df["hjelp"] = np.arange(len(df)) % 2 + 1
    df.to_csv(waves[0], index=False)
    with warnings.catch_warnings(record=True) as raw:
        warnings.simplefilter("always")
        r = _summary(survey, waves, coded, tmp_path / "out")
    assert r.exit_code == 0, r.output
    lines = [ln for ln in r.output.splitlines() if "a scale of 2 codes" in ln]
    assert lines and lines[0].startswith("warning: ") and "indicators[1] (hjelp)" in lines[0]
    assert not [w for w in raw if "a scale of 2 codes" in str(w.message)]  # not a Python warning (path, line)


def test_driver_model_keeps_a_theme_that_contains_another_but_is_no_parent():
    from textmine.summary import build_summary
    from textmine.survey import SurveyDefinition

    rng = np.random.default_rng(5)
    n = 300
    skilt = rng.random(n) < 0.4
    syn = skilt & (rng.random(n) < 0.3)  # every «syn» answer also mentions skilting (as in the review)
    trapp = rng.random(n) < 0.3
    sat = np.where(rng.random(n) < 0.6 - 0.2 * skilt + 0.1 * trapp, 5, 2)
    df = pd.DataFrame({"rid": [f"R-{i:03d}" for i in range(n)], "tilfreds": sat, "ft_b": "tekst"})
    coded = pd.DataFrame({"respondent_id": df["rid"], "question": "ft_b", "text_clean": "tekst", "is_non_answer": 0,
                          "theme_skilting": skilt.astype(int), "theme_syn": syn.astype(int),
                          "theme_trapp": trapp.astype(int)})
    spec = {**ROUTED, "free_text": [{"column": "ft_b", "label": "Hva bør bli bedre?"}]}
    s = build_summary({2025: df}, SurveyDefinition.from_dict(spec, warn=False), {2025: coded}, quotes=False)
    assert set(s.table("drivers")["theme"]) == {"skilting", "syn", "trapp"}
    assert not any("roll up" in str(m) for m in s.warnings)


def test_an_undeclared_parent_that_is_the_union_of_its_parts_is_a_rollup():
    """c = a OR b with a few answers naming both (code review dec06e): kept in the model, its effect would come from
    the overlap alone; a theme with mentions of its own besides a part stays."""
    from textmine.summary import _rollup_themes

    rng = np.random.default_rng(3)
    n = 400
    a = rng.random(n) < 0.3
    b = rng.random(n) < 0.3
    c = a | b
    d = rng.random(n) < 0.2
    T = np.column_stack([a, b, c, d]).astype(float)
    assert (a & b).sum() > 0
    assert _rollup_themes(T, [0, 1, 2, 3], ["a", "b", "c", "d"], {}) == [2]
    T2 = T.copy()
    T2[rng.random(n) < 0.1, 2] = 1  # c has mentions of its own too: no union of parts
    assert _rollup_themes(T2, [0, 1, 2, 3], ["a", "b", "c", "d"], {}) == []
