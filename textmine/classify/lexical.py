"""Lexical evidence: codebook keyword matching on lemmas/compound parts and hashed lemma features."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

from ..codebook import Codebook

__all__ = ["KEYWORD_IDIOMS", "KeywordMatcher", "LemmaHasher", "CharHasher", "analyze_keyword", "feature_text",
           "has_placeholder", "parse_keyword", "PARTICLES", "STRONG_VERB_FORMS"]

# A redaction placeholder (``[TELEFON]``, ``[NAVN]``…, see ``preprocess.redact.PLACEHOLDERS``; the same pattern
# the lemma analysis drops). Placeholders stay in the redacted text users see but are no evidence for any theme
# or type ("[TELEFON]" is not the theme "telefon"), so every feature that reads text reads :func:`feature_text`.
_PLACEHOLDER = re.compile(r"\[[A-ZÆØÅ]+\]")
_PLACEHOLDER_SPAN = re.compile(r"\s*\[[A-ZÆØÅ]+\]\s*")
_SPACE_BEFORE_PUNCT = re.compile(r" (?=[.,;:!?)\]}])")


#: Idioms in which a word means something else: (the word, as it stands in the idiom; a regex over the lower-cased
#: text). A one-word keyword does not match inside an idiom ("setter pris på", to appreciate, is no price; "som
#: regel", usually, no rule), only where its word also stands outside one ("Vi setter pris på hjelpen, men prisen er
#: for høy"). A phrase keyword is not blocked: a phrase names its own context ("setter pris på" may be a keyword).
KEYWORD_IDIOMS: tuple[tuple[str, str], ...] = (
    # "setter (stor) pris på", "det satte vi veldig stor pris på", nynorsk "set/sette/setje pris på"
    # (not "sett", seen: "har aldri sett en pris på over 5000 kr"; between verb and "pris" only pronouns and degree
    # words, so "setter en pris på tjenesten" stays a price)
    ("pris", r"(?:setter|sette|satte|satt|set|setj[ae])\s+(?:(?:vi|jeg|eg|me|de|dei|dere|dykk|han|hun|ho|alle|"
             r"veldig|svært|særs|utrolig|utruleg|enormt|så|stor|kjempestor|mye|mykje|høy|høg|meget|virkelig|"
             r"verkeleg|helt|heilt|absolutt|ikke|ikkje|alltid|også|òg|nok|faktisk)\s+){0,4}?pris\s+på"),
    ("pris", r"pris(?:e|er|te|a|ar|et)?\s+(?:seg|oss|meg|deg|dykk|dere)\s+lykk\w*"),  # count oneself lucky
    ("pris", r"prisverdig\w*|prisverd(?:e|t)?"),  # praiseworthy (analysed as pris + verdig); not "prisverdien"
    ("regel", r"som\s+regel|i\s+regelen"),  # usually
    ("helhet", r"i\s+sin\s+helhet"),  # in its entirety
    ("topp", r"på\s+toppen\s+av\s+(?:det\s+hele|alt(?:\s+sammen)?)"),  # on top of it all
)
_IDIOMS = tuple(re.compile(r"(?<!\w)(?:" + rx + r")(?!\w)") for _, rx in KEYWORD_IDIOMS)
_IDIOM_WORDS = frozenset(word for word, _ in KEYWORD_IDIOMS)  # each idiom's text holds its word: a pre-check


def _idiom_spans(low: str) -> list[tuple[int, int]]:
    """The spans of :data:`KEYWORD_IDIOMS` in the lower-cased ``low``, in order."""
    if not any(w in low for w in _IDIOM_WORDS):
        return []
    return sorted(m.span() for pat in _IDIOMS for m in pat.finditer(low))


def _outside_idioms(low: str, tokens: list[str], spans: list[tuple[int, int]]) -> tuple[str, set[str]]:
    """``low`` with each idiom span blanked out, and the comment's lemmas (``tokens``: one per word and compound
    part) less those of the idioms' words (as often as the idioms hold them): what is said outside the idioms."""
    parts, last, held = [], 0, Counter()
    for a, b in spans:
        parts.append(low[last:a] + " ")
        last = max(last, b)
        held.update(_idiom_lemmas(low[a:b]))
    rest = Counter(tokens)
    rest.subtract(held)
    return "".join(parts) + low[last:], {t for t, c in rest.items() if c > 0}


