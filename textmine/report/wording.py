"""The report's fixed reader-facing wording in both written standards: bokmål (``nb``) and nynorsk (``nn``).

Every fixed string of the report (HTML page, workbook, SPSS labels, charts, method notes) is written in bokmål at
its call site and looked up here for nynorsk (:func:`say`): :data:`NN` holds the pairs side by side, bokmål first.
Texts the report takes from elsewhere in bokmål (the summary's verdicts and rule texts, the pipeline's method notes)
are put into nynorsk at the report edge by :func:`nn_text` (whole phrases, never inside «…»: quoted text is the
user's). Theme labels, question wordings, segment labels and quotes come from the user's files and are never
translated."""

from __future__ import annotations

import re

import numpy as np

#: the report languages: bokmål and nynorsk
LANGUAGES = {"nb": "bokmål", "nn": "nynorsk"}
#: the document language of each (HTML ``lang``; the workbook's dc:language)
HTML_LANG = {"nb": "nb", "nn": "nn"}
WORKBOOK_LANG = {"nb": "nb-NO", "nn": "nn-NO"}


def check_language(value) -> str:
    """``value`` as a report language ("nb" or "nn"; case and spaces ignored); ValueError naming the value
    otherwise."""
    lang = str(value or "").strip().lower()
    if lang not in LANGUAGES:
        raise ValueError(f"report language: expected 'nb' (bokmål) or 'nn' (nynorsk), got {value!r}")
    return lang


def default_language(*candidates) -> str:
    """The first of ``candidates`` (e.g. the survey definition's and the codebook's ``language``) that is "nb" or
    "nn", else "nb"."""
    for c in candidates:
        lang = str(c or "").strip().lower()
        if lang in LANGUAGES:
            return lang
    return "nb"


def say(text: str, language: str = "nb", **values) -> str:
    """The fixed string ``text`` (bokmål, as written at the call site) in ``language``, with ``values`` filled in
    (``str.format``). A string without a nynorsk wording stays bokmål (the tests check that none is missing)."""
    out = NN.get(text, text) if language == "nn" else text
    return out.format(**values) if values else out


def has_wording(text: str) -> bool:
    """Whether ``text`` has a nynorsk wording in :data:`NN`."""
    return text in NN


_QUOTED = re.compile(r"(«[^«»]*»)")

#: words (lower case) that are bokmål and never nynorsk: a text of the user's (label, question) with one of them is
#: bokmål (:func:`looks_bokmal`); not words nynorsk spells the same («kommentar», «blitt», «tema», «svar»)
BOKMAL_WORDS = frozenset(
    "ikke hva hvor hvordan hvilke hvilken hvilket hvem hvis hver hvert ble uten fra noen noe mye mer antall "
    "innen siden ansatt ansatte tjeneste tjenesten tjenester tjenestene kommentarer kommentarene "
    "sykmeldt sykmeldte sykmelding sykmeldinger sykefravær sykefraværet sykepenger sykehus bedre dere deres "
    "svarene temaer temaene andelene andeler sitater tallene ønsker erfaringer henvendelser muligheter "
    "saksbehandlingen oppfølgingen navn navnet".split())
#: bokmål endings nynorsk spells otherwise (-lig: -leg, -het: -heit/-skap)
_BOKMAL_ENDING = re.compile(r"^[a-zæøå]{3,}(?:lig|lige|ligere|ligst|het|heten|heter)$")
_WORDS = re.compile(r"[A-Za-zÆØÅæøåéèòóô]+")


def looks_bokmal(text) -> bool:
    """Whether ``text`` (a label or question from the user's files) has a word that is bokmål and never nynorsk
    (:data:`BOKMAL_WORDS`, or an ending such as «-lig», «-het»): on a nynorsk page it is then marked ``lang="nb"``."""
    return any(w in BOKMAL_WORDS or _BOKMAL_ENDING.match(w) for w in (x.lower() for x in _WORDS.findall(str(text))))



def nn_text(text, language: str = "nb") -> str:
    """A text made elsewhere in bokmål (method notes, the summary's rule texts, verdicts) in ``language``: for
    nynorsk, the known phrases of :data:`NN_PHRASES` replaced outside «…» (quoted text is the user's: question
    wordings, labels), a whole known text by its :data:`NN` wording."""
    if language != "nn" or not isinstance(text, str):
        return text
    if text in NN:
        return NN[text]
    parts = _QUOTED.split(text)
    for i in range(0, len(parts), 2):  # (odd parts are «…»)
        for rx, repl in _NN_PHRASES:
            parts[i] = rx.sub(repl, parts[i])
    return "".join(parts)


def verdict(value, language: str = "nb"):
    """A verdict word of the summary («signifikant», «ingen sikker endring», «forskjell» …) in ``language``;
    anything else (None, NaN, «–») as it is."""
    if language != "nn" or not isinstance(value, str):
        return value
    return VERDICTS_NN.get(value, value)


def change_verdict(value, diff, language: str = "nb"):
    """A change's verdict in ``language`` with its direction when it is «signifikant» («signifikant økning» /
    «signifikant nedgang» by the sign of ``diff``); other verdicts as :func:`verdict`."""
    if value == "signifikant" and isinstance(diff, (int, float, np.number)) and np.isfinite(diff) and diff != 0:
        return say("signifikant økning" if diff > 0 else "signifikant nedgang", language)
    return verdict(value, language)


#: the neutral label of a small group, capitalised or not, inside an attribution too («Liten gruppe 2»)
_SMALL_LABEL = re.compile(r"\b([Ll])iten gruppe\b")


def small_group_label(text, language: str = "nb"):
    """A text with the neutral label of small groups («Liten gruppe 2», a data value the parsers read) as the page
    writes it in ``language``: nynorsk «Lita gruppe 2» (ei gruppe). Only at render time: the stored value stays."""
    if language != "nn" or not isinstance(text, str):
        return text
    return _SMALL_LABEL.sub(lambda m: ("L" if m.group(1) == "L" else "l") + "ita gruppe", text)


#: the summary's verdict words (textmine.stats / textmine.summary write them in bokmål) in nynorsk
VERDICTS_NN = {
    "signifikant": "signifikant", "tendens": "tendens", "ingen sikker endring": "inga sikker endring",
    "for få svar": "for få svar",
    "ikke testbar": "ikkje testbar", "forskjell": "skilnad",
    "ingen sikker forskjell": "ingen sikker skilnad", "økning": "auke", "nedgang": "nedgang",
}

