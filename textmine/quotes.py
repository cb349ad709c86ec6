"""Quote selection: 3–6 representative, mutually diverse, redacted comments per theme with an attribution
line from the respondent's segments ("Privat virksomhet, 10–49 ansatte, Vestland").

Representative = close to the theme's centroid in embedding space; diverse = maximal marginal relevance
(MMR). Only redacted text (``text_clean``) is ever used, with a second regex redaction pass as a safety
net. Comments flagged for health data, comments telling of one particular person's health
(:func:`describes_personal_health`), non-answers, respondents in suppressed cells and comments holding an
identity number are never quoted, nor two near-duplicates (:func:`near_duplicate`) in one theme. The attribution shows only what the row-level exports show for the same comment
(:func:`export_shown_segments`, the exports' own rule), and a comment naming its writer's withheld segment value
(:class:`SegmentMentions`) is not quoted.
"""

from __future__ import annotations

import bisect
import logging
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any, Callable, Collection, Mapping, Sequence

import numpy as np
import pandas as pd

from textmine.neardup import SHARED_RUN, SHARED_WORDS, near_duplicate  # noqa: F401 - near_duplicate re-exported
from textmine.neardup import reading as _reading
from textmine.preprocess.cleaner import default_resources
from textmine.preprocess.wordlists import read_list
from textmine.preprocess.redact import CASE_NUMBER_CUED, PLACEHOLDERS, NameLists, Redactor, personal_number_type

__all__ = ["Quote", "select_quotes", "resolve_embedder", "LexicalFallbackEmbedder", "safe_quote_text", "mmr",
           "has_id_number", "SegmentMentions", "export_shown_segments", "exported_segments", "typo_share",
           "quote_lexicon", "EitherStandard", "describes_personal_health", "near_duplicate", "is_praise_theme",
           "complaint_cues"]

_log = logging.getLogger(__name__)
PLACEHOLDER = "«…»"
MAX_TYPO_SHARE = 0.15  # comments with more unknown words are quoted only when too few others are left
CLEAN_TYPO_SHARE = 0.05  # ... and with more than this, only when too few cleaner ones are left
TYPO_WEIGHT = 0.5  # misspelling's penalty on a candidate's relevance (cosine to the theme's centroid)
_WS = re.compile(r"\W+")
_MARKER = re.compile(r"\[[A-ZÆØÅ]{3,}\]")  # a redaction marker ([NAVN], [TELEFON] …)

# the cleaner's placeholders of identity numbers (a person's, an account's, a company's, a car's, a property's):
# a comment holding one is never quoted, however well it reads
_ID_TYPES = ("fodselsnummer", "dnummer", "idnummer", "kontonummer", "fodselsdato", "orgnummer", "kjennemerke", "eiendom")
_ID_MARKER = re.compile("|".join(re.escape(PLACEHOLDERS[t]) for t in _ID_TYPES))

_ID_PATTERNS: list[tuple[re.Pattern, Callable[[re.Match], str] | None]] = [
    # (pattern, replacement): None = one placeholder; a function decides (checksum gate, several parts)
    (re.compile(r"(?<![\w-])(?i:no) ?\d{2}(?: ?\d{4}){2} ?\d{3}(?!\d)"), None),  # IBAN NO93 8601 1117 947
    (re.compile(r"(?<!\d)\d{6}[ .-]?\d{5}(?!\d)"), None),  # fødselsnummer / d-nummer, also "fnr/..." "ID..."
    (  # fødselsnummer in date groups "01 01 90 10046", "01.01.90.10046" (checksum + date, not a plain date)
        re.compile(r"(?<![\d/])\d{2}[ .-]\d{2}[ .-]\d{2}[ .-]?\d{5}(?!\d)"),
        lambda m: PLACEHOLDER if personal_number_type(re.sub(r"\D", "", m.group(0))) else m.group(0),
    ),
    # kontonummer 1234.56.78901 / 1234-56-78903 (not "2023-10-12345")
    (re.compile(r"(?<![\d/])(?:\d{4}[ .]\d{2}[ .]|(?!(?:19|20)\d\d-)\d{4}-\d{2}-)\d{5}(?!\d)"), None),
    # a NAV case number after its cue ("saksnr 22/12345", "ref.nr 22-12345"): points to one person inside NAV;
    # the cue stays, the number goes
    (CASE_NUMBER_CUED, lambda m: m.group(0)[: m.start("n") - m.start()] + PLACEHOLDER),
]
_PII_PATTERNS: list[tuple[re.Pattern, Callable[[re.Match], str] | None]] = [
    (re.compile(r"[\w.+-]+ ?@ ?[\w-]+(?:\.[\w-]+)+"), None),  # e-mail, also "kari.nordmann @ firma.no"
    *_ID_PATTERNS,
    (  # phone numbers joined by "/": 41234567/91234567
        re.compile(r"(?<![\d/])[2-9]\d{7}(?:/[2-9]\d{7})+(?![\d/])"),
        lambda m: "/".join(PLACEHOLDER for _ in m.group(0).split("/")),
    ),
    (re.compile(r"(?<![\d/])(?:\+47[ ]?|0047[ ]?)?(?:\d{2}[ ]?\d{2}[ ]?\d{2}[ ]?\d{2}|\d{3}[ ]?\d{2}[ ]?\d{3})(?![\d])"), None),  # telefon
    (  # a phone number typed with the letter l or I for 1 ("9l2 34 567", "+47 9l2 34 567"), as the redactor reads it
        re.compile(r"(?<![\w/])(?:\+47[ ]?|0047[ ]?)?(?:[\dlI]{2}[ ]?[\dlI]{2}[ ]?[\dlI]{2}[ ]?[\dlI]{2}|"
                   r"[\dlI]{3}[ ]?[\dlI]{2}[ ]?[\dlI]{3})(?![\w])"),
        lambda m: PLACEHOLDER if _letter_one_phone(m.group(0)) else m.group(0),
    ),
]


def _letter_one_phone(span: str) -> bool:
    """A phone-shaped span with one or two l/I for 1 and at least six real digits, starting with 2–9 (as Norwegian
    numbers do): "9l2 34 567" yes, "l2 34 56 78" and "llll llll" no."""
    body = re.sub(r"^(?:\+47|0047)", "", span).replace(" ", "")
    letters = sum(ch in "lI" for ch in body)
    return 1 <= letters <= 2 and len(body) - letters >= 6 and body[0] in "23456789"


@dataclass(frozen=True)
class Quote:
    """One selected quote. ``respondent_id`` is for traceability inside the system only."""

    text: str
    attribution: str
    theme: str | None
    question: str | None
    respondent_id: str = field(repr=False)  # never printed beside the quote's text
    score: float
    rank: int
    language: str = ""  # the cleaner's language of the comment (nb, nn, en …; "" when unknown)

    def to_dict(self, *, with_id: bool = False) -> dict[str, Any]:
        d = asdict(self)
        if not with_id:
            d.pop("respondent_id")
        return d


# the redactor's link and birth-date rules without name lists: conservative (a link that names someone only by a
# slug, "/om-oss/kari-nordmann", is the cleaner's to catch); stateless, so one shared instance
_LINK_DATE_REDACTOR = Redactor(names=NameLists(first=frozenset(), last=frozenset(), ambiguous=frozenset(),
                                               blocked=frozenset(), cues_before=frozenset(), max_cue_len=1),
                               public_pages=frozenset(p.lower() for p in read_list("public_pages.txt")))


def safe_quote_text(text: str) -> str:
    """Safety-net redaction on top of ``text_clean``: personal links, birth dates after a birth cue, e-mail,
    fødselsnummer/d-nummer, account and phone numbers, case numbers after their cue ("saksnr 22/12345").

    Numbers that are not personal data ("kr 12 500", "2023/123456" without a case-number cue, "08:00 - 16:00"),
    dates without a birth cue and organisational links ("nav.no/sykepenger") are left alone.
    """
    out = _LINK_DATE_REDACTOR.mask_links_and_birth_dates(str(text))  # first: a link goes whole, not piecewise
    for pat, repl in _PII_PATTERNS:
        out = pat.sub(repl or PLACEHOLDER, out)
    return out


def has_id_number(text: str) -> bool:
    """True when ``text`` holds an identity number: a cleaner placeholder of one ([FØDSELSNUMMER], [DNUMMER],
    [IDNUMMER], [KONTONUMMER] …) or a number the safety net would mask as one (fødselsnummer, IBAN, account, a
    cued case number)."""
    text = str(text)
    if _ID_MARKER.search(text):
        return True
    for pat, repl in _ID_PATTERNS:
        if pat.sub(repl or PLACEHOLDER, text) != text:
            return True
    return False


# a sentence ends at . ! ? … before a capital, digit or opening quote (not inside "f.eks. dette"), or a line break
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[A-ZÆØÅÀ-Ý0-9«\"'(\[])|\s*\n+\s*")
_CLAUSE_END = re.compile(r"(?<=[,;:])\s+|\s+(?=[–—-]\s)")
_CUT = "[…]"
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def _relevance(part: str, keywords: Sequence[str]) -> int:
    """How many of the theme's ``keywords`` ``part`` names (a one-word keyword also as the start of a word:
    "digital" in "digitale"; several words as a phrase)."""
    low = part.lower()
    words = _WORD.findall(low)
    hits = 0
    for kw in keywords:
        kw = str(kw).lower().strip()
        if not kw:
            continue
        if " " in kw or not kw.isalpha():
            hits += kw in low
        else:
            hits += any(w == kw or (len(kw) >= 4 and w.startswith(kw)) for w in words)
    return hits


