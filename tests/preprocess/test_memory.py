"""Memory-saving representations give the same answers as the structures they replace (issue 7)."""

from __future__ import annotations

import os
import pickle
import random
import subprocess
import sys

import pytest

from textmine.preprocess import Cleaner, _simplemma
from textmine.preprocess.lexicon import WordSet, load_lexicon


def test_wordset_membership_iteration_and_pickle():
    base = {"hus": "hus", "huset": "hus", "oslo": "oslo"}
    ws = WordSet(base, exclude={"oslo"}, extra={"ikke", "hus"})
    assert "huset" in ws and "hus" in ws and "ikke" in ws
    assert "oslo" not in ws and "bil" not in ws
    assert sorted(ws) == ["hus", "huset", "ikke"] and len(ws) == 3 and bool(ws)
    assert not WordSet({}, extra=()) and not WordSet({"a": "a"}, exclude={"a"})
    back = pickle.loads(pickle.dumps(ws))
    assert sorted(back) == sorted(ws) and "oslo" not in back


def test_lexicon_loaded_once_with_shared_lemma_strings():
    lex = load_lexicon()
    assert load_lexicon() is lex
    keys = {k: k for k in lex.forms}
    sample = random.Random(0).sample(list(lex.forms.items()), 2000)
    assert all(lemma is keys[lemma] for _, lemma in sample if lemma in keys)  # one str object per lemma
    assert lex.uncommon and all(f in lex.forms for f in lex.uncommon)
    for form in list(lex.uncommon)[:50]:
        assert form in lex and form not in lex.common
    assert all(f in lex.common for f, _ in sample if f not in lex.uncommon)


def test_one_lexicon_per_process_whatever_the_cache_folder(monkeypatch, tmp_path):
    """A lexicon first loaded while TEXTMINE_CACHE_DIR pointed elsewhere (a CLI run, a test) is still the one."""
    lex = load_lexicon()
    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path))
    assert load_lexicon() is lex


def test_resource_word_sets_keep_their_membership(resources):
    lex, analyzer = resources.lexicon, resources.analyzer
    function_words = analyzer.stopwords | analyzer.keep_words
    uncommon = next(w for w in lex.uncommon if w not in function_words and w not in resources.language.markers)
    form = next(w for w in lex.forms if w not in lex.uncommon)
    lang_known, nonanswer_known = resources.language.known_words, resources.nonanswer.known_words
    assert form in lang_known and uncommon not in lang_known  # lower-case forms + function words
    assert form in nonanswer_known and uncommon in nonanswer_known  # every form + function words + abbreviations
    assert all(w in lang_known and w in nonanswer_known for w in function_words)
    assert "xqzvbn" not in lang_known and "xqzvbn" not in nonanswer_known
    assert resources.redactor.lexicon_forms is lex.common


def test_resources_warm_up_runs_once(resources):
    resources.warm_up()
    assert resources._warm and resources._warm_language and resources.language._lingua is not None
    assert resources.warm_up() is resources
    assert pickle.loads(pickle.dumps(resources))._warm is False  # a worker process loads its own models


def test_packed_dictionary_behaves_like_a_dict():
    items = {b"hus": b"hus", b"huset": b"hus", b"gikk": b"g\xc3\xa5", b"\xc3\xb8ye": b"\xc3\xb8ye", b"a b": b"x\ty"}
    packed = _simplemma.PackedDictionary.pack(items.items())
    ref = {k.decode(): v.decode() for k, v in items.items()}
    assert len(packed) == len(ref) and sorted(packed) == sorted(ref)
    for k, v in ref.items():
        assert packed.get(k) == v and packed[k] == v and k in packed
    for miss in ("hu", "husets", "", "hus\t", "huset\nhus", "a", "b"):
        assert packed.get(miss) is None and miss not in packed
    with pytest.raises(KeyError):
        packed["bil"]
    assert dict(pickle.loads(pickle.dumps(packed)).items()) == ref
    with pytest.raises(ValueError):
        _simplemma.PackedDictionary.pack([(b"a\tb", b"c")])


def test_packed_simplemma_gives_simplemma_lemmas():
    import simplemma

    lex = load_lexicon()
    rng = random.Random(1)
    forms = rng.sample(sorted(lex.forms), 1500)
    typos = [w[:2] + w[3] + w[2] + w[4:] for w in forms if len(w) > 5][:500]
    words = forms + typos + [w.capitalize() for w in forms[:200]] + [
        "sjukmeldinga", "arbeidsgjevarane", "children", "running", "it's", "NAV-kontoret", "e-post", "Ålesund",
        "naïve", "skjema-\nfeil", "tab\there"]
    for lang in ("nb", "nn", "en", ("nb", "nn"), ("nn", "nb")):
        assert [_simplemma.lemmatize(w, lang) for w in words] == [simplemma.lemmatize(w, lang=lang) for w in words]


