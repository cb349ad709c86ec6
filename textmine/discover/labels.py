"""Topic words and labels: a Norwegian vectorizer over lemma strings and class-based TF-IDF."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from functools import lru_cache

import numpy as np
from scipy import sparse

_TOKEN = r"(?u)\b[^\W\d_][\w\-]+\b"
_EXTRA_STOP = {
    "nav", "ikke", "veldig", "mye", "få", "gi", "god", "bra", "kunne", "måtte", "skulle", "ville", "bli", "gjøre",
    "vite", "synes", "ha", "være", "mer", "mange", "nok", "litt", "ofte", "alltid", "aldri", "gang", "bare", "også",
    "helt", "the", "and", "to", "of", "is", "it", "we", "nei", "ja", "takk", "ingen", "ting", "kommentar", "eg",
    "ikkje", "ein", "eit", "frå", "berre", "meir", "vere", "vert", "korleis", "kva", "dei", "oss", "vi", "meg",
    "andre", "annen", "annet", "fortsatt", "ennå", "enda", "jo", "eigentlig", "liksom", "altså", "faktisk",
}
# nynorsk function words and fillers ("framleis") the ``stop-words`` list lacks; "ante" is how the lemmatiser reads
# "anten" (either), never a topic word in these surveys
_NYNORSK_STOP = {
    "ho", "honom", "dykk", "dykkar", "deira", "deim", "hjå", "noko", "nokon", "nokre", "inkje", "kvar", "kven",
    "kvifor", "kvi", "vore", "vart", "verte", "sidan", "utan", "desse", "same", "anten", "ante", "òg", "gong",
    "gonger", "sjølv", "sjølve", "annan", "anna", "nokså", "svært", "mykje", "kome", "kjem", "både", "då", "no",
    "enno", "likevel", "elles", "mellom", "sjå", "seie", "sei", "gjere", "gje", "fekk", "fått", "framleis", "heilt",
    "eigentleg", "berre", "ikkje",
}
# greetings and sign-offs ("Mvh daglig leder", "Hilsen", "Hei", "lykke til"), light verbs, adverbs, prepositions
# and conjunctions the ``stop-words`` list lacks ("hos", "mens", "burde", "ta", "hatt", "lyst", "ellers"), time
# words that carry no theme ("år", "året", "sist") and numbers written as words ("tre ansatte"): never topic words
_FILLER = {
    "mvh", "hilsen", "hilse", "hilsning", "helsing", "vennlig", "vennleg", "hei", "hallo", "takk", "takke", "lykke",
    "daglig", "dagleg", "hos", "mens", "medan", "burde", "bør", "ta", "tar", "tok", "tatt", "lyst",
    "hatt", "ellers", "elles", "dessuten", "derfor", "uansett", "kanskje", "gjerne", "allerede", "allereie",
    "egentlig", "stadig", "nettopp", "ganske", "heller", "rett", "altfor", "lite", "liten", "lita", "stor", "store",
    "hel", "heile", "bruke", "oppleve", "sørge", "inne", "én", "sist", "siste", "år", "året", "årene", "åra",
    "fjor",
    "par", "slik", "sånn", "gå", "sette", "legge", "si", "se", "finne",
    "to", "tre", "fire", "fem", "seks", "sju", "syv", "åtte", "ni", "ti", "elleve", "tolv", "tjue", "tretti",
    "hundre", "tusen", "million", "første", "fyrste", "tredje", "fjerde", "halv", "halvt", "dobbelt",
}
# pronouns, prepositions, place adverbs and connectives the ``stop-words`` package's norwegian list lacks («alt»,
# «oppå», «gjennom», «ifølge», «dermed»): never topic words. Not the ones a theme's keywords use («nede», «ute»)
_FUNCTION_WORDS = {
    "alt", "alles", "ingenting", "noenting", "hverandre", "slikt", "sånt", "oppå", "oppi", "nedi", "utpå", "innpå",
    "bortpå", "bakom", "foran", "forbi", "blant", "gjennom", "innen", "innenfor", "utenfor", "ovenfor", "nedenfor",
    "langs", "ifølge", "ift", "iht", "pga", "grunnet", "tross", "trass", "dermed", "derimot", "imidlertid",
    "samtidig", "deretter", "etterpå", "dess", "desto", "hit", "dit", "nesten", "igjen", "heldigvis", "dessverre",
    "straks", "snart",
}
# English answers: scikit-learn's English stop words, less the ones that are Norwegian words too
_NOT_ENGLISH_STOP = {"side", "full", "fire", "mine", "under", "over", "bare", "alle", "man", "sin"}
_ENGLISH_EXTRA = {"just", "really", "get", "got", "lot", "don", "didn", "doesn", "isn", "ll", "ve"}


@lru_cache(maxsize=1)
def norwegian_stop_words() -> frozenset[str]:
    """Bokmål stop words from the ``stop-words`` package and the function words it lacks (:data:`_FUNCTION_WORDS`),
    nynorsk and English function words, survey fillers, greetings and sign-offs, light verbs and number words
    (:data:`_FILLER`): the one list of non-topic words."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    words: set[str] = (set(_EXTRA_STOP) | _NYNORSK_STOP | _FILLER | _FUNCTION_WORDS
                       | (set(ENGLISH_STOP_WORDS) - _NOT_ENGLISH_STOP) | _ENGLISH_EXTRA)
    try:
        from stop_words import get_stop_words

        words.update(get_stop_words("norwegian"))
    except Exception:  # pragma: no cover - package missing
        pass
    return frozenset(w.lower() for w in words)


