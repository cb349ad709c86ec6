"""Birth dates and personal links in the PII case set (``data/eval/pii_cases.csv``) and the redactor on them.

The case set holds the forms survey comments use ("født 03.04.1978", "fødselsdato 3/4-78", "f. 1978-04-03",
Facebook / LinkedIn / Instagram profiles, a personal homepage) and their near misses (meeting dates, periods,
public agencies' links), and the redactor catches every such positive while the near misses survive. A birth
date glued to the abbreviation "f." ("f.1978-04-03") was missed; "f.eks.", "f.o.m.", "jf.", "ref." stay cues for
nothing.
"""

from __future__ import annotations

import csv

import pytest

from textmine.paths import EVAL_DIR
from textmine.preprocess import redact

# The rows appended for birth dates and links (ids P0293-P0317).
FIRST_NEW, LAST_NEW = 293, 317
# Rows known to be over-redacted (none since public agencies' pages are on public_pages.txt).
KNOWN_OVER_REDACTED: set[str] = set()


def _cases() -> list[dict[str, str]]:
    with open(EVAL_DIR / "pii_cases.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _new_cases() -> list[dict[str, str]]:
    return [r for r in _cases() if FIRST_NEW <= int(r["id"][1:5]) <= LAST_NEW]


@pytest.mark.parametrize(
    "kind, is_pii, needle",
    [
        ("fodselsdato", "1", "født 03.04.1978"),
        ("fodselsdato", "1", "fødselsdato 3/4-78"),
        ("fodselsdato", "1", "f. 1978-04-03"),
        ("fodselsdato", "1", "f.1978-04-03"),
        ("lenke", "1", "facebook.com/"),
        ("lenke", "1", "linkedin.com/in/"),
        ("lenke", "1", "instagram.com/"),
        ("lenke", "1", "hjemmesiden"),
        ("fodselsdato", "0", "møte 03.04.2024"),
        ("fodselsdato", "0", "fra 1.1.2023"),
        ("lenke", "0", "nav.no/arbeidsgiver"),
    ],
)
def test_case_set_holds_the_form(kind, is_pii, needle):
    rows = [r for r in _cases() if r["pii_type"] == kind and r["is_pii"] == is_pii and needle in r["text"]]
    assert rows, f"pii_cases.csv: no {kind} row with is_pii={is_pii} whose text holds {needle!r}"


def test_new_rows_are_well_formed():
    rows = _new_cases()
    assert len(rows) == LAST_NEW - FIRST_NEW + 1, [r["id"] for r in rows]
    for r in rows:
        assert r["text"].count(r["value"]) == 1, f"{r['id']}: value {r['value']!r} must occur once in the text"


@pytest.mark.parametrize("row", [r for r in _new_cases() if r["id"] not in KNOWN_OVER_REDACTED], ids=lambda r: r["id"])
def test_redactor_scores_the_new_rows_right(row):
    out, _ = redact(row["text"])
    if row["is_pii"] == "1":
        assert row["value"] not in out, f"{row['id']}: {row['pii_type']} {row['value']!r} kept in {out!r}"
    else:
        assert row["value"] in out, f"{row['id']}: near miss {row['value']!r} redacted: {out!r}"


@pytest.mark.parametrize(
    "text, kept",
    [
        ("Vikaren (f.1978-04-03) fikk ikke lønn.", "Vikaren (f.[FØDSELSDATO]) fikk ikke lønn."),
        ("Ansatt f.03.04.1978 er sykmeldt.", "Ansatt f.[FØDSELSDATO] er sykmeldt."),
        ("Se f.eks.12.03.2024 i vedtaket.", "Se f.eks.12.03.2024 i vedtaket."),
        ("Gjelder f.o.m.01.03.2024 til 31.03.2024.", "Gjelder f.o.m.01.03.2024 til 31.03.2024."),
        ("Viser til jf.12.03.2024 og ref.03.04.2024.", "Viser til jf.12.03.2024 og ref.03.04.2024."),
        ("Ansatt (f.03.04) uten år.", "Ansatt (f.03.04) uten år."),  # after "f." only with a year
    ],
)
def test_birth_date_glued_to_f_abbreviation(text, kept):
    assert redact(text)[0] == kept
