"""Analysis tokens: spaCy ``blank("nb")`` tokens → variant folding → abbreviation expansion →
lemma (Ordbank for bokmål, simplemma for nynorsk) → stop-word removal → compound parts appended.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .compounds import CompoundSplitter
from .lexicon import Lexicon, load_lexicon
from .stopwords import load_english_stopwords, load_keep_words, load_stopwords
from .wordlists import read_table

_PLACEHOLDER = re.compile(r"\[[A-ZÆØÅ]+\]")
_HAS_LETTER = re.compile(r"[^\W\d_]")
_URL_TOKEN = re.compile(r"^(?:https?://|www\.)", re.IGNORECASE)
_STRIP = ".,;:!?\"'()[]{}*/\\"
_SENTENCE_END = (".", "!", "?", ":")
_CLOSERS = "\"'»”’)]"
_CACHE_LIMIT = 500_000  # entries per cache before it is cleared
# spaCy keeps a lexeme (and its strings) for every distinct token it has seen, ~370 bytes each, for ever: the
# tokenizer is replaced by a fresh one past this many (or cache_limit, if larger) so a long-running server's
# memory stays bounded. Tokenisation does not depend on that memo, so neither do the results.
_MIN_VOCAB_LIMIT = 100_000
_LEG_ENDINGS = ("legaste", "legare", "legast", "leget", "legt", "lege", "leg")  # nynorsk -leg adjectives, longest first


# Words whose lemma depends on their neighbours (rows of lemma_overrides.tsv give the usual reading):
# "klart" is the adjective ("klart språk") but the verb "klare" after a form of "ha" ("har klart å", "hadde vi
# ikke klart oss"); "søker" is the verb "søke" ("vi søker om") but the noun, the applicant, after a determiner
# or adjective ("en eneste søker", "relevant søker") or as the subject of a sentence ("Søker må vente").
_HA_FORMS = frozenset("har hadde ha hatt hev".split())
_HA_GAP = frozenset("""
ikke ikkje ikkj inte aldri nesten endelig endeleg faktisk ennå enno fortsatt framleis fremdeles heller også
alltid bare berre vel nok jo likevel allerede allereie bestandig sjelden sjeldan knapt neppe
vi me jeg eg du dere dokker dykk de dei dem man ein en han hun ho den det ingen noen nokon nav
""".split())
_SUPINE_FOLLOWERS = frozenset("""
å aa det dette den denne oss seg meg deg dere dykk dokker dem dei henne ham han ho hun alt mye mykje noe noko
ingenting lite og men eller så til heller ennå enno selv sjølv bra fint godt greit ganske nå no da
""".split())
_APPLICANT_BEFORE = frozenset("""
en ein ei én eneste einaste hver kvar enhver annen anna ny første fyrste neste siste riktig rett aktuell relevant
kvalifisert egnet eigna god potensiell mulig ekstern intern ung eldre passende typisk enkelt ene din min vår
deres dykkar hans hennes hvilken kva
""".split())
_FINITE_AFTER = frozenset("""
må skal kan får fikk vil bør burde skulle kunne ville blir ble vert vart er var har hadde mottar mottok venter
ventar trenger treng mangler manglar sender sendte
""".split())
_SUBJECT_PRONOUNS = frozenset("jeg eg vi me man du de dei".split())
_USER_AFTER = frozenset("av som med hos frå fra".split())  # "ein brukar av tenesta": the noun
_NOT_BEFORE_USER = frozenset("kva hva hvilken min din vår deres dykkar hans hennes".split())


def _bare(chunk: str) -> str:
    """A whitespace chunk as a lower-case word, without punctuation around it."""
    return chunk.strip(_STRIP + _CLOSERS + "«“‘-–").lower()


def _ends_clause(chunk: str) -> bool:
    """Whether the chunk ends with punctuation that closes a clause ("klart.", "søker,")."""
    return chunk.rstrip(_CLOSERS)[-1:] in ".,;:!?"


def _supine_after_ha(chunks: list[str], i: int) -> bool:
    """Whether ``chunks[i]`` ("klart") is the supine of "klare": a form of "ha" before it in the same clause (at
    most three adverbs or pronouns between: "har ikkje klart", "hadde vi ikke klart"), and after it "å", an
    object pronoun, a clause end or an adverb, not a noun ("har klart språk" is the adjective)."""
    for j in range(i - 1, max(-1, i - 5), -1):
        if _ends_clause(chunks[j]):
            return False
        w = _bare(chunks[j])
        if w in _HA_FORMS:
            break
        if w not in _HA_GAP:
            return False
    else:
        return False
    return _ends_clause(chunks[i]) or i + 1 >= len(chunks) or _bare(chunks[i + 1]) in _SUPINE_FOLLOWERS


def _applicant_noun(chunks: list[str], i: int, initial: bool) -> bool:
    """Whether ``chunks[i]`` ("søker") is the noun, the applicant: after a determiner or adjective ("en eneste
    søker", "relevant søker"), or a subject followed by a finite verb, at the start of a sentence ("Søker må
    vente") or as "som søker har jeg" (as an applicant I have)."""
    before = _bare(chunks[i - 1]) if i > 0 and not _ends_clause(chunks[i - 1]) else ""
    if before in _APPLICANT_BEFORE:
        return True
    if _ends_clause(chunks[i]) or i + 1 >= len(chunks) or _bare(chunks[i + 1]) not in _FINITE_AFTER:
        return False
    if initial:
        return True
    return (before == "som" and i + 2 < len(chunks) and not _ends_clause(chunks[i + 1])
            and _bare(chunks[i + 2]) in _SUBJECT_PRONOUNS)


def _user_noun(chunks: list[str], i: int, initial: bool) -> bool:
    """Whether ``chunks[i]`` (nynorsk "brukar") is the noun, the user, as :func:`_applicant_noun` reads "søker";
    after "ein"/"en", also the generic pronoun ("ein brukar lang tid": one spends), only at a clause end or
    before a finite verb or "av", "som", "med" ("ein brukar av tenesta"); after "kva" ("kva brukar de") or a
    possessive, which nynorsk puts after its noun ("rekneskapsføraren min brukar meir tid"), the verb."""
    before = _bare(chunks[i - 1]) if i > 0 and not _ends_clause(chunks[i - 1]) else ""
    if before in ("ein", "en"):
        return (_ends_clause(chunks[i]) or i + 1 >= len(chunks)
                or _bare(chunks[i + 1]) in _FINITE_AFTER | _USER_AFTER)
    return before not in _NOT_BEFORE_USER and _applicant_noun(chunks, i, initial)


def simplemma_lemmatize(token: str, lang: str | tuple[str, ...]) -> str:
    """``simplemma.lemmatize(token, lang=lang)`` with simplemma's dictionaries packed into byte strings
    (same data, same lemmas; ~21 MB instead of ~99 MB for nb + nn + en; see ``_simplemma``)."""
    from ._simplemma import lemmatize

    return lemmatize(token, lang)


def _simplemma_knows_nn(word: str) -> bool:
    """Whether simplemma's nn dictionary has ``word`` as a form: its nn lemma of a word it does not have is a
    guess from the word's last letters ("pårørende" → "pårørenna"), worse than Ordbank's lemma of a word Ordbank
    knows."""
    from ._simplemma import knows

    return knows(word, ("nn",))


def _simplemma_knows(word: str) -> bool:
    """Whether simplemma's nn or nb dictionary has ``word`` as a form (as opposed to guessing its lemma)."""
    from ._simplemma import knows

    return knows(word, ("nn", "nb"))


@dataclass
class VariantFolder:
    """Whole-token and prefix spelling-variant rules (``variants.tsv``), and the nynorsk compound heads that
    :meth:`Analyzer._shared_lemma` spells as in bokmål."""

    words: dict[str, str]
    prefixes: tuple[tuple[str, str], ...]
    # nynorsk compound heads whose bokmål form is not the regular spelling (leiar → leder, not leier), for
    # lemmas only (see Analyzer._shared_lemma), longest first
    heads: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_wordlists(cls, directory: Path | None = None) -> "VariantFolder":
        words, prefixes, heads = {}, [], []
        for row in read_table("variants.tsv", directory):
            if len(row) < 3:
                continue
            kind, src, dst = row[0], row[1].lower(), row[2].lower()
            if kind == "word":
                words[src] = dst
            elif kind == "prefix":
                prefixes.append((src, dst))
            elif kind == "head":
                heads.append((src, dst))
        prefixes.sort(key=lambda p: -len(p[0]))
        heads.sort(key=lambda p: -len(p[0]))
        return cls(words, tuple(prefixes), tuple(heads))

    def fold(self, token: str) -> str:
        hit = self.words.get(token)
        if hit is not None:
            return hit
        for src, dst in self.prefixes:
            if token.startswith(src):
                return dst + token[len(src) :]
        if token.endswith(".no") and token.lstrip("w.").startswith("nav.no"):
            return "nav.no"
        return token


@dataclass
class Analyzer:
    """Turn one normalised text into analysis tokens. Per-token results are cached in ``cache``."""

    lexicon: Lexicon
    splitter: CompoundSplitter
    folder: VariantFolder
    abbreviations_exact: dict[str, list[str]]
    abbreviations_any: dict[str, list[str]]
    overrides: dict[str, str]
    stopwords: frozenset[str]
    keep_words: frozenset[str]
    stopwords_en: frozenset[str] = frozenset()
    cache: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    chunk_cache: dict[tuple, tuple[str, ...]] = field(default_factory=dict)
    cache_limit: int = _CACHE_LIMIT  # entries per cache before it is cleared (~1 KB per distinct token in all)
    _tokenizer: object = None
    _vocab_base: int = 0  # lexemes a fresh tokenizer starts with (its special cases)

    @classmethod
    def from_wordlists(cls, directory: Path | None = None, lexicon: Lexicon | None = None) -> "Analyzer":
        lex = lexicon or load_lexicon()
        exact, anycase = {}, {}
        for row in read_table("abbreviations.tsv", directory):
            if len(row) < 2:
                continue
            target = exact if (len(row) < 3 or row[2] == "exact") else anycase
            key = row[0] if target is exact else row[0].lower()
            target[key] = [] if row[1] == "-" else row[1].lower().split()
        overrides = {r[0].lower(): r[1].lower() for r in read_table("lemma_overrides.tsv", directory) if len(r) >= 2}
        return cls(
            lexicon=lex,
            splitter=CompoundSplitter.from_wordlists(directory, vocab=lex.content_lemmas),
            folder=VariantFolder.from_wordlists(directory),
            abbreviations_exact=exact,
            abbreviations_any=anycase,
            overrides=overrides,
            stopwords=load_stopwords(directory),
            keep_words=load_keep_words(directory),
            stopwords_en=load_english_stopwords(),
        )

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_tokenizer"] = None  # rebuilt lazily
        state["cache"] = {}
        state["chunk_cache"] = {}
        return state

    @property
    def tokenizer(self):
        if self._tokenizer is None:
            from ._spacy import import_spacy

            self._tokenizer = import_spacy().blank("nb").tokenizer
            self._vocab_base = len(self._tokenizer.vocab)
        return self._tokenizer

    # -- per token ---------------------------------------------------------------------------
    def _lemma(self, low: str, language: str, proper: bool = False) -> str:
        """Lemma of a lower-cased word. ``proper``: the word was capitalised inside a sentence; one Ordbank
        knows only as a proper noun (a place: "Førde", not the nynorsk past tense of "føra") keeps Ordbank's
        form (its own) instead of the nynorsk reading or an override."""
        if proper and low in self.lexicon.uncommon:
            return self.lexicon.forms[low]
        hit = self.overrides.get(low)
        if hit is not None:
            return hit
        known = self.lexicon.lemma(low)
        if language == "nn" and (known is None or _simplemma_knows_nn(low)):
            lem = simplemma_lemmatize(low, "nn")
            if lem and lem != low and not self._definite_guess(low, lem.lower()):
                return self._override_or_shared(lem.lower())
        if known is not None:
            return known
        lem = self._nn_adjective(low)
        if lem is not None:
            return self.overrides.get(lem, lem)  # "hyggjelege" → "hyggjeleg" → "hyggelig"
        if "-" in low:
            head = low.rsplit("-", 1)
            if head[1]:
                return head[0] + "-" + self._lemma(head[1], language)
        lem = self._compound_lemma(low)
        if lem is not None:
            return self._compound_agent_noun(lem) if lem.endswith("ar") else self._bokmal_head(lem) or lem
        if language in ("nn", "nb", "unknown"):
            lem = simplemma_lemmatize(low, ("nb", "nn") if language != "nn" else ("nn", "nb"))
            lem = lem.lower() if lem else low
            if lem == low:  # simplemma knows no other lemma: a nynorsk -ar noun or a-verb form no dictionary has
                lem = self._shared_lemma(low)
                if lem == low and self.folder.fold(low) == low:
                    lem = self._nn_verb_form(low) or low
                return lem
            return self._override_or_shared(lem)
        return low

    def _override_or_shared(self, lem: str) -> str:
        """The bokmål lemma of a nynorsk lemma simplemma gave: its ``lemma_overrides.tsv`` row where it has one
        (the row for "følgje" then serves "følgde" and "følgjer" too), else :meth:`_shared_lemma`."""
        hit = self.overrides.get(lem)
        return hit if hit is not None else self._shared_lemma(lem)

    def _definite_guess(self, low: str, lem: str) -> bool:
        """Whether simplemma's nynorsk "lemma" is the form + "n", a definite form taken for the lemma, of a compound
        on an Ordbank noun: "sjukehuslege" → "sjukehuslegen" ("open"/"ope", "liten"/"lite" are real pairs)."""
        if lem != low + "n":
            return False
        parts = self.splitter.split(low)
        return len(parts) >= 2 and parts[1] in self.lexicon.lemmas_by_pos["noun"]

    def _shared_lemma(self, lem: str) -> str:
        """A nynorsk lemma spelt as bokmål where the two standards differ only in a regular ending, so that
        both standards (and the codebook keywords, analysed as bokmål) get the same lemma:

        * a-infinitive (and j-infinitive) verbs: "mobba" → "mobbe", "ringja" → "ringe", "leggje" → "legge";
        * agent nouns in -ar: "lesar" → "leser", "deltakar" → "deltaker", "skjermlesar" → "skjermleser";
        * adjectives in -leg: "tidleg" → "tidlig", "vanskeleg" → "vanskelig";
        * compounds on an irregular nynorsk head ("head" rows of ``variants.tsv``): "leiar" is "leder", not
          "leier" (the tenant): "avdelingsleiar" → "avdelingsleder", but "sjukepleiar" is "pleiar" + -ar; the
          modifier may itself be a compound ("bedriftshelse|tenest" → "bedriftshelsetjeneste").

        Only when ``lem`` is not itself an Ordbank lemma (Ordbank has "brukar" too), not a function word (stop /
        keep word: "mykje" is no j-infinitive), not a word ``variants.tsv`` folds, and the bokmål spelling is an
        Ordbank verb lemma (infinitives), an Ordbank noun lemma or a compound whose head is one (-ar)."""
        forms = self.lexicon.forms
        if (forms.get(lem) == lem or lem in self.stopwords or lem in self.keep_words
                or self.folder.fold(lem) != lem):
            return lem
        if "-" in lem:  # "nav-rettleiar": the last part
            left, _, last = lem.rpartition("-")
            return left + "-" + self._shared_lemma(last) if last else lem
        head = self._bokmal_head(lem)
        if head is not None:
            return head
        n = len(lem)
        if n >= 6 and lem.endswith("leg"):  # adjectives: "tidleg", "vanskeleg" → "tidlig", "vanskelig"
            cand = lem[:-3] + "lig"
            if cand in self.lexicon.lemmas_by_pos["adj"]:
                return cand
        if n >= 4 and lem[-1] in "ae":
            verbs = self.lexicon.lemmas_by_pos["verb"]
            if lem[-1] == "a" and lem[:-1] + "e" in verbs:
                return lem[:-1] + "e"
            if lem[-2] == "j" and lem[:-2] + "e" in verbs:
                return lem[:-2] + "e"
        elif n >= 5 and lem.endswith("ar"):
            nouns = self.lexicon.lemmas_by_pos["noun"]
            cand = lem[:-2] + "er"
            if cand in nouns:
                return cand
            parts = self.splitter.split(cand)
            if len(parts) >= 2 and len(parts[1]) >= 5 and parts[1].endswith("er") and parts[1] in nouns:
                return cand
        return lem

    def _bokmal_head(self, lem: str) -> str | None:
        """``lem`` with its nynorsk compound head spelt as in bokmål ("head" rows of ``variants.tsv``:
        "avdelingsleiar" → "avdelingsleder", "kulturskule" → "kulturskole") when the modifier is a word (or a
        compound: "bedriftshelse|teneste"), else None ("sjukepleiar" is "pleiar" + -ar, not "leiar")."""
        forms = self.lexicon.forms
        for src, dst in self.folder.heads:
            if lem.endswith(src):
                left = lem[: len(lem) - len(src)]
                base = left[:-1] if left[-1:] in ("s", "e") else left
                if not left or any(w in forms or _simplemma_knows(w) or self.splitter.split(w)  # "bedriftshelse"
                                   for w in {left, base} if len(w) >= 2):
                    return left + dst
                return None
        return None

    def _nn_adjective(self, low: str) -> str | None:
        """The lemma of a nynorsk -leg adjective form Ordbank does not know, in text of any language (nynorsk is
        often detected as bokmål), before compound splitting would read "-lege" as the doctor: the bokmål -lig
        lemma where Ordbank has one ("tydeleg" → "tydelig", "vanskelege"/"vanskelegare" → "vanskelig"), else
        the nynorsk -leg lemma simplemma knows ("venlege" → "venleg"). Ordbank's doctors ("skolelege",
        "kvinnelege") never get here; an unknown one ("sjukehuslege") has no "-lig"/"-leg" adjective."""
        stem = _leg_stem(low)
        if stem is None:
            return None
        if stem + "lig" in self.lexicon.lemmas_by_pos["adj"]:
            return stem + "lig"
        if _simplemma_knows(stem + "leg") and simplemma_lemmatize(low, "nn").lower() == stem + "leg":
            return stem + "leg"
        return None

    def _compound_agent_noun(self, lem: str) -> str:
        """A compound lemma in -ar spelt as bokmål when that spelling is itself an Ordbank noun lemma: the
        nynorsk agent noun "deltakar" → "deltaker", "gardbrukar" → "gardbruker"; a nynorsk plural such as
        "stillingar" (not "stillinger", no lemma) is left as it is."""
        shared = self._shared_lemma(lem)
        return shared if shared in self.lexicon.lemmas_by_pos["noun"] else lem

    def _nn_verb_form(self, low: str) -> str | None:
        """The bokmål-spelt verb lemma of a nynorsk a-verb form no dictionary knows: present "loggar" and
        s-passive "mobbast" → "logge", "mobbe" (the stem + "e" must be an Ordbank verb lemma)."""
        if not low.isalpha() or _simplemma_knows(low):
            return None
        for ending in ("ar", "ast"):
            stem = low[: -len(ending)]
            if low.endswith(ending) and len(stem) >= 3 and stem + "e" in self.lexicon.lemmas_by_pos["verb"]:
                return stem + "e"
        return None

    def _compound_lemma(self, low: str) -> str | None:
        """Lemma of an unknown compound form: known modifier + inflected known head."""
        n = len(low)
        if n < 7 or not low.isalpha():
            return None
        for i in range(3, n - 2):
            head = low[i:]
            head_lemma = self.lexicon.forms.get(head)
            if head_lemma is None or len(head) < 3:
                continue
            left = low[:i]
            base = left[:-1] if left[-1] in "se" and left[:-1] in self.lexicon.forms else left
            if base in self.lexicon.forms or left in self.lexicon.forms:
                return left + head_lemma
        return None

    def analyze_token(self, token: str, language: str = "nb", initial: bool = True) -> tuple[str, ...]:
        """Analysis tokens for one surface token (may be empty: stop word, punctuation, number). ``initial``:
        the token may start a sentence (its capital says nothing); a capitalised token that does not may be a
        proper noun (see :meth:`_lemma`)."""
        tok = token.strip(_STRIP) if len(token) > 1 else token
        proper = not initial and tok[:1].isupper()
        key = (token, language, proper)
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        out: list[str] = []
        if tok and _HAS_LETTER.search(tok) and not _PLACEHOLDER.fullmatch(token):
            if tok in self.abbreviations_exact:
                words, proper = self.abbreviations_exact[tok], False
            elif tok.lower() in self.abbreviations_any:
                words, proper = self.abbreviations_any[tok.lower()], False
            else:
                words = [tok.lower()]
            for word in words:
                out.extend(self._analyze_word(word, language, proper))
        result = tuple(out)
        if len(self.cache) >= self.cache_limit:
            self.cache.clear()  # bounded memory in long-running services
        self.cache[key] = result
        return result

    def _analyze_word(self, low: str, language: str, proper: bool = False) -> list[str]:
        if language == "en":
            return self._analyze_english(low)
        if _URL_TOKEN.match(low):
            folded = self.folder.fold(low)
            return [folded] if folded == "nav.no" else []
        low = self.folder.fold(low)
        if low in self.keep_words:
            lemma = self.folder.fold(self.overrides.get(low, low))
            return [lemma]
        if low in self.stopwords:
            return []
        lemma = self.folder.fold(self._lemma(low, language, proper))
        if lemma in self.stopwords and lemma not in self.keep_words:
            return []
        if len(lemma) < 2 and not lemma.isdigit():
            return []
        out = [lemma]
        if "-" in lemma and lemma != "nav.no":
            parts = [p for p in lemma.split("-") if len(p) >= 2]
            for p in parts:
                if p not in self.lexicon.content_lemmas:
                    p = self.folder.fold(self.overrides.get(p) or self.lexicon.forms.get(p) or p)
                if p not in self.stopwords and p not in out:
                    out.append(p)
        else:
            for part in self.splitter.split(lemma):
                if part not in self.stopwords and part not in out:
                    out.append(part)
        return out

    def _analyze_english(self, low: str) -> list[str]:
        low = self.folder.fold(low)
        if low in self.stopwords_en or _URL_TOKEN.match(low):
            return []
        lemma = simplemma_lemmatize(low, "en").lower()
        return [lemma] if len(lemma) >= 2 and lemma not in self.stopwords_en else []

    # -- per text ----------------------------------------------------------------------------
    def _analyze_chunk(self, chunk: str, language: str, initial: bool = True) -> tuple[str, ...]:
        """Analysis tokens of one whitespace-delimited chunk (spaCy splits chunks independently); ``initial``:
        the chunk may start a sentence."""
        initial = initial or not any(c.isupper() for c in chunk)  # no capital: the position changes nothing
        key = (chunk, language, initial)
        hit = self.chunk_cache.get(key)
        if hit is not None:
            return hit
        out: list[str] = []
        if (self._tokenizer is not None
                and len(self._tokenizer.vocab) - self._vocab_base > max(self.cache_limit, _MIN_VOCAB_LIMIT)):
            self._tokenizer = None  # rebuilt below (~30 ms): frees the lexemes of every token seen so far
        for tok in self.tokenizer(chunk):
            if tok.is_punct or tok.is_space:
                initial = initial or tok.text in _SENTENCE_END
                continue
            first, initial = initial, False
            if not tok.like_num:
                out.extend(self.analyze_token(tok.text, language, first))
        result = tuple(out)
        if len(self.chunk_cache) >= self.cache_limit:
            self.chunk_cache.clear()
        self.chunk_cache[key] = result
        return result

    def analyze(self, text: str, language: str = "nb") -> list[str]:
        """Analysis tokens of one normalised (and usually redacted) text."""
        if not text:
            return []
        if "[" in text:
            text = _PLACEHOLDER.sub(" ", text)
        out: list[str] = []
        for line in text.splitlines():
            initial = True  # a line (a list item, a greeting) starts as a sentence does
            chunks = line.split()
            for i, chunk in enumerate(chunks):
                out.extend(self._in_context(self._analyze_chunk(chunk, language, initial), chunks, i, initial))
                initial = _starts_sentence_after(chunk, initial)
        return out

    @staticmethod
    def _in_context(tokens: tuple[str, ...], chunks: list[str], i: int, initial: bool) -> tuple[str, ...]:
        """``tokens`` (the analysis of ``chunks[i]``) with the lemma its neighbours call for: "klare" for "klart"
        after a form of "ha", "søker" (the applicant) for the noun "søker" and "bruker" for the nynorsk noun
        "brukar" ("ein brukar"; "eg brukar" stays the verb; see :func:`_supine_after_ha`, :func:`_applicant_noun`)."""
        word = _bare(chunks[i])
        if word == "klart" and "klar" in tokens and _supine_after_ha(chunks, i):
            return tuple("klare" if t == "klar" else t for t in tokens)
        if word == "søker" and "søke" in tokens and _applicant_noun(chunks, i, initial):
            return tuple("søker" if t == "søke" else t for t in tokens)
        if word == "brukar" and "bruke" in tokens and _user_noun(chunks, i, initial):
            return tuple("bruker" if t == "bruke" else t for t in tokens)  # "ein brukar", "Brukar må vente"
        return tokens

    def analyze_many(self, texts: list[str], languages: list[str]) -> list[list[str]]:
        return [self.analyze(t, lang) for t, lang in zip(texts, languages)]


def _leg_stem(low: str) -> str | None:
    """The stem of a word ending in an inflection of the nynorsk adjective suffix -leg ("vanske" for "vanskelege",
    "vanskelegt", "vanskelegare"), or None."""
    for ending in _LEG_ENDINGS:
        if low.endswith(ending) and len(low) - len(ending) >= 3 and low.isalpha():
            return low[: -len(ending)]
    return None


def _starts_sentence_after(chunk: str, initial: bool) -> bool:
    """Whether the chunk after ``chunk`` may start a sentence: ``chunk`` ends one ("bra.", "Førde?»"), or it has
    no letter or digit (a dash, a bullet) and the chunk before it could start one."""
    if chunk.rstrip(_CLOSERS).endswith(_SENTENCE_END):
        return True
    return initial and not any(c.isalnum() for c in chunk)
