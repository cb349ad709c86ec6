"""User-survey review r4 (dec06e): the method note describes every indicator's positive definition (a Ja/Nei item
says which code counts), and a yes/no item has no «Snitt» (mean) in the report — in bokmål and nynorsk."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from textmine.report import report_from_summary
from textmine.report.views import method_lines
from textmine.summary import build_summary
from textmine.survey import SurveyDefinition

SURVEY = {
    "name": "uu", "id": "rid", "min_cell": 5, "excluded_codes": {9: "Vet ikke"},
    "indicators": [
        {"id": "tilfreds", "column": "tilfreds", "label": "Fornøyd med tilgjengeligheten?", "scale": [1, 5]},
        {"id": "hjelp", "column": "hjelp", "label": "Fikk du hjelpen du trengte?", "scale": [1, 2], "positive": [1]},
    ],
    "free_text": [{"column": "ft", "label": "Kommentarer?"}],
}
N = 80


def _data(labels: bool = False):
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"rid": [f"R-{i:03d}" for i in range(N)], "tilfreds": rng.choice([1, 2, 3, 4, 5, 9], N),
                       "hjelp": rng.choice([1, 2], N), "ft": [f"kommentar {i}" for i in range(N)]})
    if labels:  # as read from a .sav
        df.attrs["value_labels"] = {"hjelp": {1: "Ja", 2: "Nei"}}
    coded = pd.DataFrame({"respondent_id": df["rid"], "question": "ft", "text_clean": df["ft"], "is_non_answer": 0,
                          "theme_a": [i % 2 for i in range(N)]})
    return df, coded


@pytest.fixture(scope="module")
def survey():
    return SurveyDefinition.from_dict(SURVEY, warn=False)


def _report(survey, labels=False, language="nb"):
    df, coded = _data(labels)
    s = build_summary({2025: df}, survey, {2025: coded}, quotes=False)
    return report_from_summary(s, survey, frames={2025: df}, language=language)


def test_method_note_describes_every_indicator(survey):
    note = _report(survey).method["indicators"]
    assert "«Fornøyd med tilgjengeligheten?»" in note and "4–5 på skala 1–5" in note
    assert "«Fikk du hjelpen du trengte?»" in note  # not only the first indicator
    assert "svar 1" in note and "svar 2 teller ikke som positive" in note  # which code counts on a yes/no item
    assert note.count("«vet ikke»") == 2  # each indicator's excluded codes


def test_yes_no_item_names_the_counted_answer_by_its_value_label(survey):
    note = _report(survey, labels=True).method["indicators"]
    assert "«Ja (1)»" in note and "«Nei (2)»" in note


def test_method_note_in_nynorsk(survey):
    r = _report(survey, language="nn")
    text = dict(method_lines(r.method, "nn"))["Indikatorar"]
    assert "del positive = svar" in text and "tel ikkje som positive" in text and "haldne utanfor" in text
    assert "andel" not in text.lower() and "teller ikke" not in text


def test_mean_blank_for_yes_no_item_kept_for_real_scale(survey):
    ind = _report(survey).indicators
    assert ind.loc[ind["indicator_id"] == "hjelp", "mean"].isna().all()
    assert ind.loc[ind["indicator_id"] == "tilfreds", "mean"].notna().any()


# -- zero-shot share warnings of the run reach the report's method warnings (rapport.json, sheet «Metode») ---------

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


def test_cli_report_carries_zero_shot_share_warning_into_method_warnings(tmp_path, monkeypatch):
    import json

    import yaml
    from typer.testing import CliRunner

    import textmine.pipeline as pipeline
    from textmine.classify import ZeroShotCoder
    from textmine.cli import app
    from textmine.codebook import Codebook

    themes = [{"id": t, "label": t.capitalize(), "description": d, "keywords": [k]} for t, d, k in (
        ("trapp", "Trapper og rampe ved inngangen.", "trapper"), ("skilt", "Skilt og skilting i bygget.", "skilting"),
        ("nett", "Kommunens nettside og skjema.", "nettside"))]
    cb = Codebook.from_dict({"name": "uu", "version": "1", "types": ["klage", "ønske", "ros"], "themes": themes})
    (tmp_path / "kb.yaml").write_text(cb.to_yaml(), encoding="utf-8")
    coder = ZeroShotCoder(cb, _HashEmbedder())
    monkeypatch.setattr(pipeline, "coder_for", lambda **kw: coder)
    spec = {**SURVEY, "free_text": [{"column": "ft", "label": "Kommentarer?", "codebook": "kb.yaml"}]}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    df, _ = _data()
    df["ft"] = ["Trapper ved inngangen", "Bedre skilting i bygget", "Nettside med skjema", "Trapper uten rampe"] * 20
    df.to_csv(tmp_path / "w.csv", index=False)
    r = CliRunner().invoke(app, ["report", str(tmp_path / "w.csv"), "--survey", str(tmp_path / "s.yaml"),
                                 "--out", str(tmp_path / "out"), "--embedder", "fallback"])
    assert r.exit_code == 0, r.output
    got = json.loads((tmp_path / "out" / "rapport.json").read_text(encoding="utf-8"))["method"]["warnings"]
    text = got if isinstance(got, str) else "; ".join(got)
    assert "zero-shot coding with 3 theme(s)" in text and "(question ft)" in text
