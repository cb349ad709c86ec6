"""CLI privacy fixes (dec06g, red-team r1 findings 1, 4, 7, 8, 10, 11): a wave label holding personal data is
refused; a wave file name holding personal data never reaches the publishable outputs; a model folder name with
personal data is not printed in «Metode»; ``report --title`` is checked; survey-definition warnings come after
the personal-data check; and the CLI's error messages are redacted as the service's are."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from textmine.cli import app

FNR = "15038510190"
POISON = ("15038510190", "Nordmann", "NORDMANN", "HANSEN", "Ola_")


def _spec(**extra) -> dict:
    spec = {"name": "mini", "id": "rid", "wave": "wave", "weight": "vekt", "min_cell": 3,
            "segments": [{"column": "sektor", "levels": {"P": "Privat", "O": "Offentlig"}}],
            "indicators": [{"id": "helhet", "column": "q1", "scale": [1, 5]}],
            "free_text": [{"column": "ft"}]}
    spec.update(extra)
    if not spec["free_text"]:  # (the comments column stays in the files)
        spec["other_columns"] = ["ft"]
    return spec


def _survey(tmp_path: Path, **extra) -> Path:
    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump(_spec(**extra), allow_unicode=True), encoding="utf-8")
    return p


def _wave(path: Path, wave, n: int = 40, seed: int = 1, big_weight_row: int | None = None) -> Path:
    rng = np.random.default_rng(seed)
    vekt = np.round(rng.uniform(0.5, 1.5, n), 3).astype(object)
    if big_weight_row is not None:
        vekt[big_weight_row] = 99999  # (not the poison: the row-level export holds the weights)
    df = pd.DataFrame({"rid": [f"r{seed}-{i}" for i in range(n)], "wave": wave, "sektor": rng.choice(["P", "O"], n),
                       "vekt": vekt, "q1": rng.integers(1, 6, n),
                       "ft": ["Telefonkøen er lang og vi får ikke svar" if i % 2 else "Saksbehandlingen tar lang tid"
                              for i in range(n)]})
    df.to_csv(path, index=False)
    return path


def _texts(folder: Path) -> str:
    """Every output file's text (xlsx: every part of the zip)."""
    out = []
    for p in sorted(folder.rglob("*")):
        if not p.is_file():
            continue
        if p.suffix == ".xlsx":
            with zipfile.ZipFile(p) as z:
                out += [z.read(n).decode("utf-8", "replace") for n in z.namelist()]
        else:
            out.append(p.read_bytes().decode("utf-8", "replace"))
    return "\n".join(out)


def _run(args: list[str]):
    return CliRunner().invoke(app, [str(a) for a in args])


# ---------------------------------------------------------------- 1: wave labels
def test_summary_refuses_a_wave_label_with_personal_data(tmp_path):
    s = _survey(tmp_path, free_text=[])
    a = _wave(tmp_path / "w2022.csv", 2022)
    b = _wave(tmp_path / "wv.csv", f"HANSEN KARI {FNR}", seed=2)
    r = _run(["summary", a, b, "--survey", s, "--out", tmp_path / "o", "--no-quotes"])
    assert r.exit_code == 2, r.output
    err = r.stderr.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ")
    assert "column wave" in err[0] and "row 2" in err[0] and "personal data" in err[0]
    assert not any(x in r.output for x in POISON)
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_report_refuses_a_wave_label_with_personal_data(tmp_path):
    s = _survey(tmp_path)
    a = _wave(tmp_path / "w2022.csv", 2022)
    b = _wave(tmp_path / "wv.csv", f"Ola Nordmann {FNR}", seed=2)
    r = _run(["report", a, b, "--survey", s, "--out", tmp_path / "rep", "--coder", "keyword"])
    assert r.exit_code == 2, r.output
    assert "column wave" in r.stderr and "personal data" in r.stderr
    assert not any(x in r.output for x in POISON)
    assert not (tmp_path / "rep" / "rapport.html").exists()