#: bokmål → nynorsk, every fixed string of the report (keys exactly as written at the call sites; "{name}" are
#: the values :func:`say` fills in). Where a word is the same in both, the pair says so.
NN: dict[str, str] = {
    # --- the HTML page (templates/report.html)
    "fritekstrapport": "fritekstrapport",
    "Hopp til hovedinnholdet": "Hopp til hovudinnhaldet",
    "hva respondentene skriver": "kva respondentane skriv",
    "Måling {wave}": "Måling {wave}",
    ", sammenlignet med {wave}": ", samanlikna med {wave}",
    "Andelene av dem som svarte vises med 95&nbsp;% konfidensintervall, antall (n) og grunnlag; andelene av de spurte "
    "og av alle respondenter vises uten intervall.":
        "Delane av dei som svarte blir viste med 95&nbsp;% konfidensintervall, tal (n) og grunnlag; delane av dei "
        "spurde og av alle respondentane blir viste utan intervall.",
    "Forkortelser": "Forkortingar",
    "konfidensintervall": "konfidensintervall",
    "prosentpoeng (forskjellen mellom to prosentandeler)": "prosentpoeng (skilnaden mellom to prosentdelar)",
    "antall": "tal",
    "p-verdi": "p-verdi",
    "skjult fordi grunnlaget er under {min_n}, fordi det er for få i en av gruppene (nesten alle svarte likt), eller "
    "for at skjulte tall ikke skal kunne regnes ut.":
        "skjult fordi grunnlaget er under {min_n}, fordi det er for få i ei av gruppene (nesten alle svara likt), eller "
        "for at skjulte tal ikkje skal kunne reknast ut.",
    "Innhold": "Innhald",
    "Temaer": "Tema",
    "Etter segment": "Etter segment",
    "Temaer og indikatorer": "Tema og indikatorar",
    "Endring": "Endring",
    "Konfidensintervall for endring": "Konfidensintervall for endring",
    "95\u00a0% KI for en endring er ikke justert for mange sammenligninger (bare p-verdien er justert), så en endring "
    "kan ha et KI som utelukker 0 og likevel være vurdert som ingen sikker endring.":
        "95\u00a0% KI for ei endring er ikkje justert for mange samanlikningar (berre p-verdien er justert), så ei "
        "endring kan ha eit KI som ikkje inneheld 0 og likevel vere vurdert som inga sikker endring.",
    "Betydning": "Samanheng",
    "Sitater": "Sitat",
    "Metode": "Metode",
    "Hovedfunn": "Hovudfunn",
    "Temaer i fritekstsvarene": "Tema i fritekstsvara",
    "Feilstolpene viser 95&nbsp;% konfidensintervall.": "Feilstolpane viser 95&nbsp;% konfidensintervall.",
    "Andel som nevner hvert tema, {wave}: «{question}»": "Del som nemner kvart tema, {wave}: «{question}»",
    "Tema": "Tema",
    "Andel av dem som svarte": "Del av dei som svarte",
    "Grunnlag": "Grunnlag",
    "Andel av de spurte": "Del av dei spurde",
    "Andel av alle": "Del av alle",
    "Undertema av «{parent}»: ": "Undertema av «{parent}»: ",
    "gruppe": "gruppe",
    "skjult (grunnlag under {min_n}, eller for at skjulte tall ikke skal kunne regnes ut)":
        "skjult (grunnlag under {min_n}, eller for at skjulte tal ikkje skal kunne reknast ut)",
    "Temaer etter segment": "Tema etter segment",
    "Andel av dem som svarte, etter {segment}, med antall som nevner temaet (n), grunnlag og 95&nbsp;% KI (andel og KI "
    "i prosent":
        "Del av dei som svarte, etter {segment}, med talet på dei som nemner temaet (n), grunnlag og 95&nbsp;% KI (del "
        "og KI i prosent",
    "skjult": "skjult",
    "Skjult": "Skjult",
    "Skjult: ": "Skjult: ",
    "Temaer ved siden av indikatorene": "Tema ved sida av indikatorane",
    "Andel som nevner temaet = andel av dem som svarte på fritekstspørsmålet i kolonneoverskriften.":
        "Del som nemner temaet = del av dei som svarte på fritekstspørsmålet i kolonneoverskrifta.",
    "på hver indikator og andel som tar opp tilsvarende tema i hvert fritekstspørsmål, {wave}":
        "på kvar indikator og del som tek opp tilsvarande tema i kvart fritekstspørsmål, {wave}",
    "Indikator": "Indikator",
    "Andel positive": "Del positive",
    "n / grunnlag": "n / grunnlag",
    "Tilsvarende tema": "Tilsvarande tema",
    "Andel som nevner, «{question}» (n / grunnlag)": "Del som nemner, «{question}» (n / grunnlag)",
    "Endring siden {wave}": "Endring sidan {wave}",
    "Signifikant økning eller nedgang = endringen er større enn tilfeldig variasjon kan forklare (z-test "
    "for to andeler, eller Fishers eksakte test ved 0&nbsp;% eller 100&nbsp;% og små tall; 5&nbsp;% nivå "
    "etter Benjamini–Hochberg-justering for mange sammenligninger, altså justert p under 0,05), og "
    "95&nbsp;%-intervallet utelukker 0. Tendens = mulig endring som ikke er sikker: justert p under "
    "0,10. Ingen sikker endring = endringen kan skyldes tilfeldig variasjon (justert p 0,10 eller "
    "høyere); det viser ikke at andelen er den samme. Ikke testbar = andelen mangler i en av målingene "
    "(for eksempel et tema som ikke er kodet). Intervallet er Newcombes score-intervall. Andelene vises "
    "med én desimal der hele tall ville gitt en endring som ikke stemmer med de viste andelene. "
    "Vurderingen bygger på justert p-verdi (Benjamini–Hochberg innen hver tabell nedenfor: indikatorene "
    "for seg og temaene for hvert spørsmål for seg), mens 95&nbsp;%-intervallet ikke er justert: en "
    "endring kan derfor ha et intervall som utelukker 0 og likevel ikke være vurdert som sikker.":
        "Signifikant auke eller nedgang = endringa er større enn tilfeldig variasjon kan forklare (z-test "
        "for to delar, eller Fishers eksakte test ved 0&nbsp;% eller 100&nbsp;% og små tal; 5&nbsp;% nivå "
        "etter Benjamini–Hochberg-justering for mange samanlikningar, altså justert p under 0,05), og "
        "95&nbsp;%-intervallet inneheld ikkje 0. Tendens = mogleg endring som ikkje er sikker: justert p "
        "under 0,10. Inga sikker endring = endringa kan kome av tilfeldig variasjon (justert p 0,10 eller "
        "høgare); det viser ikkje at delen er den same. Ikkje testbar = delen manglar i ei av målingane (til "
        "dømes eit tema som ikkje er koda). Intervallet er Newcombes score-intervall. Delane blir viste med "
        "éin desimal der heile tal ville ha gitt ei endring som ikkje stemmer med dei viste delane. "
        "Vurderinga byggjer på justert p-verdi (Benjamini–Hochberg innanfor kvar tabell nedanfor: "
        "indikatorane for seg og temaa for kvart spørsmål for seg), medan 95&nbsp;%-intervallet ikkje er "
        "justert: ei endring kan difor ha eit intervall som ikkje inneheld 0 og likevel ikkje vere vurdert "
        "som sikker.",
    "Endring i prosentpoeng fra {prev} til {wave}": "Endring i prosentpoeng frå {prev} til {wave}",
    "Indikator/tema": "Indikator/tema",
    "Vurdering": "Vurdering",
    "ujustert": "ujustert",
    "justert": "justert",
    "regnet ut fra uavrundede andeler": "rekna ut frå uavrunda delar",
    '† Blandet koding: i disse radene er kodene for den ene målingen lest fra filer (for eksempel gjennomgått og '
    'rettet manuelt), mens den andre målingen er kodet automatisk. Endringen kan derfor skyldes kodingen og ikke bare '
    'en reell endring (se <a href="#metode">Metode</a>).':
        '† Blanda koding: i desse radene er kodane for den eine målinga henta frå filer (til dømes gjennomgått og '
        'retta manuelt), medan den andre målinga er koda automatisk. Endringa kan difor kome av kodinga og ikkje berre '
        'av ei reell endring (sjå <a href="#metode">Metode</a>).',
    "Endringen og intervallet er regnet ut fra uavrundede andeler, så endringen kan avvike litt fra differansen mellom "
    "de avrundede andelene i tabellen":
        "Endringa og intervallet er rekna ut frå uavrunda delar, så endringa kan avvike litt frå differansen mellom "
        "dei avrunda delane i tabellen",
    "merket": "merkt",
    "Hvilke temaer henger sammen med tilfredshet?": "Kva for tema heng saman med nøgdsemd?",
    "Spørsmål": "Spørsmål",
    "Med temaet": "Med temaet",
    "Uten temaet": "Utan temaet",
    "Forskjell": "Skilnad",
    "n med / uten": "n med / utan",
    "Justert effekt": "Justert effekt",
    'Vurdering = om forskjellen mellom dem som nevner temaet og de andre er sikker (justert p for mange '
    'sammenligninger). Justert effekt = sammenhengen med temaet når de andre temaene og kontrollvariablene holdes '
    'like; vurderingen i parentes bygger på modellens eget intervall og justerte p-verdi, ikke på den ujusterte '
    'forskjellen, og kan derfor avvike fra kolonnen Vurdering. Hvilken modell som er brukt for hvert spørsmål (og om '
    'den er vektet), står under <a href="#metode">Metode</a>.':
        'Vurdering = om skilnaden mellom dei som nemner temaet og dei andre er sikker (justert p for mange '
        'samanlikningar). Justert effekt = samanhengen med temaet når dei andre temaa og kontrollvariablane blir '
        'haldne like; vurderinga i parentes byggjer på modellen sitt eige intervall og justerte p-verdi, ikkje på den '
        'ujusterte skilnaden, og kan difor avvike frå kolonnen Vurdering. Kva modell som er brukt for kvart spørsmål '
        '(og om han er vekta), står under <a href="#metode">Metode</a>.',
    "Ingen sitater (for få kommentarer).": "Ingen sitat (for få kommentarar).",
    # why the quotes section is empty (html.no_quotes_text)
    "Ingen sitater: ": "Ingen sitat: ",
    "den ene kommentaren er sendt til manuell gjennomgang": "den eine kommentaren er sendt til manuell gjennomgang",
    "alle de {n} kommentarene er sendt til manuell gjennomgang":
        "alle dei {n} kommentarane er sende til manuell gjennomgang",
    "{n} av {total} kommentarer er sendt til manuell gjennomgang":
        "{n} av {total} kommentarar er sende til manuell gjennomgang",
    ", og de andre ": ", og dei andre ",
    "kommentarene ": "kommentarane ",
    " eller ": " eller ",
    "har ikke fått noe tema": "har ikkje fått noko tema",
    "inneholder person- eller helseopplysninger": "inneheld person- eller helseopplysningar",
    "er fra grupper som er for små til å vises": "er frå grupper som er for små til å visast",
    " (sitater hentes bare fra svar der temaet er sikkert)": " (sitat blir berre henta frå svar der temaet er sikkert)",
    # the reader note on a question whose comments nearly all went to manual review (html.REVIEW_HIGH_NOTE)
    ("{share} av kommentarene til «{question}» i {wave} ({n} av {total}) ble sendt til manuell gjennomgang fordi "
     "modellen var usikker på kodingen; temaandelene for spørsmålet bygger derfor mest på usikre koder og bør leses "
     "med varsomhet."):
        ("{share} av kommentarane til «{question}» i {wave} ({n} av {total}) vart sende til manuell gjennomgang fordi "
         "modellen var uviss på kodinga; temadelane for spørsmålet byggjer difor mest på usikre kodar og bør lesast "
         "med varsemd."),
    "Laget med textmine. Filen er selvstendig og virker uten nettilgang.":
        "Laga med textmine. Fila er sjølvstendig og verkar utan nettilgang.",
    # --- dec05g: direction of a significant change, weighted shares beside unweighted counts, the title
    "signifikant økning": "signifikant auke",
    "signifikant nedgang": "signifikant nedgang",
    " (vektet)": " (vekta)",
    "(på engelsk)": "(på engelsk)",
    "(på svensk)": "(på svensk)",
    "(på dansk)": "(på dansk)",
    "{pct} (vektet)": "{pct} (vekta)",
    "Arbeidsgiverundersøkelsen": "Arbeidsgivarundersøkinga",
    " fra {prev} til {wave}: {verdict} ({ci})": " frå {prev} til {wave}: {verdict} ({ci})",
    # --- the HTML page's texts made in textmine/report/html.py
    "Ingen figur: {n} grupper er for mange til en lesbar figur (høyst {most}). Se tabellen.":
        "Ingen figur: {n} grupper er for mange til ein lesbar figur (høgst {most}). Sjå tabellen.",
    "Temaer, {wave}: «{question}»": "Tema, {wave}: «{question}»",
    "Temaer etter {segment}, {wave}: «{question}»": "Tema etter {segment}, {wave}: «{question}»",
    "De vanligste temaene etter {segment}, {wave}: «{question}»":
        "Dei vanlegaste temaa etter {segment}, {wave}: «{question}»",
    "Endring i temaer": "Endring i tema",
    "Endring i indikatorer": "Endring i indikatorar",
    "{indicator}: med og uten temaet («{question}»)": "{indicator}: med og utan temaet («{question}»)",
    "markører som viser hva slags opplysning som er fjernet ({names})":
        "markørar som viser kva slags opplysning som er fjerna ({names})",
    "Sitatene er anonymisert: personopplysninger er erstattet med ":
        "Sitata er anonymiserte: personopplysningar er erstatta med ",
    ", og kommentarer med helseopplysninger eller andre sensitive personopplysninger og fra små grupper er utelatt.":
        ", og kommentarar med helseopplysningar eller andre sensitive personopplysningar og frå små grupper er ikkje "
        "tekne med.",
    "for lite grunnlag, for få i en av gruppene (nesten alle svarte likt), eller for at andre skjulte tall ikke skal "
    "kunne regnes ut":
        "for lite grunnlag, for få i ei av gruppene (nesten alle svara likt), eller for at andre skjulte tal ikkje skal "
        "kunne reknast ut",
    "«Liten gruppe» = en gruppe med så få svar et sted i rapporten at tallene der er skjult; navnet vises ikke fordi "
    "det kan gjøre det mulig å kjenne igjen dem som svarte. Gruppen har samme nøytrale navn i alle tabeller og "
    "figurer, også der tallene vises. Små grupper står sist, etter alle grupper med navn, og numrene følger ikke "
    "gruppenes navn.":
        "«Lita gruppe» = ei gruppe med så få svar ein stad i rapporten at tala der er skjulte; namnet blir ikkje vist "
        "fordi det kan gjere det mogleg å kjenne att dei som svarte. Gruppa har same nøytrale namn i alle tabellar og "
        "figurar, òg der tala blir viste. Små grupper står sist, etter alle grupper med namn, og numra følgjer ikkje "
        "namna på gruppene.",
    "inkluderende arbeidsliv": "inkluderande arbeidsliv",
    "arbeidsavklaringspenger": "arbeidsavklaringspengar",
    "NAV kontaktsenter": "NAV kontaktsenter",
    "Benjamini–Hochberg": "Benjamini–Hochberg",
    "; andeler vektet, antall og grunnlag uvektet": "; delar vekta, tal og grunnlag uvekta",
    "«{parent}» samler {children}": "«{parent}» samlar {children}",
    "Overordnede temaer (gruppe): ": "Overordna tema (gruppe): ",
    ". Andelen for en gruppe teller svar som nevner minst ett av undertemaene eller gruppen selv, så den er ikke et "
    "eget tema ved siden av undertemaene; undertemaene står innrykket under gruppen.":
        ". Delen for ei gruppe tel svar som nemner minst eitt av undertemaa eller gruppa sjølv, så gruppa er ikkje eit "
        "eige tema ved sida av undertemaa; undertemaa står med innrykk under gruppa.",
    "n (nevner temaet)": "n (nemner temaet)",
    "Grunnlag (svarte)": "Grunnlag (svarte)",
    "Andel av svarte (%)": "Del av svarte (%)",
    "KI nedre (%)": "KI nedre (%)",
    "KI øvre (%)": "KI øvre (%)",
    "det er et overordnet tema som samler andre temaer i modellen":
        "det er eit overordna tema som samlar andre tema i modellen",
    "de er overordnede temaer som samler andre temaer i modellen":
        "dei er overordna tema som samlar andre tema i modellen",
    "det kan ikke skilles fra de andre temaene eller kontrollvariablene":
        "det kan ikkje skiljast frå dei andre temaa eller kontrollvariablane",
    "de kan ikke skilles fra de andre temaene eller kontrollvariablene":
        "dei kan ikkje skiljast frå dei andre temaa eller kontrollvariablane",
    "effekten er for usikker til å anslås": "effekten er for usikker til å kunne anslåast",
    "effektene er for usikre til å anslås": "effektane er for usikre til å kunne anslåast",
    "Temaet {theme}": "Temaet {theme}",
    "koden": "koden",
    "kodene": "kodane",
    "{n} verdier i området {lo}–{hi}": "{n} verdiar i området {lo}–{hi}",
    ("I {wave} er svar med {codes} (definert som manglende i SPSS-filen) telt som utelatte svar "
     "i {n} spørsmål: de er ikke med i grunnlaget for andelene."):
        ("I {wave} er svar med {codes} (definerte som manglande i SPSS-fila) talde som utelatne svar "
         "i {n} spørsmål: dei er ikkje med i grunnlaget for delane."),
    ("I {wave} er svar med {codes} (definert som manglende i SPSS-filen) regnet som ubesvart i {n} "
     "spørsmål."):
        "I {wave} er svar med {codes} (definerte som manglande i SPSS-fila) rekna som ubesvarte i {n} spørsmål.",
    ("I {wave} er svar med {codes} (definert som manglende i SPSS-filen) regnet som uoppgitt for "
     "{segment}: de er med i totalen og i gruppen «(uoppgitt)», ikke i noen annen gruppe."):
        ("I {wave} er svar med {codes} (definerte som manglande i SPSS-fila) rekna som uoppgitt for "
         "{segment}: dei er med i totalen og i gruppa «(uoppgitt)», ikkje i nokon annan gruppe."),
    ("I {wave} er {what} for {segment} skjult bare for at tallene for dem uten oppgitt verdi "
     "(«(uoppgitt)», færre enn {min_n} svar) ikke skal kunne regnes ut fra totalen."):
        ("I {wave} er {what} for {segment} skjult berre for at tala for dei utan oppgitt verdi "
         "(«(uoppgitt)», færre enn {min_n} svar) ikkje skal kunne reknast ut frå totalen."),
    "gruppen {name}": "gruppa {name}",
    "gruppene {names}": "gruppene {names}",
    "{n} gruppe": "{n} gruppe",
    "{n} grupper": "{n} grupper",
    "Temaene {themes}": "Temaa {themes}",
    ("Flere svar enn før ble sendt til manuell gjennomgang for «{question}» i {wave} ({share} mot "
     "{share_prev} i {wave_prev}); svarene kan handle om et tema kodeboken ikke dekker, så "
     "temaandelene for spørsmålet bør leses med varsomhet."):
        ("Fleire svar enn før vart sende til manuell gjennomgang for «{question}» i {wave} ({share} mot "
         "{share_prev} i {wave_prev}); svara kan handle om eit tema kodeboka ikkje dekkjer, så "
         "temadelane for spørsmålet bør lesast med varsemd."),
    ("Fritekstsvarene er kodet uten en modell trent på kodede svar (zero-shot), og noen temaandeler er "
     "urimelig høye; temaandelene bør kontrolleres mot et utvalg kodet for hånd før de brukes."):
        ("Fritekstsvara er koda utan ein modell trena på koda svar (zero-shot), og nokre temadelar er urimeleg "
         "høge; temadelane bør kontrollerast mot eit utval koda for hand før dei blir brukte."),
    "{what} er ikke med i den justerte modellen for «{question}» ({wave}) fordi {why}.":
        "{what} er ikkje med i den justerte modellen for «{question}» ({wave}) fordi {why}.",
    " (logit-modellen kunne ikke tilpasses disse svarene, så en lineær modell er brukt i stedet)":
        " (logit-modellen kunne ikkje tilpassast desse svara, så ein lineær modell er brukt i staden)",
    "Justert effekt ({wave}): sammenhengen mellom hvert tema og positivt svar på «{outcome}» blant dem som svarte på "
    "spørsmålet, med alle temaene og {controls} i samme modell; effekten er gjennomsnittlig forskjell i prosentpoeng. "
    "Vurderingen i kolonnen «Justert effekt» bygger på modellens eget 95 % konfidensintervall og p-verdi (justert med "
    "Benjamini–Hochberg over temaene), ikke på den ujusterte forskjellen, så de to vurderingene kan avvike; med få som "
    "nevner et tema er den justerte effekten svært usikker. ":
        "Justert effekt ({wave}): samanhengen mellom kvart tema og positivt svar på «{outcome}» blant dei som svarte "
        "på spørsmålet, med alle temaa og {controls} i same modell; effekten er gjennomsnittleg skilnad i "
        "prosentpoeng. Vurderinga i kolonnen «Justert effekt» byggjer på modellen sitt eige 95 % konfidensintervall og "
        "p-verdi (justert med Benjamini–Hochberg over temaa), ikkje på den ujusterte skilnaden, så dei to vurderingane "
        "kan avvike; når få nemner eit tema, er den justerte effekten svært usikker. ",
    "Modell: {model}.": "Modell: {model}.",
    "Modell per spørsmål: ": "Modell per spørsmål: ",
    " Logit-modellen kunne ikke tilpasses disse svarene, så en lineær modell er brukt i stedet.":
        " Logit-modellen kunne ikkje tilpassast desse svara, så ein lineær modell er brukt i staden.",
    " Logit-modellen er uvektet: den bruker ikke vektene, men anslår sammenhengen blant dem som svarte i utvalget, "
    "justert for kontrollvariablene; vektene brukes til å gjøre andelene representative.":
        " Logit-modellen er uvekta: han brukar ikkje vektene, men anslår samanhengen blant dei som svarte i utvalet, "
        "justert for kontrollvariablane; vektene blir brukte til å gjere delane representative.",
    " Den lineære modellen er vektet. Justerte effekter fra vektede og uvektede modeller er ikke helt sammenlignbare "
    "mellom spørsmålene.":
        " Den lineære modellen er vekta. Justerte effektar frå vekta og uvekta modellar er ikkje heilt samanliknbare "
        "mellom spørsmåla.",
    "Ikke i modellen: ": "Ikkje i modellen: ",
    "Ikke i modellen (for få som nevner temaet)": "Ikkje i modellen (for få som nemner temaet)",
    "{n} svarte på spørsmålet": "{n} svarte på spørsmålet",
    "Færre enn {n} svarte på spørsmålet, så tallene vises ikke":
        "Færre enn {n} svarte på spørsmålet, så tala blir ikkje viste",
    ", av {n} som fikk det": ", av {n} som fekk det",
    " og {n} respondenter i alt": " og {n} respondentar i alt",
    "minst ett av temaene i gruppen «{label}»": "minst eitt av temaa i gruppa «{label}»",
    " av dem som svarte på «{question}», nevner {what} ({verbal})":
        " av dei som svarte på «{question}», nemner {what} ({verbal})",
    " svarer positivt på «{label}» ({verbal})": " svarar positivt på «{label}» ({verbal})",
    "Andel positive på «{indicator}» blant dem som nevner temaet og blant de andre som svarte på spørsmålet":
        "Del positive på «{indicator}» blant dei som nemner temaet og blant dei andre som svarte på spørsmålet",
    "Indikatorer": "Indikatorar",
    "Temaer, «{question}»": "Tema, «{question}»",
    "Ikke med for «{question}» ({n} temaer): {names}. For få nevner disse temaene til en sikker sammenligning, eller "
    "sammenligningen kan ikke testes.":
        "Ikkje med for «{question}» ({n} tema): {names}. For få nemner desse temaa til ei sikker samanlikning, eller "
        "samanlikninga kan ikkje testast.",
    "{pct} av dem som svarte ({verbal}, {trace}) tar opp dette.":
        "{pct} av dei som svarte ({verbal}, {trace}) tek opp dette.",
    # --- charts (textmine/report/charts.py)
    "Andel med 95\u00a0% konfidensintervall": "Del med 95\u00a0% konfidensintervall",
    "Andel av dem som svarte, 95\u00a0% konfidensintervall": "Del av dei som svarte, 95\u00a0% konfidensintervall",
    "Åpen sirkel = forrige måling, fylt = siste måling": "Open sirkel = førre måling, fylt = siste måling",
    "Forskjell i prosentpoeng (med minus uten temaet), 95\u00a0% KI":
        "Skilnad i prosentpoeng (med minus utan temaet), 95\u00a0% KI",
    " (merket «{label}»)": " (merkt «{label}»)",
    "Ikke vist: {levels} (skjult fordi grunnlaget er for lite, eller for at skjulte tall ikke skal kunne regnes ut)":
        "Ikkje vist: {levels} (skjult fordi grunnlaget er for lite, eller for at skjulte tal ikkje skal kunne reknast "
        "ut)",
    "Segmenter": "Segment",
    "sikker": "sikker",
    "Sikker forskjell: høyere med temaet": "Sikker skilnad: høgare med temaet",
    "Sikker forskjell: lavere med temaet": "Sikker skilnad: lågare med temaet",
    "Tendens (ikke sikker forskjell)": "Tendens (ikkje sikker skilnad)",
    "Ingen sikker forskjell": "Ingen sikker skilnad",
    "Ikke vurdert": "Ikkje vurdert",
    # --- method notes: headings (textmine/report/views.METHOD_NAMES) and fixed texts
    "Respondenter": "Respondentar",
    "Kommentarer (svar med innhold)": "Kommentarar (svar med innhald)",
    "Grunnlag (nevnere)": "Grunnlag (nemnarar)",
    "Vekting og usikkerhet": "Vekting og uvisse",
    "Små grupper": "Små grupper",
    "Kodebok": "Kodebok",
    "Modell": "Modell",
    "Samsvar med manuell koding": "Samsvar med manuell koding",
    "Koding": "Koding",
    "Kilde": "Kjelde",
    "Test for endring": "Test for endring",
    "Justert effekt (drivere)": "Justert effekt (drivarar)",
    "Merknader": "Merknader",
    "Forskjell mellom grupper": "Skilnad mellom grupper",
    "Data": "Data",
    "Veiledet klassifiseringsmodell (trent på manuelt kodede svar)":
        "Rettleidd klassifiseringsmodell (trena på manuelt koda svar)",
    "Veiledet klassifiseringsmodell (trent på {n} manuelt kodede svar)":
        "Rettleidd klassifiseringsmodell (trena på {n} manuelt koda svar)",
    "Klassifisering uten treningsdata (svarene sammenlignes med kodebokens temabeskrivelser)":
        "Klassifisering utan treningsdata (svara blir samanlikna med temaskildringane i kodeboka)",
    "Nøkkelordkoding (kodebokens nøkkelord)": "Nøkkelordkoding (nøkkelorda i kodeboka)",
    "; språkmodell for tekstrepresentasjon: {name}": "; språkmodell for tekstrepresentasjon: {name}",
    "; modellmappe {name}": "; modellmappe {name}",
    "Ingen manuelt kodede data tilgjengelig.": "Ingen manuelt koda data er tilgjengelege.",
    # --- workbook (textmine/report/excel.py): sheets, headers, notes
    "Sitat": "Sitat",
    "Kodede svar": "Koda svar",
    "Punkt": "Punkt",
    "Beskrivelse": "Skildring",
    "Snitt": "Snitt",
    "Overordnet tema": "Overordna tema",
    "Måling": "Måling",
    "Variabel": "Variabel",
    "Segmentvariabel": "Segmentvariabel",
    "Segment": "Segment",
    "KI nedre": "KI nedre",
    "KI øvre": "KI øvre",
    "n (positive)": "n (positive)",
    "Effektiv n": "Effektiv n",
    "KI-metode": "KI-metode",
    "Andel positive (uvektet)": "Del positive (uvekta)",
    "Indikator-id": "Indikator-id",
    "Spørsmålstekst": "Spørsmålstekst",
    "Tema-id": "Tema-id",
    "Andel av svarte": "Del av svarte",
    "Spurt": "Spurt",
    "Andel av spurte": "Del av spurde",
    "Segmentkode": "Segmentkode",
    "Type": "Type",
    "Id": "Id",
    "Hva": "Kva",
    "Forrige måling": "Førre måling",
    "Forrige andel": "Førre del",
    "Andel": "Del",
    "Endring (pp)": "Endring (pp)",
    "KI nedre (pp)": "KI nedre (pp)",
    "KI øvre (pp)": "KI øvre (pp)",
    "p-verdi (ujustert)": "p-verdi (ujustert)",
    "p-verdi (BH-justert)": "p-verdi (BH-justert)",
    "Grunnlag forrige": "Grunnlag førre",
    "Effektiv n forrige": "Effektiv n førre",
    "Vurdering (ujustert)": "Vurdering (ujustert)",
    "Vektet": "Vekta",
    "Merknad (koding)": "Merknad (koding)",
    "Merknad (kodebok)": "Merknad (kodebok)",
    "Kodebok (versjon)": "Kodebok (versjon)",
    "Brukt i måling": "Brukt i måling",
    # --- dec07b: a theme the waves' codebooks define differently (html.REDEFINED_NOTE, the change tables, charts)
    "{verdict}: definert annerledes": "{verdict}: definert annleis",
    "Ikke testbar gjelder også et tema som er definert annerledes i kodebøkene til de to målingene (se «Merknader»): "
    "begge andelene vises, men endringen er ikke testet.":
        "Ikkje testbar gjeld òg eit tema som er definert annleis i kodebøkene til dei to målingane (sjå «Merknader»): "
        "begge delane blir viste, men endringa er ikkje testa.",
    " i «{question}»": " i «{question}»",
    "{what} er definert annerledes i {versions}, så andelene i de to målingene måler ikke det samme. Endringen fra "
    "{prev} til {wave} er derfor ikke testet («ikke testbar»), selv om begge andelene vises.":
        "{what} er definert annleis i {versions}, så delane i dei to målingane måler ikkje det same. Endringa frå "
        "{prev} til {wave} er difor ikkje testa («ikkje testbar»), sjølv om begge delane blir viste.",
    "§ Definert annerledes: temaet er definert annerledes i {versions}, så andelene i de to målingene måler ikke det "
    "samme. «Ikke testbar» betyr her ikke at en andel mangler: endringen er ikke testet fordi temaet har fått en ny "
    "definisjon.":
        "§ Definert annleis: temaet er definert annleis i {versions}, så delane i dei to målingane måler ikkje det "
        "same. «Ikkje testbar» tyder her ikkje at ein del manglar: endringa er ikkje testa fordi temaet har fått ein "
        "ny definisjon.",
    # --- dec07c: a theme renamed or merged (replaces) and a catch-all left untested (html.RENAMED_NOTE, MERGED_NOTE,
    # CATCH_ALL_NOTE, the change tables' notes, charts, views.CATCH_ALL_VERDICT)
    "{verdict}: {mark}": "{verdict}: {mark}",
    "{what} i {new_side} viderefører {olds} i {old_side}. Endringen fra {prev} til {wave} sammenligner derfor "
    "andelen med {theme} i {new_wave} med andelen med {olds} i {old_wave}.":
        "{what} i {new_side} fører vidare {olds} i {old_side}. Endringa frå {prev} til {wave} samanliknar difor "
        "delen med {theme} i {new_wave} med delen med {olds} i {old_wave}.",
    "{what} i {new_side} slår sammen {olds} i {old_side}. Endringen fra {prev} til {wave} sammenligner derfor "
    "andelen med {theme} i {new_wave} med andelen som var kodet med {olds_or} i {old_wave} (hver respondent telles "
    "én gang).":
        "{what} i {new_side} slår saman {olds} i {old_side}. Endringa frå {prev} til {wave} samanliknar difor "
        "delen med {theme} i {new_wave} med delen som var koda med {olds_or} i {old_wave} (kvar respondent blir "
        "talt éin gong).",
    " Også {fields} er endret, ikke bare navnet: endringen er testet fordi kodeboken sier at temaet viderefører det "
    "gamle, men bør leses med det i tankene.":
        " Òg {fields} er endra, ikkje berre namnet: endringa er testa fordi kodeboka seier at temaet fører vidare "
        "det gamle, men bør lesast med det i tankane.",
    "beskrivelsen": "skildringa",
    "nøkkelordene": "nøkkelorda",
    "overordnet tema": "overordna tema",
    "eksklusiv": "eksklusiv",
    "{what} er ikke testet fra {prev} til {wave} («ikke testbar»), selv om begge andelene vises: de andre temaene er "
    "endret mellom {versions}, så {it} samler ikke de samme svarene i de to målingene.":
        "{what} er ikkje testa frå {prev} til {wave} («ikkje testbar»), sjølv om begge delane blir viste: dei andre "
        "temaa er endra mellom {versions}, så {it} samlar ikkje dei same svara i dei to målingane.",
    "temaet": "temaet",
    "temaene": "temaa",
    " Bare i kodeboken for {wave}: {names}.": " Berre i kodeboka for {wave}: {names}.",
    "§ Videreført tema: temaet har fått nytt navn eller slått sammen tidligere temaer mellom {versions}; endringen "
    "sammenligner det med temaet eller temaene det viderefører (se «Merknader»).":
        "§ Vidareført tema: temaet har fått nytt namn eller slått saman tidlegare tema mellom {versions}; endringa "
        "samanliknar det med temaet eller temaa det fører vidare (sjå «Merknader»).",
    "§ Samletema: de andre temaene er endret mellom {versions}, så samletemaet samler ikke de samme svarene i de to "
    "målingene. «Ikke testbar» betyr her ikke at en andel mangler: endringen er ikke testet (se «Merknader»).":
        "§ Samletema: dei andre temaa er endra mellom {versions}, så samletemaet samlar ikkje dei same svara i dei to "
        "målingane. «Ikkje testbar» tyder her ikkje at ein del manglar: endringa er ikkje testa (sjå «Merknader»).",
    "Ikke testbar gjelder også et samletema når de andre temaene er endret mellom kodebøkene til de to målingene "
    "(se «Merknader»): begge andelene vises, men endringen er ikke testet.":
        "Ikkje testbar gjeld òg eit samletema når dei andre temaa er endra mellom kodebøkene til dei to målingane "
        "(sjå «Merknader»): begge delane blir viste, men endringa er ikkje testa.",
    "Indikatortekst": "Indikatortekst",
    "Andel positive med tema": "Del positive med tema",
    "Andel positive uten tema": "Del positive utan tema",
    "n med": "n med",
    "n uten": "n utan",
    "p (ujustert)": "p (ujustert)",
    "p (BH-justert)": "p (BH-justert)",
    "Justert effekt (pp)": "Justert effekt (pp)",
    "Justert KI nedre (pp)": "Justert KI nedre (pp)",
    "Justert KI øvre (pp)": "Justert KI øvre (pp)",
    "Justert p (BH)": "Justert p (BH)",
    "Justert vurdering": "Justert vurdering",
    "Avsender": "Avsendar",
    "Språk": "Språk",
    "Rekkefølge": "Rekkjefølgje",
    "Respondent-id": "Respondent-id",
    "Kommentar (anonymisert)": "Kommentar (anonymisert)",
    "Temanavn": "Temanamn",
    "Sikkerhet": "Sikkerheit",
    "Til gjennomgang": "Til gjennomgang",
    "Ikke-svar": "Ikkje-svar",
    "Sektor": "Sektor",
    "Antall ansatte": "Talet på tilsette",
    "Næring": "Næring",
    "Fylke": "Fylke",
    "Vekt": "Vekt",
    "Nøkkelord": "Nøkkelord",
    "Overordnet": "Overordna",
    "Eksklusiv": "Eksklusiv",
    "Radnummer": "Radnummer",
    "bokmål": "bokmål",
    "nynorsk": "nynorsk",
    "engelsk": "engelsk",
    "svensk": "svensk",
    "dansk": "dansk",
    "annet språk": "anna språk",
    "ukjent": "ukjend",
    "KI = konfidensintervall (95\u00a0%: KI nedre og KI øvre er grensene); BH = Benjamini–Hochberg (p-verdien er "
    "justert for mange sammenligninger innen hver tabell); pp = prosentpoeng (forskjellen mellom to prosentandeler); "
    "n = antall; p = p-verdi":
        "KI = konfidensintervall (95\u00a0%: KI nedre og KI øvre er grensene); BH = Benjamini–Hochberg (p-verdien er "
        "justert for mange samanlikningar innanfor kvar tabell); pp = prosentpoeng (skilnaden mellom to "
        "prosentdelar); n = tal; p = p-verdi",
    "[sensitiv personopplysning – vises ikke i eksport]": "[sensitiv personopplysning – blir ikkje vist i eksport]",
    "rad": "rad",
    "rader": "rader",
    "kommentar": "kommentar",
    "kommentarer": "kommentarar",
    "id-er": "id-ar",
    "Respondent-id («{column}») er utelatt fra de radvise eksportene fordi {n} {ids} inneholder personopplysninger "
    "(for eksempel fødselsnummer, telefonnummer, e-post eller navn); radene er i stedet nummerert («{header}»).":
        "Respondent-id («{column}») er ikkje med i dei radvise eksportane fordi {n} {ids} inneheld "
        "personopplysningar (til dømes fødselsnummer, telefonnummer, e-post eller namn); radene er i staden nummererte "
        "(«{header}»).",
    " Vekten er fjernet i {n} av {total} rader (de samme radene), fordi den kan røpe segmentet (f.eks. fylket) den er "
    "beregnet fra; vektede tall kan derfor ikke regnes ut igjen fra «{sheet}» eller kodede_svar.sav.":
        " Vekta er fjerna i {n} av {total} rader (dei same radene), fordi ho kan røpe segmentet (t.d. fylket) ho er "
        "rekna ut frå; vekta tal kan difor ikkje reknast ut att frå «{sheet}» eller kodede_svar.sav.",
    "Respondent-id-en er tatt med i «{sheet}» og kodede_svar.sav slik at radene kan kobles tilbake til "
    "undersøkelsen; den er en personopplysning, så del filene bare med dem som trenger dem.":
        "Respondent-id-en er teken med i «{sheet}» og kodede_svar.sav slik at radene kan koplast tilbake til "
        "undersøkinga; ho er ei personopplysning, så del filene berre med dei som treng dei.",
    "(blanket i {n} rader: liten gruppe)": "(blanka i {n} rader: lita gruppe)",
    # --- the service's method notes (service/web/reportdata.py)
    "kodejobb {job}, ": "kodejobb {job}, ",
    "modell {model}": "modell {model}",
    "standardmodellen": "standardmodellen",
    "ikke kodet ennå": "ikkje koda enno",
    "klassifisering uten treningsdata (svarene sammenlignes med kodebokens temabeskrivelser)":
        "klassifisering utan treningsdata (svara blir samanlikna med temaskildringane i kodeboka)",
    " (temaene sammenlignes ikke)": " (tema blir ikkje samanlikna)",
    " – temaene sammenlignes ikke, fordi bølgene er kodet med ulike modeller; kod bølgen med samme modell for å "
    "sammenligne dem":
        " – tema blir ikkje samanlikna, fordi bølgjene er koda med ulike modellar; kod bølgja med same modell for å "
        "samanlikne dei",
    "kodet med en annen kodebok – temaene sammenlignes ikke": "koda med ei anna kodebok – tema blir ikkje samanlikna",
    "{n} kommentarer er rettet manuelt; rettelsene erstatter maskinkodene.":
        "{n} kommentarar er retta manuelt; rettingane erstattar maskinkodane.",
    "«{sheet}»: {n_small} {rows} har fått segmentverdier fjernet fordi segmentet har færre enn {min_cell} "
    "kommentatorer på spørsmålet i målingen (samme grense som for tabeller og sitater). Når bare ett segment er for "
    "lite, er også det nest minste fjernet, og en respondent som er fjernet i én rad, er fjernet i alle sine rader. "
    "Også kombinasjoner av segmenter (for eksempel fylke og sektor) med færre enn {min_cell} kommentatorer er brutt "
    "opp ved at verdien i ett av segmentene er fjernet.{weight} {n_health} {comments} med sensitive "
    "personopplysninger (helse, religion, legning, etnisitet, politikk, fagforening, straff) er erstattet med "
    "«{note}» (temakodene er beholdt).":
        "«{sheet}»: {n_small} {rows} har fått segmentverdiar fjerna fordi segmentet har færre enn {min_cell} "
        "kommentatorar på spørsmålet i målinga (same grense som for tabellar og sitat). Når berre eitt segment er for "
        "lite, er òg det nest minste fjerna, og ein respondent som er fjerna i éi rad, er fjerna i alle radene sine. "
        "Òg kombinasjonar av segment (til dømes fylke og sektor) med færre enn {min_cell} kommentatorar er brotne "
        "opp ved at verdien i eitt av segmenta er fjerna.{weight} {n_health} {comments} med sensitive "
        "personopplysningar (helse, religion, legning, etnisitet, politikk, fagforeining, straff) er erstatta med "
        "«{note}» (temakodane står att).",
    # --- SPSS (textmine/report/spss.py)
    "kodede fritekstsvar": "koda fritekstsvar",
    "Fritekstspørsmål": "Fritekstspørsmål",
    "Temaer (id-er skilt med ;)": "Tema (id-ar skilde med ;)",
    "Type kommentar": "Type kommentar",
    "Sikkerhet (0–1)": "Sikkerheit (0–1)",
    "Til manuell gjennomgang": "Til manuell gjennomgang",
    "Radnummer (respondent-id utelatt: inneholder personopplysninger)":
        "Radnummer (respondent-id ikkje med: inneheld personopplysningar)",
    "Nei": "Nei",
    "Ja": "Ja",
    # --- whole method notes made elsewhere (textmine.summary, textmine.report.views / pipeline) in bokmål
    "Andel av dem som svarte på spørsmålet (grunnlag = antall med et svar med innhold på spørsmålet). Andel av de "
    "spurte og av alle respondenter står i tabellene, uten konfidensintervall.":
        "Del av dei som svarte på spørsmålet (grunnlag = talet på dei som har eit svar med innhald på spørsmålet). "
        "Del av dei spurde og av alle respondentane står i tabellane, utan konfidensintervall.",
    "Alle tall kommer fra én og samme beregning, slik at tabeller, figurer, Excel og JSON stemmer overens.":
        "Alle tal kjem frå éi og same utrekning, slik at tabellar, figurar, Excel og JSON stemmer overeins.",
    "Syntetiske data – ikke reelle svar.": "Syntetiske data – ikkje reelle svar.",
    "Ingen automatisk koding i denne kjøringen: alle kodene er lest fra filer.":
        "Inga automatisk koding i denne køyringa: alle kodane er henta frå filer.",
    "signifikant: justert p < 0,05 (p justert med Benjamini–Hochberg for mange sammenligninger innen hver tabell: én "
    "inndeling × indikatorer/temaer) og 95\u00a0% KI for endringen utelukker 0; tendens: ellers justert p < 0,10; "
    "ingen sikker endring: justert p ≥ 0,10 (ikke det samme som at andelen er uendret); ikke testbar: andelen mangler "
    "i en av målingene (f.eks. et tema som ikke er kodet)":
        "signifikant: justert p < 0,05 (p justert med Benjamini–Hochberg for mange samanlikningar innanfor kvar "
        "tabell: éi inndeling × indikatorar/tema) og 95\u00a0% KI for endringa inneheld ikkje 0; tendens: elles "
        "justert p < 0,10; inga sikker endring: justert p ≥ 0,10 (ikkje det same som at delen er uendra); ikkje "
        "testbar: delen manglar i ei av målingane (t.d. eit tema som ikkje er koda)",
    "forskjell: justert p < 0,05 (Benjamini–Hochberg over temaene, for hver indikator for seg) og 95\u00a0% KI "
    "utelukker 0; tendens: ellers justert p < 0,10; ingen sikker forskjell ellers; ikke testbar: indikatoren er lik "
    "for alle dem som svarte på spørsmålet (f.eks. et spørsmål som bare stilles dem som svarte negativt på den), eller "
    "temaet er ikke kodet, ingen test":
        "skilnad: justert p < 0,05 (Benjamini–Hochberg over temaa, for kvar indikator for seg) og 95\u00a0% KI "
        "inneheld ikkje 0; tendens: elles justert p < 0,10; ingen sikker skilnad elles; ikkje testbar: indikatoren er "
        "lik for alle dei som svarte på spørsmålet (t.d. eit spørsmål som berre blir stilt til dei som svarte "
        "negativt på han), eller temaet er ikkje koda, ingen test",
    # --- dec06g: the segments behind an indicator's change, the trend over three waves or more
    "Nedgangen gjelder særlig {segment} {segments}": "Nedgangen gjeld særleg {segment} {segments}",
    "Økningen gjelder særlig {segment} {segments}": "Auken gjeld særleg {segment} {segments}",
    "Endringen er ikke lik i alle grupper: {segment} {segments}":
        "Endringa er ikkje lik i alle grupper: {segment} {segments}",
    " Andre grupper har også en egen endring: se arket «Endring» i regnearket.":
        " Andre grupper har òg ei eiga endring: sjå arket «Endring» i reknearket.",
    "Utvikling": "Utvikling",
    "Utvikling over alle målinger": "Utvikling over alle målingane",
    "Andelene i hver måling. Vurderingen gjelder endringen fra {prev} til {wave} (se tabellene over); de andre "
    "målingene er vist for sammenhengens skyld og er ikke testet her.":
        "Delane i kvar måling. Vurderinga gjeld endringa frå {prev} til {wave} (sjå tabellane over); dei andre "
        "målingane er viste for samanhengen si skuld og er ikkje testa her.",
    "Vurdering {prev}–{wave}": "Vurdering {prev}–{wave}",
    # --- dec07c: the glossary «Ord og metode» (textmine.report.pagetext.GLOSSARY), the fieldwork period, alt texts
    "Ord og metode": "Ord og metode",
    "forklart i «Ord og metode»": "forklart i «Ord og metode»",
    "Forklaring av fagord som brukes i rapporten.": "Forklaring av fagord som blir brukte i rapporten.",
    "Fagord forklares under": "Fagord er forklarte under",
    "Datainnsamling": "Datainnsamling",
    "fil": "fil",
    "alternativ tekst": "alternativ tekst",
    "KI (konfidensintervall)": "KI (konfidensintervall)",
    "Feilmarginen rundt et tall fra en utvalgsundersøkelse. Et 95\u00a0% KI er laget slik at det i 95 av 100 "
    "undersøkelser vil inneholde den sanne verdien for alle i målgruppen. Jo smalere intervall, jo sikrere tall.":
        "Feilmarginen rundt eit tal frå ei utvalsundersøking. Eit 95\u00a0% KI er laga slik at det i 95 av 100 "
        "undersøkingar vil innehalde den sanne verdien for alle i målgruppa. Jo smalare intervall, jo sikrare tal.",
    "p-verdi": "p-verdi",
    "Hvor sannsynlig det er å få en forskjell minst så stor som den målte hvis det egentlig ikke er noen forskjell. "
    "En liten p-verdi (under 0,05) betyr at forskjellen neppe skyldes tilfeldigheter.":
        "Kor sannsynleg det er å få ein skilnad minst så stor som den målte dersom det eigentleg ikkje er nokon "
        "skilnad. Ein liten p-verdi (under 0,05) tyder at skilnaden truleg ikkje kjem av tilfeldigheiter.",
    "z-test": "z-test",
    "En vanlig statistisk test av om to andeler er ulike: forskjellen sammenlignes med hvor mye andelene kunne "
    "variert bare fordi ikke alle er spurt.":
        "Ein vanleg statistisk test av om to delar er ulike: skilnaden blir samanlikna med kor mykje delane kunne ha "
        "variert berre fordi ikkje alle er spurde.",
    "BH (Benjamini–Hochberg)": "BH (Benjamini–Hochberg)",
    "En justering av p-verdiene når mange endringer eller forskjeller testes samtidig. Uten den ville noen av dem se "
    "sikre ut bare ved en tilfeldighet.":
        "Ei justering av p-verdiane når mange endringar eller skilnader blir testa samtidig. Utan henne ville nokre "
        "av dei sjå sikre ut berre ved ein tilfeldigheit.",
    "logit (logistisk regresjon)": "logit (logistisk regresjon)",
    "En statistisk modell for svar som er enten ja eller nei, her positivt svar eller ikke. Den viser sammenhengen "
    "med ett tema når de andre temaene og kontrollvariablene holdes like.":
        "Ein statistisk modell for svar som er anten ja eller nei, her positivt svar eller ikkje. Han viser "
        "samanhengen med eitt tema når dei andre temaa og kontrollvariablane blir haldne like.",
    "robust SE (robuste standardfeil)": "robust SE (robuste standardfeil)",
    "Usikkerheten i modellen regnet ut på en måte som tar hensyn til vektene, slik at intervallene ikke blir for "
    "smale.":
        "Uvissa i modellen rekna ut på ein måte som tek omsyn til vektene, slik at intervalla ikkje blir for smale.",
    "designeffekt og effektiv n": "designeffekt og effektiv n",
    "Vekting gjør tallene litt mer usikre enn om alle svar telte likt. Designeffekten sier hvor mye: med designeffekt "
    "1,25 er 1\u00a0000 vektede svar like sikre som 800 uvektede. De 800 kalles effektiv n (Kish).":
        "Vekting gjer tala litt meir usikre enn om alle svar talde likt. Designeffekten seier kor mykje: med "
        "designeffekt 1,25 er 1\u00a0000 vekta svar like sikre som 800 uvekta. Dei 800 blir kalla effektiv n (Kish).",
}

