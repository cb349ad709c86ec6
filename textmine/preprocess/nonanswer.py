"""Non-answer detection: "vet ikke", "ingen kommentar", "-", keyboard mash, repeating the question."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .wordlists import read_list

_PUNCT = re.compile(r"[^\w\s/]+")
_WS = re.compile(r"\s+")
_VOWELS = set("aeiouyæøåéèäöü")
_KEYBOARD_ROWS = ("qwertyuiopå", "asdfghjkløæ", "zxcvbnm")
_COMPOSED = re.compile(  # "nei, eg har ikkje noko meir å seie", "har ingen andre kommentarer utover det over"
    r"^(?:(?:nei|ja|neida|ok|takk)\s+)?(?:(?:jeg|eg|vi|æ|e)\s+)?(?:(?:har|hev)\s+)?"
    r"(?:ingen|ikke noe|ikkje noko|ikke noko|ingenting|intet|ikke noen|ikkje nokon)\s*"
    r"(?:andre|flere|fleire|mer|meir|spesielle|spesielt|ytterligere|særlig|særskilt|utover dette)?\s*"
    r"(?:kommentar\w*|innspill|merknad\w*|tilbakemelding\w*|å tilføye|å legge til|å seie|å si|å melde|"
    r"å kommentere|mening\w*|meining\w*|formening\w*|formeining\w*|forslag|ønsker|klager)?\s*"
    r"(?:utover (?:det|dette)(?: (?:jeg|eg|vi) har (?:skrevet|skrive|sagt|nevnt|svart))?"
    r"(?: over| ovenfor| tidligere| tidlegare| før)?)?\s*"
    r"(?:fra meg|frå meg|her|nå|no|til dette|på dette|akkurat nå|for øyeblikket|takk)?\s*(?:takk)?$"
)
_DONT_KNOW = re.compile(  # "vet ikke hva som skal til", "veit ikkje heilt kva eg skal svare"
    r"^(?:nei\s+)?(?:(?:jeg|eg|æ)\s+)?(?:vet|veit|veid)\s+(?:ikke|ikkje)\s*(?:helt|heilt|riktig|rett)?\s*"
    r"(?:(?:hva|kva)(?: (?:som skal til|som må til|som trengs|som trengst|jeg skal svare|eg skal svare|"
    r"jeg skal si|eg skal seie|jeg skal skrive|eg skal skrive))?)?(?: her| på dette| på det| nå| no)?$"
)
_NOTHING_COMES_TO_MIND = re.compile(  # "kan ikke komme på noe mer", "nei, eg kan ikkje kome på noko no"
    r"^(?:nei\s+(?:takk\s+)?)?(?:(?:jeg|eg|æ|e)\s+)?"
    r"(?:kan\s+(?:ikke|ikkje)\s+(?:komme|kome)|kommer\s+ikke|kjem\s+ikkje)\s+på\s+"
    r"(?:noe|noko|noen|nokon|noka|nokre|noe som helst|noko som helst)"
    r"(?:\s+(?:mer|meir|annet|anna|spesielt|særlig|særleg))?(?:\s+(?:nå|no|her|akkurat nå|i farten|i farta))?$"
)
# A no (or thanks) that only adds that all else is fine ("Nei takk, ellers greit", "nei, elles er alt bra"): the
# no first, nothing after the "fine", so that "ellers greit, men saksbehandlingen …" stays an answer.
_OTHERWISE_FINE = re.compile(
    r"^(?:nei(?:\s+takk)?|takk|nei\s+det\s+er\s+vel\s+det)\s+(?:(?:ellers|elles)\s+(?:takk\s+)?)"
    r"(?:(?:er|var)\s+)?(?:(?:alt|det)\s+)?(?:(?:er|var)\s+)?(?:veldig\s+|helt\s+|heilt\s+)?"
    r"(?:greit|greitt|grei|bra|fint|ok|okei|i orden|godt)(?:\s+(?:takk|nok))?$"
)
# A short answer made only of "closing" words says nothing about a topic: a no, a "nothing (more) to add",
# a "don't know", a "that was all" ("Nei, ikke foreløpig", "nope, alt er sagt", "Kjem ikkje på noko no",
# "nei det er vel det"). Every token must be such a word and one must close (a no/nothing/all).
_FILLER = frozenset("""
nei ja jo ok okei takk tja nja nope neida joda hmm hm
jeg eg vi me æ e
har hev hadde er var va være vere vore
det dette den som så
ikke ikkje ikkj inkje ingen inga ingenting intet noe noko noka noen nokon mer meir flere fleire andre anna
egentlig eigentleg eigentlig vel nok bare berre helt heilt akkurat nå no foreløpig førebels
å si seie sei seia tilføye tilføya legge leggje legga til kommentere kommentera melde skrive skriva svare svara
kommentar kommentarer kommentarar merknad merknader innspill mening meining formening formeining
om på her fra frå meg utover over ovenfor før tidligere tidlegare sagt skrevet nevnt svart
vet veit veid aner hva kva kommer kjem alt
spesielt spesielle særlig særleg
nothing to add more else comment comments thanks that s it all
""".split())
_CLOSING = frozenset("nei ikke ikkje inkje ingen inga ingenting intet nope tja nja nothing alt".split())
_FILLER_MAX_TOKENS = 14


def _only_closing_words(tokens: list[str]) -> bool:
    return (len(tokens) <= _FILLER_MAX_TOKENS and all(t in _FILLER for t in tokens)
            and any(t in _CLOSING for t in tokens))


# Fillers, interjections and emoticons around a known non-answer ("nei altså", "vet ikke, sorry", "hehe nei",
# "ingen kommentar :D"): stripped from both ends, then the whole-answer rules run on what is left.
_INTERJECTIONS = frozenset("""
altså asså ass liksom da dessverre sorry sori beklager takk tusen lol xd mm hmm hm eh ehm æh æhm øh uff huff
""".split())
_LAUGH = re.compile(r"^(?:h[aeiæ]){2,}h?$")  # "hehe", "haha", "hihihi", "hæhæ"
_EMOTICON = re.compile(r"(?<!\w)[:;=xX][-'^]?[)(\]\[DPpOo3/\\|*]+(?!\w)")


def _strip_interjections(tokens: list[str]) -> list[str]:
    """``tokens`` without the fillers and interjections at either end, keeping at least one ("takk altså")."""
    def filler(t: str) -> bool:
        return t in _INTERJECTIONS or bool(_LAUGH.match(t))

    i, j = 0, len(tokens)
    while j - 1 > i and filler(tokens[j - 1]):
        j -= 1
    while i < j - 1 and filler(tokens[i]):
        i += 1
    return tokens[i:j]


# Questionnaire wording that is no answer on its own, whatever the question ("Andre kommentarer",
# "har du andre kommentarar?", "Eventuelle kommentarer til NAV", "Kommentar"): a modifier or "har du" first,
# or a bare "kommentar(er)"/"merknad(er)".
_GENERIC_QUESTION = re.compile(
    r"^(?:(?:har|hev) (?:du|de|dere|dykk|dykkar|me|vi) )?(?:nokon |noen |noko |noe )?"
    r"(?:(?:andre|anna|øvrige|ytterligere|ytterlegare|eventuelle|evt|fleire|flere|generelle|ekstra) )"
    r"(?:kommentar|kommentarer|kommentarar|merknad|merknader|merknadar|innspill|innspel|tilbakemelding|"
    r"tilbakemeldinger|tilbakemeldingar|synspunkt|synspunkter|synspunkta)"
    r"(?: (?:til|om|for|på|angående|angåande) (?:nav|oss|dette|undersøkelsen|undersøkinga|spørreundersøkelsen|"
    r"spørjeundersøkinga|tenestene|tjenestene))?$"
    r"|^(?:(?:har|hev) (?:du|de|dere|dykk) (?:nokon |noen )?)?(?:kommentar|kommentarer|kommentarar|merknad|"
    r"merknader|merknadar)(?: til (?:nav|oss))?$"
)
# Spelling-independent forms of question words, so that a nynorsk echo of a bokmål question (and back) matches.
_QUESTION_WORD_FORMS = {"kva": "hva", "korleis": "hvordan", "kvifor": "hvorfor", "kven": "hvem", "noko": "noe",
                        "nokon": "noen", "dykk": "dere", "dykkar": "deres", "frå": "fra", "eg": "jeg",
                        "ikkje": "ikke", "meir": "mer", "fleire": "flere", "hev": "har", "anna": "andre"}
# A question's words that carry no topic: its "main words" are the others ("kommentarer", "nav").
_QUESTION_FUNCTION_WORDS = frozenset("""
hva hvordan hvorfor hvem hvilke hvilken når hvor kor
har er var kan kunne vil ville skal skulle må bør bli blir være vere
du de dere deg jeg vi oss man en ein et eit
til for at av om på i med fra og eller som sin sitt sine din ditt dine deres
det den denne dette noe noen andre øvrige eventuelle flere
""".split())
# The one word an echo may add to its question: a function word or an interjection, never a word that says
# something ("alt kan bli bedre" answers "Hva kan bli bedre?").
_ECHO_EXTRA = _QUESTION_FUNCTION_WORDS | frozenset("ja nei takk ok okei hm hmm da nå no her vel si noko nokon".split())


def _edits_within(a: str, b: str, limit: int) -> bool:
    """Whether ``a`` and ``b`` are at most ``limit`` character edits apart (Levenshtein, early exit)."""
    if abs(len(a) - len(b)) > limit:
        return False
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > limit:
            return False
        prev = cur
    return prev[-1] <= limit


def _same_word(a: str, b: str) -> bool:
    """The same word up to a small spelling difference ("kommentarar"/"kommentarer", "Nav"/"NAV")."""
    a, b = _QUESTION_WORD_FORMS.get(a, a), _QUESTION_WORD_FORMS.get(b, b)
    if a == b:
        return True
    shorter = min(len(a), len(b))
    return (shorter >= 5 and _edits_within(a, b, 1)) or (shorter >= 8 and _edits_within(a, b, 2))


def _echo_of(tokens: list[str], q_tokens: list[str]) -> bool:
    """Whether an answer's ``tokens`` only repeat the question's ``q_tokens``: every token is a question word (up
    to spelling), save at most one function word or interjection ("Har du noen andre kommentarer til NAV",
    "... nei"), and they give the whole question but at most one word, its main words (two or more), most of its
    words, or a 4+ word stretch of it."""
    matched: list[str] = []
    extra = 0
    for t in tokens:
        hit = next((q for q in q_tokens if _same_word(t, q)), None)
        if hit is not None:
            matched.append(hit)
        elif t in _ECHO_EXTRA:
            extra += 1
        else:
            return False
    if not matched or extra > 1:
        return False
    a_set, q_set = set(matched), set(q_tokens)
    if len(q_set - a_set) <= 1 and len(a_set) >= 2:
        return True  # the question with one word left out, added, or spelled differently
    main = {q for q in q_set if q not in _QUESTION_FUNCTION_WORDS}
    if len(main) >= 2 and main <= a_set:
        return True  # the question's main words only ("kommentarer til NAV")
    if len(a_set) >= max(3, 0.6 * len(q_set)):
        return True
    return len(matched) >= 4 and f" {' '.join(matched)} " in f" {' '.join(q_tokens)} "


# Where an echoed question can end before the answer proper: "?", ":", "!", ".", a new line, or a dash.
_QUESTION_END = re.compile(r"[?:!.\n]+|\s[-–—]\s")


_ENGLISH = re.compile(r"^(?:no|nothing|none)\s*(?:else|more|further|other)?\s*"
                      r"(?:to add|to say|to comment|comments?|remarks?)?\s*(?:here|thanks|thank you)?$")


def _mash_token(tok: str) -> bool:
    """A token that looks like keyboard mash (no vowels, one keyboard row, or a repeated unit)."""
    if len(tok) < 3 or not tok.isalpha():
        return False
    if not any(c in _VOWELS for c in tok) and len(tok) >= 4:
        return True
    if len(tok) >= 5 and any(all(c in row for c in tok) for row in _KEYBOARD_ROWS):
        return True
    if len(set(tok)) <= 2 and len(tok) >= 4:
        return True
    for unit in (2, 3):
        if len(tok) >= unit * 3 and tok == (tok[:unit] * (len(tok) // unit + 1))[: len(tok)]:
            return True
    return False


def _simplify(text: str) -> str:
    return _WS.sub(" ", _PUNCT.sub(" ", text.lower())).strip()


def keyword_forms(keywords) -> frozenset[str]:
    """Codebook keywords as :meth:`NonAnswerDetector.detect` compares answers with them (lower case, no
    punctuation): an answer that is one of them ("chat", "AAP", "skriv til oss") names a theme."""
    return frozenset(k for k in (_simplify(str(w)) for w in keywords or () if w is not None) if k)


def is_keyword_answer(text: str | None, keywords) -> bool:
    """Whether the whole answer is one of ``keywords`` (see :func:`keyword_forms`), so never a non-answer."""
    forms = keywords if isinstance(keywords, frozenset) else keyword_forms(keywords)
    return isinstance(text, str) and bool(forms) and _simplify(text) in forms


@dataclass
class NonAnswerDetector:
    """``detect(text, question_texts, keywords) -> bool``; ``known_words`` (the lexicon) guards real words from the
    short-fragment and mash rules, as the codebook's ``keywords`` do where they are given."""

    phrases: frozenset[str]
    known_words: frozenset[str] | dict = frozenset()

    @classmethod
    def from_wordlists(cls, directory: Path | None = None, known_words=None) -> "NonAnswerDetector":
        phrases = {_simplify(p) for p in read_list("nonanswers.txt", directory)}
        return cls(phrases=frozenset(phrases), known_words=known_words if known_words is not None else frozenset())

    def detect(self, text: str | None, question_texts=(), keywords=()) -> bool:
        """Whether ``text`` is no answer. ``question_texts``: the wording of the question(s) it answers (see
        :meth:`_is_echo`; an answer that begins by repeating one is judged by the rest). ``keywords``: the
        codebook's keywords, where one is at hand: an answer that is one of them ("chat") is an answer, and its
        words are known words to the short-fragment and keyboard-mash rules."""
        if text is None or not isinstance(text, str):
            return True
        simple = _simplify(text)
        if not simple or not any(c.isalpha() for c in simple):
            return True  # empty, punctuation or digits only
        forms = keywords if isinstance(keywords, frozenset) else keyword_forms(keywords)
        if simple in forms:
            return False  # the whole answer names a theme of the codebook
        if self._whole_non_answer(simple):
            return True
        tokens = simple.split()
        core = _strip_interjections(_simplify(_EMOTICON.sub(" ", text)).split())
        if core and core != tokens and self._whole_non_answer(" ".join(core)):
            return True  # "nei altså", "ingen kommentar hehe", "vet ikke, sorry", "nei :D"
        if len(tokens) == 1 and 2 <= len(simple) <= 4 and simple.isalpha() and text.strip().islower():
            if simple not in self.known_words:
                return True  # a lone unknown 2-4 letter fragment ("akd", "øaf")
        if len(tokens) <= 4:
            alpha = [t for t in tokens if t.isalpha()]
            if alpha and all(_mash_token(t) and t not in self.known_words and t not in forms for t in alpha):
                return True
        for q in question_texts or ():
            if q and self._repeats_question(tokens, _simplify(q)):
                return True
        body = self.strip_question(text, question_texts)  # "Andre kommentarer til NAV? Nei takk"
        return body != text and self.detect(body, question_texts, keywords)

    def _whole_non_answer(self, simple: str) -> bool:
        """A listed phrase, a composed "nothing to add"/"don't know"/"nothing comes to mind"/"no, otherwise fine",
        or only closing words."""
        return (simple in self.phrases or bool(_COMPOSED.match(simple) or _DONT_KNOW.match(simple)
                or _NOTHING_COMES_TO_MIND.match(simple) or _OTHERWISE_FINE.match(simple)
                or _ENGLISH.match(simple) or _GENERIC_QUESTION.match(simple)) or _only_closing_words(simple.split()))

    @staticmethod
    def _repeats_question(tokens: list[str], question: str) -> bool:
        """Whether the answer's ``tokens`` only repeat ``question`` (simplified), see :func:`_echo_of`."""
        q_tokens = question.split()
        if not q_tokens or not tokens:
            return False
        return " ".join(tokens) == question or _echo_of(tokens, q_tokens)

    def _is_echo(self, text: str, question_texts=()) -> bool:
        """Whether ``text`` is only questionnaire wording: generic ("Andre kommentarer") or one of the questions."""
        simple = _simplify(text)
        if not simple:
            return False
        if _GENERIC_QUESTION.match(simple):
            return True
        tokens = simple.split()
        return any(q and self._repeats_question(tokens, _simplify(q)) for q in question_texts or ())

    def strip_question(self, text: str | None, question_texts=()) -> str | None:
        """``text`` without a question it begins by repeating ("Har du andre kommentarer? Ja, telefonen er
        umulig" → "Ja, telefonen er umulig"): the longest run of echoed sentences, each ended by "?", ":", "!",
        ".", a new line or a dash, with some answer after it. Otherwise ``text`` itself."""
        if not isinstance(text, str):
            return text
        cut = 0
        for m in _QUESTION_END.finditer(text):
            rest = text[m.end():]
            if not any(c.isalpha() for c in rest) or not self._is_echo(text[:m.end()], question_texts):
                break
            cut = m.end()
        return text[cut:].lstrip(" \t\n-–—:,.") if cut else text