def _window(parts: list[str], budget: int, keywords: Sequence[str]) -> tuple[int, int]:
    """The run of whole ``parts`` around the most relevant one that fits ``budget`` characters (one part at least)."""
    scores = [_relevance(p, keywords) for p in parts]
    lo = hi = int(np.argmax(scores)) if any(scores) else 0
    size = len(parts[lo])
    while True:
        nxt = [(scores[i], -k, i) for k, i in enumerate((hi + 1, lo - 1)) if 0 <= i < len(parts)
               and size + 1 + len(parts[i]) <= budget]
        if not nxt:
            return lo, hi
        _, _, i = max(nxt)
        size += 1 + len(parts[i])
        lo, hi = min(lo, i), max(hi, i)


def _shorten(text: str, max_chars: int, keywords: Sequence[str] = ()) -> str:
    """``text`` cut to about ``max_chars``: the whole sentences around the one that names most of the theme's
    ``keywords`` (the first without any), «[…]» where something is left out. A sentence longer than that is cut
    the same way at clause boundaries (, ; : –); a clause is never cut (a long one is kept whole), unless it is
    over twice ``max_chars`` (a run-on text without punctuation: cut between words)."""
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= max_chars:
        return text
    budget = max(max_chars - 2 * (len(_CUT) + 1), 1)
    sentences = [p for p in _SENTENCE_END.split(text) if p]
    lo, hi = _window(sentences, budget, keywords)
    out, before, after = " ".join(sentences[lo:hi + 1]), lo > 0, hi < len(sentences) - 1
    if len(out) > budget:  # one sentence too long: its clauses
        clauses = [p for p in _CLAUSE_END.split(out) if p]
        c_lo, c_hi = _window(clauses, budget, keywords)
        out = " ".join(clauses[c_lo:c_hi + 1])
        before, after = before or c_lo > 0, after or c_hi < len(clauses) - 1
        if after:
            out = out.rstrip(",;:–—- ")
        if len(out) > 2 * max_chars:  # a run-on text without any punctuation: last resort, a cut between words
            out, after = out[: out.rfind(" ", 0, budget) if " " in out[:budget] else budget].rstrip(",;:–—- "), True
    return (f"{_CUT} " if before else "") + out + (f" {_CUT}" if after else "")


def _plain_guillemets(text: str) -> str:
    """Inner «» of a comment as ‹›: the report sets every quote in «», and quotes must not nest badly."""
    return text.replace("«", "‹").replace("»", "›")


class EitherStandard:
    """Word forms known in bokmål or in nynorsk: ``w in`` the bokmål lexicon, or a form of four letters or more in
    simplemma's nynorsk dictionary (a project dependency; "fekk", "fleire", "heiter", "utan", "sjølv"). Shorter
    entries there are mostly abbreviations and noise ("sv", "sev", "ege"), and ASCII spellings of å/æ ("paa",
    "aar") stay typos, as in bokmål; "skjemaa" (no "skjemå") is nynorsk."""

    __slots__ = ("bokmal",)
    MIN_NYNORSK = 4

    def __init__(self, bokmal: Any):
        self.bokmal = bokmal

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        if word in self.bokmal:
            return True
        return len(word) >= self.MIN_NYNORSK and _nynorsk(word) and not self._ascii_spelt(word)

    def _ascii_spelt(self, word: str) -> bool:
        """«paa», «vaere»: an å/æ written aa/ae, where the word with å/æ is itself known."""
        if "aa" not in word and "ae" not in word:
            return False
        alt = word.replace("aa", "å").replace("ae", "æ")
        return alt in self.bokmal or _nynorsk(alt)


def _nynorsk(word: str) -> bool:
    """Whether ``word`` is a form in simplemma's nynorsk dictionary (loaded once per process, shared)."""
    from textmine.preprocess._simplemma import knows

    return knows(word, ("nn",))


def quote_lexicon() -> EitherStandard:
    """What :func:`typo_share` checks quotes against: the cleaner's bokmål lexicon (and function words) or a
    nynorsk word form, so that correct nynorsk is not read as misspelt bokmål."""
    return EitherStandard(default_resources().language.known_words)


def typo_share(text: str, known_words: Any) -> float:
    """The share of a comment's words (two letters or more; placeholders and numbers left out) that are not in
    ``known_words`` (:func:`quote_lexicon` in quote selection): a cheap measure of misspelling ("gjern",
    "svarwne", "ffår")."""
    words = [w.lower() for w in _WORD.findall(_MARKER.sub(" ", str(text))) if len(w) >= 2]
    if not words:
        return 0.0
    return sum(1 for w in words if w not in known_words) / len(words)


# ------------------------------------------------------------------ a particular person's health in a comment
# (the health flag leaves routine sick-leave talk alone, it is the survey's subject; a published quote is stricter)
#: one person: a singular determiner before a person noun («en ansatt», «vår ansatte», «ein tilsett», «the employee»)
_ONE_DET = frozenset({"en", "én", "ein", "éin", "ei", "éi", "one", "an", "a", "the", "our", "my", "this", "that"})
_ONE_DET_DEF = frozenset({"den", "denne", "vår", "min", "mi", "hans", "hennes", "hennar"})  # + «ansatte»/«tilsette»
_PERSON_NOUNS = frozenset({"ansatt", "tilsett", "medarbeider", "medarbeidar", "arbeidstaker", "arbeidstakar",
                           "kollega", "kollege", "lærling", "employee", "worker", "colleague", "apprentice"})
_PERSON_NOUNS_DEF = _PERSON_NOUNS | {"ansatte", "tilsette"}
#: one person without a determiner: a role noun in the definite singular, a personal pronoun
_PERSON_WORDS = frozenset({"medarbeideren", "medarbeidaren", "arbeidstakeren", "arbeidstakaren", "kollegaen",
                           "kollegen", "lærlingen", "sjåføren", "vikaren", "han", "hun", "ho", "he", "she", "him"})
#: «én av våre ansatte», «ein av dei tilsette», «one of our employees»
_ONE_OF = (frozenset({"en", "én", "ein", "éin", "ei", "one"}), frozenset({"av", "of"}),
           frozenset({"våre", "vore", "de", "dei", "our", "the", "my", "mine"}),
           frozenset({"ansatte", "tilsette", "medarbeidere", "medarbeidarar", "employees", "staff", "workers"}))
#: the one treating doctor («legen», «fastlegen», «the doctor», «hans lege»): what a doctor did is a person's health
_DOCTOR_WORDS = frozenset({"legen", "fastlegen", "lækjaren"})
_DOCTOR_NOUNS = frozenset({"lege", "fastlege", "doctor", "gp", "lækjar"})
_DOCTOR_DET = frozenset({"the", "his", "her", "their", "hans", "hennes", "hennar", "sin", "din"})
#: a sick person in the singular («den sykmeldte», «the sick employee» is «the» + «sick» + a person noun)
_SICK_PERSON = re.compile(r"(?:lang(?:tids)?)?(?:sy|sju)k(?:e)?meld(?:t)?e")
#: words of sickness, diagnosis, sick leave and treatment (word beginnings; not «sykt», «very» in speech)
_HEALTH_STARTS = ("sykmeld", "sykemeld", "sjukmeld", "sjukemeld", "langtidssyk", "langtidssjuk", "sykefrav",
                  "sjukefråv", "sjukefrav", "sykdom", "sjukdom", "diagnos", "kreft", "cancer", "depresj", "depress",
                  "angst", "anxiety", "utbrent", "burnout", "operasjon", "operert", "surgery", "sykehus",
                  "sjukehus", "hospital", "innlagt", "gravid", "pregnan", "prolaps", "psykisk", "psykiatr", "medisin",
                  "medication", "smerte", "illness", "friskmeld", "arbeidsuføre", "uføretrygd", "rusprobl",
                  "fravær", "fråvær", "fraver", "fravaer", "fråver")
#: also absence, which in a sick-leave answer is the person's sick leave («en ansatt har vært borte i 3 mnd»)
_HEALTH_WORDS = frozenset({"syk", "syke", "sjuk", "sjuke", "sick", "ill", "pain", "injured", "skadet", "skada",
                           "borte", "vekke", "absent"})
#: how many words apart the person and the health word may be (within one sentence)
_PERSON_HEALTH_SPAN = 8
#: a sentence that tells what happened (a past or perfect verb, «har»/«has»): one person's case, not a role
_TELLS = frozenset({"har", "hadde", "fikk", "fekk", "ble", "blei", "vart", "var", "vært", "vore", "skrev", "sa",
                    "sykmeldte", "sykemeldte", "sjukmelde", "sjukmeldte", "fått", "gikk", "gjekk", "has", "had", "was",
                    "were", "been", "got", "wrote", "said", "suggested", "went"})
#: a sentence of wishes, rules or questions about the sick in general («følg opp den sykmeldte tettere», «når en
#: ansatt blir sykmeldt», «hva gjør NAV for den sykmeldte»)
_GENERAL = frozenset({"bør", "burde", "må", "skal", "skulle", "ønsker", "ønskjer", "ønskes", "ønske", "should",
                      "must", "when", "if", "når", "hvis", "dersom", "viss", "følg", "sørg", "gi", "tettere",
                      "hvordan", "korleis", "how", "hva", "kva", "what", "why", "hvorfor", "kvifor"})