#: phrases of method notes made outside this module in bokmål (textmine.report.views / pipeline, textmine.summary)
#: and their nynorsk, for :func:`nn_text`: literal text, "{x}" for a value in between (a number, a wave); applied
#: in order, outside «…» only
NN_PHRASES: list[tuple[str, str]] = [
    # weights and confidence intervals (views._weights_text, the summary's ci_method)
    ("Vektet: andelene er beregnet med vektene i datafilen (variabelen ",
     "Vekta: delane er rekna ut med vektene i datafila (variabelen "),
    ("Vektet med ", "Vekta med "),
    ("Uvektet.", "Uvekta."),
    ("konfidensintervall: uvektet: {a}-intervall på n; vektet: {b}-intervall på Kish effektiv n",
     "konfidensintervall: uvekta: {a}-intervall på n; vekta: {b}-intervall på Kish effektiv n"),
    ("konfidensintervall: uvektet: {a}-intervall på n; vektet: logit-intervall på Kish effektiv n ({b} på effektiv n "
     "når andelen er 0 eller 1)", "konfidensintervall: uvekta: {a}-intervall på n; vekta: logit-intervall på Kish "
     "effektiv n ({b} på effektiv n når delen er 0 eller 1)"),
    # the test for change (the summary's test note; its interval's name as a value)
    ("95\u00a0% KI for forskjellen mellom to andeler: Newcombes hybride score-intervall (fra {a}-intervallene til de to "
     "andelene); p-verdi: to-utvalgs z-test med sammenslått standardfeil, eller Fishers eksakte test når en andel er "
     "0 % eller 100 % eller en forventet frekvens er under 5; vektet: på Kish effektiv n (eksakt test på avrundede "
     "effektive antall)",
     "95\u00a0% KI for skilnaden mellom to delar: Newcombes hybride score-intervall (frå {a}-intervalla til dei to "
     "delane); p-verdi: to-utvals z-test med samanslått standardfeil, eller Fishers eksakte test når ein del er 0 % "
     "eller 100 % eller ein forventa frekvens er under 5; vekta: på Kish effektiv n (eksakt test på avrunda effektive "
     "tal)"),
    # small groups (views.SUPPRESSION_TEXT)
    ("Tall for grupper med grunnlag under {n} (færre enn {m} svar) vises ikke, og sitater hentes aldri fra dem. For at "
     "de skjulte tallene ikke skal kunne regnes ut ved å trekke de viste gruppene fra totalen, er også noen større "
     "grupper skjult, så mange at heller ikke de skjulte gruppene til sammen er for små til å vises (sekundær "
     "skjuling). ",
     "Tal for grupper med grunnlag under {n} (færre enn {m} svar) blir ikkje viste, og sitat blir aldri henta frå dei. "
     "For at dei skjulte tala ikkje skal kunne reknast ut ved å trekkje dei viste gruppene frå totalen, er òg nokre "
     "større grupper skjulte, så mange at heller ikkje dei skjulte gruppene til saman er for små til å visast "
     "(sekundær skjuling). "),
    # cells hidden for their complement (views.COMPLEMENT_TEXT)
    ("Celler der under {n} i en av gruppene svarte annerledes enn resten (for eksempel 75 av 76 fornøyde), er også "
     "skjult, for at de få ikke skal kunne kjennes igjen. Alle skjulte celler er merket likt, uansett grunn, "
     "for at grunnen ikke skal røpe noe om tallet. ",
     "Celler der under {n} i ei av gruppene svara annleis enn resten (til dømes 75 av 76 nøgde), er òg skjulte, for "
     "at dei få ikkje skal kunne kjennast att. Alle skjulte celler er merkte likt, same kva grunnen er, for "
     "at grunnen ikkje skal røpe noko om talet. "),
    (" står for en gruppe med så få svar et sted i rapporten at også navnet er holdt tilbake; gruppen har samme "
     "nøytrale navn i alle tabeller og figurer, også der tallene vises, og slike grupper står sist.",
     " står for ei gruppe med så få svar ein stad i rapporten at òg namnet er halde tilbake; gruppa har same nøytrale "
     "namn i alle tabellar og figurar, òg der tala blir viste, og slike grupper står sist."),
    # indicators (views.method_notes)
    ("Andel positive = svar ", "Del positive = svar "),
    ("andel positive = svar ", "del positive = svar "),
    (" teller ikke som positive", " tel ikkje som positive"),
    ("svar utenfor skalaen", "svar utanfor skalaen"),
    (" er holdt utenfor grunnlaget.", " er haldne utanfor grunnlaget."),
    # the driver model (views.method_notes, views.controls_text; the summary's model names)
    (" blant dem som svarte på spørsmålet, med temaene og ", " blant dei som svarte på spørsmålet, med temaa og "),
    ("; gjennomsnittlig marginaleffekt i prosentpoeng.", "; gjennomsnittleg marginaleffekt i prosentpoeng."),
    ("ingen kontrollvariabler", "ingen kontrollvariablar"),
    ("kontrollvariablene ", "kontrollvariablane "),
    ("kontrollvariabler", "kontrollvariablar"),
    ("logit (gjennomsnittlig marginaleffekt, uvektet)", "logit (gjennomsnittleg marginaleffekt, uvekta)"),
    ("logit (gjennomsnittlig marginaleffekt, vektet, robust SE)",
     "logit (gjennomsnittleg marginaleffekt, vekta, robust SE)"),
    ("lineær sannsynlighetsmodell, ", "lineær sannsynsmodell, "),
    ("vektet WLS", "vekta WLS"),
    # quotes (views._quotes_text)
    ("Sitatene er valgt slik at de er representative og ulike",
     "Sitata er valde slik at dei er representative og ulike"),
    (" (likhet mellom svarene målt med ", " (likskap mellom svara målt med "),
    ("ordlikhet)", "ordlikskap)"),
    # coding agreement (pipeline)
    (" kommentarer: mikro-F1 ", " kommentarar: mikro-F1 "),
    ("dekning (recall)", "dekning (recall)"),
    ("helt like temasett", "heilt like temasett"),
    ("gjennomsnittlig Cohens kappa", "gjennomsnittleg Cohens kappa"),
    ("Ikke målt: de manuelt kodede svarene for måling ", "Ikkje målt: dei manuelt koda svara for måling "),
    (" ble brukt til å trene modellen, så samsvaret med dem sier ingenting om hvor treffsikker kodingen er.",
     " vart brukte til å trene modellen, så samsvaret med dei seier ingenting om kor treffsikker kodinga er."),
    (" Mot et eget testsett", " Mot eit eige testsett"),
    (" kommentarer)", " kommentarar)"),
    (" som ikke ble brukt i treningen, ga modellen ", " som ikkje vart brukt i treninga, gav modellen "),
    # codes read from files (pipeline._given_codes_text, _mixed_coding_text; views.mixed_coding_note)
    ("Kodene for ", "Kodane for "),
    (" er lest fra ferdig kodede filer og brukt som de er (ikke kodet på nytt).",
     " er henta frå ferdig koda filer og brukte som dei er (ikkje koda på nytt)."),
    (" De øvrige svarene er kodet automatisk (se ", " Dei andre svara er koda automatisk (sjå "),
    (" er kodene for måling ", " er kodane for måling "),
    (" lest fra filer (for eksempel gjennomgått og rettet manuelt), mens måling ",
     " henta frå filer (til dømes gjennomgått og retta manuelt), medan måling "),
    (" er kodet automatisk. Endringen mellom disse målingene blander derfor to måter å kode på, og kan skyldes "
     "kodingen og ikke bare en reell endring.",
     " er koda automatisk. Endringa mellom desse målingane blandar difor to måtar å kode på, og kan kome av kodinga og "
     "ikkje berre av ei reell endring."),
    ("Blandet koding (", "Blanda koding ("),
    # theme changes between waves coded by different coders (pipeline._mixed_coders_text, --allow-mixed-coding)
    (" er måling {x} kodet med ", " er måling {x} koda med "),
    ("zero-shot (uten en trent modell)", "zero-shot (utan ein trena modell)"),
    (" Endringene i temaandelene mellom disse målingene er derfor ikke testet (ikke testbar): de ville vist "
     "byttet av koder, ikke en endring blant respondentene.",
     " Endringane i temadelane mellom desse målingane er difor ikkje testa (ikkje testbar): dei ville vist bytet "
     "av kodar, ikkje ei endring blant respondentane."),
    # a theme the waves' codebooks define differently (views.redefined_note)
    ("Temaet er definert annerledes i ", "Temaet er definert annleis i "),
    (": endringen er ikke testet.", ": endringa er ikkje testa."),
    # a renamed or merged theme and an untested catch-all (views.codebook_change: the row's note, the chart's words)
    ("Sammenlignet med ", "Samanlikna med "),
    ("sammenlignet med ", "samanlikna med "),
    (", hver respondent telt én gang.", ", kvar respondent talt éin gong."),
    ("Ikke testbar: de andre temaene er endret mellom ", "Ikkje testbar: dei andre temaa er endra mellom "),
    ("de andre temaene er endret", "dei andre temaa er endra"),
    ("definert annerledes", "definert annleis"),
    ("): endringen kan skyldes kodingen og ikke bare en reell endring.",
     "): endringa kan kome av kodinga og ikkje berre av ei reell endring."),
    (": lest fra filer", ": henta frå filer"),
    (": kodet automatisk", ": koda automatisk"),
    # how the codes read from files were made (pipeline.recorded_coding_text, ORIGIN_TEXTS)
    ("Ingen automatisk koding i denne kjøringen: alle kodene er lest fra filer.",
     "Inga automatisk koding i denne køyringa: alle kodane er henta frå filer."),
    ("Slik ble kodene i filene laget: ", "Slik vart kodane i filene laga: "),
    ("kodet uten en modell trent på kodede svar (zero-shot: maskinkoder ut fra kodebokens temabeskrivelser alene, "
     "ikke kontrollert manuelt)",
     "koda utan ein modell trena på koda svar (zero-shot: maskinkodar ut frå temaskildringane i kodeboka åleine, "
     "ikkje kontrollert manuelt)"),
    ("manuelt gjennomgåtte og rettede koder", "manuelt gjennomgåtte og retta kodar"),
    ("kodet med en trent modell", "koda med ein trena modell"),
    ("ukjent (filen har ingen opplysninger om hvordan den ble kodet)",
     "ukjend (fila har ingen opplysningar om korleis ho vart koda)"),
]


def _phrase(bokmal: str, nynorsk: str) -> tuple[re.Pattern, str]:
    """A phrase pair as (pattern, replacement): "{x}" matches a value (no «» in it) and carries it over."""
    names = re.findall(r"\{(\w+)\}", bokmal)
    pattern = "".join(f"(?P<{p[1:-1]}>[^«»]+?)" if re.fullmatch(r"\{\w+\}", p) else re.escape(p)
                      for p in re.split(r"(\{\w+\})", bokmal) if p)
    repl = nynorsk.replace("\\", "\\\\")
    for name in names:
        repl = repl.replace("{" + name + "}", rf"\g<{name}>")
    return re.compile(pattern), repl


_NN_PHRASES: list[tuple[re.Pattern, str]] = [_phrase(b, n) for b, n in NN_PHRASES]