@lru_cache(maxsize=256)
def _idiom_lemmas(idiom: str) -> tuple[str, ...]:
    """The lemmas an idiom's words add to a comment's (as :func:`analyze_keyword` has them)."""
    return tuple(analyze_keyword(idiom))


def has_placeholder(text: str) -> bool:
    return "[" in text and _PLACEHOLDER.search(text) is not None


def feature_text(text: str) -> str:
    """``text`` as the features read it: redaction placeholders removed. A text without placeholders is
    returned unchanged (the very same string); with them, each placeholder and the spaces around it become one
    space, the ends are stripped and a space left before punctuation is dropped, so "ring meg på [TELEFON]
    angående X" reads "ring meg på angående X", exactly as if the number had not been written."""
    text = str(text or "")
    if not has_placeholder(text):
        return text
    out = _PLACEHOLDER_SPAN.sub(" ", text).strip()
    return _SPACE_BEFORE_PUNCT.sub("", out)


def analyze_keyword(keyword: str) -> list[str]:
    """Lemma tokens of a keyword, through the same analysis as comments (first token = main lemma)."""
    from ..preprocess import analyze, normalize

    return analyze(normalize(keyword))


# -ing nouns whose verb means something else ("løsning" is no "løsne", "ordning" no "ordne"): no verb match
_ING_NOT_VERB = frozenset({"løsning", "ordning", "regning", "mening", "ledning", "tegning", "avdeling", "forening"})


def _verb_noun_pair(lemma: str) -> str | None:
    """The other half of a keyword's verb / -ing noun pair: "mobbing" → "mobbe", "forenkling" → "forenkle" and
    back, when the lexicon has the verb as a verb lemma (and not as a noun: "lege") and the noun as a noun lemma,
    and the two name the same act (not "løsning" / "løsne"); else None."""
    if not lemma.isalpha():
        return None
    if lemma.endswith("ing"):
        noun, verb = lemma, lemma[:-3] + "e"
    elif lemma.endswith("e"):
        noun, verb = lemma[:-1] + "ing", lemma
    else:
        return None
    if len(noun) < 6 or noun in _ING_NOT_VERB:
        return None
    from ..preprocess import default_resources

    lemmas = default_resources().lexicon.lemmas_by_pos
    if verb not in lemmas["verb"] or noun not in lemmas["noun"] or (lemma == verb and verb in lemmas["noun"]):
        return None  # a keyword that is a noun as well ("lege", the doctor) is no verb
    return verb if lemma == noun else noun


def _is_expansion(word: str, toks: list[str]) -> bool:
    """Whether the analysis of the one-word keyword ``word`` replaced it by other words (an abbreviation
    expanded: "nks" → nav, kontaktsenter, …) rather than giving its own lemma first (a compound's lemma
    starts as the word does: "skolebussen" → skolebuss, skole, buss)."""
    return len(toks) >= 2 and not toks[0][:2] == word[:2]


# -- keyword syntax: whole-word marker ------------------------------------------------------------------------
_WHOLE_WORD_QUOTES = (('"', '"'), ("«", "»"), ("“", "”"))
# the end of a whole-word keyword: no letter or hyphen follows, or a hyphenated inflection ("app-en", "app-ene",
# "PC-ar") and then none; a hyphenated compound ("app-basert") is another word
_WHOLE_WORD_END = r"(?=-(?:en|et|a|er|ar|ene|ane|ens|ets|s)(?![\w-])|(?![\w-]))"


def parse_keyword(keyword: str) -> tuple[str, bool]:
    """A codebook keyword as (its words, whether it is marked whole word only). The marker is a trailing ``$``
    (``feil$``) or double quotes around it (``"feil"``, «feil»): the keyword then matches the word itself and its
    inflections ("feil", "feilen", hyphenated "app-en") but no word it starts or is a compound part of
    ("Feilmeldingen", "BankID-appen" or "app-basert" for ``app$``)."""
    s = " ".join(str(keyword or "").split())
    if len(s) >= 2 and s.endswith("$"):
        return s[:-1].rstrip(), True
    for a, b in _WHOLE_WORD_QUOTES:
        if len(s) >= 3 and s.startswith(a) and s.endswith(b):
            return s[1:-1].strip(), True
    return s, False


