"""Language identification gaps: Swedish / Danish answers, misspelt bokmål labelled nynorsk."""

import pytest

SWEDISH = [
    "Det är svårt att nå handläggaren på telefon.",
    "Vi har inte fått något svar på vår ansökan om lönebidrag.",
    "Det tar för lång tid att få svar, och ingen ringer tillbaka.",
    "Handläggaren var trevlig men kunde inte svara på våra frågor.",
    "Vi vet inte vem vi ska kontakta när en anställd blir sjukskriven.",
    "Hur ska vi som arbetsgivare veta vad som gäller?",
    "Det är mycket krångligt att logga in och hitta rätt blankett.",
    "Vi har haft bra kontakt med vår handläggare och också fått hjälp med rekrytering.",
    "Vad hjälper det att ringa när ingen svarar?",
    "Det tog tre månader innan vi fick besked om lönestödet.",
    "Mycket bra samarbete med kontoret, de har alltid tid för oss.",
    "Vi har en anställd som har varit sjukskriven i ett år och vi vet inte hur vi ska gå vidare.",
    "Bättre information till arbetsgivare om regler och ersättning.",
    "Det är inte lätt att förstå breven, de är skrivna för jurister.",
    "Vi har också försökt att mejla men har inte fått något svar.",
    "Handläggningstiden är alldeles för lång och ingen svarar någonsin",
    "ringde til nav men fick inte tala med någon som kände till vår sak, fick bara generella svar",  # train X0464
]

DANISH = [
    "Vi har haft svært ved at få fat i en sagsbehandler.",
    "Det er meget svært at komme igennem på telefonen.",
    "Vi har ikke fået svar på vores ansøgning efter tre uger.",
    "Vores medarbejder har været sygemeldt i et halvt år, og vi har ikke hørt noget fra kommunen.",
    "Sagsbehandleren var venlig, men vi fik ikke svar på hvad vi skulle gøre.",
    "Det tager alt for lang tid at få refusion af sygedagpenge.",
    "Der mangler information om hvad virksomheden skal gøre når en ansat bliver sygemeldt.",
    "Nogle af sagsbehandlerne er gode, andre svarer aldrig.",
    "Vi har brug for en fast kontaktperson, det er meget besværligt at skulle forklare alt forfra.",
    "Det er svært at finde ud af reglerne for en lille virksomhed.",
    "Vi fik god hjælp af jobcentret til at finde nye medarbejdere.",
    "Hvad skal vi gøre når medarbejderen ikke møder op til samtalen?",
    "Det ville være godt med nogle flere møder med virksomheden.",
    "Man bliver sendt rundt fra den ene til den anden, og ingen ved noget.",
    "Opfølgningen af sygemeldte er alt for langsom efter vores mening.",
]

# Norwegian answers sharing many words with Swedish / Danish: they keep their language
NORWEGIAN = [
    ("Vi har hatt store problemer med å få tak i en saksbehandler.", "nb"),
    ("Det er svært vanskelig å komme gjennom på telefonen.", "nb"),
    ("Vi har ikke fått svar på søknaden etter tre uker.", "nb"),
    ("Det er meget bra at vi får svar efter kort tid.", "nb"),
    ("Vi synes at det er bra at dere ringer tilbake.", "nb"),
    ("Den ansatte har vært sykmeldt i et halvt år, og vi har ikke hørt noe fra kommunen.", "nb"),
    ("Det tar altfor lang tid å få refusjon av sykepenger.", "nb"),
    ("Saksbehandleren var hyggelig, men vi fikk ikke svar på hva vi skulle gjøre.", "nb"),
    ("Eg har ikkje fått svar frå NAV sidan i haust.", "nn"),
    ("Det er umogleg å kome gjennom på telefon, og vi må ringje att og att.", "nn"),
    ("Spørsmåla var vanskelege å svare på.", "nn"),
    ("Arbeidstreninga til ein ung gut her på garden har gått over all forventning.", "nn"),
    ("Kontaktpersonen vår på NAV-kontoret er alltid lett å nå og kjenner sakene godt.", "nb"),
    ("Godt samarbeid med Björn på kontoret, han er alltid hjelpsom.", "nb"),
]


