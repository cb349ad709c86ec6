"""discover_themes: determinism, small waves, non-answers, outliers, large-wave sampling, guided mode."""

import numpy as np
import pytest

from textmine.discover import discover_themes
from textmine.discover.labels import make_label


def _valid(prep):
    return (prep["is_non_answer"].to_numpy() == 0) & (prep["text_clean"].str.strip() != "").to_numpy()


def test_bertopic_path_is_deterministic_and_samples_large_waves(wave, warm):
    df, texts, prep, emb = wave
    kw = dict(embeddings=emb, prepared=prep, seed=7, max_fit_docs=250)
    a = discover_themes(texts, **kw)
    b = discover_themes(texts, **kw)
    assert a.method == "bertopic" and a.params.get("fit_sample") == 250
    assert np.array_equal(a.assignments, b.assignments)
    assert [t.label for t in a.topics] == [t.label for t in b.topics]
    assert len(a.topics) >= 3
    valid = _valid(prep)
    # non-answers never get a topic; outliers stay a small minority and the reassignment is reported
    assert (a.assignments[~valid] == -1).all()
    # HDBSCAN's outlier share on a 250-answer fit swings with the seed (measured 2026-12-05 on this wave, seeds
    # 7/8/9/11/13/42: 0.23/0.04/0.24/0.11/0.11/0.25 and, after a lemma fix, 0.28/0.23/0.02/0.50/0.12/0.06), so
    # the minority is checked on the median of three seeds, not on one
    c = discover_themes(texts, **{**kw, "seed": 8})
    shares = [r.n_outliers / valid.sum() for r in (a, c, discover_themes(texts, **{**kw, "seed": 9}))]
    assert float(np.median(shares)) <= 0.25, shares
    assert a.n_outliers_reassigned >= 0 and "hdbscan_outliers" in a.params
    sizes = {t.id: t.size for t in a.topics}
    for tid, size in sizes.items():
        assert (a.assignments == tid).sum() == size
    assert [t.size for t in a.topics] == sorted((t.size for t in a.topics), reverse=True)
    # answers outside the fitted sample are assigned to the nearest topic (when close enough), not dropped
    from textmine.discover.core import _fit_sample

    pool = np.flatnonzero(valid)
    rest = np.setdiff1d(pool, pool[_fit_sample(len(pool), 250, 7)])
    assert len(rest) == len(pool) - 250 and (a.assignments[rest] >= 0).mean() > 0.5
    # another seed gives another (equally deterministic) fit
    assert np.array_equal(c.assignments, discover_themes(texts, **{**kw, "seed": 8}).assignments)


def test_small_wave_gives_groups_not_noise(wave):
    df, texts, prep, emb = wave
    idx = np.arange(120)
    r1 = discover_themes([texts[i] for i in idx], embeddings=emb[idx], prepared=prep.iloc[idx].reset_index(drop=True))
    r2 = discover_themes([texts[i] for i in idx], embeddings=emb[idx], prepared=prep.iloc[idx].reset_index(drop=True))
    valid = _valid(prep.iloc[idx])
    assert r1.method == "small-wave"
    assert len(r1.topics) >= 2
    assert (r1.assignments[valid] >= 0).all()  # nothing valid left as noise
    assert np.array_equal(r1.assignments, r2.assignments)
    for t in r1.topics:  # a two-part label, unless the keywords are one phrase and its words («lese brev»)
        one_phrase = set(t.keywords[1:]) <= set(t.keywords[0].split())
        assert t.examples and t.keywords and (" · " in t.label or len(t.keywords) < 2 or one_phrase), t


def test_non_answers_excluded_before_fitting(embedder):
    texts = ["Nei", "Vet ikke", "", None, "Ingen kommentarer"] * 6 + [
        "Telefonkøen er altfor lang, vi venter i over en time", "Lang ventetid på telefon hver gang",
        "Refusjon av sykepenger kommer alt for sent", "Sykepengerefusjonen tar mange uker",
        "Veldig god oppfølging av vår sykmeldte ansatt", "Fin dialog i dialogmøtet med NAV",
    ] * 3
    r = discover_themes(texts, embedder=embedder, seed=1)
    na = np.array([i < 30 for i in range(len(texts))])
    assert (r.assignments[na] == -1).all() and r.is_non_answer[:30].all()
    assert all(not ex.lower().startswith(("nei", "vet ikke", "ingen")) for t in r.topics for ex in t.examples)
    assert sum(t.size for t in r.topics) == int((r.assignments >= 0).sum()) == 18