_SENTENCE_BREAK = re.compile(r"[.!?;:\n]+")


def _tokens(text: str) -> list[str]:
    """The lower-cased words of ``text`` (as :func:`typo_share` reads them; redaction markers left out)."""
    return [w.lower() for w in _WORD.findall(_MARKER.sub(" ", str(text)))]


def _person_positions(words: Sequence[str]) -> tuple[list[int], list[int]]:
    """(where one particular person is named, where a sick person is named: «den sykmeldte», which is both)."""
    person, sick = [], []
    for i, w in enumerate(words):
        prev = words[i - 1] if i else ""
        prev2 = words[i - 2] if i > 1 else ""
        if w in _PERSON_WORDS or (w in _DOCTOR_WORDS) or (w in _DOCTOR_NOUNS and prev in _DOCTOR_DET):
            person.append(i)
        elif any((w in _PERSON_NOUNS and d in _ONE_DET) or (w in _PERSON_NOUNS_DEF and d in _ONE_DET_DEF)
                 for d in (prev, prev2)):
            person.append(i)
        elif i >= 3 and w in _ONE_OF[3] and prev in _ONE_OF[2] and prev2 in _ONE_OF[1] and words[i - 3] in _ONE_OF[0]:
            person.append(i)
        if _SICK_PERSON.fullmatch(w) and prev in _ONE_DET_DEF | {"the"}:
            sick.append(i)
    return person, sick


def _is_health_word(w: str) -> bool:
    return w in _HEALTH_WORDS or w.startswith(_HEALTH_STARTS) or bool(_SICK_PERSON.fullmatch(w))


def describes_personal_health(text: Any) -> bool:
    """Whether a comment tells of one particular person's sickness, diagnosis, sick leave or treatment: a sentence
    with a singular person («en ansatt», «vår ansatte», «ein tilsett», «den tilsette», «the employee», «one of our
    employees», a role noun such as «lærlingen», a pronoun «han»/«ho»/«she», the treating doctor «legen»/«the
    doctor») within :data:`_PERSON_HEALTH_SPAN` words of a health word («sykemeldt», «diagnose», «sick leave» …)
    or a sick person in the singular («den sykmeldte», «den sjukmelde»), that tells what happened (:data:`_TELLS`:
    «har vært», «skrev», «fikk») and is no wish, rule or question (:data:`_GENERAL`). Plural and general talk
    («sykmeldte ansatte», «ved sykefravær», «følg opp den sykmeldte tettere», «når en ansatt blir sykmeldt») is
    not: a published quote must not describe an identifiable person's health, and with the attribution (sector,
    size, county) a small firm's employee is identifiable."""
    if not isinstance(text, str) or not text:
        return False
    return any(_tells_personal_health(_tokens(part)) for part in _SENTENCE_BREAK.split(text))


def _tells_personal_health(words: list[str]) -> bool:
    """:func:`describes_personal_health` of one sentence's words."""
    person, sick = _person_positions(words)
    tells = any(w in _TELLS for i, w in enumerate(words) if i not in sick)  # («den sykmeldte» is no verb)
    if not (person or sick) or not tells or _GENERAL.intersection(words):
        return False
    if sick:
        return True
    health = [i for i, w in enumerate(words) if _is_health_word(w)]
    return any(abs(i - j) <= _PERSON_HEALTH_SPAN for i in person for j in health)


# ------------------------------------------------------------------ near-duplicate quotes
# two quotes that read as the same (:func:`textmine.neardup.near_duplicate`: the same words or a spelling variant,
# one holding the other's whole text, a run of SHARED_RUN words or SHARED_WORDS of their words in common) are never
# quoted in one theme (``near_duplicate``, ``SHARED_RUN`` and ``SHARED_WORDS`` stay importable from here)


# ------------------------------------------------------------------ praise themes
#: theme ids (and labels) of a praise theme, and the comment types (``type``) that are praise
PRAISE_THEMES = frozenset({"ros", "praise", "positiv", "positive", "skryt", "positivt"})
PRAISE_TYPES = frozenset({"ros", "praise", "positiv", "positive"})
#: words that turn praise into a complaint or a wish («TOPP! – MEN …», «Likevel: ønsker at dere …»)
_COMPLAINT_WORDS = frozenset({"men", "likevel", "dessverre", "derimot", "but", "however", "unfortunately",
                              "although", "though", "burde", "bør", "savner", "saknar", "ønsker", "ønskjer",
                              "ønskes", "wish", "should", "raskere", "snøggare", "dårlig", "dårleg", "klage",
                              "problem", "problemer", "frustrerende", "irriterende", "minus", "altfor", "komplisert",
                              "tungvint", "vanskelig", "vanskeleg", "treg", "tregt", "ventetid"})


def is_praise_theme(theme: Any, label: Any = None) -> bool:
    """Whether a theme is praise: its id or label is one of :data:`PRAISE_THEMES` («ros», «praise»)."""
    return any(str(x).strip().lower().removeprefix("theme_") in PRAISE_THEMES for x in (theme, label) if x)


def complaint_cues(text: str) -> int:
    """How many words of complaint or wish a comment has (:data:`_COMPLAINT_WORDS`; «!!» counts as one)."""
    return sum(w in _COMPLAINT_WORDS for w in _tokens(text)) + ("!!" in str(text))


# ------------------------------------------------------------------ segment values named in a comment's text
_GENERIC_LEVELS = frozenset({"annet", "annen", "andre", "ukjent", "vet ikke", "ikke oppgitt", "other", "unknown",
                             "alle", "ingen", "totalt", "ja", "nei"})
_HEADCOUNT_SEGMENT = re.compile(r"ansatt|tilsett|employee|storrelse|størrelse|headcount", re.IGNORECASE)
_NUMBER_WORDS = ("to|tre|fire|fem|seks|sju|syv|åtte|ni|ti|elleve|tolv|tretten|fjorten|femten|seksten|sytten|atten|"
                 "nitten|tjue|tjuge|tretti|førti|femti|hundre")
_DIGITS = r"(?:\d{1,3}(?:[  .]\d{3})+|\d+)"
_TO = r"\s*(?:[-–—]|til)\s*"
#: a headcount: a number (digits, up to «tjue» in words, a range «1-2» / «fem til ti»: the whole range is the
#: number), «stk»/«personer»/«faste» …, then employees; «en/én/eneste ansatt» (not «en mann», a man)
_HEADCOUNT = re.compile(
    r"(?<![\w.,])(?:(?P<num>" + _DIGITS + "(?:" + _TO + _DIGITS + r")?)\s*"
    r"|(?P<word>(?:" + _NUMBER_WORDS + ")(?:" + _TO + "(?:" + _NUMBER_WORDS + r"))?)\s+)"
    r"(?:(?:stk\.?|stykker|personer|folk|faste?|fast|heltids|deltids|egne)\s+){0,2}"
    r"(ansatte|ansatt|tilsette|tilsett|medarbeidere|medarbeider|arbeidstakere|årsverk|employees|staff|mann)(?!\w)"
    r"|(?<!\w)(?P<one>eneste|ene|en|én|ett|ein|eitt|éin)\s+(?:(?:fast|faste|heltids|deltids)\s+)?"
    r"(ansatte|ansatt|tilsette|tilsett|medarbeider|årsverk)(?!\w)",
    re.IGNORECASE)
#: a headcount without an employee noun after «vi er» / «me er»: «vi er 12 stykker», «vi er bare 3 stk», «vi er 4
#: personer i firmaet», «vi er 2 i bedriften» (not «12 stykker sykmeldinger»: no «vi er», no headcount)
_WE_ARE = re.compile(
    r"(?<!\w)(?:vi|me)\s+(?:er|e)\s+(?:(?:bare|kun|berre|totalt|til\s+sammen|tilsammen|ca\.?|cirka|rundt|omtrent|"
    r"om\s+lag|nå|no|nesten|over|under)\s+){0,2}"
    r"(?P<count>" + _DIGITS + "(?:" + _TO + _DIGITS + ")?|(?:" + _NUMBER_WORDS + ")(?:" + _TO + "(?:" + _NUMBER_WORDS
    + r"))?(?=\s))\s*"
    r"(?:(?:stykker|stykke|stykk|stk\.?|personer|person|folk|hoder|mann)(?!\w)"
    r"|(?=i\s+(?:firmaet|bedriften|selskapet|virksomheten|verksemda|foretaket)(?!\w)))",
    re.IGNORECASE)
#: a business of one: «enmannsbedrift», «enkeltmannsforetak», «driver/jobber alene»
_ONE_PERSON = re.compile(
    r"(?<!\w)(?:(?:enmanns|enkeltmanns|enkeltpersons?)(?:bedrift|foretak|firma)(?:en|er|ene|et)?"
    r"|(?<=driver )alene|(?<=jobber )alene|(?<=arbeider )alene)(?!\w)", re.IGNORECASE)


def _has_headcount(text: str) -> bool:
    """Whether ``text`` says a number of employees (see :data:`_HEADCOUNT`, :data:`_WE_ARE`, :data:`_ONE_PERSON`)."""
    return bool(_HEADCOUNT.search(text) or _WE_ARE.search(text) or _ONE_PERSON.search(text))


