"""Special-category data beyond health (GDPR art. 9/10) in the health flag, and health-flag misses (task H3)."""

import shutil
from pathlib import Path

import pytest

from textmine.preprocess import health_flag
from textmine.preprocess.health import HealthFlagger

WORDLISTS = Path(__file__).resolve().parents[2] / "data" / "wordlists"


@pytest.fixture(scope="module")
def flagger():
    return HealthFlagger.from_wordlists()


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # religion
        ("Hun er muslim og ber fem ganger om dagen", "religion"),
        ("Ho er kristen og går i kyrkja kvar søndag", "religion"),
        ("Ein av dei tilsette er muslim", "religion"),
        ("Den ansatte går i moskéen hver fredag", "religion"),
        ("Vi har en kollega som går med hijab", "religion"),
        ("Han faster under ramadan og er sliten", "religion"),
        ("Ali er muslim", "religion"),
        # sexuality
        ("han er homofil", "seksualitet"),
        ("ho er lesbisk", "seksualitet"),
        ("en homofil kollega ble mobbet", "seksualitet"),
        ("Hun kom ut som trans i fjor", "seksualitet"),
        # ethnic origin
        ("han er same og snakker samisk", "etnisitet"),
        ("ho er mørkhuda og blir stoppa", "etnisitet"),
        ("Vi har en ansatt med innvandrerbakgrunn", "etnisitet"),
        ("hun har somalisk bakgrunn", "etnisitet"),
        # political opinion
        ("hun stemte Frp", "politikk"),
        ("ho er medlem av Senterpartiet", "politikk"),
        ("Han er Ap-politiker", "politikk"),
        ("Jeg sitter i kommunestyret for Ap", "politikk"),
        ("den tilsette er kommunist", "politikk"),
        # trade-union membership
        ("han er medlem av Fagforbundet og tillitsvalgt", "fagforening"),
        ("Den tilsette er organisert i Delta", "fagforening"),
        ("Hun er hovedtillitsvalgt", "fagforening"),
        ("ho er fagorganisert", "fagforening"),
        # criminal convictions and offences (art. 10)
        ("han sitter i fengsel for narkotikadom", "straff"),
        ("Han sit i fengsel", "straff"),
        ("Kollegaen min er dømt for underslag", "straff"),
        ("Vi har ansatt en person som har sittet inne", "straff"),
        ("Kandidaten hadde anmerkning på politiattesten", "straff"),
        ("Ein kollega vart arrestert i fjor", "straff"),
    ],
)
def test_special_category_said_of_a_person_is_flagged(flagger, text, category):
    assert category in flagger.categories(text), text
    assert health_flag(text), text


@pytest.mark.parametrize(
    "text",
    [
        "vi har tariffavtale med Fagforbundet", "Kirkens Bymisjon har mange frivillige",
        "NAV bør samarbeide med tillitsvalgte", "politikerne må gjøre noe",
        "Kriminalomsorgen er en stor arbeidsgiver",
        "Vi er en kristen organisasjon", "Barnehagen er kristen", "For en liten menighet er regelverket uoversiktlig",
        "Spørsmåla passar dårleg for ein kyrkjelydsarbeidsgjevar", "vi er medlem av NHO",
        "Arbeidspraksis for personar med fluktbakgrunn har vore ein suksess", "Kven skal vi høyre på?",
        "Maksdatoen stemte ikke med det vi hadde fått opplyst", "NAV burde ikke være så politisk styrt",
        "Dei sende ein kandidat utan å sjekke om vedkomande hadde politiattest.", "Jobbmessen var godt organisert",
        "Vi blir straffet for at legen skriver lange sykmeldinger", "prosjektet er dømt til å mislykkes",
        "NAV ble dømt for diskriminering", "Vi sitter inne med mye kunnskap",
        "Det er same kva vi gjer",
        "NAV svarte ikke på meldingen", "Vi har mange kandidater i offentlig sektor", "Han er høyre back",
        "Dere ber om oppfølgingsplan to ganger", "Kurset for tillitsvalgte og ledere var nyttig",
        "sesongarbeider fra Polen",
    ],
)
def test_institutions_and_everyday_words_are_not_flagged(flagger, text):
    assert flagger.categories(text) == set(), text
    assert not health_flag(text), text


@pytest.mark.parametrize(
    "text",
    [
        "hun er dement", "mora hennes har demens", "hun går til psykolog", "ho går til psykolog kvar veke",
        "psykologen til den tilsette har ein annan plan", "han er på LAR", "han får metadon",
        "han er LAR-pasient", "hun ble voldtatt", "ho vart valdteken", "hun var utsatt for voldtekt", "han har hiv",
        "Han fikk HIV på 80-tallet",
    ],
)
def test_health_misses_are_flagged(flagger, text):
    assert flagger.categories(text) == {"helse"}, text
    assert health_flag(text), text


