#!/usr/bin/env python
"""Seeded generator for the SYNTHETIC employer-survey sample (arbeidsgiverundersøkelse-like).

Usage::

    python data/generate_sample.py --seed 2024 --out data/sample          # both waves, ~3,000 each
    python data/generate_sample.py --seed 7 --n 300 --waves 2022 --out /tmp/x

Everything here is invented: respondents, comments, names and numbers. Comments are composed from the
hand-written clause-level fragments in ``data/phrases/*.txt``; every fragment carries its theme and its type
(k = klage, ø = ønske, r = ros), so the ground-truth labels follow from the fragments that were chosen.
A praise fragment of a topical theme is labelled with that theme *and* ``ros``; ``annet`` is exclusive.

Public API (used by the tests): :func:`generate_wave` (data in, data out) and :func:`write_outputs`.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

PHRASE_DIR = Path(__file__).resolve().parent / "phrases"

THEMES = [
    "telefon", "saksbehandlingstid", "refusjon", "sykefravaersoppfolging", "kontaktperson",
    "digitale_tjenester", "regelverk_sprak", "kompetanse", "samhandling", "ia_forebygging",
    "rekruttering", "tiltak", "lege_sykmelding", "permittering", "ros", "annet",
]
TYPE_CODES = {"k": "klage", "ø": "ønske", "r": "ros"}

LIKERT_ITEMS = [
    "q_helhet", "q_tillit", "q_telefon", "q_svartid", "q_forstaelse",
    "q_regelverk", "q_sykefravaer", "q_digital", "q_samhandling",
]
SERVICES = ["tj_sykefravaer", "tj_rekruttering", "tj_tiltak", "tj_permittering", "tj_ingen"]
COLUMNS = (
    ["respondent_id", "wave", "sektor", "ansatte", "naering", "fylke", "vekt"]
    + LIKERT_ITEMS + SERVICES + ["fritekst_sykefravaer", "fritekst_generell"]
)
QUESTION_TEXTS = {
    "fritekst_sykefravaer": "Hva må til for at NAV sin oppfølging av sykmeldte skal bli bedre?",
    "fritekst_generell": "Har du andre kommentarer til NAV?",
}

# County (2024 structure) -> approximate share of businesses in the population.
FYLKE_POP = {
    "Oslo": 0.150, "Rogaland": 0.090, "Møre og Romsdal": 0.050, "Nordland": 0.045, "Østfold": 0.052,
    "Akershus": 0.118, "Buskerud": 0.050, "Innlandet": 0.070, "Vestfold": 0.048, "Telemark": 0.032,
    "Agder": 0.058, "Vestland": 0.118, "Trøndelag": 0.088, "Troms": 0.031, "Finnmark": 0.014,
}
# Relative response propensity per county (makes the unweighted sample lopsided; weights fix it).
FYLKE_RESPONSE = {
    "Oslo": 0.75, "Rogaland": 1.0, "Møre og Romsdal": 1.15, "Nordland": 1.25, "Østfold": 0.9,
    "Akershus": 0.85, "Buskerud": 1.0, "Innlandet": 1.2, "Vestfold": 0.95, "Telemark": 1.1,
    "Agder": 1.05, "Vestland": 1.05, "Trøndelag": 1.1, "Troms": 1.3, "Finnmark": 1.6,
}
ANSATTE = ["1", "2-9", "10-49", "50-199", "200+"]
ANSATTE_P = {"Privat": [0.09, 0.34, 0.35, 0.16, 0.06], "Offentlig": [0.01, 0.08, 0.30, 0.33, 0.28]}
NAERING_P = {
    "Privat": {
        "Bygg og anlegg": 0.16, "Varehandel": 0.17, "Industri": 0.13, "Overnatting og servering": 0.09,
        "Transport og lagring": 0.08, "Forretningsmessig tjenesteyting": 0.15, "Helse- og sosialtjenester": 0.08,
        "Primærnæringer": 0.05, "Informasjon og kommunikasjon": 0.06, "Undervisning": 0.03,
    },
    "Offentlig": {
        "Helse- og sosialtjenester": 0.38, "Undervisning": 0.27, "Offentlig administrasjon": 0.27,
        "Transport og lagring": 0.04, "Forretningsmessig tjenesteyting": 0.04,
    },
}

# Target share positive (4-6 of 1-6) per item, wave and sector.
POSITIVE_TARGET = {
    "q_helhet": {2022: 0.85, 2023: 0.86},
    "q_tillit": {2022: 0.86, 2023: 0.86},
    "q_telefon": {2022: 0.47, 2023: 0.47},
    "q_svartid": {2022: 0.62, 2023: 0.64},
    "q_forstaelse": {2022: 0.71, 2023: 0.72},
    "q_regelverk": {2022: 0.47, 2023: 0.48},
    "q_sykefravaer": {2022: 0.64, 2023: 0.65},
    "q_digital": {2022: 0.74, 2023: 0.76},
    "q_samhandling": {2022: 0.53, 2023: 0.54},
}
# Public minus private share positive (private firms lower on the phone, slightly lower on rules).
SECTOR_GAP = {"q_telefon": 0.09, "q_regelverk": 0.04, "q_samhandling": -0.03, "q_tillit": -0.01}
LOADING = {
    "q_helhet": 0.85, "q_tillit": 0.75, "q_telefon": 0.5, "q_svartid": 0.6, "q_forstaelse": 0.7,
    "q_regelverk": 0.5, "q_sykefravaer": 0.6, "q_digital": 0.45, "q_samhandling": 0.55,
}
VET_IKKE_P = {
    "q_helhet": 0.01, "q_tillit": 0.04, "q_telefon": 0.04, "q_svartid": 0.04, "q_forstaelse": 0.05,
    "q_regelverk": 0.06, "q_sykefravaer": 0.04, "q_digital": 0.04, "q_samhandling": 0.10,
}
IKKE_BENYTTET_P = {"q_telefon": 0.14, "q_digital": 0.07, "q_samhandling": 0.06, "q_svartid": 0.03}
MISSING_P = 0.012

# Which structured item speaks to which theme (used to make themes correlate with ratings).
THEME_ITEM = {
    "telefon": "q_telefon", "saksbehandlingstid": "q_svartid", "refusjon": "q_svartid",
    "sykefravaersoppfolging": "q_sykefravaer", "kontaktperson": "q_forstaelse",
    "digitale_tjenester": "q_digital", "regelverk_sprak": "q_regelverk", "kompetanse": "q_forstaelse",
    "samhandling": "q_samhandling", "ia_forebygging": "q_sykefravaer", "rekruttering": "q_forstaelse",
    "tiltak": "q_forstaelse", "lege_sykmelding": "q_samhandling", "permittering": "q_regelverk",
    "ros": "q_helhet", "annet": None,
}
THEME_BASE_WEIGHT = {
    "fritekst_generell": {
        "telefon": 1.4, "saksbehandlingstid": 1.1, "refusjon": 0.8, "sykefravaersoppfolging": 0.7,
        "kontaktperson": 1.0, "digitale_tjenester": 0.9, "regelverk_sprak": 0.8, "kompetanse": 0.7,
        "samhandling": 0.5, "ia_forebygging": 0.35, "rekruttering": 0.4, "tiltak": 0.4,
        "lege_sykmelding": 0.35, "permittering": 0.3, "ros": 1.0, "annet": 0.45,
    },
    "fritekst_sykefravaer": {
        "telefon": 0.35, "saksbehandlingstid": 0.4, "refusjon": 0.6, "sykefravaersoppfolging": 2.2,
        "kontaktperson": 0.8, "digitale_tjenester": 0.45, "regelverk_sprak": 0.45, "kompetanse": 0.5,
        "samhandling": 1.0, "ia_forebygging": 0.5, "rekruttering": 0.02, "tiltak": 0.25,
        "lege_sykmelding": 1.0, "permittering": 0.02, "ros": 0.12, "annet": 0.25,
    },
}
SERVICE_THEME = {"rekruttering": "tj_rekruttering", "tiltak": "tj_tiltak", "permittering": "tj_permittering"}


# --------------------------------------------------------------------------------------------- phrases
@dataclass(frozen=True)
class Fragment:
    theme: str
    type: str  # klage | ønske | ros
    text: str
    extra: tuple[str, ...] = ()  # further themes the clause clearly touches (``k+samhandling | ...``)

    @property
    def themes(self) -> tuple[str, ...]:
        out = (self.theme,) + self.extra
        if self.type == "ros" and self.theme not in ("ros", "annet"):
            out += ("ros",)
        return out


@dataclass
class PhraseBank:
    fragments: dict[str, dict[str, list[Fragment]]]  # theme -> type -> fragments
    english: list[Fragment]
    nynorsk: dict[str, dict[str, list[Fragment]]]  # hand-written nynorsk clauses, same layout as fragments
    openers: list[str]
    closers: list[str]
    signoffs: list[str]
    intensifiers: list[str]
    non_answers: list[str]
    connectors: dict[str, list[str]] = field(default_factory=dict)

    def n_fragments(self, theme: str) -> int:
        return sum(len(v) for v in self.fragments[theme].values())


def _read_lines(path: Path, *, unescape: bool = True) -> list[str]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        out.append(line.replace("\\n", "\n") if unescape else line)
    return out


def _parse_fragments(path: Path, theme: str | None) -> list[Fragment]:
    frags = []
    for lineno, line in enumerate(_read_lines(path), 1):
        m = re.match(r"^(k|ø|r)(?:@([a-z_]+))?((?:\+[a-z_]+)*)\s*\|\s*(.+)$", line)
        if not m:
            raise ValueError(f"{path.name}: line {lineno}: expected 'k|ø|r | text', got {line!r}")
        th = m.group(2) or theme
        extra = tuple(x for x in m.group(3).split("+") if x)
        for t in (th, *extra):
            if t not in THEMES or t == "annet" and (extra or th != "annet"):
                raise ValueError(f"{path.name}: line {lineno}: unknown or non-exclusive theme {t!r}")
        frags.append(Fragment(th, TYPE_CODES[m.group(1)], m.group(4).strip(), extra))
    return frags


def load_phrases(phrase_dir: Path = PHRASE_DIR) -> PhraseBank:
    """Read the phrase material (one file per theme plus shared pieces)."""
    fragments: dict[str, dict[str, list[Fragment]]] = {t: {"klage": [], "ønske": [], "ros": []} for t in THEMES}
    for theme in THEMES:
        for f in _parse_fragments(phrase_dir / f"{theme}.txt", theme):
            fragments[theme][f.type].append(f)
    english = _parse_fragments(phrase_dir / "english.txt", None)
    nynorsk: dict[str, dict[str, list[Fragment]]] = {t: {"klage": [], "ønske": [], "ros": []} for t in THEMES}
    for f in _parse_fragments(phrase_dir / "nynorsk.txt", None):
        nynorsk[f.theme][f.type].append(f)
    connectors: dict[str, list[str]] = {}
    for line in _read_lines(phrase_dir / "connectors.txt", unescape=False):
        kind, _, raw = line.partition("|")
        connectors.setdefault(kind.strip(), []).append(json.loads(raw.strip()))
    return PhraseBank(
        fragments=fragments,
        english=english,
        nynorsk=nynorsk,
        openers=_read_lines(phrase_dir / "openers.txt"),
        closers=_read_lines(phrase_dir / "closers.txt"),
        signoffs=_read_lines(phrase_dir / "signoffs.txt"),
        intensifiers=_read_lines(phrase_dir / "intensifiers.txt"),
        non_answers=_read_lines(phrase_dir / "non_answers.txt"),
        connectors=connectors,
    )


# --------------------------------------------------------------------------------------------- checksums
def mod11_control(digits: str, weights: list[int]) -> int | None:
    """Mod-11 control digit (None when the remainder gives 10, i.e. no valid number)."""
    s = sum(int(d) * w for d, w in zip(digits, weights))
    c = 11 - s % 11
    if c == 11:
        return 0
    if c == 10:
        return None
    return c


FNR_W1 = [3, 7, 6, 1, 8, 9, 4, 5, 2]
FNR_W2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
ACCOUNT_W = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
ORG_W = [3, 2, 7, 6, 5, 4, 3, 2]


def fnr_is_valid(num: str) -> bool:
    """Both mod-11 control digits of an 11-digit fødselsnummer/D-number are right."""
    num = re.sub(r"\D", "", num)
    if len(num) != 11:
        return False
    k1 = mod11_control(num[:9], FNR_W1)
    k2 = mod11_control(num[:10], FNR_W2)
    return k1 is not None and k2 is not None and int(num[9]) == k1 and int(num[10]) == k2


def account_is_valid(num: str) -> bool:
    num = re.sub(r"\D", "", num)
    c = mod11_control(num[:10], ACCOUNT_W) if len(num) == 11 else None
    return c is not None and int(num[10]) == c


def orgnr_is_valid(num: str) -> bool:
    num = re.sub(r"\D", "", num)
    c = mod11_control(num[:8], ORG_W) if len(num) == 9 else None
    return c is not None and int(num[8]) == c


def make_dnumber(rng: random.Random) -> str:
    while True:
        day = rng.randint(1, 28)
        base = f"{day + 40:02d}{rng.randint(1, 12):02d}{rng.randint(50, 99):02d}{rng.randint(0, 499):03d}"
        k1 = mod11_control(base, FNR_W1)
        if k1 is None:
            continue
        k2 = mod11_control(base + str(k1), FNR_W2)
        if k2 is None:
            continue
        return base + str(k1) + str(k2)


def make_invalid_11(rng: random.Random) -> str:
    """An 11-digit number that looks like a fødselsnummer but fails the checksum (a hard negative)."""
    while True:
        num = f"{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{rng.randint(50, 99):02d}" + "".join(
            str(rng.randint(0, 9)) for _ in range(5))
        if not fnr_is_valid(num):
            return num


def make_account(rng: random.Random) -> str:
    while True:
        base = str(rng.choice([1503, 1506, 1207, 3000, 9710, 6345, 1254, 2801, 1822, 4212])) + "".join(
            str(rng.randint(0, 9)) for _ in range(6))
        c = mod11_control(base, ACCOUNT_W)
        if c is not None:
            n = base + str(c)
            return f"{n[:4]}.{n[4:6]}.{n[6:]}" if rng.random() < 0.7 else (
                n if rng.random() < 0.5 else f"{n[:4]} {n[4:6]} {n[6:]}")


def make_orgnr(rng: random.Random) -> str:
    while True:
        base = str(rng.choice([8, 9, 9, 9])) + "".join(str(rng.randint(0, 9)) for _ in range(7))
        c = mod11_control(base, ORG_W)
        if c is not None:
            n = base + str(c)
            return f"{n[:3]} {n[3:6]} {n[6:]}" if rng.random() < 0.5 else n


# --------------------------------------------------------------------------------------------- PII
STREETS = [
    "Storgata", "Kirkegata", "Kirkeveien", "Strandgata", "Industriveien", "Skolegata", "Parkveien",
    "Sjøgata", "Havnegata", "Torggata", "Nedre Storgate", "Fjordveien", "Bryggeveien", "Jernbanegata",
    "Sandvikveien", "Elvegata", "Brugata", "Hovedveien", "Markveien", "Sentrumsgata", "Kongens gate",
    "Løkkeveien", "Øvre Slottsgate", "Dronningens gate", "Stasjonsveien", "Næringsveien",
]
MAIL_DOMAINS = ["firma.no", "bedrift.no", "online.no", "gmail.com", "hotmail.com", "kommune.no",
                "bygg-as.no", "transport.no", "regnskap.no", "outlook.com"]
ROLES = ["saksbehandler", "veileder", "saksbehandleren", "veilederen", "rådgiver", "konsulent",
         "markedskontakt", "kontaktpersonen vår"]


SSN_REFERENCE_DATE = datetime.date(2026, 11, 22)  # the day the committed sample was generated
PII_DECK = {"fodselsnummer": 4, "dnummer": 2, "telefon": 4, "epost": 3, "kontonummer": 2, "orgnummer": 2,
            "adresse": 2, "navn": 6}
PII_RATE = 0.042  # share of (real) comments with planted personal data
NON_ANSWER_RATE = 0.095  # share of answers that are non-answers
NYNORSK_RATE = 0.075  # plus extra nynorsk in Vestland and Møre og Romsdal: about 9-10 % in all
ENGLISH_RATE = 0.015
MULTI_RATE = 0.27  # share of comments composed from 2-3 themes (praise of a topic adds ``ros`` on top)


class Quota:
    """Seeded yes/no draws whose running share stays close to ``rate`` (error diffusion, random positions)."""

    def __init__(self, rate: float, rng: random.Random):
        self.rate, self.rng, self.credit = rate, rng, 0.0

    def due(self) -> bool:
        self.credit += self.rate
        if self.rng.random() < self.credit * 0.5:
            self.credit -= 1
            return True
        return False


class PiiMaker:
    """Produces one neutral sentence carrying personal data plus the exact value(s) planted."""

    def __init__(self, rng: random.Random, seed: int):
        from faker import Faker  # local import: only needed when generating

        self.rng = rng
        self.fake = Faker("no_NO")
        self.fake.seed_instance(seed)
        self._deck: list[str] = []
        self._n_fnr = 0

    def _next_kind(self) -> str:
        """Draw types from a shuffled deck so every type turns up even in a small wave."""
        if not self._deck:
            self._deck = [k for k, c in PII_DECK.items() for _ in range(c)]
            self.rng.shuffle(self._deck)
        return self._deck.pop()

    def _ssn(self) -> str:
        """Faker's no_NO ssn, but with birthdays counted back from a pinned date (Faker uses today's date,
        which would make the committed sample impossible to reproduce a day later). Same random draws."""
        age = datetime.timedelta(days=self.fake.random.randrange(18 * 365, 90 * 365))
        return self.fake.ssn(dob=(SSN_REFERENCE_DATE - age).strftime("%Y%m%d"))

    def _first(self) -> str:
        return self.fake.first_name()

    def _last(self) -> str:
        return self.fake.last_name()

    def sentence(self) -> tuple[str, list[tuple[str, str]]]:
        r = self.rng
        kind = self._next_kind()
        if kind == "fodselsnummer":
            v = self._ssn()
            self._n_fnr += 1
            if self._n_fnr % 3 == 2:  # every third one written "DDMMYY NNNNN"
                v = f"{v[:6]} {v[6:]}"
            s = r.choice([
                "Det gjelder ansatt med fnr {v}.", "Fødselsnummer til den sykmeldte er {v}, om det hjelper.",
                "Gjelder vår ansatt {v} som har ventet lenge.", "(fnr. {v})", "Den ansatte har personnummer {v}.",
                "Se sak for {v}.", "F.nr: {v}"])
        elif kind == "dnummer":
            v = make_dnumber(r)
            s = r.choice([
                "Arbeidstakeren har D-nummer {v}.", "Gjelder utenlandsk arbeider med d-nr {v}.",
                "D-nummeret hans er {v}.", "Vi har en polsk ansatt ({v}) som fortsatt venter."])
        elif kind == "telefon":
            digits = str(r.choice([4, 9])) + "".join(str(r.randint(0, 9)) for _ in range(7))
            land = str(r.choice([2, 3, 5, 6, 7])) + "".join(str(r.randint(0, 9)) for _ in range(7))
            v = r.choice([
                f"+47 {digits[:3]} {digits[3:5]} {digits[5:]}", digits, f"{digits[:3]} {digits[3:5]} {digits[5:]}",
                f"{land[:2]} {land[2:4]} {land[4:6]} {land[6:]}", f"+47{digits}"])
            s = r.choice([
                "Ring meg gjerne på {v}.", "Kan nås på {v} hele dagen.", "Tlf {v}", "Ta kontakt på {v} hvis noe er uklart.",
                "Mitt nummer er {v}.", "Ring {v} så kan vi ta det muntlig."])
        elif kind == "epost":
            first, last = self._first(), self._last()
            local = r.choice([f"{first}.{last}", f"{first[0]}{last}", "post", f"{first}", "lonn"]).lower()
            local = local.replace("æ", "ae").replace("ø", "o").replace("å", "aa").replace(" ", "")
            v = f"{local}@{r.choice(MAIL_DOMAINS)}"
            s = r.choice([
                "Svar gjerne på e-post til {v}.", "Send info til {v}", "Kontakt: {v}", "Min epost er {v}.",
                "Kan dere sende det skriftlig til {v}?"])
        elif kind == "kontonummer":
            v = make_account(r)
            s = r.choice([
                "Pengene skal til konto {v}.", "Vårt kontonummer er {v}, det har vi sagt mange ganger.",
                "Refusjonen ble sendt til feil konto, riktig er {v}.", "Kontonr. {v}"])
        elif kind == "orgnummer":
            v = make_orgnr(r)
            s = r.choice([
                "Vårt orgnr er {v}.", "Org.nr. {v}", "Gjelder virksomhet med organisasjonsnummer {v}.",
                "Det står feil orgnr ({v}) i Altinn."])
        elif kind == "adresse":
            v = f"{r.choice(STREETS)} {r.randint(1, 120)}{r.choice(['', '', '', 'B', 'A'])}"
            s = r.choice([
                "Vi holder til i {v}, kom gjerne innom.", "Brevet kom til {v} som er gammel adresse.",
                "Besøksadresse: {v}.", "Send post til {v}."])
        else:
            first, last = self._first(), self._last()
            variants = [
                (f"{r.choice(ROLES)} {first} {last}", "Snakket med {v} som var veldig hyggelig."),
                (f"{r.choice(ROLES)} {first} {last}", "Vi hadde god dialog med {v}."),
                (first, "Hilsen {v}"),
                (f"{first} {last}", "Mvh {v}, daglig leder"),
                (f"{r.choice(['veileder', 'saksbehandler'])} {last}", "Fikk ikke svar fra {v} på tre uker."),
                (f"{first} {last}", "{v} på NAV-kontoret sa noe helt annet."),
                (f"{first}", "Ansatt {v} har vært sykmeldt lenge."),
            ]
            v, s = r.choice(variants)
        value = v
        # record the name value without the role word
        if kind == "navn":
            for role in ROLES + ["veileder", "saksbehandler"]:
                if value.startswith(role + " "):
                    value = value[len(role) + 1:]
                    break
        return s.format(v=v), [(kind, value)]


# --------------------------------------------------------------------------------------------- text
NYNORSK = {
    "jeg": "eg", "ikke": "ikkje", "bedre": "betre", "hva": "kva", "hvordan": "korleis", "fra": "frå",
    "sykmelding": "sjukmelding", "sykmeldingen": "sjukmeldinga", "sykmeldte": "sjukmelde", "sykmeldt": "sjukmeld",
    "sykemeldt": "sjukmeld", "sykemeldte": "sjukmelde", "sykefravær": "sjukefråvær", "sykefraværet": "sjukefråværet",
    "noen": "nokon", "noe": "noko", "mye": "mykje", "bare": "berre", "hver": "kvar", "hvorfor": "kvifor",
    "uten": "utan", "ble": "vart", "mer": "meir", "mange": "mange", "selv": "sjølv", "samme": "same",
    "vanskelig": "vanskeleg", "umulig": "umogleg", "mulig": "mogleg", "ansatte": "tilsette", "ansatt": "tilsett",
    "bedriften": "verksemda", "arbeidsgiver": "arbeidsgjevar", "arbeidsgivere": "arbeidsgjevarar",
    "fikk": "fekk", "sammen": "saman", "dere": "de", "hos": "hjå", "enn": "enn", "også": "òg",
    "gjennom": "gjennom", "hjelpe": "hjelpe", "veldig": "veldig", "kunne": "kunne", "hvis": "viss",
    "sine": "sine", "deg": "deg", "meg": "meg", "mellom": "mellom", "tid": "tid", "svare": "svare",
    "lenge": "lenge", "kommer": "kjem", "komme": "kome", "ønsker": "ønskjer", "ønske": "ønskje",
    "spørsmål": "spørsmål", "viktig": "viktig", "lett": "lett", "vanligvis": "vanlegvis", "eneste": "einaste",
    "en": "ein", "ei": "ei", "et": "eit", "mitt": "mitt", "vår": "vår", "våre": "våre", "annen": "annan",
    "andre": "andre", "nå": "no", "skal": "skal", "blir": "blir", "måtte": "måtte", "ofte": "ofte",
    "alltid": "alltid", "aldri": "aldri", "greit": "greitt", "hjelp": "hjelp", "må": "må", "svar": "svar",
    "tilbake": "tilbake", "igjen": "att", "helt": "heilt", "hele": "heile", "ringe": "ringje", "ringer": "ringjer",
    "skriver": "skriv", "går": "går", "litt": "litt", "dag": "dag", "uke": "veke", "uker": "veker",
    "måned": "månad", "måneder": "månader", "mnd": "mnd", "syns": "syns", "synes": "synest", "vet": "veit",
    "være": "vere", "gjøre": "gjere", "gjør": "gjer", "dårlig": "dårleg", "vanlig": "vanleg", "tydelig": "tydeleg",
    "skikkelig": "skikkeleg", "egentlig": "eigentleg", "hvem": "kven", "sier": "seier", "gikk": "gjekk",
    "lønn": "løn", "virker": "verkar", "dager": "dagar", "penger": "pengar", "disse": "desse", "mens": "medan",
    "tidligere": "tidlegare", "raskere": "raskare", "lettere": "lettare", "enklere": "enklare", "saken": "saka",
    "oppfølgingen": "oppfølginga", "ordningen": "ordninga", "løsningen": "løysinga", "løsninger": "løysingar",
    "tjenester": "tenester", "tjenesten": "tenesta", "bedrifter": "verksemder", "svarene": "svara",
    "brevene": "breva", "sykepenger": "sjukepengar", "hjemme": "heime", "trenger": "treng", "gir": "gjev",
    "ringte": "ringde", "ventet": "venta", "svarte": "svara", "sendte": "sende", "bedrift": "verksemd",
    "saksbehandler": "sakshandsamar", "saksbehandleren": "sakshandsamaren", "saksbehandlere": "sakshandsamarar",
    "behandling": "handsaming", "forstå": "forstå", "forstår": "forstår", "spørre": "spørje", "søknad": "søknad",
    "hvilke": "kva for", "slik": "slik", "sånn": "slik", "kanskje": "kanskje", "kun": "berre", "høre": "høyre",
}
DIALECT = [
    (r"\bjeg\b", ["æ", "je", "e", "eg"]), (r"\bikke\b", ["ikkje", "itte", "ikkje", "ikkie", "itj", "ikkj"]),
    (r"\bhva\b", ["ka", "kæ", "hæ"]), (r"\bhvordan\b", ["koss", "åssen", "korsn"]),
    (r"\bsynes\b", ["syns"]), (r"\bhvert fall\b", ["hvertfall", "hvert fall", "iallefall"]),
    (r"\bnoe\b", ["noko", "nå", "noe"]), (r"\bmeg\b", ["mæ", "me"]), (r"\bdere\b", ["dokker", "dokk", "dåkker"]),
    (r"\bhvorfor\b", ["koffor", "kvifor", "åffer"]), (r"\bhvem\b", ["kem", "kven"]), (r"\bmye\b", ["mykje", "møkje"]),
    (r"\bbare\b", ["berre", "bære"]), (r"\bvi\b", ["me", "vi"]), (r"\bhjem\b", ["heim"]),
    (r"\bhvor\b", ["kor", "hvor"]), (r"\bsnakke\b", ["prate"]), (r"\bveldig\b", ["kjempe", "sykt", "veldig"]),
]
VARIANTS = [
    (r"\bsykmeldt", ["sykemeldt", "sykmeldt", "sykemeldt"]), (r"\bsykmelding", ["sykemelding", "sykmelding"]),
    (r"\bNAV\b", ["Nav", "NAV", "nav", "Nav"]), (r"\be-post\b", ["epost", "mail", "e-post"]),
    (r"\btelefonen\b", ["tlf", "telefonen"]), (r"\btelefon\b", ["tlf", "telefon"]),
    (r"\bfor eksempel\b", ["f.eks.", "feks", "f.eks"]), (r"\bpå grunn av\b", ["pga.", "pga"]),
    (r"\bmåneder\b", ["mnd", "mnd.", "måneder"]), (r"\barbeidsgiver\b", ["AG", "arbeidsgiver"]),
    (r"\bbedriftshelsetjenesten\b", ["BHT", "bedriftshelsetjenesten"]), (r"\bsammenlignet\b", ["sammenliknet"]),
    (r"\bgjentagende\b", ["gjentakende"]), (r"\bBankID\b", ["Bank-ID", "bankid"]), (r"\bnav\.no\b", ["Nav.no", "NAV.no"]),
    (r"\bNAV-kontoret\b", ["Nav-kontoret", "NAV kontoret", "nav-kontoret"]), (r"\bminutter\b", ["min", "min.", "minutter"]),
    (r"\boppfølgingsplan\b", ["oppfølgingsplan", "oppf.plan"]), (r"\bKontaktsenteret\b", ["NKS", "kontaktsenteret"]),
]
MONTHS = ["januar", "februar", "mars", "april", "mai", "juni", "august", "september", "oktober", "november",
          "desember"]


class TextMaker:
    """Turns fragments into realistic comments (registers, connectors, variants, noise)."""

    def __init__(self, bank: PhraseBank, rng: random.Random, wave: int):
        self.bank = bank
        self.rng = rng
        self.wave = wave

    # -- placeholders
    def _fill(self, text: str) -> str:
        r = self.rng
        y = self.wave
        nb = "\u00a0" if r.random() < 0.15 else " "

        def kr() -> str:
            amount = r.choice([r.randint(3, 95) * 500, r.randint(10, 480) * 1000, r.randint(1000, 99999)])
            s = f"{amount:,}".replace(",", nb if r.random() < 0.7 else ".")
            return r.choice([f"kr {s}", f"{s} kr", f"kr {s},-", f"{s},-", f"kr. {s}"])

        subs = {
            "min": lambda: r.choice([f"{r.choice([15, 20, 25, 30, 35, 40, 45, 50, 55])} min",
                                     f"{r.choice([20, 30, 40, 45, 60, 70, 90])} minutter",
                                     r.choice(["over en time", "halvannen time", "nesten en time", "1,5 t"])]),
            "timer": lambda: r.choice([f"{r.randint(2, 5)} timer", "to timer", f"{r.randint(2, 4)},5 time"]),
            "dager": lambda: f"{r.randint(3, 30)} dager",
            "uker": lambda: r.choice([f"{r.randint(3, 16)} uker", f"{r.randint(3, 12)} uker", "seks uker", "åtte uker"]),
            "mnd": lambda: r.choice([f"{r.randint(2, 9)} mnd", f"{r.randint(2, 7)} måneder", "et halvt år", "tre måneder"]),
            "kr": kr,
            "dato": lambda: r.choice([
                f"{r.randint(1, 28):02d}.{r.randint(1, 12):02d}.{y}", f"{r.randint(1, 28)}. {r.choice(MONTHS)}",
                f"{r.randint(1, 28)}/{r.randint(1, 12)}", f"{r.choice(MONTHS)} {y}", f"{r.randint(1, 28)}.{r.randint(1, 12)}"]),
            "saksnr": lambda: r.choice([
                f"saksnr {y}/{r.randint(100000, 999999)}", f"saksnummer {y % 100}/{r.randint(1000, 99999)}",
                f"ref. {y}-{r.randint(100000, 999999)}", f"sak {y}/{r.randint(10000, 999999)}"]),
            "tid": lambda: r.choice(["08:00 - 16:00", "kl. 9-15", "09.00-15.00", "kl 08-15.30", "9 til 14",
                                     "08:30-15:00"]),
            "pst": lambda: r.choice([f"{r.choice([20, 30, 40, 50, 60, 80])}%", f"{r.choice([20, 50, 60])} %",
                                     f"{r.choice([40, 50])} prosent", "100%"]),
            "n": lambda: r.choice([str(r.randint(2, 14)), r.choice(["to", "tre", "fire", "fem", "seks", "ti"])]),
            "ganger": lambda: r.choice([f"{r.randint(3, 15)} ganger", "flere ganger", "fire-fem ganger",
                                        "utallige ganger"]),
            "aar": lambda: str(y - r.randint(0, 3)),
        }
        return re.sub(r"\{(\w+)\}", lambda m: subs[m.group(1)]() if m.group(1) in subs else m.group(0), text)

    # -- composition
    def compose(self, frags: list[Fragment], register: str, context: dict) -> str:
        r = self.rng
        parts: list[str] = []
        texts = [self._fill(f.text) for f in frags]
        mood = "+" if frags[0].type == "ros" else "-"
        if register in ("lang", "hoflig") or (register == "normal" and r.random() < 0.12):
            k = r.choice([1, 2, 2]) if register == "lang" else 1
            openers = _tagged(self.bank.openers, context["tags"])
            chosen = r.sample(openers, k)
            chosen.sort(key=lambda o: not o.startswith("Hei"))  # a greeting comes first
            for opener in chosen:
                parts.append(self._fill(opener).format(**context))
        body = texts[0]
        for prev, f, t in zip(frags, frags[1:], texts[1:]):
            if prev.type == "ros" and f.type != "ros":
                kind = "contrast_neg"
            elif prev.type != "ros" and f.type == "ros":
                kind = "contrast_pos"
            elif f.theme == prev.theme:
                kind = "elaborate"
            else:
                kind = "add"
            conn = r.choice(self.bank.connectors.get(kind, [" "]))
            body = _join(body, conn, t)
        parts.append(body)
        if register == "sint":
            parts.append(r.choice(self.bank.intensifiers))
        if register == "lang":
            closers = _tagged(self.bank.closers, {mood})
            for closer in r.sample(closers, r.choice([1, 1, 2])):
                parts.append(self._fill(closer))
        if register in ("lang", "hoflig") and r.random() < 0.55 or r.random() < 0.06:
            parts.append(r.choice(_tagged(self.bank.signoffs, {mood})))
        text = " ".join(p for p in parts if p)
        if register == "telegraf":
            text = _telegraphic(text, r)
        return text

    def non_answer(self, question: str) -> str:
        r = self.rng
        u = r.random()
        if u < 0.08:
            return QUESTION_TEXTS[question] if r.random() < 0.6 else QUESTION_TEXTS[question].lower().rstrip("?")
        if u < 0.16:
            keys = "asdfghjklqwertyuiopzxcvbnmø"
            start = r.randint(0, len(keys) - 6)
            return keys[start:start + r.randint(3, 6)] if r.random() < 0.5 else "".join(
                r.choice("asdfjklø") for _ in range(r.randint(3, 7)))
        return r.choice(self.bank.non_answers)

    # -- surface variation
    def surface(self, text: str, *, nynorsk: bool, dialect: bool) -> str:
        r = self.rng
        for pat, choices in VARIANTS:
            if r.random() < 0.5:
                text = re.sub(pat, lambda m: r.choice(choices), text)
        if nynorsk:
            text = _to_nynorsk(text)
        elif dialect:
            for pat, choices in DIALECT:
                if r.random() < 0.5:
                    text = re.sub(pat, lambda m: _match_case(m.group(0), r.choice(choices)), text)
        return text

    def noise(self, text: str) -> str:
        r = self.rng
        if r.random() < 0.22:  # character-level typos
            text = _typos(text, r, rate=r.choice([0.005, 0.01, 0.01, 0.02, 0.03]))
        if r.random() < 0.04:  # missing or doubled spaces
            text = re.sub(r"(?<=\w) (?=\w)", lambda m: r.choice(["", "  ", " "]) if r.random() < 0.08 else " ", text)
        if r.random() < 0.06:
            text = text.replace("æ", "ae").replace("ø", "o").replace("å", "a").replace("Æ", "Ae").replace(
                "Ø", "O").replace("Å", "A") if r.random() < 0.5 else text.replace("å", "aa").replace("ø", "o").replace(
                "æ", "ae")
        if r.random() < 0.12:
            text = text.lower()
        if r.random() < 0.1:
            text = re.sub(r"[.,;:!]", "", text)
        if r.random() < 0.04:
            text = text.upper() if len(text) < 80 else text
        if r.random() < 0.05:
            text = text.rstrip(".") + r.choice(["!!", "!!!", "..", "?!", "...."])
        return text

    def debris(self, text: str) -> str:
        """PDF/Excel residue: _x000D_, NBSP, «», U+2010 hyphens, hyphenated line breaks."""
        r = self.rng
        kind = r.choice(["x000d", "nbsp", "quotes", "hyphen", "linebreak", "linebreak"])
        if kind == "x000d":
            sents = re.split(r"(?<=[.!?])\s+", text)
            if len(sents) > 1:
                i = r.randint(1, len(sents) - 1)
                sents[i] = "_x000D_\n" + sents[i]
                return " ".join(sents)
            return text + "_x000D_"
        if kind == "nbsp":
            return re.sub(r"(\d) (\d)", "\\1\u00a0\\2", text).replace(" min", "\u00a0min").replace(" uker", "\u00a0uker") \
                .replace(" kr", "\u00a0kr").replace(". ", ".\u00a0", 1)
        if kind == "quotes":
            words = [w for w in re.findall(r"\b[A-Za-zÆØÅæøå-]{6,}\b", text)]
            if words:
                w = r.choice(words)
                return text.replace(w, r.choice(["«{}»", "”{}”", "\"{}\""]).format(w), 1)
            return text
        if kind == "hyphen":
            return re.sub(r"(\w)-(\w)", "\\1\u2010\\2", text) if "-" in text else text.replace(" - ", " \u2010 ")
        words = [w for w in re.findall(r"\b[a-zæøå]{10,}\b", text)]
        if words:
            w = r.choice(words)
            cut = r.randint(4, len(w) - 4)
            return text.replace(w, w[:cut] + "-\n" + w[cut:], 1)
        return text


def _tagged(lines: list[str], tags: set[str]) -> list[str]:
    """Lines without a ``tag|`` prefix always qualify; tagged lines only when the tag applies."""
    out = []
    for line in lines:
        tag, sep, rest = line.partition("|")
        if not sep or " " in tag:
            out.append(line)
        elif tag in tags or tag == "any":
            out.append(rest)
    return out


def _join(a: str, conn: str, b: str) -> str:
    """Join two clauses with a connector string, fixing punctuation and the case of ``b``."""
    a = a.rstrip()
    if conn.startswith(".") or conn.startswith("\n") or conn == " ":
        if conn.startswith(".") and a[-1:] in ".!?":
            conn = conn[1:]
        elif conn.startswith("\n") and a[-1:] not in ".!?" and conn == "\n- ":
            pass
        elif conn == " " and a[-1:] not in ".!?":
            a += "."
        if conn.rstrip(" ").endswith(":") or conn.strip(" .\n-") != "":
            return a + conn + _lower_first(b)
        return a + conn + b[:1].upper() + b[1:]
    # continuing connectors (", og", " + ", "; ", " – ") drop the full stop of ``a``
    a = a.rstrip(".")
    return a + conn + _lower_first(b)


def _lower_first(s: str) -> str:
    if len(s) > 1 and s[0].isupper() and not s[1].isupper() and not s.startswith(("NAV", "Nav ", "NKS", "BHT", "IA",
                                                                                    "Altinn", "AAP")):
        return s[0].lower() + s[1:]
    return s


def _match_case(src: str, repl: str) -> str:
    if src[:1].isupper():
        return repl[:1].upper() + repl[1:]
    return repl


def _to_nynorsk(text: str) -> str:
    def sub(m: re.Match) -> str:
        w = m.group(0)
        low = w.lower()
        if low in NYNORSK:
            return _match_case(w, NYNORSK[low])
        return w

    return re.sub(r"\b[A-Za-zÆØÅæøå]+\b", sub, text)


def _telegraphic(text: str, r: random.Random) -> str:
    text = re.sub(r"\b(Jeg|jeg|Vi|vi) (synes|mener|opplever) (at )?", "", text)
    if r.random() < 0.5:
        text = text.rstrip(".")
    if r.random() < 0.3:
        text = text.replace(", og ", ". ").replace(" og ", " + ")
    return text[:1].upper() + text[1:] if text else text


def _typos(text: str, r: random.Random, rate: float) -> str:
    chars = list(text)
    out: list[str] = []
    i = 0
    keyboard = "qwertyuiopåasdfghjkløæzxcvbnm"
    while i < len(chars):
        c = chars[i]
        if c.isalpha() and r.random() < rate:
            op = r.choice(["drop", "swap", "double", "near"])
            if op == "drop":
                i += 1
                continue
            if op == "swap" and i + 1 < len(chars) and chars[i + 1].isalpha():
                out.extend([chars[i + 1], c])
                i += 2
                continue
            if op == "double":
                out.extend([c, c])
                i += 1
                continue
            k = keyboard.find(c.lower())
            if k >= 0:
                out.append(keyboard[max(0, min(len(keyboard) - 1, k + r.choice([-1, 1])))])
                i += 1
                continue
        out.append(c)
        i += 1
    return "".join(out)


# --------------------------------------------------------------------------------------------- structured
def _likert_from_latent(v: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Continuous score -> 1..6 with the positive cut (3|4) at ``t``."""
    cuts = np.stack([t - 1.5, t - 0.85, t, t + 0.75, t + 1.55], axis=1)
    return 1 + (v[:, None] > cuts).sum(axis=1)