@lru_cache(maxsize=1)
def name_words() -> tuple[frozenset[str], frozenset[str]]:
    """(first names and surnames of the redaction's name lists, the ones among them that are ordinary words too),
    lower-case: a topic word is never one of them, an example never holds one (see ``core._shows_name``)."""
    try:
        from textmine.preprocess.redact import NameLists

        names = NameLists.from_wordlists()
    except (ImportError, FileNotFoundError):  # pragma: no cover - preprocessing not installed
        return frozenset(), frozenset()
    return frozenset(names.first | names.last | names.last_extra), frozenset(names.ambiguous)


# counties, old and new (the redaction's place list holds municipalities and towns): where an answer comes from
# ("Fra en arbeidsgiver i Agder") is no theme, and with the topic's other words it may point to the employer.
# Oslo, a county and the capital, is left to the place list: «kontoret i Oslo» is a town's office
COUNTIES = frozenset({
    "agder", "aust-agder", "vest-agder", "akershus", "buskerud", "finnmark", "hedmark", "hordaland", "innlandet",
    "møre", "romsdal", "nordland", "oppland", "rogaland", "sogn", "fjordane", "telemark", "troms", "trøndelag",
    "trøndelag", "vestfold", "vestland", "viken", "østfold", "finnmárku", "romsa", "vestlandet",
    "østlandet", "sørlandet", "nord-norge", "midt-norge",
})


@lru_cache(maxsize=1)
def place_words() -> frozenset[str]:
    """Lower-case place names: the redaction's place list (municipalities, towns) and :data:`COUNTIES`. A topic
    word is never one, an example never shows one (``core._showable``)."""
    try:
        from textmine.preprocess.cleaner import default_resources

        places = frozenset(default_resources().redactor.place_names)
    except (ImportError, FileNotFoundError):  # pragma: no cover - preprocessing not installed
        places = frozenset()
    return frozenset(w.lower() for w in places) | COUNTIES


def allowed_terms(terms, probable_names: Collection[str] = ()) -> np.ndarray:
    """Mask over vectorizer terms: False where a word of the term is a first name or surname ("kari", "hils
    kari", "per olsen"), also one that is an ordinary word ("per", "dag"), one of ``probable_names``
    (:func:`probable_names`) or a place (:func:`place_words`: "bodø", "agder"): a name never labels a topic."""
    names = name_words()[0] | frozenset(probable_names) | place_words()
    return np.array([not any(w in names for w in str(t).split()) for t in terms], dtype=bool)


_SENTENCE_WORDS = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*|[.!?:;\n]")


def probable_names(texts: Sequence[str], *, min_uses: int = 2, capital_share: float = 0.6) -> frozenset[str]:
    """Lower-case words the answers write with a capital inside a sentence (at least ``min_uses`` times, and in
    at least ``capital_share`` of their uses there) that are no known word, no organisation, service or place the
    redaction's lists know (``name_blocklist.txt``, ``place_names_no.txt``), no compound on a known word
    ("NAV-kontoret") and not all capitals (NAV, BHT): most
    likely a person's name the redaction did not know ("Kvernmo på NAV-kontoret ringte aldri"). Such a word is
    never a topic word and no example shows it."""
    from collections import Counter

    capital, uses = Counter(), Counter()
    for text in texts:
        start = True
        for m in _SENTENCE_WORDS.finditer(str(text)):
            tok = m.group(0)
            if tok in ".!?:;\n":
                start = True
                continue
            if not start:
                low = tok.lower()
                uses[low] += 1
                if tok[0].isupper() and not tok.isupper():
                    capital[low] += 1
            start = False
    cands = {w for w, n in capital.items() if n >= min_uses and n >= capital_share * uses[w]}
    if not cands:
        return frozenset()
    known, kept = _known_words_and_places()
    return frozenset(w for w in cands if w not in known and w not in kept
                     and not ("-" in w and w.rsplit("-", 1)[1] in known))  # "NAV-kontoret", "IA-avtalen"


