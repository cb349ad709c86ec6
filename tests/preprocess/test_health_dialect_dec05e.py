"""The writer's own sick leave or disability in dialect or English is health data (reviewer round dec05e, a
nynorsk analyst: «Eg va sjukmeld i et halvt år…» and «…when I was on sick leave» were quoted in the report); an
employer's staff on sick leave and look-alike words stay unflagged."""

import pytest

from textmine.preprocess.health import HealthFlagger

OWN_DIALECT = [
    "Eg va sjukmeld i et halvt år og ingen tok kontakt med meg.",  # the analyst's VL0049
    "Eg e sjukmeld no.",
    "Eg e framleis sjukmeld, og ingen ringjer.",
    "Æ va sjukmeldt i heile fjor.",
    "Æ e sjukmeldt og får ikkje svar.",
    "Æ æ 50 % sjukmeldt.",
    "I e sjukmeldt sia jul.",
    "Je va sjukmeldt i vinter.",
    "Jæ e sykmeldt.",
    "Eg har vorre sjukmeld lenge.",
    "Eg he vore sjukmeld i eit år.",
    "Æ ha vorre sjukmeldt i tre månader.",
    "Da jeg va sykmeldt fikk jeg ingen hjelp.",
    "Eg har vore sjukmelt i eit år.",  # "sjukmelt": a common misspelling
]
OWN_DISABILITY = [
    "Eg er uføretrygda og får ingen hjelp.",
    "Jeg er uføretrygdet.",
    "Eg e ufør.",
    "Æ va ufør i fleire år.",
    "Jeg går på uføretrygd.",
    "Eg er på full uføretrygd.",
    "Jeg får uføretrygd og lurer på reglene.",
    "Min uføretrygd ble redusert uten forklaring.",
    "Uføretrygda mi kom for seint.",
]
OWN_ENGLISH = [
    "My case worker changed three times and nobody followed up when I was on sick leave.",  # VL0085
    "I have been on sick leave since May.",
    "I've been on sick leave for a year.",
    "I'm on sick leave and nobody calls me.",
    "I am still on 50 % sick leave.",
    "I was sick-listed for three months.",
    "I was sick listed in March.",
    "I went on sick leave in March.",
    "I'm on disability benefits.",
    "I receive disability benefits.",
    "I am disabled and the website is hard to use.",
    "I have been off sick since Christmas.",
    "My sick leave ended in June and nobody told me what to do.",
    "The doctor put me on sick leave for six weeks.",
    "I was diagnosed with ADHD last year.",
]
NOT_OWN = [
    # an employer's staff (as "Den ansatte er sykmeldt"): the survey's topic, not a health detail
    "vi har mange sykmeldte",
    "Vi har mange sjukmelde no.",
    "Me har ein tilsett som e sjukmeld.",
    "Eg har to tilsette som har vore sjukmelde lenge.",
    "Den ansatte er uføretrygdet.",
    "Han ble i går sykmeldt.",  # "i går" (yesterday) is no "i" (dialect "jeg")
    "Ho vart sjukmeld i går.",
    "one of our employees was on sick leave",
    "One of our employees has been on sick leave for a year.",
    "He was on sick leave for six months.",
    "I have two employees on sick leave.",
    "We have many employees on sick leave.",
    "I am the manager of an employee on sick leave.",
    "I handle my sick leave cases in Altinn.",
    # the writer, but not ill
    "Eg e ikkje sjukmeld, men kona er det.",
    "Jeg er ikke uføretrygdet.",
    # look-alikes
    "Eg e nøgd med NAV",
    "Eg fekk svar på e-post i går.",
    "Æ e fornøgd med sakshandsamaren.",
    "I was happy with the service",
    "I was on leave in July, so I answered late.",
    "I am on the phone with NAV every week.",
    "My account was disabled for a week.",
    "Kva e sjukmelding eigentleg?",
    "I og med at eg e leiar, får eg alle sjukmeldingane.",
]


@pytest.fixture(scope="module")
def health():
    return HealthFlagger.from_wordlists()


@pytest.mark.parametrize("text", OWN_DIALECT)
def test_own_sick_leave_in_dialect_is_health_data(health, text):
    assert health.flag(text), f"own sick leave in dialect not flagged: {text!r}"
    assert "helse" in health.categories(text), f"expected category 'helse' for {text!r}"


@pytest.mark.parametrize("text", OWN_DISABILITY)
def test_own_disability_is_health_data(health, text):
    assert health.flag(text), f"own disability not flagged: {text!r}"


@pytest.mark.parametrize("text", OWN_ENGLISH)
def test_own_sick_leave_in_english_is_health_data(health, text):
    assert health.flag(text), f"own sick leave/disability in English not flagged: {text!r}"
    assert "helse" in health.categories(text), f"expected category 'helse' for {text!r}"


@pytest.mark.parametrize("text", NOT_OWN)
def test_staff_sick_leave_and_look_alikes_stay_unflagged(health, text):
    assert not health.flag(text), f"flagged, but holds no health detail about the writer: {text!r}"


def test_own_placeholders_work_in_a_custom_word_list(tmp_path):
    """{jeg}, {vere} and {i_am} are filled in for any word-list folder's regex rows, dialect forms included."""
    (tmp_path / "health_terms.tsv").write_text("# term\tmode\n{jeg}{vere}permittert\tregex\n{i_am}laid\\s+off\tregex\n",
                                               encoding="utf-8")
    (tmp_path / "health_exclusions.txt").write_text("", encoding="utf-8")
    flagger = HealthFlagger.from_wordlists(tmp_path)
    for text in ["Eg va permittert.", "Æ har vorre permittert.", "I've been laid off."]:
        assert flagger.flag(text), f"custom {{jeg}}/{{vere}}/{{i_am}} row missed {text!r}"
    for text in ["Han va permittert.", "Eg e ikkje permittert.", "They were laid off."]:
        assert not flagger.flag(text), f"custom {{jeg}}/{{vere}}/{{i_am}} row matched {text!r}"
