"""Year + running-number respondent ids are not phone numbers; ``summary --coded`` takes ``textmine code`` output."""

import json

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from textmine.classify.table import pii_in_columns
from textmine.cli import app
from textmine.preprocess import redact

PHONE = "91234567"


# -- finding 5: ids like 2024-0001 ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["2024-0001", "1999-0420", "lopenr 2024-0001 svarte", "R-2024-0001", "2024/0001",
                                  "R-000123", "takk for svar (2030-1234)"])
def test_year_serial_ids_are_not_redacted(text):
    assert redact(text) == (text, redact(text)[1]) and not sum(redact(text)[1].values())


@pytest.mark.parametrize("text", ["ring meg på 2024-0001", "tlf 2024-0001", "mitt nummer er 2024-0001",
                                  "2233-4455", "9123-4567", "22 33 44 55", "412 34 567", "41234567", "+47 2024 0001",
                                  "0047 41234567", "2024 0001", "ring 2024 0001"])
def test_phone_numbers_are_still_redacted(text):
    out, counts = redact(text)
    assert counts["telefon"] == 1 and "[TELEFON]" in out


def test_id_columns_are_not_reported_as_personal_data():
    n = 40
    df = pd.DataFrame({
        "lopenr": [f"2024-{i:04d}" for i in range(1, n + 1)],
        "glued": [f"2024{i:04d}" for i in range(1, n + 1)],  # 8 digits: phone-shaped alone, an id in this column
        "mobil": [f"9{i:07d}" for i in range(1, n + 1)],
        "kommentar": [f"ring meg på {PHONE}" if i == 0 else "bra" for i in range(n)],
    })
    assert pii_in_columns(df) == {"mobil": n, "kommentar": 1}
    mixed = pd.DataFrame({"nr": ["20240001", "20240002", "41234567", "92345678", "45678901"]})
    assert pii_in_columns(mixed) == {"nr": 5}  # most values are not year ids: every phone-shaped cell counts


def test_clean_neither_warns_about_nor_destroys_year_ids(tmp_path):
    src = tmp_path / "in.csv"
    pd.DataFrame({"lopenr": [f"2024-{i:04d}" for i in range(1, 21)],
                  "ft": [f"ring meg på {PHONE}" if i == 3 else "Lang ventetid" for i in range(20)],
                  "notat": [f"tlf {PHONE}" if i == 5 else "" for i in range(20)]}).to_csv(src, index=False)
    r = CliRunner().invoke(app, ["clean", str(src), "--text-col", "ft", "--out", str(tmp_path / "o.csv")])
    assert r.exit_code == 0, r.output
    assert "notat (1 cell)" in r.output and "lopenr" not in r.output and PHONE not in r.output
    r = CliRunner().invoke(app, ["clean", str(src), "--text-col", "ft", "--redact-col", "lopenr",
                                 "--out", str(tmp_path / "o2.csv")])
    assert r.exit_code == 0, r.output
    out = pd.read_csv(tmp_path / "o2.csv", dtype=str)
    assert out["lopenr"].tolist() == [f"2024-{i:04d}" for i in range(1, 21)]


# -- finding 6: summary --coded with `textmine code` output ----------------------------------------------------------

def _survey(tmp_path, n=60):
    spec = {
        "name": "bruker", "id": "lopenr", "wave": "aar", "min_cell": 5,
        "indicators": [{"id": "fornoyd", "column": "q1", "scale": [1, 5]}],
        "free_text": [{"column": "ft_a", "label": "Hvorfor?"}, {"column": "ft_b", "label": "Andre kommentarer?"}],
    }
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    waves, coded = [], []
    rng = np.random.default_rng(3)
    for year in (2024, 2025):
        ft_a = ["" if i % 2 else f"Telefonkøen er for lang, ring meg på {PHONE}" if i == 0 else "Telefonkøen er lang"
                for i in range(n)]
        df = pd.DataFrame({"lopenr": [f"{year}-{i:04d}" for i in range(1, n + 1)], "aar": year,
                           "q1": rng.integers(1, 6, n), "ft_a": ft_a, "ft_b": ["Takk" if i % 3 == 0 else ""
                                                                                for i in range(n)]})
        p = tmp_path / f"w{year}.csv"
        df.to_csv(p, index=False)
        waves.append(p)
        # what `textmine code w.csv --text-col ft_a --keep-raw-text` writes: the input columns + the coding
        tel = np.array([int(i % 4 == 0 and t != "") for i, t in enumerate(ft_a)])
        out = df.assign(theme_telefon=tel, theme_annet=0, score_telefon=tel * 0.9, score_annet=0.0,
                        themes=np.where(tel == 1, "telefon", ""), confidence=0.9, needs_review=0, type="klage")
        cp = tmp_path / f"coded{year}.csv"
        out.to_csv(cp, index=False)
        coded.append(cp)
    return tmp_path / "s.yaml", waves, coded


