"""The report's method notes do not overstate the coding quality, and say when waves are coded two ways.

- «Samsvar med manuell koding» compared the coding with ``labels_<wave>.csv`` beside the wave files. The shipped
  model was trained on exactly those files (``manifest.json`` ``training_data``), so the report claimed micro-F1
  and kappa 1,00. Labels that are among the model's training files (or byte-identical copies of them) are no
  quality measure: the note says so and points to the model's held-out figure instead.
- ``--coded`` for a question in some waves while it is machine-coded in others: the change between those waves mixes
  reviewed and machine codes; the terminal warns and the method note says so.
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest
import yaml

from textmine.paths import DATA_DIR, DEFAULT_MODEL_DIR

from ..clitools import run_cli

SAMPLE = DATA_DIR / "sample"
needs_model = pytest.mark.skipif(not (DEFAULT_MODEL_DIR / "manifest.json").exists(), reason="no shipped model")


def _training_data():
    return json.loads((DEFAULT_MODEL_DIR / "manifest.json").read_text(encoding="utf-8")).get("training_data") or []


@needs_model
def test_sample_report_does_not_claim_agreement_with_the_models_own_training_labels():
    from textmine.report.numbers import fmt_decimal
    from textmine.report.pipeline import build_report

    assert any("labels_2023.csv" in p for p in _training_data())  # the premise: the sample's labels trained it
    r = build_report(sorted(map(str, SAMPLE.glob("arbeidsgiver_*.csv"))), SAMPLE / "survey.yaml",
                     embedder="fallback")
    text = r.method["agreement"]
    assert "mikro-F1 1,00" not in text and "kappa 1,00" not in text, text
    assert "brukt til å trene modellen" in text and "2022 og 2023" in text, text
    assert "sier ingenting om hvor treffsikker" in text
    ev = json.loads((DEFAULT_MODEL_DIR / "metrics.json").read_text(encoding="utf-8")).get("eval_set") or {}
    if ev.get("micro_f1") is not None:  # the held-out figure instead
        assert f"mikro-F1 {fmt_decimal(float(ev['micro_f1']), 2)}" in text and "testsett" in text, text
    assert r.method["agreement_values"] == {"in_sample_waves": ["2022", "2023"]}
    assert "labels_" not in text  # no file names in the published note


@needs_model
def test_a_copy_of_a_training_file_is_recognised_and_another_file_is_not(tmp_path):
    from textmine.report.pipeline import _in_training, _training_files

    training = _training_files(_training_data(), DEFAULT_MODEL_DIR)
    assert training, "the shipped model's training files are not found"
    src = SAMPLE / "labels_2023.csv"
    copy = tmp_path / "labels_2023.csv"
    shutil.copyfile(src, copy)
    assert _in_training(src, training) and _in_training(copy, training)
    other = tmp_path / "labels_2024.csv"
    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    other.write_text("".join(lines[:-1]), encoding="utf-8")  # not the same labels
    assert not _in_training(other, training)


def test_labels_that_did_not_train_the_coder_are_still_reported(tmp_path):
    """A coder with no training files (here the keyword coder): the labels beside the waves measure it."""
    from textmine.report.pipeline import KeywordCoder, build_report

    r = build_report(sorted(map(str, SAMPLE.glob("arbeidsgiver_*.csv"))), SAMPLE / "survey.yaml",
                     coder=KeywordCoder(), embedder="fallback")
    assert r.method["agreement"].startswith("Mot manuell koding av "), r.method["agreement"]
    assert "micro_f1" in r.method["agreement_values"]
    assert "trene modellen" not in r.method["agreement"]


# --- --coded in some waves, machine codes in others ------------------------------------------------------------------

N = 40


@pytest.fixture()
def study(tmp_path):
    spec = {"name": "bruker", "id": "lopenr", "wave": "aar", "min_cell": 5,
            "indicators": [{"id": "fornoyd", "column": "q1", "label": "Fornøyd", "scale": [1, 5]}],
            "free_text": [{"column": "ft_a", "label": "Hvorfor?"}]}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    rng = np.random.default_rng(5)
    waves, coded = [], []
    for year in (2024, 2025):
        text = ["Telefonkøen er lang" if i % 2 == 0 else "Greit nok" for i in range(N)]
        df = pd.DataFrame({"lopenr": [f"{year}-{i:03d}" for i in range(N)], "aar": year,
                           "q1": rng.integers(1, 6, N), "ft_a": text})
        p = tmp_path / f"w{year}.csv"
        df.to_csv(p, index=False)
        waves.append(p)
        tel = np.array([int(i % 2 == 0) for i in range(N)])
        cp = tmp_path / f"reviewed{year}.csv"
        df.assign(theme_telefon=tel, theme_annet=1 - tel, themes=np.where(tel == 1, "telefon", "annet"),
                  confidence=1.0, needs_review=0, type="klage").to_csv(cp, index=False)
        coded.append(cp)
    return {"dir": tmp_path, "survey": tmp_path / "s.yaml", "waves": waves, "coded": coded}


def _report(st, out, *coded):
    args = [a for c in coded for a in ("--coded", str(c))]
    return run_cli("report", *st["waves"], "--survey", st["survey"], "--coder", "keyword", "--out", st["dir"] / out,
                   *args)


def test_reviewed_codes_in_one_wave_only_are_flagged(study):
    st = study
    res = _report(st, "one", f"ft_a={st['coded'][1]}")
    assert res.exit_code == 0, res.output
    flat = " ".join(res.output.split())
    assert "ft_a: the codes of wave(s) 2025 are read from --coded files, but wave(s) 2024 are coded automatically" \
        in flat, flat
    assert "--coded ft_a=FILE for every wave" in flat
    j = json.loads((st["dir"] / "one" / "rapport.json").read_text(encoding="utf-8"))
    coding = j["method"]["coding"]
    assert "For «Hvorfor?» er kodene for måling 2025 lest fra filer" in coding, coding
    assert "måling 2024 er kodet automatisk" in coding and "blander derfor to måter å kode på" in coding
    assert "blander derfor" in (st["dir"] / "one" / "rapport.html").read_text(encoding="utf-8")


def test_reviewed_codes_in_every_wave_are_not_flagged(study):
    st = study
    res = _report(st, "both", f"ft_a={st['coded'][0]}", f"ft_a={st['coded'][1]}")
    assert res.exit_code == 0, res.output
    assert "coded automatically" not in res.output
    j = json.loads((st["dir"] / "both" / "rapport.json").read_text(encoding="utf-8"))
    assert "blander" not in j["method"]["coding"]
