"""Flag comments that hold special-category data: health and the other GDPR art. 9/10 categories.

The flag keeps the name ``health_flag`` (other tools read that column), but covers all special categories. A comment
is flagged (category ``helse``) when it names a diagnosis, treatment or condition (``health_terms.tsv``), a
statement about a person's health (``health_terms_person.tsv``: "tok livet sitt", "er HIV-positiv", "bruker
rullestol", "er ufør") or a sick-leave/injury word tied to a body part ("sykmeldt pga. ryggen", "hun har vondt i
kneet"; ``health_body_parts.txt``). Sick leave alone ("Den ansatte er sykmeldt") is the employer survey's topic, not a
health detail, and is not flagged; the writer's own sick leave or disability benefits ("jeg har vært sykmeldt i ett
år", "eg er sjukmeld", dialect "eg va/e sjukmeld", "min sykmelding", "legen sykmeldte meg", "eg er uføretrygda",
English "I was on sick leave", "I'm on disability benefits"; with the verb first: "Etter fødselen ble jeg sykmeldt";
after another verb: "Jeg driver alene og har vært sykmeldt"; AAP: "jeg er på AAP", "jeg går på
arbeidsavklaringspenger") is health data about the one who writes and is flagged, and so are sick leave, AAP and
disability of one person a reader could single out ("styreren er sykmeldt", "rådmannen i Røst kommune er sykmeldt",
"ordføraren er sjukmeld", "min kollega er på AAP", a name) and a
benefit granted or refused to one person ("ansatt har fått innvilget AAP")
(``health_terms_person.tsv``; "vi" is the employer's voice and stays out, as does staff: "one of our employees was
on sick leave"). ``special_terms_person.tsv`` adds religion, sexuality, ethnic origin, political opinion,
trade-union membership and criminal offences, said of a person ("hun er muslim", "han er homofil", "han sitter i
fengsel", "hun er medlem av Fagforbundet", "han er tillitsvalgt", "han stemte Frp", elected office for a party:
"sitter i kommunestyret for Ap", "medlem av bystyret for Ap"; a person may be named: "Kari er kristen", or the
redactor's "[NAVN] er kristen", which quotes re-check; in dialect: "ho e muslim", "æ va straffedømt"; the writer in
English: "I am a Muslim", "I was convicted"); institutions alone ("tariffavtale med Fagforbundet",
"Kirkens Bymisjon", "politikerne", "kriminalomsorgen") are not flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .redact import SUBJECT_NOUN_NAMES, SUBJECT_VERBS, NameLists
from .wordlists import read_list, read_list_optional, read_table, read_table_optional

_TOKEN = re.compile(r"[^\W\d_][\w-]*")
# A sick-leave or injury word, up to five words of the same sentence, a link word, then a body part ("sykmeldt pga.
# ryggen", "sykmelding i 8 uker for vondt i ryggen", "brakk armen"); away from work "med" a body part ("borte med
# ryggen"); pain with a person as subject ("hun har vondt i kneet"). The body part alone ("har NAV i ryggen"), sick
# leave alone ("er sykmeldt") and pain in general ("folk får vondt i skuldrene", "vondt i ryggen = 100 %") are not.
_CAUSE = r"(?:sykmeld\w*|sjukmeld\w*|sykemeld\w*|skadet|skada|skadd|brukket|brakk|knekt|knakk)"
_AWAY = r"borte(?:\s+[^\s.!?;]+){0,4}?\s+med\s+"  # "borte et helt år med rygg" (not "borte fra jobben i hodet")
_PERSON_PAIN = r"(?:han|hun|ho|jeg|eg)\s+(?:har|hadde|fikk|fekk|har\s+fått|har\s+hatt)\s+(?:\w+\s+)?vondt\s+i"
_LINK = r"(?:(?:pga\.?|på\s+grunn\s+av|grunnet|grunna|i|med|for|etter|på)\s+)?"
_BODY_DET = r"(?:(?:min|mi|mitt|mine|sin|si|sitt|sine|hans|hennes|den|det|de|høyre|venstre|begge|ene)\s+)*"

# {er}'s dialect copulas: those of {vere} but "gikk"/"går" ("ho e muslim", "æ va straffedømt", "eg he vore i LO").
_BE_DIALECT = (r"e|æ|va|bi|(?:har|hadde|he|ha|hadd)\s+(?:vært|vore|vori|vorre|vorri|vørri|blitt|vorte|vorti)"
               r"|(?:e|æ)\s+blitt")
_BE = (r"(?:er|var|ble|blei|vart|blir|vert|blitt|har\s+vært|har\s+vore|har\s+blitt|er\s+blitt|vil\s+være|"
       + _BE_DIALECT + ")")
# Dialect "i" (as {jeg}: "i e medlem") is a {person} only before a copula: elsewhere it is the preposition.
_I_BE = r"i(?=\s+(?:er|e|æ|var|va|ble|blei|bi|vart|har|hadde|he|ha|hadd)\s)"
# Placeholders in the word lists' regex rows. {person}: one person as subject ("han", "ho", "den ansatte", "en ny
# kollega", "kollegaen min", "en av de ansatte", the writer: "jeg", "eg", dialect "æ", "je", "jæ", "i" before a
# copula; optionally "..., som også"); "vi", "de", "det", plurals and institutions are not persons here. {noun}: a
# singular person noun ("ansatt", "kollegaen"). {er}: a copula ("er", "ble", "vart", "har vært", dialect "e", "va",
# "he vore"). {adv}: words that may stand between the copula and the attribute ("ikke", "en", "praktiserende").
_PERSON_NOUN = (
    r"(?:(?:ansatt|tilsett|kollega|medarbeider|medarbeidar|arbeidstaker|arbeidstakar|lærling|vikar|kandidat|"
    r"deltaker|deltakar|søker|søkar|praktikant|leder|leiar|sjef|mann|kvinne|dame|jente|gutt|sønn|datter|far|mor|"
    r"bror|søster|syster|ektefelle|ektemann|samboer|sambuar|person|nyansatt|nytilsett|fagarbeider|fagarbeidar|"
    r"sykepleier|sjukepleiar|assistent|lærer|lærar|sjåfør|elev|student)(?:en|a|et|n)?|kona|kvinna|dotra)"
)
# A named person: "[navn]" (the redactor's placeholder, or a capitalised first name: ``NameWords.mark``), after a
# person noun too ("kollegaen vår Kari").
_NAME = r"\[navn\](?:\s+\[navn\])*"
_PERSON = (
    r"(?:(?:" + _NAME + r"|\b(?:han|hun|ho|jeg|eg|æ|je|jæ|" + _I_BE + r"|vedkommende|vedkomande"
    r"|(?:den|denne|vår|min|mi|hans|hennes|hennar)\s+(?:[\w-]+\s+)?"
    r"(?:ansatte|tilsette|sykmeldte|sjukmelde|sykemeldte|nyansatte|nytilsette)"
    r"|(?:en|ein|ei)\s+av\s+(?:de|dei|våre|mine|hans|hennes|hennar)\s+(?:[\w-]+\s+)?[\w-]+"
    r"|(?:(?:den|denne|vår|vårt|min|mi|mitt|en|ein|ei|et|eit|hans|hennes|hennar)\s+(?:[\w-]+\s+)?)?" + _PERSON_NOUN
    + r"(?:\s+(?:min|mi|mitt|vår|vårt|hans|hennes|hennar|sin|si))?)(?:,?\s+" + _NAME + r",?)?)"
    r"(?:,?\s+som)?(?:\s+(?:også|og|ogso|ikke|ikkje|nok|vel|jo|visst|faktisk|selv|sjølv|sjøl))*)"
)
# A run of capitalised words ("Kari Hansen", "NAV", "Han"): ``NameWords.mark`` picks the names in it.
_CAPITALISED = re.compile(r"(?<![\w\[-])[^\W\d_a-zæøåäöüé][\w-]*(?:[ \t]+[^\W\d_a-zæøåäöüé][\w-]*)*")
_CAPITAL_WORD = re.compile(r"(?<![\w\[-])[^\W\d_a-zæøåäöüé][\w-]*")
_NEXT_WORD = re.compile(r"[ \t]+([^\W\d_]+)")
_SENTENCE_ENDS = frozenset('.!?:;"«(')
_ADV = (
    r"(?:[\w-]+(?:,|\s+og|\s+eller)\s+){0,3}"  # "er muslim, homofil og ..."
    r"(?:(?:ikke|ikkje|også|og|veldig|svært|sterkt|aktiv|aktivt|praktiserende|praktiserande|troende|truande|streng|"
    r"strengt|åpent|ope|åpenlyst|openlyst|nok|vel|jo|visst|faktisk|tidligere|tidlegare|en|ein|ei|et|eit)\s+)*"
)
# The writer as subject, for own-health rows. {jeg}: "jeg", nynorsk "eg" and the dialect forms "æ", "je", "jæ",
# "i" (not "i går": yesterday), then adverbs ("eg også", "jeg nå"). {vere}: a copula in bokmål, nynorsk or dialect
# ("er", "e", "æ", "va", "har vært", "har vore", "he vorre", "gikk"), then adverbs ("har vore heilt", "er 50 %").
# "ikke" is not an adverb here: "jeg er ikke sykmeldt" says nothing about the writer's health.
_OWN_ADV = (
    r"(?:(?:selv|sjølv|sjøl|sjæl|også|og|òg|nå|no|nu|da|då|nettopp|akkurat|snart|lenge|fortsatt|framleis|fremdeles|"
    r"fortsett|enno|ennå|enda|igjen|att|delvis|helt|heilt|fullt|gradert|\d{1,3}\s?%|\d{1,3}\s+prosent)\s+)*"
)
_JEG = r"\b(?:jeg|eg|æ|je|jæ|i(?!\s+går\b))\s+" + _OWN_ADV
_VERE = (
    r"(?:(?:er|e|æ|var|va|ble|blei|bi|vart|blir|vert|gikk|gjekk|gjikk|går)\s+" + _OWN_ADV
    + r"|(?:har|hadde|he|ha|hadd)\s+" + _OWN_ADV
    + r"(?:vært|vore|vori|vorre|vorri|vørri|blitt|vorte|vorti|gått)\s+" + _OWN_ADV + ")"
)
# {vere_jeg}: the copula first, then the writer ("ble jeg", "har jeg selv vært", "var eg", "e æ"), as after a
# fronted word ("Etter fødselen ble jeg sykmeldt", "Som eneste ansatt har jeg vært sykmeldt"); "er jeg ikke" is not.
# {own_adv}: the adverbs that may stand there ("nå", "fortsatt", "50 %").
_VERE_JEG = (
    r"\b(?:(?:er|e|æ|var|va|ble|blei|bi|vart|blir|vert|gikk|gjekk|gjikk|går)\s+(?:jeg|eg|æ|je|jæ)\s+" + _OWN_ADV
    + r"|(?:har|hadde|he|ha|hadd)\s+(?:jeg|eg|æ|je|jæ)\s+" + _OWN_ADV
    + r"(?:vært|vore|vori|vorre|vorri|vørri|blitt|vorte|vorti|gått)\s+" + _OWN_ADV + ")"
)
# A role there is one of in a municipality or at an employer, bokmål and nynorsk ("rådmannen", "kommunedirektøren",
# "ordføraren", "daglig leder", "styreleiar", "rektor", "eieren", "sjefen", "lederen", "enhetslederen"), not after an
# indefinite article ("en enhetsleder": one of several); then where ("i Røst kommune", "ved skolen", "av butikken":
# two words at most, not "for de som" or "i dei").
_ROLE = (
    r"(?<!\ben\s)(?<!\bein\s)(?<!\bei\s)(?<!\bet\s)(?<!\beit\s)"
    r"(?:styrer(?:en)?|styrar(?:en)?|rektor(?:en)?|daglig\s+leder(?:en)?|dagleg\s+leiar(?:en)?|eier(?:en)?"
    r"|eigar(?:en)?|innehaver(?:en)?|innehavar(?:en)?|(?:fylkes)?rådmann(?:en)?|(?:fylkes)?kommunedirektør(?:en)?"
    r"|(?:vara|fylkes)?ordfør(?:er|ar)(?:en)?|styreleder(?:en)?|styreleiar(?:en)?|enhetsleder(?:en)?"
    r"|einingsleiar(?:en)?|administrerende\s+direktør(?:en)?|administrerande\s+direktør(?:en)?|direktøren"
    r"|konsernsjef(?:en)?|sjefen|lederen|leiaren)"
    r"(?:\s+(?:i|på|ved|av)(?:\s+(?!(?:de|dei|dem|som|han|hun|ho|meg|oss|seg|deg)\b)[\w-]+){1,2}?)?"
)
# {single}: one person the reader could single out: a name ("[navn]", a capitalised first name), a role there is
# one of (``_ROLE``: "styreren", "rådmannen i Røst kommune", "vår eneste ansatte") or the writer's own colleague or
# boss ("min kollega", "sjefen min"); not "den ansatte" or "en ansatt" (the survey's everyday talk about staff).
_SINGLE = (
    r"(?:" + _NAME + r"|\b(?:(?:vår|vårt|min|mi|den|denne)\s+)?(?:eneste|einaste)\s+"
    r"(?:ansatte|ansatt|tilsette|tilsett|medarbeider(?:en)?|medarbeidar(?:en)?|kollega(?:en)?)"
    r"|\b(?:" + _ROLE
    + r"|(?:min|mi|vår)\s+(?:kollega|sjef|leder|leiar|nærmeste\s+leder|næraste\s+leiar)"
    r"|(?:kollega|sjef|leder|leiar)(?:en)?\s+(?:min|mi|vår))(?:,?\s+" + _NAME + r",?)?)"
)
# {i_am}: English "I am", "I'm", "I was", "I have been", "I've been", "I went", "I ended up" and the like, then
# adverbs ("I was still", "I've been 50 %").
_EN_ADV = (r"(?:(?:also|still|now|then|currently|already|just|recently|partly|partially|fully|again|actually|myself|"
           r"\d{1,3}\s?%|\d{1,3}\s+percent)\s+)*")
_I_AM = (
    r"(?:\bi(?:\s+(?:have|had)|['’]ve|['’]d)\s+" + _EN_ADV + r"been|\bive\s+been|\bi['’]ll\s+be"
    r"|\bi\s+(?:am|was|will\s+be|went|became|ended\s+up)|\bi['’]m|\bim)\s+" + _EN_ADV
)
# {relative}: a relative of the writer ("mor mi", "min mor", "far min", "sønnen vår", "kona mi", "foreldra mine",
# bare "mamma", "mor", "bestefar"), maybe named or aged ("mor mi (86)", "sonen vår på 12 år").
_RELATIVE_NOUN = (
    r"(?:mor|mora|moren|far|faren|mamma|mammaen|pappa|pappaen|sønn|sønnen|son|sonen|datter|datteren|dattera|dotter|"
    r"dottera|barn|barnet|barna|barnebarn|barnebarnet|bror|broren|søster|søsteren|søstera|syster|systera|søsken|"
    r"søsknene|ektefelle|ektefellen|ektemann|ektemannen|kone|kona|konen|mann|mannen|samboer|samboeren|sambuar|"
    r"sambuaren|svigermor|svigermora|svigermoren|svigerfar|svigerfaren|svigerforeldre|svigerforeldrene|foreldre|"
    r"foreldrene|foreldra|bestemor|bestemora|bestemoren|bestefar|bestefaren|besteforeldre|besteforeldrene|farmor|"
    r"farfar|mormor|morfar|oldemor|oldefar|onkel|onkelen|tante|tanta|tanten|gutten|guten|jenta|jenten|ungen|ungane|"
    r"ungene)"
)
_RELATIVE_OWNER = r"(?:min|mi|mitt|mine|vår|vårt|våre)"
_RELATIVE_WORDS = (
    r"(?:" + _RELATIVE_OWNER + r"\s+" + _RELATIVE_NOUN + r"|" + _RELATIVE_NOUN + r"\s+" + _RELATIVE_OWNER
    + r"|mamma|pappa|mor|far|bestemor|bestefar|farmor|farfar|mormor|morfar)(?![\w-])"
    r"(?:,?\s+" + _NAME + r",?|\s+på\s+\d{1,3}(?:\s+år)?|\s*\(\d{1,3}\))?"
)
_RELATIVE = r"\b" + _RELATIVE_WORDS
# Care a person receives: home nursing, home help, personal assistance (BPA), care benefits, a safety alarm, a
# support contact, a nursing home ("hjemmesykepleie", "heimetenesta", "BPA-vedtak", "pleiepengar", "sjukeheimen");
# not those who work there ("hjemmesykepleieren", "sykehjemsleder") nor the plural a service provider speaks of
# ("støttekontakter"), nor the writer's supportive contact with people at work ("jeg har støttekontakt med de
# ansatte", an employer). A support contact someone gets or a relative has is care whatever follows ("jeg har fått
# støttekontakt med tilsette i kommunen", "sønnen min har støttekontakt med NAV sin hjelp"), and so is one with a
# team or service ("med teamet på dagsenteret") or one that helps the writer ("… som følger meg opp").
_WORK_CONTACT = (r"\s+med\s+(?:(?:de|dei|den|det|alle|våre|vår|vårt|mine|min|mi|sine|sin|hver|kvar|enkelte"
                 r"|hver\s+enkelt)\s+)*(?:ansatt\w*|tilsett\w*|arbeidstaker\w*|arbeidstakar\w*"
                 r"|medarbeider\w*|medarbeidar\w*|kolleg\w*|leder\w*|leiar\w*|ledelse\w*|leiing\w*|sjef\w*"
                 r"|sykmeldt\w*|sjukmeld\w*|arbeidsgiver\w*|arbeidsgjevar\w*|hverandre|kvarandre)\b"
                 r"(?![^.!?;\n]*\b(?:meg|meh|mæ)\b)")
# The writer's plain "har/hadde støttekontakt med de ansatte": not care (see _WORK_CONTACT); "fått"/"får" is.
_NOT_WORK_CONTACT = (r"(?!(?:har|hadde|he)\s+" + r"(?:(?:ofte|god|godt|jevnlig|jamleg|tett|mye|mykje|en|ein)\s+)*"
                     r"støttekontakt" + _WORK_CONTACT + r")")
_CARE_HOME = r"(?:(?:sykehjem|sjukeheim|sykeheim)(?:splass|splassen|met|men|en)?|omsorgs(?:bolig|bustad)(?:en|a)?)"
_CARE = (
    r"(?:(?:hjemme|heime)(?:syke|sjuke|syk|sjuk)pleie(?:n|a)?|(?:hjemmetjenest|heimetenest)(?:e|en|a|er|ene|ane|ar)"
    r"|(?:hjemme|heime)hjelp(?:en|a)?|bpa(?:-(?:ordning|vedtak|timar|timer|assistent|assistanse)\w*)?"
    r"|(?:brukerstyrt|brukarstyrt)\s+(?:personlig|personleg)\s+assist(?:anse|ansen|anen|ent|enter|entar)"
    r"|omsorgs(?:stønad|løn|lønn)(?:en|a)?|(?:trygghets|tryggleiks)alarm(?:en)?"
    r"|støttekontakt(?:en)?"
    r"|pleiepeng(?:er|ar|ene|ane)|" + _CARE_HOME + r")(?![\w-])"
)
_CARE_ADV = (r"(?:(?:ikke|ikkje|veldig|svært|godt|heilt|helt|ganske|så|også|og|òg|nå|no|fortsatt|framleis|endelig|"
             r"endeleg|heldigvis|dessverre|allerede|alt|akkurat|nettopp|snart|daglig|dagleg)\s+)*")
# between the verb and the care: "innvilget", "vedtak om", "hjelp fra", "(fast) plass på", an article
_CARE_OBJ = (r"(?:(?:innvilg(?:et|a)|tildelt|vedtak\s+om|tilbud\s+om|tilbod\s+om|(?:hjelp|hjelpa|besøk|tilsyn)"
             r"\s+(?:fra|frå|av)|(?:(?:en|ein|fast)\s+)?plass\s+(?:på|i)|en|ein|ei|et|eit|den|det)\s+)*")
_CARE_VERB = (
    r"(?:får|fær|fikk|fekk|(?:har|hadde)\s+" + _CARE_ADV + r"(?:fått|fenge|mottatt)|har|hadde|he|ha|mottar|mottek|"
    r"mottok|tar\s+imot|tek\s+imot|tok\s+imot|bruker|brukar|brukte|trenger|treng|trengte|trong|"
    r"(?:er|var|e|va)\s+" + _CARE_ADV + r"(?:fornøyd|nøgd|misfornøyd|misnøgd|skuffet|skuffa)\s+med)\s+"
)
_CARE_LIVES = (r"(?:bor|bur|bodde|budde|har\s+bodd|har\s+budd|flyttet|flytta|har\s+flyttet|har\s+flytta|ligger|ligg"
               r"|lå|låg|er|var|e|va)\s+" + _CARE_ADV + r"(?:inn\s+)?(?:på|i|til)\s+")
_WRITER = r"\b(?:jeg|eg|æ|je|jæ)\s+"
# The writer's or a relative's care is health data about a person ("far min får hjemmesykepleie", "mor mi er nøgd med
# heimetenesta", "sønnen vår har fått BPA", "eg har fått innvilga BPA", "mor mi bur på sjukeheim", "no får mor mi
# heimesjukepleie", "heimetenesta til far"); the service itself ("Hjemmesykepleien i kommunen er bra", "kommunen
# tilbyr BPA") and work there ("jeg jobber i hjemmesykepleien", "mannen min jobbar i heimetenesta") are not.
_CARE_RULE = (
    r"(?:" + _WRITER + _CARE_ADV + _NOT_WORK_CONTACT + r"|" + _RELATIVE + r"\s+" + _CARE_ADV + r")" + _CARE_VERB
    + _CARE_ADV + _CARE_OBJ
    + r"\b" + _CARE
    + r"|" + _RELATIVE + r"\s+" + _CARE_ADV + _CARE_LIVES + r"(?:en\s+|ein\s+|et\s+|eit\s+)?\b" + _CARE_HOME
    + r"(?![\w-])"
    + r"|\b(?!(?:har|hadde)\s+(?:jeg|eg|æ)\s+" + _CARE_ADV + r"støttekontakt" + _WORK_CONTACT + r")"
    + r"(?:får|fær|fikk|fekk|har|hadde|mottar|bruker|brukar)\s+(?:jeg|eg|æ|" + _RELATIVE_WORDS + r")\s+"
    + _CARE_ADV + r"(?:(?:fått|fenge|mottatt)\s+" + _CARE_ADV + r")?" + _CARE_OBJ + r"\b" + _CARE
    + r"|" + _RELATIVE + r"\s+(?:sin|si|sitt|sine)\s+\b" + _CARE
    + r"|\b" + _CARE + r"\s+(?:til|åt)\s+" + _RELATIVE
)

_CARE_RE = re.compile(_CARE_RULE)
_CARE_WORD_RE = re.compile(r"\b" + _CARE)  # every branch of the rule holds a care word: a cheap gate before it

_PLACEHOLDERS = {"{person}": _PERSON, "{noun}": _PERSON_NOUN, "{er}": _BE, "{adv}": _ADV, "{jeg}": _JEG,
                 "{vere_jeg}": _VERE_JEG, "{vere}": _VERE, "{own_adv}": _OWN_ADV, "{single}": _SINGLE, "{i_am}": _I_AM,
                 "{relative}": _RELATIVE}
_NAMED_PLACEHOLDERS = ("{person}", "{single}")  # rows that run on the text with names as "[navn]"
_SPECIAL_MODES = ("contains", "prefix", "exact", "phrase", "regex")


def _cause_pattern(body_parts: list[str]) -> str | None:
    """The sick-leave/injury word (or a person's pain) + body part rule over the lower-cased text (``_CAUSE``)."""
    if not body_parts:
        return None
    body = "|".join(re.escape(b.lower()) for b in sorted(body_parts, key=len, reverse=True))
    return rf"\b(?:{_CAUSE}(?:\s+[^\s.!?;]+){{0,5}}?\s+{_LINK}|{_AWAY}|{_PERSON_PAIN}\s+){_BODY_DET}(?:{body})(?![\w-])"


def _expand(regex: str) -> str:
    """A word list's regex row with the placeholders (``{person}``, ``{noun}``, ``{er}``, ``{adv}``, ``{jeg}``,
    ``{vere}``, ``{vere_jeg}``, ``{own_adv}``, ``{single}``, ``{i_am}``) filled in."""
    for name, value in _PLACEHOLDERS.items():
        regex = regex.replace(name, value)
    return regex


@dataclass(frozen=True)
class SpecialRule:
    """One ``special_terms_person.tsv`` row: a regex over the lower-cased text, its category and its trigger words
    (word starts one of which every match holds, or whole words when they end in "$"; the rule is only tried on
    texts that have one; none = always)."""

    category: str
    pattern: re.Pattern
    triggers: tuple[str, ...] = ()
    named: bool = False  # a {person} row: run on the text with names as "[navn]"


def _special_rule(row: list[str], row_no: int) -> SpecialRule:
    """The rule for one ``special_terms_person.tsv`` row (term, mode, category, triggers)."""
    where = f"special_terms_person.tsv data row {row_no} ({row[0]!r})"
    if len(row) < 3 or not row[2]:
        raise ValueError(f"{where}: expected the columns term, mode, category[, triggers]; got {len(row)} column(s)")
    term, mode, category = row[0], row[1], row[2]
    triggers = tuple(t.strip().lower() for t in row[3].split(",") if t.strip()) if len(row) > 3 else ()
    low = term.lower()
    if mode == "contains":  # a literal: searched fast on every text
        return SpecialRule(category, re.compile(re.escape(low)))
    first = re.match(r"[^\W\d_]+", low)  # prefix/exact/phrase rows start with this word (none: always tried)
    words = (first.group(0),) if first else ()
    if mode == "prefix":
        return SpecialRule(category, re.compile(r"(?<![\w-])" + re.escape(low)), triggers or words)
    if mode == "exact":
        return SpecialRule(category, re.compile(r"(?<![\w-])" + re.escape(low) + r"(?![\w-])"), triggers or words)
    if mode == "phrase":
        return SpecialRule(category, re.compile(r"\b" + re.escape(low).replace(r"\ ", r"\s+")), triggers or words)
    if mode == "regex":
        try:
            named = any(p in term for p in _NAMED_PLACEHOLDERS)
            return SpecialRule(category, re.compile(_expand(term)), triggers, named=named)
        except re.error as exc:
            raise ValueError(f"{where}: column 1 is not a valid regular expression: {exc}") from None
    raise ValueError(f"{where}: mode in column 2 must be one of {', '.join(_SPECIAL_MODES)}, got {mode!r}")


def _special_rules(directory: Path | None) -> tuple[SpecialRule, ...]:
    """The rules of ``special_terms_person.tsv`` (none when a custom word-list folder lacks it)."""
    return tuple(_special_rule(row, i)
                 for i, row in enumerate(read_table_optional("special_terms_person.tsv", directory), start=1))


def _trie_regex(words: set[str]) -> str:
    """One regex for a set of words, prefixes shared (``alt|alle`` -> ``al(?:le|t)``): fast to scan for."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        alts = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        group = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{group})?" if "" in node else group

    return emit(trie)


def _sentence_start(text: str, pos: int) -> bool:
    """Whether ``pos`` starts the text or a sentence (after ".", "!", "?", ":", ";", a quote or a bracket)."""
    before = text[:pos].rstrip()
    return not before or before[-1] in _SENTENCE_ENDS


def _subject_of(low: str, after: str) -> bool:
    """Whether the word after a one-word name (``after``: the text that follows) is a finite verb that makes the
    name its subject (the redactor's ``SUBJECT_VERBS``, not for ``SUBJECT_NOUN_NAMES``: "Liv er viktig")."""
    m = _NEXT_WORD.match(after)
    return m is not None and m.group(1).lower() in SUBJECT_VERBS and low not in SUBJECT_NOUN_NAMES


@dataclass(frozen=True)
class NameWords:
    """First names (Faker ``no_NO`` + ``name_first_no.txt``, as the redactor's ``NameLists``), surnames, names that
    are also ordinary words (``name_ambiguous.txt``) and capitalised words that are never names
    (``name_blocklist.txt``): enough to tell "Kari er muslim" from "Kunden er ateist"."""

    first: frozenset[str]
    last: frozenset[str] = frozenset()
    ambiguous: frozenset[str] = frozenset()
    blocked: frozenset[str] = frozenset()

    @classmethod
    def from_wordlists(cls, directory: Path | None = None) -> "NameWords":
        """The redactor's name lists (``NameLists``; a missing list counts as empty), surnames of
        ``name_last_no.txt`` included."""
        names = NameLists.from_wordlists(directory, required=False)
        return cls(first=names.first, last=names.last | names.last_extra, ambiguous=names.ambiguous,
                   blocked=names.blocked)

    def may_hold_name(self, text: str) -> bool:
        """A quick pre-check for ``mark``: a capitalised word that is a first name (or has a hyphen)."""
        return any(w.lower() in self.first or "-" in w for w in _CAPITAL_WORD.findall(text))

    def mark(self, text: str) -> str:
        """The text with each capitalised first name (and surnames right after one) as "[navn]". A sentence's first
        word counts only when it is a first name that is not also an ordinary word ("Kari er", not "Liv er",
        "Kunden er"), one followed by a surname ("Per Olsen er") or, as in the redactor, one that is the subject of
        a finite verb ("Per er", "Sam var"; not "Per i dag", "Liv er")."""
        return _CAPITALISED.sub(
            lambda m: self._mark_run(m.group(0), _sentence_start(text, m.start()), text[m.end() : m.end() + 20]), text)

    def _mark_run(self, run: str, sentence_start: bool, after: str = "") -> str:
        out, after_name, words = [], False, re.split(r"([ \t]+)", run)
        for i, word in enumerate(words):
            if i % 2:
                out.append(word)
                continue
            low = word.lower()
            if not word[0].isupper() or word in self.blocked:
                name = False
            elif after_name:
                name = low in self.first or low in self.last
            else:
                name = self._is_first(low) and not (i == 0 and sentence_start and low in self.ambiguous
                                                    and not self._surname_follows(words)
                                                    and not (len(words) == 1 and _subject_of(low, after)))
            out.append("[navn]" if name else word)
            after_name = name
        return "".join(out)

    def _surname_follows(self, words: list[str]) -> bool:
        """Whether the run's second word is a surname ("Per Olsen": a name even at the start of a sentence)."""
        return len(words) > 2 and words[2][:1].isupper() and words[2].lower() in self.last

    def _is_first(self, low: str) -> bool:
        return low in self.first or ("-" in low and all(part in self.first for part in low.split("-")))


@dataclass
class HealthFlagger:
    """``flag(text) -> bool``: special-category data (health and the other GDPR art. 9/10 categories);
    ``categories(text)`` names which. Health terms from ``health_terms.tsv`` and ``health_terms_person.tsv`` (which
    adds mode ``regex``: a regular expression over the lower-cased text); body parts from ``health_body_parts.txt``;
    exclusions (health terms only) from ``health_exclusions.txt``; the other categories (and health statements that
    need a person) from ``special_terms_person.tsv`` (term, mode, category, triggers). Regex rows may use
    ``{person}``, ``{noun}``, ``{er}``, ``{adv}``, ``{jeg}``, ``{vere}``, ``{vere_jeg}``, ``{own_adv}``, ``{single}``
    and ``{i_am}``."""

    contains: tuple[str, ...]
    prefixes: tuple[str, ...]
    exact: frozenset[str]
    exact_upper: frozenset[str]
    phrases: re.Pattern | None
    exclusions: frozenset[str]
    patterns: re.Pattern | None = None  # health_terms_person.tsv's regex rows and the body-part rule
    special: tuple[SpecialRule, ...] = ()  # special_terms_person.tsv
    names: "NameWords | None" = None  # capitalised first names count as a {person} ("Kari er muslim")

    @classmethod
    def from_wordlists(cls, directory: Path | None = None) -> "HealthFlagger":
        contains, prefixes, exact, upper, phrases, regexes = [], [], set(), set(), [], []
        rows = read_table("health_terms.tsv", directory) + read_table_optional("health_terms_person.tsv", directory)
        for row in rows:
            if len(row) < 2:
                continue
            term, mode = row[0], row[1]
            if mode == "contains":
                contains.append(term.lower())
            elif mode == "prefix":
                prefixes.append(term.lower())
            elif mode == "exact":
                exact.add(term.lower())
            elif mode == "exact_upper":
                upper.add(term.upper())
            elif mode == "phrase":
                phrases.append(re.escape(term.lower()).replace(r"\ ", r"\s+"))
            elif mode == "regex":
                regexes.append(_expand(term))
        cause = _cause_pattern(read_list_optional("health_body_parts.txt", directory))
        if cause is not None:
            regexes.append(cause)
        regexes.append(_CARE_RULE)  # the writer's or a relative's care
        return cls(
            contains=tuple(contains),
            prefixes=tuple(prefixes),
            exact=frozenset(exact),
            exact_upper=frozenset(upper),
            phrases=re.compile(r"\b(?:" + "|".join(phrases) + r")") if phrases else None,
            exclusions=frozenset(w.lower() for w in read_list("health_exclusions.txt", directory)),
            patterns=re.compile("|".join(f"(?:{r})" for r in regexes)) if regexes else None,
            special=_special_rules(directory),
            names=NameWords.from_wordlists(directory),
        )

    def __post_init__(self) -> None:
        self._contains_re = re.compile(_trie_regex(set(self.contains))) if self.contains else None
        starts = [re.escape(p) for p in self.prefixes] + [re.escape(e) + r"(?![\w-])" for e in self.exact]
        self._start_re = re.compile(r"(?<![\w-])(?:" + "|".join(starts) + ")") if starts else None
        self._upper_re = (
            re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, self.exact_upper)) + r")(?![\w-])")
            if self.exact_upper else None
        )
        self._always = tuple(i for i, rule in enumerate(self.special) if not rule.triggers)
        by_trigger: dict[str, set[int]] = {}
        by_word: dict[str, set[int]] = {}  # whole-word triggers ("lo$": "LO", not "lokalt")
        for i, rule in enumerate(self.special):
            for trigger in rule.triggers:
                if trigger.endswith("$"):
                    by_word.setdefault(trigger[:-1], set()).add(i)
                else:
                    by_trigger.setdefault(trigger, set()).add(i)
        # a found trigger also stands for the shorter triggers it starts with ("domfelt" -> "dom")
        self._by_trigger = {t: frozenset().union(*(rows for s, rows in by_trigger.items() if t.startswith(s)))
                            for t in by_trigger}
        # ... and so does a whole-word trigger ("lo$"); one scan finds both kinds
        self._by_word = {w: frozenset(rows).union(*(r for s, r in by_trigger.items() if w.startswith(s)))
                         for w, rows in by_word.items()}
        alternatives = ([f"({_trie_regex(set(by_word))})(?![\\w-])"] if by_word else []) + (
            [_trie_regex(set(by_trigger))] if by_trigger else [])
        self._trigger_re = re.compile(r"\b(?:" + "|".join(alternatives) + ")") if alternatives else None

    def flag(self, text: str) -> bool:
        """True when the text holds special-category data (any category of ``categories``)."""
        if not text:
            return False
        low = text.lower()
        return self._health(text, low) or bool(self._special_found(text, low, first_only=True))

    def categories(self, text: str) -> set[str]:
        """The special categories found: "helse" and those of ``special_terms_person.tsv`` ("religion",
        "seksualitet", "etnisitet", "politikk", "fagforening", "straff")."""
        if not text:
            return set()
        low = text.lower()
        found = self._special_found(text, low)
        if self._health(text, low):
            found.add("helse")
        return found

    def _candidates(self, low: str) -> list[int]:
        """Indexes of the special rules worth trying on the text: those without triggers, those whose trigger is
        there (one scan for all triggers instead of one per rule: ``flag`` runs on every comment)."""
        rows = set(self._always)
        if self._trigger_re is not None:
            for m in self._trigger_re.finditer(low):
                rows |= self._by_word[m.group(1)] if m.lastindex else self._by_trigger[m.group(0)]
        return sorted(rows)

    def _special_found(self, text: str, low: str, first_only: bool = False) -> set[str]:
        """The categories of the special rules that match (only the first one with ``first_only``); ``{person}`` rows
        run on the text with names as "[navn]" (made only when such a row is tried: ``flag`` runs on every comment)."""
        found, marked = set(), None
        for i in self._candidates(low):
            rule = self.special[i]
            if rule.named and marked is None:
                marked = self._marked(text, low)
            if rule.pattern.search(marked if rule.named else low):
                found.add(rule.category)
                if first_only:
                    break
        return found

    def _marked(self, text: str, low: str) -> str:
        """The lower-cased text with capitalised first names as "[navn]" (as the redactor writes them)."""
        if self.names is None or not self.names.may_hold_name(text):
            return low
        return self.names.mark(text).lower()

    def _health(self, text: str, low: str) -> bool:
        """The health word lists' verdict (``text`` as given, ``low`` lower-cased)."""
        if self.phrases is not None and self.phrases.search(low):
            return True
        if self.patterns is not None and self.patterns.search(low):
            return True
        if _CARE_WORD_RE.search(low):  # a named relative («far min Per får hjemmehjelp»): names as «[navn]»
            marked = self._marked(text, low)
            if marked is not low and _CARE_RE.search(marked):
                return True
        if self._upper_re is not None and self._upper_re.search(text):
            return True
        for pattern in (self._start_re, self._contains_re):
            if pattern is None:
                continue
            for m in pattern.finditer(low):
                if self._token_at(low, m.start()) not in self.exclusions:
                    return True
        return False

    @staticmethod
    def _token_at(low: str, pos: int) -> str:
        start = pos
        while start > 0 and (low[start - 1].isalnum() or low[start - 1] == "-"):
            start -= 1
        m = _TOKEN.match(low, start)
        return m.group(0) if m else ""
