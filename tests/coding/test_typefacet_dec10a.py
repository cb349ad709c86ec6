"""Zero-shot comment type rules: a tie between praise and a concrete failure in another sentence is klage (was ros),
ironic praise of a long wait is klage (was ros) while praise of a short, spared or shortened wait stays ros, and
"flere uker" measures a duration, no wish (was ønske). The trained cue features are unchanged. Review fixes: a wished
duration stays a wish, a trained "flere" is taken off once, a conceded or conditional failure loses no tie, and an
ordinary length ("kurset gikk over tre dager") is no long wait. Second review: a trained cue is taken off only where
each of its matches measures a wait, a bare preposition measures none, a counterfactual, past, third party's or "ikke
bare" failure loses no tie, an allowed, explained, spanned or week-short wait is no irony. (Worst-case time on 100,000-character inputs is measured, not
asserted here: «svartid» repeated 34.5 s → 0.08 s.)"""

import numpy as np

from textmine.classify.typefacet import TypeRules, cue_features


def test_a_concrete_failure_wins_a_tie_with_praise():
    texts = ["Bra at man ikke trenger å møte opp. Nettsiden fungerer ikke",
             "Bra at vi slepp å møte opp. Vi kjem ikkje gjennom på telefonen",
             "Flott at dere har telefon. Synd at ingen svarer i den.",
             "Bra at man ikke trenger å møte opp",
             "Takk for god hjelp! Har aldri opplevd at ingen svarer"]  # a failure denied: no failure
    assert TypeRules().predict(texts) == ["klage", "klage", "klage", "ros", "ros"]
    # zero-shot only: the trained model's cue features are what they were
    np.testing.assert_array_equal(cue_features(texts[:1]), [[1, 1, 1, 0]])


IRONIC = [
    "Supert at det tar tre uker å få svar.",
    "Flott at man må vente i 40 minutter på telefonen.",
    "Fantastisk at saksbehandlingen tok fire måneder.",
    "Kjempebra at vi ventet i over en time i telefonkø.",
    "Strålende at det tar seks uker å få refusjonen.",
    "Topp at ventetiden er tre måneder.",
    "Herlig å vente i 45 minutter for å snakke med noen.",
    "Flott at det gikk fem uker før noen svarte.",
    "Supert at vi må vente i timevis på telefonen.",
    "Bra at det tok åtte uker før refusjonen kom.",
    "Supert at det tek tre veker å få svar.",
    "Flott at ein må venta i 50 minutt i telefonkø.",
    "Fantastisk at saksbehandlingstida er fire månader.",
    "Kjempefint at vi venta i to timar på svar.",
    "Strålande at det tar fleire månader å få vedtak.",
    "Supert at det er tre vekers ventetid.",
    "Topp at eg måtte venta ein halv time på å kome gjennom.",
    "Flott at det gjekk ti dagar før nokon ringde tilbake.",
]
SINCERE = [
    "Supert at det nå tar to uker i stedet for tre måneder.",
    "Bra at vi slapp å vente tre uker.",
    "Fint at det bare tar to dager.",
    "Flott at saksbehandlingstiden er redusert til to uker.",
    "Bra at ventetiden på telefon er under fem minutter.",
    "Supert at det tok bare ti minutter å få svar.",
    "Fint at vi fikk svar innen tre dager.",
    "Bra at dere gir beskjed tre uker før permitteringen.",
    "Bra at de ansatte kan ta tre dager egenmelding.",
    "Flott at dere tok dere tid, selv om det tok tre uker.",
    "Supert at det tar to uker og ikke tre måneder som før.",
    "Supert at det no tek to veker i staden for tre månader.",
    "Bra at vi slapp å venta tre veker.",
    "Fint at det berre tok to dagar.",
    "Flott at ventetida på telefon er nede i fem minutt.",
    "Bra at de tek kontakt to veker før permitteringa.",
    "Fint at vi kunne søkje tre månader tilbake i tid.",
    "Kjempebra at vi fekk svar etter to dagar.",
    "Bra at sjukmeldinga kan vara i fire veker om gongen.",
    "Flott at det endeleg tek kortare tid enn tre veker.",
]


def test_praise_of_a_long_wait_is_ironic_of_a_short_or_shortened_one_sincere():
    rules = TypeRules()
    assert [t for t, p in zip(IRONIC, rules.predict(IRONIC)) if p != "klage"] == []
    assert [t for t, p in zip(SINCERE, rules.predict(SINCERE)) if p != "ros"] == []  # no comparison hit


def test_an_indefinite_duration_is_no_wish():
    texts = ["Det tar flere uker å få svar", "Vi har venta i fleire månader på svar på søknaden",
             "Det tar mer enn tre uker å få svar", "Mentortilskudd for flere timer", "Ønsker flere dager med kurs"]
    assert TypeRules().predict(texts) == ["klage", "klage", "klage", "ønske", "ønske"]


def test_a_wished_duration_is_a_wish_and_a_trained_cue_is_taken_off_once():
    texts = ["Flere timer med veileder.", "Åpent flere timer i uka.", "Fleire dagar med open skranke.",
             "Mer enn to timer i uka med oppfølging.", "Lengre åpningstid, flere timer på ettermiddagen.",
             "Burde gått fortere. Det tok flere uker, faktisk flere måneder.",
             "Ønsker svar. Har venta fleire veker, no fleire månader."]
    assert TypeRules().predict(texts) == ["ønske"] * len(texts)
    waits = ["Eg har venta i fleire veker.", "Me har venta i meir enn tre veker.",
             "Mer enn tre uker ventetid er for lenge",
             "Den sjukmelde har ikkje høyrt noko frå NAV på fleire månader."]
    assert TypeRules().predict(waits) == ["klage"] * len(waits)


