"""Topic examples (topics.json, the draft codebook, the CLI table) never show a comment flagged as health
information, as quotes never do; the comment still counts in its topic."""

from textmine.discover import discover_themes
from textmine.discover.draft import draft_codebook
from textmine.preprocess.cleaner import health_flag

HEALTH = ["Vår sykmeldte har angst og ADHD og fikk ingen oppfølging fra NAV",
          "Ansatt med HIV fikk ingen oppfølging av NAV i det hele tatt"]


def test_health_flagged_comments_are_no_examples(embedder):
    assert all(health_flag(t) for t in HEALTH)
    texts = HEALTH * 3 + ["Ingen oppfølging av vår sykmeldte fra NAV i det hele tatt",
                          "NAV fulgte ikke opp den sykmeldte vår", "Telefonkøen er altfor lang",
                          "Vi kommer ikke gjennom på telefon", "Refusjonen kommer sent",
                          "Sykepenger refunderes for sent"] * 4
    r = discover_themes(texts, embedder=embedder, seed=1)
    examples = [ex for t in r.topics for ex in t.examples]
    assert examples and not any(health_flag(ex) for ex in examples)
    blob = r.to_json() + str(draft_codebook(r))
    assert "ADHD" not in blob and "HIV" not in blob
    assert sum(t.size for t in r.topics) == int((r.assignments >= 0).sum())  # the comments still count