def mask_headcount(text: str, *, one: bool = True) -> str:
    """``text`` with each number of employees masked: «1-2 ansatte» → «[ANTALL] ansatte», «12 stk ansatte» →
    «[ANTALL] stk ansatte», «vi er 12 stykker» → «vi er [ANTALL] stykker», «enmannsbedrift» → «[ANTALL]».
    ``one=False`` leaves «en ansatt» (mostly «an employee») and «enmannsbedrift» alone: counts only."""
    def number(m: re.Match) -> str:
        name = "num" if m.group("num") else "word" if m.group("word") else "one"
        if name == "one" and not one:
            return m.group(0)
        return "[ANTALL] " + m.group(0)[m.end(name) - m.start():].lstrip()

    def count(m: re.Match) -> str:
        whole, at = m.group(0), m.start()
        return whole[: m.start("count") - at] + "[ANTALL] " + whole[m.end("count") - at:].lstrip()

    masked = _WE_ARE.sub(count, _HEADCOUNT.sub(number, text))
    return _ONE_PERSON.sub("[ANTALL]", masked) if one else masked


_LETTER_VARIANTS = {"ø": "(?:ø|ö|o|oe)", "ö": "(?:ø|ö|o|oe)", "æ": "(?:æ|ä|ae|a)", "ä": "(?:æ|ä|ae|a)",
                    "å": "(?:å|aa|a)"}


#: a name a quote would show after one of these words is a local one (a firm, a branch, a small place) unless it is a
#: word, a public name (``public_names.txt``) or a county, region or large town (``county_aliases.tsv``); any case
#: («HOS Mowi»), and a quote mark, bracket or colon may stand between cue and name («hos «Mowi»», «hos: Mowi»)
_LOCAL_CUE = (r"(?i:hos|hjå|på|i|fra|frå|ved|avdeling|avd\.?|kontoret\s+i|butikken\s+i|fabrikken\s+i|anlegget\s+i|"
              r"jobber\s+for|jobbar\s+for|arbeider\s+for|arbeidar\s+for|driver|driv)")  # «Vi driver Kiwi Vinstra»
_CUE_GAP = r"(?::?\s+[«\"“‘'(]?|\s*[«\"“‘'(])"
# a capital of any Latin script («Östlund», «Łukasz», «Šiauliai»; lower-case letters of Latin Extended-A match too and
# are left alone by the word test); never the «avd»/«avdeling» cue itself, which starts the next name
_UPPER = "A-ZÀ-ÖØ-ÞĀ-ſ"
_CAP = rf"(?!(?i:avd|avdeling)(?!\w))[{_UPPER}]\w*(?:-\w+)*"
_H = r"[ \t\u00a0]"
_JOIN = rf"(?:{_H}*,{_H}*|{_H}+og{_H}+|{_H}+eller{_H}+|{_H}+)"
# a name run on one line: capitalised words, also joined by «og»/«eller»/a comma («Frøya og Hitra») or a number
# inside a name («Rema 1000 Storgata»)
_RUN = rf"{_CAP}(?:{_JOIN}(?:\d+{_H}+)?{_CAP})*"
_LOCAL_NAMES = re.compile(rf"(?<![\w\[])({_LOCAL_CUE})({_CUE_GAP})({_RUN})")
# capitalised words on one line, also joined by «&» or «og» («Hansen & Sønn AS», «Hansen og Sønn AS»; maximal, so a search is linear in the
# text): the firm suffix is one of them
_CAP_WORD = rf"(?:A/S(?![\w/])|[{_UPPER}]\w*(?:-\w+)*)"  # «A/S» is one word
_CAP_WORDS = re.compile(rf"(?<![\w\[]){_CAP_WORD}(?:{_H}+(?:(?:&|og){_H}+)?(?:\d+{_H}+)?{_CAP_WORD})*")
_FIRM_SUFFIXES = frozenset({"AS", "ASA", "SA", "BA", "ANS", "DA", "A/S", "ENK", "NUF", "Aksjeselskap", "AKSJESELSKAP"})
# «SA», «DA», «BA» are words in text written in capitals
_SHOUTED_SUFFIXES = frozenset({"AS", "ASA", "ANS", "A/S", "ENK", "NUF", "AKSJESELSKAP"})
_HYPHEN_SUFFIXES = ("-AS", "-ASA", "-ANS", "-ENK", "-NUF")  # «Olsen-Rør-AS»
# a firm suffix after a name written in lower case («vinstra rør as»): the words before it are read by
# :func:`_mask_lower_firms`
_LOWER_SUFFIX = re.compile(rf"(?<=[^\W\d_]){_H}+(?i:as|a/s)(?![\w/])")
_PLAIN_WORD = re.compile(r"[^\W\d_][\w-]*")
_WORD_AFTER = re.compile(rf"{_H}*([^\W\d_][\w-]*)?")
# «<Sted> kommune», «<Sted> fylkeskommune»: the municipality of a respondent in a small place points to them
_NAME_WORD = rf"[{_UPPER}]\w*(?:-\w+)*"
_MUNICIPALITY = re.compile(
    rf"(?<![\w\[])((?:{_NAME_WORD}{_H}+)?{_NAME_WORD})(?={_H}+(?i:(?:fylkes)?kommunen?s?)(?!\w))")
# «NAV <Sted>»: a local NAV office
_NAV_PLACE = re.compile(  # a second word only when not in capitals («NAV Sel NAV Sel»)
    rf"(?<![\w\[])((?:NAV|Nav){_H}+)({_NAME_WORD}(?:{_H}+[{_UPPER}](?=\w*[a-zæøå])\w*(?:-\w+)*)?)")
_RUN_PARTS = re.compile(rf"({_JOIN})")  # a run split into words and the joins between them
_NAME_MASK = "[NAVN]"
_MASKS = re.compile(rf"\[NAVN\](?:{_JOIN}\[NAVN\])+")


@lru_cache(maxsize=1)
def _public_names() -> frozenset[str]:
    """Lower-cased names a quote keeps: ``public_names.txt`` and the counties, regions and towns of
    ``county_aliases.tsv`` (the attribution's level, masked by :class:`SegmentMentions` where withheld)."""
    from textmine.preprocess.wordlists import read_list_optional

    names = {w.strip().lower() for w in read_list_optional("public_names.txt")}
    for line in read_list_optional("county_aliases.tsv"):
        names.update(p.strip().lower() for p in line.split("\t") if p.strip() and not p.startswith("="))
    return frozenset(names)


@lru_cache(maxsize=1)
def _place_words() -> frozenset[str]:
    """Lower-cased municipalities and towns of ``place_names_no.txt``, also those that are ordinary words («otta»,
    «lom», «sel»): a place where written with a capital after a place cue, «NAV» or before «kommune»."""
    from textmine.preprocess.wordlists import read_list_optional

    return frozenset(w.strip().lower() for w in read_list_optional("place_names_no.txt"))


@lru_cache(maxsize=1)
def _english_stop_words() -> frozenset[str]:
    """English function words («such», «we», «the»): a lower-case «as» among them is the English word."""
    from textmine.preprocess.stopwords import load_english_stopwords

    return load_english_stopwords()


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    """Function words that end a name run («hos Mowi Og Synes Det Er Bra»: only «Mowi» is the name)."""
    from textmine.preprocess.stopwords import load_stopwords

    return load_stopwords()


def _local_name(word: str, known: Any, proper: Collection[str]) -> bool:
    """Whether a capitalised ``word`` after a place/firm cue is a local name: not a public name, and not a word
    (every hyphen part a known common word, public name or acronym: «Nav-kontoret», «HR-avdelingen»)."""
    if word.isdigit() or word.lower() in _public_names():
        return False
    parts = [p for p in word.split("-") if p]
    return not all((p.isupper() and len(p) <= 5) or p.lower() in _public_names()
                   or (p.lower() in known and p.lower() not in proper) for p in parts)


def _word_kind(word: str, known: Any, proper: Collection[str], shouted: bool = False) -> str:
    """``name`` (a local name), ``word`` (a capitalised common word, which may belong to a name: «Hydro
    Sunndalsøra»), ``stop`` (a function word, which ends a name), ``number``, or ``other`` (a public name, a word
    in capitals, lower case). A word in capitals longer than an acronym is a name where it is no common word
    («Vi i MOWI»); in a line written in capitals (``shouted``) only where Ordbank writes it with a capital
    («VI ER FRA FRØYA»), as its other words are shouted text («GANGER»); «SMS», «BHT» are acronyms."""
    low = word.lower()
    if word.isdigit():
        return "number"
    if not word[:1].isupper() or low in _public_names():
        return "other"
    if low in _stop_words():
        return "stop"
    if len(word) > 1 and word.isupper():
        named = low in proper if shouted else (low in proper or low not in known)
        return "name" if len(word) > 3 and named else "other"
    return "name" if low in _place_words() or _local_name(word, known, proper) else "word"