def test_cleaning_does_not_load_torch_or_expanded_simplemma_dictionaries():
    """spaCy is imported without torch and simplemma's dict-expanded dictionaries are never built."""
    code = (
        "import sys\n"
        "from textmine.preprocess import Cleaner\n"
        "out = Cleaner().fit().transform(['Eg veit ikkje kva sjukmeldinga gjeld', 'Ring Kari på 912 34 567',"
        " 'The phone queue is too long', 'Wir warten seit Wochen auf eine Antwort vom Amt'])\n"
        "assert out.language.tolist()[:3] == ['nn', 'nb', 'en'], out.language.tolist()\n"
        "assert 'spacy' in sys.modules and 'torch' not in sys.modules\n"
        "from simplemma.strategies.dictionaries import DEFAULT_DICTIONARY_FACTORY as f\n"
        "assert f._get_dictionary.cache_info().currsize == 0\n"
        "import importlib.util\n"
        "if importlib.util.find_spec('torch') is not None:\n"
        "    import torch  # blocked only while spaCy was imported, and only for that thread\n"
        "print('ok')\n"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    assert res.stdout.strip().endswith("ok")


def test_limit_caches_bounds_memory_not_results(resources):
    from textmine.preprocess import Cleaner
    from textmine.preprocess.cleaner import Resources

    texts = ["Telefonkøen er altfor lang, vi venter 40 min hver gang.", "Eg har ikkje fått svar frå NAV om sjukmeldinga.",
             "Raskere refusjon av sykepenger og bedre oppfølging av sykmeldte arbeidstakere.",
             "Saksbehandler Kari Hansen svarte aldri på henvendelsene våre om lønnstilskudd."]
    small = Resources.build().limit_caches(3)
    assert small.lexicon is resources.lexicon  # one lexicon per process
    bounded = Cleaner(resources=small).fit().transform(texts)
    assert max(len(small.analyzer.cache), len(small.analyzer.chunk_cache), len(small.analyzer.splitter.cache)) <= 3
    pd_equal = Cleaner(resources=resources).fit().transform(texts).equals(bounded)
    assert pd_equal


def test_spacy_vocabulary_stays_bounded_and_results_do_not_change(monkeypatch):
    """spaCy keeps a lexeme for every distinct token for ever (a server's slow leak): past the limit the
    analyser swaps in a fresh tokenizer, and its analysis tokens are exactly those of an unbounded one."""
    import textmine.preprocess.lemmas as lemmas
    from textmine.preprocess.cleaner import Resources

    rng = random.Random(7)
    texts = [" ".join("".join(rng.choice("abdefgiklmnoprstuvæøå") for _ in range(rng.randint(3, 11)))
                      for _ in range(8)) + ", sykmeldt" for _ in range(400)]
    texts += ["Eg har ikkje fått svar frå NAV om sjukmeldinga.", "Telefonkøen er altfor lang!"]
    an = Resources.build().analyzer
    an.cache_limit = 10  # the result caches out of the way: every chunk goes through spaCy
    monkeypatch.setattr(lemmas, "_MIN_VOCAB_LIMIT", 500)
    base = len(an.tokenizer.vocab)  # a fresh blank("nb") vocabulary
    got, peak = [], 0
    for t in texts:
        got.append(an.analyze(t, "nb"))
        peak = max(peak, len(an.tokenizer.vocab))
    assert peak <= base + 500 + 60  # the limit plus one chunk's tokens
    assert len(an.cache) <= 10

    monkeypatch.setattr(lemmas, "_MIN_VOCAB_LIMIT", 10**9)
    an._tokenizer, an.chunk_cache, an.cache = None, {}, {}
    want = [an.analyze(t, "nb") for t in texts]
    assert len(an.tokenizer.vocab) > base + 3000  # unbounded: one lexeme per distinct token
    assert got == want


def test_cleaner_without_language_detection_does_not_load_lingua():
    from textmine.preprocess.cleaner import Resources

    res = Resources.build()
    out = Cleaner(detect_language=False, resources=res).fit().transform(["Telefonkøen er altfor lang"])
    assert out.loc[0, "language"] == "unknown" and out.loc[0, "lemmas"]
    assert res._warm and not res._warm_language and res.language._lingua is None  # no lingua models in memory
    Cleaner(resources=res).fit()
    assert res._warm_language and res.language._lingua is not None