# -- particle verbs ----------------------------------------------------------------------------------------
#: Verb particles (bokmål and nynorsk), each with the forms a comment may write it in: a keyword phrase of one
#: content word and a particle ("logge inn", "laste opp", "ringe tilbake") is a particle verb, matched on the verb's
#: lemma followed by the particle ("Får ikke logget inn", "Eg får ikkje logga inn", "ring meg tilbake").
PARTICLES: dict[str, frozenset[str]] = {
    # (no prepositions: "lagt på" would match "vi la det på Altinn"; such phrases match as written)
    **{p: frozenset([p]) for p in ("inn", "ut", "opp", "ned", "bort", "vekk", "igjen", "sammen", "innom",
                                     "unna")},
    **{p: frozenset(("tilbake", "attende")) for p in ("tilbake", "attende")},
    **{p: frozenset(("fram", "frem")) for p in ("fram", "frem")},
    **{p: frozenset(("løs", "laus")) for p in ("løs", "laus")},
}
#: Words that may stand between a particle verb and its particle ("logger meg ut", "fylle det ut", "får ikkje
#: logga seg inn"): pronouns, negation and short adverbs, at most :data:`_PARTICLE_GAP` of them (no noun: "lagt
#: inn på siden" is no "lagt på").
_PARTICLE_GAP_WORDS = frozenset("""
meg deg seg oss dere dykk dokker dem dei de den det dette denne han ham henne ho hun ein en ikke ikkje ikkj inte
aldri også òg bare berre nå no da så helt heilt alt noe noko ofte alltid fort raskt straks
""".split())
_PARTICLE_GAP = 2
_WORD = re.compile(r"\w+(?:-\w+)*|[^\w\s]")  # words (hyphenated compounds as one) and punctuation marks


def _lexicon():
    from ..preprocess import default_resources

    return default_resources().lexicon


def _as_verb(cand: str, verbs) -> str | None:
    """``cand`` as a bokmål verb lemma: itself, or a nynorsk a-/j-infinitive spelt as bokmål ("henga" → "henge",
    "leggje" → "legge"); None when the lexicon has no such verb."""
    if cand in verbs:
        return cand
    if len(cand) >= 4 and cand.endswith("a") and cand[:-1] + "e" in verbs:
        return cand[:-1] + "e"
    if len(cand) >= 5 and cand.endswith(("je", "ja")) and cand[:-2] + "e" in verbs:
        return cand[:-2] + "e"
    return None


@lru_cache(maxsize=65_536)
def _verb_readings(word: str, imperative: bool = False) -> frozenset[str]:
    """The verb lemmas a lower-cased word form may be besides the one lemma the analysis gives it (which reads
    "henger" as the noun): simplemma's bokmål and nynorsk lemmas ("hang" → "henge", nynorsk "heng" → "henge"),
    a present tense in -r ("henger", "laster" → "henge", "laste"; nynorsk "-ar": "loggar" → "logge") and, with
    ``imperative`` (comment words, not keywords: a keyword "feil" is no imperative), the imperative
    ("logg", "last" → "logge", "laste")."""
    if not word.isalpha() or len(word) < 2:
        return frozenset()
    from ..preprocess.lemmas import simplemma_lemmatize

    verbs = _lexicon().lemmas_by_pos["verb"]
    cands = {simplemma_lemmatize(word, "nb").lower(), simplemma_lemmatize(word, "nn").lower()}
    if word.endswith("r") and len(word) >= 4:
        cands.add(word[:-1])
        if word.endswith("ar"):
            cands.add(word[:-2] + "e")
    if imperative and len(word) >= 3:
        cands.add(word + "e")
    return frozenset(v for v in (_as_verb(c, verbs) for c in cands) if v is not None)