def _mask_run(run: str, known: Any, proper: Collection[str], shouted: bool = False) -> str:
    """A name run after a cue with its names masked: from the first to the last name, widened over capitalised
    common words and numbers joined by a space («Hydro Sunndalsøra», «Rema 1000 Storgata»), never over function
    words, public names or words in capitals («hos Mowi Og Synes Det Er Bra» → «hos [NAVN] Og Synes Det Er Bra»)."""
    parts = _RUN_PARTS.split(run)
    words, gaps = parts[0::2], parts[1::2]
    kinds = [_word_kind(w, known, proper, shouted) for w in words]
    named = [i for i, k in enumerate(kinds) if k == "name"]
    if not named:
        return run
    first, last = named[0], named[-1]
    while first > 0 and not gaps[first - 1].strip() and kinds[first - 1] in ("word", "number"):
        first -= 1
    while last + 1 < len(words) and not gaps[last].strip() and kinds[last + 1] in ("word", "number"):
        last += 1
    head = "".join(w + g for w, g in zip(words[:first], gaps[:first]))
    tail = "".join(g + w for g, w in zip(gaps[last:], words[last + 1:]))
    return head + _NAME_MASK + tail


def _shouted(line: str) -> bool:
    """Whether a line is written in capitals (most of its letters): its words in capitals are no names."""
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) > 0.6 * len(letters)


def _mask_firms(run: str, known: Any, proper: Collection[str]) -> str:
    """Capitalised words on one line with every firm name before «AS», «ASA», «ANS», «SA», «BA» or «DA» masked:
    the words before the suffix after any leading function words («Vi I Mowi AS» → «Vi I [NAVN] AS»), unless all
    are public names; in capitals only before «AS»/«ASA»/«ANS», the words back to a function word («VI I SALMAR
    ASA» → «VI I [NAVN] ASA»; «… GANGER DA» stays)."""
    parts = re.split(rf"({_H}+)", run)
    words, gaps = parts[0::2], parts[1::2]
    for k in range(len(words) - 1, -1, -1):  # «Olsen-Rør-AS»: the name and its suffix as two words
        head, dash, suffix = words[k].rpartition("-")
        if head and "-" + suffix in _HYPHEN_SUFFIXES:
            words[k:k + 1], gaps[k:k] = [head, suffix], ["-"]
    out, start = [], 0
    for k, word in enumerate(words):
        if word not in _FIRM_SUFFIXES or k == start:
            continue
        before = words[start:k]
        shouted = all(w.isupper() or w.isdigit() for w in before)
        if shouted and word not in _SHOUTED_SUFFIXES:
            continue
        low = [w.lower() for w in before]
        if shouted:
            first = len(before) - 1
            while first > 0 and low[first - 1] not in _stop_words() and low[first - 1] not in _public_names() \
                    and (low[first - 1] not in known or low[first - 1] in proper):
                first -= 1
        else:
            first = 0
            while first < len(before) and low[first] in _stop_words():
                first += 1
            if all(w in _public_names() or w.isdigit() for w in low[first:]):
                first = len(before)
        if first < len(before):
            out += [words[i] + gaps[i] for i in range(start, start + first)] + [_NAME_MASK + gaps[k - 1]]
        else:
            out += [words[i] + gaps[i] for i in range(start, k)]
        start = k
    out += [w + g for w, g in zip(words[start:], gaps[start:] + [""])]
    return "".join(out)


def _lower_firm_start(before: str, after: str, known: Any, proper: Collection[str]) -> int | None:
    """Where the name of a firm before a lower-case «as»/«a/s» starts in ``before`` (the text up to the suffix), or
    None: the words back to a function word («vi i vinstra rør» → «vinstra rør»), at least one of them a name
    (:func:`_is_firm_name_word`), none an English function word, and the word after the suffix (``after``), if any,
    a known word and no English-only function word («… as soon as possible», «such as the» stay; «… as er» is
    Norwegian). Ordinary words before the first name word or person's
    name are left to the sentence («jeg leder kari hansen» → «kari hansen»)."""
    nxt = _WORD_AFTER.match(after).group(1)
    nl = nxt.lower() if nxt else ""
    if nxt and (nl not in known or (nl in _english_stop_words() and nl not in _stop_words())):
        return None  # («… as er fornøyd»: «er» is a Norwegian function word too)
    parts = re.split(rf"({_H}+)", before)
    first = len(parts)  # the index in ``parts`` of the name's first word
    for k in range(len(parts) - 1, -1, -2):  # words from the last one back, while plain words on one line
        word = parts[k]
        if len(parts) - k > 7 or not _PLAIN_WORD.fullmatch(word) or word.lower() in _stop_words() \
                or word.lower() in _public_names():
            break
        first = k
    name = parts[first::2]
    if not name or any(w.lower() in _english_stop_words() for w in name):
        return None
    if not any(_is_firm_name_word(w, known, proper) for w in name):
        return None
    while not _is_firm_name_word(parts[first], known, proper) and parts[first].lower() not in _person_names():
        first += 2  # an ordinary word before the name is the sentence's («jeg leder kari hansen as»)
    return sum(len(p) for p in parts[:first])


@lru_cache(maxsize=1)
def _person_names() -> frozenset[str]:
    """Lower-cased first names and surnames of the redactor's name lists («kari», «ola», «nordmann»): a firm name
    before a lower-case «as» may start with one even where it is also a word."""
    names = default_resources().redactor.names
    return frozenset(names.first | names.last | names.last_extra)


def _is_firm_name_word(word: str, known: Any, proper: Collection[str]) -> bool:
    """A word of a firm name: a proper noun or place («vinstra», «otta»), or no word of the lexicon (three
    letters or more)."""
    low = word.lower()
    return low in proper or low in _place_words() or (len(low) >= 3 and low not in known)


def _mask_lower_firms(text: str, known: Any, proper: Collection[str]) -> str:
    """``text`` with the firm names before a lower-case «as»/«a/s» masked (:func:`_lower_firm_start`)."""
    out, last = [], 0
    for m in _LOWER_SUFFIX.finditer(text):
        window = max(last, m.start() - 160)  # four words back: a bounded look, linear in the text
        start = _lower_firm_start(text[window:m.start()], text[m.end():m.end() + 40], known, proper)
        if start is not None and not (start == 0 and window > last and not text[window - 1].isspace()):
            out += [text[last:window + start], _NAME_MASK]
            last = m.start()
    return "".join(out) + text[last:] if out else text


def _mask_named_run(m: re.Match, known: Any, proper: Collection[str], group: int) -> str:
    """Match ``m`` with the names in its ``group`` masked (:func:`_mask_run`), the text before that group kept;
    words in capitals are shouted text here («FRA NAV I SYKEFRAVÆRSSAKENE»), never a name."""
    run = m.group(group)
    if run.split()[0].isupper():
        return m.group(0)
    return m.group(0)[: m.start(group) - m.start()] + _mask_run(run, known, proper)


def _mask_nav_office(m: re.Match, known: Any, proper: Collection[str]) -> str:
    """«NAV <Sted>» with the place masked: a word Ordbank writes with a capital or a word of the place list
    («NAV Vinstra», «NAV Sel» → «NAV [NAVN]»), not a county or large town («NAV Vestland»), an ordinary word
    («NAV Kontaktsenter») or an unknown word («NAV Ordrenr 0105…»)."""
    first = m.group(2).split()[0].lower()
    if first not in proper and first not in _place_words() and not all(
            p in proper for p in first.split("-") if p):
        return m.group(0)
    return _mask_named_run(m, known, proper, 2)


def mask_local_names(text: str, known: Any = None) -> str:
    """``text`` with the names of firms, branches and small places a quote would show masked as «[NAVN]»: the
    names in a run of capitalised words after «hos», «på», «i», «fra», «ved», «avdeling», «jobber for» (nynorsk
    «hjå», «frå»; any case) («hos Mowi avdeling Frøya» → «hos [NAVN] avdeling [NAVN]»; «Vi på Hydro Sunndalsøra» →
    «Vi på [NAVN]»; «på Frøya og Hitra» → «på [NAVN]»; a place of ``place_names_no.txt`` that is also a word, when
    written with a capital: «på Otta» → «på [NAVN]»), the words before «AS», «ASA», «A/S», «ENK», «NUF»,
    «Aksjeselskap» («Fjord Laks AS» → «[NAVN] AS», «Olsen-Rør-AS» → «[NAVN]-AS»), a name before a lower-case «as»
    («vinstra rør as» → «[NAVN] as»; not «så snart som mulig as»), «<Sted> kommune»/«fylkeskommune» and «NAV <Sted>»
    («Sel kommune», «NAV Vinstra» → «[NAVN] kommune», «NAV [NAVN]»). In an employer survey the respondent is the
    firm: its name (or its branch's place) identifies it. Public agencies and services (NAV, Altinn, Helfo …),
    countries, counties and large towns, acronyms and ordinary words stay; a word in capitals is a name only where
    Ordbank writes it with a capital («FRØYA», not «GANGER»).
    ``known``: the word list (default :func:`quote_lexicon`). The text comes back NFC-normalised."""
    text = unicodedata.normalize("NFC", str(text))
    if not any(c.isupper() for c in text[1:]) and not _LOWER_SUFFIX.search(text) and not _MUNICIPALITY.match(text):
        return text  # no capital but the first letter, no «as» suffix, no «<Sted> kommune» at the start
    known = quote_lexicon() if known is None else known
    proper = _proper_forms()
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    shouted = [_shouted(text[a:b]) for a, b in zip(starts, starts[1:] + [len(text) + 1])]  # per line, once

    def masked(m: re.Match) -> str:
        line = bisect.bisect_right(starts, m.start()) - 1
        return m.group(1) + m.group(2) + _mask_run(m.group(3), known, proper, shouted[line])

    text = _LOCAL_NAMES.sub(masked, text)
    text = _CAP_WORDS.sub(lambda m: _mask_firms(m.group(0), known, proper), text)
    text = _NAV_PLACE.sub(lambda m: _mask_nav_office(m, known, proper), text)
    text = _MUNICIPALITY.sub(lambda m: _mask_named_run(m, known, proper, 1), text)
    text = _mask_lower_firms(text, known, proper)
    return _MASKS.sub(_NAME_MASK, text)


