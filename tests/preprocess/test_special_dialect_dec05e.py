"""Religion, sexuality, ethnic origin, political opinion, union membership and criminal records in dialect or
English are special-category data like the health statements of test_health_dialect_dec05e (dialect copulas «ho e
muslim», «æ va straffedømt», the writer as «æ»/«je»/«i», English «I am a Muslim», «I was convicted»); an employer's
staff, organisations and look-alike words stay unflagged."""

import pytest

from textmine.preprocess.health import HealthFlagger

DIALECT = [
    ("Ho e muslim.", "religion"),
    ("Ho e ein truande muslim.", "religion"),
    ("Han va kristen før.", "religion"),
    ("Æ e homofil og har sagt det til sjefen.", "seksualitet"),
    ("Kollegaen min e lesbisk.", "seksualitet"),
    ("Je e same.", "etnisitet"),
    ("Ho e mørkhuda.", "etnisitet"),
    ("Eg va med i Frp.", "politikk"),
    ("Han e kommunist.", "politikk"),
    ("Eg e medlem av fagforeininga.", "fagforening"),  # already flagged: "medlem av" needs no subject
    ("Eg he vore med i LO i tjue år.", "fagforening"),
    ("I e med i Fagforbundet.", "fagforening"),
    ("Han e tillitsvald.", "fagforening"),
    ("Æ va straffedømt.", "straff"),
    ("Æ har vore i fengsel.", "straff"),
    ("Han va dømt for underslag.", "straff"),
    ("Kari e kristen.", "religion"),  # a first name as subject ("[navn]")
]
ENGLISH = [
    ("I am a Muslim.", "religion"),
    ("I'm a practising Christian.", "religion"),
    ("I converted to Islam last year.", "religion"),
    ("I pray five times a day.", "religion"),
    ("I wear a hijab at work.", "religion"),
    ("I am gay.", "seksualitet"),
    ("I'm a trans woman.", "seksualitet"),
    ("I came out as bisexual at work.", "seksualitet"),
    ("My same-sex partner was not invited.", "seksualitet"),
    ("I am Sami.", "etnisitet"),
    ("I'm a refugee.", "etnisitet"),
    ("I am of Somali origin.", "etnisitet"),
    ("I have an immigrant background.", "etnisitet"),
    ("I came to Norway as a refugee.", "etnisitet"),
    ("I am a member of Høyre.", "politikk"),
    ("I'm active in the Labour Party.", "politikk"),
    ("I voted for Frp.", "politikk"),
    ("I am a socialist.", "politikk"),
    ("I am a member of the union.", "fagforening"),
    ("I am a member of the labour union.", "fagforening"),
    ("I'm in Fagforbundet.", "fagforening"),
    ("I am the union rep.", "fagforening"),
    ("I joined the union.", "fagforening"),
    ("My union helped me.", "fagforening"),
    ("I was convicted.", "straff"),
    ("I was in prison for two years.", "straff"),
    ("I'm on parole.", "straff"),
    ("I have a criminal record.", "straff"),
    ("I served two years in prison.", "straff"),
    ("I was arrested last year.", "straff"),
]
NOT_SPECIAL = [
    # the employer's staff and organisations, not one person
    "vi har mange muslimske tilsette",
    "Me har mange muslimske tilsette.",
    "the union was helpful",
    "The union agreement was signed.",
    "fagforeininga var med på møtet",
    "One of our employees is a Muslim.",
    "We have many Muslim employees.",
    # the writer, but nothing special
    "ho e flink",
    "Eg e nøgd med NAV.",
    "I am happy",
    "I am in the office",
    "I was active in the project",
    "I am a member of the board",
    "I was in a union meeting",
    "I was with the union rep",
    "I'm with the union on this one",  # agreeing, not membership
    "My union agreement is old",
    # look-alikes
    "I am religious about deadlines",
    "I was active in labour market measures",
    "I am a criminal lawyer",
    "I am a prisoner of the system",
    "I have a conviction that NAV is wrong",
    "I was in custody of my children",
    "I am black and blue after the move",
    "I am on probation in my new job",
    "I was charged with following up the case",
    "I have a record of all emails",
    "I served lunch to the staff",
    "I was released from the contract",
    "I am polishing the report",
    "Eg fekk svar i e-post.",
    "i går var det bra",
    "Det e bra at dei ringde.",
    "Dei har mange i arbeid med innvandrarbakgrunn.",
]


@pytest.fixture(scope="module")
def flagger():
    return HealthFlagger.from_wordlists()


@pytest.mark.parametrize(("text", "category"), DIALECT + ENGLISH)
def test_dialect_and_english_statements_are_special(flagger, text, category):
    found = flagger.categories(text)
    assert category in found, f"{text!r}: expected category {category!r}, got {sorted(found)}"
    assert flagger.flag(text), f"{text!r}: expected health_flag True ({category})"


@pytest.mark.parametrize("text", NOT_SPECIAL)
def test_staff_organisations_and_look_alikes_stay_unflagged(flagger, text):
    found = flagger.categories(text)
    assert not flagger.flag(text), f"{text!r}: expected no special-category flag, got {sorted(found)}"


def test_dialect_i_is_only_a_subject_before_a_copula(flagger):
    """Dialect «i» («I e medlem») is the writer only before a copula; the preposition «i» stays a preposition."""
    assert flagger.categories("I e muslim.") == {"religion"}
    assert not flagger.flag("Folk i arbeid med innvandrerbakgrunn får hjelp.")
