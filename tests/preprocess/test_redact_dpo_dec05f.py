"""Redaction leaks the data protection officer found in quotes and exports (5 December, f): an 11-digit number with
the personal-number cue after it («15038510191 som personnummer»), a mistyped account number after «konto», a
lower-case first name after a role noun («hennes sekretær lise»), a capital initial after a masked name («Bjørn H.»)
and a NAV case number after its cue («saksnr 22/12345»: points to one person inside NAV)."""

from __future__ import annotations

import pytest

from textmine.preprocess import redact
from textmine.quotes import has_id_number, safe_quote_text

from .conftest import assert_redacts, redacts_to


# -- 1. a personal-number cue after the number ------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, expected, kind",
    [
        ("Vi sendte inn 15038510191 som personnummer", "Vi sendte inn [FØDSELSNUMMER] som personnummer",
         "fodselsnummer"),
        ("Hun oppga 150385 10191 som fødselsnummer.", "Hun oppga [FØDSELSNUMMER] som fødselsnummer.",
         "fodselsnummer"),
        ("15038510191 er fødselsnummeret hans", "[FØDSELSNUMMER] er fødselsnummeret hans", "fodselsnummer"),
        ("Han har 55038510191 (d-nummer) fra før", "Han har [DNUMMER] (d-nummer) fra før", "dnummer"),
        ("Vi sendte 15038510191, fnr til den ansatte", "Vi sendte [FØDSELSNUMMER], fnr til den ansatte",
         "fodselsnummer"),
    ],
)
def test_eleven_digits_with_the_cue_after_are_masked(text, expected, kind):
    assert_redacts(text, expected, kind, exactly=1)


@pytest.mark.parametrize(
    "text",
    [
        "Vi sendte inn 15038510191 søknader om personnummer",  # a noun between: the cue is not about the number
        "Vi har 15038510191 kroner. Personnummer mangler.",  # another sentence
    ],
)
def test_eleven_digits_with_a_cue_further_away_stay(text):
    out, counts = redact(text)
    assert counts["fodselsnummer"] == 0 and counts["dnummer"] == 0, f"{text!r}: masked as a personal number: {out!r}"


# -- 2. an account number after «konto» with a wrong check digit --------------------------------------------------
test_cued_account_number_is_masked_whatever_its_checksum = redacts_to(
    [
        ("utbetalt til feil konto 9710 05 12345", "utbetalt til feil konto [KONTONUMMER]"),
        ("utbetalt til feil konto 97100512345", "utbetalt til feil konto [KONTONUMMER]"),
        ("Kontonummer: 9710.05.12345 er feil", "Kontonummer: [KONTONUMMER] er feil"),
        ("kontonr 9710-05-12345", "kontonr [KONTONUMMER]"),
        ("bankkontoen min er 9710 0512345", "bankkontoen min er [KONTONUMMER]"),
    ],
    "kontonummer",
    exactly=1,
)


@pytest.mark.parametrize(
    "text",
    [
        "Kontoret har 9710 05 12345 i journalen",  # "kontoret" is an office, not an account
        "Vi har fått 9710 05 12345 kroner",  # no cue
    ],
)
def test_account_shaped_numbers_without_an_account_cue_stay(text):
    out, counts = redact(text)
    assert counts["kontonummer"] == 0, f"{text!r}: masked as an account: {out!r}"


# -- 3. a lower-case first name after a role noun ----------------------------------------------------------------
test_lower_case_first_name_after_a_role_noun_is_masked = redacts_to(
    [
        ("hennes sekretær lise", "hennes sekretær [NAVN]"),
        ("sekretæren lise ringte meg", "sekretæren [NAVN] ringte meg"),
        ("Jeg snakket med rektor ingrid i går", "Jeg snakket med rektor [NAVN] i går"),
        ("assistenten heidi svarte ikke", "assistenten [NAVN] svarte ikke"),
        ("personalsjef kjersti tok saken", "personalsjef [NAVN] tok saken"),
    ],
    "navn",
    exactly=1,
)


@pytest.mark.parametrize(
    "text",
    [
        "hennes sekretær per telefon",  # "per" is an ordinary word (name_ambiguous.txt)
        "sekretæren tone ned saken",  # "tone" too
        "sekretæren har ringt",
    ],
)
def test_common_word_after_a_role_noun_stays(text):
    out, counts = redact(text)
    assert out == text and counts["navn"] == 0, f"{text!r}: expected unchanged, got {out!r}"