@lru_cache(maxsize=1)
def _proper_forms() -> frozenset[str]:
    """Forms Ordbank writes only with a capital (proper nouns: places, names)."""
    from textmine.preprocess.lexicon import load_lexicon

    uncommon = load_lexicon().uncommon
    return uncommon if isinstance(uncommon, frozenset) else frozenset(uncommon)


def _fold(text: str) -> str:
    """Lower case, Norwegian letters spelled out and accents dropped ("Østfold" → "ostfold")."""
    low = str(text).lower().replace("ø", "o").replace("æ", "ae").replace("å", "a")
    return "".join(ch for ch in unicodedata.normalize("NFKD", low) if not unicodedata.combining(ch))


def _name_regex(name: str) -> str:
    """A level name as a pattern that ignores case, diacritics and æøå typed as ae/o/a ("ostfold" = Østfold)."""
    out = []
    for ch in unicodedata.normalize("NFC", name.strip()).lower():
        if ch in _LETTER_VARIANTS:
            out.append(_LETTER_VARIANTS[ch])
        elif ch.isspace():
            out.append(r"[\s-]+")
        elif ch in "-–—":
            out.append(r"[\s\-–—]*")
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
            out.append(f"(?:{re.escape(ch)}|{re.escape(base)})" if base and base != ch else re.escape(ch))
    return "".join(out)


def _is_headcount(segment: Any) -> bool:
    """Whether ``segment`` counts employees: its column, label or a level's display label says so
    (:data:`_HEADCOUNT_SEGMENT`: «ansatte», «Størrelse», «1–4 ansatte» …)."""
    return bool(_HEADCOUNT_SEGMENT.search(" ".join([segment.column, segment.label,
                                                    *map(str, segment.display.values())])))


def _placeholder(segment: Any) -> str:
    """The mask of a segment's value in a text: «[KOMMUNE]», «[FYLKE]», «[BRANSJE]», «[SEKTOR]», «[ANTALL]» (a
    headcount segment, :func:`_is_headcount`), else the label in capitals."""
    what = _fold(f"{segment.column} {segment.label}")
    for pattern, mark in (("kommun|municipal", "[KOMMUNE]"), ("fylke|county|region", "[FYLKE]"),
                          ("naering|bransje|industr", "[BRANSJE]"),
                          ("sektor|sector", "[SEKTOR]")):
        if re.search(pattern, what):
            return mark
    if _is_headcount(segment):
        return "[ANTALL]"
    letters = re.sub(r"[^A-ZÆØÅ]", "", str(segment.label).upper())
    return f"[{letters or 'SEGMENT'}]"


class SegmentMentions:
    """Finds and masks a respondent's own segment values in the text of their comment ("… i Østfold med 6
    ansatte", "… innen helse- og sosialtjenester"): the value's code, display label and aliases from the survey
    definition (case, diacritics and æøå spelled ae/o/a ignored), for a segment whose levels are Norwegian
    counties also the built-in aliases of the writer's own county (``data/wordlists/county_aliases.tsv``: old
    county names, regions, towns, demonyms; another county's names are left alone), and for a headcount segment
    any number of employees («12 ansatte», «1-2 ansatte», «eneste ansatt», «enmannsbedrift», «vi er 12 stykker»).
    Only names of three letters or more that are not generic ("Annet", "Ukjent") count."""

    def __init__(self, survey: Any, wordlist_dir: Any = None):
        self.survey = survey
        self._cache: dict[tuple[str, str], re.Pattern | None] = {}
        self._wordlist_dir = wordlist_dir
        self._counties: dict[str, tuple[str, ...]] | None = None
        self._is_county: dict[str, bool] = {}

    def _county_table(self) -> dict[str, tuple[str, ...]]:
        """The built-in county aliases (``data/wordlists/county_aliases.tsv``), by folded county name."""
        if self._counties is None:
            from textmine.preprocess.wordlists import read_county_aliases

            self._counties = {_fold(k): v for k, v in read_county_aliases(self._wordlist_dir).items()}
        return self._counties

    def _county_aliases(self, seg: Any, level: str) -> tuple[str, ...]:
        """The built-in aliases of ``level`` when ``seg``'s levels are Norwegian counties (at least two of them, and
        at least half, name a county of the list), else none."""
        table = self._county_table()
        if seg.column not in self._is_county:
            names = [{_fold(k), _fold(seg.display.get(k, k))} for k in seg.levels]
            hits = sum(1 for n in names if n & table.keys())
            self._is_county[seg.column] = hits >= 2 and 2 * hits >= len(names)
        if not self._is_county[seg.column]:
            return ()
        return tuple(a for n in {_fold(level), _fold(seg.display.get(level, level))} for a in table.get(n, ()))

    def _pattern(self, column: str, value: Any) -> re.Pattern | None:
        key = (column, str(value))
        if key not in self._cache:
            seg = self.survey.segment(column)
            level = seg.level_key(value) or str(value)
            names = {str(value), level, str(seg.display.get(level, "")), *seg.aliases.get(level, ()),
                     *self._county_aliases(seg, level)}
            names = {n.strip() for n in names if sum(ch.isalpha() for ch in n) >= 3 and _fold(n).strip()
                     not in _GENERIC_LEVELS}
            alts = sorted((_name_regex(n) for n in names), key=len, reverse=True)
            self._cache[key] = (re.compile(r"(?<!\w)(?:" + "|".join(alts) + r")(?:s|en|et)?(?!\w)", re.IGNORECASE)
                                if alts else None)
        return self._cache[key]

    def _headcount(self, column: str) -> bool:
        return _is_headcount(self.survey.segment(column))

    @staticmethod
    def _has_value(value: Any) -> bool:
        try:
            return value is not None and not pd.isna(value) and str(value).strip() != ""
        except (TypeError, ValueError):
            return True

    def named(self, text: Any, row: Mapping[str, Any], columns: Collection[str]) -> list[str]:
        """The ``columns`` whose own value (``row[column]``) the text names."""
        if not isinstance(text, str) or not text:
            return []
        out = []
        for c in columns:
            if not self._has_value(row.get(c)):
                continue
            pat = self._pattern(c, row.get(c))
            if (pat is not None and pat.search(text)) or (self._headcount(c) and _has_headcount(text)):
                out.append(c)
        return out

    def mask(self, text: Any, row: Mapping[str, Any], columns: Collection[str]) -> Any:
        """``text`` with the own values of ``columns`` it names masked («[FYLKE]», «[BRANSJE]», «[ANTALL] ansatte»)."""
        if not isinstance(text, str) or not text:
            return text
        for c in self.named(text, row, columns):
            if self._headcount(c):  # first: «1 ansatt» (also the level's name) → «[ANTALL] ansatt»
                text = mask_headcount(text)
            pat = self._pattern(c, row.get(c))
            if pat is not None:
                text = pat.sub(_placeholder(self.survey.segment(c)), text)
        return text


# ------------------------------------------------------------------ the row-level exports' combination rule
def exported_segments(survey: Any, columns: Collection[str]) -> list[str]:
    """The segment columns the row-level exports show (survey order): those not declared ``attribution: false``."""
    return [s.column for s in survey.segments if s.attribution and s.column in columns]


def export_shown_segments(rows: pd.DataFrame, segments: Sequence[str], min_cell: int) -> pd.DataFrame:
    """Which segment values the row-level exports show, per row: the exports' own rule
    (:func:`textmine.report.excel.safe_coded_rows`: among the commenters of each wave × question, levels and
    combinations of segment values with fewer than ``min_cell`` commenters blanked, per respondent) applied to
    ``rows`` (``respondent_id``, ``wave``, ``question``, ``text_clean``, ``is_non_answer`` and the ``segments``).
    Returns a boolean frame (rows × segments; False = blank or missing). Quote attributions show only these, so a
    quote never shows a combination the exports blank."""
    from textmine.rowdisclosure import blank_small_cells as _blank_small_cells  # the exports' own rule

    segments = [s for s in segments if s in rows.columns]
    keys = [c for c in ("respondent_id", "wave", "question", "text_clean", "is_non_answer") if c in rows.columns]
    out = rows[keys + segments].copy()
    _blank_small_cells(out, segments, int(min_cell))
    return pd.DataFrame({s: out[s].notna().to_numpy() for s in segments}, index=rows.index)


class LexicalFallbackEmbedder:
    """Word uni/bigram TF-IDF vectors (L2-normalised), fitted on the texts it encodes; no model needed."""

    name = "lexical-fallback"
    version = "1"
    dimension = 0

    def encode(self, texts: Sequence[str], *, batch_size: int = 64, show_progress: bool = False) -> np.ndarray:
        from sklearn.feature_extraction.text import TfidfVectorizer

        texts = [str(t).lower() for t in texts]
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        vec = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, min_df=1)
        try:
            m = vec.fit_transform(texts)
        except ValueError:  # only stop-chars
            return np.zeros((len(texts), 1), dtype=np.float32)
        return m.astype(np.float32)  # sparse, rows already L2-normalised