def generate_structured(year: int, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Respondent frame without free text: background, weight, Likert items, services, latent score."""
    sektor = np.where(rng.random(n) < 0.665, "Privat", "Offentlig")
    ansatte = np.array([rng.choice(ANSATTE, p=ANSATTE_P[s]) for s in sektor])
    naering = np.array([rng.choice(list(NAERING_P[s]), p=_norm(list(NAERING_P[s].values()))) for s in sektor])
    counties = list(FYLKE_POP)
    resp = np.array([FYLKE_POP[c] * FYLKE_RESPONSE[c] for c in counties])
    fylke = rng.choice(counties, size=n, p=resp / resp.sum())
    sample_share = pd.Series(fylke).value_counts(normalize=True)
    vekt = np.array([FYLKE_POP[c] / sum(FYLKE_POP.values()) / sample_share[c] for c in fylke])
    vekt = np.round(vekt / vekt.mean(), 4)

    latent = rng.normal(size=n)
    df = pd.DataFrame({
        "respondent_id": [f"AG{year}-{i + 1:05d}" for i in range(n)], "wave": year, "sektor": sektor,
        "ansatte": ansatte, "naering": naering, "fylke": fylke, "vekt": vekt,
    })
    private = sektor == "Privat"
    share_private = private.mean()

    # services first (q_sykefravaer's "ikke benyttet" depends on them)
    big = np.isin(ansatte, ["50-199", "200+"])
    tj = {
        "tj_sykefravaer": rng.random(n) < np.where(big, 0.82, 0.58),
        "tj_rekruttering": rng.random(n) < 0.24,
        "tj_tiltak": rng.random(n) < np.where(sektor == "Offentlig", 0.28, 0.17),
        "tj_permittering": rng.random(n) < (0.09 if year == 2022 else 0.05) * np.where(private, 1.4, 0.2),
    }
    none = ~np.any(np.stack(list(tj.values())), axis=0)
    force_none = rng.random(n) < 0.03
    for k in tj:
        tj[k] = tj[k] & ~force_none
    none = none | force_none
    for k, v in tj.items():
        df[k] = v.astype(int)
    df["tj_ingen"] = none.astype(int)

    for item in LIKERT_ITEMS:
        lam = LOADING[item]
        v = lam * latent + math.sqrt(1 - lam ** 2) * rng.normal(size=n)
        p = POSITIVE_TARGET[item][year]
        gap = SECTOR_GAP.get(item, 0.0)  # public minus private share positive
        # cut at the empirical quantile within each sector, so the sample hits the target share
        t = np.empty(n)
        for sec, p_sec in (("Privat", p - gap * (1 - share_private)), ("Offentlig", p + gap * share_private)):
            m = sektor == sec
            t[m] = np.quantile(v[m], 1 - p_sec) if m.any() else 0.0
        codes = _likert_from_latent(v, t).astype(float)
        u = rng.random(n)
        ib = IKKE_BENYTTET_P.get(item, 0.0)
        if item == "q_sykefravaer":
            ib = np.where(df["tj_sykefravaer"].to_numpy() == 1, 0.04, 0.78)
        codes = np.where(u < ib, 8, codes)
        codes = np.where((u >= ib) & (u < ib + VET_IKKE_P[item]), 7, codes)
        codes = np.where(rng.random(n) < MISSING_P, np.nan, codes)
        df[item] = pd.array(codes, dtype="Int64")
    df["_latent"] = latent
    return df


def _norm(p: list[float]) -> list[float]:
    s = sum(p)
    return [x / s for x in p]


# --------------------------------------------------------------------------------------------- comments
@dataclass
class Comment:
    text: str
    themes: list[str]
    type: str
    is_non_answer: bool
    pii: list[tuple[str, str]]


# How much a rating on the theme's item raises (low scores) or lowers (high scores) the chance of that theme.
LEVEL_WEIGHT = {1: 6.0, 2: 5.0, 3: 3.5, 4: 1.0, 5: 0.4, 6: 0.25}


def _item_weight(row: pd.Series, item: str | None) -> float:
    if item is None:
        return 1.0
    v = row[item]
    if pd.isna(v) or v >= 7:
        return 1.0
    return LEVEL_WEIGHT[int(v)]


def _item_level(row: pd.Series, item: str | None) -> str:
    if item is None:
        return "mid"
    v = row[item]
    if pd.isna(v) or v >= 7:
        return "mid"
    if v <= 3:
        return "low"
    if v >= 5:
        return "high"
    return "mid"


def choose_fragments(row: pd.Series, question: str, bank: PhraseBank, r: random.Random, *,
                     nynorsk: bool = False, multi: Quota | None = None) -> list[Fragment]:
    """Pick 1-3 fragments whose themes and types follow the respondent's ratings and services."""
    base = THEME_BASE_WEIGHT[question]
    helhet = _item_level(row, "q_helhet")
    weights = {}
    for th in THEMES:
        w = base[th]
        if th == "ros":
            w *= {"high": 2.2, "mid": 0.5, "low": 0.05}[helhet]
        elif th != "annet":
            w *= _item_weight(row, THEME_ITEM[th])
        if th in SERVICE_THEME:
            w *= 4.0 if row[SERVICE_THEME[th]] == 1 else 0.08
        if th in ("sykefravaersoppfolging", "refusjon", "lege_sykmelding", "ia_forebygging") and row[
                "tj_sykefravaer"] == 0:
            w *= 0.35
        weights[th] = w
    n_frag = 1
    if multi is not None and multi.due():
        n_frag = 3 if r.random() < 0.18 else 2
    elif multi is None:
        n_frag = r.choices([1, 2, 3], weights=[0.72, 0.23, 0.05])[0]
    chosen: list[Fragment] = []
    used_themes: set[str] = set()
    for i in range(n_frag):
        cand = {t: w for t, w in weights.items() if t not in used_themes and (i == 0 or t != "annet")}
        th = r.choices(list(cand), weights=list(cand.values()))[0]
        if th == "annet" and i == 0:
            n_frag = 1
        typ = _choose_type(row, th, question, helhet, r)
        pool = bank.fragments[th][typ] or [f for v in bank.fragments[th].values() for f in v]
        if nynorsk and bank.nynorsk[th][typ] and r.random() < 0.6:
            pool = bank.nynorsk[th][typ]
        chosen.append(r.choice(pool))
        used_themes.add(th)
        if th == "annet":
            break
    return chosen


def _choose_type(row: pd.Series, th: str, question: str, helhet: str, r: random.Random) -> str:
    if th == "ros":
        return "ros"
    lvl = _item_level(row, THEME_ITEM[th])
    p_ros = {"high": 0.45, "mid": 0.12, "low": 0.01}[lvl]
    if helhet == "low":
        p_ros *= 0.2
    if question == "fritekst_sykefravaer":
        p_ros *= 0.25
    if th == "annet":
        p_ros = 0.15
    if r.random() < p_ros:
        return "ros"
    p_wish = 0.62 if question == "fritekst_sykefravaer" else 0.35
    return "ønske" if r.random() < p_wish else "klage"


def make_comment(row: pd.Series, question: str, bank: PhraseBank, tm: TextMaker, pm: PiiMaker,
                 r: random.Random, quotas: dict[str, Quota]) -> Comment:
    if quotas["non_answer"].due():
        return Comment(tm.non_answer(question), [], "", True, [])
    if quotas["english"].due():
        f = r.choice(bank.english)
        frags = [f]
        if r.random() < 0.25:
            g = r.choice([e for e in bank.english if e.theme != f.theme and e.theme != "annet"])
            if f.theme != "annet":
                frags.append(g)
        text = tm._fill(frags[0].text)
        for x in frags[1:]:
            text = _join(text, r.choice([". ", " ", "\n"]), tm._fill(x.text))
        themes = _ordered_union(frags)
        return Comment(tm.noise(text) if r.random() < 0.3 else text, themes, frags[0].type, False, [])
    nynorsk = quotas["nynorsk"].due() or (row["fylke"] in ("Vestland", "Møre og Romsdal") and r.random() < 0.12)
    frags = choose_fragments(row, question, bank, r, nynorsk=nynorsk, multi=quotas.get("multi"))
    register = r.choices(["telegraf", "normal", "lang", "sint", "hoflig"], weights=[0.2, 0.46, 0.14, 0.1, 0.1])[0]
    if register == "lang" and frags[0].theme != "annet":
        frags = _deepen(frags, bank, r)
    if register == "sint" and frags[0].type != "klage":
        register = "normal"
    context = {"naering": row["naering"].lower(), "fylke": row["fylke"], "ansatte": _ansatte_words(row["ansatte"], r),
               "sektor": "kommunen" if row["sektor"] == "Offentlig" else "bedriften", "tags": _tags(row)}
    text = tm.compose(frags, register, context)
    text = tm.surface(text, nynorsk=nynorsk, dialect=not nynorsk and r.random() < 0.07)
    if r.random() < 0.05:  # PDF/Excel residue (before PII is planted, so planted values stay verbatim)
        text = tm.debris(text)
    pii: list[tuple[str, str]] = []
    if quotas["pii"].due():
        sent, pii = pm.sentence()
        text = text + " " + sent if r.random() < 0.75 else sent + " " + text
    elif r.random() < 0.012:  # hard negative: looks like a fnr, fails the checksum
        text = text + " " + r.choice(["Ref. {}", "Vårt kundenr hos dere: {}", "(sak {})", "Ordrenr {}"]).format(
            make_invalid_11(r))
    if r.random() < 0.03:
        text = text.rstrip() + (r.choice([" :)", " :-)", " 👍"]) if frags[0].type == "ros" else r.choice([" :(", " :-(", " 😡"]))
    protected = [v for _, v in pii]
    if not protected:
        text = tm.noise(text)
    else:
        # keep planted values intact: add noise only to the text around them
        text = _noise_outside(text, protected, tm)
    return Comment(text, _ordered_union(frags), frags[0].type, False, pii)


def _deepen(frags: list[Fragment], bank: PhraseBank, r: random.Random) -> list[Fragment]:
    """An HR-manager paragraph: every theme gets one or two more clauses of the same theme and type."""
    out: list[Fragment] = []
    for f in frags:
        out.append(f)
        same = [g for g in bank.fragments[f.theme][f.type] if g not in out]
        for g in r.sample(same, k=min(len(same), r.choice([1, 1, 2, 2, 3]))):
            out.append(g)
    return out


def _noise_outside(text: str, protected: list[str], tm: TextMaker) -> str:
    pieces = re.split("(" + "|".join(re.escape(p) for p in protected) + ")", text)
    return "".join(p if p in protected else (tm.noise(p) if tm.rng.random() < 0.5 else p) for p in pieces)


def _tags(row: pd.Series) -> set[str]:
    band = row["ansatte"]
    tags = {"public" if row["sektor"] == "Offentlig" else "private"}
    tags.add("solo" if band == "1" else "nonsolo")
    tags.add("small" if band in ("2-9", "10-49") else "large" if band in ("50-199", "200+") else "solo")
    return tags


def _ansatte_words(band: str, r: random.Random) -> str:
    return {"1": "bare meg selv", "2-9": f"{r.randint(2, 9)} ansatte", "10-49": f"ca {r.randint(10, 49)} ansatte",
            "50-199": f"rundt {r.randint(5, 19) * 10} ansatte", "200+": f"over {r.choice([200, 300, 500, 1000])} ansatte"}[band]


def _ordered_union(frags: list[Fragment]) -> list[str]:
    out: list[str] = []
    for f in frags:
        for t in f.themes:
            if t not in out:
                out.append(t)
    if "annet" in out and len(out) > 1:
        out.remove("annet")
    return out


# --------------------------------------------------------------------------------------------- waves
def _answer_probability(df: pd.DataFrame, base_rate: float) -> np.ndarray:
    items = df[LIKERT_ITEMS].astype("float")
    n_low = ((items >= 1) & (items <= 3)).sum(axis=1).to_numpy()
    helhet = items["q_helhet"].to_numpy()
    w = 1 + 1.4 * (helhet <= 3) + 0.25 * n_low + 0.5 * (helhet == 6)
    w = np.nan_to_num(w, nan=1.0)
    return np.clip(base_rate * w / w.mean(), 0, 0.95)


def generate_wave(year: int, n: int = 3000, seed: int = 2024, phrase_dir: Path = PHRASE_DIR) -> dict[str, pd.DataFrame]:
    """One wave: ``{"survey": ..., "labels": ..., "pii": ...}`` (deterministic in year, n, seed)."""
    wave_seed = seed * 10007 + year
    nrng = np.random.default_rng(wave_seed)
    r = random.Random(wave_seed)
    bank = load_phrases(phrase_dir)
    tm = TextMaker(bank, r, year)
    pm = PiiMaker(r, wave_seed)
    quotas = {"non_answer": Quota(NON_ANSWER_RATE, r), "pii": Quota(PII_RATE, r), "multi": Quota(MULTI_RATE, r),
              "nynorsk": Quota(NYNORSK_RATE, r), "english": Quota(ENGLISH_RATE, r)}
    df = generate_structured(year, n, nrng)

    asked_syk = df["q_sykefravaer"].isin([1, 2, 3]).to_numpy()
    p_syk = _answer_probability(df, 0.21)
    p_gen = _answer_probability(df, 0.175)
    u_syk, u_gen = nrng.random(n), nrng.random(n)
    df["fritekst_sykefravaer"] = ""
    df["fritekst_generell"] = ""
    labels, pii_rows = [], []
    for i in range(n):
        row = df.iloc[i]
        for question, answers in (("fritekst_sykefravaer", asked_syk[i] and u_syk[i] < p_syk[i]),
                                  ("fritekst_generell", u_gen[i] < p_gen[i])):
            if not answers:
                continue
            c = make_comment(row, question, bank, tm, pm, r, quotas)
            c.text = c.text.strip() or "-"
            df.at[i, question] = c.text
            labels.append({"respondent_id": row["respondent_id"], "question": question, "text": c.text,
                           "themes": ";".join(c.themes), "type": c.type, "is_non_answer": int(c.is_non_answer)})
            for kind, value in c.pii:
                pii_rows.append({"respondent_id": row["respondent_id"], "question": question, "pii_type": kind,
                                 "value": value})
    survey = df[COLUMNS].copy()
    return {
        "survey": survey,
        "labels": pd.DataFrame(labels, columns=["respondent_id", "question", "text", "themes", "type", "is_non_answer"]),
        "pii": pd.DataFrame(pii_rows, columns=["respondent_id", "question", "pii_type", "value"]),
    }


def summarize(result: dict[str, pd.DataFrame]) -> dict[str, float]:
    """Headline figures of one generated wave (what the README and the tests promise)."""
    survey, labels, pii = result["survey"], result["labels"], result["pii"]

    def positive(col: str, mask=None) -> float:
        v = survey[col] if mask is None else survey.loc[mask, col]
        v = v[(v >= 1) & (v <= 6)].astype(float)
        return round(float((v >= 4).mean()), 3)

    private = survey["sektor"] == "Privat"
    asked = survey["q_sykefravaer"].isin([1, 2, 3]).to_numpy(dtype=bool)
    real = labels[labels["is_non_answer"] == 0]
    words = [re.findall(r"\w+", t.lower()) for t in real["text"]]
    trigrams = {g for w in words for g in zip(w, w[1:], w[2:])}
    return {
        "n": len(survey), "private_share": round(float(private.mean()), 3),
        "q_helhet_positive": positive("q_helhet"), "q_telefon_positive": positive("q_telefon"),
        "q_telefon_positive_private": positive("q_telefon", private),
        "q_telefon_positive_public": positive("q_telefon", ~private),
        "asked_sykefravaer": int(asked.sum()),
        "answer_rate_sykefravaer": round(float((survey["fritekst_sykefravaer"] != "")[asked].mean()), 3),
        "answer_rate_generell": round(float((survey["fritekst_generell"] != "").mean()), 3),
        "comments": len(labels), "non_answer_share": round(float(labels["is_non_answer"].mean()), 3),
        "multi_theme_share": round(float((real["themes"].str.count(";") >= 1).mean()), 3),
        "distinct_text_share": round(real["text"].nunique() / max(len(real), 1), 3),
        "distinct_word_trigrams": len(trigrams),
        "comments_60_words_or_more": int(sum(len(t.split()) >= 60 for t in real["text"])),
        "comments_with_pii": int(pii[["respondent_id", "question"]].drop_duplicates().shape[0]),
    }


def write_outputs(result: dict[str, pd.DataFrame], year: int, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"arbeidsgiver_{year}.csv", out / f"labels_{year}.csv", out / f"pii_{year}.csv"]
    for key, path in zip(("survey", "labels", "pii"), paths):
        result[key].to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return paths


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "sample")
    ap.add_argument("--n", type=int, default=None, help="respondents per wave (default 3,000 / 3,050)")
    ap.add_argument("--waves", type=int, nargs="+", default=[2022, 2023])
    ap.add_argument("--summary", action="store_true", help="print headline figures of each wave")
    args = ap.parse_args(argv)
    default_n = {2022: 3000, 2023: 3050}
    for year in args.waves:
        res = generate_wave(year, args.n or default_n.get(year, 3000), args.seed)
        for p in write_outputs(res, year, args.out):
            print(f"wrote {p}")
        if args.summary:
            print(year, json.dumps(summarize(res), ensure_ascii=False))


if __name__ == "__main__":
    main()