def test_examples_are_redacted(embedder):
    texts = ["Ring meg på 91234567, telefonkøen er altfor lang"] + [
        "Telefonkøen er altfor lang", "Vi kommer ikke gjennom på telefon", "Refusjonen kommer sent",
        "Sykepenger refunderes for sent", "Bra oppfølging av sykmeldte"] * 4
    r = discover_themes(texts, embedder=embedder)
    blob = r.to_json() + "".join(r.text_clean)
    assert "91234567" not in blob


def test_guided_only_proposes_from_uncovered(wave, embedder):
    from textmine.codebook import load_codebook
    from textmine.paths import DEFAULT_CODEBOOK

    df, texts, prep, emb = wave
    idx = np.arange(200)
    cb = load_codebook(DEFAULT_CODEBOOK)
    r = discover_themes([texts[i] for i in idx], embedder=embedder, embeddings=emb[idx],
                        prepared=prep.iloc[idx].reset_index(drop=True), codebook=cb)
    assert r.uncovered is not None and r.params["guided"]
    assert (r.assignments[~r.uncovered] == -1).all()  # topics only from uncovered answers
    assert r.uncovered.sum() < _valid(prep.iloc[idx]).sum()  # the codebook covers most answers
    draft = r.draft_codebook(base_codebook=cb)
    ids = [t["id"] for t in draft["themes"]]
    assert set(cb.theme_ids) <= set(ids)
    assert all(i.startswith("ny_") for i in ids if i not in cb.theme_ids)


@pytest.mark.parametrize("uncovered", [False, True])
def test_guided_lexical_compares_a_lone_answer_with_the_codebook(monkeypatch, uncovered):
    """One answer cannot fit a lexical space alone: the codebook's theme texts join it, so its coverage and a
    candidate's nearest theme are still judged (was: RuntimeError, LexicalEmbedder is not fitted)."""
    import textmine.discover.guided as guided
    from textmine.embed import get_embedder
    from textmine.paths import DEFAULT_CODEBOOK

    if uncovered:  # force the candidate-topic path whatever the coder decides
        monkeypatch.setattr(guided, "uncovered_mask", lambda cb, texts, emb, embedder=None:
                            (np.ones(len(texts), dtype=bool), None))
    r = discover_themes(["Kantina på kontoret serverer altfor lite vegetarmat", "vet ikke", "-"],
                        embedder=get_embedder("lexical"), codebook=DEFAULT_CODEBOOK)
    assert r.uncovered.tolist()[1:] == [False, False] and r.assignments.tolist()[1:] == [-1, -1]
    assert (r.assignments[0] == 0) == bool(r.uncovered[0]) == (len(r.topics) == 1)
    if uncovered:
        theme_ids = {t.id for t in guided.load_any_codebook(DEFAULT_CODEBOOK).themes}
        assert r.topics[0].size == 1 and r.topics[0].nearest_theme in theme_ids


def test_draft_codebook_is_valid_contract_format(wave):
    from textmine.codebook import Codebook

    df, texts, prep, emb = wave
    idx = np.arange(100)
    r = discover_themes([texts[i] for i in idx], embeddings=emb[idx], prepared=prep.iloc[idx].reset_index(drop=True))
    cb = Codebook.from_yaml(r.codebook_yaml(name="test"))
    # no empty catch-all «annet» in an unguided draft (it took a fifth of the answers); topics without keywords or
    # examples are left out
    assert "annet" not in cb.theme_ids and 1 <= len(cb.theme_ids) <= len(r.topics)


def test_label_format():
    assert make_label(["telefon", "telefon kø", "kø", "ventetid", "svar"]) == "telefon · kø · ventetid"
    assert make_label([]) == "(uten nøkkelord)"


def test_bad_inputs_raise_clear_errors(wave):
    df, texts, prep, emb = wave
    with pytest.raises(ValueError, match="embeddings has"):
        discover_themes(texts[:10], embeddings=emb[:5], prepared=prep.iloc[:10])
    with pytest.raises(ValueError, match="method"):
        discover_themes(texts, embeddings=emb, prepared=prep, method="nope")