def resolve_embedder(embedder: Any = None):
    """An Embedder object as is; ``"fallback"``/``"lexical"`` → :class:`LexicalFallbackEmbedder`; another spec string
    via ``textmine.embed.get_embedder``; None = the default (e5) embedder when it can be built, else the fallback."""
    if embedder is not None and not isinstance(embedder, str) and hasattr(embedder, "encode"):
        return embedder
    if embedder in ("fallback", "lexical-fallback", "lexical"):  # fitted per call on the candidates
        return LexicalFallbackEmbedder()
    try:
        from .embed import get_embedder  # type: ignore

        return get_embedder(embedder or "e5")
    except Exception:  # noqa: BLE001 - any failure to build the default → lexical fallback
        if embedder not in (None, "e5", "auto"):
            raise
        return LexicalFallbackEmbedder()


def _dot(a, b) -> np.ndarray:
    r = a @ b.T
    r = r.toarray() if hasattr(r, "toarray") else np.asarray(r)
    return np.asarray(r, dtype=float)


#: added to a candidate's relevance in :func:`mmr` when it repeats a quote of another theme (``avoid``): larger than
#: any cosine, so it is picked only when nothing else is left
AVOIDED_PENALTY = 10.0


def mmr(vectors, k: int, *, diversity: float = 0.5, prior: Any = None,
        exclude: Callable[[int, list[int]], bool] | None = None) -> list[int]:
    """Greedy maximal marginal relevance: relevance = cosine to the centroid (plus ``prior``, one value per row,
    e.g. a penalty for misspelt text), penalty = max cosine to picks. ``exclude(i, picked)`` True skips row ``i``
    for good (e.g. a near-duplicate of a pick); fewer than ``k`` come back when every row left is skipped."""
    n = vectors.shape[0]
    if n == 0 or k <= 0:
        return []
    centroid = np.asarray(vectors.mean(axis=0)).ravel()
    norm = np.linalg.norm(centroid)
    rel = _dot(vectors, centroid[None, :] / (norm if norm > 0 else 1)).ravel()
    if prior is not None:
        rel = rel + np.asarray(prior, dtype=float)
    sim = _dot(vectors, vectors)
    picked: list[int] = []
    skipped = np.zeros(n, dtype=bool)
    while len(picked) < min(k, n):
        score = rel.copy() if not picked else (1 - diversity) * rel - diversity * sim[:, picked].max(axis=1)
        score[picked] = -np.inf
        score[skipped] = -np.inf
        while True:
            i = int(np.argmax(score))
            if score[i] == -np.inf:
                return picked
            if exclude is None or not exclude(i, picked):
                break
            skipped[i], score[i] = True, -np.inf
        picked.append(i)
    return picked


def _eligible_mask(eligible: Any, df: pd.DataFrame) -> np.ndarray:
    """``eligible`` as a boolean array over the rows of ``df``: paired by position, so a pandas Series with
    another index than ``df`` (filtered or re-sorted) and a mask of another length are refused."""
    if isinstance(eligible, pd.Series) and not eligible.index.equals(df.index):
        raise ValueError("eligible is a pandas Series with another index than the coded frame; rows are paired by "
                         "position, so align it first (e.g. eligible.loc[coded.index], or .reset_index(drop=True) "
                         "on both)")
    keep = np.asarray(eligible, dtype=bool).copy()
    if keep.shape != (len(df),):
        raise ValueError(f"eligible has shape {keep.shape}; expected one value per row of the coded frame "
                         f"({len(df)})")
    return keep