@lru_cache(maxsize=65_536)
def _word_analysis(word: str) -> tuple[str | None, frozenset[str]]:
    """A comment word's main lemma (None for a stop word or a sign) and every lemma it may be read as (the main
    one and its verb readings, :func:`_verb_readings`)."""
    from ..preprocess import default_resources

    toks = default_resources().analyzer.analyze_token(word, "nb")
    main = toks[0] if toks else None
    readings = _verb_readings(word, imperative=True)
    return main, (readings | {main}) if main else readings


class _Words:
    """A comment's words in order, with their main lemmas and readings (for whole-word, verb and particle rules;
    computed only when such a rule is tried)."""

    __slots__ = ("words", "readings", "mains", "any_reading")

    def __init__(self, low: str):
        self.words = _WORD.findall(low)
        analysed = [_word_analysis(w) for w in self.words]
        self.readings = [r for _, r in analysed]
        self.mains = {m for m, _ in analysed if m}
        self.any_reading = set().union(*self.readings) if self.readings else set()

    def particle_verb(self, verbs: frozenset[str], particles: frozenset[str]) -> bool:
        """Whether a word read as one of ``verbs`` is followed by one of ``particles``, with at most
        :data:`_PARTICLE_GAP` pronouns/adverbs between ("logger meg ut")."""
        if not particles.intersection(self.words) or verbs.isdisjoint(self.any_reading):
            return False
        words = self.words
        for i, r in enumerate(self.readings):
            if verbs.isdisjoint(r):
                continue
            for j in range(i + 1, min(len(words), i + 2 + _PARTICLE_GAP)):
                if words[j] in particles:
                    return True
                if words[j] not in _PARTICLE_GAP_WORDS:
                    break
        return False


@dataclass(frozen=True, slots=True)
class _Rule:
    """One keyword as the matcher tries it: ``lit`` (a cheap substring pre-check) and ``pat`` on the lower-cased
    text; ``alts``: lemma sets any of which matches the comment's lemmas (each word's main lemma only, when
    ``whole``); ``verbs``: verb lemmas any comment word may be read as; ``forms``: comment words any of which
    matches (a strong verb's forms); ``particle``: (verb lemmas, particle forms) of a particle verb; ``one_word``:
    no match inside an idiom (see KEYWORD_IDIOMS)."""

    lit: str
    pat: re.Pattern
    alts: tuple[frozenset[str], ...]
    one_word: bool
    whole: bool = False
    verbs: frozenset[str] = frozenset()
    particle: tuple[frozenset[str], frozenset[str]] | None = None
    forms: frozenset[str] = frozenset()  # a strong verb's forms, as a comment word (STRONG_VERB_FORMS)
    more: bool = False  # whole, verbs, forms or particle: the comment's words are needed (:func:`_matches_more`)

    def __post_init__(self):
        object.__setattr__(self, "more", bool(self.whole or self.verbs or self.forms or self.particle is not None))


def _particle_verb(low: str, toks: list[str]) -> tuple[frozenset[str], frozenset[str]] | None:
    """(the verb's lemma readings, the particle's forms) of a keyword phrase that is one content word, then
    only stop words, then a particle ("logge inn", "logge seg inn", "ringe tilbake"), else None."""
    words = low.split()
    if len(words) < 2 or words[-1] not in PARTICLES or len(toks) != 1 or not words[0].isalpha():
        return None
    if analyze_keyword(words[0])[:1] != toks[:1] or any(analyze_keyword(w) for w in words[1:-1]):
        return None
    return frozenset({toks[0]} | _verb_readings(words[0])), PARTICLES[words[-1]]


def _keyword_verbs(low: str, main: str) -> frozenset[str]:
    """The verb lemmas a one-word keyword may be read as besides its main lemma (:func:`_verb_readings`:
    "henger" is the noun and the present tense of "henge"), matched against every reading of the comment's words
    ("Sida heng seg opp", "siden hang"). Only a keyword that may be a present tense (in -r: codebooks list
    verbs so, "henger, krasjer, laster") whose main lemma is no verb: a verb keyword ("ansette", "sykmelder")
    matches its lemma as before, not every word that may be read as it (the noun "ansatt", "den sykmeldte"), and
    a participle keyword ("sykmeldte") names the person or state, not the act ("legen sykmelder")."""
    if not VERB_READINGS_OF_NOUNS or not low.endswith("r") or main in _lexicon().lemmas_by_pos["verb"]:
        return frozenset()
    return _verb_readings(low) - {main}