def _summary(tmp_path, survey, waves, coded_args):
    args = ["summary", *map(str, waves), "--survey", str(survey), "--out", str(tmp_path / "out"), "--quiet",
            "--embedder", "fallback"]
    for c in coded_args:
        args += ["--coded", str(c)]
    return CliRunner().invoke(app, args)


def test_summary_takes_code_output_per_wave_and_question(tmp_path):
    survey, waves, coded = _survey(tmp_path)
    r = _summary(tmp_path, survey, waves, [f"ft_a={coded[1]}", f"ft_a={coded[0]}"])  # wave from the file
    assert r.exit_code == 0, r.output
    th = pd.read_csv(tmp_path / "out" / "themes.csv")
    k = th[(th.question == "ft_a") & (th.theme == "telefon") & (th.denominator == "kommentatorer")
           & (th.segment == "Totalt")].set_index("wave")
    assert k.loc[2024, "n"] == 30 and k.loc[2024, "count"] == 15 and k.loc[2025, "count"] == 15
    assert "ft_b" in r.output  # its answers have no coded row: the summary says so
    for f in (tmp_path / "out").iterdir():  # the raw text of the file is cleaned again: no phone number out
        if f.suffix in (".csv", ".json"):
            assert PHONE not in f.read_text(encoding="utf-8"), f.name
    assert json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))["waves"] == [2024, 2025]


def test_summary_code_output_needs_the_question_when_ambiguous(tmp_path):
    survey, waves, coded = _survey(tmp_path)
    r = _summary(tmp_path, survey, waves, coded)
    assert r.exit_code == 2 and "ft_a, ft_b" in r.output and f"--coded ft_a={coded[0]}" in r.output
    one = tmp_path / "one.csv"
    pd.read_csv(coded[0]).drop(columns=["ft_b"]).to_csv(one, index=False)  # only one free-text column: no prefix
    r = _summary(tmp_path, survey, waves[:1], [one])
    assert r.exit_code == 0, r.output
    r = _summary(tmp_path, survey, waves, [f"ft_a={coded[0]}", f"ft_a={coded[0]}"])
    assert r.exit_code == 2 and "wave 2024, question ft_a is given twice" in r.output


def test_summary_coded_error_names_the_command(tmp_path):
    survey, waves, _ = _survey(tmp_path)
    bad = tmp_path / "bad.csv"
    pd.read_csv(waves[0]).to_csv(bad, index=False)  # the wave itself, not coded
    r = _summary(tmp_path, survey, waves[:1], [bad])
    assert r.exit_code == 2 and "theme_<id>" in r.output and "textmine code WAVE --text-col QUESTION" in r.output
    help_text = CliRunner().invoke(app, ["summary", "--help"]).output
    assert "textmine code" in " ".join(help_text.split())


def test_numeric_columns_of_phones_or_personal_numbers_are_reported():
    from textmine.classify.table import pii_in_columns

    n = 30
    df = pd.DataFrame({
        "tlf": [91234567 + 7919 * i for i in range(n)],  # phone numbers read as integers
        "fnr": [24049210007] * n,  # a valid fødselsnummer read as an integer
        "lopenr": list(range(40000001, 40000001 + n)),  # consecutive ids that look like mobiles
        "orgnr": [987654325] * n,  # an organisation number: not personal data
        "vekt": [1.5] * n,
        "antall": list(range(n)),
    })
    assert pii_in_columns(df) == {"tlf": n, "fnr": n}
    assert pii_in_columns(df, skip=["tlf"]) == {"fnr": n}