# -- 4. an initial after a masked name ------------------------------------------------------------------------------
test_initial_after_a_masked_name_belongs_to_the_name = redacts_to(
    [
        ("Hilsen daglig leder Bjørn H.", "Hilsen daglig leder [NAVN]"),
        ("Hilsen daglig leder Bjørn H", "Hilsen daglig leder [NAVN]"),
        ("Saksbehandler Kari N. svarte aldri.", "Saksbehandler [NAVN] svarte aldri."),
        ("Mvh Bjørn H, daglig leder", "Mvh [NAVN], daglig leder"),
    ],
    "navn",
    exactly=1,
)


test_only_a_lone_initial_right_after_the_name_is_taken = redacts_to(
    [
        ("Jeg ringte Kari. I dag svarte hun.", "Jeg ringte [NAVN]. I dag svarte hun."),  # after the sentence end
        ("Takk til Bjørn H. for hjelpen", "Takk til [NAVN] for hjelpen"),
    ],
    "navn",
    exactly=1,
)


# -- item 3: a NAV case number after its cue ----------------------------------------------------------------------
test_cued_case_number_is_masked = redacts_to(
    [
        ("saksnr 22/12345", "saksnr [IDNUMMER]"),
        ("Saksnummer 2023/123456, ingen har svart.", "Saksnummer [IDNUMMER], ingen har svart."),
        ("Det gjelder sak nr. 21/4455-7 hos dere", "Det gjelder sak nr. [IDNUMMER] hos dere"),
        ("ref.nr 22-12345 står på brevet", "ref.nr [IDNUMMER] står på brevet"),
        ("Referanse: 22/12345", "Referanse: [IDNUMMER]"),
        ("saksnummeret er 2022/00045671", "saksnummeret er [IDNUMMER]"),
    ],
    "idnummer",
    exactly=1,
)


@pytest.mark.parametrize(
    "text",
    [
        "Vedtak 2021-11-00123 kom i går",  # no case-number cue
        "Saken tok 2023/2024 å behandle",  # a span of years
        "Vi har sendt inn 22/12345 skjemaer",
        "Saksbehandlingstiden 12-14 uker er for lang",  # a word that starts like the cue
    ],
)
def test_uncued_slash_numbers_stay(text):
    out, counts = redact(text)
    assert out == text and sum(counts.values()) == 0, f"{text!r}: expected unchanged, got {out!r}"


@pytest.mark.parametrize("text", ["saksnr 22/12345 er fortsatt åpen", "Saksnummer: 2023/123456", "Ref.nr. 22-12345"])
def test_quotes_never_show_a_cued_case_number(text):
    assert has_id_number(text), f"{text!r}: a cued case number must keep the comment out of the quotes"
    assert not any(ch.isdigit() for ch in safe_quote_text(text)), f"{text!r}: safety net left digits"


def test_a_comment_with_a_cued_case_number_is_not_quoted():
    """A comment stored before this fix ("saksnr 22/12345" kept in text_clean) is never chosen as a quote."""
    import numpy as np
    import pandas as pd

    from textmine.quotes import select_quotes

    class Flat:
        name, version, dimension = "flat", "1", 3

        def encode(self, texts, *, batch_size=64, show_progress=False):
            v = np.array([[1.0, (i % 5) / 10, (i % 3) / 10] for i, _ in enumerate(texts)], dtype=np.float32)
            return v / np.linalg.norm(v, axis=1, keepdims=True)

    texts = {"r0": "Saksbehandlingstiden er alt for lang, vi venter i månedsvis på svar.",
             "r1": "Saken vår med saksnr 22/12345 har ligget urørt i to måneder uten svar.",
             "r2": "Vi venter alt for lenge på svar fra NAV i sakene våre, det er for dårlig."}
    df = pd.DataFrame({"respondent_id": list(texts), "question": "ft", "text_clean": list(texts.values()),
                       "is_non_answer": 0, "health_flag": 0, "theme_saksbehandlingstid": 1})
    picked = select_quotes(df, theme="saksbehandlingstid", k=3, embedder=Flat(), min_chars=10)
    assert {q.respondent_id for q in picked} == {"r0", "r2"}, [q.text for q in picked]