#: Strong verbs (lemma → its forms, bokmål and nynorsk) whose present or past the analysis reads as another word
#: ("hang" is the noun, a tendency; "henger" the noun, a hanger) or leaves as it is (nynorsk "heng"): a one-word
#: keyword that is one of these forms ("henger", "heng") or the lemma ("henge") matches every form of its row, as
#: written in the comment. Explicit, and not :data:`VERB_READINGS_OF_NOUNS`, so that no person noun in -er is read
#: as a verb ("behandler" is no "behandlet"). "henge" (a frequent complaint: "siden henger") and the strong verbs of
#: the shipped codebook's keyword phrases ("forstår ikke", "komme gjennom", "følge opp", "samtalen ble brutt"), for a
#: codebook that lists one of them as a one-word keyword; phrases match as before.
STRONG_VERB_FORMS: dict[str, frozenset[str]] = {lemma: frozenset(forms.split()) for lemma, forms in {
    "henge": "henge henger heng hang hengt hengte hengde henga hengje hengjer",
    "bryte": "bryte bryter bryt brøt braut brutt brote broten brotne",
    "forstå": "forstå forstår forsto forstod forstått",
    "komme": "komme kommer kom kommet kome kjem komen komne",
    "følge": "følge følger fulgte fulgt følgje følgjer følgde følgt fylgje fylgjer fylgde fylgt",
}.items()}
_STRONG_VERB_OF_FORM = {form: lemma for lemma, forms in STRONG_VERB_FORMS.items() for form in forms}


def _strong_verb_forms(low: str, main: str) -> frozenset[str]:
    """The forms of a one-word keyword's strong verb (:data:`STRONG_VERB_FORMS`): the keyword ("henger") or its
    main lemma ("henge") is in the table; else none."""
    lemma = _STRONG_VERB_OF_FORM.get(low) or _STRONG_VERB_OF_FORM.get(main)
    return STRONG_VERB_FORMS[lemma] if lemma is not None else frozenset()


#: Off: most -er keywords that may be read as a verb name a person ("behandler" matched «saken ble behandlet»,
#: "leder" «det ledet til», "tolker" «tolkes ulikt»), so a present-tense keyword ("henger") matches its own lemma
#: and the words it starts, as before; a strong verb's forms come from :data:`STRONG_VERB_FORMS` ("henger" matches
#: "heng", "hang"); list the forms a codebook needs for other verbs.
VERB_READINGS_OF_NOUNS = False


def _matches_more(rule: _Rule, words: _Words) -> bool:
    """Whether ``rule`` matches a comment's ``words`` (:class:`_Words`) as a whole-word, verb or particle rule
    (the literal and, but for a whole-word rule, the lemma set did not)."""
    if rule.whole and any(ls <= words.mains for ls in rule.alts):
        return True
    if rule.verbs and not rule.verbs.isdisjoint(words.any_reading):
        return True
    if rule.forms and not rule.forms.isdisjoint(words.words):
        return True
    return rule.particle is not None and words.particle_verb(*rule.particle)


