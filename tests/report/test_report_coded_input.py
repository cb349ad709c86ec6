"""``textmine report --coded``: the report takes already coded (reviewed, corrected) answers, as ``textmine summary
--coded`` does, and does not re-code those questions; mismatched files give summary's one-line errors."""

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from ..clitools import assert_clean_fail, run_cli

PHONE = "91234567"
N = 60


@pytest.fixture()
def study(tmp_path):
    """s.yaml, two waves w2024.csv/w2025.csv (free text ft_a, ft_b) and, per wave, what `textmine code WAVE
    --text-col ft_a` writes (the wave's columns + the coding: every 4th ft_a answer coded telefon)."""
    spec = {"name": "bruker", "id": "lopenr", "wave": "aar", "weight": "vekt", "min_cell": 5,
            "segments": [{"column": "kjonn", "label": "Kjønn", "levels": {"K": "Kvinne", "M": "Mann"}}],
            "indicators": [{"id": "fornoyd", "column": "q1", "label": "Fornøyd", "scale": [1, 5]}],
            "free_text": [{"column": "ft_a", "label": "Hvorfor?"}, {"column": "ft_b", "label": "Andre kommentarer?"}]}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    rng = np.random.default_rng(7)
    waves, coded = [], []
    for year in (2024, 2025):
        ft_a = ["" if i % 2 else f"Telefonkøen er for lang, ring meg på {PHONE}" if i == 0 else "Telefonkøen er lang"
                for i in range(N)]
        df = pd.DataFrame({"lopenr": [f"{year}-{i:04d}" for i in range(1, N + 1)], "aar": year,
                           "kjonn": rng.choice(["K", "M"], N), "vekt": np.round(rng.uniform(0.5, 1.5, N), 3),
                           "q1": rng.integers(1, 6, N),
                           "ft_a": ft_a, "ft_b": ["Takk for hjelpen" if i % 3 == 0 else "" for i in range(N)]})
        p = tmp_path / f"w{year}.csv"
        df.to_csv(p, index=False)
        waves.append(p)
        tel = np.array([int(i % 4 == 0 and t != "") for i, t in enumerate(ft_a)])
        out = df.assign(theme_telefon=tel, theme_annet=1 - tel, score_telefon=tel * 0.9, score_annet=0.1,
                        themes=np.where(tel == 1, "telefon", "annet"), confidence=0.9, needs_review=0, type="klage")
        out.loc[out["ft_a"].eq(""), ["theme_annet", "themes"]] = [0, ""]
        cp = tmp_path / f"coded{year}.csv"
        out.to_csv(cp, index=False)
        coded.append(cp)
    return {"dir": tmp_path, "survey": tmp_path / "s.yaml", "waves": waves, "coded": coded}


def _coded_args(specs):
    args = []
    for s in specs:
        args += ["--coded", str(s)]
    return args


def _report(st, specs, out="o", *extra):
    return run_cli("report", *st["waves"], "--survey", st["survey"], "--coder", "keyword", "--out", st["dir"] / out,
                   *_coded_args(specs), *extra)


def _summary(st, specs, out="s"):
    return run_cli("summary", *st["waves"], "--survey", st["survey"], "--out", st["dir"] / out, "--quiet",
                   "--no-quotes", *_coded_args(specs))


def _count(out, wave, question, theme):
    """Commenters mentioning ``theme`` (overall) in the report's JSON and in its workbook's sheet «Temaer»."""
    j = json.loads((out / "rapport.json").read_text(encoding="utf-8"))
    rows = [t for t in j["themes"] if t["wave"] == str(wave) and t["question"] == question and t["theme"] == theme
            and t["segment_var"] == "Alle"]
    x = pd.read_excel(out / "rapport.xlsx", sheet_name="Temaer")
    xr = x[(x["Måling"].astype(str) == str(wave)) & (x["Spørsmål"] == question) & (x["Tema-id"] == theme)
           & (x["Segmentvariabel"] == "Alle")]
    assert len(rows) == 1 and len(xr) == 1
    assert rows[0]["count"] == xr["n (nevner temaet)"].iloc[0]
    return rows[0]["count"]


