"""Integrity checks for the hand-written evaluation sets in ``data/eval/``.

The eval sets are ground truth for other components, so a broken label, a stray theme id or a wrong
checksum claim would silently corrupt every metric measured on them. These tests are fast (pure CSV).
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from textmine.preprocess import PII_TYPES as REDACTOR_PII_TYPES

EVAL_DIR = Path(__file__).resolve().parents[2] / "data" / "eval"
CODEBOOK = Path(__file__).resolve().parents[2] / "data" / "codebooks" / "arbeidsgiver.yaml"

# The 16 theme ids fixed by the team contract.
CONTRACT_THEMES = (
    "telefon", "saksbehandlingstid", "refusjon", "sykefravaersoppfolging", "kontaktperson",
    "digitale_tjenester", "regelverk_sprak", "kompetanse", "samhandling", "ia_forebygging",
    "rekruttering", "tiltak", "lege_sykmelding", "permittering", "ros", "annet",
)
SMALL_THEMES = {"annet", "permittering"}
PII_TYPES = set(REDACTOR_PII_TYPES)  # every type the redactor knows needs cases (the README lists them)
# a birth date counts only right after a birth cue; a link's value is the URL without trailing punctuation
BIRTH_CUE = re.compile(
    r"(?:født|fødd|f\.|f\.dato|fødselsdato(?:en)?|dob|date of birth)\W*(?:(?:den|i|er)\s+)?$", re.IGNORECASE)

W_FNR_1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
W_11 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
W_ORG = (3, 2, 7, 6, 5, 4, 3, 2)


def _read(name: str) -> list[dict[str, str]]:
    with open(EVAL_DIR / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def mod11_ok(digits: str, weights: tuple[int, ...]) -> bool:
    """True if the digit after the weighted prefix is the mod-11 check digit (remainder 10 = invalid)."""
    rest = 11 - sum(int(d) * w for d, w in zip(digits, weights)) % 11
    check = 0 if rest == 11 else rest
    return check != 10 and check == int(digits[len(weights)])


def personal_number_ok(digits: str) -> bool:
    """Both check digits of an 11-digit fødselsnummer / D-number."""
    return len(digits) == 11 and mod11_ok(digits, W_FNR_1) and mod11_ok(digits, W_11)


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


@pytest.mark.parametrize(
    ("value", "weights", "expected"),
    [("12345678903", W_11, True), ("12345678904", W_11, False), ("987654325", W_ORG, True),
     ("987654321", W_ORG, False)],
)
def test_mod11_helper_on_known_values(value, weights, expected):
    assert mod11_ok(value, weights) is expected


# ---------------------------------------------------------------- eval_set.csv
@pytest.fixture(scope="module")
def eval_rows() -> list[dict[str, str]]:
    return _read("eval_set.csv")


@pytest.fixture(scope="module")
def theme_ids() -> tuple[str, ...]:
    if CODEBOOK.exists():
        ids = tuple(t["id"] for t in yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))["themes"])
        assert set(ids) == set(CONTRACT_THEMES), "codebook theme ids drifted from the contract"
    return CONTRACT_THEMES


def _themes(row: dict[str, str]) -> list[str]:
    return [t for t in row["themes"].split(";") if t]


def test_eval_columns_size_and_ids(eval_rows):
    assert list(eval_rows[0]) == ["id", "question", "text", "themes", "type", "language"]
    assert len(eval_rows) >= 300
    ids = [r["id"] for r in eval_rows]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"E\d{4}", i) for i in ids)
    texts = [r["text"].strip() for r in eval_rows]
    assert all(texts) and len(set(texts)) == len(texts)


def test_eval_field_values(eval_rows, theme_ids):
    for r in eval_rows:
        assert r["question"] in {"fritekst_sykefravaer", "fritekst_generell"}, r["id"]
        assert r["language"] in {"nb", "nn", "en"}, r["id"]
        assert r["type"] in {"klage", "ønske", "ros", ""}, r["id"]
        themes = _themes(r)
        assert len(themes) == len(set(themes)), f"{r['id']}: duplicate theme"
        assert set(themes) <= set(theme_ids), f"{r['id']}: unknown theme in {themes}"


def test_annet_is_exclusive(eval_rows):
    for r in eval_rows:
        themes = _themes(r)
        assert "annet" not in themes or themes == ["annet"], r["id"]


def test_non_answers_have_neither_themes_nor_type(eval_rows):
    non_answers = [r for r in eval_rows if not _themes(r)]
    for r in eval_rows:
        assert (not _themes(r)) == (r["type"] == ""), f"{r['id']}: themes/type mismatch"
    assert 0.04 <= len(non_answers) / len(eval_rows) <= 0.15


def test_every_theme_covered(eval_rows, theme_ids):
    counts = Counter(t for r in eval_rows for t in _themes(r))
    for theme in theme_ids:
        assert counts[theme] >= (8 if theme in SMALL_THEMES else 12), f"{theme}: {counts[theme]}"


def test_eval_mix_of_languages_types_and_multi_theme(eval_rows):
    n = len(eval_rows)
    lang = Counter(r["language"] for r in eval_rows)
    assert lang["nn"] / n >= 0.08 and lang["en"] / n >= 0.02
    types = Counter(r["type"] for r in eval_rows if r["type"])
    assert types["klage"] > types["ønske"] > types["ros"] > 0
    answered = [r for r in eval_rows if _themes(r)]
    assert sum(len(_themes(r)) > 1 for r in answered) / len(answered) >= 0.25


def test_praise_type_carries_ros_theme(eval_rows):
    """Coding rule: a comment whose main type is praise gets theme ``ros`` (unless it is ``annet``)."""
    for r in eval_rows:
        if r["type"] == "ros" and _themes(r) != ["annet"]:
            assert "ros" in _themes(r), r["id"]


# ---------------------------------------------------------------- second coder and consensus
@pytest.fixture(scope="module")
def coder2_rows() -> list[dict[str, str]]:
    return _read("eval_set_coder2.csv")


@pytest.fixture(scope="module")
def consensus_rows() -> list[dict[str, str]]:
    return _read("eval_set_consensus.csv")


def test_second_coding_covers_the_same_answers(eval_rows, coder2_rows, consensus_rows, theme_ids):
    assert list(coder2_rows[0]) == ["id", "themes", "type"]
    assert list(consensus_rows[0]) == ["id", "themes", "type", "adjudicated"]
    ids = [r["id"] for r in eval_rows]
    for rows in (coder2_rows, consensus_rows):
        assert [r["id"] for r in rows] == ids
        for r in rows:
            themes = _themes(r)
            assert set(themes) <= set(theme_ids) and len(themes) == len(set(themes)), r["id"]
            assert "annet" not in themes or themes == ["annet"], r["id"]
            assert r["type"] in {"klage", "ønske", "ros", ""}, r["id"]
            assert (not themes) == (r["type"] == ""), r["id"]
            # themes in codebook order (the files are read by tools that compare strings)
            assert themes == sorted(themes, key=theme_ids.index), r["id"]


def test_consensus_keeps_agreements_and_adjudicates_only_disagreements(eval_rows, coder2_rows, consensus_rows):
    n_adjudicated = 0
    for first, second, final in zip(eval_rows, coder2_rows, consensus_rows, strict=True):
        agree = set(_themes(first)) == set(_themes(second)) and first["type"] == second["type"]
        assert final["adjudicated"] == ("0" if agree else "1"), first["id"]
        if agree:
            assert set(_themes(final)) == set(_themes(first)) and final["type"] == first["type"], first["id"]
        else:
            n_adjudicated += 1
            # the adjudicator only chose among the two codings' themes (or combined them)
            assert set(_themes(final)) <= set(_themes(first)) | set(_themes(second)), first["id"]
    assert n_adjudicated == 77  # README: 67 on themes, 10 on type only


def test_both_coders_agree_on_non_answers(eval_rows, coder2_rows):
    for first, second in zip(eval_rows, coder2_rows, strict=True):
        assert bool(_themes(first)) == bool(_themes(second)), first["id"]


# ---------------------------------------------------------------- pii_cases.csv
@pytest.fixture(scope="module")
def pii_rows() -> list[dict[str, str]]:
    return _read("pii_cases.csv")


def test_pii_columns_ids_and_values(pii_rows):
    assert list(pii_rows[0]) == ["id", "text", "pii_type", "value", "is_pii"]
    ids = [r["id"] for r in pii_rows]
    assert len(set(ids)) == len(ids)
    for r in pii_rows:
        assert r["pii_type"] in PII_TYPES, r["id"]
        assert r["is_pii"] in {"0", "1"}, r["id"]
        assert r["value"] and r["value"] in r["text"], f"{r['id']}: value not in text"


def test_pii_counts(pii_rows):
    positives = [r for r in pii_rows if r["is_pii"] == "1"]
    negatives = [r for r in pii_rows if r["is_pii"] == "0"]
    assert len(positives) >= 150 and len(negatives) >= 70
    per_type = Counter(r["pii_type"] for r in positives)
    assert all(per_type[t] >= 10 for t in PII_TYPES), per_type
    assert len({r["text"] for r in pii_rows} - {r["text"] for r in positives}) >= 30  # PII-free texts


def test_positive_checksums_valid(pii_rows):
    for r in (r for r in pii_rows if r["is_pii"] == "1"):
        digits, kind = _digits(r["value"]), r["pii_type"]
        if kind in {"fodselsnummer", "dnummer"}:
            assert personal_number_ok(digits), r["id"]
            assert (digits[0] in "4567") == (kind == "dnummer"), f"{r['id']}: D-number first digit"
            assert 1 <= int(digits[:2]) - (40 if kind == "dnummer" else 0) <= 31, r["id"]
            assert 1 <= int(digits[2:4]) <= 12, r["id"]
        elif kind == "kontonummer":
            assert len(digits) == 11 and mod11_ok(digits, W_11), r["id"]
        elif kind == "orgnummer":
            assert len(digits) == 9 and digits[0] in "89" and mod11_ok(digits, W_ORG), r["id"]
        elif kind == "epost":
            assert re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-zA-Z]{2,}", r["value"]) or re.fullmatch(  # or obfuscated
                r"\S+ ?(?:[(\[](?:at|a)[)\]]| (?:krøllalfa|snabel-a|på|at) ) ?\S+(?: ?\. ?\S+)+", r["value"]), r["id"]
        elif kind == "telefon":
            assert re.fullmatch(r"(0047|47)?[2-9]\d{7}", digits), r["id"]
        elif kind == "fodselsdato":
            assert digits and BIRTH_CUE.search(r["text"][: r["text"].index(r["value"])]), f"{r['id']}: no birth cue"
        elif kind == "lenke":
            assert re.fullmatch(r"\S+\.\S+", r["value"]) and r["value"][-1] not in ".,;:!?)", r["id"]


@pytest.mark.parametrize("kind", ["fodselsdato", "lenke"])
def test_birth_date_and_link_have_near_miss_guards(pii_rows, kind):
    """Ordinary dates / thresholds and organisational links that must survive redaction."""
    guards = [r for r in pii_rows if r["pii_type"] == kind and r["is_pii"] == "0"]
    assert len(guards) >= 5, kind


def test_negative_lookalikes_have_invalid_checksums(pii_rows):
    shaped = 0
    for r in (r for r in pii_rows if r["is_pii"] == "0"):
        digits, kind = _digits(r["value"]), r["pii_type"]
        if kind in {"fodselsnummer", "dnummer", "kontonummer"} and len(digits) == 11:
            assert not personal_number_ok(digits) and not mod11_ok(digits, W_11), r["id"]
            shaped += 1
        elif kind == "orgnummer" and len(digits) == 9:
            assert not mod11_ok(digits, W_ORG), r["id"]
            shaped += 1
    assert shaped >= 20


def test_spaced_and_dotted_forms_present(pii_rows):
    values = [(r["pii_type"], r["value"]) for r in pii_rows if r["is_pii"] == "1"]
    assert any(t == "fodselsnummer" and re.fullmatch(r"\d{6} \d{5}", v) for t, v in values)
    assert any(t == "kontonummer" and re.fullmatch(r"\d{4}\.\d{2}\.\d{5}", v) for t, v in values)
    assert any(t == "orgnummer" and re.fullmatch(r"\d{3} \d{3} \d{3}", v) for t, v in values)
    assert any(t == "telefon" and v.startswith("+47") for t, v in values)