def test_a_wave_label_from_a_personal_file_name_is_refused_by_the_library():
    from textmine.pipeline import check_wave_labels
    from textmine.survey import SurveyDefinition

    survey = SurveyDefinition.from_dict(_spec(), warn=False)
    df = pd.DataFrame({"rid": ["1"], "q1": [1]})  # no wave column: the wave is the file stem
    with pytest.raises(ValueError) as exc:
        check_wave_labels({"Kari_Nordmann_svar": df}, survey)
    assert "personal data" in str(exc.value) and "Kari" not in str(exc.value) and "Nordmann" not in str(exc.value)
    named = df.copy()
    named.attrs["source"] = "data/hansen_svar.csv"  # a surname on its own: the file-name rules
    with pytest.raises(ValueError, match="no wave column"):
        check_wave_labels({"hansen_svar": named}, survey)
    check_wave_labels({2023: df, "høst 2024": df, 20240115: df}, survey)  # ordinary labels (a date too) pass
    labelled = df.assign(wave="Anna 2024")  # «anna» (nynorsk) in a label: a word, as the service reads it
    check_wave_labels({"Anna 2024": labelled}, survey)


# ---------------------------------------------------------------- 4: the wave file's name
def test_a_personal_wave_file_name_stays_out_of_the_summary_files(tmp_path):
    s = _survey(tmp_path, free_text=[])
    a = _wave(tmp_path / "w2022.csv", 2022)
    b = _wave(tmp_path / f"Ola_Nordmann_{FNR}.csv", 2023, seed=2, big_weight_row=5)
    r = _run(["summary", a, b, "--survey", s, "--out", tmp_path / "o", "--no-quotes", "--quiet"])
    assert r.exit_code == 0, r.output
    text = _texts(tmp_path / "o")
    assert "implausibly large weight" in text  # the warning is kept …
    assert not any(x in text for x in POISON)  # … without the file's name


def test_an_ordinary_wave_file_name_is_still_named(tmp_path):
    s = _survey(tmp_path, free_text=[])
    a = _wave(tmp_path / "w2022.csv", 2022)
    b = _wave(tmp_path / "svar_2023.csv", 2023, seed=2, big_weight_row=5)
    r = _run(["summary", a, b, "--survey", s, "--out", tmp_path / "o", "--no-quotes", "--quiet"])
    assert r.exit_code == 0, r.output
    summary = json.loads((tmp_path / "o" / "summary.json").read_text(encoding="utf-8"))
    assert any("svar_2023.csv" in w and "implausibly large" in w for w in summary["warnings"])


def test_a_personal_wave_file_name_stays_out_of_the_report(tmp_path):
    s = _survey(tmp_path)
    a = _wave(tmp_path / "w2022.csv", 2022)
    b = _wave(tmp_path / f"Ola_Nordmann_{FNR}.csv", 2023, seed=2, big_weight_row=5)
    r = _run(["report", a, b, "--survey", s, "--out", tmp_path / "rep", "--coder", "keyword"])
    assert r.exit_code == 0, r.output
    data = json.loads((tmp_path / "rep" / "rapport.json").read_text(encoding="utf-8"))
    assert "implausibly large weight" in json.dumps(data, ensure_ascii=False)
    for name in ("rapport.json", "rapport.html", "rapport.xlsx"):
        text = _texts(tmp_path / "rep") if name == "rapport.xlsx" else (tmp_path / "rep" / name).read_text("utf-8")
        assert not any(x in text for x in POISON), name


# ---------------------------------------------------------------- 7: the model folder's name
def test_the_model_note_hides_a_personal_model_folder_name():
    from textmine.report.pipeline import KeywordCoder, _describe_coder

    coder = KeywordCoder()
    hidden = _describe_coder(coder, Path("/tmp/models") / f"Ola_Nordmann_{FNR}")
    assert "modellmappe" in hidden and "navn skjult" in hidden and not any(x in hidden for x in POISON)
    assert _describe_coder(coder, Path("models/fast")).endswith("modellmappe fast")