@pytest.mark.parametrize(
    "text",
    [
        "NAV må hive inn flere ressurser", "hiv inn en søknad", "Hiv dere rundt, NAV!", "hiv den inn med en gang",
        "Dere lar oss vente", "DERE LAR OSS VENTE I MÅNEDER", "vi er ikke psykologer",
        "NAV vet ikke at vi har bedriftshelsetjeneste med psykolog", "Hun jobber på demensavdelingen",
    ],
)
def test_health_look_alikes_are_not_flagged(text):
    assert not health_flag(text), text


def test_categories_names_each_category_found(flagger):
    assert flagger.categories("Han er muslim, homofil og medlem av Fagforbundet") == {
        "religion", "seksualitet", "fagforening"}
    assert flagger.categories("Hun har kreft og stemte Høyre") == {"helse", "politikk"}
    assert flagger.categories("") == set()
    assert flagger.categories("Svartida på telefonen er for lang") == set()


def test_flag_agrees_with_categories(flagger):
    texts = ["hun stemte Frp", "han har kreft", "NAV svarer for seint", "han er same", "Det er same kva"]
    assert [flagger.flag(t) for t in texts] == [bool(flagger.categories(t)) for t in texts] == [
        True, True, False, True, False]


def test_old_word_list_folder_without_special_list_still_works(tmp_path):
    """A custom word-list folder made before special_terms_person.tsv keeps working: health only."""
    for name in ("health_terms.tsv", "health_terms_person.tsv", "health_body_parts.txt", "health_exclusions.txt"):
        shutil.copy(WORDLISTS / name, tmp_path / name)
    old = HealthFlagger.from_wordlists(tmp_path)
    assert old.flag("hun har kreft") and old.categories("hun har kreft") == {"helse"}
    assert not old.flag("han er homofil") and old.categories("han er homofil") == set()
    assert HealthFlagger.from_wordlists(WORDLISTS).flag("han er homofil")


def test_special_list_with_a_missing_category_names_the_row(tmp_path):
    for name in ("health_terms.tsv", "health_exclusions.txt"):
        shutil.copy(WORDLISTS / name, tmp_path / name)
    (tmp_path / "special_terms_person.tsv").write_text("# term\tmode\tcategory\nmuslim\tcontains\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"row 1 \('muslim'\).*term, mode, category"):
        HealthFlagger.from_wordlists(tmp_path)
    (tmp_path / "special_terms_person.tsv").write_text("muslim\tword\treligion\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"row 1 \('muslim'\): mode in column 2 must be one of .*got 'word'"):
        HealthFlagger.from_wordlists(tmp_path)


def test_trigger_gated_rule_only_runs_with_its_trigger(tmp_path):
    """A regex row's triggers are word starts the match must hold; a row without triggers runs on every text."""
    for name in ("health_terms.tsv", "health_exclusions.txt"):
        shutil.copy(WORDLISTS / name, tmp_path / name)
    (tmp_path / "special_terms_person.tsv").write_text(
        "{person}\\s+{er}\\s+{adv}muslim\tregex\treligion\tmuslim\n"
        "\\bstemte\\s+frp\tregex\tpolitikk\n", encoding="utf-8")
    custom = HealthFlagger.from_wordlists(tmp_path)
    assert custom.categories("Den ansatte er ikke muslim") == {"religion"}
    assert custom.categories("hun stemte Frp") == {"politikk"}
    assert custom.categories("Den ansatte er ikke sykmeldt") == set()


# --- task H8: misses and false positives found by the privacy re-audit ---------------------------------------------

_NAMED_PREDICATES = [
    ("er kristen", "religion"), ("er same", "etnisitet"), ("er skeiv", "seksualitet"),
    ("er innvandrer fra Irak", "etnisitet"), ("går i moskeen", "religion"), ("ble dømt for vold", "straff"),
    ("har sonet en dom", "straff"),
]


@pytest.mark.parametrize("subject", ["Kari", "[NAVN]", "Kollegaen vår Kari", "Kollegaen vår [NAVN]", "Kari Hansen"])
@pytest.mark.parametrize(("predicate", "category"), _NAMED_PREDICATES)
def test_a_named_person_counts_as_a_person(flagger, subject, predicate, category):
    """A first name or the redactor's "[NAVN]" is a person: the quote re-check runs on the redacted text."""
    text = f"{subject} {predicate}."
    assert category in flagger.categories(text), text
    assert flagger.flag(text), text


@pytest.mark.parametrize(
    "text",
    ["Kunden er kristen i sitt syn på regelverk.", "Svaret er same kva vi gjer.", "Systemet er skeivt.",
     "Liv er viktig.", "Dagen går i moskeen.", "Saken ble dømt for vold."],
)
def test_capitalised_ordinary_words_are_not_names(flagger, text):
    """Sentence-initial words that are not first names ("Kunden", "Svaret"), or first names that are also ordinary
    words ("Liv", "Dag") at the start of a sentence, are not read as a person."""
    assert flagger.categories(text) == set(), text


def test_name_marking_follows_the_redactor(flagger):
    names = flagger.names
    assert names.mark("Kari Hansen og Per er her. Liv er viktig, sa Liv.") == (
        "[navn] [navn] og [navn] er her. Liv er viktig, sa [navn].")
    assert names.mark("Kunden er kristen. NAV svarer ikke.") == "Kunden er kristen. NAV svarer ikke."
    assert names.mark("Per Olsen ble dømt. Per i dag er det greit.") == (
        "[navn] [navn] ble dømt. Per i dag er det greit.")


def test_quote_recheck_on_redacted_text_sees_the_person(flagger):
    """The redactor writes names as "[NAVN]"; the flag on the redacted text still finds the person."""
    from textmine.preprocess.cleaner import redact

    for text in ("Kari er kristen og ber ofte.", "Ahmed går i moskeen.", "Per Olsen ble dømt for vold."):
        redacted, _ = redact(text)
        assert "[NAVN]" in redacted and flagger.flag(redacted), redacted


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Kollegaen vår, en muslim, fikk ikke fri til id.", "religion"),
        ("Han har vært i fengsel", "straff"), ("Han har vore i fengsel", "straff"),
        ("Vår ansatte har vore i fengsel.", "straff"),
        ("Kari var siktet for tyveri", "straff"), ("Kari var sikta for tyveri", "straff"),
        ("Lærlingen vår ble tatt for promillekjøring", "straff"), ("Han er under etterforskning", "straff"),
        ("Han har en plettet vandel", "straff"),
        ("Ho er medlem av Høgre", "politikk"), ("Ho røystar på Raudt", "politikk"),
        ("Ho røysta på Framstegspartiet", "politikk"), ("Han var med i Vigrid", "politikk"),
        ("Han er gay", "seksualitet"), ("Hun er homo", "seksualitet"), ("Hun er transkvinne", "seksualitet"),
        ("Han er transmann", "seksualitet"), ("Han har en kjæreste av samme kjønn", "seksualitet"),
        ("Hun lever med en annen kvinne", "seksualitet"), ("Hennes kone jobber også her.", "seksualitet"),
        ("Han er rom og folk var skeptiske", "etnisitet"), ("Han er rom.", "etnisitet"),
        ("Han er afrikaner", "etnisitet"), ("Han er polakk", "etnisitet"), ("Han er kurder", "etnisitet"),
        ("Ho er frå ein samisk familie", "etnisitet"), ("Ho har hijab på seg", "religion"),
        ("Vi hadde en praktikant fra moskeen som ba fem ganger om dagen", "religion"),
        ("Han er LO-medlem", "fagforening"), ("Han er med i fagforeningen", "fagforening"),
        ("Han er i Parat", "fagforening"), ("Han er leder for fagforeningen lokalt", "fagforening"),
        # skin colour: "svart" next to another adjective is still said of the person (kept flagged)
        ("Han er stor og svart", "etnisitet"),
        ("Han er medlem av bystyret for Ap", "politikk"),
    ],
)
def test_reaudit_misses_are_flagged(flagger, text, category):
    assert category in flagger.categories(text), text
    assert health_flag(text), text