def _known_words_and_places() -> tuple[Collection[str], frozenset[str]]:
    """(the lexicon's known words, the lower-cased organisations/services/places of the redaction's lists): the
    cleaner's shared resources, read once (its redactor holds ``name_blocklist.txt`` and ``place_names_no.txt``)."""
    try:
        from textmine.preprocess.cleaner import default_resources

        res = default_resources()
    except (ImportError, FileNotFoundError):  # pragma: no cover - preprocessing not installed
        return frozenset(), frozenset()
    kept = {w.lower() for w in res.redactor.names.blocked} | set(res.redactor.place_names)
    return res.language.known_words, frozenset(kept)


STOCK_RUN = 5  # a run of this many words written alike in several answers is a stock phrase ("Som leder i en travel
STOCK_ANSWERS = 3  # hverdag har jeg lite tid til byråkrati"), when at least this many of a topic's answers hold it


def stock_phrases(texts: Sequence[str], *, run: int = STOCK_RUN, min_answers: int = STOCK_ANSWERS
                  ) -> tuple[frozenset[str], np.ndarray]:
    """(the folded words of runs of ``run`` words that at least ``min_answers`` of ``texts`` hold, per text
    whether it holds one): a repeated opening or sign-off phrase, which groups answers by how they are written."""
    from collections import Counter

    from textmine.neardup import fold_words

    runs_of = []
    seen: Counter = Counter()
    for t in texts:
        w = fold_words(t)
        runs = {tuple(w[i:i + run]) for i in range(len(w) - run + 1)}
        runs_of.append(runs)
        seen.update(runs)
    stock = {r for r, k in seen.items() if k >= min_answers}
    words = frozenset(x for r in stock for x in r)
    return words, np.array([bool(r & stock) for r in runs_of], dtype=bool)


def in_stock_phrase(term: str, words: Collection[str]) -> bool:
    """Every word of the (lemma) ``term`` is one of ``words`` (folded written forms) or an inflection of it:
    "hverdag" matches "hverdagen", "ringe" "ringte"; "kontor" not "kontakt", "system" not "systematisk" (the
    shared start is the word less two letters, at least 4 letters for short words and 5 for longer ones, and
    the written form at most 4 letters longer)."""
    if not words:
        return False

    def inflected(w: str, x: str) -> bool:
        if w == x:
            return True
        if len(w) < 4 or len(x) > len(w) + 4:
            return False
        return x.startswith(w[:max(4 if len(w) <= 5 else 5, len(w) - 2)])

    return all(any(inflected(w, x) for x in words) for w in term.split())


def without_compound_parts(lemmas: str) -> str:
    """A lemma string without the compound parts the analysis appends after a compound ("veileder vei leder" →
    "veileder", "meldekort melde kort" → "meldekort"): topic words and n-grams name what people wrote, not the
    parts ("leder", "kort") that only help matching. A part is a shorter word inside the compound before it."""
    out: list[str] = []
    head = ""
    for tok in lemmas.split():
        if head and len(tok) < len(head) and tok in head:
            continue
        out.append(tok)
        head = tok
    return " ".join(out)


def make_vectorizer(n_docs: int, *, ngram_range=(1, 3), min_df: int | None = None):
    """CountVectorizer over lemma strings (stop words removed, n-grams 1-3, ``min_df`` scaled to corpus)."""
    from sklearn.feature_extraction.text import CountVectorizer

    if min_df is None:
        min_df = 1 if n_docs < 200 else 2 if n_docs < 2000 else 3
    return CountVectorizer(token_pattern=_TOKEN, stop_words=sorted(norwegian_stop_words()), ngram_range=ngram_range,
                           min_df=min_df, lowercase=True)


def class_tfidf(lemma_docs: list[str], labels: np.ndarray, topic_ids: list[int], *, vectorizer=None,
                doc_counts: bool = False):
    """c-TF-IDF (as BERTopic's ClassTfidfTransformer, frequent words damped) -> (matrix [topics, terms], terms),
    with ``doc_counts=True`` also the [documents, terms] counts (which answers hold a term).

    ``min_df`` applies to documents; documents whose label is not in ``topic_ids`` are ignored.
    """
    out = _class_tfidf(lemma_docs, labels, topic_ids, vectorizer)
    return out if doc_counts else out[:2]