# ---------------------------------------------------------------- 8: --title
def test_report_refuses_a_title_with_personal_data(tmp_path):
    s = _survey(tmp_path)
    a = _wave(tmp_path / "w2022.csv", 2022)
    r = _run(["report", a, "--survey", s, "--out", tmp_path / "rep", "--coder", "keyword",
              "--title", f"Rapport Ola Nordmann {FNR}"])
    assert r.exit_code == 2, r.output
    assert "--title" in r.stderr and "personal data" in r.stderr
    assert not any(x in r.output for x in POISON)
    assert not (tmp_path / "rep" / "rapport.html").exists()


# ---------------------------------------------------------------- 10: warnings after the personal-data check
def test_definition_warnings_are_not_printed_before_the_personal_data_refusal(tmp_path):
    s = _survey(tmp_path, free_text=[], indicators=[
        {"id": "helhet", "column": "q1", "scale": [1, 5]},
        {"id": f"kontakt_ola_nordmann_{FNR}", "column": "q2", "scale": [1, 2]}])
    a = _wave(tmp_path / "w2022.csv", 2022)
    r = _run(["summary", a, "--survey", s, "--out", tmp_path / "o"])
    assert r.exit_code == 2, r.output
    assert "warning:" not in r.stderr and "indicators[1].id" in r.stderr
    assert not any(x in r.output for x in POISON)


def test_definition_warnings_are_still_printed_for_a_clean_definition(tmp_path):
    s = _survey(tmp_path, free_text=[], indicators=[
        {"id": "helhet", "column": "q1", "scale": [1, 5]}, {"id": "kontakt", "column": "q2", "scale": [1, 2]}])
    a = _wave(tmp_path / "w2022.csv", 2022)
    r = _run(["summary", a, "--survey", s, "--out", tmp_path / "o"])  # fails later (q2 missing)
    assert "warning:" in r.stderr and "kontakt" in r.stderr


# ---------------------------------------------------------------- 11: error messages redacted
def test_cli_error_messages_are_redacted(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(dict(_spec(), **{FNR: 1})), encoding="utf-8")
    a = _wave(tmp_path / "w2022.csv", 2022)
    r = _run(["summary", a, "--survey", bad, "--out", tmp_path / "o"])
    assert r.exit_code == 2 and "unknown key" in r.stderr and FNR not in r.output
    s = _survey(tmp_path, free_text=[], min_cell=f"{FNR} ola.nordmann@example.no")
    r = _run(["summary", a, "--survey", s, "--out", tmp_path / "o"])
    assert r.exit_code == 2 and "min_cell" in r.stderr
    assert FNR not in r.output and "ola.nordmann" not in r.output


def test_codebook_wave_error_is_redacted(tmp_path):
    s = _survey(tmp_path)
    a = _wave(tmp_path / "w2022.csv", 2022)
    from textmine.paths import DEFAULT_CODEBOOK

    r = _run(["report", a, "--survey", s, "--out", tmp_path / "rep", "--coder", "keyword",
              "--codebook", f"{FNR}={DEFAULT_CODEBOOK}"])
    assert r.exit_code == 2, r.output
    assert FNR not in r.output


def test_wave_value_label_mismatch_message_is_redacted():
    from textmine.pipeline import check_wave_labels
    from textmine.survey import SurveyDefinition

    survey = SurveyDefinition.from_dict(_spec(), warn=False)
    a = pd.DataFrame({"rid": ["1"], "q1": [1]})
    a.attrs.update(source="w2022.sav", value_labels={"q1": {1: "Ja", 2: "Nei"}})
    b = pd.DataFrame({"rid": ["2"], "q1": [1]})
    b.attrs.update(source="w2023.sav", value_labels={"q1": {1: "Ja, ring Ola Nordmann 91234567", 2: f"Nei {FNR}"}})
    with pytest.raises(ValueError) as exc:
        check_wave_labels({2022: a, 2023: b}, survey)
    msg = str(exc.value)
    assert "value labels differ" in msg and "code 1" in msg
    assert not any(x in msg for x in (FNR, "91234567", "Nordmann"))