def _canonical_order(df: pd.DataFrame, idx: np.ndarray, texts: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Positions of the candidates sorted by their normalised text (the de-duplication key), then respondent id,
    exact text, question and language: an order that does not depend on the input's row order, so that the
    subsamples, the copy kept of a repeated wording and mmr's ties are the same however the rows are sorted."""
    def col(name: str) -> list[str]:
        vals = df[name].to_numpy(dtype=object)[idx] if name in df else [None] * len(idx)
        return ["" if v is None or (np.ndim(v) == 0 and bool(pd.isna(v))) else str(v) for v in vals]

    keys = list(zip((_WS.sub(" ", t.lower()).strip() for t in texts), ids, texts, col("question"), col("language")))
    return np.asarray(sorted(range(len(keys)), key=keys.__getitem__), dtype=int)


def select_quotes(
    coded: pd.DataFrame,
    *,
    theme: str | None = None,
    question: str | None = None,
    respondents: pd.DataFrame | None = None,
    survey: Any = None,
    k: int = 5,
    embedder: Any = None,
    vectors: Any = None,
    attribute: Callable[[Mapping[str, Any]], str] | None = None,
    is_suppressed: Callable[[Mapping[str, Any]], bool] | None = None,
    eligible: Any = None,
    excluded_ids: Collection[str] = (),
    min_chars: int = 40,
    max_chars: int = 280,
    diversity: float = 0.5,
    max_candidates: int = 300,
    seed: int = 0,
    keywords: Sequence[str] = (),
    few: int = 0,
    avoid: Collection[str] = (),
    praise: bool | None = None,
    rule: Any = None,
) -> list[Quote]:
    """Pick ``k`` (clamped to 3–6) quotes for ``theme`` (a ``theme_<id>`` column; None = all comments).

    ``coded`` has ``respondent_id``, ``text_clean`` and optionally ``question``, ``is_non_answer``,
    ``health_flag``, ``needs_review``, ``corrected`` and ``theme_<id>``. Non-answers and comments with
    special-category data (``health_flag``, and the flagger re-run on the redacted text) are never quoted; for a theme, neither is a comment the coder sent to review (``needs_review`` 1) unless a
    human corrected its codes (``corrected`` 1): a quote must show the theme, not a likely miscoding.

    With ``respondents`` (one wave's respondent table) and ``survey``, the quotes are those :func:`build_summary`
    would publish (:func:`textmine.summary.quote_rule`, the summary's own rule, per ``question``: needed when
    ``coded`` or the survey has several; ``coded`` must hold every free-text question answered in ``respondents``,
    as the attributions are decided over all of them — else a ``ValueError``): nobody in a theme × segment cell suppressed under ``survey.min_cell``,
    an attribution showing only the segment values the row-level exports show for that comment
    (:mod:`textmine.rowdisclosure`), no comment naming its writer's withheld segment value. ``is_suppressed(row)``
    and ``eligible`` (a boolean mask aligned with ``coded``: a Series must have ``coded``'s index) drop more
    comments; ``attribute(row)`` replaces the attribution (UNSAFE to publish unless it applies the same rule).
    ``rule`` (:func:`textmine.summary.quote_rules`, built once for ``coded`` and the question) applies that same
    rule instead of ``respondents`` and ``survey``, with the same quotes, without rebuilding the summary's theme table
    on each call (a rule made for another frame or question is refused).
    Without ``survey`` no small-group rule applies: the caller's ``eligible``/``is_suppressed`` are all there is.
    ``vectors`` (rows aligned with ``coded``) skips encoding.
    Fewer than 3 quotes come back only when fewer eligible comments exist, and only 1 when fewer than ``few``
    exist (a handful of comments is not "representative" of anything).

    A comment holding an identity number (:func:`has_id_number`) is never quoted. Well-spelt comments are
    preferred (:func:`typo_share`). A long comment is shortened to its sentences (or clauses) that name most of
    the theme's ``keywords``; inner «» become ‹›. ``language`` (the cleaner's column, when ``coded`` has it) goes with each quote.

    Rules for publication on top of the flags: a comment about one particular person's health
    (:func:`describes_personal_health`) is never quoted; nor are two near-duplicates (:func:`near_duplicate`) in
    one theme. While at least ``k`` others are left, these give way, in this order: for a praise theme (``praise``;
    None = :func:`is_praise_theme` of ``theme``) a comment not typed praise (``type`` column, when it has values)
    and then one with words of complaint (:func:`complaint_cues`); an English comment (``language`` «en»); one
    repeating an ``avoid`` text (the quotes of the question's other themes); a misspelt one (:func:`typo_share`
    of the quoted text over :data:`MAX_TYPO_SHARE`, then over :data:`CLEAN_TYPO_SHARE`). A number of employees
    in a quote is masked («rundt [ANTALL] ansatte»): beside the attribution's size band it narrows who wrote it.

    The choice does not depend on the order of ``coded``'s rows: the candidates are put in a canonical order first
    (:func:`_canonical_order`), so the same comments and ``seed`` give the same quotes and attributions, and of
    repeated wordings («…NAV…» / «…nav…») the one of the smallest respondent id is the one quoted.
    """
    k = int(min(max(k, 3), 6))
    df = coded
    if "text_clean" not in df:
        raise KeyError("coded frame needs a text_clean column (redacted text); raw text is never quoted")
    keep = np.ones(len(df), dtype=bool) if eligible is None else _eligible_mask(eligible, df)
    id_column = getattr(survey, "id_column", None)
    if rule is not None:  # build_summary's rule, built once (quote_rules)
        if respondents is not None or survey is not None:
            raise ValueError("give rule= or respondents=/survey=, not both: the rule already holds the respondents")
        if question is not None and rule.question is not None and str(question) != rule.question:
            raise ValueError(f"rule is for question {rule.question!r}, not {str(question)!r}; build one per question "
                             f"with quote_rules")
        rule.check_frame(df)
        respondents, id_column = rule.respondents, rule.id_column
        keep &= rule.eligible(theme)
        attribute = rule.attribute if attribute is None else attribute
    elif respondents is not None and survey is not None:  # build_summary's rule: what the summary would publish
        from .summary import quote_rules

        summary_rule = quote_rules(respondents, survey, df, question)
        keep &= summary_rule.eligible(theme)
        attribute = summary_rule.attribute if attribute is None else attribute
    if question is not None and "question" in df:
        keep &= (df["question"].astype(str) == str(question)).to_numpy()
    if theme is not None:
        col = theme if theme.startswith("theme_") else f"theme_{theme}"
        if col not in df:
            raise KeyError(f"coded frame has no column {col!r}")
        keep &= pd.to_numeric(df[col], errors="coerce").fillna(0).to_numpy() == 1
    for flag in ("is_non_answer", "health_flag"):
        if flag in df:
            keep &= pd.to_numeric(df[flag], errors="coerce").fillna(0).to_numpy() == 0
    if theme is not None and "needs_review" in df:  # a theme is quoted only from comments it surely has
        unsure = pd.to_numeric(df["needs_review"], errors="coerce").fillna(0).to_numpy() == 1
        if "corrected" in df:  # a human's code stands, whatever the coder's confidence was
            unsure &= pd.to_numeric(df["corrected"], errors="coerce").fillna(0).to_numpy() == 0
        keep &= ~unsure
    idx = np.flatnonzero(keep)
    text_all = df["text_clean"].to_numpy(dtype=object)
    id_all = df["respondent_id"].to_numpy(dtype=object)
    texts = np.asarray([("" if v is None or v != v else str(v)).strip() for v in text_all[idx]], dtype=object)
    ids_sub = np.asarray([str(v) for v in id_all[idx]], dtype=object)
    ok = np.asarray([len(t) > 0 and not has_id_number(t) for t in texts], dtype=bool)
    if excluded_ids:
        ex = {str(x) for x in excluded_ids}
        ok &= np.asarray([i not in ex for i in ids_sub], dtype=bool)
    idx, texts, ids_sub = idx[ok], texts[ok], ids_sub[ok]
    if len(idx) == 0:
        return []
    order = _canonical_order(df, idx, texts, ids_sub)
    idx, texts, ids_sub = idx[order], texts[order], ids_sub[order]

    seg = None
    if respondents is not None and id_column is not None:
        r = respondents.copy()
        r["_rid"] = r[id_column].astype(str)
        seg = r.drop_duplicates("_rid").set_index("_rid")

    def row_of(j: int) -> dict:
        row = {"respondent_id": ids_sub[j]}
        if seg is not None and ids_sub[j] in seg.index:
            row.update(seg.loc[ids_sub[j]].to_dict())
        return row

    if is_suppressed is not None:
        ok = np.asarray([not is_suppressed(row_of(j)) for j in range(len(idx))], dtype=bool)
        idx, texts, ids_sub = idx[ok], texts[ok], ids_sub[ok]
    if len(idx) == 0:
        return []

    if few and len(idx) < few:  # eligible comments (repeated wordings too), before preferences
        k = 1
    lengths = np.asarray([len(t) for t in texts])
    readable = (lengths >= min_chars) & (lengths <= max_chars * 1.5)
    unmarked = readable & np.asarray([not _MARKER.search(t) for t in texts], dtype=bool)
    if unmarked.sum() >= k:  # a quote for publication reads better without «[FØDSELSNUMMER]» in it
        sel = np.flatnonzero(unmarked)
    elif readable.sum() >= k:
        sel = np.flatnonzero(readable)
    else:  # relax: anything of at least 15 characters, preferring the readable ones
        sel = np.flatnonzero(lengths >= min(15, min_chars))
        if len(sel) == 0:
            sel = np.arange(len(idx))
    rng = np.random.default_rng(seed)
    if len(sel) > 3 * max_candidates:  # deterministic subsample before the (slower) de-duplication
        sel = np.sort(rng.choice(sel, size=3 * max_candidates, replace=False))
    seen: set[str] = set()
    uniq = []
    flagger = default_resources().health  # the cleaner's flagger, today's lists: a stored health_flag may be stale
    for j in sel:  # candidates in canonical order: the copy kept of a repeated wording is the first in that order
        key = _WS.sub(" ", texts[j].lower()).strip()
        if key not in seen:
            seen.add(key)
            if not flagger.flag(texts[j]) and not describes_personal_health(texts[j]):
                uniq.append(j)
    sel = np.asarray(uniq, dtype=int)
    known = quote_lexicon()  # bokmål or nynorsk word forms
    lang_all = df["language"].to_numpy(dtype=object) if "language" in df else None

    def language(j: int) -> str:
        v = lang_all[idx[j]] if lang_all is not None else None
        return "" if v is None or v != v or str(v) == "unknown" else str(v)

    shown = {int(j): _shorten(texts[j], max_chars, keywords) for j in sel}  # what the reader would see
    reading = {j: _reading(t) for j, t in shown.items()}

    def distinct(pool: Sequence[int]) -> int:
        """How many of ``pool`` (up to ``k``) can be quoted together: not near-duplicates of each other."""
        kept: list[int] = []
        for j in pool:
            if not any(near_duplicate(reading[int(j)], reading[p]) for p in kept):
                kept.append(int(j))
                if len(kept) >= k:
                    break
        return len(kept)

    def prefer(good: Sequence[bool], why: str) -> None:
        """Keep the ``good`` candidates when ``k`` quotes can be drawn from them (near-duplicates count once)."""
        nonlocal sel
        good = np.asarray(good, dtype=bool)
        if good.sum() >= k and distinct(sel[good]) >= min(k, distinct(sel)):
            sel = sel[good]
        elif not good.all():
            _log.info("quotes of theme %s: %d of %d candidates %s; the others fill up", theme, int(good.sum()),
                      len(good), why)

    if is_praise_theme(theme) if praise is None else praise:
        if "type" in df:
            kind = df["type"].to_numpy(dtype=object)
            typed = [str(kind[idx[j]]).strip().lower() for j in sel]
            if any(t not in ("", "nan", "none") for t in typed):
                prefer([t in PRAISE_TYPES for t in typed], "typed as praise")
        prefer([complaint_cues(shown[int(j)]) == 0 for j in sel], "praise without a complaint")
    prefer([language(j) != "en" for j in sel], "not in English")
    quoted_elsewhere: dict[int, bool] = {}
    if avoid:
        avoided = [_reading(a) for a in avoid]
        quoted_elsewhere = {int(j): any(near_duplicate(reading[int(j)], a) for a in avoided) for j in sel}
        prefer([not quoted_elsewhere[int(j)] for j in sel], "not quoted under another theme")
    typos = np.asarray([0.0 if language(j) == "en" else typo_share(shown[int(j)], known) for j in sel], dtype=float)
    for limit in (MAX_TYPO_SHARE, CLEAN_TYPO_SHARE):  # typo-heavy comments only when too few well-spelt ones are left
        spelt = typos <= limit
        if spelt.sum() >= k and distinct(sel[spelt]) >= min(k, distinct(sel)):
            sel, typos = sel[spelt], typos[spelt]
    if len(sel) > max_candidates:
        pick = np.sort(rng.choice(len(sel), size=max_candidates, replace=False))
        sel, typos = sel[pick], typos[pick]
    if vectors is not None:
        V = vectors[idx[sel]]
    else:
        V = resolve_embedder(embedder).encode([texts[j] for j in sel])
    def repeats(i: int, picked: list[int]) -> bool:  # a near-duplicate of a pick is never quoted beside it
        return any(near_duplicate(reading[int(sel[i])], reading[int(sel[p])]) for p in picked)

    # a comment quoted under another theme comes last even where too few others are left to filter it out
    elsewhere = np.asarray([quoted_elsewhere.get(int(j), False) for j in sel], dtype=float)
    order = mmr(V, k, diversity=diversity, prior=-TYPO_WEIGHT * typos - AVOIDED_PENALTY * elsewhere, exclude=repeats)
    centroid_rel = None
    if order:
        c = np.asarray(V.mean(axis=0)).ravel()
        centroid_rel = _dot(V, c[None, :] / max(np.linalg.norm(c), 1e-12)).ravel()
    qcol = df["question"].to_numpy(dtype=object) if "question" in df else None
    out = []
    for rank, o in enumerate(order, 1):
        j = int(sel[o])
        row = row_of(j)
        attr = attribute(row) if attribute is not None else ""  # set with respondents and survey (quote_rule)
        out.append(
            Quote(
                text=safe_quote_text(_plain_guillemets(mask_local_names(mask_headcount(shown[j], one=False)))),
                attribution=attr,
                theme=(theme[6:] if theme and theme.startswith("theme_") else theme),
                question=str(qcol[idx[j]]) if qcol is not None else question,
                respondent_id=ids_sub[j],
                score=float(centroid_rel[o]) if centroid_rel is not None else float("nan"),
                rank=rank,
                language=language(j),
            )
        )
    return out
