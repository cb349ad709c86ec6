"""Zero-shot coding with ``--zero-shot-background`` is another coder (review dec07c: it changed the codes, but its
coding record said "model": "zero-shot" like plain zero-shot): the record keeps the zero-shot settings that change
the codes, the coder label and :func:`same_coder` tell the two apart, and ``textmine summary`` refuses comparing
waves coded one way and the other (exit 2) as it refuses other changes of coder. A record without the field (an
older file) is plain zero-shot."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from textmine.codebook import Codebook
from textmine.pipeline import (ZERO_SHOT_KEY, coded_identity, coder_label, coder_name, identity_path, same_coder,
                               zero_shot_flags, zero_shot_label, zero_shot_settings)
from textmine.report.pipeline import coding_origin, record_coder
from textmine.summary import coder_text, mixed_coders, mixed_coders_error

from ..clitools import assert_clean_fail, run_cli
from ..smallwaves import write_mini_survey

CB = {"name": "arbeidsgiver", "version": "1.0",
      "themes": [{"id": "telefon", "label": "Telefon", "description": "Telefonkø.", "keywords": ["telefon"]},
                 {"id": "annet", "label": "Annet", "description": "Alt annet.", "keywords": ["annet"]}]}


class _ZeroShot:
    """What the record reads of a ZeroShotCoder: its kind and its background setting."""
    kind = "zeroshot"

    def __init__(self, background: bool):
        self.background = background


def _record(coder=None, model=None) -> dict:
    return json.loads(json.dumps(coded_identity(Codebook.from_dict(CB), model, "ft", coder=coder)))


# ------------------------------------------------------------------------------------------------- the functions
def test_the_record_keeps_the_background_setting_and_the_label_tells_it():
    plain, bg = _record(_ZeroShot(False)), _record(_ZeroShot(True))
    assert plain["model"] == bg["model"] == "zero-shot"  # (the method note still says zero-shot)
    assert plain[ZERO_SHOT_KEY] == {"background": False} and bg[ZERO_SHOT_KEY] == {"background": True}
    assert coding_origin(bg) == ("zero-shot", None)
    lp, lb = record_coder(plain), record_coder(bg)
    assert lp == "zero-shot" and lb != lp and coder_name(lb) == "zero-shot"
    assert not same_coder(lp, lb) and same_coder(lb, record_coder(_record(_ZeroShot(True))))
    assert zero_shot_flags(lb) == ["--zero-shot-background"] and zero_shot_flags(lp) == []
    assert zero_shot_flags("default@@0123abcd") is None
    # the coder of an in-run coding is named alike
    assert coder_label(_ZeroShot(True)) == lb and coder_label(_ZeroShot(False)) == lp


def test_an_older_record_without_the_field_is_plain_zero_shot():
    old = _record(_ZeroShot(True))
    del old[ZERO_SHOT_KEY]
    assert record_coder(old) == "zero-shot" == record_coder(_record(_ZeroShot(False)))
    assert record_coder(_record()) == "zero-shot"  # (no coder given: as before)
    assert not mixed_coders({2022: {"q": record_coder(old)}, 2023: {"q": "zero-shot"}}, [(2022, 2023)])


def test_settings_only_for_zero_shot_and_not_beside_a_model_or_corrections(tmp_path):
    assert zero_shot_settings(object()) is None
    assert zero_shot_label({"background": False}) == zero_shot_label(None) == "zero-shot"
    model = tmp_path / "m"
    model.mkdir()
    assert ZERO_SHOT_KEY not in _record(_ZeroShot(True), model=model)
    rec = coded_identity(Codebook.from_dict(CB), None, "ft", coded_by="corrections (textmine review)",
                         coder=_ZeroShot(True))
    assert ZERO_SHOT_KEY not in rec


def test_the_refusal_names_the_option_to_recode_with():
    lp, lb = "zero-shot", zero_shot_label({"background": True})
    mixed = mixed_coders({2022: {"q": lp}, 2023: {"q": lb}}, [(2022, 2023)])
    assert mixed == {(2022, 2023): {"q": (lp, lb)}}
    msg = " ".join(mixed_coders_error(mixed).split())
    assert "wave 2023 by zero-shot with --zero-shot-background (no trained model)" in msg
    assert "wave 2022's file without --model, with --zero-shot-background" in msg
    assert "wave 2023's file without --model or --zero-shot-background" in msg
    assert coder_text(lb, True) == "zero-shot med --zero-shot-background (uten en trent modell)"


# ---------------------------------------------------------------------------------------------------- the CLI
@pytest.fixture()
def waves(tmp_path):
    """The mini survey with coded2022/2023.csv of codebook ``CB`` (every commenter; telefon 30 % / 39 %)."""
    write_mini_survey(tmp_path, seed=4, n=400, ft=lambda i: "En kommentar" if i % 2 == 0 else "")
    rng = np.random.default_rng(8)
    for year, rate in ((2022, 0.30), (2023, 0.39)):
        df = pd.read_csv(tmp_path / f"w{year}.csv", keep_default_na=False)
        c = df[df["ft"] != ""][["rid"]].rename(columns={"rid": "respondent_id"}).assign(
            question="ft", text_clean="En kommentar", is_non_answer=0, health_flag=0)
        c["theme_telefon"] = (rng.random(len(c)) < rate).astype(int)
        c["theme_annet"] = 1 - c["theme_telefon"]
        c.to_csv(tmp_path / f"coded{year}.csv", index=False)
    (tmp_path / "cb.yaml").write_text(yaml.safe_dump(CB, allow_unicode=True), encoding="utf-8")
    return tmp_path


def _write_record(d, year, record):
    identity_path(d / f"coded{year}.csv").write_text(json.dumps(record), encoding="utf-8")


def _summary(d, out):
    return run_cli("summary", d / "w2022.csv", d / "w2023.csv", "--survey", d / "s.yaml", "--no-quotes", "--quiet",
                   "--codebook", d / "cb.yaml", "--coded", d / "coded2022.csv", "--coded", d / "coded2023.csv",
                   "--out", d / out)


def test_summary_refuses_plain_and_background_zero_shot_waves(waves):
    _write_record(waves, 2022, _record(_ZeroShot(False)))
    _write_record(waves, 2023, _record(_ZeroShot(True)))
    res = _summary(waves, "mixed")
    assert_clean_fail(res, "wave 2022 was coded by zero-shot (no trained model)",
                      "wave 2023 by zero-shot with --zero-shot-background", "--allow-mixed-coding")
    assert not (waves / "mixed" / "changes.csv").exists()


def test_summary_compares_waves_coded_alike_and_an_older_record_as_plain(waves):
    _write_record(waves, 2022, _record(_ZeroShot(True)))
    _write_record(waves, 2023, _record(_ZeroShot(True)))
    assert _summary(waves, "bg").exit_code == 0
    old = _record(_ZeroShot(False))
    del old[ZERO_SHOT_KEY]  # a record written before the field: plain zero-shot
    _write_record(waves, 2022, old)
    _write_record(waves, 2023, _record(_ZeroShot(False)))
    res = _summary(waves, "plain")
    assert res.exit_code == 0, res.output
    ch = pd.read_csv(waves / "plain" / "changes.csv")
    assert (ch[ch["kind"] == "theme"]["verdict"] != "ikke testbar").any()
    _write_record(waves, 2023, _record(_ZeroShot(True)))  # the older plain record against a background one
    assert_clean_fail(_summary(waves, "old_bg"), "wave 2023 by zero-shot with --zero-shot-background")
