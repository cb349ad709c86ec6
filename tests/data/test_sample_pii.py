"""Planted personal data: present verbatim, checksum-valid, and hard negatives left unlisted."""

from __future__ import annotations

import re

import pytest

PII_TYPES = {"fodselsnummer", "dnummer", "telefon", "epost", "kontonummer", "orgnummer", "adresse", "navn"}


def _control(digits: str, weights: list[int]) -> int | None:
    c = 11 - sum(int(d) * w for d, w in zip(digits, weights)) % 11
    return 0 if c == 11 else (None if c == 10 else c)


def valid_fnr(value: str) -> bool:
    d = re.sub(r"\D", "", value)
    if len(d) != 11:
        return False
    k1 = _control(d[:9], [3, 7, 6, 1, 8, 9, 4, 5, 2])
    k2 = _control(d[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
    return k1 == int(d[9]) and k2 == int(d[10])


def valid_account(value: str) -> bool:
    d = re.sub(r"\D", "", value)
    return len(d) == 11 and _control(d[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]) == int(d[10])


def valid_orgnr(value: str) -> bool:
    d = re.sub(r"\D", "", value)
    return len(d) == 9 and _control(d[:8], [3, 2, 7, 6, 5, 4, 3, 2]) == int(d[8])


def test_checksum_helpers_reject_a_changed_digit():
    assert valid_fnr("01010012356") and not valid_fnr("01010012357")
    assert valid_orgnr("974760673") and not valid_orgnr("974760674")


@pytest.mark.parametrize("year", [2022, 2023])
def test_planted_pii_is_in_the_listed_comment(waves, year):
    pii, lab = waves[year]["pii"], waves[year]["labels"]
    assert set(pii["pii_type"]) <= PII_TYPES
    merged = pii.merge(lab, on=["respondent_id", "question"], how="left", indicator=True)
    assert (merged["_merge"] == "both").all()
    assert merged.apply(lambda r: r["value"] in r["text"], axis=1).all()
    assert (merged["is_non_answer"] == 0).all()


def test_pii_volume_and_variety(waves):
    pii = {y: w["pii"] for y, w in waves.items()}
    for year, df in pii.items():
        n_comments = (waves[year]["labels"]["is_non_answer"] == 0).sum()
        share = df[["respondent_id", "question"]].drop_duplicates().shape[0] / n_comments
        assert 0.03 <= share <= 0.06, (year, share)
    import pandas as pd

    both = pd.concat(pii.values())
    assert set(both["pii_type"]) == PII_TYPES
    assert both["value"].str.fullmatch(r"\d{6} \d{5}").any(), "some fnr written with a space"


def test_identity_numbers_are_checksum_valid(waves):
    for w in waves.values():
        pii = w["pii"]
        for kind, check in (("fodselsnummer", valid_fnr), ("dnummer", valid_fnr), ("kontonummer", valid_account),
                            ("orgnummer", valid_orgnr)):
            values = pii.loc[pii["pii_type"] == kind, "value"]
            assert values.map(check).all(), (kind, values[~values.map(check)].tolist())
        dnr = pii.loc[pii["pii_type"] == "dnummer", "value"].str.replace(" ", "")
        assert dnr.str[0].astype(int).between(4, 7).all()


def test_eleven_digit_hard_negatives_are_not_listed(waves):
    negatives = 0
    for w in waves.values():
        lab, pii = w["labels"], w["pii"]
        listed = set(pii["value"].str.replace(" ", ""))
        for text in lab["text"]:
            for run in re.findall(r"(?<![\d.])\d{6} ?\d{5}(?![\d.])", text):
                digits = run.replace(" ", "")
                if valid_fnr(digits):
                    assert digits in listed, f"valid fnr-like number not listed: {run}"
                else:
                    negatives += 1
    assert negatives >= 3