def _class_tfidf(lemma_docs, labels, topic_ids, vectorizer):
    labels = np.asarray(labels)
    vectorizer = vectorizer or make_vectorizer(len(lemma_docs))
    try:
        doc_counts = vectorizer.fit_transform(lemma_docs)
    except ValueError:  # empty vocabulary (e.g. only stop words)
        return (sparse.csr_matrix((len(topic_ids), 0)), np.array([], dtype=object),
                sparse.csr_matrix((len(lemma_docs), 0)))
    row_of = {int(t): i for i, t in enumerate(topic_ids)}
    keep = np.array([int(t) in row_of for t in labels], dtype=bool)
    rows = np.array([row_of[int(t)] for t in labels[keep]], dtype=np.int64)
    ind = sparse.csr_matrix((np.ones(len(rows)), (rows, np.flatnonzero(keep))), shape=(len(topic_ids), len(lemma_docs)))
    counts = sparse.csr_matrix(ind @ doc_counts)
    terms = vectorizer.get_feature_names_out()
    used = np.flatnonzero(np.asarray(counts.sum(axis=0)).ravel() > 0)  # terms seen only in outliers: df = 0
    counts, terms, doc_counts = counts[:, used], terms[used], sparse.csr_matrix(doc_counts)[:, used]
    if counts.shape[1] == 0:
        return sparse.csr_matrix((len(topic_ids), 0)), np.array([], dtype=object), doc_counts
    return ctfidf_weights(counts), terms, doc_counts


def ctfidf_weights(counts) -> sparse.csr_matrix:
    """BERTopic's ``ClassTfidfTransformer(reduce_frequent_words=True)`` on a [topics, terms] count matrix, same
    arithmetic: idf = log(avg words per topic / term frequency + 1); tf = sqrt(L1-normalised counts); tf * idf.
    Implemented here so describing topics does not import BERTopic (and with it torch: ~5 s per process)."""
    from sklearn.preprocessing import normalize

    x = sparse.csr_matrix(counts, dtype=np.float64)
    df = np.squeeze(np.asarray(x.sum(axis=0)))
    avg_nr_samples = int(x.sum(axis=1).mean())
    idf = np.log((avg_nr_samples / df) + 1)
    x = normalize(x, axis=1, norm="l1", copy=False)
    x.data = np.sqrt(x.data)
    return sparse.csr_matrix(x @ sparse.diags(idf, offsets=0, shape=(len(idf), len(idf)), format="csr"))


def top_keywords(row, terms: np.ndarray, k: int = 10) -> list[str]:
    row = row.toarray().ravel() if sparse.issparse(row) else np.asarray(row).ravel()
    if row.size == 0:
        return []
    order = np.lexsort((terms, -row))  # by weight, ties alphabetical (deterministic)
    return [str(terms[i]) for i in order[:k] if row[i] > 0]


def make_label(keywords: list[str], n: int = 3, *, doc_sets: dict[str, frozenset] | None = None,
               max_overlap: float = 0.6) -> str:
    """``"telefon · kø · ventetid"``: top keywords, skipping ones whose words are already shown and (with
    ``doc_sets``: keyword -> the answers holding it) ones found in mostly the same answers as a chosen one (the
    pieces of one stock phrase: "leder travel", "hverdag lite") - Jaccard above ``max_overlap``."""
    return " · ".join(label_keywords(keywords, n, doc_sets=doc_sets, max_overlap=max_overlap)) or "(uten nøkkelord)"


def label_keywords(keywords: list[str], n: int = 3, *, doc_sets: dict[str, frozenset] | None = None,
                   max_overlap: float = 0.6) -> list[str]:
    """The keywords :func:`make_label` shows, in order: first those from other answers than the ones chosen,
    then (a small topic whose words all come from the same answers) the others, up to ``n``."""
    chosen: list[str] = []
    seen: set[str] = set()
    for diverse in ((True, False) if doc_sets is not None else (False,)):
        for kw in keywords:
            if len(chosen) == n:
                return chosen
            words = kw.split()
            if kw in chosen or all(w in seen for w in words):
                continue
            if any(_contains(c, kw) or _contains(kw, c) for c in chosen):
                continue
            if diverse and any(_jaccard(doc_sets.get(kw, frozenset()), doc_sets.get(c, frozenset())) > max_overlap
                               for c in chosen):
                continue
            chosen.append(kw)
            seen.update(words)
    return chosen


def _jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def _contains(a: str, b: str) -> bool:
    return bool(re.search(rf"(?<!\w){re.escape(b)}(?!\w)", a))
