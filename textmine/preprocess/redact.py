"""Personal-data redaction with typed placeholders and per-type counts.

Numbers are validated (fødselsnummer/D-nummer: both mod-11 check digits + a plausible date;
kontonummer and organisasjonsnummer: mod-11; IBAN: mod-97) and checked against their context so
amounts, years, durations, times and uncued case numbers ("2023/123456") stay. Names combine Faker's
``no_NO`` lists and ``name_first_no.txt`` with cue words ("saksbehandler X", "Hilsen X") and
capitalisation (lower-case and ALL-CAPS surnames follow a caught first name; a known first name + a
surname written as an ordinary word, "kari nordmann", is a pair; in capitals too: "KARI NORDMANN", "dr. JOHANSEN";
a particle inside a name, "Nguyen Van Anh"; a surname alone after a clear cue, "familien Nordmann", "K. Nordmann",
"Olsen-familien"). Foreign numbers with a country code ("+46 70 123 45 67", "0046 70 1234567") are phones.
Obfuscated e-mail ("kari (at) nav punktum no", "kari snabel-a nav punktum no"), social-media profile links
and handles ("@kari_nordmann92", "snap: karinordmann") are masked too.

Licence plates ([KJENNEMERKE]): two letters + 4-5 digits after a cue ("regnr", "kjennemerke", "skilt", "bil:") or
with a known prefix ("EL 12345"; ``plate_prefixes.txt``). Identifiers a cue names ([IDNUMMER]): patient, journal,
HPR, employee, passport, driving-licence and hospital H-numbers ("Pasient-ID 123456", "HPR-nummer 1234567",
"ansattnr 4711", "passnr 12345678", "hnr 12345") and an IPv4 address after an ip cue ("IP-adresse 10.0.0.1"); so
is a NAV case number right after its cue ("saksnr 22/12345", "sak nr. 21/4455-7", "ref.nr 22-12345": it points to
one person inside NAV), while one without the cue ("2023/123456"), a journal post or a customer number is the
organisation's reference and stays.
A personal-number cue right after 11 digits counts as one before them ("15038510191 som personnummer"), 11 digits
right after an account word are an account number whatever their check digit ("feil konto 9710 05 12345"), and a
lone capital initial right after a name goes with it ("Bjørn H.").

Gårds- og bruksnummer ([EIENDOM]: "gnr. 12 bnr. 34", "gnr/bnr 12/34") identify a property and its owner. A sole
proprietor's organisation number ("ENK"/"enkeltpersonforetak", or "org.nr" right after a person's name) is masked in
any grouping, a company's only with a valid check digit. Numbers spelled in words ("ni to tre fire fem seks sju åtte",
after a phone or personal-number word in the text) or with a letter O for a zero ("0101901248O") are read as digits.
A first name in a list of names ("Per, Kari, Ola og Lise"), a sentence-initial "Per" before a verb of speaking, a
Vietnamese three-part name ("Tran Thi Mai") and lower-case particles ("de la Cruz") are names; "vitamin D. Berg" (a
letter labelling a word, not an initial) and public agencies' pages ("facebook.com/navno", ``public_pages.txt``) stay.
A capitalised "Van" after a Vietnamese surname ("Tran Van Minh"), a list of ambiguous first names next to a person verb
("Kim, Eli og Per kom på intervju"), "gnr 45/7", "Bnr 3 gnr 12", "Eiendom 45/7", phones spelled with hyphens or tens +
units ("nitti to, trettifire, ...") and "+46 (0)70 ..." are caught; places in a list of places ("i Moss, Lier og Berg",
``place_names_no.txt``) and public pages with a dotted suffix ("facebook.com/politiet.oslo") stay. A letter l/I for
a one in a phone after a phone cue ("ring meg på 9l2 34 567"), a sole proprietor's number right before "ENK" ("Org nr:
998877665 (ENK, Kari Hansen)") and a sentence-initial ambiguous first name before a finite verb ("Per har vært
hjelpsom"; not "Per i dag", "Liv er viktig") are masked; "SAM-prosjektet" and "Sam- arbeidet" stay. The nynorsk
word "anna" ("Anna enn det er alt bra", a catch-all theme «anna») is an ambiguous first name; "Anna på NAV-kontoret
ringte" is a person. An address takes "i"/"på" + its town along ("Fjellvegen 3 i Førde", like ", 6800 Førde") but never
reads the preposition "i" after the number as a house letter ("Storgata 12 i stedet for …"). A name written surname
first is one name: "HANSEN KARI", "Strand Per" (capitalised, both words also ordinary words), "SANDE KARI" (in capitals
a surname on no list), and the register style with a comma ("Hansen, Kari", "hansen, kari", "HANSEN, KARI"). A run
of capitalised names ends in a listed surname that is also a word ("Muhammad Ali Khan") or, after two first names, in
a word on the same line that is no verb, preposition or place; a listed surname follows a person cue ("Saksbehandler
Khan"), and "per hansen" is a name where "per dag" stays (a lower-case surname that is no word). An H-number or Danish
CPR number after its cue, a plate with a hyphen after a plate cue ("skiltnr. AB-12345"), an e-mail spelled letter by
letter ("o l a @ n a v . n o") and "Postboks 5 Sentrum, 0101 Oslo" are masked. An H-number of 10 or 12 digits is
an id, not a personal number ("hnr 1234567890"); after a bare car word a unit or word is no plate ("bil kr12000",
"bilen er OK 12000"). "på" for "@" ("kari.nordmann på gmail.com"), a phone glued to its cue ("mobilnr91234567"), a
name run together ("KariNordmann", "Kari.Nordmann"), a spreadsheet float cell ("15038500047.0"), a flat number
("Storgata 12 H0203") and "Storgata 3,6800 Førde" are masked. So are a phone with a word glued after it ("på
91234567og") or after "å nå på"/"nås på" ("91 234 567"), a lower-case first name + initial ("ola n. har ikke svart";
an ambiguous one, "per n.", only after a person word such as "etter", "med", "til", "ring" or a cue), an ambiguous
first name after a role label + colon ("HR: Tone", "Leiar: Siv"; not "HR: Per telefon …"), "mvh. kari", a first name
next to its masked phone ("Tone på [TELEFON]", "[TELEFON] (Tore)") and a street + number after an address cue
whatever its ending ("Adressen min er Vestre Rosten 81"); "Gata heter Storgata" stays. So are "vh. trine", a
first name that is a month after a cue or joined by "og" to a name ("Takk til Mai og Rut", "HR: Mai Strand", "Mai og
Kari"; not "i Mai og Kari kom", "17. Mai", "Mai 2024"), a lower-case first name + initial after a role label + colon
("kontaktperson: tone b.", "ansatt: per n.") and a cued phone with its country code and a word glued after it ("ring
4791234567og", "tlf4791234567og").

Addresses ([ADRESSE]): a street name + house number (a house letter "12B", a range "12-14", a flat "H0203"), the
street known by its ending (Faker's ``no_NO`` suffixes + ``street_suffixes.txt``: "Storgata 12", "Kongens gate 5",
"Storgt 12", "kirkegt 5"; "Øvre"/"Vestre"/"St." before it), with its post code + town or "i"/"på" + town (", 6800
Førde", "i Mo i Rana"), and "Postboks 5 Sentrum, 0101 Oslo". After an address cue ("adressen (min) er", "adresse:",
"adr.") any street + number is one ("Adressen er Runden 2", "Adressa mi er Lia 7", "Øvre Ullern terrasse 5"); an
amount, duration or count after the number ("Sagt 3 ganger", "Adressen var feil 3 ganger"), an ordinary word before
it ("langt 12", "Uke 12"), a service ("Altinn 3"), an abbreviation or product ("adresse: spm 4", "Windows 10") stay;
"IP-adresse:", "e-postadresse:" are no address cue. A lower-case post code + town after it is merged unless a unit
or an ordinary bokmål/nynorsk word ("[ADRESSE], 1200 kvm", "2000 innbyggjarar"); a municipality or post town of
``post_towns_no.txt`` is a town also where it is a word, after a code that is no year ("5590 etne"); "X i Y" after a
code only when listed whole ("6893 vik i sogn", "8610 Mo i Rana") or Y listed and X not ("[ADRESSE] i Mai", "[ADRESSE]
i oslo" for "6893 vik i oslo"; "… i Oslo gate 7" is a street). A post box after an address label ("Postadresse: Boks
123"; a name after it is left to the name rules) and "postboks 4321 Sentrum" are masked. A number next in a list
after a phone ("91234567 98765432"; "ring 91234567,98765432" after a phone cue, no round amounts or consecutive
numbers) is one; a reference number's list ("ordrenummer 4791234567
4791234568") stays, and so do letters of a code glued after a number no phone starts like (0, 1, 8) after a
reference cue ("nr 12345678ab", not "nr 21234567ab", "tlf 91234567mvh"), and a listed nynorsk job title alone after
a role label ("Tilsett: Sjukepleiar"; not "Tilsett: Borgar", "Tilsett: Steinleiar"). A lower-case
"mai"/"august" + a listed surname after a role label is a name ("hr: mai strand").

Birth dates ([FØDSELSDATO]) only right after a birth cue ("født", "fødd", "f.", "fødselsdato", "bursdag", "DOB",
"born"): day + month (year optional) or month + year; ordinary dates, bare years, thresholds ("født før 1963",
"født etter 01.01.1963", "alle født 1.1.1963", "født 1.1.1954 til 31.12.1962") and an organisation's founding
date ("Bedriften ble født 12.03.1998") stay; "jeg er født ..." is always masked. Links ([LENKE]) only when
they carry an identifier (see ``_personal_url``): an identifying query parameter (``fnr``, ``id``,
``email``…), an e-mail or "@handle", a path segment of 6+ digits, personal data in its digits, a person-marker
segment followed by a name or number ("/profil/kari-nordmann", "/ansatte/4711"), a host or path segment that
is a first name + surname ("karinordmann.no", "/om-oss/kari-nordmann"), a personal-page host
("kari.blogspot.com", "github.com/kari", "wa.me/479…"). Organisational links ("nav.no", "www.nav.no/sykepenger",
"nav.no/person/kontakt-oss") and document ids on public-sector sites ("ssb.no/.../artikler/2845211") stay, and
the number rules do not cut into a kept link.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from .wordlists import read_list, read_list_optional, read_table, read_table_optional

PII_TYPES: tuple[str, ...] = (
    "fodselsnummer", "dnummer", "telefon", "epost", "kontonummer", "orgnummer", "adresse", "navn",
    "fodselsdato", "lenke", "kjennemerke", "idnummer", "eiendom",
)
PLACEHOLDERS: dict[str, str] = {
    "fodselsnummer": "[FØDSELSNUMMER]",
    "dnummer": "[DNUMMER]",
    "telefon": "[TELEFON]",
    "epost": "[EPOST]",
    "kontonummer": "[KONTONUMMER]",
    "orgnummer": "[ORGNUMMER]",
    "adresse": "[ADRESSE]",
    "navn": "[NAVN]",
    "fodselsdato": "[FØDSELSDATO]",
    "lenke": "[LENKE]",
    "kjennemerke": "[KJENNEMERKE]",
    "idnummer": "[IDNUMMER]",
    "eiendom": "[EIENDOM]",
}

# ---------------------------------------------------------------------------------------------
# Check digits
_FNR_W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_FNR_W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_ACC_W = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_ORG_W = (3, 2, 7, 6, 5, 4, 3, 2)


def _mod11(digits: str, weights: tuple[int, ...]) -> int | None:
    rest = sum(int(d) * w for d, w in zip(digits, weights)) % 11
    check = 0 if rest == 0 else 11 - rest
    return None if check == 10 else check


def personal_number_type(digits: str) -> str | None:
    """"fodselsnummer", "dnummer" or None for an 11-digit string (both check digits + date)."""
    if len(digits) != 11 or not digits.isdigit():
        return None
    if _mod11(digits[:9], _FNR_W1) != int(digits[9]) or _mod11(digits[:10], _FNR_W2) != int(digits[10]):
        return None
    day, month = int(digits[0:2]), int(digits[2:4])
    if month > 80:  # synthetic test numbers (Skatteetaten's Tenor) add 80 to the month
        month -= 80
    elif month > 40:  # H-numbers add 40 to the month
        month -= 40
    if not 1 <= month <= 12:
        return None
    if 41 <= day <= 71:
        return "dnummer"
    if 1 <= day <= 31:
        return "fodselsnummer"
    return None


def valid_account(digits: str) -> bool:
    """Norwegian bank account number (11 digits, mod-11)."""
    return len(digits) == 11 and digits.isdigit() and _mod11(digits[:10], _ACC_W) == int(digits[10])


def valid_iban_no(iban: str) -> bool:
    """Norwegian IBAN ("NO" + 13 digits, spaces allowed): ISO 7064 mod-97 or a valid account part."""
    s = iban.replace(" ", "").upper()
    if len(s) != 15 or not s.startswith("NO") or not s[2:].isdigit():
        return False
    return int(s[4:] + "2324" + s[2:4]) % 97 == 1 or valid_account(s[4:])


def valid_orgnr(digits: str) -> bool:
    """Organisation number (9 digits, mod-11)."""
    return len(digits) == 9 and digits.isdigit() and _mod11(digits[:8], _ORG_W) == int(digits[8])


# ---------------------------------------------------------------------------------------------
# Patterns
_LB = r"(?<![\d/,+\w])(?<!\d[.:-])(?<!\d )"
_RB = r"(?![\d%]|[.,:/-]\d|\w)"
_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]+(?:\s?@\s?|\s?\(at\)\s?|\s?\[at\]\s?)[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b", re.UNICODE
)
# Obfuscated e-mail: "(a)", "krøllalfa", " at ", spelled-out dots ("punktum", "(dot)"), "gmail . com", "gmail,com".
_OBF_AT = (r"(?:\s?[(\[]\s?(?:at|a|krøllalfa|alfakrøll|snabel-?a)\s?[)\]]\s?"
           r"|\s(?:at|på|paa|krøllalfa|alfakrøll|snabel-?a)\s|\s?@\s?)")
_OBF_DOT = r"(?:\s?[(\[]\s?(?:dot|punktum|prikk)\s?[)\]]\s?|\s(?:dot|punktum|prikk)\s|\s\.\s|\.)"
_TLD = r"(?:no|com|net|org|se|dk|nu|eu|io|info|online)"
_EMAIL_OBF = re.compile(
    rf"(?<![\w.+-])[\w+-]+(?:{_OBF_DOT}[\w+-]+){{0,8}}{_OBF_AT}[\w-]+(?:{_OBF_DOT}[\w-]+){{0,8}}"
    rf"(?:{_OBF_DOT}|\s\.\s?|\.\s|,){_TLD}\b",
    re.IGNORECASE,
)
# The same without spaced dots in the local part: a second pass finds the address in "greit . kari.nordmann at
# gmail.com", whose first match (from "greit") is refused (see Redactor._classify_email_obf).
_OBF_DOT_TIGHT = _OBF_DOT.replace(r"|\s\.\s", "")
_EMAIL_OBF_TIGHT = re.compile(
    rf"(?<![\w.+-])[\w+-]+(?:{_OBF_DOT_TIGHT}[\w+-]+){{0,8}}{_OBF_AT}[\w-]+(?:{_OBF_DOT}[\w-]+){{0,8}}"
    rf"(?:{_OBF_DOT}|\s\.\s?|\.\s|,){_TLD}\b",
    re.IGNORECASE,
)
# A bare " at " / " på " marker (no "@", brackets, "krøllalfa" or "snabel-a"): also a Norwegian word.
_BARE_AT = re.compile(r"\s(?:at|på|paa)\s", re.IGNORECASE)
# Social-media profile links name a person ("facebook.com/kari.nordmann", "linkedin.com/in/kari-n-123").
_PROFILE_URL = re.compile(
    r"(?<![\w.-])(?:https?://)?(?:www\.|m\.|no\.)?(?:facebook|fb|linkedin|instagram|twitter|x|tiktok|snapchat)\.com/"
    r"(?:in/|pub/|profile\.php\?id=|@)?[\w.%-]*[^\W\d_][\w.%?=&/-]*",
    re.IGNORECASE,
)
_EMAIL_GATE = re.compile(r"@|\(at\)|\[at\]|\(a\)|\[a\]|krøllalfa|alfakrøll|snabel|\sat\s"
                         r"|\sp(?:å|aa)\s[\w-]+(?:\s?[.,]|\s?[(\[]?\s?(?:dot|punktum|prikk)\b)", re.IGNORECASE)
# "på" for "@" ("kari.nordmann på gmail.com"): the local part must be shaped like an address (letters first, a dot
# or "_" inside), or a name or digits before a free-mail host ("ola på gmail.com"); "sykepenger på nav.no" stays.
_FREEMAIL = frozenset("gmail googlemail hotmail outlook live yahoo icloud me msn online proton protonmail".split())
_ABBREVIATIONS = frozenset("f.eks bl.a m.a m.m t.d t.o.m o.l e.l p.t d.v.s dvs osv evt ca mht iht vha".split())
_LOCAL_SHAPED = re.compile(rf"[^\W\d_][\w+-]*(?:(?:[._]|{_OBF_DOT})[\w+-]+)+", re.IGNORECASE)
# An explicit e-mail cue right before an address ("mailen min er", "epost:", "e-postadressen hennes er").
_EMAIL_CUE = re.compile(
    r"\b(?:e-?post|e-?mail|mail)\w*(?:\s+(?:min|mi|mitt|vår|vårt|hans|hennes|hennar|deres))?"
    r"\s*(?::|\s(?:er|var))?\s*$",
    re.IGNORECASE,
)
# Text shaped like a local part but none: a file ("sykmelding.pdf", "vedlegg.docx"), a host ("Lønn.no"), a clock
# time ("kl.08"), words joined by "_" ("Ting_som_ikke_virker").
_LOCAL_NOT = re.compile(
    r".*\.(?:pdf|docx?|xlsx?|csv|txt|odt|rtf|pptx?|jpe?g|png|gif|heic|zip|html?|no|com|net|org|se|dk)"
    r"|kl\.?\s?\d.*|[^_]+(?:_[^_]+){2,}",
    re.IGNORECASE,
)
# Two sentences run together ("vanskelig.Informasjonen"): a capital right after the dot.
_RUN_TOGETHER = re.compile(r"[.]\s?[A-ZÆØÅ]")
# An address spelled out letter by letter ("o l a @ n a v . n o"): single characters between single spaces.
_EMAIL_SPACED = re.compile(
    r"(?<!\S)[\w.+-](?: [\w.+-]){1,39} @(?: [\w-]){1,40}(?: \.(?: [\w-]){1,40}){0,3} \. (?:"
    + "|".join(" ".join(t) for t in ("no", "com", "net", "org", "se", "dk", "nu", "eu", "io", "info"))
    + r")(?=[.,;:!?)]?(?:\s|$))",
    re.IGNORECASE,
)
# "kari.nordmann@gmail" (no top-level domain): "@" glued to letters on both sides.
_EMAIL_BARE = re.compile(r"(?<![\w.+-])[\w.+-]*[^\W\d_][\w.+-]*@[^\W\d_][\w-]+(?![\w@-])")
_NUM11 = re.compile(
    _LB
    + r"(?:\d{11}|\d{6}[ .-]\d{5}|\d{6} \d{3} \d{2}|\d{4}[ .-]\d{2}[ .-]\d{5}|\d{2}[ .-]\d{2}[ .-]\d{2}[ .-]?\d{5})"
    + _RB
)
# A personal number written in groups as people write them, 2-2-2-5, 2-2-2-3-2, 6-5 or 6-3-2 ("15 03 85 101 90",
# "15.03.85 101 90", "150385-101-90"), one space, dot, hyphen or thin/no-break space between the groups: masked
# only when valid (both check digits + date), so amounts ("15 03 85 101 91 kr") and dates stay. It runs before the
# phone rules, so none of them takes a part of it, and once more after them ("912 34 567 15 03 85 101 90").
_FNR_SEP = r"[ .\-\u00a0\u2009\u202f]"
_FNR_GROUPED = re.compile(
    _LB + r"(?<!\d[\u00a0\u2009\u202f])"
    + rf"(?:\d{{2}}{_FNR_SEP}\d{{2}}{_FNR_SEP}\d{{2}}|\d{{6}}){_FNR_SEP}(?:\d{{5}}|\d{{3}}{_FNR_SEP}\d{{2}})"
    + _RB
)
# A list of personal numbers ("15038510190, 010190 12345 og 24 12 72 123 45"): the boundaries above refuse a number
# glued to a comma or right after another number's digits, so in a list only some were masked. The run is found
# whole, then each member that is valid (both check digits + date) is masked; the others are left to the rules.
_PNR_ONE = (rf"(?:\d{{11}}|\d{{6}}{_FNR_SEP}(?:\d{{5}}|\d{{3}}{_FNR_SEP}\d{{2}})"
            rf"|\d{{2}}{_FNR_SEP}\d{{2}}{_FNR_SEP}\d{{2}}{_FNR_SEP}(?:\d{{5}}|\d{{3}}{_FNR_SEP}\d{{2}}))")
_PNR_ONE_RE = re.compile(_PNR_ONE)
_PNR_LIST_JOIN = r"(?:\s*[,;&]\s*|\s+(?:og|eller|samt|and|or)\s+|\s+)"
_PNR_RUN = re.compile(_LB + _PNR_ONE + rf"(?:{_PNR_LIST_JOIN}{_PNR_ONE})+" + _RB)
# Birth date with a four-digit year + the 5-digit individual number ("01.01.1990 10046"): validated as ddmmyy+5.
_FNR_FULLYEAR = re.compile(_LB + r"\d{2}([ .-]?)\d{2}\1(?:19|20)\d{2}[ .-]?\d{5}" + _RB)
# An 11-digit run glued to letters, "/" or "," ("fnr/01019010046", "ID01019010046", "a,b"): only kept
# as a personal number (two check digits + date), never as an account number (one check digit).
_NUM11_GLUED = re.compile(r"(?<![\d+])(?<!\d[.:-])\d{11}(?![\d%]|[.:-]\d)")
# Any 11 digits grouped by single spaces/dots/dashes: only after a personal-number cue ("fnr 010 190 100 46").
_NUM11_LOOSE = re.compile(_LB + r"\d(?:[ .-]?\d){10}" + _RB)
_PNR_WORD = (r"(?:\bf\.?nr|\bfødsels?n(?:umme)?r\w*|\bperson(?:nummer|nr)\w*|\bp\.?nr|\bd-?n(?:umme)?r\w*"
             r"|\bpersonlig\s+id\w*"
             r"|\bh-?n(?:umme)?r\w*|\bcpr(?:-?n(?:umme)?r)?\w*)")  # H-number ("hnr", "h-nr"), Danish CPR number
_PNR_GATE = re.compile(_PNR_WORD, re.IGNORECASE)  # any personal-number cue in the text (a cheap gate)
_PNR_CUE = re.compile(_PNR_WORD + r"\.?\s*[:.]?\s*(?:er|:)?\s*$", re.IGNORECASE)
# The cue a few words earlier in the same sentence ("Fødselsnummer til den ansatte er 01017012345"): only
# letters between, no digits or sentence end.
_PNR_CUE_NEAR = re.compile(_PNR_WORD + r"(?:\s+[^\W\d_]+){1,5}\s*[:.]?\s*$", re.IGNORECASE)
# The cue right after the number ("15038510191 som personnummer", "… (d-nummer)", "…, fnr til den ansatte", "… er
# fødselsnummeret hans"): a possessive or "riktige"/"nye" may stand between, no other word ("… søknader om
# personnummer" stays).
_PNR_CUE_AFTER = re.compile(
    r"\s*(?:[(,:–-]\s*)?(?:(?:som|er|var|=)\s+)?"
    r"(?:(?:mitt|min|mi|hans|hennes|hennar|sitt|vårt|deres|det|den|et|eit|ett|riktige|rette|nye|gamle)\s+){0,2}"
    + _PNR_WORD,
    re.IGNORECASE,
)
# After a personal-number cue, 11 digits written plain or as birth date + individual number ("240492 12346")
# are the writer's personal number even with wrong check digits (a typo or a made-up digit still identifies);
# a D-nummer after a "d-nr" cue or with day + 40.
_DNR_CUE = re.compile(r"\bd-?n(?:umme)?r\w*\.?\s*[:.]?\s*(?:er|:)?\s*/?$", re.IGNORECASE)
# 10 or 12 digits after a personal-number cue (any grouping: "240492 1234", "24049212345 6"): a personal
# number with one digit missing or one too many. Only the cue makes them one (see _classify_pnr_typo); the
# right boundary also refuses a following separated digit, so the run is whole ("01 01 90 10 04 6" is 11).
_PNR_TYPO = re.compile(_LB + r"\d(?:[ .-]?\d){9}(?:(?:[ .-]?\d){2})?" + r"(?![\d%]|[ .,:/-]\d|\w)")
# The same run glued to the cue or after "/" ("fnr0101901004", "fnr/010190100461"): digits only.
_PNR_TYPO_GLUED = re.compile(r"(?<=[^\W\d_/]|/)(?:\d{10}|\d{12})(?![\d%]|[ .,:/-]\d|\w)")
# Norwegian IBAN: NO + 2 check digits + 11-digit account ("NO93 8601 1117 947", "NO9386011117947").
_IBAN = re.compile(r"(?<![\w-])NO ?\d{2}(?: ?\d{4}){2} ?\d{3}(?![\d%]|[.,:/-]\d|\w)", re.IGNORECASE)
# Two mobile/landline numbers joined by "/" without spaces ("41234567/91234567").
_PHONE_PAIR = re.compile(_LB + r"[2-9]\d{7}(?:/[2-9]\d{7})+" + _RB)
# The same joined by a comma with no space ("ring 91234567,98765432"), only after a phone cue
# (Redactor._classify_phone_pair_comma); a decimal amount has fewer digits after it.
_PHONE_PAIR_COMMA = re.compile(_LB + r"[2-9]\d{7}(?:,[2-9]\d{7})+" + _RB)
_ORG = re.compile(_LB + r"(?:\d{9}|\d{3}[ .]\d{3}[ .]\d{3})" + _RB)
_PHONE_CC = re.compile(
    r"(?<![\w+])\(?(?:\+|00) ?47\)?[ .-]?(?:\(0\)[ .-]?)?"  # "+47 (0)91234567": the trunk zero in brackets
    r"(?:\d{8}|\d{3}[ .-]?\d{2}[ .-]?\d{3}|\d{2}[ .-]?\d{2}[ .-]?\d{2}[ .-]?\d{2}|\d{4}[ .-]?\d{4})(?!\d)"
)
# A foreign number with a country code ("+46 70 123 45 67", "+44 7700 900123", "0046 70 1234567"): "+" or "00",
# a country code other than 47 (see _PHONE_CC), 8-15 digits in all, single spaces/dashes between; not "00" after
# "digit-" ("150385-00651 91234567" is a personal number with a phone after it).
_PHONE_INTL = re.compile(
    r"(?<![\w+.,/:])(?<!\d )(?<!\d-)(?:\+|00)(?!47)[1-9]\d(?: ?\(0\))?(?:[ -]?\d){6,13}(?![\d%]|[ .,:/-]\d|\w)"
)
# The country code in brackets ("(+46) 70 123 45 67", "(0046) 701234567"); "(+47)" is _PHONE_CC's.
_PHONE_INTL_BRACKET = re.compile(
    r"(?<![\w+])\((?:\+|00)(?!47\))[1-9]\d{0,2}\)[ -]?\d(?:[ -]?\d){5,12}(?![\d%]|[ .,:/-]\d|\w)"
)
_ISO_DATE_LIKE = re.compile(r"^(?:\+|00)?\d{4}-\d{2}-\d{2}$")
_PHONE = re.compile(
    _LB
    + r"(?:[2-9]\d{7}|[2-9]\d{2}[ .-]\d{2}[ .-]\d{3}|[2-9]\d[ .-]\d{2}[ .-]\d{2}[ .-]\d{2}|[2-9]\d{3}[ .-]\d{4})"
    + _RB
)
_PHONE_CUE = re.compile(
    r"(?:\b(?:tlf|telefon\w*|mobil\w*|mob|tel|sms|direktenummer|tlf\.?nr|nummer(?:et)?|nr)\.?"
    r"(?:\s+(?:mitt|min|mi|hans|hennes|hennar|vårt|vår))?"
    r"|\bring\w*(?:\s+(?:meg|oss|ham|henne|han|ho|dei|dem|meg))?(?:\s+(?:tilbake|opp))?"
    r"|\bnå\s+(?:meg|oss|ham|henne|han|ho)|\bå\s+nå\s+på|\bnås\s+på|\btreff\w*(?:\s+(?:meg|oss))?)"
    r"\s*[:.]?\s*(?:på|til|er|:)?\s*$",
    re.IGNORECASE,
)
# A phone glued to its cue word ("mobilnr91234567", "tlf91234567", "ring91234567"): 8 digits, a mobile or landline;
# a country code and a word glued after it too ("tlf4791234567og").
_PHONE_GLUED = re.compile(
    r"\b(?:tlf\.?(?:nr)?|telefon(?:nr|nummer)?|mob(?:il)?(?:nr|nummer)?|tel|ring|sms)\.?"
    r"(?P<n>(?:\+47|0047|47)?[2-9]\d{7})(?![\d%_]|[.,:/-]\d)",  # a word may follow, glued ("tlf91234567og")
    re.IGNORECASE,
)
# Lower-case street words inside a street name after an address cue ("Øvre Ullern terrasse 5").
_STREET_WORDS_LOWER = r"(?:terrasse|gate|gata|vei|veien|veg|vegen|allé|plass|plassen|bakken|torg|brygge|stredet)"
# Words after a number that make it a count, not a house number ("Adressen var feil 3 ganger").
# A lower-case post code + town right after a masked address ("[ADRESSE], 0150 oslo"), merged into it when the
# word is a town (Redactor._not_town), not a year or an amount ("[ADRESSE], 2019 var", "[ADRESSE], 1500 kr").
# Also without the comma ("[ADRESSE] 0150 oslo") and a known "X i Y" town ("8610 mo i rana").
_LOWER_POST = re.compile(
    r"\[ADRESSE\](?:,[ \t]{0,2}|[ \t])\d{4}[ \t]"
    r"(?P<t>[a-zæøå][a-zæøå-]*(?:[ \t]i[ \t][a-zæøå][a-zæøå-]*)?)(?![\w-])"
)
_POST_CODE = re.compile(r"\d{4}")
# Units a number after an address may count ("[ADRESSE], 1200 kvm"): no town (shorter ones, "m2", "km", are no town
# either: Redactor._not_town).
_UNIT_WORDS = frozenset("kvm daa dekar mål stk prosent pst liter tonn meter".split())
# Abbreviations and product, service and protocol names that are no street, in any case ("adresse: spm 4",
# "Adresse: Windows 10", "adr: mob 4", "IP-adresse: ipv 6").
_NOT_STREET = frozenset(
    "spm ref avd tlf mob str oppg kvm etg evt vers jf alt bnr gnr knr fnr snr vedlegg kode pin"
    " windows office iphone ipad ios android chrome edge firefox safari covid http https www ipv ip eth mac"
    " gmail hotmail outlook sharepoint teams minside bankid altinn feilkode nettleser epost e-post".split()
)
# Lower-case words that are never a street before a number after an address cue ("adresse: nr 12", "Adressen er
# oppdatert per 1. januar", "var feil hos 3"); nor are ordinary words (Redactor._classify_address_cued).
_NOT_STREET_LOWER = _NOT_STREET | frozenset(
    "i på per pr hos av til fra frå med ved om over under etter før for mot nr no kap s side tab fig pkt punkt"
    " vedl ca kl rom".split()
)
_ADDRESS_NEG_AFTER = re.compile(r"^\s*(?:ganger|gonger|gang|gong)\b", re.IGNORECASE)
# A street + house number right after an address cue, whatever the street's ending ("Adressen min er Vestre Rosten
# 81", "Adr: Ringshaug 12 B", "Adressa mi er Lia 7", "Øvre Ullern terrasse 5"); the cue stays. Which ones count:
# Redactor._classify_address_cued.
_ADDRESS_CUED = re.compile(
    r"(?i:(?<!\w)(?<!ip-)(?<!mac-)(?<!\be-)(?:post|besøks|hjemme|heime|bosteds|bustad|privat)?(?:adresse[n]?|adressa)"
    r"|(?<!\w)(?<!ip-)(?<!mac-)adr\.?)"
    r"(?:\s+(?i:min|mi|mitt|hans|hennes|hennar|vår|deres|er|var|e|blir)){0,3}\s*:?\s+"
    r"(?P<a>[A-ZÆØÅ][a-zæøåéü'.-]*\s(?:(?:[A-ZÆØÅ][a-zæøåéü'.-]*|" + _STREET_WORDS_LOWER + r")\s){0,3}"
    r"\d{1,4}(?:(?:[A-Za-z]|\s[A-Za-hj-z])(?![\wæøå]))?"
    r"(?:(?:,\s?|\s)\d{4}\s[A-ZÆØÅ][\wæøå-]+|\s(?:i|på)\s[A-ZÆØÅ][\wæøå-]+)?"
    # the same in lower case: one or two words ("adr: ringshaug 12 b", "adresse: storgata 5")
    r"|[a-zæøå][a-zæøåéü'.-]*\s(?:[a-zæøå][a-zæøåéü'.-]*\s)?\d{1,4}(?:(?:[a-z]|\s[a-hj-z])(?![\wæøå]))?"
    r")(?![\d,.]\d|\w)"
)
# A post box after an address label ("Postadresse: Boks 123", "Adresse: postboks 4321 Sentrum"), with the town after
# it (Redactor._redact_postbox_cued).
_POSTBOX_CUED = re.compile(
    r"(?i:(?<![\w-])(?:post|besøks)?(?:adresse[n]?|adressa)|(?<![\w-])adr\.?)(?:\s+(?i:min|mi|mitt|vår|er|var)){0,2}"
    r"\s*:?\s+(?P<a>(?i:post)?[Bb]oks\s\d{1,5})"
    r"(?P<t>(?:\s[A-ZÆØÅ][a-zæøå-]+|\s[a-zæøå][a-zæøå-]+)(?![\w-]|\s\d(?!\d{3}\s[A-ZÆØÅa-zæøå])))?"  # no street number
    r"(?P<p>(?:,\s?|\s)\d{4}\s[A-ZÆØÅ][\wæøå-]+)?(?![\d,.]\d|\w)"
)
_CAP_WORD_NEXT = re.compile(r"[ \t]+[A-ZÆØÅ]")  # a capitalised word next: a name goes on ("Boks 12 Kari Nordmann")
# A word glued right after a number ("91234567og", "912 34 567takk"), also a one-letter word "i"/"å" before a space
# ("ring 91234567i dag").
_GLUED_WORD = r"(?=[^\W\d_]{2,}(?!\w)|[iIåÅ][ \t])"
_GLUED_LETTERS = re.compile(r"[^\W\d_]+")
# A reference cue right before a number with a code's letters glued after it ("nr 12345678ab", "ordre: 12345678AB").
_REF_CUE_GLUED = re.compile(r"(?<![\w-])(?:nr|ordre\w*|ref\w*|sak\w*)\.?[ \t]*[:.]?[ \t]*$", re.IGNORECASE)
# A mobile or landline number with a word glued after it and no cue glued before ("på 91234567og", "912 34 567takk");
# classified as _PHONE's matches (amounts with a glued unit, dates, public numbers stay).
_PHONE_GLUED_WORD = re.compile(
    _LB + r"(?:[2-9]\d{7}|[2-9]\d{2} \d{2} \d{3}|[2-9]\d \d{2} \d{2} \d{2})" + _GLUED_WORD
)
# Any first digit and any grouping ("05 93 06 04", "412 345 67", "47 91 23 45 67") -- only right after a phone cue;
# also with a word glued after it ("ring 4791234567og"), unless that word is a unit ("ring 12345678kr").
_PHONE_ANY_BODY = r"(?:47[ .-]?)?\d(?:[ .-]?\d){7}"
_PHONE_ANY = re.compile(_LB + _PHONE_ANY_BODY + _RB)
_PHONE_ANY_GLUED = re.compile(_LB + _PHONE_ANY_BODY + _GLUED_WORD)
# A Norwegian mobile (4/9 + 7 digits) with the country code 47 and no "+"/"00", without a cue ("nummeret mitt er
# 4791234567", "47 91234567"); classified by the words around it as _PHONE's matches (amounts, references stay).
# Also one with a word glued after it; the next ones of a list are _PHONE_LIST_NEXT's.
_PHONE_CC_BARE = re.compile(
    _LB + r"47[ .-]?[49]\d{7}" + r"(?:" + _RB + "|" + _GLUED_WORD + r"|(?=/47[ .-]?[49]\d{7}(?!\d)))"
)
# A mobile number (with or without "47") next in a list ("[TELEFON] 98765432", "4791234567 4798765432", "47 91234567/
# 47 98765432", "…, 4798765432", "… og 4798765432"): a phone only if the item before it was one
# (Redactor._classify_phone_list_next), so "ordrenummer 4791234567 4791234568" stays.
_PHONE_LIST_NEXT = re.compile(r"(?<![\w.,-])(?:47[ .-]?)?[49]\d{7}" + _RB)
_PHONE_LIST_PREV = re.compile(
    r"(?P<n>\[TELEFON\]|(?<![\w.,/+-])(?:47[ .-]?)?[49]\d{7})(?:[ \t]*[,/][ \t]*|[ \t]+(?:og|eller)[ \t]+|[ \t]+)$"
)
# A clock-time range ("0800-1530", "08.00-15.30"), not a phone after "telefontid".
_TIME_RANGE = re.compile(r"^(?:[01]\d|2[0-3])([.:]?)[0-5]\d ?- ?(?:[01]\d|2[0-3])\1[0-5]\d$")
# A reference number's own cue right before the digits ("faktura nr 12345678", "Ordrenummer 4711 2024", "kundenr:"):
# the "nr" there is no phone cue.
_REF_NUMBER_BEFORE = re.compile(
    r"\b(?:ordre|faktura|kunde|avtale|lisens|serie|dokument|journal|vedtaks?|saks?|referanse|ref|bestilling\w*)"
    r"[\s.-]?(?:nr|nummer(?:et)?)\.?\s*[:.]?\s*(?:(?:er|var)\s+)?$",
    re.IGNORECASE,
)
# A telecom customer number is often the mobile number ("kundenr 91234567"); a phone cue earlier in the clause
# ("Ring meg, kundenr er 91234567", "ring saks nr. 91234567") makes the number after a reference cue a phone.
_CUSTOMER_NR_BEFORE = re.compile(r"\bkunde[\s.-]?(?:nr|nummer(?:et)?)\.?\s*[:.]?\s*(?:(?:er|var)\s+)?$",
                                 re.IGNORECASE)
_CLAUSE_PHONE_CUE = re.compile(r"\b(?:ring|ringe|tlf|telefon(?:nr|nummer)?|mobil(?:nr|nummer)?|sms)\b"
    r"(?:[^.!?;\n]|\.(?=[ \t]*(?:[a-zæøå\d]|$)))*$",  # an abbreviation's period ("tlf. nr.") ends no clause
                               re.IGNORECASE)
_NUMBER_NEG_BEFORE = re.compile(
    r"(?:\bkr|\bkroner|\bnok|\bsaks?nr|\bsaksnummer\w*|\bsak|\bref|\breferanse\w*|\bjournal\w*|\bdokument\w*"
    r"|\bfaktura\w*|\bvedtak\w*|\bkid|\bkonto\w*|\borg\w*|\bid|\bkode|\bbeløp\w*|\bsum|\bpostnr|\bpostnummer"
    r"|\bårene|\bperioden)\.?\s*[:.]?\s*(?:nr\.?\s*)?$",
    re.IGNORECASE,
)
_NUMBER_NEG_AFTER = re.compile(
    r"^\s*(?:kr\b|kroner|nok\b|,-|mill|milliard|%|prosent|timer|time\b|t\b|dager|dag\b|døgn|uker|uke\b|min\b|minutt"
    r"|sek|år\b|måneder|mnd|ansatte|stk|personer|saker|kilo|kg|km)",
    re.IGNORECASE,
)
_ACCOUNT_CUE = re.compile(r"(?:konto\w*|kontonr|bankkonto\w*)\.?\s*[:.]?\s*(?:nr\.?\s*)?(?:er|:)?\s*$", re.IGNORECASE)
# An account word right before the number ("feil konto", "kontonummer:", "bankkontoen min er"; not "kontoret"): 11
# digits there are an account number whatever their check digit (people mistype).
_ACCOUNT_CUE_STRICT = re.compile(
    r"(?<![\w-])(?:bank)?konto(?:en|nr|nummer|nummeret|nummer\s+mitt)?\.?\s*[:.]?\s*(?:nr\.?\s*)?"
    r"(?:(?:mitt|min|mi|vårt|vår|hans|hennes|hennar|sitt|deres)\s+)?(?:(?:er|var)\s*)?[:.]?\s*$",
    re.IGNORECASE,
)
_YEAR = re.compile(r"^(?:19|20)\d\d$")
# A year + dash + 4-digit running number ("2024-0001"): a respondent/case id unless a phone cue precedes it.
_YEAR_SERIAL = re.compile(r"^(?:19|20)\d\d-\d{4}$")
_ANY_DIGIT = re.compile(r"\d")
_CAMEL_GATE = re.compile(r"[a-zæøå][A-ZÆØÅ]")
_NOT_ACCOUNT_BEFORE = re.compile(
    r"(?:ordre|faktura|kunde|ref|referanse|sak|saks|journal|dokument|avtale|lisens|serie|kid|vedtak)\w*\.?\s*"
    r"(?:nr|nummer)?\.?\s*[:.]?\s*$",
    re.IGNORECASE,
)

# -- identifiers a cue names: patient/journal/HPR/employee/H-numbers -------------------------------------
# "Pasient-ID 123456", "journalnr 98765", "HPR-nummer 1234567", "ansattnr 4711", "h-nr 123456": personal. A NAV
# case number ("saksnr"), a document's journal post ("journalpost"), a customer or invoice number stay (an
# organisation's reference, see _NUMBER_NEG_BEFORE).
_ID_WORD = (
    r"(?:\bpasient[\s-]?(?:id\w*|nr|nummer\w*)|\bjournal[\s-]?(?:nr|nummer\w*)|\bhpr(?:[\s-]?(?:nr|nummer\w*))?"
    r"|\bhelsepersonellnummer\w*|\bansatt[\s-]?(?:nr|nummer\w*|id)|\btilsett[\s-]?(?:nr|nummer\w*)"
    r"|\bpersonal[\s-]?(?:nr|nummer\w*)|\blønns[\s-]?(?:nr|nummer\w*)"
    r"|\bpass[\s-]?(?:nr|nummer\w*)|\bførerkort[\s-]?(?:nr|nummer\w*)"
    r"|\bh-?n(?:umme)?r\w*|\bhjelpenummer\w*)"  # a hospital's H-number (hjelpenummer) of any length
)
_ID_GATE = re.compile(
    r"pasient|journal|hpr|helsepersonellnummer|ansatt|tilsett|personal|lønns|pass|førerkort|\bh-?n(?:umme)?r"
    r"|hjelpenummer",
    re.IGNORECASE,
)
_ID_CUE = re.compile(
    _ID_WORD + r"\.?\s*[:.#]?\s*(?:(?:hans|hennes|mitt|min|vårt|sitt|deres|til\s+\w+)\s+)?"
    r"(?:(?:er|var|nr\.?)\s*[:.]?\s*)?$",
    re.IGNORECASE,
)
# A case number after its cue ("saksnr 22/12345", "Saksnummer: 2023/123456", "sak nr. 21/4455-7", "ref.nr 22-12345",
# "referanse 22/12345 og 22/12399"): a NAV case points to one person inside NAV ([IDNUMMER]). Only digits joined by
# "/" or "-" (a plain run after "saksnr" keeps the number rules), and never without the cue ("2023/123456" stays).
_CASE_CUE = (
    r"(?:saks?\.?\s?nr\.?|saks?nummer(?:et)?|sak\s+(?:nr\.?|nummer)|saksreferanse(?:n)?|ref\.?\s?nr\.?"
    r"|ref\.?\s?nummer(?:et)?|referanse(?:n|nummer(?:et)?|nr\.?)?)"
)
_CASE_DIGITS = r"\d{1,4}\s?[/-]\s?\d{1,8}(?:\s?[/-]\s?\d{1,8})?"
CASE_NUMBER_CUED = re.compile(
    r"(?<![\w-])" + _CASE_CUE + r"\s*[:.#]?\s*(?:(?:er|var|nr\.?)\s*[:.]?\s*)?"
    rf"(?P<n>{_CASE_DIGITS}(?:\s*(?:,|og|eller)\s*{_CASE_DIGITS})*)(?![\w-]|[.,/]\d)",
    re.IGNORECASE,
)
# An IPv4 address right after an "ip"/"IP-adresse" cue ("ip 192.168.1.10"): a version number ("versjon 1.2.3.4")
# or a clock time stays.
_IPV4 = re.compile(r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\w.]|\.\d)")
_IP_GATE = re.compile(r"\bip\b|\bip-?adr", re.IGNORECASE)
_IP_CUE = re.compile(r"\bip(?:[\s-]?adresse\w*|[\s-]?adr\.?)?\s*[:.]?\s*(?:(?:er|var)\s*[:.]?\s*)?$", re.IGNORECASE)
# A letter-prefixed passport/licence number after an id cue ("pass nr. FN1234567", "passnr AB123456").
_ID_ALNUM = re.compile(r"(?<![\w-])(?:[A-Z]{1,2} |[A-Za-z]{1,2})\d{6,9}(?![\w-])")
_ID_NUM = re.compile(r"(?<![\d/,+])(?<!\d[.:-])(?<!\d )\d{3,12}" + _RB)
# the same number written in groups after its cue ("h-nr: 12 34 56", "journalnr 98 765", "hjelpenummer 1234 5678")
_ID_NUM_GROUPED = re.compile(r"(?<![\d/,+])(?<!\d[.:-])(?<!\d )\d{2,4}(?:[ .-]\d{2,4}){1,5}" + _RB)
# -- a property's gårds- og bruksnummer ("gnr. 12 bnr. 34", "gnr/bnr 12/34", "gårdsnummer 12, bruksnummer 34"), with
# an optional feste-/seksjonsnummer: identifies a property and so its owner ([EIENDOM]).
_GNR_GATE = re.compile(r"g\.?\s?nr|gårdsn|b\.?\s?nr|bruksn|eiendom|tomt", re.IGNORECASE)
_GNR_WORD = r"(?:g\.?\s?nr\.?|gårds?n(?:umme)?r\.?)"
_BNR_WORD = r"(?:b\.?\s?nr\.?|bruks?n(?:umme)?r\.?)"
_GNR_TAIL = r"(?:,?\s?(?:f\.?\s?nr\.?|festen(?:umme)?r\.?|s\.?\s?nr\.?|seksjonsn(?:umme)?r\.?)\s?:?\s?\d{1,4})?"
_GNR = re.compile(
    rf"(?<![\w])(?:{_GNR_WORD}\s?:?\s?\d{{1,4}}\s?[,/]?\s?(?:og\s)?{_BNR_WORD}\s?:?\s?\d{{1,4}}"
    rf"|{_GNR_WORD}\s?/\s?{_BNR_WORD}\s?:?\s?\d{{1,4}}\s?/\s?\d{{1,4}}(?:\s?/\s?\d{{1,4}})?"
    rf"|{_BNR_WORD}\s?:?\s?\d{{1,4}}\s?[,/]?\s?(?:og\s)?{_GNR_WORD}\s?:?\s?\d{{1,4}}"  # reversed: "bnr 3 gnr 12"
    rf"|{_GNR_WORD}\s?:?\s?\d{{1,4}}(?:\s?/\s?\d{{1,4}}){{0,2}})"  # "gnr 45/7", "gnr. 12" alone
    rf"{_GNR_TAIL}(?![\d]|[.,]\d)",
    re.IGNORECASE,
)
# A property word + gnr/bnr written as a fraction ("eiendom 45/7", "tomten 12/34"); a year first ("2023/45") is a
# case number and stays, and so does "sak 45/7" (no property word).
_PROPERTY_FRACTION = re.compile(
    r"(?<![\w])(?:eiendom(?:men)?|tomt(?:en)?)\s?:?\s?(?:nr\.?\s?)?(?P<n>(?!(?:19|20)\d\d\b)\d{1,4}\s?/\s?\d{1,4})"
    r"(?![\d]|[.,/]\d)",
    re.IGNORECASE,
)
# -- a letter O typed for a zero in a number ("0101901248O", "9234567O"): read as digits, then as the number it is.
_O_FOR_ZERO = re.compile(r"(?<![\w])(?=[\dOo]*[Oo])(?=(?:[Oo]*\d){6})[\dOo]{8,11}(?!\w)")
# -- digits spelled as words ("ni to tre fire fem seks sju åtte", "nittito trettifire femtiseks syttiåtte").
_UNITS = {"null": "0", "en": "1", "ein": "1", "én": "1", "to": "2", "tre": "3", "fire": "4", "fem": "5", "seks": "6",
          "sju": "7", "syv": "7", "åtte": "8", "ni": "9"}
_TEENS = {"ti": "10", "elleve": "11", "tolv": "12", "tretten": "13", "fjorten": "14", "femten": "15", "seksten": "16",
          "sytten": "17", "atten": "18", "nitten": "19"}
_TENS = {"tjue": "2", "tyve": "2", "tretti": "3", "tredve": "3", "førti": "4", "femti": "5",
         "seksti": "6", "sytti": "7", "åtti": "8", "nitti": "9"}
def _alternatives(words) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


# A tens word joins the unit after it, also across a space ("nitti to" = 92); up to 15 groups, so a spelled
# international number fits ("null null fire seks sju null ...").
_NUMBER_WORD = rf"(?:(?:{_alternatives(_TENS)})[- ]?(?:{_alternatives(_UNITS)})?|{_alternatives({**_UNITS, **_TEENS})})"
_SPELLED = re.compile(rf"(?<![\w-]){_NUMBER_WORD}(?:[ ,-]\s?{_NUMBER_WORD}){{3,14}}(?![\w-])", re.IGNORECASE)
_SPELLED_TOKEN = re.compile(_NUMBER_WORD, re.IGNORECASE)
# Spelled digits are only looked for in a text with 3+ different number words (a cheap set intersection).
_NUMBER_WORDS = frozenset(
    [*_UNITS, *_TEENS, *_TENS]
    + [t + sep + u for t in _TENS for u in _UNITS if u not in ("null", "én") for sep in ("", "-")]
)
_O_GATE = re.compile(r"\d[Oo]|[Oo]\d")
# -- a letter l/I typed for a one inside a phone number after a phone cue ("ring meg på 9l2 34 567"): only in a
# phone's grouping (8 together, 3-2-3, 2-2-2-2, 4-4) with 6+ real digits, so words and codes ("Il", "l0") stay.
_PHONE_CHAR = r"[\dOolI]"
_L_FOR_ONE = re.compile(
    r"(?<![\w+])(?P<cc>\(?(?:\+|00) ?47\)?[ .-]?)?"  # "+47 9l2 34 567": the country code is a cue of its own
    r"(?:{c}{{8}}|{c}{{3}}[ .-]{c}{{2}}[ .-]{c}{{3}}|{c}{{2}}(?:[ .-]{c}{{2}}){{3}}|{c}{{4}}[ .-]{c}{{4}})"
    .format(c=_PHONE_CHAR) + r"(?![\w]|[ .,:/-]\d)"
)
_L_GATE = re.compile(r"\d[lI]|[lI]\d")
# Cues that make an l/I number a phone besides _PHONE_CUE: a phone just before ("[TELEFON] eller 9l2 34 568") and
# a cue right after it ("9l2 34 567 er nummeret mitt", "9l2 34 567 (mobil)").
_PHONE_BEFORE_SECOND = re.compile(r"\[TELEFON\]\s*,?\s*(?:eller|og|/|,)\s*$", re.IGNORECASE)
_PHONE_CUE_AFTER = re.compile(
    r"\s*(?:(?:er|var)\s+(?:(?:det\s+)?(?:nye\s+)?(?:tlf\.?|telefon|mobil)?nummer(?:et)?|telefonen|mobilen)\b"
    r"|\(?\s*(?:tlf|telefon|mobil|mob)\b)",
    re.IGNORECASE,
)
_LETTER_DIGITS = str.maketrans("OolI", "0011")
# -- a sole proprietor's organisation number: after "enkeltpersonforetak"/"ENK" in the same phrase, any 9 digits in
# any grouping (also a mistyped check digit) are the owner's number.
_ENK_CUE = re.compile(r"\b(?:(?i:enkeltpersonforetak\w*|enkeltmannsforetak\w*)|ENK)\b(?:[^.!?\n\d]|\.(?=\S)){0,40}$")
# ... or right before "ENK"/"enkeltpersonforetak" ("Org nr: 998877665 (ENK, Kari Hansen)", "998 877 665 - ENK")
_ENK_AFTER = re.compile(r"\s*[(,:–-]?\s*(?:ENK|(?i:enkeltpersonforetak\w*|enkeltmannsforetak\w*))\b")
_ORG_LOOSE = re.compile(_LB + r"\d(?:[ .-]?\d){8}" + r"(?![\d%]|[ .,:/-]\d|\w)")
_ORG_CUE = re.compile(r"\b(?:org\.?\s?nr|orgnr|org\.?\s?nummer|organisasjonsn(?:umme)?r\w*|foretaksn(?:umme)?r\w*)"
                      r"\.?\s*[:.]?\s*(?:(?:er|NO)\s*)?$", re.IGNORECASE)
# -- licence plates: two letters + 4-5 digits ("EL 12345", "DN54321") ----------------------------------------
# Without a cue only a known prefix (plate_prefixes.txt: the electric/hydrogen series) in capitals + 5 digits;
# after a cue ("regnr", "kjennemerke", "skilt", "bil:", "firmabilen") any letter pair, 4 digits only when not a
# year. "IA 2024", "EU 2019", "kl 1430", "nr 12345", "AS 12345" stay.
_PLATE = re.compile(r"(?<![\w-])(?P<l>[A-Za-z]{2})(?P<sp>\s?|-)(?P<d>\d{4,5})" + _RB)
_PLATE_CUE = re.compile(
    r"(?:\b(?:reg\.?\s?nr|regnr|registreringsn(?:umme)?r\w*|kjennemerke\w*|\w*skilt(?:et|a)?|bilnr"
    r"|\w*bilnummer\w*)|(?<![\w-])(?P<car>\w*(?<!mo)(?<!sta)(?<!la)bil(?:en)?))\.?\s*[:.]?\s*"
    r"(?:(?:min|mi|mitt|din|hans|hennes|hennar|vår|vårt|deres|sin|sitt)\s+)?(?:(?:er|var|nr\.?)\s+)?$",
    re.IGNORECASE,
)
# Two-letter words and units a lower-case, spaced letter pair after a plate cue may be ("bilen er 12000", "bilen min
# er ca 15000 km"): no plate.
_PLATE_NOT_LETTERS = frozenset(
    "er nr kr kl ca km kg cm mm mb gb og om at av en ei et to da se ny nb nn ok ti tv pc".split()
)
# After the bare word "bil"/"bilen" (a car is talked about, not its plate named) a unit or word glued to the
# number or in capitals is no plate either ("bil kr12000", "bilen er OK 12000", "Firmabil: ID 12345").
_PLATE_NOT_AFTER_CAR = _PLATE_NOT_LETTERS | {"id", "hk", "ps", "kw"}
# -- social-media handles: "@kari_nordmann92", "snap: karinordmann", "insta: kari.nordmann" ------------------
_HANDLE_AT = re.compile(r"(?<![\w.@/])@(?P<h>\w(?:[\w.]{0,28}\w)?)(?![\w@])")
_HANDLE_CUED = re.compile(
    r"\b(?:snap(?:chat)?|insta(?:gram)?|ig|tiktok|twitter|facebook|fb|linkedin|telegram|discord|threads)"
    r"\s*[:=]\s*@?(?P<h>\w(?:[\w.]{0,28}\w)?)(?![\w@])",
    re.IGNORECASE,
)

# -- birth dates: a date right after a birth cue ----------------------------------------------------------
_MONTHS = {
    **dict.fromkeys(("januar", "jan", "january"), 1), **dict.fromkeys(("februar", "feb", "february"), 2),
    **dict.fromkeys(("mars", "mar", "march"), 3), **dict.fromkeys(("april", "apr"), 4),
    **dict.fromkeys(("mai", "may"), 5), **dict.fromkeys(("juni", "jun", "june"), 6),
    **dict.fromkeys(("juli", "jul", "july"), 7), **dict.fromkeys(("august", "aug"), 8),
    **dict.fromkeys(("september", "sep", "sept"), 9), **dict.fromkeys(("oktober", "okt", "october", "oct"), 10),
    **dict.fromkeys(("november", "nov"), 11), **dict.fromkeys(("desember", "des", "december", "dec"), 12),
}
_MONTH = "(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")(?![\w])\.?"
_YEAR4 = r"(?:19|20)\d{2}"
# not glued to a word, number or link ("1.2.3", "ref.03"), except to the birth abbreviation "f." ("f.1978-04-03")
_DATE = re.compile(
    r"(?:(?<![\w./-])|(?<=(?<![\w.])[fF]\.))(?:"
    rf"(?P<iy>{_YEAR4})(?P<isep>[-/.])(?P<im>\d{{1,2}})(?P=isep)(?P<id>\d{{1,2}})"  # 1990-01-01
    rf"|(?P<wd>\d{{1,2}})(?:\.\s?|(?:st|nd|rd|th)?\s)(?:of\s)?(?P<wm>{_MONTH})(?:,?\s(?P<wy>{_YEAR4}))?"  # 3. mars 1985
    rf"|(?P<em>{_MONTH})\s(?P<ed>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s(?P<ey>{_YEAR4}))?"  # March 3, 1985
    rf"|(?P<ym>{_MONTH})\s(?P<yy>{_YEAR4})"  # mars 1985
    rf"|(?P<d>\d{{1,2}})(?:\.\s?|[/-])(?P<m>\d{{1,2}})(?:(?:\.\s?|[/-])(?P<y>{_YEAR4}|\d{{2}}))?"  # 1.1.90, 1/1-90
    r"|(?P<c>\d{8}|\d{6})"  # 01011990, 010190
    r")(?!\d|[.,/-]\d)",
    re.IGNORECASE,
)
_BIRTH_GATE = ("fød", "f.", "dob", "d.o", "birth", "born", "bursdag")  # substrings of the lower-cased text
# Birth cue right before the date ("født", "fødd den", "fødselsdato:", "f.dato", "DOB", "date of birth",
# "was born on", "born:", "bursdag 24/12-1960"); "født før/etter" (a rule's threshold) and "fødselspenger",
# "nyfødt", "fødte", "bursdagsfeiring" are not cues, nor a bare "born" (nynorsk for "children": "sjuke born 12.03").
_BIRTH_CUE = re.compile(
    r"(?:\b(?:født|fødd|fødde|fødselsdato(?:en)?|fødedato(?:en)?|f\.\s?dato|fdato|fødselsdag(?:en)?"
    r"|bursdag(?:en)?"
    r"|dob|d\.\s?o\.\s?b|date\s+of\s+birth|birth\s?date|(?:was|is|were|been|am)\s+born|born\s*:))\.?\s*[:=]?\s*"
    r"(?:(?:min|mi|hans|hennes|hennar|hass|dykkar|din|di)\s+)?"  # "bursdagen min er 3. mai"
    r"(?:(?:er|var|den|d\.|i|on|the|in)\s+)?$",
    re.IGNORECASE,
)
# "f. 12.03.1985": the abbreviation only with a full date (not "f.eks.", "f.o.m.", "jf.", "ref.").
_BIRTH_CUE_F = re.compile(r"(?<![\w.])f\.\s?$", re.IGNORECASE)
# A rule's threshold ("født 1.1.1963 eller tidligere") or a measure ("født 3.5 kg"), not a person's birth date
# (matched at the date's end).
_BIRTH_NOT_AFTER = re.compile(
    r"\s*(?:(?:eller|og|or|and)\s+(?:tidligere|tidlegare|senere|seinere|seinare|før|etter|yngre|eldre|earlier"
    r"|later|before|after|younger|older)\b"
    r"|(?:-|til|t\.?o\.?m\.?|to|until)\s*\d{1,2}(?:[./-]\d{1,2}|\.\s?[a-zæøå]{3})"  # "født 1.1.1954 til 31.12.1962"
    r"|(?:kg|g|gram|cm|uker|veker|dager|dagar)\b)",
    re.IGNORECASE,
)
# A group a rule is about ("alle født 1.1.1963", "arbeidstakere som er født ..."), matched before the cue;
# "den ansatte (som er) født" is one person (see _birth_group).
_BIRTH_GROUP = re.compile(
    r"(?:^|[^\w-])(?P<det>\w+\s+)?(?:alle|de|dei|arbeidstakere|arbeidstakarar|ansatte|tilsette|personer|personar"
    r"|medlemmer|medlemar|søkere|søkarar|everyone|all|those|people|employees)\s+"
    r"(?:som\s+(?:er|var|ble|blei|vart|vert)\s+|who\s+(?:are|were)\s+)?(?:født|fødd|fødde|born)\s*(?:den\s+)?$",
    re.IGNORECASE,
)
_SINGLE_DET = frozenset("den denne vår min mi din di sin si hans hennes".split())
# An organisation as the subject of "født" ("Bedriften ble født", "firmaet vårt er født", "et AS født"): a
# founding date. Only the bare noun and its inflected forms ("Kontorsjefen", "Bedriftslegen" are people).
_ORG_NOUN = (
    r"(?i:\w*(?:bedrift(?:en|a|er|ene)?|firma(?:et|er|ene)?|selskap(?:et|er|ene)?|foretak(?:et|ene)?"
    r"|virksomhet(?:en|a|er|ene)?|verksemd(?:a|er|ene)?|butikk(?:en|er|ene)?|avdeling(?:en|a|er|ene)?"
    r"|kontor(?:et|er|ene)?|organisasjon(?:en|er|ene)?))|ASA?"
)
_BIRTH_ORG = re.compile(
    rf"\b(?:{_ORG_NOUN})\s+(?:(?i:vårt|vår|mitt|min|vort|our|my)\s+)?"
    r"(?:(?i:er|ble|blei|vart|vert|var|har\s+blitt|was|is)\s+(?:\w+\s+)?)?(?i:født|fødd|born)\s*(?i:den\s+)?$"
)
_BIRTH_FIRST_PERSON = re.compile(r"\b(?:jeg|eg|i)\s+(?:er|var|ble|vart|blei|am|was)\s+(?:født|fødd|born)\s*$", re.I)

# -- links: a URL that carries an identifier -----------------------------------------------------------------
_URL_TLD = (
    r"(?:no|com|net|org|se|dk|fi|is|eu|io|info|me|app|dev|ly|gl|ee|be|de|uk|co|tv|nu|biz|page|site|online|link"
    r"|xyz|us|ai)"
)
_URL_CHARS = r"[^\s<>\"'\[\]{}|\\^`]"
_URL = re.compile(
    r"(?<![\w@.%+/-])(?:"
    rf"(?:https?://|www\.){_URL_CHARS}+"
    rf"|(?:[a-z0-9](?:[a-z0-9æøå-]*[a-z0-9])?\.)+{_URL_TLD}(?![\w@-])(?:[/?#]{_URL_CHARS}*)?"
    r")",
    re.IGNORECASE,
)
_URL_GATE = re.compile(r"https?:|www\.|\.(?:" + _URL_TLD[3:-1] + r")\b")  # on the lower-cased text
# Query/fragment parameters whose value identifies a person (or opens their data: tokens, sessions).
_URL_ID_PARAMS = frozenset(
    "fnr fodselsnummer fødselsnummer fodselsnr fødselsnr pnr personnummer personnr personid person_id personident "
    "ident dnr dnummer ssn id uid userid user_id user username brukerid bruker brukernavn email epost e-post mail "
    "navn name fornavn etternavn firstname lastname tlf telefon phone mobil mobile token access_token auth "
    "session sessionid session_id sid key apikey api_key dob fodselsdato fødselsdato birthdate".split()
)
# A path segment that announces a person; the next segment must name or number someone.
_URL_PERSON_SEGMENTS = frozenset(
    "profil profile profiles profiler person personer people user users u bruker brukere member members medlem "
    "medlemmer ansatt ansatte employee employees staff medarbeider medarbeidere author forfatter in pub".split()
)
# Blog / homepage platforms: the subdomain is a person's site ("kari.blogspot.com"). Developer hosting
# (github.io, netlify.app) is left out: there the subdomain is mostly a project or an organisation.
_URL_SUBDOMAIN_HOSTS = frozenset(
    "blogspot.com wordpress.com wixsite.com weebly.com tumblr.com substack.com blogg.no carrd.co".split()
)
# Hosts whose first path segment is an account's handle: the profile page itself ("github.com/kari",
# "wa.me/4791234567") or anything under a handle with a digit or a name ("github.com/kari-nordmann/cv");
# an organisation's project ("github.com/navikt/sykepenger") stays.
_URL_HANDLE_HOSTS = frozenset(
    "github.com gitlab.com t.me wa.me m.me linktr.ee about.me calendly.com paypal.me vimeo.com pinterest.com "
    "soundcloud.com threads.net behance.net dribbble.com flickr.com twitch.tv".split()
)
_URL_GENERIC_FIRST = frozenset(
    "about features login signup join help settings explore search topics pricing marketplace orgs events blog "
    "docs home privacy terms jobs download channel channels watch categories".split()
)
_URL_TRAIL = ".,;:!?'\""
# Norwegian public-sector sites (last two host labels; "oslo.kommune.no" -> "kommune.no"): a long number in
# the path or query is a document id there ("regjeringen.no/.../id2997290", "ssb.no/.../artikler/2845211"),
# except inside a person's own area (_URL_PERSONAL_AREAS) or when it is shaped like personal data.
_URL_ORG_SITES = frozenset(
    "nav.no regjeringen.no lovdata.no altinn.no ssb.no helsenorge.no stortinget.no skatteetaten.no brreg.no "
    "udir.no arbeidstilsynet.no helsedirektoratet.no fhi.no norge.no digdir.no statsforvalteren.no udi.no imdi.no "
    "husbanken.no lanekassen.no politiet.no domstol.no ks.no kommune.no fylkeskommune.no".split()
)
_URL_PERSONAL_AREAS = frozenset(
    "sak saksoversikt mine-saker minesaker min-side minside mi-side dittnav innboks inbox messagebox meldinger "
    "dokumentarkiv mine-dokumenter utbetalinger".split()
)
# A path segment after which a number is a document's id on any host ("/topic/1049071", "/badge/155220641").
_URL_DOC_SEGMENTS = frozenset(
    "dokument dokumenter document documents artikkel artikler article articles nyhet nyheter news topic topics "
    "thread threads pages badge latestdoi record records episode episodes table tabell publikasjon publikasjoner "
    "publication publications rapport rapporter høring høringer contentassets".split()
)
_URL_DIGIT_RUN = re.compile(r"(?<!\d)\d{8,12}(?!\d)")
_PUA = re.compile("[\ue000-\uf8ff]")  # private-use characters: stand-ins for shielded links
# 8- or 14-digit date / timestamp (archive links, "20240312"): not an identifier
_URL_TIMESTAMP = re.compile(r"(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?:\d{6})?")


def _digits(s: str) -> str:
    return "".join(c for c in s if c.isdigit())


def _reference_number(m: re.Match, text: str) -> bool:
    """The number follows its own reference cue ("faktura nr 12345678", "Ordrenummer 4711 2024"), so a "nr" there is
    no phone cue; not a mobile-shaped customer number ("kundenr 91234567") or 8 digits after a phone cue earlier
    in the clause ("ring saks nr. 91234567")."""
    start = max(0, m.start() - 30)
    ref = _REF_NUMBER_BEFORE.search(text, start, m.start())
    if ref is None:
        return False
    d = _digits(m.group(0))
    if len(d) != 8:
        return True
    if d[0] in "49" and _CUSTOMER_NR_BEFORE.search(text, start, m.start()):
        return False
    return not _CLAUSE_PHONE_CUE.search(text, max(0, ref.start() - 60), ref.start())


def _phone_context(m: re.Match, text: str) -> bool | None:
    """True after a phone cue ("ring meg på"), False in a number context (amounts, durations, references),
    None when the surrounding words say neither."""
    before = text[max(0, m.start() - 30) : m.start()]
    if _reference_number(m, text):
        return False
    if _PHONE_CUE.search(before):
        return True
    if _NUMBER_NEG_BEFORE.search(before) or _NUMBER_NEG_AFTER.match(text[m.end() : m.end() + 15]):
        return False
    return None


def _fnr_from_fullyear(m: re.Match) -> str:
    d = _digits(m.group(0))
    return d[:4] + d[6:]


def _looks_like_date8(d: str) -> bool:
    day, month, year = int(d[:2]), int(d[2:4]), int(d[4:])
    return 1 <= day <= 31 and 1 <= month <= 12 and 1900 <= year <= 2099


def _birth_group(before: str) -> bool:
    """The birth cue ends a group a rule is about ("alle født", "ansatte som er født"), not one person
    ("den ansatte som er født")."""
    m = _BIRTH_GROUP.search(before)
    return bool(m) and not (m.group("det") and m.group("det").strip().lower() in _SINGLE_DET)


_YEAR_BOUNDARY = re.compile(r"\s*0?1\s*[./-]\s*0?1\b|\s*0?1\.?\s*jan|\s*31\s*[./-]\s*12\b|\s*31\.?\s*des", re.I)


def _year_boundary(date: str) -> bool:
    """1 January or 31 December: the cut-off dates rules use (a group's real birthday is any other day)."""
    return bool(_YEAR_BOUNDARY.match(date))


def _float_cell_type(d: str) -> str | None:
    """Type of the digits of a float cell (see _FLOAT_CELL): a personal or account number, a mobile number; 10
    digits are a personal number whose leading zero the spreadsheet dropped ("1019010046.0") or nothing."""
    if len(d) == 10:
        return personal_number_type("0" + d)
    if len(d) == 11:
        return personal_number_type(d) or ("kontonummer" if valid_account(d) else None)
    return "telefon" if d[0] in "49" else None


def _personal_digit_run(d: str) -> bool:
    """A mobile number ("47"/"0047" optional), an org number or a personal/account number."""
    mobile = d[-8] in "49" and d[:-8] in ("", "47", "0047")
    return mobile or (len(d) == 9 and valid_orgnr(d)) or bool(personal_number_type(d)) or valid_account(d)


def _cued_personal_type(raw: str, before: str) -> str | None:
    """Type of 11 digits (any grouping: "24049212345", "240492 12345", "01 01 90 10047") that fail the checks but
    follow a personal-number cue: the writer says it is one, a mistyped check digit does not make it less so."""
    d = _digits(raw)
    return "dnummer" if _DNR_CUE.search(before) or 41 <= int(d[:2]) <= 71 else "fodselsnummer"


_H_CUE_WORD = re.compile(r"\bh-?n(?:umme)?r\w*", re.IGNORECASE)


def _typo_type(raw: str, before: str) -> str | None:
    """Type of 10 or 12 digits after a personal-number cue (see _PNR_TYPO): where the last cue is a hospital's
    H-number ("hnr 1234567890", "H-nummer til pasienten er 12 34 56 78 90") it is that id ([IDNUMMER], an H-number
    of any length, as _ID_WORD reads it); only 11 digits are shaped like a personal number."""
    cues = list(_PNR_GATE.finditer(before))
    if cues and _H_CUE_WORD.match(cues[-1].group(0)):
        return "idnummer"
    return _cued_personal_type(raw, before)


def _personal_type_cued_after(m: re.Match, text: str) -> str | None:
    """Type of 11 digits that fail the checks but have a personal-number cue right after them (``_PNR_CUE_AFTER``):
    a D-nummer after "d-nr"/"d-nummer" or with day + 40, else a fødselsnummer."""
    cue = _PNR_CUE_AFTER.match(text, m.end())
    if cue is None:
        return None
    d_cue = re.search(r"\bd-?n", cue.group(0), re.IGNORECASE)
    return "dnummer" if d_cue or 41 <= int(_digits(m.group(0))[:2]) <= 71 else "fodselsnummer"


def _classify_cued_id(m: re.Match, text: str) -> str | None:
    """3-12 digits right after a patient/journal/HPR/employee-number cue (see _ID_WORD)."""
    return "idnummer" if _ID_CUE.search(text[max(0, m.start() - 40) : m.start()]) else None


def _classify_cued_id_grouped(m: re.Match, text: str) -> str | None:
    """4-12 digits in groups right after an id cue (as :func:`_classify_cued_id`)."""
    return _classify_cued_id(m, text) if 4 <= len(_digits(m.group(0))) <= 12 else None


def _classify_cued_ip(m: re.Match, text: str) -> str | None:
    """An IPv4 address right after an ip cue (see _IP_CUE)."""
    return "idnummer" if _IP_CUE.search(text[max(0, m.start() - 30) : m.start()]) else None


def _classify_phone_intl(m: re.Match, text: str) -> str | None:
    """A foreign country-code number, unless shaped like a date or in a number context (amount, duration); the
    "00" form only when grouped ("0046 70 1234567"): a plain run with leading zeros ("0012345678") is an id."""
    raw = m.group(0)
    if _ISO_DATE_LIKE.match(raw) or _phone_context(m, text) is False:
        return None
    if raw.startswith("00") and raw.isdigit():
        return None
    return "telefon"


def _classify_property_fraction(m: re.Match, text: str) -> str | None:
    """"Eiendom 45/7" (only the numbers are masked: "Eiendom [EIENDOM]"), not a share ("eiendommen 1/2 med
    søsteren": a small fraction below one)."""
    a, b = (int(x) for x in m.group("n").replace(" ", "").split("/"))
    return None if a < b <= 12 else "eiendom"


def _classify_cued_id_alnum(m: re.Match, text: str) -> str | None:
    """Letters + digits after a passport/driving-licence cue ("pass nr. FN1234567")."""
    before = text[max(0, m.start() - 40) : m.start()]
    return "idnummer" if _ID_CUE.search(before) and re.search(r"pass|førerkort", before, re.I) else None


def _spelled_digits(raw: str) -> str:
    """The digits that number words spell ("ni to" -> "92", "nittito" -> "92", "tjueen" -> "21")."""
    out = []
    for m in _SPELLED_TOKEN.finditer(raw):
        w = m.group(0).lower().replace("-", "").replace(" ", "")
        if w in _UNITS or w in _TEENS:
            out.append(_UNITS.get(w) or _TEENS[w])
            continue
        tens = next(t for t in sorted(_TENS, key=len, reverse=True) if w.startswith(t))
        out.append(_TENS[tens] + (_UNITS[w[len(tens):]] if w[len(tens):] else "0"))
    return "".join(out)


def _name_words(text: str) -> list[tuple[int, int, str]]:
    """(start, end, word) for each word the name rules read; a trailing period is cut off, except after "dr"/"prof"
    and after a word of one or two letters ("b.", "hr.") other than the sign-off "vh" ("vh. trine")."""
    words = []
    for m in _WORD.finditer(text):
        w = m.group(0)
        end = m.end()
        if w.endswith(".") and (stem := w[:-1].lower()) not in ("dr", "prof") and (
            len(w) > 3 or stem in _ABBREVIATED_CUES
        ):
            w, end = w[:-1], end - 1
        words.append((m.start(), end, w.rstrip("-'")))
    return words


def _shield(text: str, urls: list[str]) -> tuple[str, list[str]]:
    """Replace each kept link that is still in ``text`` by a stand-in character (see :func:`_unshield`)."""
    shield: list[str] = []
    for url in dict.fromkeys(urls):
        if url in text and len(shield) < 6400:
            text = text.replace(url, chr(0xE000 + len(shield)))
            shield.append(url)
    return text, shield


def _unshield(text: str, shield: list[str]) -> str:
    """Put the links that :meth:`Redactor._sub_urls` replaced by stand-in characters back."""
    return _PUA.sub(lambda m: shield[ord(m.group(0)) - 0xE000], text)


def _month(word: str) -> int:
    return _MONTHS[word.rstrip(".").lower()]


def _date_has_year(m: re.Match) -> bool | None:
    """None if ``m`` (a :data:`_DATE` match) is not a real day/month, else whether it names a year."""
    g = m.groupdict()
    if g["iy"]:
        day, month, year = int(g["id"]), int(g["im"]), g["iy"]
    elif g["wd"]:
        day, month, year = int(g["wd"]), _month(g["wm"]), g["wy"]
    elif g["em"]:
        day, month, year = int(g["ed"]), _month(g["em"]), g["ey"]
    elif g["ym"]:
        day, month, year = 1, _month(g["ym"]), g["yy"]
    elif g["d"]:
        day, month, year = int(g["d"]), int(g["m"]), g["y"]
    else:
        c = g["c"]
        day, month, year = int(c[:2]), int(c[2:4]), c[4:]
        if len(year) == 4 and not _YEAR.match(year):
            return None
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return None
    return year is not None


def _url_end(text: str, start: int, end: int) -> int:
    """End of the URL in ``text[start:end]`` without trailing punctuation or an unbalanced ")"."""
    while end > start:
        ch = text[end - 1]
        if ch in _URL_TRAIL or (ch == ")" and text.count("(", start, end) < text.count(")", start, end)):
            end -= 1
        else:
            break
    return end


@dataclass
class NameLists:
    """Name knowledge: Faker ``no_NO`` names + ``name_first_no.txt``, ambiguity list, cue words, block list."""

    first: frozenset[str]
    last: frozenset[str]
    ambiguous: frozenset[str]
    blocked: frozenset[str]
    cues_before: frozenset[tuple[str, ...]]
    max_cue_len: int
    cue_last_words: frozenset[str] = frozenset()
    last_extra: frozenset[str] = frozenset()  # surnames only used right after a first name (name_last_no.txt)

    @classmethod
    def from_wordlists(cls, directory: Path | None = None, required: bool = True) -> "NameLists":
        """The lists of ``directory``; with ``required=False`` a missing list counts as empty (the health flagger
        reads custom folders without the name lists), else it raises ``FileNotFoundError``."""
        from faker.providers.person.no_NO import Provider as NoPerson

        lst, table = (read_list, read_table) if required else (read_list_optional, read_table_optional)
        first = {n.lower() for n in (*NoPerson.first_names_male, *NoPerson.first_names_female)}
        first |= {n.lower() for n in lst("name_first_no.txt", directory)}
        last = {n.lower() for n in NoPerson.last_names}
        cues = set()
        for row in table("name_cues.tsv", directory):
            if len(row) >= 2 and row[1] == "before":
                cues.add(tuple(row[0].lower().split()))
        return cls(
            first=frozenset(first),
            last=frozenset(last),
            ambiguous=frozenset(w.lower() for w in lst("name_ambiguous.txt", directory)),
            blocked=frozenset(lst("name_blocklist.txt", directory)),
            cues_before=frozenset(cues),
            max_cue_len=max((len(c) for c in cues), default=1),
            cue_last_words=frozenset(c[-1] for c in cues),
            last_extra=frozenset(w.lower() for w in read_list_optional("name_last_no.txt", directory)),
        )


_ADDR_PREFIX = r"(?:Øvre|Nedre|Store|Lille|Søndre|Nordre|Vestre|Østre|Gamle|Nye|Sankt|St\.|Indre|Ytre)"
# Letters include Latin Extended and Vietnamese ("Văn", "Thị", "Đặng"), so such a name is one word.
# A first name + surname run together: CamelCase ("KariNordmann", a lost space or zero-width space) or joined by "."
# or "_" ("Kari.Nordmann", "kari_nordmann"); a host or file name ("kari.nordmann.no", "ola.hansen.docx") is not read.
_L = "A-Za-zÀ-ÖØ-öø-ÿ"
_JOINED_NAME = re.compile(
    rf"(?<![{_L}\d.@/:_-])(?:(?P<a>[A-ZÆØÅ][a-zæøåà-ÿ]+)(?P<b>[A-ZÆØÅ][a-zæøåà-ÿ]+)"
    rf"|(?P<c>[{_L}]{{2,}})[._](?P<d>[{_L}]{{2,}}))"
    rf"(?![{_L}\d@_]|[.:/-](?!(?:docx?|pdf|xlsx?|csv|txt|jpe?g|png)\b)[{_L}\d])"  # "kari.nordmann.docx" is read
)
# A cell that is one number as a spreadsheet's float ("15038500047.0", "91234567.0"): the ".0" hid it from the rules.
_FLOAT_CELL = re.compile(r"\s*(?P<n>\d{8}|\d{10,11})\.0\s*")
# The same float inside a text ("Tlf 91234567.0", "fnr 1019010046.0"): see Redactor._classify_float_in_text.
_FLOAT_IN_TEXT = re.compile(r"(?<![\d/,+\w.])(?:\d{8}|\d{10,11})\.0(?![\d%]|[.,:/-]\d|\w)")
_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ɏḀ-ỿ][A-Za-zÀ-ÖØ-öø-ɏḀ-ỿ'-]*\.?")
_GREETINGS = frozenset({"hei", "hallo", "takk"})
# "familien Nordmann", "Olsen-familien": a surname (also one that is a common word) named as a family.
_FAMILY_CUES = frozenset({"familien", "familie", "fam", "fam."})
_FAMILY_SUFFIXES = frozenset({"familien", "familiens", "familie"})
_INITIAL = re.compile(r"[A-ZÆØÅ]\.")
# A lone capital initial right after a name ("Bjørn H.", "Bjørn H", "Kari N. svarte"): with a dot, or without one
# when it is no word of its own ("I", "Å") and nothing is glued to it ("E-post", "A4").
_TRAILING_INITIAL = re.compile(r"[ \t]+(?:[A-ZÆØÅ]\.(?![\w-])|[A-HJ-ZÆØ](?![\w.-]))")
# A lower-case initial after a lower-case name ("ola n."); never the words "i" and "å".
_TRAILING_LOWER_INITIAL = re.compile(r"[ \t]+[a-hj-zæø]\.(?![\w-])")
_LOWER_INITIAL = re.compile(r"[a-hj-zæø]\.")
# A lower-case initial without its period that ends a cued lower-case name's clause ("kontaktperson: tone b", "tone b
# og …"); not a list letter ("a) Kari b) Ola").
_TRAILING_BARE_LOWER_INITIAL = re.compile(
    r"(?<![ \t])[ \t]+[a-hj-zæø](?=[ \t]*(?:$|[\n,;:!?]|\.(?!\w))|[ \t]+(?:og|eller)\b)"
)
# Lower-case "per d.d." / "per d. d." / "per dd" (dags dato, "as of today"): "per" there is no first name ("Status per
# d.d."); a capitalised "Per D.D." or one after a cue is a name (Redactor._redact_names).
_DAGS_DATO_AFTER = re.compile(r"(?<![ \t])[ \t]*(?:d\.[ \t]?d\b\.?|dd\b\.?)")
# Role labels that cue a name when a colon follows ("ansatt: ola n.", "HR: Tone", "Leiar: Tone"): the survey's roles
# that name_cues.tsv lacks (there a cue needs no colon), bokmål and nynorsk.
#: words between "på" and a masked phone that still make the first name before them its owner ("Tone på tlf [TELEFON]")
_CONTACT_NOUNS = frozenset({"tlf", "telefon", "telefonen", "mobil", "mobilen", "mob", "nr", "nummer", "e-post", "epost",
                            "mail", "sms"})

_COLON_LABELS = frozenset(
    "ansatt ansatte pasient bruker deltaker søker hr hr-rådgiver hr-rådgjevar hr-konsulent hr-sjef hr-leder hr-leiar"
    " hr-ansvarlig personalsjef personalleder personalleiar leiar leiaren avdelingsleiar bedriftsrådgiver"
    " bedriftsrådgiveren bedriftsrådgjevar bedriftsrådgjevaren arbeidslivsrådgiver arbeidslivsrådgjevar"
    " inkluderingsrådgiver jobbspesialist jobbkonsulent jobbcoach mentor kontakt nav-kontakt ansvarlig"
    " saksansvarleg saksansvarlig sakshandsamar sakshandsamaren oppfølger"
    " tilsett tilsette deltakar søkjar ansvarleg oppfølgjar".split()  # nynorsk roles (not «brukar»: also a verb)
)
# Words before a lower-case first name + initial that make it a person also where the first name is an ordinary
# word ("spør etter per n.", "snakket med liv b.", "send det til ola n.").
_PERSON_BEFORE = frozenset("etter med til fra frå hos ved spør spurte ring ringte ringde ringe kontakt".split())
# An unknown word that is a street name ("Gata heter Storgata"), not a name after a cue.
_STREET_WORD = re.compile(r"..(?:gata|gaten|gate|veien|vegen|plassen)$")
# Name cues often written with a period, which _name_words cuts off ("mvh. kari", "vh. Tone").
_ABBREVIATED_CUES = frozenset({"mvh", "vh"})
# First names that are months ("Mai", "August"): blocked as names (name_blocklist.txt), but a person right after a
# cue or role label + colon ("Takk til Mai", "HR: MAI STRAND"), joined by "og" to a name ("Mai og Kari"), right before
# a capitalised listed surname ("Mai Strand svarte") or hyphenated to a listed first name ("Mai-Britt"); never next to
# a number ("17. Mai", "Mai 2024") nor, before a name, after a word that takes a time ("i Mai og Kari", "i Mai Olsen").
_MONTH_FIRST_NAMES = frozenset({"mai", "august"})
# Nynorsk job titles that survey answers give alone after a role label ("Tilsett: Sjukepleiar"), exact words only:
# a dictionary's "-ar" nouns and compounds are also names ("Borgar", "Steinleiar").
_NN_JOB_TITLES = frozenset(
    "sjukepleiar lærar leiar rådgjevar sakshandsamar konsulent fastlege lege psykolog fysioterapeut ergoterapeut "
    "helsesjukepleiar miljøterapeut saksbehandlar nav-rettleiar rettleiar tillitsvald verneombod koordinator "
    "sekretær assistent arbeidsgjevar arbeidstakar".split())
_MONTH_BEFORE = frozenset("i fra frå til før etter innen siden sidan medio primo ultimo hele heile av ut over gjennom "
                          "neste forrige førre hver kvar per pr mellom".split())
# First names that are also a dialect "eller" ("Ella var det noko meir?", "Ella kan du ringe meg"): no name at the
# start of a sentence before a verb + a subject pronoun; one that may be an object too only in a question ("Ella fekk
# det til." is a person).
_CONJUNCTION_NAMES = frozenset({"ella"})
_SUBJECT_ONLY_PRONOUNS = frozenset("du eg vi me".split())
_SUBJECT_OR_OBJECT_PRONOUNS = frozenset("det dei han ho".split())
# Prepositions after an ambiguous first name that keep it a person after a role label ("HR: Tone på kontoret").
_PERSON_PREPS = frozenset("på hos ved fra frå".split())
# Legal forms that end a company name ("Olsen Bygg AS").
_LEGAL_FORMS = frozenset("AS ASA SA DA ANS BA KS NUF".split())
_SENTENCE_END = set(".!?:;\"'()[]\n")
# Capitalised particles inside a name ("Nguyen Van Anh", "Tran Thi Mai", "Kari Van Der Berg"): part of the
# name when a name word follows.
# The most words one name may have ("Kari Anne Marie Nordmann Olsen"): a longer run is split into two names.
_NAME_MAX_PARTS = 5
_NAME_PARTICLES = frozenset("van von der den de da di du la le thi bin ibn al el ben dos das del ter ten".split())
# Vietnamese middle names: "Tran Thi Mai" is a name without a cue, also when the first part is a word ("tran") and
# the last one a month ("Mai").
_VIET_MIDDLE = frozenset({"thi", "thị", "văn"})
# Common Vietnamese family names, some of them Norwegian words ("Le", "Do", "Ho"): before a capitalised "Van" they
# start a name ("Le Van Thanh"); "Van" alone is not a marker (Dutch "Van Gogh" after an ordinary word stays).
_VIET_SURNAMES = frozenset(
    "nguyen nguyễn tran trần le lê pham phạm hoang hoàng huynh huỳnh phan vu vũ vo võ dang đặng bui bùi do đỗ ho hồ "
    "ngo ngô duong dương ly lý truong trương dinh đinh lam lâm mai cao ha hà".split()
)
# Particles written in lower case ("van der Berg", "de la Cruz"): only before a surname or an unknown capitalised
# word ("Kari la Per vente" stays two names); "den" (the) is left out.
_LOWER_PARTICLES = _NAME_PARTICLES - {"den", "thi"}
# Lower-case words before a capital letter + period that can come before an initial ("med K. Berg"); after any other
# lower-case word the letter is a label ("vitamin D.", "plan B.") and the period ends the sentence.
_BEFORE_INITIAL = frozenset(
    "med til fra av hos og eller ved om for mot v/ c/o fru herr hr fr ifølge sammen mellom enn som".split()
)
# Dotted suffixes of a public page name that are not a person's ("navarbeidsgiver.no", "politiet.oslo" also takes
# a place from place_names_no.txt).
_PAGE_SUFFIXES = frozenset({"no", "com", "org", "net", "official", "offisiell", "norge"})
# A list of first names that are also words ("Kim, Eli og Per") is people only next to a person verb/noun.
_LIST_PERSON_AFTER = frozenset(
    "kom var jobber jobbet jobba arbeider arbeidet ansatt ansatte søkte søker slutta sluttet begynte begynner startet "
    "ble fikk møtte intervjuet ringte sa skrev svarte".split()
)
_LIST_PERSON_BEFORE = frozenset(
    "ansatte ansatt intervjuet intervjua kollegene kollegaene søkerne lærlingene vikarene tilsette medarbeiderne "
    "kandidatene hilsen".split()
)
# Words before/after a list that make it a list of places: "i Moss, Lier og Berg", "Berg, Dal og Lie er kommuner".
_PLACE_BEFORE = frozenset(
    "i på fra til ved mellom kommunene kommuner avdelingene avdelinger kontorene kontorer byene steder".split()
)
_PLACE_NOUNS = frozenset(
    "kommune kommuner kommunene kommunes avdeling avdelinger avdelingene kontor kontorer kontorene byer "
    "tettsteder steder".split()
)
# Verbs of speaking / acting after a sentence-initial surname that is also a word ("Lie ringte meg", "Berg sa"):
# a person, where "Berg og dal", "Strand kommune" stay.
_ACT_VERBS = frozenset(
    "sa sier ringte ringer ringde skrev skriver skreiv svarte svarer svara mente mener meinte lovet lovte lova "
    "fortalte forteller fortalde spurte forklarte forklarer opplyste informerte bekreftet bekrefta hevdet påsto "
    "mailet sendte".split()
)
# Finite verbs after a sentence-initial ambiguous first name that make it the subject ("Per har vært hjelpsom",
# "Per er flink"): the preposition "per" never stands before one ("Per i dag har", "Per time", "Per ansatt" stay).
SUBJECT_VERBS = frozenset(
    "har hadde er var ble blei vart blir vert skal skulle kan kunne vil ville må måtte bør burde får fikk fekk "
    "gjør gjorde tok kom kjem hjalp hjelper hjelpte ga gav gir vet visste jobber jobbet jobba begynte sluttet "
    "slutta".split()
)
# "X på NAV-kontoret": a capitalised surname or unknown word before one of these prepositions + an office word is a
# person ("Kvernmo på NAV-kontoret ringte aldri tilbake").
_OFFICE_PREPS = frozenset("på hos ved fra i".split())
_OFFICE_WORDS = frozenset("kontoret kontor sentralbordet kundesenteret servicesenteret kundeservice".split())
_PAIR_WORDS = ("og", "eller", "&")
# "Hansen, Kari": a surname and a first name joined by a comma on one line (the register/list style).
_COMMA_GAP = re.compile(r"[ \t]*,[ \t]*")
_VOWEL = re.compile(r"[aeiouyæøåéèáàäöüâ]")
# Words after which a clause starts with its subject: "… men Kvernmo i Hammerfest har aldri svart".
_CLAUSE_STARTS = frozenset("og men at da så fordi når mens der hvis".split())
# An unknown word is surname-like only when it is no pronoun/quantifier ("Ingen fra NAV har", "Noen på NAV") and has
# no ending of a definite or plural noun ("Chatboten på nav.no", "Skjemaa på nav.no", "Rettleiaren på NAV-kontoret").
_NOT_SURNAMES = frozenset("ingen noen noe han hun de dere den det denne dette disse hver enhver begge man".split())
_NOUN_ENDINGS = ("en", "et", "ene", "ane", "a", "ar", "er", "ing", "het")
_OBJECT_PREPS = frozenset("i på fra frå til ved via med hos gjennom mot om av for".split())
_SELF_WORDS = ("jeg", "eg", "meg")
# After "<Surname> i <Place> som": an adverb before the verb ("som aldri svarer"), and the endings of a present or past
# tense ("driver", "ringte", "svarde", "jobbet") that count as the verb there.
_RELATIVE_ADVERBS = frozenset("ikke aldri alltid også bare nå selv fortsatt".split())
_FINITE_ENDINGS = ("er", "te", "de", "et")
# V2 order: a sentence opened by an adverb ("Da", "Så", "Etterpå") or by a short phrase after a preposition ("Etter
# det", "I går", "For to uker siden") puts the finite verb before its subject: "Etter det har Kvernmo i Hammerfest
# ikke svart". A subject pronoun or a subjunction among the phrase's words makes it a clause ("Da vi har", "Etter at").
_V2_ADVERBS = frozenset(
    "da så etterpå deretter senere siden nå nylig likevel dessverre heldigvis derfor endelig plutselig først "
    "igjen ofte allerede".split()
)
_V2_PREPS = frozenset("etter før i på for om under ved innen fra til".split())
_V2_NOT_IN_PHRASE = frozenset("jeg eg vi me du han hun ho de dei dere man at som om når hvis fordi".split())
# Time words after "i" that are no place, also capitalised or in capitals ("Per i Dag har", "Per i MAI har"): "per"
# is the preposition there.
_NOT_PLACES = frozenset(["dag", "går", "fjor", "morgen", "år", "uka", "uken", *_MONTHS])
# Ambiguous first names whose ordinary sense is a noun that can stand alone as a subject ("Liv er viktig", "Sol er
# meldt", "Dag var lang", "Tone er viktig i brev", "Helga var travel"): never a name by SUBJECT_VERBS alone.
SUBJECT_NOUN_NAMES = frozenset(
    "liv dag sol tone stein helga ask siv gry kai bjørn linnea marina siren aurora iver".split()
)


@dataclass
class Redactor:
    """Find and replace personal data. ``redact(text) -> (redacted, counts)``."""

    names: NameLists
    lexicon_forms: frozenset[str] | dict = field(default_factory=frozenset)
    street_suffixes: tuple[str, ...] = ()
    public_numbers: frozenset[str] = frozenset()
    plate_prefixes: frozenset[str] = frozenset()  # letter pairs a plate has without a cue (plate_prefixes.txt)
    public_pages: frozenset[str] = frozenset()  # public agencies' social-media handles (public_pages.txt)
    place_names: frozenset[str] = frozenset()  # municipalities that are also names (place_names_no.txt)
    # stop words + keep words (bokmål and nynorsk, ``stopwords.py``) that are no known name: ordinary words the
    # lexicon forms lack ("ingen", "ikkje", "noen", "samme")
    function_words: frozenset[str] = frozenset()
    public_names: frozenset[str] = frozenset()  # agencies and services (public_names.txt): "Altinn", "Helfo"
    towns: frozenset[str] = frozenset()  # counties, regions and large towns (county_aliases.tsv), lower case
    post_towns: frozenset[str] = frozenset()  # municipalities and post towns (post_towns_no.txt), lower case

    def __post_init__(self) -> None:
        object.__setattr__(self, "_name_memo", {})  # list id -> {word: in list}; see _name_parts
        # surnames a known first name may be followed by: Faker's + name_last_no.txt ("kari nordmann")
        object.__setattr__(self, "_last_any", frozenset(self.names.last | self.names.last_extra))
        suffixes = sorted(set(self.street_suffixes), key=len, reverse=True)
        alt = "|".join(re.escape(s) for s in suffixes)
        sep_words = r"gate|gata|gaten|gt\.|vei|veien|veg|vegen|plass|allé|alle|torg|brygge|stredet|smuget"
        # a house letter ("12B", "12 B"), never the preposition "i" after the number ("Fjellvegen 3 i Førde"), and a
        # flat number ("Solheimsvegen 12 H0203")
        num = r"\d{1,4}(?:(?:[A-Za-z]|\s[A-Za-hj-z])(?![\wæøå]))?(?:\s?-\s?\d{1,4})?(?:\s[HUKL]\d{4}(?!\w))?"
        # the post code + town (", 6800 Førde"; ", 6800 førde": _merge_lower_post) or "i"/"på" + town ("i Førde", "i Mo i Rana", "på
        # Hamar"): part of the address, since a street with its town narrows the household far more than the street
        # name alone
        town = r"[A-ZÆØÅ][\wæøå-]+"
        # "8610 Mo i Rana": "i" + a word after the post town, kept only if a listed town (_town_tail)
        # no street before its number ("… i Storgata 7", "… i Oslo gate 7")
        tail = rf"(?P<y>\si\s[A-ZÆØÅa-zæøå][\wæøå-]*(?![\w-]|\s\d)(?!\s(?:{sep_words})(?![\w-])))"
        post = rf"(?:(?:,\s?|\s)\d{{4}}\s(?P<x>{town}){tail}?|\s(?:i|på)\s{town}(?:\si\s{town})?)?"
        self._address = re.compile(
            r"(?<![\w-])(?:"
            rf"(?:[A-ZÆØÅ][\wæøåéü.'-]*\s){{1,3}}(?:{sep_words})\s{num}"  # Kongens gate 5
            rf"|(?:{_ADDR_PREFIX}\s)?[A-ZÆØÅ][a-zæøåéü'-]*?(?:{alt})\s{num}"  # (Øvre) Storgata 12B
            rf"|[a-zæøå]{{2,}}(?:gata|gate|gaten|veien|vegen|vei|veg)\s{num}"  # storgata 12
            rf"|(?:{_ADDR_PREFIX}\s)?(?P<gt>[A-ZÆØÅa-zæøå][a-zæøå]+gt)\s{num}"  # Storgt 12, kirkegt 5 (no dot)
            # "Postboks 5 Sentrum, 0101 Oslo", "postboks 4321 Sentrum"
            rf"|[Pp]ostboks\s\d{{1,5}}(?:\s{town}(?=,?\s\d{{4}}\s)|\s[Ss]entrum(?![\w-]))?"
            rf"){post}(?![\d,.]\d)"
        )

    @classmethod
    def from_wordlists(cls, directory: str | os.PathLike | None = None, *, lexicon_forms=None) -> "Redactor":
        """The redactor of the word lists in ``directory`` (default: the bundled ones). ``lexicon_forms``
        (keyword-only) are the ordinary words that keep a capitalised word from reading as a name; default: the
        lexicon's common forms, as the cleaner's redactor. A ``directory`` that is no path (a lexicon passed in its
        place) raises ``TypeError``; a folder without the name lists ``FileNotFoundError``."""
        from faker.providers.address.no_NO import Provider as NoAddress

        from .stopwords import load_keep_words, load_stopwords

        if directory is not None and not isinstance(directory, (str, os.PathLike)):
            raise TypeError(f"Redactor.from_wordlists: directory must be a word-list folder (str or Path), not "
                            f"{type(directory).__name__}; pass a lexicon as lexicon_forms=")
        if lexicon_forms is None:
            from .lexicon import load_lexicon

            lexicon_forms = load_lexicon().common
        names = NameLists.from_wordlists(directory)
        function_words = (load_stopwords(directory) | load_keep_words(directory)) - names.first - names.last
        suffixes = {s.lower() for s in NoAddress.street_suffixes}
        suffixes |= {s.lower() for s in read_list("street_suffixes.txt", directory)}
        return cls(
            names=names,
            lexicon_forms=lexicon_forms,
            function_words=frozenset(function_words),
            public_names=frozenset(p.lower() for p in read_list_optional("public_names.txt", directory)),
            street_suffixes=tuple(suffixes),
            public_numbers=frozenset(read_list("public_phone_numbers.txt", directory)),
            plate_prefixes=frozenset(p.upper() for p in read_list_optional("plate_prefixes.txt", directory)),
            public_pages=frozenset(p.lower() for p in read_list_optional("public_pages.txt", directory)),
            place_names=frozenset(p.lower() for p in read_list_optional("place_names_no.txt", directory)),
            towns=frozenset(p.strip().lower() for line in read_list_optional("county_aliases.tsv", directory)
                            for p in line.split("\t")[1:] if p.strip() and not p.startswith("=")),
            post_towns=frozenset(p.lower() for p in read_list_optional("post_towns_no.txt", directory)),
        )

    # -- number rules ------------------------------------------------------------------------
    def redact(self, text: str) -> tuple[str, dict[str, int]]:
        """Return the redacted text and a count per PII type (all types present, zeros included)."""
        counts = dict.fromkeys(PII_TYPES, 0)
        if not text:
            return text, counts
        low = text.lower()
        if ".com/" in low:
            text = self._sub(_PROFILE_URL, text, counts, self._classify_profile)
        kept: list[str] | None = None  # links that stay and have digits: shielded from the number rules
        if _URL_GATE.search(low):
            kept = None if _PUA.search(text) else []
            text = self._sub_urls(text, counts, kept)
        if _EMAIL_GATE.search(text):
            text = self._sub(_EMAIL, text, counts, self._classify_email)
            text = self._sub(_EMAIL_OBF, text, counts, self._classify_email_obf)
            if " . " in text:
                text = self._sub(_EMAIL_OBF_TIGHT, text, counts, self._classify_email_obf)
            if "@" in text:
                text = self._sub(_EMAIL_BARE, text, counts, lambda m, t: "epost")
            if " @ " in text:
                text = self._sub(_EMAIL_SPACED, text, counts, lambda m, t: "epost")
        text = self._redact_handles(text, counts)
        if (cell := _FLOAT_CELL.fullmatch(text)) and (kind := _float_cell_type(cell.group("n"))):
            counts[kind] += 1
            return text[: cell.start("n")] + PLACEHOLDERS[kind] + text[cell.end("n") + 2 :], counts
        if ".0" in text:
            text = self._sub(_FLOAT_IN_TEXT, text, counts, self._classify_float_in_text)
        if _ANY_DIGIT.search(text):
            text, shield = _shield(text, kept) if kept else (text, [])
            text = self._redact_numbers(text, counts, low)
            if _O_GATE.search(text):  # "0101901248O": a letter O typed for a zero
                text = self._sub(_O_FOR_ZERO, text, counts, self._classify_o_for_zero)
            if _L_GATE.search(text):  # "9l2 34 567": a letter l/I typed for a one, after a phone cue
                text = self._sub(_L_FOR_ONE, text, counts, self._classify_l_for_one)
            if shield:
                text = _unshield(text, shield)
        if "." in text or "_" in text or _CAMEL_GATE.search(text):
            text = self._sub(_JOINED_NAME, text, counts, self._classify_joined_name)
        text = self._redact_names(text, counts)
        return text, counts

    def _redact_numbers(self, text: str, counts: dict[str, int], low: str) -> str:
        """The number rules (IBAN, phones, personal/account/org numbers, birth dates, addresses)."""
        text = self._sub(_IBAN, text, counts, lambda m, t: "kontonummer" if valid_iban_no(m.group(0)) else None)
        if ("nr" in low or "eiendom" in low or "tomt" in low or "gårdsn" in low) and _GNR_GATE.search(low):
            text = self._sub(_GNR, text, counts, lambda m, t: "eiendom")
            text = self._sub(_PROPERTY_FRACTION, text, counts, _classify_property_fraction, group="n")
        if "sak" in low or "ref" in low:
            text = self._sub(CASE_NUMBER_CUED, text, counts, lambda m, t: "idnummer", group="n")
        if _IP_GATE.search(low):
            text = self._sub(_IPV4, text, counts, _classify_cued_ip)
        text = self._sub(_PHONE_CC, text, counts, lambda m, t: "telefon")
        text = self._sub(_PHONE_INTL, text, counts, _classify_phone_intl)
        if "(" in text:
            text = self._sub(_PHONE_INTL_BRACKET, text, counts, _classify_phone_intl)
        text = self._sub(_FNR_FULLYEAR, text, counts, lambda m, t: personal_number_type(_fnr_from_fullyear(m)))
        if _PNR_GATE.search(low):
            text = self._sub(_PNR_TYPO, text, counts, self._classify_pnr_typo)
            text = self._sub(_PNR_TYPO_GLUED, text, counts, self._classify_pnr_typo_glued)
        text = self._redact_pnr_runs(text, counts)
        text = self._sub(_NUM11, text, counts, self._classify11)
        text = self._sub(_FNR_GROUPED, text, counts, self._classify_fnr_grouped)
        text = self._sub(_NUM11_LOOSE, text, counts, self._classify11_cued)
        text = self._sub(_NUM11_GLUED, text, counts, self._classify11_glued)
        if any(cue in low for cue in _BIRTH_GATE):
            text = self._sub(_DATE, text, counts, self._classify_birth_date)
        if _ID_GATE.search(low):
            if "pass" in low or "førerkort" in low:
                text = self._sub(_ID_ALNUM, text, counts, _classify_cued_id_alnum)
            text = self._sub(_ID_NUM_GROUPED, text, counts, _classify_cued_id_grouped)
            text = self._sub(_ID_NUM, text, counts, _classify_cued_id)
        text = self._sub(_PLATE, text, counts, self._classify_plate)
        text = self._sub(_PHONE_PAIR, text, counts, self._classify_phone_pair, split="/")
        if "," in text:
            text = self._sub(_PHONE_PAIR_COMMA, text, counts, self._classify_phone_pair_comma, split=",")
        text = self._sub(_ORG, text, counts, self._classify9)
        if "ENK" in text or "enkelt" in low or "orgn" in low or "org.n" in low or "org n" in low or "foretaksn" in low:
            text = self._sub(_ORG_LOOSE, text, counts, self._classify_org_loose)
        text = self._sub(_PHONE_GLUED, text, counts, lambda m, t: "telefon", group="n")
        text = self._sub(_PHONE_ANY_GLUED, text, counts, self._classify8_cued_glued)  # before "47 91 23 45" of it
        text = self._sub(_PHONE_ANY, text, counts, self._classify8_cued)
        if "47" in text:
            text = self._sub(_PHONE_CC_BARE, text, counts, self._classify_phone_cc_bare)
        text = self._sub(_PHONE, text, counts, self._classify8_public)
        text = self._sub(_PHONE_GLUED_WORD, text, counts, self._classify8_glued_public)
        if "[TELEFON]" in text:
            listed: dict[int, bool] = {}  # end of a list item -> it was a phone
            text = self._sub(_PHONE_LIST_NEXT, text, counts,
                             lambda m, t: self._classify_phone_list_next(m, t, listed))
        text = self._sub(_FNR_GROUPED, text, counts, self._classify_fnr_grouped)  # one right after a phone
        text = self._redact_pnr_runs(text, counts)  # a list resumed after a phone ("[TELEFON], 150385 10190,…")
        if "boks" in low and "adr" in low:
            text = self._redact_postbox_cued(text, counts)
        text = self._redact_addresses(text, counts)
        if "adr" in low:
            text = self._sub(_ADDRESS_CUED, text, counts, self._classify_address_cued, group="a")
        if "[ADRESSE]" in text:
            text = _LOWER_POST.sub(self._merge_lower_post, text)
        return text

    @staticmethod
    def _sub(pattern: re.Pattern, text: str, counts: dict[str, int], classify, split: str | None = None,
             group: int | str = 0) -> str:
        """Replace classified matches (only ``group`` of each, if given); with ``split``, each ``split``-joined
        part gets its own placeholder."""
        out, last = [], 0
        for m in pattern.finditer(text):
            kind = classify(m, text)
            if kind is None:
                continue
            parts = m.group(group).count(split) + 1 if split else 1
            out.append(text[last : m.start(group)])
            out.append((split or "").join([PLACEHOLDERS[kind]] * parts))
            counts[kind] += parts
            last = m.end(group)
        if not out:
            return text
        out.append(text[last:])
        return "".join(out)

    def _redact_pnr_runs(self, text: str, counts: dict[str, int]) -> str:
        """Mask each valid member of a list of personal numbers (see _PNR_RUN), whatever its neighbours are."""
        out, last = [], 0
        for run in _PNR_RUN.finditer(text):
            for m in _PNR_ONE_RE.finditer(text, run.start(), run.end()):
                kind = self._classify_fnr_grouped(m, text)
                if kind is None:
                    continue
                out.append(text[last : m.start()])
                out.append(PLACEHOLDERS[kind])
                counts[kind] += 1
                last = m.end()
        if not out:
            return text
        out.append(text[last:])
        return "".join(out)

    # -- handles, plates ----------------------------------------------------------------------
    def _redact_handles(self, text: str, counts: dict[str, int]) -> str:
        """Social-media handles as names: "@kari_nordmann92" and a handle after a platform and ":"
        ("snap: karinordmann", "insta: kari.nordmann"); "@NAV", "@14", "Facebook: ingen svar" stay."""
        if "@" in text:
            text = self._sub(_HANDLE_AT, text, counts, self._classify_handle)
        if ":" in text or "=" in text:
            text = self._sub(_HANDLE_CUED, text, counts, self._classify_handle, group="h")
        return text

    def _public_page(self, handle: str) -> bool:
        """A public agency's own page or handle ("navno", "oslokommune", "skatteetaten"): not personal data."""
        h = handle.lower().strip("@/.").split("/")[0].split("?")[0]
        if h in self.public_pages or h.endswith(("kommune", "kommunen")):
            return True
        # a dotted suffix that is a top-level domain or a place ("navarbeidsgiver.no", "politiet.oslo"); a person's
        # "kari.nordmann" has no public prefix
        head, *rest = h.split(".")
        return bool(rest) and head in self.public_pages and all(
            p in _PAGE_SUFFIXES or p in self.place_names for p in rest
        )

    def _classify_profile(self, m: re.Match, text: str) -> str | None:
        """A social-media profile link names a person ([NAVN]), except a public agency's page ("facebook.com/navno")."""
        handle = m.group(0).split(".com/", 1)[1] if ".com/" in m.group(0) else m.group(0).rsplit("/", 1)[-1]
        return None if self._public_page(handle) else "navn"

    def _classify_handle(self, m: re.Match, text: str) -> str | None:
        """"@" + a handle with a letter that is not a blocked word ("@NAV", "@14" stay); after a platform cue
        without "@", a handle with a digit, "_" or "." or a first name + surname run together ("karinordmann"),
        so "Facebook: ingen svar" stays."""
        h = m.group("h")
        if h.isdigit() or h in self.names.blocked or h.upper() in self.names.blocked or self._public_page(h):
            return None
        if "@" in m.group(0) or re.search(r"[\d_.]", h) or self._slug_names_person([h.lower()]):
            return "navn"
        return None

    def _classify_plate(self, m: re.Match, text: str) -> str | None:
        """A licence plate (see _PLATE): after a plate cue, or a known prefix in capitals + 5 digits."""
        letters, digits = m.group("l"), m.group("d")
        if _NUMBER_NEG_AFTER.match(text[m.end() : m.end() + 15]):
            return None  # "EL 12345 kr"
        cue = _PLATE_CUE.search(text[max(0, m.start() - 30) : m.start()])
        if cue:
            low = letters.lower()
            if len(digits) == 4 and _YEAR.match(digits):
                return None
            if letters.upper() in self.plate_prefixes:
                return "kjennemerke"  # "bilen min er el 12345"
            if cue.group("car") and low in _PLATE_NOT_AFTER_CAR:
                return None  # "bil kr12000", "bilen er OK 12000"
            if not letters.isupper() and (m.group("sp") or cue.group("car")) and (
                    low in _PLATE_NOT_LETTERS or self._is_common(low)):
                return None  # "bilen er 12000", "bilen er ca 12000" (but "reg.nr. ab 12345" is a plate)
            return "kjennemerke"
        if letters.isupper() and len(digits) == 5 and letters in self.plate_prefixes and m.group("sp") != "-":
            return "kjennemerke"  # "AB-12345" only after a cue (a product or form code otherwise)
        return None

    # -- birth dates and links ----------------------------------------------------------------
    @staticmethod
    def _classify_birth_date(m: re.Match, text: str) -> str | None:
        """A real day + month (or month + year) right after a birth cue; after the bare abbreviation "f."
        only with a year ("f. 12.03.1985")."""
        has_year = _date_has_year(m)
        if has_year is None:
            return None
        before = text[max(0, m.start() - 40) : m.start()]
        if not (_BIRTH_CUE.search(before) or (has_year and _BIRTH_CUE_F.search(before))):
            return None
        if _BIRTH_FIRST_PERSON.search(before):
            return "fodselsdato"  # "jeg er født 1.1.1963 og yngre kolleger ...": always the writer's own date
        if _BIRTH_ORG.search(before) or _BIRTH_NOT_AFTER.match(text, m.end()):
            return None  # a founding date or a rule's threshold
        if _birth_group(before) and _year_boundary(m.group(0)):
            return None  # "alle født 1.1.1963": a rule's cut-off; "tre barn, alle født 12.03.2015" stays masked
        return "fodselsdato"

    def mask_links_and_birth_dates(self, text: str) -> str:
        """Only the link rules (social-media profiles, personal links) and birth dates after a birth cue, with
        their masks: the quotes safety net's second pass over already cleaned text."""
        counts = dict.fromkeys(PII_TYPES, 0)
        low = text.lower()
        if ".com/" in low:
            text = self._sub(_PROFILE_URL, text, counts, self._classify_profile)
        if _URL_GATE.search(low):
            text = self._sub_urls(text, counts)
        if any(cue in low for cue in _BIRTH_GATE):
            text = self._sub(_DATE, text, counts, self._classify_birth_date)
        return text

    def _sub_urls(self, text: str, counts: dict[str, int], kept: list[str] | None = None) -> str:
        """Mask personal links; a kept link with digits is appended to ``kept`` (if given), to be shielded
        from the number rules ("regjeringen.no/.../prop.-1-s-20232024/..." is no phone number)."""
        out, last = [], 0
        for m in _URL.finditer(text):
            start, end = m.start(), _url_end(text, m.start(), m.end())
            url = text[start:end]
            if self._personal_url(url):
                out.append(text[last:start])
                out.append(PLACEHOLDERS["lenke"])
                counts["lenke"] += 1
                last = end
            elif kept is not None and _ANY_DIGIT.search(url):
                kept.append(url)
        if not out:
            return text
        out.append(text[last:])
        return "".join(out)

    def _personal_url(self, url: str) -> bool:
        """The rule for links. Personal (masked) when the URL carries an identifier:

        - an e-mail or "@handle" anywhere, or a "~user" path segment;
        - a query/fragment parameter named like an identifier (``_URL_ID_PARAMS``: fnr, id, email, navn, tlf,
          token…) or whose value is a number of 6+ digits;
        - a path segment that is a number of 6+ digits (file extension ignored; dates/timestamps excepted), not
          after a document segment (``_URL_DOC_SEGMENTS``: "/artikler/2845211", "/topic/1049071");
        - digits that are personal data (:meth:`_url_digits_personal`: a phone, personal, account or org number);
        - a person-marker segment (``_URL_PERSON_SEGMENTS``: profil, person, ansatte, users…) followed by a
          segment with a digit or a name ("/profil/kari-nordmann", "/ansatte/4711");
        - a host label or path segment that is a known first name + surname ("kari-nordmann.no",
          "karinordmann.no", "/om-oss/kari-nordmann");
        - a blog platform's subdomain ("kari.blogspot.com"), a handle on a profile host ("github.com/kari",
          "wa.me/4791234567").

        Everything else stays: organisational pages, searches, articles, forms ("nav.no",
        "www.nav.no/sykepenger", "nav.no/person/kontakt-oss", "github.com/navikt/sykepenger"). On a public-sector
        site (``_URL_ORG_SITES``) or "github.com/orgs/…" a long number is a document id, except in a person's
        own area (``_URL_PERSONAL_AREAS``: "saksoversikt", "mine-saker", "innboks"…)."""
        low = url.lower()
        if "@" in low or "%40" in low:
            return True
        rest = low.split("://", 1)[1] if "://" in low[:8] else low
        cut = min((k for k in (rest.find("/"), rest.find("?"), rest.find("#")) if k >= 0), default=len(rest))
        host, tail = rest[:cut].split(":")[0], rest[cut:]
        tail, _, frag = tail.partition("#")
        path, _, query = tail.partition("?")
        segs = [unquote(p) for p in path.split("/") if p]
        labels = [p for p in host.split(".") if p]
        site = ".".join(labels[-2:])
        org = (site in _URL_ORG_SITES or (site == "github.com" and segs[:1] == ["orgs"])) and not any(
            seg in _URL_PERSONAL_AREAS for seg in segs
        )
        for part in re.split(r"[&;]", query + "&" + frag):
            name, eq, value = part.partition("=")
            if eq and value and (unquote(name).strip() in _URL_ID_PARAMS or (not org and self._url_number(value))):
                return True
        for k, seg in enumerate(segs):
            if seg[0] == "~":
                return True
            if not org and self._url_number(seg.rsplit(".", 1)[0]) and not (k and segs[k - 1] in _URL_DOC_SEGMENTS):
                return True
            if seg in _URL_PERSON_SEGMENTS and k + 1 < len(segs) and self._url_handle(segs[k + 1]):
                return True
        if _ANY_DIGIT.search(low) and self._url_digits_personal(url, org):
            return True
        if site in _URL_SUBDOMAIN_HOSTS and len(labels) > 2 and labels[0] not in ("www", "m"):
            return True
        if site in _URL_HANDLE_HOSTS and segs and segs[0] not in _URL_GENERIC_FIRST:
            if len(segs) == 1 or self._url_handle(segs[0]):
                return True
        own = [p for p in labels[:-1] if p not in ("www", "m")]
        return self._slug_names_person(own) or any(self._slug_names_person([p]) for p in segs)

    def _url_digits_personal(self, url: str, org: bool) -> bool:
        """Digits in a link that are personal data: on an organisation's site a mobile, org, personal or
        account number (:func:`_personal_digit_run`); elsewhere anything the number rules would mask."""
        if org:
            return any(_personal_digit_run(m.group(0)) for m in _URL_DIGIT_RUN.finditer(url))
        counts = dict.fromkeys(PII_TYPES, 0)
        self._redact_numbers(url, counts, url.lower())
        return any(counts.values())

    @staticmethod
    def _url_number(value: str) -> bool:
        """A query value or path segment that is a number of 6+ digits (a case, user or document id), except
        a date or timestamp ("20240312")."""
        return len(value) >= 6 and value.isascii() and value.isdigit() and not _URL_TIMESTAMP.fullmatch(value)

    def _url_handle(self, seg: str) -> bool:
        """A path segment after a person marker that names or numbers someone (not "kontakt-oss", "2024")."""
        if seg[:1] in "@~" or (any(ch.isdigit() for ch in seg) and not _YEAR.match(seg)):
            return True
        names = self.names
        for p in re.split(r"[-_.+ ]", seg):
            if (p in names.first or p in self._last_any) and p not in names.ambiguous:
                return True
        return self._slug_names_person([seg])

    def _classify_joined_name(self, m: re.Match, text: str) -> str | None:
        """A first name + surname run together ("KariNordmann", "Kari.Nordmann", "kari_nordmann"; see
        _JOINED_NAME), not when both parts are ambiguous."""
        a, b = (m.group("a"), m.group("b")) if m.group("a") else (m.group("c"), m.group("d"))
        return "navn" if self._slug_names_person([f"{a}.{b}".lower()]) else None

    def _slug_names_person(self, labels: list[str]) -> bool:
        """Host labels / a path segment spelling a first name + surname: "kari-nordmann", "ola.hansen",
        "karinordmann" (run together only when neither part is also an ordinary word)."""
        names, last = self.names, self._last_any
        tokens = [p for lab in labels for p in re.split(r"[-_.+ ]", lab) if p]
        for a, b in zip(tokens, tokens[1:]):
            if a in names.first and b in last and not (a in names.ambiguous and b in names.ambiguous):
                return True
        for t in tokens:
            for k in range(3, len(t) - 2):
                a, b = t[:k], t[k:]
                if a in names.first and b in last and a not in names.ambiguous and b not in names.ambiguous:
                    return True
        return False

    def _classify_spelled(self, m: re.Match, text: str) -> str | None:
        """Number words spelling 8 digits (a phone: a mobile/landline first digit or a phone cue) or 11 digits that
        are a personal number ("ni to tre fire fem seks sju åtte")."""
        d = _spelled_digits(m.group(0))
        if len(d) == 8 and d not in self.public_numbers and (d[0] in "2345679" or _phone_context(m, text)):
            return "telefon"
        if d.startswith("00") and not d.startswith("000") and 10 <= len(d) <= 15 and (
            d.startswith("0047") or _phone_context(m, text)
        ):
            return "telefon"  # "null null fire seks sju null en to ...": a country code + number
        if len(d) == 11:
            return personal_number_type(d) or (_cued_personal_type(d, "") if _PNR_CUE.search(
                text[max(0, m.start() - 25) : m.start()]) else None)
        return None

    def _classify_o_for_zero(self, m: re.Match, text: str) -> str | None:
        """A number with the letter O typed for a zero, classified as the digits it stands for: 11 as a personal
        (or, after an account cue, account) number, 8 after a phone cue as a phone."""
        raw = m.group(0)
        d = raw.replace("O", "0").replace("o", "0")
        before = text[max(0, m.start() - 25) : m.start()]
        if len(d) == 11:
            if valid_account(d) and _ACCOUNT_CUE.search(before):
                return "kontonummer"
            if kind := personal_number_type(d):
                return kind
            return _cued_personal_type(d, before) if _PNR_CUE.search(before) else None
        if len(d) == 8 and _PHONE_CUE.search(before) and d not in self.public_numbers:
            return "telefon"
        return None

    def _classify_l_for_one(self, m: re.Match, text: str) -> str | None:
        """A phone number with a letter l/I typed for a one (an O for a zero too): a phone after a phone cue when
        the letters stand for at most two of its 8 digits and it starts as a Norwegian number (2-9); also after
        +47/0047, after "[TELEFON] eller/og" (a second number) and before a cue ("… er nummeret mitt")."""
        cc = m.group("cc") or ""
        raw = m.group(0)[len(cc):]
        if not ("l" in raw or "I" in raw) or len(_digits(raw)) < 6:
            return None
        d = _digits(raw.translate(_LETTER_DIGITS))
        if d[0] in "01" or d in self.public_numbers:
            return None
        before = text[max(0, m.start() - 30) : m.start()]
        cued = (bool(cc) or _PHONE_CUE.search(before) or _PHONE_BEFORE_SECOND.search(before)
                or _PHONE_CUE_AFTER.match(text, m.end()))
        return "telefon" if cued else None

    def _classify_org_loose(self, m: re.Match, text: str) -> str | None:
        """9 digits in any grouping (check digit not needed) as a sole proprietor's organisation number: after
        "enkeltpersonforetak"/"ENK" in the same phrase or right before it ("998877665 (ENK, Kari Hansen)"), or after
        an org-number cue right after a person's name ("Kari Nordmann, org.nr 912 345 678"). A company's number
        keeps _classify9's rule."""
        before = text[max(0, m.start() - 60) : m.start()]
        if _NUMBER_NEG_AFTER.match(text[m.end() : m.end() + 15]):
            return None
        if _ENK_CUE.search(before) or _ENK_AFTER.match(text, m.end()):
            return "orgnummer"
        cue = _ORG_CUE.search(before)
        if not cue:
            return None
        head = before[: cue.start()].rstrip(" ,:(")
        words = head.split()[-2:]
        if len(words) == 2 and all(w[:1].isupper() and not w.isupper() for w in words):
            first = words[0].lower()
            return "orgnummer" if first in self.names.first and first not in self.names.ambiguous else None
        return None

    @staticmethod
    def _classify11(m: re.Match, text: str) -> str | None:
        raw = m.group(0)
        d = _digits(raw)
        before = text[max(0, m.start() - 25) : m.start()]
        kind = personal_number_type(d)
        if kind and not (valid_account(d) and _ACCOUNT_CUE.search(before)):
            return kind
        if _PNR_CUE.search(before) and (cued := _cued_personal_type(raw, before)):
            return cued  # "fnr 12345678903": the cue wins over an account checksum
        if cued_after := _personal_type_cued_after(m, text):
            return cued_after  # "15038510191 som personnummer"
        if _ACCOUNT_CUE_STRICT.search(before):
            return "kontonummer"  # "feil konto 9710 05 12345": a mistyped account number is still one
        if raw[2] in " .-":  # "01 01 90 10046" is a date-grouped personal number, never an account
            return None
        if raw[4] == "-" and _YEAR.match(raw[:4]) and not _ACCOUNT_CUE.search(before):
            return None  # "2023-10-12345" is a reference, "1234-56-78903" an account
        if valid_account(d) and not _NOT_ACCOUNT_BEFORE.search(before):
            return "kontonummer"
        return None

    def _classify_email(self, m: re.Match, text: str) -> str | None:
        """E-mail. "x @ y.no" (spaces on both sides) only if x looks like an address or is a name,
        so "skriv til @ nav.no" stays."""
        local, at, domain = m.group(0).partition("@")
        if at and local[-1:].isspace() and domain[:1].isspace():
            word = local.strip().lower()
            if not (re.search(r"[._\d-]", word) or word in self.names.first or word in self.names.last):
                return None
        return "epost"

    def _classify_email_obf(self, m: re.Match, text: str) -> str | None:
        """Obfuscated e-mail. With a bare " at " (also a Norwegian word) the local part must look like an
        address (dot, digit, "_") or be a known name: "kari.nordmann at gmail.com", not "vet at nav.no"."""
        raw = m.group(0)
        bare = _BARE_AT.search(raw)
        if bare and "@" not in raw and not re.search(r"[(\[]|krøllalfa|alfakrøll|snabel", raw, re.IGNORECASE):
            if " . " in raw[: bare.start()] and not self._spaced_name_local(raw[: bare.start()]):
                return None  # "greit . Synes at nav.no"; "kari (at) gmail . com", "kari . nordmann på gmail . com"
        paa = re.search(r"\sp(?:å|aa)\s", raw, re.IGNORECASE)
        if paa:
            local = raw[: paa.start()]
            if self._paa_address(local, raw[paa.end() :]) or self._cued_name_local(local, text, m.start()):
                return "epost"
            return None
        at = re.search(r"\s(?:at|@)\s", raw, re.IGNORECASE)  # bare " at " or " @ " ("skriv til @ nav.no")
        if at and not re.search(r"[(\[]|krøllalfa|alfakrøll", raw, re.IGNORECASE):
            local = raw[: at.start()].lower()
            if not (re.search(rf"[._\d]|{_OBF_DOT}", local) or local in self.names.first or local in self.names.last):
                return None
        return "epost"

    def _classify_float_in_text(self, m: re.Match, text: str) -> str | None:
        """A spreadsheet float in a text: a valid personal number (10 digits padded with its lost zero, or 11), or 8
        digits after a phone cue ("Tlf 91234567.0"), not a public service number; amounts ("45000000.0") stay."""
        d = m.group(0)[:-2]
        if len(d) != 8:
            return personal_number_type(d.zfill(11))
        if d[0] in "01" or d in self.public_numbers:
            return None
        return "telefon" if _PHONE_CUE.search(text[max(0, m.start() - 30) : m.start()]) else None

    def _name_word(self, word: str) -> bool:
        """``word`` (any case) is a first name or a surname of a list (name_last_no.txt too)."""
        low = word.lower()
        return low in self.names.first or low in self.names.last or low in self._last_any

    def _spaced_name_local(self, local: str) -> bool:
        """A local part spelled with spaced dots whose every part is a name ("kari . nordmann"), unlike a sentence
        end before a word ("greit . Synes")."""
        parts = re.split(r"\s\.\s|\.", local.strip())
        return len(parts) >= 2 and all(p.isalpha() and self._name_word(p) for p in parts)

    def _cued_name_local(self, local: str, text: str, start: int) -> bool:
        """An explicit e-mail cue ("mailen min er", "epost:") before "NAME på host": an address at any host
        ("mailen min er kari på nav.no"); the local part must be a name or name-shaped ("kari", "kari.nordmann")."""
        if not _EMAIL_CUE.search(text[max(0, start - 40) : start]):
            return False
        low = local.strip().lower()
        if low in _ABBREVIATIONS or _LOCAL_NOT.fullmatch(low):
            return False
        parts = [p for p in re.split(rf"[._+-]|{_OBF_DOT}", low) if p]
        return (bool(parts) and any(self._name_word(p) for p in parts)
                and all(re.fullmatch(r"[^\W_]+", p) for p in parts))

    def _paa_address(self, local: str, rest: str) -> bool:
        """"på" for "@": ``local`` is shaped like an address (see _LOCAL_SHAPED) and is no file, host, clock time,
        abbreviation or run-together sentence (see _LOCAL_NOT, _RUN_TOGETHER), or a name or digits before a
        free-mail host ("ola på gmail.com"); before a public agency's host ("nav.no", "oslo.kommune.no") only a
        local part with a name in it ("per.olsen på nav.no", not "Min.side på nav.no")."""
        low = local.lower()
        spelled_dot = r"\s*(?:[(\[]\s?(?:dot|punktum|prikk)\s?[)\]]|\s(?:dot|punktum|prikk)\s|\.|,)\s*"
        domain = re.sub(spelled_dot, ".", rest.lower())
        host = re.split(r"[^\w-]", domain, maxsplit=1)[0]
        parts = [p for p in re.split(rf"[._+-]|{_OBF_DOT}", low) if p]
        named = any(p in self.names.first or p in self.names.last for p in parts)
        if low in _ABBREVIATIONS or _LOCAL_NOT.fullmatch(low):
            return False  # "se f.eks på nav.no", "sykmelding.pdf på nav.no", "kl.08 på nav.no"
        if _RUN_TOGETHER.search(local) and (local[:1].islower() or not named):
            return False  # "vanskelig.Informasjonen på nav.no"; "Kari.Nordmann på gmail.com" is an address
        if (self._public_page(domain) or re.search(r"(?:^|\.)\w*kommunen?\.no\b", domain)) and not named:
            return False  # "Min.side på nav.no", "a.s på nav.no"
        shaped = _LOCAL_SHAPED.fullmatch(low)
        return bool(shaped or (host in _FREEMAIL and (named or re.search(r"[._\d]", low))))

    @staticmethod
    def _classify_fnr_grouped(m: re.Match, text: str) -> str | None:
        """A grouped personal number ("15 03 85 101 90"): only a valid one (both check digits + date); one that is
        also a valid account number after an account word is left to the account rules, as in :meth:`_classify11`.
        One followed by more digit groups ("15 03 85 101 90 67 …", maybe a list of scores) is still masked: a guard
        there let real numbers through (before an orgnr, a spaced date, after a name); over-masking is the safe side."""
        d = _digits(m.group(0))
        before = text[max(0, m.start() - 25) : m.start()]
        kind = personal_number_type(d)
        if kind and valid_account(d) and _ACCOUNT_CUE.search(before):
            return None
        return kind

    @staticmethod
    def _classify11_cued(m: re.Match, text: str) -> str | None:
        """Loosely grouped 11 digits: a personal number only right after or before fnr/fødselsnummer/d-nr, an
        account number only right after an account word."""
        before = text[max(0, m.start() - 25) : m.start()]
        d = _digits(m.group(0))
        if _PNR_CUE.search(before) or _PNR_CUE_NEAR.search(text[max(0, m.start() - 70) : m.start()]):
            return personal_number_type(d) or _cued_personal_type(m.group(0), before)
        if cued_after := _personal_type_cued_after(m, text):
            return personal_number_type(d) or cued_after  # "150385 10191 som fødselsnummer"
        if _ACCOUNT_CUE_STRICT.search(before) or (_ACCOUNT_CUE.search(before) and valid_account(d)):
            return "kontonummer"  # "konto: 1234 5678903", also with a mistyped check digit
        return None

    @staticmethod
    def _classify_pnr_typo(m: re.Match, text: str) -> str | None:
        """10 or 12 digits (one missing or one extra, any grouping) are a personal number only after a
        personal-number cue, right before ("fnr 240492 1234") or a few words earlier in the same phrase
        ("Fødselsnummer til den ansatte er 24049212345 6"); the whole run is masked. Without the cue they stay
        as before (a phone number with country code, an order number...), and so they do when the words right
        before the number are another kind's cue ("fnr og tlf 4791234567", "fnr i saksnr 2023123456")."""
        before = text[max(0, m.start() - 25) : m.start()]
        if _PNR_CUE.search(before):
            return _typo_type(m.group(0), before)
        near = text[max(0, m.start() - 70) : m.start()]
        if not _PNR_CUE_NEAR.search(near):
            return None
        if (_PHONE_CUE.search(before) or _ACCOUNT_CUE.search(before) or _NUMBER_NEG_BEFORE.search(before)
                or _NOT_ACCOUNT_BEFORE.search(before)):
            return None
        return _typo_type(m.group(0), near)

    @staticmethod
    def _classify_pnr_typo_glued(m: re.Match, text: str) -> str | None:
        """10 or 12 digits glued to a personal-number cue or after "fnr/" ("fnr0101901004")."""
        before = text[max(0, m.start() - 25) : m.start()]
        return _typo_type(m.group(0), before) if _PNR_CUE.search(before.removesuffix("/")) else None

    @staticmethod
    def _classify11_glued(m: re.Match, text: str) -> str | None:
        """11 digits glued to letters, "/" or ",": personal numbers only (not accounts); any 11 digits right
        after a personal-number cue ("fnr24049212345", "fnr/24049212345")."""
        d = m.group(0)
        before = text[max(0, m.start() - 25) : m.start()]
        cued = _PNR_CUE.search(before.removesuffix("/"))
        if not cued and _ACCOUNT_CUE_STRICT.search(before.removesuffix("/")):
            return "kontonummer"  # "kontonr97100500004": an account word glued to it
        return (personal_number_type(d) or (_cued_personal_type(d, before) if cued else None)
                or _personal_type_cued_after(m, text))

    def _classify_phone_pair(self, m: re.Match, text: str) -> str | None:
        """"41234567/91234567": phones if the first would be one and no part is a date or public number."""
        parts = re.split("[/,]", m.group(0))
        if any(_looks_like_date8(p) or p in self.public_numbers for p in parts):
            return None
        return None if _phone_context(m, text) is False else "telefon"

    def _classify_phone_pair_comma(self, m: re.Match, text: str) -> str | None:
        """"ring 91234567,98765432": phones only right after a phone cue, and no part a round amount or the number
        after the one before it ("Omsetning: 25000000,30000000", "Løpenummer 41234567,41234568" stay)."""
        parts = [int(p) for p in m.group(0).split(",")]
        if any(p % 1000000 == 0 for p in parts) or any(b - a == 1 for a, b in zip(parts, parts[1:])):
            return None
        return self._classify_phone_pair(m, text) if _phone_context(m, text) else None

    @staticmethod
    def _classify9(m: re.Match, text: str) -> str | None:
        d = _digits(m.group(0))
        if not valid_orgnr(d):
            return None
        before = text[max(0, m.start() - 20) : m.start()]
        after = text[m.end() : m.end() + 12]
        if re.search(r"(?:\bkr|kroner|nok|beløp\w*)\.?\s*$", before, re.IGNORECASE) or re.match(
            r"^\s*(?:kr\b|kroner|nok\b|,-|%)", after, re.IGNORECASE
        ):
            return None
        return "orgnummer"

    @staticmethod
    def _classify8(m: re.Match, text: str) -> str | None:
        raw = m.group(0)
        d = _digits(raw)
        context = _phone_context(m, text)
        if context is not None:
            return "telefon" if context else None
        if len(raw) == 8 and _looks_like_date8(d) or _YEAR_SERIAL.match(raw):
            return None
        parts = re.split(r"[ .-]", raw)
        if len(parts) == 2 and _YEAR.match(parts[0]) and _YEAR.match(parts[1]):
            return None
        return "telefon"

    def _classify8_public(self, m: re.Match, text: str) -> str | None:
        if _digits(m.group(0)) in self.public_numbers:
            return None  # NAV's own service numbers are not personal data
        return self._classify8(m, text)

    def _classify_phone_cc_bare(self, m: re.Match, text: str) -> str | None:
        """"47" + a mobile number: a phone unless the words around it make it an amount or a reference number, or
        it is a later item of a list (_PHONE_LIST_NEXT's)."""
        prev = _PHONE_LIST_PREV.search(text, max(0, m.start() - 20), m.start())
        if prev and len(_digits(prev.group("n"))) == 10:
            return None  # a list of "47" numbers: _PHONE_LIST_NEXT decides from the item before
        if _digits(m.group(0))[2:] in self.public_numbers or _phone_context(m, text) is False:
            return None
        return "telefon"

    def _classify_phone_list_next(self, m: re.Match, text: str, listed: dict[int, bool]) -> str | None:
        """A mobile number next in a list: a phone when the item before it is "[TELEFON]" or was itself found one
        here (``listed``, filled left to right), and no amount word follows it ("[TELEFON] 98765432 kroner")."""
        prev = _PHONE_LIST_PREV.search(text, max(0, m.start() - 20), m.start())
        ok = prev is not None and (prev.group("n") == "[TELEFON]" or listed.get(prev.end("n"), False))
        ok = ok and _digits(m.group(0))[-8:] not in self.public_numbers and _phone_context(m, text) is not False
        listed[m.end()] = ok
        return "telefon" if ok else None

    def _classify8_cued(self, m: re.Match, text: str) -> str | None:
        """Any 8 digits (or "47" + 8) after a phone cue, except public numbers, dates and clock-time ranges."""
        raw, before = m.group(0), text[max(0, m.start() - 30) : m.start()]
        d = _digits(raw)
        if not _PHONE_CUE.search(before) or d[-8:] in self.public_numbers or _TIME_RANGE.match(raw):
            return None
        if _reference_number(m, text):
            return None  # "faktura nr 12345678"
        if re.fullmatch(r"\d\d([./-])\d\d\1\d{4}", raw) and _looks_like_date8(d):
            return None  # "ringte 12.03.2024"
        return "telefon"

    def _classify8_cued_glued(self, m: re.Match, text: str) -> str | None:
        """:meth:`_classify8_cued` for a number with a word glued after it that is no unit ("4791234567og", not
        "12345678kr") nor a reference code's letters ("nr 12345678ab")."""
        if _NUMBER_NEG_AFTER.match(text[m.end() : m.end() + 15]) or self._glued_code(m, text):
            return None
        return self._classify8_cued(m, text)

    def _classify8_glued_public(self, m: re.Match, text: str) -> str | None:
        """:meth:`_classify8_public` for a number with a word glued after it, not a reference code's letters."""
        return None if self._glued_code(m, text) else self._classify8_public(m, text)

    def _glued_code(self, m: re.Match, text: str) -> bool:
        """The letters glued after the number are a code's ("nr 12345678ab"): two or three letters that are no word,
        right after a reference cue, for a number no phone starts like (0, 1, 8) and with no phone cue in the clause
        ("nr 21234567ab", "tlf nr 81234567ab", "ring meg på 91234567ab" stay phones)."""
        glued = _GLUED_LETTERS.match(text, m.end())
        if glued is None or not 2 <= len(glued.group(0)) <= 3 or self._is_common(glued.group(0).lower()):
            return False
        cue = _REF_CUE_GLUED.search(text, max(0, m.start() - 30), m.start())
        if cue is None or _digits(m.group(0))[-8] not in "018":
            return False  # phone-shaped ("Tlf nr. 22334455mvh", "ordre 91234567ab"): a phone
        return _CLAUSE_PHONE_CUE.search(text, max(0, m.start() - 60), m.start()) is None

    def _redact_addresses(self, text: str, counts: dict[str, int]) -> str:
        """Mask the matches of ``self._address`` that :meth:`_classify_address` accepts, without the "i" + word
        after the post town unless :meth:`_town_tail` ("[ADRESSE] i Mai", "[ADRESSE]" for "…, 8610 Mo i Rana")."""

        out: list[str] = []
        pos = 0
        while (m := self._address.search(text, pos)) is not None:
            end = m.start("y") if m.group("y") and not self._town_tail(m) else m.end()
            out.append(text[pos : m.start()])
            if self._classify_address(m, text, end) is None:
                out.append(text[m.start() : end])
            else:
                counts["adresse"] += 1
                out.append(PLACEHOLDERS["adresse"])
            pos = end  # a dropped "i <word>" is scanned again ("… 0150 Oslo i Kongens gate 12")
            if end == m.start():
                out.append(text[pos : pos + 1])
                pos += 1
        out.append(text[pos:])
        return "".join(out)

    def _town_tail(self, m: re.Match) -> bool:
        """"X i Y" after a post code is a town: listed whole ("Mo i Rana"), or Y a listed town after an X that is
        none; not two listed towns ("Vik i Oslo") nor any other word ("Oslo i Mai", "Bergen i Norge")."""
        x, y = m.group("x").lower(), m.group("y").split()[-1].lower()
        return self._listed_town(f"{x} i {y}") or (self._listed_town(y) and not self._listed_town(x))

    def _classify_address(self, m: re.Match, text: str, end: int | None = None) -> str | None:
        """A street + number (ending at ``end``, default the match's); "gate" cut to "gt" without its period only
        in a word that is none ("Storgt 12", not "langt 12", "Sagt 3 ganger")."""
        end = m.end() if end is None else end
        after = text[end : end + 15]
        if _NUMBER_NEG_AFTER.match(after):
            return None
        if m.group("gt") and self._is_common(m.group("gt").lower()):
            return None
        return "adresse"

    def _redact_postbox_cued(self, text: str, counts: dict[str, int]) -> str:
        """A post box after an address label, with the word after it when a town: capitalised and no ordinary word,
        or "Sentrum" or a listed town in any case ("Postadresse: Boks 123", "adresse: postboks 4321 sentrum"). Left
        to the other rules, as before, when a capitalised word follows or the word is a first name that is no listed
        town ("Adresse: Boks 12 Kari Nordmann", "Adresse: Boks 2 Per")."""

        def sub(m: re.Match) -> str:
            town = (m.group("t") or "").strip()
            low = town.lower()
            if town and (_CAP_WORD_NEXT.match(text, m.end("t"))
                         or (self._name_parts(low, self.names.first) and not self._listed_town(low))):
                return m.group(0)
            counts["adresse"] += 1
            cue = text[m.start() : m.start("a")]
            if m.group("p") or (town and (low == "sentrum" or self._listed_town(low)
                                          or (town[0].isupper() and not self._is_common(low)))):
                return cue + PLACEHOLDERS["adresse"]
            return cue + PLACEHOLDERS["adresse"] + (m.group("t") or "")

        return _POSTBOX_CUED.sub(sub, text)

    def _classify_address_cued(self, m: re.Match, text: str) -> str | None:
        """A street + number after an address cue; not an amount, duration or count ("Adressen er Fem 12 kr",
        "Adressen var Feil 3 ganger"), and the word before the number a street word, an unknown word or after an
        address prefix ("Vestre Rosten 81") or a longer definite form ("Fjellstua 1"), never another ordinary word
        or a service ("Uke 12", "Altinn 3")."""
        after = text[m.end() : m.end() + 15]
        if _NUMBER_NEG_AFTER.match(after) or _ADDRESS_NEG_AFTER.match(after):
            return None
        words = re.split(r"\s\d", m.group("a"), maxsplit=1)[0].split()
        if not words:
            return None
        last = words[-1].lower().strip(".")
        if last in self.public_names or last in _NOT_STREET:
            return None
        if words[0][0].islower():
            return self._classify_lower_street(m, text, words)
        if last.endswith(self.street_suffixes) or re.fullmatch(_STREET_WORDS_LOWER, last):
            return "adresse"
        if len(words) > 1 and re.fullmatch(_ADDR_PREFIX, words[0]):
            return "adresse"  # "Vestre Rosten 81"
        if len(last) >= 6 and last.endswith(("a", "en", "et")):
            return "adresse"  # a noun's definite form, as farm and street names are: "Fjellstua 1", "Rosten 81"
        return None if self._is_common(last) else "adresse"

    def _classify_lower_street(self, m: re.Match, text: str, words: list[str]) -> str | None:
        """A lower-case street after an address cue: one ending in a street word ("storgata 5", "kirkeveien 12b"),
        or, right after an address label and its colon, an unknown word or one after a prefix ("adr: ringshaug 12 b",
        "hjemmeadresse: vestre rosten 81"); never a preposition, an abbreviation or an ordinary word ("Adressen i
        skjema 3", "adresse: nr 12", "adresse: se tabellen 3")."""
        lows = [w.strip(".") for w in words]
        if any(w in _NOT_STREET_LOWER for w in lows):
            return None
        prefixed = len(lows) > 1 and re.fullmatch(_ADDR_PREFIX, words[0], re.IGNORECASE) is not None
        if any(self._is_common(w) for w in lows[int(prefixed) : -1]):
            return None
        last = lows[-1]
        year = _YEAR.match(re.search(r"\d+", m.group("a")).group(0))  # "adresse: lia 2019", "sharepoint 2019"
        if re.search(_STREET_WORDS_LOWER + "$", last) or (last.endswith(self.street_suffixes) and not year):
            return "adresse"
        cue = text[m.start() : m.start("a")]
        if not (cue.rstrip().endswith(":") and len(cue.split()) == 1) or year:
            return None  # "adressen er i rubrikken 4": only a label + colon is cue enough
        return "adresse" if prefixed or (len(last) >= 3 and not self._is_common(last)) else None

    def _is_word(self, low: str) -> bool:
        """An ordinary bokmål word or a nynorsk form of four letters or more ("innbyggjarar", "elevar", "bygt")."""
        from ._simplemma import knows

        return self._is_common(low) or (len(low) >= 4 and knows(low, ("nn",)))

    def _merge_lower_post(self, m: re.Match) -> str:
        """"[ADRESSE], 0150 oslo" -> "[ADRESSE]" when the word is a town; "8610 mo i rana", "6893 vik i sogn" when
        listed whole ("6893 vik i oslo" keeps "i oslo"). A post town that is also a word only after a code that is no
        year ("5590 etne", not "2019 sel vi huset")."""
        town, year = m.group("t"), _YEAR.match(_POST_CODE.search(m.group(0)).group(0)) is not None
        if " " in town or "\t" in town:
            parts = town.split()
            if self._listed_town(" ".join(parts), year):
                return "[ADRESSE]"
            town = parts[0]
        if self._not_town(town, year):
            return m.group(0)
        return "[ADRESSE]" + m.group(0)[m.start("t") - m.start() + len(town) :]  # "[ADRESSE] i dag"

    def _listed_town(self, low: str, year: bool = False) -> bool:
        return low in self.place_names or low in self.towns or (not year and low in self.post_towns)

    def _not_town(self, low: str, year: bool = False) -> bool:
        """Lower-case words after a post code that are no town: a unit, an ordinary (bokmål or nynorsk) or short
        word; a town of place_names_no.txt, post_towns_no.txt or county_aliases.tsv is one ("etne", "mo i rana")."""
        if self._listed_town(low, year):
            return False
        return (len(low) < 3 or low in _UNIT_WORDS or low in _NOT_STREET_LOWER or bool(_NUMBER_NEG_AFTER.match(low))
                or self._is_word(low))

    # -- names -------------------------------------------------------------------------------
    def _is_blocked(self, word: str) -> bool:
        return word in self.names.blocked or (word.split("-")[0] in self.names.blocked
                                              and not self._month_compound(word.lower()))

    def _month_compound(self, low: str) -> bool:
        """A hyphenated first name of a month name and listed first names ("Mai-Britt", "Anne-Mai", "Mai-Lis"),
        also possessive ("Mai-Britts")."""
        if "-" not in low:
            return False
        for w in (low, low[:-1] if low.endswith("s") else ""):
            parts = set(w.split("-"))
            names = parts - _MONTH_FIRST_NAMES
            if names and names != parts and names <= self.names.first:
                return True
        return False

    def _name_parts(self, low: str, lst: frozenset[str]) -> bool:
        """``low`` (or each hyphenated part, or its possessive base) is in ``lst``; memoised per list."""
        memo = self._name_memo.setdefault(id(lst), {})
        hit = memo.get(low)
        if hit is None:
            if len(memo) > 200_000:  # bounded: a long-running service sees an open vocabulary
                memo.clear()
            hit = memo[low] = self._name_parts_uncached(low, lst)
        return hit

    @staticmethod
    def _name_parts_uncached(low: str, lst: frozenset[str]) -> bool:
        parts = low.split("-")
        if all(p in lst for p in parts if p):
            return True
        # possessive "Karis", "Anne-Maris", "Ola's"
        base = low[:-2] if low.endswith("'s") else low[:-1]
        return low.endswith("s") and bool(base) and all(p in lst for p in base.split("-") if p)

    def _is_common(self, low: str) -> bool:
        """An ordinary word: a lexicon form or a function word ("ingen", "ikkje", "samme")."""
        return low in self.lexicon_forms or low in self.function_words

    def _redact_names(self, text: str, counts: dict[str, int]) -> str:
        """Names; first numbers spelled in words ("ni to tre fire fem seks sju åtte"), looked for here where the
        words are at hand (only in a text with 3+ different number words)."""
        words = _name_words(text)
        if not words:
            return text
        lows = [w[2].lower() for w in words]
        if len(_NUMBER_WORDS.intersection(lows)) >= 3 or (
            text.count("-") >= 3
            and len(_NUMBER_WORDS.intersection(p for w in lows if "-" in w for p in w.split("-"))) >= 3
        ):  # "ni-to-tre-fire-fem-seks-sju-åtte" is one word
            spelled = self._sub(_SPELLED, text, counts, self._classify_spelled)
            if spelled != text:
                text, words = spelled, _name_words(spelled)
                lows = [w[2].lower() for w in words]
        names = self.names
        n = len(words)

        def cap(i: int) -> bool:
            w = words[i][2]
            return w[0].isupper() and not (len(w) > 1 and w.isupper())

        def ambiguous(i: int) -> bool:
            low = lows[i]
            return low in names.ambiguous or (low.endswith("s") and low[:-1] in names.ambiguous)

        def upper(i: int) -> bool:
            w = words[i][2]
            return len(w) > 1 and w.isupper()

        def adjacent(i: int, j: int) -> bool:
            gap = text[words[i][1] : words[j][0]]
            return gap.strip() == ""

        def sentence_initial(i: int) -> bool:
            k = words[i][0] - 1
            while k >= 0 and text[k] in " \t":
                k -= 1
            if k > 0 and text[k] == "." and i and words[i - 1][1] == k + 1 and initial_before(i - 1):
                return sentence_initial(i - 1)  # "K. Berg": an initial, not a sentence end
            return k < 0 or text[k] in _SENTENCE_END or text[k] == "-"

        def place_after_i(i: int) -> bool:
            """An ambiguous surname after "i"/"NAV" or before "kommune" is a place: "i Vik", "NAV Eide"."""
            if not ambiguous(i):
                return False
            if i > 0 and lows[i - 1] in ("i", "nav") and adjacent(i - 1, i):
                return True
            return i + 1 < n and lows[i + 1] in ("kommune", "kommunes", "kommun") and adjacent(i, i + 1)

        def acts(i: int) -> bool:
            """Word i is followed by a verb of speaking/acting or by "fra NAV"."""
            if i + 1 >= n or not adjacent(i, i + 1):
                return False
            if lows[i + 1] in _ACT_VERBS:
                return True
            return lows[i + 1] == "fra" and i + 2 < n and words[i + 2][2] in ("NAV", "Nav") and adjacent(i + 1, i + 2)

        def subject(i: int) -> bool:
            """Word i (an ambiguous first name) is followed by a finite verb (``SUBJECT_VERBS``) or by "og jeg" ("Per
            og jeg") and is no noun that stands alone as a subject (``SUBJECT_NOUN_NAMES``)."""
            return (i + 1 < n and adjacent(i, i + 1) and (lows[i + 1] in SUBJECT_VERBS or with_self(i))
                    and lows[i] not in SUBJECT_NOUN_NAMES)

        def with_self(i: int) -> bool:
            """Word i is joined to "jeg": "kari og jeg", "jeg og KARI"."""
            after = (i + 2 < n and lows[i + 1] in _PAIR_WORDS and lows[i + 2] in _SELF_WORDS
                     and adjacent(i, i + 1) and adjacent(i + 1, i + 2))
            return after or (i >= 2 and lows[i - 1] in _PAIR_WORDS and lows[i - 2] in _SELF_WORDS
                             and adjacent(i - 2, i - 1) and adjacent(i - 1, i))

        def plain_subject(i: int) -> bool:
            """A lower-case or ALL-CAPS first name that is no ordinary word (not ambiguous, not in the lexicon) as
            the subject of a finite verb or joined to "jeg": "kari har ringt", "KARI HAR RINGT", "kari og jeg"."""
            if cap(i) or not is_first(i) or ambiguous(i) or self._is_common(lows[i]) or self._is_blocked(words[i][2]):
                return False
            verb = i + 1 < n and adjacent(i, i + 1) and (lows[i + 1] in SUBJECT_VERBS or lows[i + 1] in _ACT_VERBS)
            return verb or with_self(i)

        def placeholder(k: int) -> bool:
            """Word k is a name placeholder already in the text ("[NAVN]")."""
            s0, e0 = words[k][0], words[k][1]
            return words[k][2] == "NAVN" and text[s0 - 1 : s0] == "[" and text[e0 : e0 + 1] == "]"

        def surname_like(i: int) -> bool:
            """Capitalised, not blocked, not a place of place_names_no.txt, and a surname or an unknown word that does
            not read as a noun or pronoun (``_NOT_SURNAMES``, ``_NOUN_ENDINGS``) nor follows a preposition."""
            low = lows[i]
            if not cap(i) or self._is_blocked(words[i][2]) or low in self.place_names or len(low) < 3:
                return False
            if is_last_any(i):
                return True
            if i and lows[i - 1] in _OBJECT_PREPS:
                return False  # "via Altinn og Kari", "i Hammerfest og Kari": a service or a place
            return not (self._is_common(low) or low in _NOT_SURNAMES or "-" in low or low.endswith(_NOUN_ENDINGS))

        def partner(i: int) -> bool:
            """A surname-like word joined by "og"/"eller" to a name: "[NAVN] og Kvernmo", "Kvernmo og [NAVN]"."""
            if not surname_like(i):
                return False
            before = (i >= 2 and lows[i - 1] in _PAIR_WORDS and adjacent(i - 1, i)
                      and (placeholder(i - 2) or (bool(spans) and spans[-1][1] == words[i - 2][1])))
            return before or (
                i + 2 < n and lows[i + 1] in _PAIR_WORDS and adjacent(i, i + 1)
                and (placeholder(i + 2) or (cap(i + 2) and is_first(i + 2) and not ambiguous(i + 2)
                                            and not self._is_blocked(words[i + 2][2])))
            )

        def linked(i: int) -> bool:
            """Word i stands next to "og"/"eller" or before an office preposition: a partner/office candidate."""
            nxt = lows[i + 1] if i + 1 < n else ""
            return (i > 0 and lows[i - 1] in _PAIR_WORDS) or nxt in _PAIR_WORDS or nxt in _OFFICE_PREPS

        def at_office(i: int) -> bool:
            """A surname-like word or a capitalised ambiguous first name (:func:`placed_first`: "Anna", "Per") as the
            subject of "på NAV-kontoret"/"hos NAV"/"fra NAV Bergen"."""
            if not (surname_like(i) or placed_first(i)) or i + 2 >= n:
                return False
            if lows[i + 1] not in _OFFICE_PREPS or not adjacent(i, i + 1):
                return False
            office = lows[i + 2]
            return office in ("nav", "navkontoret") or office.startswith("nav-") or office in _OFFICE_WORDS

        def placed_subject(i: int) -> bool:
            """A surname-like word (or a capitalised ambiguous first name, see :func:`placed_first`) as the subject of
            a finite verb after "i <Place>", at the start of a clause or joined by "og" to "jeg"/"meg" ("Kvernmo i
            Hammerfest har aldri svart", "Per i Hammerfest har svart", "Vi er bare meg og Bjørkelund i Alta som driver
            firmaet", "Bjørkelund og jeg i Alta driver"); the verb may open a relative clause ("som (aldri)
            svarer"), or stand before the subject in V2 order ("Etter det har Kvernmo i Hammerfest ikke svart", see
            :func:`v2_verb_before`). "NAV i Bergen", "Kontoret i Bodø", "Posten i Tromsø", "Per i dag har" stay: an
            organisation of the blocklist, a definite noun, an ordinary word (see :func:`surname_like`), a time."""
            first = placed_first(i)
            if not (first or surname_like(i)):
                return False
            self_after = (i + 2 < n and lows[i + 1] in _PAIR_WORDS and lows[i + 2] in _SELF_WORDS
                          and adjacent(i, i + 1) and adjacent(i + 1, i + 2))
            k = i + 3 if self_after else i + 1  # the "i"
            if k + 1 >= n or lows[k] != "i" or not adjacent(k - 1, k) or lows[k + 1] in _NOT_PLACES:
                return False
            joined = with_self(i)
            inverted = not joined and not first and v2_verb_before(i)
            if not (joined or inverted or sentence_initial(i)
                    or (i and lows[i - 1] in _CLAUSE_STARTS and adjacent(i - 1, i))):
                return False
            j = k + 1
            while j < n and j < k + 3 and (cap(j) or upper(j)) and adjacent(j - 1, j):
                j += 1  # the place: "Hammerfest", "Indre Østfold", "NAV Hammerfest"
            if inverted:
                return k + 1 < j  # the verb came before the subject: "… har Kvernmo i Hammerfest (ikke svart)"
            return k + 1 < j < n and adjacent(j - 1, j) and verb_after_place(j, joined)

        def placed_first(i: int) -> bool:
            """A capitalised ambiguous first name ("Per", "Eli") that is no noun standing alone as a subject
            (``SUBJECT_NOUN_NAMES``); :func:`placed_subject` asks a finite verb after its place."""
            return (cap(i) and is_first(i) and ambiguous(i) and not self._is_blocked(words[i][2])
                    and lows[i] not in SUBJECT_NOUN_NAMES)

        def v2_verb_before(i: int) -> bool:
            """Word i follows a finite verb that follows the opener of its sentence or of a clause after "og"/"men":
            an adverb ("Da ringte", "Etterpå har") or a preposition + 1-3 lower-case words that hold no subject
            pronoun or subjunction ("Etter det har", "I går kom", "For to uker siden har"; not "Da vi har")."""
            v = i - 1
            if v < 1 or not adjacent(v, i) or not (lows[v] in SUBJECT_VERBS or lows[v] in _ACT_VERBS):
                return False
            for o in range(v - 1, max(-1, v - 5), -1):
                if not adjacent(o, o + 1):
                    return False
                opens = sentence_initial(o) or (o and lows[o - 1] in ("og", "men") and adjacent(o - 1, o))
                if opens and (lows[o] in _V2_ADVERBS if o == v - 1 else lows[o] in _V2_PREPS):
                    return True
                if cap(o) or upper(o) or lows[o] in _V2_NOT_IN_PHRASE:
                    return False  # a subject before the verb ("Vi har", "Da vi har", "Etter at") or no opener
            return False

        def verb_after_place(j: int, loose: bool) -> bool:
            """Word j is a finite verb ("har", "ringte") or "som" + (an adverb +) a finite verb; after "som" or when
            the subject is joined to "jeg" (``loose``), a present or past tense by its ending counts too ("driver")."""
            relative = lows[j] == "som"
            if relative:
                adverb = j + 2 < n and lows[j + 1] in _RELATIVE_ADVERBS and adjacent(j, j + 1)
                j += 2 if adverb else 1
                if j >= n or not adjacent(j - 1, j):
                    return False
            low = lows[j]
            if low in SUBJECT_VERBS or low in _ACT_VERBS:
                return True
            return (relative or loose) and not cap(j) and not upper(j) and len(low) >= 4 and low.isalpha() \
                and low.endswith(_FINITE_ENDINGS)

        def has_cue(i: int) -> bool:
            if i == 0 or lows[i - 1] not in names.cue_last_words:
                return False
            for length in range(1, names.max_cue_len + 1):
                if i - length < 0:
                    break
                gap = text[words[i - 1][1] : words[i][0]].strip(" ,:\t")
                if gap != "" and not (gap == "." and lows[i - 1] in _ABBREVIATED_CUES):  # "mvh. kari"
                    return False
                chunk = tuple(lows[i - length : i])
                if chunk in names.cues_before:
                    # the cue's own words must be adjacent to each other
                    if all(adjacent(k, k + 1) for k in range(i - length, i - 1)):
                        return True
            return False

        def is_first(i: int) -> bool:
            return self._name_parts(lows[i], names.first) or ("-" in lows[i] and self._month_compound(lows[i]))

        def is_last(i: int) -> bool:
            return self._name_parts(lows[i], names.last)

        def is_last_any(i: int) -> bool:
            """A surname, counting name_last_no.txt: only asked right after a first name."""
            return self._name_parts(lows[i], self._last_any)

        def namey(i: int) -> bool:
            """Capitalised, not blocked, and a known name or not an ordinary word (nor a nynorsk job title alone
            after a role label: "Tilsett: Sjukepleiar" stays)."""
            if not cap(i) or self._is_blocked(words[i][2]):
                return False
            low = lows[i]
            return is_first(i) or is_last(i) or not (self._is_common(low) or _STREET_WORD.search(low)
                                                     or lone_job_title(i))

        def lone_job_title(i: int) -> bool:
            """A nynorsk job title alone right after a role label ("Tilsett: Sjukepleiar"; not "Tilsett: Vegar", a
            plural "vegar", nor before a name: "Tilsett: Lærar Gunnar")."""
            alone = i + 1 >= n or not (cap(i + 1) or upper(i + 1))
            return alone and after_colon_label(i) and lows[i] in _NN_JOB_TITLES

        def particle(j: int) -> bool:
            """A capitalised name particle followed by a name word: "Van" in "Nguyen Van Anh"."""
            return (
                lows[j] in _NAME_PARTICLES
                and j + 1 < n
                and adjacent(j, j + 1)
                and cap(j + 1)
                and not self._is_blocked(words[j + 1][2])
                and (is_first(j + 1) or is_last(j + 1) or not self._is_common(lows[j + 1]))
            )

        def continues(i: int, j: int) -> bool:
            """Word j extends the name started at i: capitalised as before (a particle before a name word too),
            or a surname (or second first name) in lower case / ALL CAPS after a first name ("kari hansen",
            "KARI NORDMANN", also a surname of name_last_no.txt in shouted text: "KARI NORDMANN RINGTE")."""
            if lows[j] in _LOWER_PARTICLES and not cap(j) and not upper(j):
                return lower_particles(j) is not None  # "Maria de la Cruz"
            if lows[j - 1] in _VIET_MIDDLE and cap(j) and cap(j - 1):
                return True  # "Tran Thi Mai": the name after the middle name, a month too
            if cap(j):
                return (is_last(j) or is_first(j) or not self._is_common(lows[j]) or (j == i + 1 and is_first(i))
                        or particle(j) or run_surname(i, j) or (j == i + 1 and month_surname(i)))
            if not (is_first(i) or month_name(i) or (j == i + 1 and month_label_surname(i))):
                return False
            if upper(j):
                shouted = (i > 0 and upper(i - 1)) or (j + 1 < n and upper(j + 1))
                if is_last(j) or is_first(j) or (j == i + 1 and (upper(i) or not ambiguous(i)) and not shouted):
                    return True  # "Saksbehandler KARI NORDMANN", "Kari NORDMANN" (only the name in capitals)
                if not ambiguous(i) and is_last_any(j) and all(is_first(k) for k in range(i + 1, j)):
                    return True  # "KARI NORDMANN", "KARI ANNE MARIE NORDMANN": a surname after the first names
                return len(words[j][2]) > 3 and not self._is_common(lows[j])
            return is_last_any(j) or (is_first(j) and not ambiguous(j) and not self._is_common(lows[j]))

        def run_surname(i: int, j: int) -> bool:
            """Capitalised word j ends the run of capitalised list names i..j-1: a surname of any list, also one
            that is an ordinary word ("Ahmed Hassan Mohamed", "Muhammad Ali Khan"), or after 2+ first names (one
            no ordinary word) a word on the same line that is no verb, pronoun, preposition, greeting, place or
            definite noun ("Sunná Biret Bongo"; not "Kari Anne Fikk", "Kari Anne Fra", "Kari Anne\nTakk")."""
            if j - i < 2 or not all(cap(k) and (is_first(k) or is_last_any(k)) for k in range(i, j)):
                return False
            if "\n" in text[words[j - 1][1] : words[j][0]]:
                return False  # "Mvh Kari Anne\nTakk for hjelpen": the next line
            if is_last_any(j):
                return True
            firsts = [k for k in range(i, j) if is_first(k)]
            low = lows[j]
            return (len(firsts) >= 2 and any(not ambiguous(k) for k in firsts) and len(low) >= 3
                    and not self._is_common(low) and low not in _NOT_SURNAMES and low not in SUBJECT_VERBS and low not in _ACT_VERBS
                    and low not in _OBJECT_PREPS and low not in _CLAUSE_STARTS and low not in self.place_names
                    and low not in _GREETINGS
                    and not low.endswith(("en", "et", "ene")) and not ambiguous(j))

        def lower_surname_after(i: int) -> bool:
            """First name i is followed by a lower-case surname of a list that is no ordinary word, ambiguous name,
            place or blocked word: "per hansen", "Liv johansen"; never "per dag", "per time", "per berg"."""
            k = i + 1
            if k >= n or not adjacent(i, k) or cap(k) or upper(k) or self._is_blocked(words[k][2]):
                return False
            low = lows[k]
            return (is_last_any(k) and not self._is_common(low) and not ambiguous(k) and not is_first(k)
                    and low not in self.place_names and low not in _NUMBER_WORDS)

        def lower_first_before(k: int, nxt: int) -> bool:
            """Word k, right before the lower-case name word ``nxt``, is one more lower-case first name of it: on a
            list and not ambiguous, as for a lower-case first name alone («kari» in «kari anne marie nordmann»;
            never «per», «liv»)."""
            return (adjacent(k, nxt) and not caps[nxt] and not upper(nxt) and not caps[k] and not upper(k)
                    and is_first(k) and not ambiguous(k) and not self._is_blocked(words[k][2]))

        def caps_pair(i: int) -> bool:
            """ALL-CAPS first name + ALL-CAPS surname or first name ("KARI NORDMANN", "OLA HANSEN")."""
            return (
                is_first(i)
                and i + 1 < n
                and adjacent(i, i + 1)
                and upper(i + 1)
                and (is_last_any(i + 1) or is_first(i + 1))
                and not self._is_blocked(words[i + 1][2])
            )

        def caps_cued(i: int) -> bool:
            """An ALL-CAPS name after a cue ("dr. JOHANSEN", "Hilsen KARI"); an ambiguous one ("PER", "BERG") only
            as part of a pair, so shouting after a cue ("kontakte PER TELEFON") stays."""
            if self._is_blocked(words[i][2]) or place_after_i(i) or not (is_first(i) or is_last(i)):
                return False
            return not ambiguous(i) or caps_pair(i)

        def initial_before(k: int) -> bool:
            """Word k is an initial of the name after it ("K. Berg"), not a capital letter + period labelling the
            lower-case word before it ("vitamin D.", "plan B.": the period ends the sentence)."""
            if not _INITIAL.fullmatch(words[k][2]):
                return False
            return not (
                k > 0
                and adjacent(k - 1, k)
                and not cap(k - 1)
                and not upper(k - 1)
                and lows[k - 1] not in names.cue_last_words
                and lows[k - 1] not in _BEFORE_INITIAL
            )

        def lower_initial_before(k: int) -> bool:
            """Word k is a lower-case initial ("k.") of the listed surname after it (no place): first, or after a cue,
            a role label + colon, a verb, a preposition or "og" ("k. nordmann", "snakket med k. nordmann"); not a
            letter labelling the word before it ("plan b. strand", "se s. berg")."""
            if k < 0 or not _LOWER_INITIAL.fullmatch(words[k][2]) or not adjacent(k, k + 1):
                return False
            low = lows[k + 1]
            if not is_last_any(k + 1) or self._is_blocked(words[k + 1][2]) or low in self.place_names:
                return False
            prev = lows[k - 1] if k > 0 and adjacent(k - 1, k) else ""
            return not prev or prev in names.cue_last_words or colon_cue(k) or prev in _BEFORE_INITIAL or (
                prev in SUBJECT_VERBS or prev in _ACT_VERBS or prev in _OBJECT_PREPS or prev in _PAIR_WORDS)

        def initialed(i: int, bare: bool = False) -> bool:
            """A lower-case initial follows word i: "ola n.", "per n."; with ``bare`` also one without its period
            that ends the clause ("tone b")."""
            m = _TRAILING_LOWER_INITIAL.match(text, words[i][1])
            if m is None and bare:
                m = _TRAILING_BARE_LOWER_INITIAL.match(text, words[i][1])
            return m is not None and not re.match(r"\s?\d", text[m.end() : m.end() + 2])  # not "s. 4" (a page)

        def contact_after(i: int) -> bool:
            """A first name, also an ambiguous one, right before its masked phone or e-mail: "Tone på [TELEFON]",
            "Tone på tlf. [TELEFON]", "Per: [TELEFON]", "Liv, [EPOST]", "Liv ([TELEFON])"."""
            if not is_first(i) or upper(i) or self._is_blocked(words[i][2]):
                return False
            k = i + 2 if i + 1 < n and lows[i + 1] == "på" and adjacent(i, i + 1) else i + 1
            if k > i + 1 and k < n and lows[k] in _CONTACT_NOUNS and adjacent(k - 1, k):
                k += 1  # "på tlf", "på mobil"
            if k >= n or words[k][2] not in ("TELEFON", "EPOST"):
                return False
            s0, e0 = words[k][0], words[k][1]
            gap = text[words[i][1] : s0 - 1] if k == i + 1 else text[words[k - 1][1] : s0 - 1]
            closed = text[e0 + 1 : e0 + 2] == ")"  # "Liv ([TELEFON])"
            if text[s0 - 1 : s0] != "[" or text[e0 : e0 + 1] != "]" or gap.strip(" \t,:." + "(" * closed) != "":
                return False
            # an ambiguous one only capitalised and with "på" or a comma/colon ("Betaling per [TELEFON]" stays)
            return not ambiguous(i) or (cap(i) and (k > i + 1 or gap.strip(" \t") != ""))

        def contact_bracketed(i: int) -> bool:
            """A first name in brackets or after a dash right after a masked phone or e-mail: "[TELEFON] (Tore)",
            "[TELEFON] - Tone" (the name ends the text or a sentence/line)."""
            if i == 0 or not is_first(i) or not (cap(i) or not ambiguous(i)) or self._is_blocked(words[i][2]):
                return False
            if words[i - 1][2] not in ("TELEFON", "EPOST"):
                return False
            between, after = text[words[i - 1][1] : words[i][0]].replace(" ", ""), text[words[i][1] : words[i][1] + 1]
            return (between == "](" and after == ")") or (between in ("]-", "]–") and after in ("", ".", ",", "\n", "!"))

        def person_before(i: int) -> bool:
            """Word i follows a word that takes a person ("spør etter", "snakket med", "til", "ring"), a name cue or a
            role label + colon."""
            if i == 0:
                return False
            return (adjacent(i - 1, i) and lows[i - 1] in _PERSON_BEFORE) or has_cue(i) or colon_cue(i)

        def after_colon_label(i: int) -> bool:
            """Word i follows a role label and a colon ("HR: …", "ansatt: …")."""
            return (i > 0 and lows[i - 1] in _COLON_LABELS
                    and text[words[i - 1][1] : words[i][0]].strip(" \t") == ":")

        def colon_cue(i: int) -> bool:
            """Word i follows a role label and a colon: "ansatt: ola n.", "Pasient: kari", "HR: Tone"; not an
            ambiguous first name that starts a phrase with the lower-case word after it ("HR: Per telefon …",
            "Kontakt: Liv og helse"), unless that word is a verb, a preposition a person takes ("HR: Tone svarte") or
            an initial ("ansatt: per n.")."""
            if not after_colon_label(i):
                return False
            if not ambiguous(i) or i + 1 >= n or not adjacent(i, i + 1) or cap(i + 1) or upper(i + 1):
                return True
            nxt = lows[i + 1]
            return (not self._is_common(nxt) or nxt in SUBJECT_VERBS or nxt in _ACT_VERBS or nxt in _PERSON_PREPS
                    or initialed(i, bare=True))

        def month_name(i: int) -> bool:
            """Capitalised or ALL-CAPS "Mai"/"August" with no number next to it (``_MONTH_FIRST_NAMES``)."""
            return (cap(i) or upper(i)) and month_name_any_case(i)

        def month_name_any_case(i: int) -> bool:
            s0, e0 = words[i][0], words[i][1]
            return (lows[i] in _MONTH_FIRST_NAMES
                    and re.match(r"[ \t]*\d", text[e0 : e0 + 3]) is None
                    and re.search(r"\d\.?[ \t]*$", text[max(0, s0 - 4) : s0]) is None)

        def month_listed(i: int) -> bool:
            """Word i is joined by og/eller/a comma to another month ("Mai og Juni", "April, Mai og Kari")."""
            if i + 2 < n and lows[i + 1] in _PAIR_WORDS and lows[i + 2] in _MONTHS:
                return True
            return i >= 1 and (lows[i - 1] in _MONTHS
                               or (i >= 2 and lows[i - 1] in _PAIR_WORDS and lows[i - 2] in _MONTHS))

        def month_alone_after_label(i: int) -> bool:
            """A month word after a role label and colon with no surname, verb or initial after it ("Neste kontakt:
            August", "Ansatt: Mai, fast stilling"): a date, unlike "HR: Mai svarte", "HR: Mai Strand"."""
            if not after_colon_label(i):
                return False
            if i + 1 >= n or not adjacent(i, i + 1):
                return True
            nxt = lows[i + 1]
            return not ((cap(i + 1) and nxt not in _MONTHS) or nxt in SUBJECT_VERBS or nxt in _ACT_VERBS
                        or (upper(i + 1) and (is_last_any(i + 1) or is_first(i + 1))) or initialed(i))

        def after_initialed(i: int) -> bool:
            """Lower-case word i follows "og"/"eller"/a comma after a cued lower-case name and its bare initial
            ("kontaktperson: tone b og kari n", "ansatt: per n og tone b", "tone b, kari n")."""
            if i >= 3 and lows[i - 1] in _PAIR_WORDS:
                k = i - 2
            elif i >= 2 and text[words[i - 1][1] : words[i][0]].strip() == ",":
                k = i - 1
            else:
                return False
            return (len(lows[k]) == 1 and bool(spans) and spans[-1][1] == words[k - 1][1] and len(spans) - 1 in bare_ok
                    and not cap(i) and not upper(i))

        def dags_dato(i: int) -> bool:
            """Lower-case "per d.d." / "per dd" with no greeting, name cue, word that takes a person or "og" before it;
            after a role label + colon only as a heading ("Ansvarlig: per d. d.: ingen svar")."""
            m = _DAGS_DATO_AFTER.match(text, words[i][1])
            if m is None or (i and (lows[i - 1] in _GREETINGS or lows[i - 1] in _PAIR_WORDS)):
                return False
            if after_colon_label(i):
                return text[m.end() : m.end() + 1] == ":"
            return not person_before(i)

        def month_label_surname(i: int) -> bool:
            """A month first name after a role label or name cue + colon, before a lower-case listed surname ("HR: Mai
            strand svarte", "Kontaktperson: August hansen", "hr: mai strand")."""
            if lows[i] not in _MONTH_FIRST_NAMES or i + 1 >= n or not adjacent(i, i + 1):
                return False
            if not (month_name(i) or (words[i][2] == lows[i] and month_name_any_case(i))):
                return False
            if not (after_colon_label(i) or (has_cue(i) and ":" in text[words[i - 1][1] : words[i][0]])):
                return False
            return (not cap(i + 1) and not upper(i + 1) and is_last_any(i + 1) and lows[i + 1] not in _MONTHS
                    and not self._is_blocked(words[i + 1][2]))

        def month_surname(i: int) -> bool:
            """A capitalised month name right before a capitalised listed surname is its first name ("Mai Strand
            svarte", "August Olsen ringte"); not after a word that takes a time ("i Mai Olsen") nor among months."""
            return (cap(i) and month_name(i) and i + 1 < n and adjacent(i, i + 1) and cap(i + 1)
                    and is_last_any(i + 1) and not self._is_blocked(words[i + 1][2])
                    and not (i and lows[i - 1] in _MONTH_BEFORE) and not month_listed(i))

        def dialect_conjunction(i: int) -> bool:
            """Sentence-initial "Ella" = "eller" (``_CONJUNCTION_NAMES``): a verb and a subject pronoun follow."""
            if i + 2 >= n or not sentence_initial(i) or not (adjacent(i, i + 1) and adjacent(i + 1, i + 2)):
                return False
            if lows[i + 1] not in SUBJECT_VERBS and lows[i + 1] not in _ACT_VERBS:
                return False
            pronoun = lows[i + 2]
            question = re.match(r"[^.!?\n]*\?", text[words[i + 2][1] :]) is not None
            return pronoun in _SUBJECT_ONLY_PRONOUNS or (pronoun in _SUBJECT_OR_OBJECT_PRONOUNS and question)

        def paired_first(i: int) -> bool:
            """A capitalised first name that is also a word, or a month name (:func:`month_name`), joined by
            "og"/"eller"/"&" to a name masked just before it ("Takk til Kari og Mai") or to a capitalised listed
            first name after it ("Mai og Rut var flinke", "Per og Kari ringte")."""
            month = month_name(i)
            if not (month or (cap(i) and is_first(i) and not self._is_blocked(words[i][2]))):
                return False
            if i >= 2 and lows[i - 1] in _PAIR_WORDS and adjacent(i - 2, i - 1) and adjacent(i - 1, i) and (
                placeholder(i - 2) or (bool(spans) and spans[-1][1] == words[i - 2][1])
            ):
                return True
            if month and i and (lows[i - 1] in _MONTH_BEFORE or month_listed(i)):
                return False  # "i Mai og Kari kom": the month
            return (i + 2 < n and lows[i + 1] in _PAIR_WORDS and adjacent(i, i + 1) and adjacent(i + 1, i + 2)
                    and cap(i + 2) and is_first(i + 2) and not self._is_blocked(words[i + 2][2]))

        def noun_by_place(i: int) -> bool:
            """A capitalised first name that is also a noun standing alone (``SUBJECT_NOUN_NAMES``) joined by
            "og"/"eller" to a place after "i"/"på" and followed by a preposition + a lower-case word: "Mo i Rana og Liv
            i byen"."""
            if lows[i] not in SUBJECT_NOUN_NAMES or i < 3 or lows[i - 1] not in ("og", "eller"):
                return False
            k = i - 2
            while k > 0 and cap(k) and adjacent(k - 1, k) and lows[k - 1] == "i" and k - 2 >= 0 and cap(k - 2):
                k -= 2  # "Mo i Rana": the place's own "i"
            placed = ((cap(k) and k > 0 and lows[k - 1] in ("i", "på", "fra", "frå", "til"))
                      or lows[i - 2] in self.place_names)
            # then a preposition + a lower-case word ("i byen"), not a verb ("Liv bor") nor a place ("Liv i Oslo")
            return placed and i + 2 < n and lows[i + 1] in _OBJECT_PREPS and not cap(i + 2) and not upper(i + 2)

        def company_end(i: int) -> int | None:
            """End (exclusive) of a company name that starts with surname i: a capitalised business word (an ordinary
            word, no name) and a legal form ("Olsen Bygg AS", "Hansen Transport og Logistikk ASA"); not when a person
            in the text has that surname ("Kjetil Rønning, Rønning Rør AS": the company would name him)."""
            if not (is_last(i) or is_last_any(i)) or i + 2 >= n:
                return None
            if any(lows[k] == lows[i] and k != i and is_first(k - 1) and adjacent(k - 1, k) for k in range(1, n)):
                return None
            j = i + 1
            if not (cap(j) and adjacent(i, j) and self._is_common(lows[j]) and not is_first(j) and not is_last(j)):
                return None
            while j + 1 < n and j - i <= 4 and adjacent(j, j + 1):
                j += 1
                if words[j][2].rstrip(".") in _LEGAL_FORMS:
                    return j + 1
                if not (cap(j) or lows[j] in ("og", "&")):
                    return None
            return None

        def lower_particles(j: int) -> int | None:
            """Index of the surname after 1-3 lower-case particles from j ("van der Berg", "de la Cruz"): a surname
            or an unknown capitalised word, not a first name alone ("Kari la Per vente")."""
            k = j
            while k < n and k - j < 3 and lows[k] in _LOWER_PARTICLES and not cap(k) and not upper(k):
                if k + 1 >= n or not adjacent(k, k + 1):
                    return None
                k += 1
            if k == j or k >= n or not cap(k) or self._is_blocked(words[k][2]):
                return None
            if is_last(k) or (not self._is_common(lows[k]) and not is_first(k)):
                return k
            return None

        def list_step(k: int, step: int) -> int | None:
            """The next member of a list from word k ("Kari, Ola og Per"): the word after "," or "og"/"eller"."""
            a, b = (k, k + step) if step > 0 else (k + step, k)
            if 0 <= a and b < n and text[words[a][1] : words[b][0]].strip() == ",":
                return k + step
            a, b = (k, k + 2 * step) if step > 0 else (k + 2 * step, k)
            if 0 <= a and b < n and lows[a + 1] in ("og", "eller", "and") and (
                text[words[a][1] : words[b][0]].split() == [words[a + 1][2]]
            ):
                return k + 2 * step
            return None

        def list_members(i: int) -> list[int]:
            """Word i and the other members of the list it is in (just [i] outside a list)."""
            members = [i]
            for step in (-1, 1):
                k = list_step(i, step)
                while k is not None and len(members) < 30:
                    members.append(k)
                    k = list_step(k, step)
            return members

        def list_cued(members: list[int]) -> bool:
            """A person verb right after the list or a person noun right before it: "Kim, Eli og Per kom på
            intervju", "vi ansatte Kim, Eli og Per"."""
            first, last = min(members), max(members)
            after = last + 1 < n and adjacent(last, last + 1) and lows[last + 1] in _LIST_PERSON_AFTER
            return after or (first > 0 and adjacent(first - 1, first) and lows[first - 1] in _LIST_PERSON_BEFORE)

        def in_list(i: int) -> bool:
            """First name i is in a list of 3+ single words joined by "," / "og" / "eller" with 2+ other unambiguous
            first names written alike ("Per, Kari, Ola og Lise", "kari, ola, per og lise"), or of first names only,
            none a place, next to a person verb/noun ("Kim, Eli og Per kom på intervju")."""
            if not is_first(i) or self._is_blocked(words[i][2]):
                return False
            members = list_members(i)
            if len(members) < 3:
                return False
            st = (cap(i), upper(i))  # written alike: capitalised, ALL CAPS or lower case
            alike = [k for k in members[1:] if (cap(k), upper(k)) == st and is_first(k)
                     and not self._is_blocked(words[k][2])]
            if sum(1 for k in alike if not ambiguous(k)) >= 2:
                return True
            return (  # capitalised only: "liv, dag og sol var viktig" stays
                cap(i)
                and len(alike) == len(members) - 1
                and not any(lows[k] in self.place_names for k in members)
                and list_cued(members)
            )

        def place_list(i: int) -> bool:
            """Word i is a place in a list of places: "i Moss, Lier og Berg", "Berg, Dal og Lie er kommuner" (a
            place word before or after the list; no member an unambiguous first name)."""
            if lows[i] not in self.place_names:
                return False
            members = list_members(i)
            if len(members) < 2 or any(is_first(k) and not ambiguous(k) and lows[k] not in self.place_names
                                        for k in members):
                return False
            first, last = min(members), max(members)
            before = first > 0 and adjacent(first - 1, first) and lows[first - 1] in _PLACE_BEFORE
            k = last + 1 + (last + 1 < n and lows[last + 1] in ("er", "var"))
            return before or (k < n and adjacent(k - 1, k) and lows[k] in _PLACE_NOUNS)

        def viet_name(i: int) -> bool:
            """A capitalised word + a Vietnamese middle name + a capitalised word: "Tran Thi Mai", "Le Văn Hung"."""
            if not (
                i + 2 < n
                and (lows[i + 1] in _VIET_MIDDLE or words[i + 1][2] == "Van")
                and cap(i)
                and cap(i + 1)
                and cap(i + 2)
                and adjacent(i, i + 1)
                and adjacent(i + 1, i + 2)
            ):
                return False
            if lows[i + 1] != "van":
                return True
            # "Van" is also Dutch/English: only between a Vietnamese surname (or an unknown word) and a name word
            # that is not an ordinary word ("Tran Van Minh", "Le Van Thanh")
            first_ok = lows[i] in _VIET_SURNAMES or not self._is_common(lows[i])
            last_ok = is_first(i + 2) or is_last(i + 2) or not self._is_common(lows[i + 2])
            return first_ok and last_ok and not self._is_blocked(words[i + 2][2])

        def style(k: int) -> tuple[bool, bool]:
            """How word k is written: (capitalised, in capitals); lower case is (False, False)."""
            return cap(k), upper(k)

        def word_like(k: int) -> bool:
            """A name that is also an ordinary word, a place or an organisation («per», «vik», «NAV»)."""
            return ambiguous(k) or lows[k] in self.place_names or self._is_blocked(words[k][2])

        def surname_first(i: int, comma: bool = False) -> int | None:
            """End (word index, exclusive) of a name written surname first at word i, as registries and Altinn
            write it: a known surname + a known first name (+ more first names) written alike. «HANSEN KARI»,
            «Nordmann Ola»; in lower case only when no word is also an ordinary word or place («hansen kari», not
            «strand per», «vik kari»); in capitals not when both are («STRAND PER») nor when a surname that is also
            a word or place follows a place preposition («i Vik Kari»); capitalised both may be (:func:`titled_pair`:
            «Strand Per», «Lie Tor»). In capitals the surname may be an unknown word (:func:`unknown_surname`: «SANDE
            KARI»). With ``comma`` the register/list style «Hansen, Kari», «hansen, kari», «HANSEN, KARI», also with
            an unknown capitalised surname («Sæbø, Kari»), never both words also ordinary words or places. A surname
            in capitals may precede a capitalised first name («HANSEN Kari», «SANDE, Kari Anne»)."""
            if i + 1 >= n or len(lows[i]) < 2:
                return None
            # alike, or the register style of a surname in capitals before a capitalised first name («HANSEN, Kari»)
            mixed = upper(i) and style(i + 1) == (True, False)
            if style(i) != style(i + 1) and not mixed:
                return None
            if not (comma_gap(i) if comma else adjacent(i, i + 1)):
                return None
            if not is_first(i + 1) or self._is_blocked(words[i][2]) or self._is_blocked(words[i + 1][2]):
                return None
            if not is_last_any(i) and (word_like(i + 1) or not unknown_surname(i, comma)):
                return None
            lower = style(i) == (False, False)
            if lower:
                if word_like(i) or word_like(i + 1) or (comma and self._is_common(lows[i])):
                    return None
            elif word_like(i) and word_like(i + 1) and (comma or not titled_pair(i)):
                return None
            if word_like(i) and i and lows[i - 1] in _PLACE_BEFORE and adjacent(i - 1, i):
                return None  # "i Vik Kari …", "på BERG KARI": the place
            if comma and lows[i] in self.place_names and place_list(i):
                return None  # "i Moss, Berg, Kari …": a list of places
            j = i + 2
            while j < n and j - i < _NAME_MAX_PARTS and adjacent(j - 1, j) and style(j) == style(i + 1) \
                    and is_first(j) and not word_like(j):
                j += 1  # "JOHANSEN KARI ANNE"
            return j

        def comma_gap(i: int) -> bool:
            """Words i and i + 1 are joined by a comma on one line: "Hansen, Kari"."""
            return _COMMA_GAP.fullmatch(text, words[i][1], words[i + 1][0]) is not None

        def blocked_any(i: int) -> bool:
            """Word i is on the block list as written, capitalised or in lower case ("MVH", "ALTINN")."""
            w = words[i][2]
            return self._is_blocked(w) or self._is_blocked(w.capitalize()) or self._is_blocked(w.lower())

        def unknown_surname(i: int, comma: bool) -> bool:
            """Word i, not on the name lists, may be a surname before a first name: in capitals a word of 4+ letters
            with a vowel that is no ordinary word, acronym or blocked name («SANDE KARI», not «NAV KARI», «BHT»,
            «RING KARI»); capitalised only before a comma and no place («Sæbø, Kari», not «Molde, Kari»)."""
            low = lows[i]
            if is_first(i) or self._is_common(low) or low in _NOT_SURNAMES or blocked_any(i):
                return False
            if upper(i):
                return len(low) >= 4 and _VOWEL.search(low) is not None
            return comma and cap(i) and len(low) >= 3 and low not in self.place_names

        def titled_pair(i: int) -> bool:
            """A capitalised surname that is also an ordinary word or place before a capitalised first name that is
            one too ("Strand Per", "Lie Tor", "Berg Eli"): a name, as a capitalised "Per" mid-sentence is one
            already; not a noun before a noun that stands alone ("Strand Sol", "Berg Dag": ``SUBJECT_NOUN_NAMES``
            after an ordinary word)."""
            if style(i) != (True, False):
                return False
            return not (lows[i + 1] in SUBJECT_NOUN_NAMES and self._is_common(lows[i]))

        def cued_surname(i: int) -> tuple[int, int] | None:
            """A capitalised surname (name_last_no.txt too, a common word only here) after a clear cue: "familien
            Nordmann", an initial ("K. Nordmann"), or before "-familien" ("Olsen-familien": the surname only)."""
            w = words[i][2]
            if not cap(i) and not upper(i) and lower_initial_before(i - 1):
                return words[i - 1][0], words[i][1]  # "k. nordmann"
            if not cap(i) or self._is_blocked(w):
                return None
            head, _, tail = lows[i].partition("-")
            if tail in _FAMILY_SUFFIXES and self._name_parts(head, self._last_any):
                return words[i][0], words[i][0] + len(head)
            if not is_last_any(i) or i == 0 or not adjacent(i - 1, i):
                return None
            if lows[i - 1] in _FAMILY_CUES:
                return words[i][0], words[i][1]
            if initial_before(i - 1):
                return words[i - 1][0], words[i][1]
            return None

        first_names, last_names, common = names.first, names.last, self.lexicon_forms
        cue_last = names.cue_last_words
        caps = [w[2][0].isupper() and not (len(w[2]) > 1 and w[2].isupper()) for w in words]
        has_comma = "," in text
        viet_any = "Thi " in text or "Văn " in text or "Thị " in text or "Van " in text
        spans: list[tuple[int, int]] = []
        bare_ok: set[int] = set()
        i = 0
        while i < n:
            if words[i][2] == "per" and dags_dato(i):
                i += 1  # "Status per d.d.: ingen svar": "as of today"
                continue
            end = surname_first(i) if i + 1 < n and is_first(i + 1) else None
            if end is None and has_comma and i + 1 < n and is_first(i + 1):
                end = surname_first(i, comma=True)  # "Hansen, Kari", "hansen, kari", "HANSEN, KARI"
            if end is not None:
                while end < n and end - i < _NAME_MAX_PARTS and adjacent(end - 1, end) \
                        and not self._is_blocked(words[end][2]) \
                        and cap(end) and run_surname(i, end):
                    end += 1  # "Ahmed Hassan Mohamed": a surname after the names, not a register-style pair
                start_i = i - 1 if i and initial_before(i - 1) and adjacent(i - 1, i) else i
                if spans and spans[-1][1] > words[start_i][0]:
                    start_i = i
                spans.append((words[start_i][0], words[end - 1][1]))
                i = end
                continue
            if caps[i] and (company := company_end(i)) is not None:
                i = company  # "Olsen Bygg AS": a company, not a person
                continue
            surname = cued_surname(i)
            if surname is not None:
                if spans and spans[-1][1] > surname[0]:  # "Kari K. Nordmann": extend the name before
                    spans[-1] = (spans[-1][0], max(spans[-1][1], surname[1]))
                else:
                    spans.append(surname)
                i += 1
                continue
            # fast path: most tokens are lower-case words or capitalised ordinary words with no cue
            low = lows[i]
            if not (i and (lows[i - 1] in cue_last or colon_cue(i))) and not (viet_any and viet_name(i)):
                if not caps[i]:
                    if not is_first(i):  # ALL-CAPS "ÅSE ØDEGÅRD", lower-case "kari og ola", "olav hansen"
                        i += 1
                        continue
                elif low in common and low not in first_names and low not in last_names and "-" not in low and not (
                    low.endswith("s") and (low[:-1] in first_names or low[:-1] in last_names)
                ) and not ((low in self._last_any or low in _MONTH_FIRST_NAMES) and linked(i)) and not (
                    low in _MONTH_FIRST_NAMES and (month_surname(i) or month_label_surname(i))
                ):
                    i += 1
                    continue
            if low in _CONJUNCTION_NAMES and caps[i] and dialect_conjunction(i):
                i += 1  # "Ella var det noko meir?": dialect "eller"
                continue
            if low.endswith("-") and i + 1 < n and adjacent(i, i + 1) and words[i + 1][2][0].islower():
                i += 1  # a word split at a line break ("Sam- arbeidet", "Per- sonalet"): no name
                continue
            if low in self.place_names and caps[i] and place_list(i):
                i += 1  # "i Moss, Lier og Berg": a place in a list of places
                continue
            w = words[i][2]
            start_i = None
            cued = has_cue(i) or colon_cue(i)
            surname_next = (
                i + 1 < n
                and adjacent(i, i + 1)
                and is_last(i + 1)
                and not ambiguous(i + 1)
                and not self._is_blocked(words[i + 1][2])
            )
            lower_first = not cap(i) and is_first(i) and lows[i] not in names.ambiguous
            if has_comma and (not caps[i] or ambiguous(i)) and in_list(i):
                start_i = i  # "Per, Kari, Ola og Lise": a first name in a list of names
            elif cued and (namey(i) or lower_first) and not place_after_i(i):
                start_i = i
            elif cued and month_name(i) and not month_listed(i) and not month_alone_after_label(i):
                start_i = i  # "Takk til Mai", "HR: Mai Strand": a month word is a person after a cue
            elif cued and cap(i) and is_last_any(i) and not self._is_blocked(w) and not place_after_i(i):
                start_i = i  # "Saksbehandler Khan", "lege Mohamed": a listed surname that is also a word
            elif cued and not cap(i) and not upper(i) and lower_particles(i) is not None:
                start_i = i  # "saksbehandler van der Berg", "snakket med de la Cruz"
            elif viet_any and viet_name(i) and not self._is_blocked(w):
                start_i = i  # "Tran Thi Mai"
            elif cued and not cap(i) and is_first(i) and surname_next:
                start_i = i  # "hilsen per olsen": ambiguous first name + surname after a cue
            elif cued and upper(i) and caps_cued(i):
                start_i = i  # "dr. JOHANSEN", "Hilsen KARI"
            elif plain_subject(i):
                start_i = i  # "kari har ringt", "KARI HAR RINGT", "kari og jeg", "jeg og ola"
            elif upper(i) and not self._is_blocked(w):
                # uncued ALL-CAPS pair: first name + surname/first name, not both ambiguous ("ÅSE ØDEGÅRD"); a
                # surname only in name_last_no.txt after an unambiguous first name ("KARI NORDMANN")
                if caps_pair(i) and not (ambiguous(i) and ambiguous(i + 1)) and (
                    is_last(i + 1) or is_first(i + 1) or not ambiguous(i)
                ):
                    start_i = i
            elif cap(i) and not self._is_blocked(w) and not noun_by_place(i):
                first, last = is_first(i), is_last(i)
                nxt_name = i + 1 < n and adjacent(i, i + 1) and cap(i + 1) and not self._is_blocked(words[i + 1][2])
                initial = sentence_initial(i)
                if first and nxt_name and (not initial or is_last(i + 1) or is_first(i + 1) or not self._is_common(lows[i + 1])):
                    start_i = i
                elif first and (lows[i] not in names.ambiguous or not (initial or place_after_i(i))):
                    start_i = i
                elif last and (lows[i] not in names.ambiguous or not (initial or place_after_i(i))):
                    start_i = i
                elif first and lower_surname_after(i):
                    start_i = i  # "Per hansen svarte": a first name + a lower-case surname that is no word
                elif first and initial and subject(i):
                    start_i = i  # "Per har vært hjelpsom", "Sam var til stede" (not "Per i dag", "Liv er viktig")
                elif (last or first) and initial and acts(i):
                    start_i = i  # "Lie ringte meg", "Strand fra NAV sa", "Per ringte meg" (not "Per i dag")
                elif (
                    not initial
                    and nxt_name
                    and not self._is_common(lows[i])
                    and not self._is_common(lows[i + 1])
                    and len(w) > 2
                    and len(words[i + 1][2]) > 2
                ):
                    start_i = i  # two unknown capitalised words mid-sentence: "Ingvild Sæbø"
            elif not cap(i) and not upper(i) and is_first(i) and ambiguous(i):
                if lower_surname_after(i):
                    start_i = i  # "per hansen svarte" (not "per dag", "per time", "per berg")
                elif initialed(i) and person_before(i):
                    start_i = i  # "spør etter per n.", "snakket med liv b." (not "per n." alone)
                elif (cued or after_initialed(i)) and initialed(i, bare=True):
                    start_i = i  # "kontaktperson: tone b", "ansatt: per n", "… og tone b"
            elif not cap(i) and not upper(i) and is_first(i) and not ambiguous(i):
                after_name = (
                    i >= 2 and lows[i - 1] in ("og", "eller", "&") and bool(spans) and spans[-1][1] == words[i - 2][1]
                ) or after_initialed(i)
                greeted = i and lows[i - 1] in _GREETINGS and adjacent(i - 1, i)
                # a surname right after this (unambiguous) first name, in lower case or capitalised: also one
                # that is an ordinary word or in name_last_no.txt ("kari nordmann", "kari lie", "kari Hansen")
                pair = (
                    i + 1 < n
                    and adjacent(i, i + 1)
                    and not upper(i + 1)
                    and is_last_any(i + 1)
                    and not self._is_blocked(words[i + 1][2])
                )
                # "kari og ola nordmann": a first name joined by og/eller/and to a first name + surname pair
                shared = (
                    i + 3 < n
                    and lows[i + 1] in ("og", "eller", "and")
                    and adjacent(i, i + 1)
                    and adjacent(i + 1, i + 2)
                    and is_first(i + 2)
                    and adjacent(i + 2, i + 3)
                    and not upper(i + 3)
                    and is_last_any(i + 3)
                    and not self._is_blocked(words[i + 3][2])
                )
                if after_name or greeted or shared:
                    start_i = i  # "takk til kari og ola", "hei kari", "takk kari", "kari og ola nordmann"
                elif initialed(i) and not self._is_blocked(w):
                    start_i = i  # "ola n. har ikke svart", "send det til ola n.": the initial marks a person
                elif pair:  # uncued lower-case "olav hansen", with a first name before it: "per olav hansen"
                    start_i = i
                    if i and adjacent(i - 1, i) and is_first(i - 1) and not caps[i - 1] and not upper(i - 1):
                        start_i = i - 1
            if start_i is None and (partner(i) or at_office(i) or placed_subject(i) or contact_after(i)
                                     or contact_bracketed(i) or paired_first(i) or month_surname(i)
                                     or month_label_surname(i)):
                start_i = i  # "[NAVN] og Kvernmo", "Kvernmo på NAV-kontoret ringte", "Kvernmo i Hammerfest har"
            if start_i is None:
                i += 1
                continue
            if start_i > 0 and initial_before(start_i - 1) and adjacent(start_i - 1, start_i):
                start_i -= 1  # "K. Berg"
            if spans and spans[-1][1] > words[start_i][0]:
                start_i = i  # never reach back into the previous name
            j = i + 1
            while j < n and j - i < _NAME_MAX_PARTS and adjacent(j - 1, j) and (
                not self._is_blocked(words[j][2]) or (lows[j - 1] in _VIET_MIDDLE and cap(j))
            ) and continues(i, j):
                j += 1
            while start_i > 0 and j - start_i < _NAME_MAX_PARTS and lower_first_before(start_i - 1, start_i) and not (
                spans and spans[-1][1] > words[start_i - 1][0]
            ):
                start_i -= 1  # "kari anne marie nordmann olsen": more lower-case first names before the pair
            chained = after_initialed(start_i)
            spans.append((words[start_i][0], words[j - 1][1]))
            if (chained or has_cue(start_i) or colon_cue(start_i)) and text[spans[-1][0] : spans[-1][1]].islower():
                bare_ok.add(len(spans) - 1)  # "kontaktperson: tone b": its initial without a period too
            i = j
        if not spans:
            return text
        out, last_end = [], 0
        for k, (s, e) in enumerate(spans):
            initial = _TRAILING_INITIAL.match(text, e)
            if initial is None and text[s:e].islower():
                initial = _TRAILING_LOWER_INITIAL.match(text, e)  # "ola n."
            if initial is None and k in bare_ok:
                initial = _TRAILING_BARE_LOWER_INITIAL.match(text, e)  # "kontaktperson: tone b"
            if initial and (k + 1 == len(spans) or spans[k + 1][0] >= initial.end()):
                e = initial.end()  # "Bjørn H.": the initial belongs to the name
            out.append(text[last_end:s])
            out.append(PLACEHOLDERS["navn"])
            last_end = e
        out.append(text[last_end:])
        counts["navn"] += len(spans)
        return "".join(out)
