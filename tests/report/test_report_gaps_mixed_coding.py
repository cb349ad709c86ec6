"""A change between a wave coded from --coded files and a machine-coded wave is marked on the change rows
themselves (HTML marker + footnote, Excel column «Merknad (koding)»), not only in the method notes."""

from __future__ import annotations

import re

import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml

from ..clitools import run_cli

N = 40


@pytest.fixture()
def study(tmp_path):
    spec = {"name": "bruker", "id": "lopenr", "wave": "aar", "min_cell": 5,
            "indicators": [{"id": "fornoyd", "column": "q1", "label": "Fornøyd", "scale": [1, 5]}],
            "free_text": [{"column": "ft_a", "label": "Hvorfor?"}, {"column": "ft_b", "label": "Andre kommentarer?"}]}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    rng = np.random.default_rng(5)
    waves, coded = [], []
    for year in (2024, 2025):
        text = ["Telefonkøen er lang" if i % 2 == 0 else "Greit nok" for i in range(N)]
        df = pd.DataFrame({"lopenr": [f"{year}-{i:03d}" for i in range(N)], "aar": year,
                           "q1": rng.integers(1, 6, N), "ft_a": text, "ft_b": text})
        p = tmp_path / f"w{year}.csv"
        df.to_csv(p, index=False)
        waves.append(p)
        tel = np.array([int(i % 2 == 0) for i in range(N)])
        cp = tmp_path / f"reviewed{year}.csv"
        df.drop(columns=["ft_b"]).assign(theme_telefon=tel, theme_annet=1 - tel,
                                         themes=np.where(tel == 1, "telefon", "annet"), confidence=1.0,
                                         needs_review=0, type="klage").to_csv(cp, index=False)
        coded.append(cp)
    return {"dir": tmp_path, "survey": tmp_path / "s.yaml", "waves": waves, "coded": coded}


def _report(st, out, *coded):
    args = [a for c in coded for a in ("--coded", str(c))]
    res = run_cli("report", *st["waves"], "--survey", st["survey"], "--coder", "keyword", "--out", st["dir"] / out,
                  *args)
    assert res.exit_code == 0, res.output
    return st["dir"] / out


def _change_sheet(folder) -> list[dict]:
    rows = list(openpyxl.load_workbook(folder / "rapport.xlsx")["Endring"].values)
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_mixed_coding_marks_the_affected_change_rows(study):
    out = _report(study, "one", f"ft_a={study['coded'][1]}")
    rows = _change_sheet(out)
    assert "Merknad (koding)" in rows[0], f"sheet «Endring»: no column «Merknad (koding)»: {list(rows[0])}"
    for r in rows:
        note = r["Merknad (koding)"] or ""
        if r["Type"] == "tema" and r["Spørsmål"] == "ft_a":
            assert note.startswith("Blandet koding (2024: kodet automatisk, 2025: lest fra filer)"), \
                f"theme change row {r['Hva']!r} of ft_a: expected the mixed-coding marker, got {note!r}"
        else:  # indicators (not coded) and ft_b (machine-coded in both waves) compare like with like
            assert not note, f"row {r['Type']} {r['Hva']!r} ({r['Spørsmål']}): unexpected marker {note!r}"
    assert any(r["Type"] == "tema" and r["Spørsmål"] == "ft_b" for r in rows), "expected ft_b change rows too"
    html = (out / "rapport.html").read_text(encoding="utf-8")
    section = html[html.index('id="endring"'):html.index('id="betydning"') if 'id="betydning"' in html else None]
    marked = re.findall(r'<tr class="mixed-coding"><th scope="row">([^<]+)', section)
    expected = [r["Hva"] for r in rows if r["Type"] == "tema" and r["Spørsmål"] == "ft_a"]
    marked = [m.strip() for m in marked]
    assert sorted(marked) == sorted(expected), f"HTML change rows marked {marked}, expected {expected}"
    assert section.count("†") == len(expected) + 1, "one † per marked row plus the footnote"
    assert "† Blandet koding" in section


def test_like_with_like_has_no_marker(study):
    out = _report(study, "both", f"ft_a={study['coded'][0]}", f"ft_a={study['coded'][1]}")
    assert not any(r.get("Merknad (koding)") for r in _change_sheet(out))
    html = (out / "rapport.html").read_text(encoding="utf-8")
    assert "mixed-coding" not in html and "Blandet koding" not in html


def test_mixed_coding_note_direction():
    from textmine.report.views import mixed_coding_note

    mixed = {"ft_a": {"read": ["2025"], "machine": ["2024"]}}
    assert "2024: kodet automatisk, 2025: lest fra filer" in mixed_coding_note("ft_a", 2024, 2025, mixed)
    assert mixed_coding_note("ft_b", "2024", "2025", mixed) == ""
    assert mixed_coding_note("ft_a", "2025", "2025", mixed) == ""


def test_report_says_in_the_terminal_which_questions_it_coded_itself(study):
    """With --coded for ft_a only, the report codes ft_b itself (textmine summary would leave it «ikke kodet»):
    the analyst is told so, per wave, not only in the published method section."""
    args = [a for c in study["coded"] for a in ("--coded", str(c))]
    res = run_cli("report", *study["waves"], "--survey", study["survey"], "--coder", "keyword",
                  "--out", study["dir"] / "r_note", *args)
    assert res.exit_code == 0, res.output
    flat = " ".join(res.output.split())
    for year in (2024, 2025):
        assert f"wave {year}: question(s) ft_b had no --coded file and are coded automatically" in flat, res.output
    assert "ft_a had no --coded" not in flat
