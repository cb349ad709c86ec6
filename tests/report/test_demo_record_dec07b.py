"""``textmine demo`` writes the record ``textmine code`` writes beside each coded file (OUT.textmine.json), so a
report that reads the demo's coded files (``textmine report --coded``) names the model in «Metode», not «ukjent»
(review dec07b)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from textmine.cli.demo import coder_record, write_coded
from textmine.codebook import load_codebook
from textmine.paths import DEFAULT_CODEBOOK, DEFAULT_SURVEY, SAMPLE_DIR
from textmine.pipeline import identity_path
from textmine.report.pipeline import ORIGIN_TEXTS, KeywordCoder, build_report, coded_record, coding_origin
from textmine.report.views import method_lines
from textmine.survey import SurveyDefinition

from ..clitools import run_cli


class _Trained(KeywordCoder):
    """A fast stand-in for the shipped trained model (what ``coder_for`` loads from models/default)."""

    kind = "supervised"


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory):
    """``textmine demo --no-report`` on 120 respondents per sample wave, coded by the stand-in, quotes without e5,
    no summary files (not what is tested here: only the coded files and their records)."""
    from functools import partial

    import textmine.cli.stats as cs
    import textmine.pipeline as tp
    import textmine.summary as ts

    out = tmp_path_factory.mktemp("demo") / "d"
    mp = pytest.MonkeyPatch()
    read = tp.read_waves
    mp.setattr(tp, "read_waves", lambda paths, survey, **kw: {
        w: df.head(120) for w, df in read(paths, survey, **kw).items()})
    mp.setattr(tp, "coder_for", lambda **kw: _Trained())
    mp.setattr(ts, "build_summary", partial(ts.build_summary, embedder="fallback"))
    mp.setattr(cs, "write_summary", lambda summary, folder: [])
    try:
        res = run_cli("demo", "--out", out, "--no-report")
    finally:
        mp.undo()
    assert res.exit_code == 0, res.output
    return out


def test_each_coded_file_records_the_default_model(demo_out):
    files = sorted((demo_out / "kodet").glob("kodet_*.csv"))
    assert [p.name for p in files] == ["kodet_2022.csv", "kodet_2023.csv"]
    for p in files:
        record = coded_record(p)
        assert record is not None and coding_origin(record) == ("model", "default")
        assert record["codebook_hash"] == load_codebook(DEFAULT_CODEBOOK).hash and record["text_col"] == "text_clean"


def test_report_from_the_demos_coded_files_names_the_model_in_metode(demo_out):
    """As ``textmine report --coded kodet_2022.csv --coded kodet_2023.csv``: every code read from the files, «Metode»
    says a trained model («default») made them."""
    from textmine.cli.stats import read_coded_codebooks
    from textmine.pipeline import read_waves

    survey = SurveyDefinition.from_yaml(DEFAULT_SURVEY)
    frames = {w: df.head(120) for w, df in read_waves(sorted(SAMPLE_DIR.glob("arbeidsgiver_*.csv")), survey).items()}
    records: dict = {}
    specs = [(None, demo_out / "kodet" / f"kodet_{w}.csv") for w in frames]
    coded, _ = read_coded_codebooks(specs, frames, survey, records=records)
    r = build_report(frames, survey, coded=coded, code_missing=True, coded_records=records, embedder="fallback")
    model = dict(method_lines(r.method))["Modell"]
    assert f"{ORIGIN_TEXTS['model']} («default»)" in model
    assert "ukjent" not in model and ORIGIN_TEXTS["unknown"] not in json.dumps(r.method, ensure_ascii=False)


def test_a_given_model_folder_is_recorded_by_name_never_by_path(tmp_path):
    cb = load_codebook(DEFAULT_CODEBOOK)
    record = coder_record(SimpleNamespace(kind="supervised", codebook=cb), tmp_path / "nav_modell_v2")
    assert coding_origin(record) == ("model", "nav_modell_v2") and str(tmp_path) not in json.dumps(record)


def test_zero_shot_fallback_is_recorded_as_zero_shot_and_other_coders_get_no_record(tmp_path):
    cb = load_codebook(DEFAULT_CODEBOOK)
    assert coding_origin(coder_record(SimpleNamespace(kind="zeroshot", codebook=cb), None)) == ("zero-shot", None)
    assert coder_record(KeywordCoder(cb), None) is None  # not a model: nothing claimed
    import pandas as pd

    written = write_coded({2024: pd.DataFrame({"respondent_id": ["1"]})}, tmp_path / "k", None)
    assert [p.name for p in written] == ["kodet_2024.csv"] and not identity_path(written[0]).exists()