@pytest.mark.parametrize(
    "text",
    [
        "Sjefen er svart i humøret", "Han ble dømt ut av laget", "Den ansatte ble arrestert av reglene i NAV",
        "Kunden er ateist på NAV sine løfter", "Han er katolsk i sin tilnærming",
        # the assembly, not a person ("Han er medlem av bystyret for Ap" is flagged since 5 December: elected office
        # for a named party is a political opinion, as "Jeg sitter i kommunestyret for Ap")
        "Medlemmer av bystyret for Ap stemte nei",
        "Det er rom for forbedring", "Han er rom-ekspert", "Han trenger et rom.", "Vi ba fem ganger om svar",
        "Han lever med det", "Vi har mange LO-medlemmer lokalt", "Lokalt er det bra", "Hun er homo sapiens",
    ],
)
def test_reaudit_false_positives_are_not_flagged(flagger, text):
    assert flagger.categories(text) == set(), text
    assert not health_flag(text), text


def test_conviction_by_a_court_is_still_flagged(flagger):
    assert flagger.categories("Han ble dømt av tingretten") == {"straff"}
    assert flagger.categories("Han ble arrestert av politiet") == {"straff"}


def test_whole_word_trigger_only_fires_on_the_whole_word(tmp_path):
    """A trigger ending in "$" is a whole word ("lo$": "LO", not "lokalt")."""
    for name in ("health_terms.tsv", "health_exclusions.txt"):
        shutil.copy(WORDLISTS / name, tmp_path / name)
    (tmp_path / "special_terms_person.tsv").write_text(
        "\\blo\\w*\tregex\tfagforening\tlo$\n", encoding="utf-8")
    custom = HealthFlagger.from_wordlists(tmp_path)
    assert custom.categories("han er i LO") == {"fagforening"}
    assert custom.categories("lokalt er det bra") == set()
