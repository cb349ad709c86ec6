"""Personal data that reached the published summary (red team, dec 7): an SPSS user-missing code's value label
(«Per Hansen 91234567») merged into the definition, a stray ``theme_<id>`` column of a ``--coded`` file taken as a
theme, and the names of unknown columns (``allow_unknown_columns``) in the validation warning."""

import json

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from textmine.cli import app
from textmine.codebook import Codebook
from textmine.io import _spss_missing_text, read_table
from textmine.summary import build_summary
from textmine.survey import SurveyDefinition, SurveyDefinitionError

from ..clitools import output_texts

N = 80
PII_LABEL = "Per Hansen 91234567"
LABELS = {1: "Svært misfornøyd", 2: "Misfornøyd", 3: "Litt misfornøyd", 4: "Litt fornøyd", 5: "Fornøyd",
          6: "Svært fornøyd", 7: "Vet ikke", 8: "Ikke aktuelt", 9: PII_LABEL}
THEMES = ("ventetid", "telefon")
STRAY = "theme_kari_nordmann_91234567"


def _spec(**kw):
    spec = {"name": "klient", "id": "respondent_id", "wave": "wave", "min_cell": 5,
            "segments": [{"column": "sektor", "label": "Sektor", "levels": {1: "Privat", 2: "Offentlig"}}],
            "indicators": [{"id": "helhet", "column": "q_helhet", "label": "Fornøyd", "scale": [1, 6]}]}
    spec.update(kw)
    return spec


def _survey(tmp_path, **kw):
    p = tmp_path / "survey.yaml"
    p.write_text(yaml.safe_dump(_spec(**kw), allow_unicode=True), encoding="utf-8")
    return p, SurveyDefinition.from_yaml(p)


def _frame():
    q = np.random.default_rng(7).integers(1, 7, N).astype(float)
    q[:4], q[4:6], q[6:9] = 7.0, 8.0, 9.0
    return pd.DataFrame({"respondent_id": [f"r{i:03d}" for i in range(N)], "wave": 2024.0,
                         "sektor": (np.arange(N) % 2 + 1).astype(float), "q_helhet": q})


# -- 1: SPSS missing-value labels -----------------------------------------------------------------------------------