@pytest.mark.parametrize("text", SWEDISH)
def test_swedish_is_sv(resources, text):
    assert resources.language.detect(text) == "sv"


@pytest.mark.parametrize("text", DANISH)
def test_danish_is_da(resources, text):
    assert resources.language.detect(text) == "da"


@pytest.mark.parametrize("text, lang", NORWEGIAN)
def test_norwegian_keeps_its_language(resources, text, lang):
    assert resources.language.detect(text) == lang


def test_sv_da_are_known_languages():
    from textmine.preprocess.language import LANGUAGES

    assert {"sv", "da"} <= set(LANGUAGES)


def test_batch_equals_single_with_neighbours(resources):
    texts = [SWEDISH[0], DANISH[0], NORWEGIAN[0][0], NORWEGIAN[8][0], "Too slow"]
    assert resources.language.detect_many(texts) == [resources.language.detect(t) for t in texts]
    assert resources.language.detect_many(texts) == ["sv", "da", "nb", "nn", "en"]


def test_lemmas_do_not_depend_on_the_reported_language(cleaner):
    """sv / da change only the reported language: the lemmas (coding features) stay those of the marker words."""
    from textmine.preprocess import Cleaner

    texts = SWEDISH[:4] + DANISH[:4]
    with_lang = cleaner.transform(texts)
    without = Cleaner(resources=cleaner.resources, detect_language=False).fit().transform(texts)
    assert set(with_lang["language"]) == {"sv", "da"}
    assert with_lang["lemmas"].tolist() == without["lemmas"].tolist()


# misspelt or dialect-tinged bokmål with a bokmål-only word (jeg, ikke, hv-words) that lingua called nynorsk
MISSPELT_BOKMAL = [
    "jeg har en arbeidstakar som er sjukemeldt",
    "jeg lurer på hvorfor sjukmeldinga ikkje kom",
    "jeg har en ansat som er sjukemeldt og arbeidsgivr får ikke svar",
    "innlogginga i altinn er et mareritt",  # data/train/handwritten_e.csv X0208
    "Bedre informasjonsflyt mellom aNv, ege og arbeidspoass.",  # sample wave 2023
]


@pytest.mark.parametrize("text", MISSPELT_BOKMAL)
def test_misspelt_bokmal_is_not_nynorsk(resources, text):
    assert resources.language.detect(text) == "nb"


@pytest.mark.parametrize(
    "text",
    ["Takk for hjelpa", "nettsida er rotete", "Raskare svar", "ok undersøking", "Spørsmåla var vanskelege å svare på."],
)
def test_nynorsk_without_bokmal_only_words_is_unchanged(resources, text):
    """Conservative: lingua's nynorsk stands unless a bokmål-only word outweighs the nynorsk marker words."""
    assert resources.language.detect(text) == "nn"


def test_bad_neighbour_word_list_is_reported(tmp_path):
    from textmine.paths import WORDLIST_DIR
    from textmine.preprocess.language import LanguageDetector

    (tmp_path / "lang_markers.tsv").write_text((WORDLIST_DIR / "lang_markers.tsv").read_text(encoding="utf-8"))
    (tmp_path / "lang_neighbours.tsv").write_text("är\tsv\t2\noch\tfi\t2\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"lang_neighbours\.tsv.*'och'.*'fi'"):
        LanguageDetector.from_wordlists(tmp_path)
    (tmp_path / "lang_neighbours.tsv").write_text("är\tsv\ttwo\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"lang_neighbours\.tsv.*'är'.*weight"):
        LanguageDetector.from_wordlists(tmp_path)
