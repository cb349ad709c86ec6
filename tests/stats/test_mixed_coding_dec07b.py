"""Theme changes between waves coded by different coders (review dec07b: a codebook went from v1.0 to v1.1 between
two waves): ``textmine summary`` refuses them (exit 2, each wave's coder named, how to recode), as the service's
409 ``model_mismatch`` does; ``--allow-mixed-coding`` goes on with those theme changes «ikke testbar» and out of
the BH families; the review-share note then blames no new topic. ``--model`` is checked against every
``--codebook WAVE=FILE``, and a stray theme column of a file without a record hints at ``--codebook WAVE=FILE``."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from textmine.codebook import Codebook
from textmine.pipeline import CODERS_ATTR, code_wave, coded_identity, coder_label, identity_path
from textmine.summary import build_summary, review_drift_lines, review_rises
from textmine.survey import SurveyDefinition

from ..clitools import assert_clean_fail, run_cli
from ..smallwaves import write_mini_survey

TELEFON = {"id": "telefon", "label": "Telefon", "description": "Telefonkø.", "keywords": ["telefon"]}
ANNET = {"id": "annet", "label": "Annet", "description": "Alt annet.", "keywords": ["annet"]}
KO = {"id": "telefon_ko", "label": "Telefonkø", "description": "Kø på telefon.", "keywords": ["kø"]}
V10 = {"name": "arbeidsgiver", "version": "1.0", "themes": [TELEFON, ANNET]}
V11 = {"name": "arbeidsgiver", "version": "1.1", "themes": [TELEFON, KO, ANNET]}


@pytest.fixture()
def waves(tmp_path):
    """The mini survey with coded2022/2023.csv (codebook 1.0, every commenter: telefon 30 %; 2023 shifted +9 pp,
    as a change of coder would shift it) and cb10.yaml / cb11.yaml; no records yet."""
    write_mini_survey(tmp_path, seed=4, n=600, ft=lambda i: "En kommentar" if i % 2 == 0 else "")
    rng = np.random.default_rng(8)
    for year, rate in ((2022, 0.30), (2023, 0.39)):
        df = pd.read_csv(tmp_path / f"w{year}.csv", keep_default_na=False)
        c = df[df["ft"] != ""][["rid"]].rename(columns={"rid": "respondent_id"}).assign(
            question="ft", text_clean="En kommentar", is_non_answer=0, health_flag=0)
        c["theme_telefon"] = (rng.random(len(c)) < rate).astype(int)
        c["theme_annet"] = 1 - c["theme_telefon"]
        c.to_csv(tmp_path / f"coded{year}.csv", index=False)
    for name, cb in (("cb10.yaml", V10), ("cb11.yaml", V11)):
        (tmp_path / name).write_text(yaml.safe_dump(cb, allow_unicode=True), encoding="utf-8")
    return tmp_path


def _record(d, year, model):
    """The record `textmine code` writes beside coded<year>.csv: codebook 1.0, ``model`` (None: zero-shot)."""
    identity_path(d / f"coded{year}.csv").write_text(
        json.dumps(coded_identity(Codebook.from_dict(V10), model, "ft")), encoding="utf-8")


def _summary(d, *more, out="o"):
    return run_cli("summary", d / "w2022.csv", d / "w2023.csv", "--survey", d / "s.yaml", "--no-quotes", "--quiet",
                   "--codebook", d / "cb10.yaml", "--coded", d / "coded2022.csv", "--coded", d / "coded2023.csv",
                   "--out", d / out, *more)


def _theme_changes(out) -> pd.DataFrame:
    ch = pd.read_csv(out / "changes.csv")
    return ch[ch["kind"] == "theme"]


# ------------------------------------------------------------------------------------- 1. a change of coder refused
def test_model_then_zero_shot_is_refused_naming_each_waves_coder(waves):
    _record(waves, 2022, "models/default")
    _record(waves, 2023, None)
    res = _summary(waves)
    assert_clean_fail(res, "wave 2022 was coded by model 'default'", "wave 2023 by zero-shot",
                      "`textmine code` wave 2022's file without --model", "--allow-mixed-coding")
    assert not (waves / "o" / "changes.csv").exists()


def test_two_different_models_are_refused(waves):
    _record(waves, 2022, "modeller/nav_v1")
    _record(waves, 2023, "modeller/nav_v2")
    assert_clean_fail(_summary(waves), "model 'nav_v1'", "model 'nav_v2'", "with --model for 'nav_v2'")


def test_the_same_model_and_files_without_a_record_are_compared_as_before(waves):
    _record(waves, 2022, "models/default")
    _record(waves, 2023, "other/default")  # (the record names the folder: the same model)
    res = _summary(waves, out="same")
    assert res.exit_code == 0, res.output
    identity_path(waves / "coded2023.csv").unlink()  # not known: left as today
    res = _summary(waves, out="unknown")
    assert res.exit_code == 0, res.output
    for out in ("same", "unknown"):
        t = _theme_changes(waves / out)
        assert t["p_value"].notna().any() and (t["verdict"] != "ikke testbar").any()


def test_allow_mixed_coding_leaves_the_theme_changes_untested(waves):
    _record(waves, 2022, "models/default")
    _record(waves, 2023, None)
    res = _summary(waves, "--allow-mixed-coding")
    assert res.exit_code == 0, res.output
    flat = " ".join(res.output.split())
    assert "changes 2022→2023: ft: coded by model 'default' in 2022 and by zero-shot" in flat
    t = _theme_changes(waves / "o")
    assert len(t) and (t["verdict"] == "ikke testbar").all()
    assert t["p_value"].isna().all() and t["p_adjusted"].isna().all()
    assert (t["share"] > 0).any() and (t["share_prev"] > 0).any()  # both shares still shown
    meta = json.loads((waves / "o" / "summary.json").read_text(encoding="utf-8"))["meta"]
    theme_families = [f for f in meta["bh_families"] if f.get("table") == "changes" and f["family"].startswith("theme")]
    assert theme_families and all(f["tests"] == 0 for f in theme_families)
    ind = pd.read_csv(waves / "o" / "changes.csv")
    assert ind.loc[ind["kind"] == "indicator", "p_value"].notna().any()  # the indicators are still compared


# ---------------------------------------------------------------------------- 1b. the waves summary itself codes
class FakeCoder:
    """A coder of a codebook without a model: «supervised» for 1.0 (the shipped model's codebook), zero-shot for
    any other (as ``default_coder`` falls back); every answer coded «telefon»."""

    def __init__(self, codebook):
        from textmine.codebook import load_codebook

        self.codebook = load_codebook(codebook) if codebook is not None else Codebook.from_dict(V10)
        self.kind = "supervised" if self.codebook.version == "1.0" else "zeroshot"

    def predict_frame(self, cleaned):
        out = pd.DataFrame(index=cleaned.index)
        for t in self.codebook.theme_ids:
            out[f"theme_{t}"] = int(t == "telefon")
        out["themes"], out["confidence"], out["needs_review"], out["type"] = "telefon", 0.9, 0, ""
        return out


def test_summary_coding_one_wave_zero_shot_and_the_other_with_the_model_is_refused(waves, monkeypatch):
    import textmine.pipeline as pipeline

    monkeypatch.setattr(pipeline, "coder_for", lambda *, model=None, codebook=None: FakeCoder(codebook))
    args = ("summary", waves / "w2022.csv", waves / "w2023.csv", "--survey", waves / "s.yaml", "--no-quotes",
            "--quiet", "--codebook", waves / "cb10.yaml", "--codebook", f"2023={waves / 'cb11.yaml'}")
    assert_clean_fail(run_cli(*args, "--out", waves / "o"), "wave 2022 was coded by model 'default'",
                      "wave 2023 by zero-shot")
    res = run_cli(*args, "--out", waves / "o", "--allow-mixed-coding")
    assert res.exit_code == 0, res.output
    assert (_theme_changes(waves / "o")["verdict"] == "ikke testbar").all()


def test_code_wave_records_what_coded_each_question(waves):
    survey = SurveyDefinition.from_yaml(waves / "s.yaml")
    df = pd.read_csv(waves / "w2022.csv", keep_default_na=False)
    assert code_wave(df, survey, coder=FakeCoder(waves / "cb11.yaml")).attrs[CODERS_ATTR] == {"ft": "zero-shot"}
    assert coder_label(FakeCoder(waves / "cb10.yaml"), "/srv/modeller/nav_v3") == "nav_v3"
    assert coder_label(FakeCoder(waves / "cb10.yaml")) is None  # a trained coder from an unknown folder


# -------------------------------------------------------------------- 1c. the review-share note blames no new topic
def _review_summary(coded_by, allow=False):
    survey = SurveyDefinition.from_dict({"name": "s", "id": "rid", "wave": "aar", "min_cell": 0,
                                         "free_text": [{"column": "ft"}]})
    frames, coded = {}, {}
    for year, review in ((2022, 0.1), (2023, 0.5)):
        n = 200
        frames[year] = pd.DataFrame({"rid": [f"{year}-{i}" for i in range(n)], "aar": year, "ft": "tekst"})
        coded[year] = pd.DataFrame({"respondent_id": frames[year]["rid"], "question": "ft", "text_clean": "tekst",
                                    "is_non_answer": 0, "theme_telefon": np.arange(n) % 3 == 0,
                                    "needs_review": (np.arange(n) < review * n).astype(int)}).astype(
            {"theme_telefon": int})
    return build_summary(frames, survey, coded, quotes=False, drivers=False, coded_by=coded_by,
                         allow_mixed_coding=allow)


def test_review_rise_between_different_coders_is_not_a_new_topic():
    same = _review_summary({2022: {"ft": "default"}, 2023: {"ft": "default"}})
    assert review_rises(same.meta) and "mulig nytt tema" in review_drift_lines(same)[0]
    mixed = _review_summary({2022: {"ft": "default"}, 2023: {"ft": "zero-shot"}}, allow=True)
    assert review_rises(mixed.meta) == []  # (the report's reader note reads these)
    lines = review_drift_lines(mixed)
    assert len(lines) == 1 and "mulig nytt tema" not in lines[0] and "ulike kodere" in lines[0]
    with pytest.raises(ValueError, match="coded by different coders"):
        _review_summary({2022: {"ft": "default"}, 2023: {"ft": "zero-shot"}})


# ---------------------------------------------------------------------- 2. --model checked against --codebook W=F
def _fake_model(folder, cb: dict):
    """A model folder as far as the codebook check reads it (manifest and codebook.yaml)."""
    from textmine.classify.artefact import FORMAT

    c = Codebook.from_dict(cb)
    folder.mkdir()
    (folder / "codebook.yaml").write_text(c.to_yaml(), encoding="utf-8")
    (folder / "manifest.json").write_text(json.dumps({"format": FORMAT, "kind": "supervised", "codebook": {
        "name": c.name, "version": c.version, "hash": c.hash}}), encoding="utf-8")
    return folder


def test_model_is_refused_for_a_waves_codebook_it_was_not_trained_for(waves):
    model = _fake_model(waves / "m10", V10)
    res = run_cli("summary", waves / "w2022.csv", waves / "w2023.csv", "--survey", waves / "s.yaml", "--no-quotes",
                  "--quiet", "--codebook", waves / "cb10.yaml", "--codebook", f"2023={waves / 'cb11.yaml'}",
                  "--model", model, "--out", waves / "o")
    assert_clean_fail(res, "--codebook 2023=", "was trained for codebook 'arbeidsgiver' v1.0",
                      "the codebook given is 'arbeidsgiver' v1.1", "new themes")
    res = run_cli("summary", waves / "w2022.csv", waves / "w2023.csv", "--survey", waves / "s.yaml", "--no-quotes",
                  "--quiet", "--codebook", waves / "cb11.yaml", "--model", model, "--out", waves / "o")
    assert_clean_fail(res, "the codebook given is 'arbeidsgiver' v1.1")


# ------------------------------------------------------------------ 4. stray columns: another codebook, perhaps?
def test_stray_theme_column_without_a_record_suggests_codebook_per_wave(waves):
    c = pd.read_csv(waves / "coded2022.csv")
    c.assign(theme_gammel=0).to_csv(waves / "coded2022.csv", index=False)
    res = _summary(waves)
    assert res.exit_code == 0, res.output
    flat = " ".join(res.output.split())
    assert "theme_gammel" in flat and "wave(s) 2022 may have been coded with another codebook" in flat
    assert "--codebook 2022=FILE" in flat


def test_stray_hint_is_not_given_for_waves_whose_files_record_their_codebook(waves):
    from textmine.summary import stray_columns_hint

    survey = SurveyDefinition.from_yaml(waves / "s.yaml")
    frames = {y: pd.read_csv(waves / f"w{y}.csv", keep_default_na=False) for y in (2022, 2023)}
    coded = {y: pd.read_csv(waves / f"coded{y}.csv", dtype={"respondent_id": str}) for y in (2022, 2023)}
    coded[2022]["theme_gammel"] = 0
    s = build_summary(frames, survey, coded, quotes=False, drivers=False, theme_labels={"telefon": "T", "annet": "A"})
    before = list(s.warnings)
    stray_columns_hint(s, [2023])  # 2022 records its codebook: a hand-edited file, no other codebook
    assert s.warnings == before and s.meta["stray_theme_waves"] == [2022]
    stray_columns_hint(s, [2022, 2023])
    assert any("--codebook 2022=FILE" in w for w in s.warnings)