def test_a_conceded_or_conditional_failure_loses_no_tie():
    texts = ["Veldig bra. Jeg fikk hjelp selv om nettsiden ikke fungerte.",
             "Takk for hjelpa. Eg fekk svar sjølv om nettsida ikkje fungerte.",
             "Fornøyd. Hvis nettsiden ikke fungerer, kan man ringe.",
             "Flott tjeneste. Jeg har ikke fått svar ennå, men det er bare en dag siden.",
             "Takk! Det fungerer ikke alltid perfekt, men det er greit.",
             "Bra. Sjølv når telefonen ikkje svarar, ringer dei tilbake.",
             "Hyggelig. Det hender telefonen ikke svarer, men de ringer alltid tilbake."]
    assert TypeRules().predict(texts) == ["ros"] * len(texts)
    assert TypeRules().predict(["Fin side. Søkefunksjonen virker ikke.", "Fine folk. Telefonen svarer aldri"]) == [
        "klage", "klage"]


def test_an_ordinary_length_is_no_long_wait():
    texts = ["Flott at kurset gikk over tre dager.", "Bra at vi får ta en time trening i arbeidstiden.",
             "Fint at de ansatte kan ta to timer kurs i uka.", "Bra at man kan ta tre dager sykemelding uten lege.",
             "Flott at de tar 20 minutter til hver samtale.", "Flott at dere tok en halvtime til å gå gjennom saken.",
             "Supert at det tok to timar å ordne alt.", "Fint at svartiden er 24 timer.",
             "Supert at saksbehandler tok seg tid, det tok en time men vi fikk løst alt."]
    assert TypeRules().predict(texts) == ["ros"] * len(texts)
    ironic = ["Supert at det tar tre uker å få svar", "Fantastisk at det tok to år.",
              "Flott at det har gått tre uker uten svar", "Supert at det fortsatt tar tre måneder."]
    assert TypeRules().predict(ironic) == ["klage"] * len(ironic)


def test_a_trained_cue_is_taken_off_only_where_each_of_its_matches_measures_a_wait():
    texts = ["Flere saksbehandlere! Vi har ventet i flere uker.",
             "Mer folk på telefon, det tar mer enn en time å komme gjennom.",
             "Fleire sakshandsamarar. Vi har venta i fleire veker på svar."]
    assert TypeRules().predict(texts) == ["ønske"] * len(texts)


def test_a_duration_after_a_bare_preposition_stays_a_wish():
    texts = ["Åpen chat på flere dager i uka.", "Telefontid i flere timer etter kl 15.",
             "Chat gjennom flere timer av dagen.", "Utbetaling av refusjon flere dager før lønnskjøring.",
             "Oppfølgingsmøter på mer enn en halvtime.", "Refusjon etter flere dager, ikke uker."]
    assert TypeRules().predict(texts) == ["ønske"] * len(texts)
    waits = ["Saken ble liggende i flere uker mellom dem.", "Vi har ikke hørt noe på flere år.",
             "Svar på e-post kommer etter flere uker."]
    assert TypeRules().predict(waits) == ["klage"] * len(waits)


def test_no_tie_is_lost_to_a_counterfactual_past_or_third_party_failure_or_ikke_bare():
    texts = ["Kjempefornøyd med veileder. Uten henne hadde vi aldri fått hjelp.",
             "Tusen takk! Vi hadde aldri fått kontakt med riktig instans uten dere.",
             "Takk for hjelpen! Fastlegen svarer aldri, så dere var redningen.",
             "Fornøyd. Da nettsiden ikke fungerte, ringte vi og fikk hjelp.",
             "Fornøgd. Då nettsida ikkje fungerte, ringde vi og fekk hjelp.",
             "Supert nå! Tidligere fungerte ikke innloggingen.",
             "Supert! Før fungerte ikke nettsiden, nå er alt bra.",
             "Supert at man får ikke bare svar på chat, men også på telefon.",
             "Flott at vi fikk ikke bare hjelp med refusjonen, men også med oppfølgingsplanen."]
    assert TypeRules().predict(texts) == ["ros"] * len(texts)
    assert TypeRules().predict(["Fornøyd med NAV. Altinn fungerer ikke, det er problemet.",
                                "Fine folk. Telefonen svarer aldri", "Takk. Ventet flere uker på svar."]) == [
        "klage", "klage", "klage"]


def test_an_allowed_explained_spanned_or_week_short_wait_is_no_irony():
    texts = ["Supert at refusjonen tok fire dager.", "Topp at saken tok tre dagar.",
             "Flott at det tok to uker fra sykmelding til dialogmøte.",
             "Supert at det har gått tre måneder uten nye sykmeldinger.",
             "Supert at sykmeldte kan vente i tre dager før de må ha legeerklæring.",
             "Flott at det tok tre uker, for da hadde vi tid til å forberede oss."]
    assert TypeRules().predict(texts) == ["ros"] * len(texts)
    ironic = ["Flott at det gjekk ti dagar før nokon ringde tilbake.", "Supert at refusjonen tok ti dager.",
              "Fantastisk at det har gått to måneder uten at noen har tatt kontakt.",
              "Flott at det tok fem veker å få refusjonen, vi måtte låne pengar."]
    assert TypeRules().predict(ironic) == ["klage"] * len(ironic)

