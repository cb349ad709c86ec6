"""The «no quotes» reason: one comment, and comments the quote rules never quote (identity number, one person's
health) counted as personal data rather than «small groups»; one wording for manual review."""
import pandas as pd

from textmine.report.html import REVIEW_HIGH_NOTE, REVIEW_RISE_NOTE, no_quotes_text
from textmine.report.views import quote_gaps
from textmine.report.wording import say


def _frame(texts):
    n = len(texts)
    return pd.DataFrame({"respondent_id": [str(i) for i in range(n)], "question": "q", "text_clean": texts,
                         "is_non_answer": 0, "needs_review": 0, "health_flag": 0, "theme_telefon": 1})


def test_one_comment_sent_to_review_reads_as_one():
    text = no_quotes_text({"comments": 1, "review": 1, "no_theme": 0, "personal": 0, "rest": 0})
    assert text.startswith("Ingen sitater: den ene kommentaren er sendt til manuell gjennomgang")
    assert "alle de 1" not in text
    nn = no_quotes_text({"comments": 1, "review": 1, "no_theme": 0, "personal": 0, "rest": 0}, "nn")
    assert nn.startswith("Ingen sitat: den eine kommentaren er sendt til manuell gjennomgang")


def test_identity_numbers_and_one_persons_health_count_as_personal_not_small_groups():
    df = _frame(["Saken med [FØDSELSNUMMER] ble liggende hos NAV i flere uker uten svar",
                 "Vår ansatte fikk kreft i fjor og NAV fulgte henne opp altfor sent i hele perioden",
                 "Telefonkøen hos NAV er altfor lang hver eneste dag, ingen svarer"])
    gaps = quote_gaps(df)
    assert gaps == {"comments": 3, "review": 0, "no_theme": 0, "personal": 2, "rest": 1}


def test_manual_review_has_one_name_in_the_reader_notes():
    for note in (REVIEW_HIGH_NOTE, REVIEW_RISE_NOTE):
        assert "manuell gjennomgang" in note and "manuell kontroll" not in note
        nn = say(note, "nn")
        assert nn != note and "manuell gjennomgang" in nn


def test_keyword_coder_does_not_take_nav_for_the_phone_theme():
    """«NKS» in the telefon theme's keywords is spelt out as «nav kontaktsenter»: the report's keyword coder must
    match that phrase, not every comment that names NAV (a review found 45 % «telefon» on the sick-leave question)."""
    from textmine.report.pipeline import KeywordCoder

    coder = KeywordCoder()
    out = coder.predict(["Betre samhandling mellom NAV og kommunen", "NAV bør kontrollere legenes sykmeldingspraksis.",
                         "Ringte NAV kontaktsenter tre ganger og kom ikke gjennom"])
    assert out["theme_telefon"].tolist() == [0, 0, 1]
