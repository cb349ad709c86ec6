"""Comment type facet (klage / ønske / ros): cue-word rules for zero-shot, logistic regression when labelled."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

__all__ = ["TypeRules", "TypeClassifier", "cue_features", "CUES", "TYPE_NAMES", "codebook_type_names"]

# Cue words on the lower-cased cleaned text (bokmål + nynorsk). Used as features and by the zero-shot rules.
CUES: dict[str, tuple[str, ...]] = {
    "ros": ("takk", "takke", "fornøyd", "fornøgd", "flink", "flinke", "god hjelp", "godt samarbeid", "god service",
            "god dialog", "gode erfaring", "positiv", "fantastisk", "super", "utmerket", "imponert", "kjempebra",
            "strålende", "hjelpsom", "hjelpsomme", "fungerer godt", "fungerer bra", "fungerte godt", "fungerte bra",
            "bra", "godt", "veldig god", "rask", "raskt", "løsningsorientert", "profesjonell", "ros", "skryt"),
    "ønske": ("bør", "burde", "ønsker", "ønske", "ønskjer", "ynskjer", "savner", "saknar", "hadde vært", "ville vært",
              "hadde vore", "skulle ønske", "kunne", "gjerne", "fint om", "fint å", "forslag", "oftere", "enklere",
              "må bli", "må få", "trenger", "treng", "mer ", "flere", "fleire", "bedre", "betre", "tydeligere",
              "raskere", "lettere", "kortere", "hadde hjulpet", "vil gjerne", "håper", "håpar"),
    "klage": ("ikke", "ikkje", "aldri", "dårlig", "dårleg", "elendig", "umulig", "vanskelig", "vanskeleg", "lang",
              "lange", "treg", "tregt", "frustrerende", "frustrert", "ingen", "problem", "feil", "venter", "ventet",
              "venta", "sendrektig", "uforståelig", "håpløst", "kaos", "mangler", "manglar", "misfornøyd",
              "skuffet", "tungvint", "sein", "seint", "sent"),
}
# Negated praise ("ikke fornøyd", "ikke noe særlig bra", "ikkje særleg god hjelp", "ikke veldig fornøyd"): a
# negator, up to two softeners (bokmål and nynorsk) and a praise word. Counted against the praise cues it contains.
_SOFTENER = r"(?:noe|noko|så|so|særlig|særleg|serleg|spesielt|veldig|helt|heilt|like|fullt|altfor|for)"
_NEGATED_PRAISE = re.compile(r"\b(?:ikke|ikkje|lite|aldri)\s+(?:" + _SOFTENER + r"\s+){0,2}"
                             r"(fornøyd|fornøgd|nøgd|bra|godt|god|flink)(?!\w)")
_PATTERNS = {k: [(c.strip(), re.compile(r"(?<!\w)" + re.escape(c.strip()) + (r"(?!\w)" if not c.endswith(" ") else "")))
                 for c in v] for k, v in CUES.items()}  # (literal pre-check, exact pattern)


def cue_features(texts: Sequence[str]) -> np.ndarray:
    """(n, 4) counts: ros cues, ønske cues, klage cues, negated praise."""
    out = np.zeros((len(texts), 4), dtype=np.float32)
    for i, t in enumerate(texts):
        low = " ".join(str(t or "").lower().split()) + " "
        for j, key in enumerate(("ros", "ønske", "klage")):
            out[i, j] = sum(1 for lit, p in _PATTERNS[key] if lit in low and p.search(low))
        out[i, 3] = len(_NEGATED_PRAISE.findall(low))
    return out


# Zero-shot rules only: praise adjectives by lemma, each with its inflected, nynorsk and superlative forms (plain
# praise such as "Supert!", "Fine løsninger", "god kontrast" has no other cue). Forms that are trained cues ("bra",
# "godt", "super") are left out: they count already. Also counted after an intensifier ("kjempefint"). An adjective in
# a wish (:data:`_WISH_CONTEXT`), a greeting or an idiom ("god dag", "god og lei", "enkelt å se") is no praise.
PRAISE_ADJECTIVES: dict[str, tuple[str, ...]] = {
    "fin": ("fin", "fine", "fint"),
    "super": ("supert",),
    "god": ("god", "gode"),
    "flott": ("flott", "flotte"),
    "enkel": ("enklaste", "enkleste"),  # the positive forms only after a copula, see _RULE_EASY
    "grei": ("grei",),
    "oversiktlig": ("oversiktlig", "oversiktlige", "oversiktleg", "oversiktlege"),
    "ryddig": ("ryddig", "ryddige"),
    "forståelig": ("forståelig", "forståelige", "forståeleg", "forståelege"),
    "effektiv": ("effektiv", "effektivt", "effektive"),
    "positiv": ("positivt",),
}
# a form in a phrase that is no praise: after an indefinite article ("en enkel oversikt", "en god annonse" are
# mostly wished for) or "mer", "god nok", "enkelt sagt", and "fin" in a wish ("fint om", "fint å få", "fint med")
_ADJ_NOT_AFTER = "".join(r"(?<!\b%s )" % w for w in ("en", "ei", "et", "ett", "ein", "eit", "eitt", "mer", "meir"))
_ADJ_NOT_BEFORE = (r"(?! nok(?!\w))(?! sagt(?!\w))(?! tid(?!\w))(?! vei(?!\w))"  # also "i god tid", "på god vei"
                   r"(?! (?:dag|morgen|morgon|kveld|jul|helg|og lei)(?!\w))")  # greetings, "god og lei"
_ADJ_WISH_AFTER = r"(?! om| å| hvis| viss| dersom| med)"


def _alternation(forms) -> str:
    return "|".join(sorted(forms, key=len, reverse=True))


# Zero-shot rules only (not features of a trained type model, whose inputs must stay as they were trained):
# praise words the cue list lacks, and a complaint denied ("ingenting å klage på"), which reads as praise.
_RULE_PRAISE = re.compile(r"(?<!\w)(?:hyggelig|hyggelige|hyggeleg|respektfull|respektfullt|vennlig|vennlige|vennleg|venleg|"
                          r"imøtekommende|serviceinnstilt|trygg|tryggt|lyttet|lytta|stort sett greit|"
                          r"god behandling|bra behandling|godt mottatt|godt ivaretatt|alt gikk|alt gjekk|"
                          r"til (?:stor|god|veldig god|uvurderleg|uvurderlig) hjelp|"
                          r"(?:kjempe|super|knall|skikkelig)(?:flink|flinke|god|gode|godt|bra|fornøyd|"
                          r"fornøgd|hyggelig|hyggelige|hyggeleg|hjelpsom|hjelpsomme|dyktig|dyktige|dugande|service)|"
                          r"dyktig|dyktige|dugande|kunnskapsrik|kunnskapsrike|gull verdt|gull verd|"
                          r"alt (?:er )?i (?:skjønn |skjøn )?orden|god oppfølging|god oppfølgjing|god jobb|gode folk|"
                          r"stiller opp|stiller alltid opp|stilte opp|stilde opp|"
                          r"topp|imponerende|imponerande|nyttig|nyttige|"
                          r"gode erfaringer|gode erfaringar|god samarbeidspartner|greit samarbeid|godt samarbeid|"
                          r"genial|enkelt å bruke|setter pris på|set pris på|hjalp oss|"
                          r"hjelpte oss|hjulpet oss|hjelpsame|det beste|en fryd|ei fryd|stort løft|"
                          r"thank you|thanks|satisfied|helpful|great|good cooperation|good job|well run)(?!\w)")
# a praise adjective, also after an intensifier (counted where no cue or praise phrase above has counted it: "god" in
# "god oppfølging" once)
_RULE_ADJ = re.compile(r"(?<!\w)" + _ADJ_NOT_AFTER + r"(?:kjempe|super|knall|skikkelig)?"
                       r"(?:(?:" + _alternation(PRAISE_ADJECTIVES["fin"]) + r")(?!\w)" + _ADJ_WISH_AFTER
                       + r"|(?:" + _alternation(f for k, v in PRAISE_ADJECTIVES.items() if k != "fin" for f in v)
                       + r")(?!\w))" + _ADJ_NOT_BEFORE)
# "enkel" praises as a predicate ("er enkelt", "var veldig enkel å bruke"); elsewhere it is mostly wished for ("skriv
# kort og enkelt", "en enkel oversikt") or a complaint ("et enkelt spørsmål")
_RULE_EASY = re.compile(r"(?<!\w)(?:er|var|ble|blei|vart|blir|blitt|vært|vore|virker|verkar)\s+"
                        r"(?:(?:veldig|svært|ganske|helt|heilt|utrolig|mye|mykje|særs|kjempe)\s+)?"
                        r"(enkel|enkelt|enkle)(?!\w)(?! nok(?!\w))(?! å se(?!\w))")
# a wish in the adjective's clause, before or after it ("Ønsker oversiktlige sider", "bør bli effektiv", "Det enkleste
# hadde vært å ringe", "må være enkelt", "må sidene bli oversiktlige"): the adjective is wished for, not praise
_WISH_CONTEXT = re.compile(r"(?<!\w)(?:ønsker|ønskjer|ynskjer|ønske|ønskje|ynskje|bør|burde|"
                           r"(?:må|skal|hadde|ville|kunne) (?:være|vere|vært|vore|bli|verte)|"
                           r"må(?: \w+){1,4} (?:være|vere|bli|verte))(?!\w)")
_CLAUSE_END = re.compile(r"[.!?;:,]|(?<!\w)(?:men|og så)(?!\w)")
_WINDOW = 80  # characters either side of a match that its context is looked for in (linear time on long texts)
# no need ("ingen trenger å møte opp", "man trenger ikke å sende skjema", "ingen lenger treng å"): a benefit, its
# "trenger" no wish, its "ingen", "ikke" no complaint
_NEED, _LONGER = r"(?:trenger|treng|trengte|behøver|behøvar)", r"(?:lenger\s+|lengre\s+)?"
_NO_NEED = re.compile(r"(?<!\w)(?:(?:ingen|ikke|ikkje)\s+" + _LONGER + _NEED + r"|" + _NEED + r"\s+(?:ikke|ikkje))\s+"
                      + _LONGER + r"å(?!\w)")
# irony: praise opening a sentence or a clause (after a comma or "og", an interjection or a dash: "Ja, supert at ingen
# svarer", "Ringte tre ganger, og kjempefint at ingen tok telefonen") with an "at"/"å" clause that complains ("Flott at
# ingen tar telefonen") is no praise; the clause (to the next such opening or the sentence's end) decides, its plain
# negations not counted ("Flott at dere ikke krever papirskjema", "Fint at dere ringer, slipper lang ventetid")
_IRONY_BEFORE = (r"(?:(?:^|[.!?;:,])\s*(?:og\s+)?|(?<!\w)og\s+)"
                 r"(?:(?:ja|jo|nei|javel|ja vel|ok|å|oi)\s*[,!]?\s+|[-–—]\s*)?")
_IRONY_WORD = (r"(?:(?:kjempe|super|knall|skikkelig)?(?:supert|flott|fint|bra|herlig|topp)|super|fantastisk|"
               r"strålende|strålande|glimrende)")
_IRONY_AT = r"\s*,?\s+(?:at|å)\s+"
_IRONY = re.compile(_IRONY_BEFORE + "(" + _IRONY_WORD + ")" + _IRONY_AT
                    + r"((?:(?!" + _IRONY_BEFORE + _IRONY_WORD + _IRONY_AT + r")[^.!?])*)")
_IRONY_NOT_COMPLAINT = re.compile(r"(?<!\w)(?:ikke|ikkje|(?:slipper|slepp|slapp|sluppet|sleppe|slippe)(?:\s+\w+){0,2})"
                                  r"(?!\w)|" + _NO_NEED.pattern)
# ... also where it has no complaint cue: an answer or a service that fails ("Flott at dere ikke svarer på e-post",
# "Supert å ikke få svar", "Topp at det ikke fungerer på mobil"). A negated possibility or an obligation is left to
# the complaint cues: "Bra at uvedkommende ikke kan se sykmeldingen", "Fint at man bare må fylle ut ett skjema" praise
# Also a concrete failure that wins a tie with praise in another sentence (:meth:`TypeRules.predict`), with "ingen",
# "aldri" too ("Synd at ingen svarer").
_IRONY_COMPLAINT = re.compile(r"(?<!\w)(?:ikke|ikkje|ingen|aldri)\s+(?:lenger\s+|lengre\s+)?"
                              r"(?:fungerer|fungerte|funker|virker|verkar|svarer|svarar|svarte|"
                              r"(?:tar|tok|tek) telefonen|(?:ringer|ringjer|ringte) tilbake|"
                              r"(?:kommer|kom|kjem) gjennom|"
                              r"(?:få|får|fått|fikk|fekk) (?:\w+ )?(?:svar|hjelp|kontakt|beskjed))(?!\w)"
                              r"|(?<!\w)(?:fungerer|fungerte|funker|virker|verkar|svarer|svarar|svarte)\s+"
                              r"(?:ikke|ikkje|aldri)(?!\w)|(?<!\w)(?:får|fikk|fekk|kommer|kom|kjem)\s+"
                              r"(?:ikke|ikkje|aldri)\s+(?:(?!(?:bare|berre|alltid)\s)\w+\s+)?"
                              r"(?:svar|hjelp|kontakt|beskjed|gjennom)(?!\w)")
# ... or where it praises a long wait ("Supert at det tar tre uker å få svar", "Flott at ein må vente i 40 minutt"):
# a wait word, up to three filler words and a duration, or a duration's genitive before a waiting time ("tre ukers
# ventetid"), or "flere", "timevis".
_NUMBER_WORDS = {"en": 1, "ei": 1, "et": 1, "ett": 1, "ein": 1, "eit": 1, "eitt": 1, "to": 2, "tre": 3, "fire": 4,
                 "fem": 5, "seks": 6, "sju": 7, "syv": 7, "åtte": 8, "ni": 9, "ti": 10, "elleve": 11, "tolv": 12,
                 "fjorten": 14, "femten": 15, "tjue": 20, "tyve": 20, "tretti": 30, "tredve": 30, "førti": 40,
                 "femti": 50, "seksti": 60, "nitti": 90, "hundre": 100, "halvannen": 1.5, "halvanna": 1.5,
                 "halvannan": 1.5, "en halv": 0.5, "ei halv": 0.5, "ein halv": 0.5, "et par": 2, "eit par": 2,
                 "par": 2, "noen": 2, "nokre": 2, "nokon": 2, "flere": float("inf"), "fleire": float("inf"),
                 "mange": float("inf")}
_UNIT_MINUTES = {"minutt": 1, "min": 1, "halvtime": 30, "time": 60, "tim": 60, "dag": 1440, "døgn": 1440,
                 "uke": 10080, "uk": 10080, "veke": 10080, "vek": 10080, "måned": 43200, "månad": 43200,
                 "mnd": 43200, "år": 525600}
_DURATION = (r"(\d+(?:[.,]\d+)?|" + _alternation(_NUMBER_WORDS) + r")(?:\s*[-–]\s*\w+)?\s+("
             + _alternation(_UNIT_MINUTES) + r")(?:e|er|ar|a|ane|ene|en|s|ers|ars|es)?(?!\w)")
_DURATION_RE = re.compile(r"(?<!\w)" + _DURATION)
_MORE_THAN = re.compile(r"(?<!\w)(?:mer|meir) enn $")
# a duration measures a wait or a time gone by (:func:`_duration_wishes`): a waiting or elapsed-time verb before it
# in its clause ("har venta i", "det tar"), after it a waiting time or "for sent", "på rad", "uten", or "i", "på",
# "etter" just before days or longer ("i flere uker"), not a frequency or a contrast after it ("Åpen chat på flere
# dager i uka", "Refusjon etter flere dager, ikke uker"; "flere timer etter kl 15", "flere dager før lønnskjøring")
_ELAPSED_BEFORE = re.compile(r"(?<!\w)(?:vent\w*|vænt\w*|tok|tar|tek|tatt|teke|gått|gikk|gjekk|har vært|har vore|"
                             r"hev vore|sidan|siden)(?!\w)")
_PREPOSITION_BEFORE = re.compile(r"(?<!\w)(?:i|på|etter)\s+(?:(?:mer|meir) enn\s+)?$")
_NOT_ELAPSED_AFTER = re.compile(r"\s+(?:i|per|pr\.?|om|av)\s+(?:uka|uke|veka|veke|dagen|døgnet|måneden|månaden|"
                                r"året|mnd)(?!\w)|,?\s+(?:ikke|ikkje)(?!\w)")
_WAIT_AFTER = re.compile(r"\s+(?:i\s+)?\w*(?:ventetid|behandlingstid|svartid|kø)|\s+(?:for sent|for seint|"
                         r"på rad|uten|utan|sidan|siden)(?!\w)")
_WAIT_FILLER = (r"(?:det|ofte|gjerne|minst|hele|heile|over|opptil|rundt|ca\.?|cirka|omtrent|i|nesten|vanligvis|"
                r"vanlegvis|fortsatt|framleis|fremdeles|meg|oss|man|vi|me|jeg|eg|er|var|på|nærmere|nærare)")
_NOT_TIME_OFF = (r"(?!\s+(?:fri|ferie|sommerferie|egenmelding|\w*permisjon|pause|avspasering|fridagar|fridager)"
                 r"(?!\w))")  # "ta tre dager egenmelding"
_WAIT_TAIL = r"(?:\s+" + _WAIT_FILLER + r"){0,3}\s+" + _DURATION + _NOT_TIME_OFF
# "tar", "tok", "gått" measure a wait with an impersonal subject ("det tar tre uker", "saksbehandlingen tok fire
# måneder"; not "å ordne alt") or a purpose after the duration ("gikk fem uker før noen svarte"); else an ordinary
# length ("kurset gikk over tre dager", "vi får ta en time trening", "de tar 20 minutter til hver samtale"). A queue
# (waiting, "kø", "ventetid") is long from 15 minutes, any other wait over a week.
_IMPERSONAL = (r"(?:det|\w*saken|\w*saka|svaret|\w*behandlingen|\w*behandlinga|\w*søknaden|vedtaket|refusjonen|"
               r"utbetalingen|utbetalinga)\s+(?:(?:fortsatt|framleis|fremdeles|ofte|gjerne|vanligvis|vanlegvis|alltid)"
               r"\s+)?(?:(?:har|hadde|skal|skulle|må|kan|vil|ville)\s+)?(?:tar|tok|tatt|tek|teke|ta|gått)")
_WAIT_PURPOSE = r"(?=\s+(?:å få|å svare|å svara|å behandle|å behandla|før|på svar|uten svar|utan svar)(?!\w))"
_LONG_WAIT = re.compile(r"(?<!\w)(?:(?P<queue>vent\w*|\w*kø(?:en|a)?)" + _WAIT_TAIL
                        + r"|\w*(?:behandlings|svar|respons)(?:tid|tida|tiden|tidene|tider)(?!\w)" + _WAIT_TAIL
                        + r"|" + _IMPERSONAL + _WAIT_TAIL + r"(?!\s+å\s+(?!få|svare|svara|behandle|behandla)\w)"
                        + r"|(?:tar|tok|tatt|tek|teke|ta|gikk|gjekk|gått)" + _WAIT_TAIL + _WAIT_PURPOSE
                        + r"|" + _DURATION + r"\s+\w*(?:(?P<queue2>ventetid|kø)|behandlingstid|svartid)\w*"
                        + r"|(?:i\s+)?(?:timevis|dagevis|dagesvis|ukevis|ukesvis|vekevis|månedsvis|månadsvis|årevis|"
                        r"evigheter|ei evigheit|en evighet))(?!\w)")
# ... unless the wait is short, spared, denied, conceded or compared ("Bra at vi slapp å vente tre uker", "Fint at det
# bare tar to dager", "Supert at det nå tar to uker i stedet for tre måneder"): praise for an improvement, sincere
_SHORT_WAIT = re.compile(r"(?<!\w)(?:bare|berre|kun|ikke|ikkje|slipper|slapp|sluppet|slepp|sleppe|slippe|unngår|"
                         r"unngikk|unngå|i stedet for|istedenfor|istedet for|i staden for|istadenfor|fremfor|framfor|"
                         r"enn (?:før|tidligere|tidlegare|sist|i fjor)|mot før|mot tidligere|mot tidlegare|ned|"
                         r"redusert|mindre enn|under|innen|innan|maks|maksimalt|høyst|høgst|kortere|kortare|raskere|"
                         r"raskare|snøggare|nå|no|endelig|endeleg|selv om|sjølv om|"
                         r"(?:fra|frå)\s+" + _DURATION + r")(?!\w)")
# ... or the wait allowed ("sykmeldte kan vente i tre dager"), a span ("tok to uker fra sykmelding til dialogmøte"),
# time gone by without trouble ("gått tre måneder uten nye sykmeldinger") or given a reason ("tok tre uker, for ...")
_PERMITTED_BEFORE = re.compile(r"(?<!\w)(?:kan|får|må ikke|må ikkje|trenger ikke|treng ikkje)\s+$")
_NO_WAIT = re.compile(r"\s+(?:(?:fra|frå)\s+(?:\w+\s+){1,3}til|(?:uten|utan)\s+(?!at\s)(?:\w+\s+)?"
                      r"\w*(?:syk|sjuk|fravær|fråvær|skade|ulykke)\w*)(?!\w)")
_REASON_AFTER = re.compile(r"\s*(?:for|fordi)(?!\w)")
_DENIED_COMPLAINT = re.compile(r"(?<!\w)(?:ingenting|ikke noe|ikkje noko|lite|ingen ting)\s+(?:å\s+)?"
                               r"(?:klage på|klage|utsette på|å utsette|å sette fingeren på)(?!\w)"
                               r"|(?<!\w)(?:ingen|ikke noen|ikkje nokon)\s+(?:problem|problemer|problemar|klager)(?!\w)")
# negations the trained cues lack ("langt fra bra", "alt annet enn enkelt", "på ingen måte god"): zero-shot only
_RULE_NEGATOR = (r"(?:langt fra|langt ifra|langt frå|langt ifrå|alt annet enn|alt anna enn|på ingen måte|"
                 r"slett ikke|slett ikkje|overhodet ikke|overhovudet ikkje)")


def _negated_before(negators: str) -> re.Pattern:
    """A text ending in one of ``negators`` and up to two words ("ikke særlig hyggelig")."""
    return re.compile(r"(?<!\w)(?:" + negators + r")\s+(?:\w+\s+){0,2}$")


_RULE_NEGATED_BEFORE = _negated_before(_RULE_NEGATOR)
_NEGATED_BEFORE = _negated_before(r"ikke|ikkje|lite|aldri|not|never|" + _RULE_NEGATOR)
# praise in a wish or a hypothetical ("ville vært gull verdt", "hadde vore nyttig"): no praise
_HYPOTHETICAL_BEFORE = re.compile(r"(?<!\w)(?:ville|hadde|vil|kunne|skulle)\s+"
                                  r"(?:(?:vært|vore|blitt|bli|verte)\s+(?:\w+\s+)?)?$")
_SENTENCE_END = re.compile(r"[.!?;]+")
# a failure conceded or a condition (:meth:`TypeRules._failure_sentence`): "selv om", "hvis", "det hender"
_CONCEDED = re.compile(r"(?<!\w)(?:selv om|sjølv om|hvis|viss|om|dersom|når|da|då|det hender|det hand|tidligere|"
                       r"tidlegare|i fjor|før i tida|før i tiden)(?!\w)")
_ALWAYS = re.compile(r"\s+(?:alltid|bare|berre)(?!\w)")
# ... nor a sentence with a counterfactual ("Uten henne hadde vi aldri fått hjelp"), a past fixed ("Før fungerte ikke
# nettsiden") or a third party's failure that the praise answers ("Fastlegen svarer aldri, så dere var redningen")
_COUNTERFACTUAL = re.compile(r"(?<!\w)(?:uten|utan)(?!\w)|(?<!\w)(?:hadde|ville)\s+(?:\w+\s+){0,2}(?:aldri|ikke|ikkje)"
                             r"(?!\w)|,\s*(?:så|og så)(?!\w)|^\s*før(?!\w)")
_BUT = re.compile(r"(?<!\w)(?:men|likevel|derimot)(?!\w)")
# Zero-shot rules only: nynorsk and dialect forms the cue lists lack, written as the bokmål cues are ("skulle ønske"
# and "ønske" both count, so "Eg skulle ønskje ..." counts twice). Each counts unless negated just before it
# ("skulle ikkje ønskje", "ikkje nøgd"); praise not in a hypothetical either ("hadde vore nøgd").
_RULE_CUES: dict[str, tuple[str, ...]] = {
    "ros": ("nøgd", "nøgde", "kjempenøgd", "strålande", "imøtekomande", "hjelpsam", "hyggjeleg",
            "hyggjelege"),
    "ønske": ("ønskje", "ynskje", "skulle ønskje", "skulle ynskje", "hadde hjelpt", "ville vore", "må være", "må vere",
              "kjempefint om", "superfint om", "kjempefint å", "superfint å",
              "meir", "enklare", "tydelegare", "raskare", "snøggare", "lettare", "kortare", "oftare"),
    "klage": ("umogleg", "uforståeleg", "uforståelege", "håplaust", "frustrerande", "skuffa", "misnøgd", "ventar"),
}
_RULE_PATTERNS = {k: [(c, re.compile(r"(?<!\w)" + re.escape(c) + r"(?!\w)")) for c in v] for k, v in _RULE_CUES.items()}


def _before(low: str, i: int) -> str:
    """The last :data:`_WINDOW` characters of ``low`` before ``i``, less a word cut at its start."""
    if i <= _WINDOW:
        return low[:i]
    part = low[i - _WINDOW:i]
    return part[part.find(" ") + 1:] if " " in part else ""


def _praise_counts(low: str, m: re.Match, group: int = 0) -> bool:
    """A zero-shot praise match counts unless negated or hypothetical just before it."""
    before = _before(low, m.start(group))
    return not (_NEGATED_BEFORE.search(before) or _HYPOTHETICAL_BEFORE.search(before))


def _wishes_at(low: str, start: int, end: int) -> list[tuple[int, int]]:
    """The spans in ``low`` of the wishes (:data:`_WISH_CONTEXT`) in the clause of ``low[start:end]``, before or
    after it."""
    before = _CLAUSE_END.split(_before(low, start))[-1]
    after = _CLAUSE_END.split(low[end:end + _WINDOW])[0]
    return ([(start - len(before) + m.start(), start - len(before) + m.end()) for m in _WISH_CONTEXT.finditer(before)]
            + [(end + m.start(), end + m.end()) for m in _WISH_CONTEXT.finditer(after)])


def _overlaps(spans: list[tuple[int, int]]):
    """A test whether a span overlaps one of ``spans`` (sorted starts, running maximum of ends; bisect)."""
    spans = sorted(spans)
    starts, reach, top = [a for a, _ in spans], [], -1
    for _, b in spans:
        top = max(top, b)
        reach.append(top)

    def test(start: int, end: int) -> bool:
        i = bisect_left(starts, end)
        return i > 0 and reach[i - 1] > start
    return test


def _irony_complaint(clause: str) -> bool:
    """The clause after an opening praise word complains: :data:`_IRONY_COMPLAINT` or a complaint cue (its plain
    negations "ikke", "slipper ..." not counted)."""
    if _IRONY_COMPLAINT.search(clause) or _long_wait(clause):
        return True
    clause = _IRONY_NOT_COMPLAINT.sub(" ", clause)
    return bool(cue_features([clause])[0][2] + _rule_cue_counts(clause)[2])


def _long_wait(clause: str) -> bool:
    """The clause, to its first comma or "men", names a long wait (:data:`_LONG_WAIT`) and nothing in it makes the
    wait short (:data:`_SHORT_WAIT`), allowed, explained or a span (:data:`_NO_WAIT`); a queue is long from 15 minutes,
    any other wait over a week ("ti dagar", "flere uker"; not "flere dager")."""
    if _SHORT_WAIT.search(clause):
        return False
    end = _CLAUSE_END.search(clause)
    head = clause[:end.start()] if end else clause
    if end and _REASON_AFTER.match(clause, end.end()):  # "tok tre uker, for da hadde vi tid"
        return False
    for m in _LONG_WAIT.finditer(head):
        if _PERMITTED_BEFORE.search(_before(head, m.start())) or _NO_WAIT.match(head, m.end()):
            continue
        d = _DURATION_RE.search(m.group(0))
        if d is None:  # "timevis", "i evigheter"
            return True
        n, unit = d.groups()
        count, per = _NUMBER_WORDS.get(n) or float(n.replace(",", ".")), _UNIT_MINUTES[unit]
        queue = m.group("queue") or m.group("queue2")
        if queue and count * per >= 15 and per <= 60:
            return True
        if count * per > 10080 and (count < float("inf") or per >= 10080):  # "flere uker", not "flere dager"
            return True
    return False


_TRAINED_WISH = dict(_PATTERNS["ønske"])  # the trained wish cues by text ("flere", "mer")


def _duration_wishes(low: str) -> int:
    """Wish cues that only measure a wait or an elapsed time ("har venta i fleire veker", "det tar mer enn tre uker",
    "mer enn tre uker ventetid"): no wish ("Flere timer med veileder" is one). A trained cue ("flere", "mer") counts
    once a text, so it is taken off where each of its matches measures a wait ("Flere saksbehandlere! Vi har ventet i
    flere uker" keeps it); "meir", a zero-shot cue, once a match."""
    measured: dict[str, set[int]] = {}
    rule = 0
    for d in _DURATION_RE.finditer(low):
        before = _before(low, d.start())
        prep = (_PREPOSITION_BEFORE.search(before) and _UNIT_MINUTES[d.group(2)] >= 1440
                and not _NOT_ELAPSED_AFTER.match(low, d.end()))
        if not (prep or _ELAPSED_BEFORE.search(_CLAUSE_END.split(before)[-1]) or _WAIT_AFTER.match(low, d.end())):
            continue
        if d.group(1) in ("flere", "fleire"):
            measured.setdefault(d.group(1), set()).add(d.start(1))
        more = _MORE_THAN.search(before)
        if more and more.group(0).startswith("meir"):
            rule += 1
        elif more:
            measured.setdefault("mer", set()).add(d.start() - len(before) + more.start())
    return rule + sum(1 for cue, at in measured.items()
                      if {m.start() for m in _TRAINED_WISH[cue].finditer(low)} <= at)


def _trained_praise(low: str) -> list[tuple[str, re.Match]]:
    """(cue, match) for each match of a trained praise cue in lower-cased ``low``."""
    return [(lit, m) for lit, p in _PATTERNS["ros"] if lit in low for m in p.finditer(low)]


def _ironic(low: str) -> list[re.Match]:
    """The ironic praise (:data:`_IRONY` whose clause complains, :func:`_irony_complaint`) in lower-cased ``low``."""
    return [m for m in _IRONY.finditer(low) if _irony_complaint(m.group(2))]


def _rule_praise_count(low: str, trained: list[tuple[str, re.Match]],
                       ironic: list[re.Match]) -> tuple[int, set[tuple[int, int]]]:
    """Zero-shot praise phrases and praise adjectives (:data:`PRAISE_ADJECTIVES`) in lower-cased ``low`` that count
    (:func:`_praise_counts`), and the spans of the wishes that an adjective is wished for in (:func:`_wishes_at`:
    "må snart bli god"), which is no praise; an adjective inside a praise cue or phrase (``trained``:
    :func:`_trained_praise`; "veldig god", "god oppfølging") is no second match. Ironic praise (``ironic``:
    :func:`_ironic`) is not counted: a trained cue opening it ("bra", "kjempebra") is taken off again where each of
    its matches is ironic."""
    ironic_at = {m.start(1) for m in ironic}
    phrases = [m for m in _RULE_PRAISE.finditer(low) if m.start() not in ironic_at]
    taken = _overlaps([m.span() for m in phrases] + [m.span() for _, m in trained])
    wishes = _WISH_CONTEXT.search(low) is not None
    wished: set[tuple[int, int]] = set()

    def unwished(start: int, end: int) -> bool:
        spans = _wishes_at(low, start, end) if wishes else []
        wished.update(spans)
        return not spans
    adjectives = [m for m in _RULE_ADJ.finditer(low) if m.start() not in ironic_at and not taken(*m.span())
                  and unwished(*m.span())]
    easy = [m for m in _RULE_EASY.finditer(low) if unwished(*m.span(1))]
    starts: dict[str, set[int]] = {}
    for lit, m in trained:
        starts.setdefault(lit, set()).add(m.start())
    ironic_cues = sum(at <= ironic_at for at in starts.values())
    return (sum(_praise_counts(low, m) for m in phrases + adjectives) - ironic_cues
            + sum(not _NEGATED_BEFORE.search(_before(low, m.start(1))) for m in easy)), wished


def _uncued_wishes(low: str, wished: set[tuple[int, int]]) -> int:
    """How many of the ``wished`` spans (:func:`_rule_praise_count`) no wish cue, trained or zero-shot, overlaps
    ("må snart bli", not "må bli")."""
    if not wished:
        return 0
    cued = _overlaps([m.span() for patterns in (_PATTERNS["ønske"], _RULE_PATTERNS["ønske"]) for lit, p in patterns
                      if lit in low for m in p.finditer(low)])
    return sum(not cued(*span) for span in wished)


def _rule_negated_praise(low: str, trained: list[tuple[str, re.Match]]) -> int:
    """Trained praise cue matches (``trained``: :func:`_trained_praise`; "bra", "godt") after a zero-shot-only
    negation ("langt fra bra", "alt annet enn godt"), which the trained cues count as praise; praise the zero-shot
    rules add is not counted there already."""
    return sum(1 for _, m in trained if _RULE_NEGATED_BEFORE.search(_before(low, m.start())))


def _rule_cue_counts(low: str, ironic: Sequence[re.Match] = ()) -> tuple[int, int, int]:
    """(praise, wish, complaint) matches of the zero-shot-only cues ``_RULE_CUES`` in lower-cased ``low``; a praise
    cue opening ironic praise (``ironic``: :func:`_ironic`; "Strålande at ...") not counted."""
    ironic_at = {m.start(1) for m in ironic}
    return tuple(sum(_rule_match_counts(key, low, m) for lit, p in _RULE_PATTERNS[key] if lit in low
                     for m in p.finditer(low) if key != "ros" or m.start() not in ironic_at)
                 for key in ("ros", "ønske", "klage"))


def _rule_match_counts(key: str, low: str, m: re.Match) -> bool:
    """Complaint cues always count; praise unless negated or hypothetical just before it; wishes unless negated."""
    if key == "ros":
        return _praise_counts(low, m)
    if key == "ønske":
        return not _NEGATED_BEFORE.search(_before(low, m.start()))
    return True


#: What a codebook may call each of the rules' types (casefolded; bokmål, nynorsk, English). A codebook's type is
#: the rules' type when it is one of these names, holds one as a word ("Ros og skryt", "ønske/forslag") or ends in
#: one ("forbedringsforslag", "endringsønske").
TYPE_NAMES: dict[str, tuple[str, ...]] = {
    "klage": ("klage", "klager", "klagar", "kritikk", "negativ", "negative", "negativt", "misnøye", "misnøgd",
              "complaint", "complaints", "criticism", "negative feedback"),
    "ønske": ("ønske", "ønsker", "ønskje", "ynske", "ynskje", "forslag", "innspill", "innspel", "forbedring",
              "forbetring", "wish", "wishes", "suggestion", "suggestions", "request", "requests"),
    "ros": ("ros", "skryt", "positiv", "positive", "positivt", "lovord", "praise", "compliment", "compliments",
            "positive feedback"),
}
_TYPE_WORD = re.compile(r"[^\W\d_]+")


def codebook_type_names(types: Sequence[str]) -> dict[str, str]:
    """The codebook's spelling of each of the rules' types (klage, ønske, ros) it has (see :data:`TYPE_NAMES`):
    an exact name first, then a name as a word of the type, then a type ending in a name; each codebook type
    stands for one rule type at most. A rule type the codebook has no name for is left out."""
    tests = (lambda ty, n: ty == n, lambda ty, n: n in _TYPE_WORD.findall(ty),
             lambda ty, n: " " not in n and len(ty) > len(n) and ty.endswith(n))
    out: dict[str, str] = {}
    for test in tests:
        for label, names in TYPE_NAMES.items():
            if label in out:
                continue
            for ty in types:
                if ty not in out.values() and any(test(ty.casefold(), n) for n in names):
                    out[label] = ty
                    break
    return out


class TypeRules:
    """Zero-shot type: praise cues without complaint → ros; wish cues → ønske; otherwise klage (the commonest type
    of comments without any cue: 937 of the 1,681 such labelled comments in data/train, ønske 389, ros 355). A complaint
    denied ("ingenting å klage på", "ingen problemer") counts as praise, not as its complaint words; praise
    followed by "men" and a complaint or wish ("Flinke folk, men lang ventetid") is decided by what follows, and
    praise tied with a sentence that complains of a concrete failure ("Bra at man ikke trenger å møte opp. Nettsiden
    fungerer ikke") by that sentence. Ironic praise ("Super at ingen svarer", "Flott at det tar tre uker å få svar")
    is a complaint."""

    labels = ("klage", "ønske", "ros")

    @staticmethod
    def _counts(text: str) -> tuple[float, float, float]:
        low = " ".join(str(text or "").lower().split())
        ros, wish, neg, negpraise = cue_features([_NO_NEED.sub(" ", low)])[0]  # "ingen trenger å": no wish, klage
        trained, ironic = _trained_praise(low), _ironic(low)
        praise, wished = _rule_praise_count(low, trained, ironic)
        ros, wish = ros - 2 * negpraise + praise, wish + _uncued_wishes(low, wished)
        negated = _rule_negated_praise(low, trained)  # "langt fra bra": the praise cue is a complaint
        ros, neg = ros - negated, neg + negated
        nn_ros, nn_wish, nn_neg = _rule_cue_counts(low, ironic)
        ros, wish, neg = ros + nn_ros, max(0.0, wish + nn_wish - _duration_wishes(low)), neg + nn_neg
        denied = _DENIED_COMPLAINT.findall(low)
        if denied:  # its own complaint cues ("ingen", "ikke", "problem", "klage") do not count against it
            ros += 2 * len(denied)
            neg = max(0.0, neg - sum(float(cue_features([d])[0][2]) for d in denied))
        return ros, wish, neg + len(ironic)  # ironic praise complains beyond its cues

    @staticmethod
    def _decide(ros: float, wish: float, neg: float) -> str:
        if ros > 0 and ros >= neg + wish:
            return "ros"
        if wish > 0 and wish >= 0.5 * neg:
            return "ønske"
        return "klage"

    @classmethod
    def _failure_sentence(cls, low: str) -> bool:
        """A sentence of ``low`` with a concrete failure (:data:`_IRONY_COMPLAINT`: "Nettsiden fungerer ikke") or a
        long wait (:func:`_long_wait`: "Ventet flere uker på svar") that its own cues type klage; a failure not
        negated, conceded or conditional just before it ("aldri opplevd at ingen svarer", "selv om nettsiden ikke
        fungerte", "Hvis ...", "Det hender ...", "Tidligere ..."), not "... ikke alltid", "... ikke bare"; in no
        "men" sentence, none with praise cues or :data:`_COUNTERFACTUAL`."""
        def failure(s: str, m: re.Match) -> bool:
            before = _before(s, m.start())
            return not (_NEGATED_BEFORE.search(before) or _CONCEDED.search(before) or _ALWAYS.match(s, m.end()))

        def complains(s: str) -> bool:
            ros, wish, neg = cls._counts(s)
            return ros <= 0 and cls._decide(ros, wish, neg) == "klage"
        return any(not (_BUT.search(s) or _COUNTERFACTUAL.search(s)) and (any(
            failure(s, m) for m in _IRONY_COMPLAINT.finditer(s)) or _long_wait(s)) and complains(s)
            for s in _SENTENCE_END.split(low))

    def predict(self, texts: Sequence[str]) -> list[str]:
        out = []
        for t in texts:
            low = " ".join(str(t or "").lower().split())
            parts = _BUT.split(low)
            tail = parts[-1] if len(parts) > 1 else ""
            ros, wish, neg = self._counts(low)
            whole = self._decide(ros, wish, neg)
            tail_counts = self._counts(tail) if whole == "ros" and tail.strip() else ()
            if any(tail_counts):
                whole = self._decide(*tail_counts)
            elif whole == "ros" and ros == neg + wish and self._failure_sentence(low):
                whole = "klage"  # a tie: the concrete failure, the actionable part, wins
            out.append(whole)
        return out


class TypeClassifier:
    """Multinomial logistic regression on [embedding ⊕ hashed lemmas ⊕ cue counts]."""

    def __init__(self, C: float = 4.0, seed: int = 42):
        self.C = C
        self.seed = seed
        self.classes_: np.ndarray | None = None
        self.coef_: np.ndarray | None = None
        self.intercept_: np.ndarray | None = None

    @staticmethod
    def features(emb: np.ndarray, hashed: sp.csr_matrix, texts: Sequence[str],
                 cues: np.ndarray | None = None) -> sp.csr_matrix:
        """``cues``: :func:`cue_features` of ``texts`` when already computed."""
        cues = np.log1p(cue_features(texts) if cues is None else cues)
        return sp.hstack([sp.csr_matrix(emb * 3.0), hashed, sp.csr_matrix(cues)], format="csr")

    def fit(self, X: sp.csr_matrix, y: Sequence[str]) -> TypeClassifier:
        y = np.asarray(y, dtype=object)
        classes = sorted(set(y.tolist()))
        if len(classes) < 2:
            self.classes_ = np.array(classes, dtype=object)
            self.coef_ = np.zeros((1, X.shape[1]))
            self.intercept_ = np.zeros(1)
            return self
        from sklearn.linear_model import LogisticRegression  # training only (keeps it off the serving path)

        lr = LogisticRegression(C=self.C, max_iter=2000, class_weight="balanced", random_state=self.seed)
        lr.fit(X, y)
        self.classes_ = lr.classes_
        self.coef_, self.intercept_ = lr.coef_, lr.intercept_
        return self

    def predict_proba(self, X: sp.csr_matrix) -> np.ndarray:
        if self.classes_ is None:
            raise RuntimeError("TypeClassifier is not fitted")
        if len(self.classes_) < 2:
            return np.ones((X.shape[0], 1))
        z = np.asarray(X @ self.coef_.T) + self.intercept_
        if z.shape[1] == 1:  # binary
            p1 = 1 / (1 + np.exp(-z[:, 0]))
            return np.column_stack([1 - p1, p1])
        z -= z.max(1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(1, keepdims=True)

    def predict(self, X: sp.csr_matrix) -> list[str]:
        p = self.predict_proba(X)
        return [str(self.classes_[j]) for j in p.argmax(1)]

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {"type_coef": np.asarray(self.coef_, dtype=np.float32),
                "type_intercept": np.asarray(self.intercept_, dtype=np.float32)}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], classes: Sequence[str]) -> TypeClassifier:
        obj = cls()
        obj.classes_ = np.array(list(classes), dtype=object)
        obj.coef_ = np.asarray(arrays["type_coef"], dtype=np.float64)
        obj.intercept_ = np.asarray(arrays["type_intercept"], dtype=np.float64)
        return obj
