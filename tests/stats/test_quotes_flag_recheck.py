"""Quotes re-check special-category data with today's word lists: a stored flag of 0, or no flag column at all
(a coded file from another tool, a wave stored before the lists grew), does not make such a comment quotable."""

import numpy as np
import pandas as pd
import pytest

from textmine.quotes import select_quotes


class FlatEmbedder:
    name, version, dimension = "flat", "1", 3

    def encode(self, texts, *, batch_size=64, show_progress=False):
        v = np.array([[1.0, (i % 5) / 10, (i % 3) / 10] for i, _ in enumerate(texts)], dtype=np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)


SENSITIVE = {
    "r1": "Telefonkøen er lang, og hun er muslim og ber fem ganger om dagen, så vi må ha fleksible pauser.",
    "r3": "Telefonen svarer ingen på, og den ansatte går til psykolog hver uke uten at NAV følger opp.",
    "r5": "Ringte NAV om telefon igjen: han er medlem av Fagforbundet og fikk hjelp der i stedet.",
}
PLAIN = {
    "r0": "Telefonen er umulig å komme gjennom på, vi venter i timevis hver gang.",
    "r2": "Vi ringer og ringer på telefon, men ingen tar den før etter lang tid.",
    "r4": "Telefontiden er for kort for oss som jobber skift, åpne lenger på kveldstid.",
    "r6": "Det er bedre å sende melding enn å ringe, telefonen blir aldri besvart.",
}


def coded(with_flag: bool) -> pd.DataFrame:
    texts = {**PLAIN, **SENSITIVE}
    ids = sorted(texts)
    df = pd.DataFrame({"respondent_id": ids, "question": "ft", "text_clean": [texts[i] for i in ids],
                       "is_non_answer": 0, "theme_telefon": 1})
    if with_flag:
        df["health_flag"] = 0  # stored before the word lists knew these categories
    return df


@pytest.mark.parametrize("with_flag", [True, False])
def test_special_category_comments_are_not_quoted_whatever_the_stored_flag(with_flag):
    picked = select_quotes(coded(with_flag), theme="telefon", k=6, embedder=FlatEmbedder(), min_chars=10)
    ids = {q.respondent_id for q in picked}
    assert ids == set(PLAIN)  # all four plain comments, none of the three sensitive ones


def test_quote_safety_net_keeps_public_agency_pages():
    from textmine.quotes import safe_quote_text

    assert safe_quote_text("Se facebook.com/navno for nyheter") == "Se facebook.com/navno for nyheter"
    assert "kari.nordmann.88" not in safe_quote_text("Se facebook.com/kari.nordmann.88 for bilder")


def test_quotes_prefer_comments_without_redaction_markers():
    texts = {
        "r0": "Telefonen er umulig å komme gjennom på, vi venter i timevis hver gang.",
        "r1": "Vi ringer og ringer på telefon, saksbehandler [NAVN] tar den aldri.",
        "r2": "Telefontiden er for kort for oss som jobber skift, åpne lenger.",
        "r3": "Ring oss på telefon [TELEFON], ingen ringer tilbake fra NAV.",
        "r4": "Det er bedre å sende melding enn å ringe, telefonen blir ikke besvart.",
        "r5": "Telefonkøen er lang, og det tar for lang tid å få svar fra NAV.",
    }
    ids = sorted(texts)
    df = pd.DataFrame({"respondent_id": ids, "question": "ft", "text_clean": [texts[i] for i in ids],
                       "is_non_answer": 0, "theme_telefon": 1})
    picked = {q.respondent_id for q in select_quotes(df, theme="telefon", k=4, embedder=FlatEmbedder(), min_chars=10)}
    assert picked == {"r0", "r2", "r4", "r5"}  # enough comments without markers: those are quoted
    few = df[df["respondent_id"].isin(["r0", "r1", "r2", "r3"])]
    picked = {q.respondent_id for q in select_quotes(few, theme="telefon", k=4, embedder=FlatEmbedder(), min_chars=10)}
    assert picked == {"r0", "r1", "r2", "r3"}  # too few: marked comments still fill the quota
