"""The published report keeps the personal data the red team planted (dec 7) out of every file: an SPSS
user-missing code's value label («Per Hansen 91234567», shown as «kode 9 (etikett skjult)» in «Metode») and a
stray ``theme_<id>`` column of a ``--coded`` file (no theme of the report, nor a variable of kodede_svar.sav)."""


import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from textmine.cli import app
from textmine.codebook import Codebook

from ..clitools import output_texts

N = 80
THEMES = ("ventetid", "telefon")


def _survey(tmp_path, **kw):
    spec = {"name": "klient", "id": "respondent_id", "wave": "wave", "min_cell": 5,
            "segments": [{"column": "sektor", "label": "Sektor", "levels": {1: "Privat", 2: "Offentlig"}}],
            "indicators": [{"id": "helhet", "column": "q_helhet", "label": "Fornøyd", "scale": [1, 6]}], **kw}
    p = tmp_path / "survey.yaml"
    p.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return p


def _frame():
    q = np.random.default_rng(7).integers(1, 7, N).astype(float)
    return pd.DataFrame({"respondent_id": [f"r{i:03d}" for i in range(N)], "wave": 2024.0,
                         "sektor": (np.arange(N) % 2 + 1).astype(float), "q_helhet": q})


def _report(tmp_path, *args):
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["report", *args, "--out", str(out), "--coder", "keyword", "--embedder", "fallback"])
    assert r.exit_code == 0, r.output
    return r.output, out


def test_report_of_a_sav_hides_a_missing_code_label_with_personal_data(tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    df = _frame()
    df.loc[:3, "q_helhet"], df.loc[4:6, "q_helhet"] = 7.0, 9.0
    sav = tmp_path / "w.sav"
    pyreadstat.write_sav(df, str(sav), variable_value_labels={"q_helhet": {7: "Vet ikke", 9: "Per Hansen 91234567"}},
                         missing_ranges={"q_helhet": [7, 8, 9]})
    output, out = _report(tmp_path, str(sav), "--survey", str(_survey(tmp_path)))
    assert "9 (value label hidden: personal data)" in output
    html = (out / "rapport.html").read_text(encoding="utf-8")
    assert "«kode 9 (etikett skjult)» er holdt utenfor grunnlaget" in html and "«vet ikke»" in html.lower()
    for text in (output.lower(), output_texts(out)):
        assert "hansen" not in text and "91234567" not in text


def test_report_with_a_stray_theme_column_in_the_coded_file(tmp_path):
    cb = Codebook.from_dict({"name": "kb", "version": "1", "themes": [
        {"id": t, "label": t.capitalize(), "description": f"Om {t}.", "keywords": [t]} for t in THEMES]})
    (tmp_path / "kb.yaml").write_text(cb.to_yaml(), encoding="utf-8")
    sp = _survey(tmp_path, free_text=[{"column": "ft", "label": "Kommentar", "codebook": "kb.yaml"}])
    df = _frame()
    df["ft"] = "Lang ventetid på telefon"
    df.to_csv(tmp_path / "w.csv", index=False)
    coded = pd.DataFrame({"respondent_id": df.respondent_id, "question": "ft", "text_clean": df.ft,
                          "is_non_answer": 0, "theme_ventetid": np.arange(N) % 2, "theme_telefon": 1,
                          "theme_kari_nordmann_91234567": 1})
    coded.to_csv(tmp_path / "coded.csv", index=False)
    output, out = _report(tmp_path, str(tmp_path / "w.csv"), "--survey", str(sp), "--coded",
                          str(tmp_path / "coded.csv"))
    assert "1 theme_<id>/score_<id> column(s) of themes not in the codebook (navn skjult)" in output
    for text in (output.lower(), output_texts(out)):
        assert "kari" not in text and "91234567" not in text
    pyreadstat = pytest.importorskip("pyreadstat")
    rows, _ = pyreadstat.read_sav(str(out / "kodede_svar.sav"))
    assert sorted(c for c in rows.columns if c.startswith("theme_")) == sorted(f"theme_{t}" for t in THEMES)