def _sav(tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    p = tmp_path / "w.sav"
    pyreadstat.write_sav(_frame(), str(p), variable_value_labels={"q_helhet": LABELS},
                         missing_ranges={"q_helhet": [7, 8, 9]})
    return p


def test_missing_code_label_with_personal_data_is_hidden_but_the_code_stays_excluded(tmp_path):
    _, sd = _survey(tmp_path)
    df = read_table(_sav(tmp_path), survey=sd, user_missing="excluded")
    s = build_summary({2024: df}, sd, quotes=False, drivers=False)
    labels = s.definition.excluded_labels
    assert labels[9] == "kode 9 (etikett skjult)" and labels[7] == "Vet ikke"
    total = s.tables["indicators"].query("segment == 'Totalt'").iloc[0]
    assert total["n_excluded"] == 9  # codes 7, 8 and 9: all still left out of the base
    text = " ".join(s.warnings)
    assert "9 (value label hidden: personal data)" in text and "7 «Vet ikke»" in text
    assert "hansen" not in text.lower() and "91234567" not in text


@pytest.mark.parametrize("label", [PII_LABEL, "per_hansen_91234567"])
def test_missing_codes_note_never_quotes_a_personal_label(label):
    note = _spss_missing_text([7, 9], {7: "Vet ikke", 9: label})
    assert note == "[7 «Vet ikke», 9 (value label hidden: personal data)]"


def test_cli_summary_of_the_sav_says_the_label_is_hidden_without_it(tmp_path):
    sp, _ = _survey(tmp_path)
    r = CliRunner().invoke(app, ["summary", str(_sav(tmp_path)), "--survey", str(sp), "--out", str(tmp_path / "o"),
                                 "--quiet", "--no-quotes"])
    assert r.exit_code == 0, r.output
    assert "value label hidden" in r.output
    for text in (r.output.lower(), output_texts(tmp_path / "o")):
        assert "hansen" not in text and "91234567" not in text


# -- 2: theme_<id> columns the codebook lacks -----------------------------------------------------------------------

def _with_text(tmp_path):
    cb = Codebook.from_dict({"name": "kb", "version": "1", "themes": [
        {"id": t, "label": t.capitalize(), "description": f"Om {t}.", "keywords": [t]} for t in THEMES]})
    (tmp_path / "kb.yaml").write_text(cb.to_yaml(), encoding="utf-8")
    sp, sd = _survey(tmp_path, free_text=[{"column": "ft", "label": "Kommentar", "codebook": "kb.yaml"}])
    df = _frame().assign(q_helhet=lambda d: d.q_helhet.clip(upper=6))
    df["ft"] = "Lang ventetid på telefon"
    coded = pd.DataFrame({"respondent_id": df.respondent_id, "question": "ft", "text_clean": df.ft,
                          "is_non_answer": 0, "theme_ventetid": np.arange(N) % 2,
                          "theme_telefon": (np.arange(N) % 3 == 0).astype(int),
                          STRAY: 1, "theme_ekstra": 1, "score_kari_nordmann_91234567": 0.9})
    return sp, sd, cb, df, coded


def test_only_the_codebooks_themes_are_taken_and_the_warning_names_no_personal_data(tmp_path):
    _, sd, cb, df, coded = _with_text(tmp_path)
    for kw in ({"codebooks": {2024: cb}}, {"theme_labels": {t.id: t.label for t in cb.themes}}):
        s = build_summary({2024: df}, sd, {2024: coded}, quotes=False, drivers=False, **kw)
        assert set(s.tables["themes"]["theme"]) == set(THEMES)
        assert s.meta["themes"] == list(THEMES)
        stray = [w for w in s.warnings if "not in the codebook" in w]
        assert len(stray) == 1 and "3 theme_<id>/score_<id> column(s)" in stray[0]
        assert "theme_ekstra" in stray[0] and "navn skjult" in stray[0]
        blob = json.dumps(s.meta, default=str) + " ".join(s.warnings) + s.tables["themes"].to_csv()
        assert "kari" not in blob.lower() and "91234567" not in blob
    assert STRAY in coded.columns  # the caller's frame is left as given


def test_without_a_codebook_a_theme_id_holding_personal_data_is_still_left_out(tmp_path):
    _, sd, _, df, coded = _with_text(tmp_path)
    s = build_summary({2024: df}, sd, {2024: coded}, quotes=False, drivers=False)
    assert set(s.tables["themes"]["theme"]) == {*THEMES, "ekstra"}
    assert any("2 theme_<id>/score_<id> column(s)" in w and "(navn skjult, navn skjult)" in w for w in s.warnings)


def test_cli_summary_with_a_stray_theme_column(tmp_path):
    sp, _, _, df, coded = _with_text(tmp_path)
    df.to_csv(tmp_path / "w.csv", index=False)
    coded.to_csv(tmp_path / "coded.csv", index=False)
    r = CliRunner().invoke(app, ["summary", str(tmp_path / "w.csv"), "--survey", str(sp), "--coded",
                                 str(tmp_path / "coded.csv"), "--out", str(tmp_path / "o"), "--quiet", "--embedder",
                                 "fallback"])
    assert r.exit_code == 0, r.output
    assert r.output.count("not in the codebook") == 1
    for text in (r.output.lower(), output_texts(tmp_path / "o")):
        assert "kari" not in text and "91234567" not in text
    assert set(pd.read_csv(tmp_path / "o" / "themes.csv")["theme"]) == set(THEMES)


# -- 3: names of unknown columns ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, shown", [("Ola Nordmann 91234567", "[NAVN] [TELEFON]"),
                                         ("ola_nordmann_91234567", "[navn skjult]")])
def test_unknown_column_names_with_personal_data_are_masked(tmp_path, name, shown):
    _, sd = _survey(tmp_path, allow_unknown_columns=True)
    df = _frame().assign(q_helhet=lambda d: d.q_helhet.clip(upper=6), ekstra=1, **{name: "x"})
    df.attrs["source"] = "w.csv"
    got = [w for w in sd.validate_frame(df) if "unknown column" in w]
    assert got == [f"w.csv: unknown column(s) ekstra, {shown} not declared in the survey definition"]
    with pytest.raises(SurveyDefinitionError) as e:
        sd.validate_frame(df, strict=True)
    assert "nordmann" not in str(e.value).lower() and shown in str(e.value)


def test_cli_summary_masks_unknown_column_names(tmp_path):
    sp, _ = _survey(tmp_path, allow_unknown_columns=True)
    df = _frame().assign(q_helhet=lambda d: d.q_helhet.clip(upper=6), **{"Ola Nordmann 91234567": "x",
                                                                          "ola_nordmann_41234567": "y"})
    df.to_csv(tmp_path / "w.csv", index=False)
    r = CliRunner().invoke(app, ["summary", str(tmp_path / "w.csv"), "--survey", str(sp), "--out",
                                 str(tmp_path / "o"), "--quiet", "--no-quotes"])
    assert r.exit_code == 0, r.output
    assert "unknown column(s) [NAVN] [TELEFON], [navn skjult] not declared" in r.output
    for text in (r.output.lower(), output_texts(tmp_path / "o")):
        assert "nordmann" not in text and "91234567" not in text and "41234567" not in text
