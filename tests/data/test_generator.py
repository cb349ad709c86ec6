"""The generator itself: determinism, sync with the committed files, phrase material and text diversity."""

from __future__ import annotations

import re

import pandas as pd

from textmine.paths import SAMPLE_DIR

ENGLISH_MARKERS = (r"\b(?:the|please|our|was|would|never|thank|you|sick leave|caseworkers?|rules|survey|doctors|"
                   r"candidates|website|phone|staff|queue|layoffs|subsidy|cooperation|answer|reply|refund|"
                   r"meetings?|workers|help us|more help)\b")
NYNORSK_MARKERS = (r"\b(?:ikkje|eg|betre|kva|korleis|frå|noko|nokon|mykje|berre|veit|kjem|meir|skjønar|òg|"
                   r"tilsette|arbeidsgjevar\w*|sjuk\w*|mogleg|umogleg|veke|veker|vore|vorte)\b")


def test_same_seed_gives_identical_files(gen, tmp_path):
    a = gen.write_outputs(gen.generate_wave(2023, 250, seed=11), 2023, tmp_path / "a")
    b = gen.write_outputs(gen.generate_wave(2023, 250, seed=11), 2023, tmp_path / "b")
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    c = gen.generate_wave(2023, 250, seed=12)["survey"]
    assert not c.equals(pd.read_csv(a[0], keep_default_na=False, dtype=str))


def test_cli_reproduces_the_committed_2022_wave(gen, tmp_path):
    gen.main(["--seed", "2024", "--waves", "2022", "--out", str(tmp_path)])
    for name in ("arbeidsgiver_2022.csv", "labels_2022.csv", "pii_2022.csv"):
        assert (tmp_path / name).read_bytes() == (SAMPLE_DIR / name).read_bytes(), name


def test_phrase_bank_is_large_and_typed(gen):
    bank = gen.load_phrases()
    for theme in gen.THEMES:
        assert bank.n_fragments(theme) >= 40, theme
        texts = [f.text for fs in bank.fragments[theme].values() for f in fs]
        assert len(set(texts)) == len(texts), f"duplicate fragment in {theme}"
    for theme in gen.THEMES:
        if theme != "ros":
            assert len(bank.fragments[theme]["klage"]) >= 8, theme
            assert len(bank.fragments[theme]["ønske"]) >= 8, theme
        assert len(bank.fragments[theme]["ros"]) >= 3, theme
    assert len(bank.non_answers) >= 30 and len(bank.english) >= 20


def test_fragment_labels(gen):
    praise = gen.Fragment("telefon", "ros", "Rask svar.")
    assert praise.themes == ("telefon", "ros")
    assert gen.Fragment("annet", "ros", "Fint.").themes == ("annet",)
    assert gen._ordered_union([gen.Fragment("telefon", "klage", "x"), praise]) == ["telefon", "ros"]


def test_checksum_builders(gen):
    import random

    r = random.Random(3)
    for _ in range(50):
        assert gen.fnr_is_valid(gen.make_dnumber(r))
        assert not gen.fnr_is_valid(gen.make_invalid_11(r))
        assert gen.account_is_valid(gen.make_account(r))
        assert gen.orgnr_is_valid(gen.make_orgnr(r))


def test_comments_are_diverse_and_varied(waves):
    lab = pd.concat([w["labels"] for w in waves.values()])
    text = lab.loc[lab["is_non_answer"] == 0, "text"]
    assert text.nunique() / len(text) >= 0.9
    trigrams = set()
    for t in text:
        words = re.findall(r"\w+", t.lower())
        trigrams.update(zip(words, words[1:], words[2:]))
    assert len(trigrams) >= 10000
    n_words = text.str.split().str.len()
    assert n_words.median() <= 20 and (n_words >= 60).sum() >= 30 and n_words.max() <= 170
    nynorsk = text.str.contains(NYNORSK_MARKERS, case=False)
    assert 0.06 <= nynorsk.mean() <= 0.15
    english = text.str.contains(ENGLISH_MARKERS, case=False)
    assert 0.005 <= english.mean() <= 0.03
    assert text.str.contains("_x000D_").any() and text.str.contains("\u00a0").any()
    assert text.str.contains(r"\b(?:NKS|BHT|AG|mnd|tlf|f\.eks\.|pga\.?)\b").mean() > 0.03
    assert text.str.contains(r"\d+ ?(?:min|uker|dager|mnd)\b").sum() >= 20
    assert text.str.contains("sykemeld").any() and text.str.contains("sykmeld").any()
    assert text.str.contains(r"\bNav\b").any() and text.str.contains(r"\bNAV\b").any()


def test_composed_comment_contains_every_labelled_fragment(gen):
    """Labels follow from the fragments: each chosen clause survives composition (up to case/punctuation)."""
    import random

    bank = gen.load_phrases()
    tm = gen.TextMaker(bank, random.Random(5), 2023)
    context = {"naering": "varehandel", "fylke": "Agder", "ansatte": "12 ansatte", "sektor": "bedriften",
               "tags": {"private", "small", "nonsolo"}}
    rng = random.Random(9)
    plain = [f for th in gen.THEMES for fs in bank.fragments[th].values() for f in fs if "{" not in f.text]
    for _ in range(200):
        frags = rng.sample(plain, rng.choice([1, 2, 3]))
        text = tm.compose(frags, rng.choice(["normal", "lang", "hoflig", "sint"]), context).lower()
        for f in frags:
            core = f.text.rstrip(".!?").lower()
            assert core in text, (core, text)