class KeywordMatcher:
    """Counts, per theme, how many of its keywords occur in a comment.

    A one-word keyword matches when its lemma is among the comment's lemmas (which carry compound parts, so
    ``telefon`` matches ``telefonkøen``) or when a word of the text starts with it. With ``verb_noun_pairs`` (the
    zero-shot coder) a keyword noun in -ing also matches its verb's lemma, and a keyword verb its -ing noun
    (``mobbing`` matches "mobbet", "mobba"; ``mobbe`` matches "mobbingen"; see :func:`_verb_noun_pair`). A phrase
    matches when it occurs in the lower-cased text or all its content lemmas occur in the comment.

    A keyword word keeps every plausible lemma reading: "henger" is the noun and the verb "henge", so it matches
    "Sida heng seg opp" and "siden hang" (:func:`_verb_readings`, read on each word of the comment too). A phrase of
    one content word and a particle ("logge inn", "laste opp", "ringe tilbake", :data:`PARTICLES`) is a particle
    verb: the verb in any form followed by the particle, with at most two pronouns or adverbs between ("Får ikke
    logget inn", "Eg får ikkje logga inn", "Logg inn knappen", "logger meg ut"). A keyword marked whole word only
    (``feil$`` or ``"feil"``, :func:`parse_keyword`) matches the word and its inflections, not a word it starts
    or a compound it is part of ("feil" and "feilen", not "Feilmeldingen").

    A part of the coders, not a coder: it takes cleaned texts and their lemmas, not raw answers or a table (for
    ``code_dataframe`` or ``predict``, use ``ZeroShotCoder(codebook)``, which codes by keywords and embeddings).
    """

    def __init__(self, codebook: Codebook, *, expansions_as_phrases: bool = False, verb_noun_pairs: bool = False):
        """``expansions_as_phrases``: a one-word keyword that the analysis expands into several words (an
        abbreviation: "NKS" → "nav kontaktsenter", "IA" → "inkluderende arbeidsliv") must find all of them,
        as a phrase does. Without it only the first word is required, so the keyword "NKS" matched every
        comment that mentions NAV. Off by default: a trained model's features were computed without it (the
        zero-shot coder turns it on). ``verb_noun_pairs``: a keyword noun in -ing also matches its verb and back
        (:func:`_verb_noun_pair`). Off by default: the zero-shot coder turns it on, for codebooks it has never
        seen; a trained coder's keyword features gained nothing from it on the eval set (macro-F1 0.864 with,
        0.868 without, 2026-12-05) and learn the verbs from examples instead."""
        self.codebook = codebook
        self.expansions_as_phrases = bool(expansions_as_phrases)
        self.verb_noun_pairs = bool(verb_noun_pairs)
        self._rules: list[list[_Rule]] = [[r for r in (self._rule(kw) for kw in theme.keywords) if r is not None]
                                          for theme in codebook.themes]

    def _rule(self, keyword: str) -> _Rule | None:
        """How one keyword is matched (None for an empty one)."""
        text, whole = parse_keyword(keyword)
        low = text.lower()
        if not low:
            return None
        pat = re.compile((r"(?<![\w-])" if whole else r"(?<!\w)") + re.escape(low) + (_WHOLE_WORD_END if whole else ""))
        toks = analyze_keyword(text)
        if " " in low:
            particle = _particle_verb(low, toks)
            lem = frozenset(toks) if len(toks) >= 2 else None  # phrase: all content lemmas present
            return _Rule(low, pat, (lem,) if lem is not None else (), False, whole, particle=particle)
        if self.expansions_as_phrases and _is_expansion(low, toks):
            return _Rule(low, pat, (frozenset(toks),), True, whole)  # an abbreviation's expansion: all its words
        if not toks:
            return _Rule(low, pat, (), True, whole)
        alts = [frozenset(toks[:1])]  # main lemma (comment lemmas carry compound parts)
        # an abbreviation's first word ("IA" → inkluderende …) is no keyword of its own
        expansion = _is_expansion(low, toks)
        pair = _verb_noun_pair(toks[0]) if self.verb_noun_pairs and not expansion else None
        if pair is not None:
            alts.append(frozenset([pair]))
        verbs = frozenset() if expansion else _keyword_verbs(low, toks[0])
        forms = frozenset() if expansion else _strong_verb_forms(low, toks[0])
        return _Rule(low, pat, tuple(alts), True, whole, verbs=verbs, forms=forms)

    def counts(self, texts_clean: Sequence[str], lemmas: Sequence[str]) -> np.ndarray:
        """(n, n_themes) float32 matrix: number of distinct keywords of each theme found in each comment
        (redaction placeholders are not words of the comment: ``[TELEFON]`` does not match ``telefon``; a keyword
        inside one of its :data:`KEYWORD_IDIOMS` is no match)."""
        n, k = len(texts_clean), len(self.codebook)
        out = np.zeros((n, k), dtype=np.float32)
        for i, (text, lem) in enumerate(zip(texts_clean, lemmas, strict=True)):
            low = " ".join(feature_text(text).lower().split())
            tokens = str(lem or "").split()
            lemset = set(tokens)
            if not low and not lemset:
                continue
            spans = _idiom_spans(low)
            rest, rest_lemset = _outside_idioms(low, tokens, spans) if spans else (low, lemset)
            words: dict[bool, _Words] = {}  # per comment, built when a rule needs them (key: one_word)

            def words_of(one_word: bool) -> _Words:
                if one_word not in words:
                    words[one_word] = _Words(rest if one_word else low)
                return words[one_word]

            for j, rules in enumerate(self._rules):
                c = 0
                for r in rules:
                    said, lems = (rest, rest_lemset) if r.one_word else (low, lemset)
                    if (r.lit in said and r.pat.search(said)) or (not r.whole and any(ls <= lems for ls in r.alts)):
                        c += 1
                    elif r.more and _matches_more(r, words_of(r.one_word)):
                        c += 1
                out[i, j] = c
        return out

    def predict(self, texts_clean: Sequence[str], lemmas: Sequence[str]) -> np.ndarray:
        """Keyword baseline: a theme is present when any of its keywords matches."""
        return (self.counts(texts_clean, lemmas) > 0).astype(np.int8)


