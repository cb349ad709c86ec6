"""Reviewer's NAV personal-user survey: topic words held by one answer only, health words of one person, nynorsk
fillers, and topics that group answers by their language (English, nynorsk) rather than by what they say."""

import json

import numpy as np
import pytest

from textmine.discover import discover_themes, prepare
from textmine.discover import core
from textmine.discover.draft import draft_codebook, left_out_lines
from textmine.preprocess.cleaner import health_flag

PHONE = ["Umulig å komme gjennom på telefon, telefonkøen er lang",
         "Telefonkøen var lang og ingen svarte på telefon",
         "Lang telefonkø hver gang jeg ringer",
         "Ringte tre ganger, telefonkøen er for lang"]
CASE = ["Saksbehandlingstiden for søknaden er altfor lang",
        "Søknaden har ligget hos saksbehandler i månedsvis",
        "Saksbehandlingstiden på søknaden er uakseptabel",
        "Venter fortsatt på svar på søknaden, lang saksbehandlingstid"]
ENGLISH = ["The website is only in Norwegian, very hard for foreigners",
           "No English option on the phone line",
           "I had to wait four months for my unemployment benefit decision"]


def _vectors(groups):
    """One direction per group (plus a little noise): the clustering finds exactly these groups."""
    rng = np.random.default_rng(0)
    e = np.eye(max(groups) + 1, 16, dtype=np.float32)[groups] + 0.01 * rng.standard_normal((len(groups), 16))
    return e.astype(np.float32)


def _discover(texts, groups):
    return discover_themes(texts, embeddings=_vectors(groups), prepared=prepare(texts), seed=42, method="small",
                           lexical_weight=0)


def _holders(texts, word):
    return sum(word in t.lower() for t in texts)


def test_a_word_of_one_answer_is_no_topic_keyword_or_draft_keyword():
    texts = PHONE + [CASE[0] + ". Sjiraffen i resepsjonen var fin"] + CASE[1:]
    r = _discover(texts, [0] * 4 + [1] * 4)
    words = [k for t in r.topics for k in t.keywords]
    assert words and not any("sjiraff" in k for k in words), words
    draft = [k for th in draft_codebook(r)["themes"] for k in th["keywords"]]
    assert draft and not any("sjiraff" in k for k in draft), draft
    for t in r.topics:  # every keyword: in at least two of the topic's answers
        members = [r.text_clean[i] for i in np.flatnonzero(r.assignments == t.id)]
        lemmas = prepare(members)["lemmas"].tolist()
        for k in t.keywords:
            held = sum(all(w in lem.split() for w in k.split()) for lem in lemmas)
            assert held >= 2, (t.id, k, held)


@pytest.mark.parametrize("n_angst", [2, 3])
def test_a_word_of_health_flagged_answers_needs_three_answers(n_angst):
    angst = ["Jeg har angst og klarer ikke å komme til kontoret",
             "Sliter med angst, møtet på kontoret ble for mye",
             "Har angst og fikk ikke møte hjemme i stedet for på kontoret"][:n_angst]
    assert all(health_flag(t) for t in angst)
    office = ["Kontoret i Bodø har flinke folk", "Lang kø på kontoret i Drammen",
              "Fikk god hjelp på kontoret med CV"]
    texts = angst + office + PHONE
    r = _discover(texts, [0] * len(angst + office) + [1] * 4)
    office_topic = r.topic(int(r.assignments[0]))
    assert "kontor" in office_topic.keywords
    draft = [k for th in draft_codebook(r)["themes"] for k in th["keywords"]]
    shown = any("angst" in k for k in office_topic.keywords + draft)
    assert shown == (n_angst >= 3), (n_angst, office_topic.keywords, draft)  # the rule of three


def test_nynorsk_fillers_are_no_topic_words():
    nn = ["Eg veit framleis ikkje kva som skjer med sjukepengane",
          "Framleis ikkje svar på søknaden om sjukepengar",
          "Sjukepengane kjem framleis for seint"]
    texts = nn + PHONE
    r = _discover(texts, [0] * 3 + [1] * 4)
    words = [k for t in r.topics for k in t.keywords]
    assert _holders(nn, "framleis") == 3
    assert words and not any("framleis" in k.split() for k in words), words


def test_a_topic_of_one_minority_language_is_flagged_and_left_out_of_the_draft():
    texts = PHONE * 3 + CASE * 3 + ENGLISH  # 27 answers: the small-wave clustering may cut 3 topics
    r = _discover(texts, [0] * 12 + [1] * 12 + [2] * 3)
    en = r.topic(int(r.assignments[-1]))
    assert en.size == 3 and en.language_note == "tema preget av språk: engelsk"
    assert all(t.language_note is None for t in r.topics if t.id != en.id)
    draft = draft_codebook(r)
    assert len(draft["themes"]) == len(r.topics) - 1
    assert not any("benefit" in " ".join(th["keywords"]) or th["label"] == en.label for th in draft["themes"])
    lines = left_out_lines(r)
    assert len(lines) == 1 and lines[0].startswith(f"Tema {en.id} (") and "tema preget av språk: engelsk" in lines[0]
    assert json.loads(r.to_json())["topics"][en.id]["language_note"] == "tema preget av språk: engelsk"


def test_language_note_needs_four_fifths_of_one_language_other_than_the_majority():
    labels = np.array([0] * 5 + [1] * 5 + [2] * 5 + [3] * 4)
    langs = ["nb"] * 5 + ["en"] * 4 + ["nb"] + ["en"] * 3 + ["nb"] * 2 + ["nn"] * 4
    assert core.language_notes(labels, langs) == {1: "tema preget av språk: engelsk", 3: "tema preget av språk: nynorsk"}
    assert core.language_notes(labels, ["nb"] * 19) == {}  # one language: nothing to flag
    # the wave's majority language is never flagged: in a mostly English wave the bokmål topic is the odd one
    assert core.language_notes(labels, ["en"] * 15 + ["nb"] * 4) == {3: "tema preget av språk: bokmål"}
    # answers of no decided language: topic 1 is English in 3 of 3 decided answers and 3 of 5; topic 2 in 2 of 5
    undecided = ["nb"] * 5 + ["en", "en", "en", None, None] + ["en", "en", None, None, None] + ["nb"] * 4
    assert core.language_notes(labels, undecided) == {1: "tema preget av språk: engelsk"}


def test_cli_discover_shows_the_language_note_and_writes_it(tmp_path, monkeypatch):
    import pandas as pd
    from typer.testing import CliRunner

    import textmine.embed as embed
    from textmine.cli import app

    texts = PHONE * 3 + CASE * 3 + ENGLISH
    groups = {t: g for t, g in zip(texts, [0] * 12 + [1] * 12 + [2] * 3)}

    class Grouped:
        name, version, dimension = "grouped", "1", 16

        def encode(self, batch, **kw):
            return _vectors([groups[t] for t in batch])

    monkeypatch.setattr(embed, "get_embedder", lambda spec="e5", **kw: Grouped())
    src = tmp_path / "svar.csv"
    pd.DataFrame({"id": [f"P{i}" for i in range(len(texts))], "text": texts}).to_csv(src, index=False)
    res = CliRunner().invoke(app, ["discover", str(src), "--text-col", "text", "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    flat = " ".join(res.output.split())
    assert "(tema preget av språk: engelsk)" in flat and "er ikke tatt med i codebook.yaml" in flat, flat
    topics = json.loads((tmp_path / "o" / "topics.json").read_text(encoding="utf-8"))["topics"]
    assert [t.get("language_note") for t in topics].count("tema preget av språk: engelsk") == 1
