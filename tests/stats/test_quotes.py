"""Quote selection: MMR diversity with an injected embedder, eligibility rules, length, redaction safety net."""

import numpy as np
import pandas as pd
import pytest

from textmine.quotes import LexicalFallbackEmbedder, mmr, safe_quote_text, select_quotes


class KeywordEmbedder:
    """Deterministic toy embedder: one dimension per keyword (so similarity is known by construction)."""

    name, version, dimension = "toy", "1", 4
    words = ("telefon", "kø", "svar", "brev")

    def __init__(self):
        self.calls = 0

    def encode(self, texts, *, batch_size=64, show_progress=False):
        self.calls += 1
        v = np.array([[t.lower().count(w) for w in self.words] for t in texts], dtype=np.float32) + 1e-3
        return v / np.linalg.norm(v, axis=1, keepdims=True)


def frame():
    texts = [
        "Telefon telefon telefon, vi når aldri fram på telefon.",  # 0 telefon-heavy
        "Telefon telefon, vanskelig å nå fram på telefon i dag.",  # 1 near-duplicate in meaning of 0
        "Lang kø kø på telefon hver gang vi ringer dere opp.",  # 2 kø
        "Vi venter på svar svar fra dere, telefon hjelper ikke.",  # 3 svar
        "Brev brev og telefon, alt tar for lang tid for oss.",  # 4 brev
        "Telefon telefon telefon — min ansatt har diagnose X.",  # 5 health-flagged
        "Nei",  # 6 non-answer
        "Telefonen, ring meg på 912 34 567 eller ola@firma.no ok?",  # 7 raw PII left in text_clean
    ]
    return pd.DataFrame({
        "respondent_id": [f"r{i}" for i in range(len(texts))],
        "question": "ft",
        "text_clean": texts,
        "text": ["RAW " + t for t in texts],
        "is_non_answer": [0, 0, 0, 0, 0, 0, 1, 0],
        "health_flag": [0, 0, 0, 0, 0, 1, 0, 0],
        "theme_telefon": 1,
    })


def test_mmr_prefers_diverse_quotes_and_uses_the_injected_embedder():
    emb = KeywordEmbedder()
    q = select_quotes(frame(), theme="telefon", k=4, embedder=emb, diversity=0.7, min_chars=10)
    assert emb.calls == 1 and len(q) == 4
    ids = [x.respondent_id for x in q]
    assert "r5" not in ids and "r6" not in ids  # health-flagged and non-answer never quoted
    assert not ({"r0", "r1"} <= set(ids))  # the two near-identical telefon texts are not both picked
    assert [x.rank for x in q] == [1, 2, 3, 4]
    assert all(not x.text.startswith("RAW") for x in q)  # only text_clean is used


def test_k_is_clamped_to_three_to_six_and_eligible_mask_is_respected():
    df = frame()
    assert len(select_quotes(df, theme="telefon", k=1, embedder=KeywordEmbedder(), min_chars=10)) == 3
    assert len(select_quotes(df, theme="telefon", k=50, embedder=KeywordEmbedder(), min_chars=10)) == 6
    mask = np.array([True, False, False, True, False, True, True, False])
    q = select_quotes(df, theme="telefon", k=3, embedder=KeywordEmbedder(), eligible=mask, min_chars=10)
    assert {x.respondent_id for x in q} == {"r0", "r3"}  # fewer than 3 only when fewer are eligible
    sup = select_quotes(df, theme="telefon", k=3, embedder=KeywordEmbedder(), is_suppressed=lambda r: r["respondent_id"] != "r2", min_chars=10)
    assert [x.respondent_id for x in sup] == ["r2"]
    with pytest.raises(KeyError, match="text_clean"):
        select_quotes(df.drop(columns=["text_clean"]), theme="telefon")


def test_safety_net_redacts_numbers_and_mail_but_not_ordinary_numbers():
    q = select_quotes(frame(), theme="telefon", k=6, embedder=KeywordEmbedder(), min_chars=10)
    pii = [x for x in q if x.respondent_id == "r7"][0]
    assert "912 34 567" not in pii.text and "ola@firma.no" not in pii.text and pii.text.count("«…»") == 2
    keep = "Vi ventet 20 min, kl 08:00 - 16:00, i 11 uker; kr 12 500 og sak 2023/123456, 100%."
    assert safe_quote_text(keep) == keep
    assert "«…»" in safe_quote_text("fnr 01017012345 her") and "«…»" in safe_quote_text("konto 1234.56.78901")


@pytest.mark.parametrize(
    "text, n",
    [
        ("fnr 01 01 90 10046 her", 1),
        ("fnr 01.01.90.10046", 1),
        ("fnr/01019010046", 1),
        ("ID01019010046", 1),
        ("01019010046,01019010127", 2),
        ("01019010046/01019010127", 2),
        ("konto 1234-56-78903", 1),
        ("IBAN NO93 8601 1117 947", 1),
        ("IBAN: NO9386011117947", 1),
        ("tlf 41234567/91234567", 2),
        ("kari.nordmann @ firma.no", 1),
    ],
)
def test_safety_net_catches_grouped_and_glued_numbers(text, n):
    out = safe_quote_text(text)
    assert out.count("«…»") == n and not any(ch.isdigit() for ch in out), out


def test_safety_net_leaves_dates_and_references():
    for keep in ("Møtet 01.01.90 12345 ble flyttet", "sak 2023-10-12345", "01.01.2023", "kr 12 345 678", "Vi har NO 12 ansatte"):
        assert safe_quote_text(keep) == keep


def test_long_texts_are_shortened_readably_and_attribution_comes_from_segments(make_tiny_definition):
    long = "Dette er en setning om telefon. " * 20
    df = pd.DataFrame({"respondent_id": ["a", "b", "c"], "text_clean": [long, "Telefon er et problem for oss alle.", "Kort telefon-klage her ja."], "theme_telefon": 1})
    resp = pd.DataFrame({"rid": ["a", "b", "c"], "sektor": ["P", "O", "P"], "fylke": ["Oslo", "Vestland", "Oslo"]})
    q = select_quotes(df, theme="telefon", respondents=resp, survey=make_tiny_definition(min_cell=1), question="ft_alle", embedder=LexicalFallbackEmbedder(), min_chars=10, max_chars=120)
    by = {x.respondent_id: x for x in q}
    assert len(by["a"].text) <= 125 and by["a"].text.endswith("[…]")
    assert by["b"].attribution == "Offentlig virksomhet, Vestland"


def test_mmr_on_sparse_lexical_vectors_is_deterministic():
    texts = ["telefon kø lang", "telefon kø lang i dag", "brev og svar", "digitale tjenester nav.no", "svar tar tid"]
    V = LexicalFallbackEmbedder().encode(texts)
    a, b = mmr(V, 3), mmr(V, 3)
    assert a == b and len(set(a)) == 3
    assert not ({0, 1} <= set(a))