class LemmaHasher:
    """Stateless bag of lemma uni/bigrams hashed into a fixed width (nothing to store in an artefact)."""

    def __init__(self, n_features: int = 2**13):
        self.n_features = n_features
        self._vec = HashingVectorizer(n_features=n_features, analyzer="word", token_pattern=r"\S+", lowercase=False,
                                      ngram_range=(1, 2), alternate_sign=False, binary=True, norm="l2")

    def transform(self, lemmas: Sequence[str]) -> sp.csr_matrix:
        if len(lemmas) == 0:  # scikit-learn's hasher raises StopIteration on an empty batch
            return sp.csr_matrix((0, self.n_features), dtype=np.float32)
        return self._vec.transform([lem or "" for lem in lemmas]).astype(np.float32)


class CharHasher:
    """Stateless bag of character 3–5-grams within word boundaries (robust to typos, dialect and nynorsk
    spellings), hashed into a fixed width and L2-normalised.

    The same matrix as scikit-learn's ``HashingVectorizer(analyzer="char_wb", binary=True, norm="l2")``, built
    from a per-word memo: char_wb n-grams never cross a word boundary, so a text's features are the union of
    its words' features, and words repeat across comments (the n-gram loop is pure Python). The memo is a cache
    only (bounded, never saved): output depends on the text alone. Redaction placeholders are dropped first
    (:func:`feature_text`)."""

    MEMO_WORDS = 200_000  # words kept before the memo starts afresh

    def __init__(self, n_features: int = 2**14):
        self.n_features = n_features
        # one word per "document", already lower-cased: its n-gram indices, sorted and distinct
        self._word_vec = HashingVectorizer(n_features=n_features, analyzer="char_wb", ngram_range=(3, 5),
                                           lowercase=False, alternate_sign=False, binary=True, norm=None)
        self._words: dict[str, np.ndarray] = {}

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        docs = [feature_text(t).lower().split() for t in texts]
        memo = self._words
        if len(memo) > self.MEMO_WORDS:
            memo = self._words = {}
        missing = list(dict.fromkeys(w for d in docs for w in d if w not in memo))
        if missing:
            X = self._word_vec.transform(missing)
            X.sort_indices()
            for k, w in enumerate(missing):
                memo[w] = X.indices[X.indptr[k]:X.indptr[k + 1]].astype(np.int32)
        rows = []
        for d in docs:
            if not d:
                rows.append(np.empty(0, dtype=np.int32))
            elif len(d) == 1:
                rows.append(memo[d[0]])
            else:
                rows.append(np.unique(np.concatenate([memo[w] for w in d])))
        lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
        indptr = np.zeros(len(rows) + 1, dtype=np.int32)
        np.cumsum(lengths, out=indptr[1:])
        indices = np.concatenate(rows) if rows else np.empty(0, dtype=np.int32)
        # L2 norm of a binary row: 1/sqrt(nnz), computed in float64 as scikit-learn's normalize does
        data = np.repeat(1.0 / np.sqrt(np.maximum(lengths, 1)), lengths).astype(np.float32)
        return sp.csr_matrix((data, indices, indptr), shape=(len(rows), self.n_features))