def test_report_uses_the_given_codes_and_a_correction_changes_its_numbers(study, monkeypatch):
    import textmine.pipeline

    def no_coding(*a, **k):
        raise AssertionError("re-coded a question whose codes were given")

    monkeypatch.setattr(textmine.pipeline, "code_wave", no_coding)  # every question below comes from a file
    st = study
    for p in st["coded"]:  # what `textmine code WAVE --text-col ft_b` writes: every ft_b answer coded annet
        df = pd.read_csv(p, keep_default_na=False)
        df.assign(theme_telefon=0, theme_annet=(df["ft_b"] != "").astype(int),
                  themes=np.where(df["ft_b"] != "", "annet", "")).to_csv(p.with_name(p.stem + "_b.csv"), index=False)
    specs = [f"ft_a={st['coded'][0]}", f"ft_b={st['coded'][0].with_name('coded2024_b.csv')}",
             f"ft_a={st['coded'][1]}", f"ft_b={st['coded'][1].with_name('coded2025_b.csv')}"]
    res = _report(st, specs, "before")
    assert res.exit_code == 0, res.output
    before = _count(st["dir"] / "before", 2025, "ft_a", "telefon")
    assert before == 15  # rows 0, 4, 8, … of the 30 answers
    j = json.loads((st["dir"] / "before" / "rapport.json").read_text(encoding="utf-8"))
    assert "lest fra ferdig kodede filer" in j["method"]["coding"]

    corrected = st["dir"] / "coded2025_corrected.csv"  # the analyst un-codes one telefon comment
    df = pd.read_csv(st["coded"][1], keep_default_na=False)
    row = df.index[df["theme_telefon"] == 1][1]
    df.loc[row, ["theme_telefon", "theme_annet", "themes"]] = [0, 1, "annet"]
    df.to_csv(corrected, index=False)
    res = _report(st, [*specs[:2], f"ft_a={corrected}", specs[3]], "after")
    assert res.exit_code == 0, res.output
    assert _count(st["dir"] / "after", 2025, "ft_a", "telefon") == before - 1
    assert _count(st["dir"] / "after", 2025, "ft_a", "annet") == _count(st["dir"] / "before", 2025, "ft_a", "annet") + 1
    assert _count(st["dir"] / "after", 2024, "ft_a", "telefon") == _count(st["dir"] / "before", 2024, "ft_a", "telefon")
    # the row-level export carries the corrected code
    rows = pd.read_excel(st["dir"] / "after" / "kodede_svar.xlsx", sheet_name="Kodede svar", skiprows=1)
    a25 = rows[(rows["Måling"].astype(str) == "2025") & (rows["Spørsmål"] == "ft_a")]
    assert (a25["Temaer"].fillna("") == "telefon").sum() == before - 1
    # the file's raw text is cleaned again: no phone number in any output
    for f in (st["dir"] / "after").iterdir():
        if f.suffix in (".html", ".json"):
            assert PHONE not in f.read_text(encoding="utf-8"), f.name


def test_report_codes_only_the_questions_without_given_codes(study):
    st = study
    res = _report(st, [f"ft_a={st['coded'][0]}", f"ft_a={st['coded'][1]}"])
    assert res.exit_code == 0, res.output
    out = st["dir"] / "o"
    assert _count(out, 2025, "ft_a", "telefon") == 15  # from the file
    j = json.loads((out / "rapport.json").read_text(encoding="utf-8"))
    b = [t for t in j["themes"] if t["question"] == "ft_b" and t["segment_var"] == "Alle"]
    assert b and max(t["base"] for t in b) == 20  # ft_b coded here (20 answers per wave), not left uncoded
    assert "«Hvorfor?» (måling 2024, 2025)" in j["method"]["coding"] and "kodet automatisk" in j["method"]["coding"]


@pytest.mark.parametrize("case", ["ambiguous", "twice", "not_coded", "long_count"])
def test_report_coded_mismatch_gives_the_summary_error(study, case):
    st = study
    if case == "ambiguous":  # the files hold ft_a and ft_b: which one was coded?
        specs = list(st["coded"])
    elif case == "twice":
        specs = [f"ft_a={st['coded'][0]}", f"ft_a={st['coded'][0]}"]
    elif case == "not_coded":  # the wave file itself
        specs = [f"ft_a={st['waves'][0]}"]
    else:  # long tables: one per wave
        long = st["dir"] / "long.csv"
        pd.DataFrame({"respondent_id": ["2024-0001"], "question": ["ft_a"], "text_clean": ["x"],
                      "theme_telefon": [1]}).to_csv(long, index=False)
        specs = [long]
    rep, summ = _report(st, specs), _summary(st, specs)
    assert_clean_fail(summ)
    line = " ".join(summ.output.split())
    assert line.startswith("error: ")
    assert_clean_fail(rep, line)
    assert not (st["dir"] / "o" / "rapport.html").exists()


def test_report_help_names_coded():
    res = run_cli("report", "--help")
    flat = " ".join(res.output.split())
    assert "--coded" in flat and "textmine code" in flat
