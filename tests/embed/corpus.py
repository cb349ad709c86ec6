"""A few hundred varied survey-like texts for equivalence checks (Norwegian letters, nynorsk, emoji, edge cases)."""

import random

_OPENERS = ["", "Det er", "Vi opplever at det er", "Eg synest det er", "Altfor", "Ganske", "Veldig", "Ikke så"]
_CORE = [
    "vanskelig å komme gjennom på telefon", "lang ventetid i telefonkøen", "treg saksbehandling av refusjon",
    "uklart regelverk og tunge brev", "god oppfølging av sykmeldte", "bra dialogmøte med NAV-veileder",
    "vanskeleg å få tak i rett person", "Altinn og nav.no fungerer dårlig", "fast kontaktperson savnes",
    "raskt svar på Skriv til oss", "legen sykmelder for lett", "gradert sykmelding burde brukes mer",
    "lønnstilskudd og arbeidstrening hjalp oss", "permittering var kaos i 2020", "hjelp til rekruttering",
    "Arbeidslivssenteret ga nyttige råd om IA", "saksbehandlerne mangler bransjekunnskap",
    "refusjon av sykepenger kommer for seint", "forskuttering av sykepenger er tungvint",
]
_TAILS = ["", ".", "!", "!!", " 😀", " 🙈🙉", " :-(", " 👍🏽", " 🇳🇴", "...", " ÆØÅ æøå", " – takk", " (NB: viktig)"]
_FIXED = [
    "", "Nei", "Bra", "Telefonen", "Vet ikke", "-", "...", "😀", "Ingen kommentarer.", "Æ Ø Å æ ø å",
    "Eg har ikkje fått svar frå NAV på tre veker", "Jeg har ikke fått svar fra NAV på tre uker",
    "We had trouble reaching NAV by phone", "ﬁne ① ＡＢＣ ½", "tab\there\nnewline", "   ",
    "NAV-kontoret i Trøndelag 14.30 e-post", "X" * 40, "Ære være økonomien å få", "ja.", "Hei på deg 👋",
]


def corpus(n: int = 300, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    out = list(_FIXED)
    while len(out) < n:
        parts = [rng.choice(_OPENERS), rng.choice(_CORE)]
        if rng.random() < 0.4:
            parts += ["og", rng.choice(_CORE)]
        if rng.random() < 0.15:
            parts += ["fordi", rng.choice(_CORE), "og", rng.choice(_CORE), "samt", rng.choice(_CORE)]
        text = " ".join(p for p in parts if p) + rng.choice(_TAILS)
        out.append(text[0].upper() + text[1:])
    return out[:n]
