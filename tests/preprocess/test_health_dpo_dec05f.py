"""Health flags the data protection officer found missing (5 December, f): the writer's own sick leave or AAP said
after another verb («Jeg driver alene og har vært sykmeldt»), with the verb first («Etter fødselen ble jeg
sykmeldt»), AAP («Jeg er på AAP nå») and a singled-out person's sick leave or benefits («styreren er sykmeldt»,
«Ansatt har fått innvilget AAP»); the employer's routine talk about sick leave stays unflagged (it is what the
survey is about)."""

import pytest

from textmine.preprocess.cleaner import health_flag
from textmine.preprocess.health import HealthFlagger

DPO_FINDINGS = [
    "Jeg driver alene i Vardø og har vært sykmeldt siden januar; refusjonen av sykepenger har ikke kommet.",
    "Jeg driver alene og har vært sykmeldt siden januar.",
    "Som eneste ansatt har jeg selv vært sykmeldt i tre måneder.",
    "Etter fødselen ble jeg sykmeldt.",
    "Jeg er på AAP nå.",
    "Jeg går på arbeidsavklaringspenger.",
    "Ansatt har fått innvilget AAP etter lang tid.",
    "Vi er eneste barnehage i Båtsfjord, og styreren er sykmeldt.",
]

OWN_AND_SINGLED_OUT = [
    "Nå er jeg sykmeldt igjen.",
    "I fjor var eg sjukmeld i fire månader.",
    "Derfor har jeg vært 50 % sykmeldt siden mars.",
    "Jeg fikk AAP i fjor.",
    "Eg har fått innvilga arbeidsavklaringspengar.",
    "Jeg har fått innvilget uføretrygd.",
    "Etter ulykken fikk jeg arbeidsavklaringspenger.",
    "Jeg mottar AAP og jobber litt.",
    "Min AAP stoppet uten varsel.",
    "Han har fått innvilget arbeidsavklaringspenger.",
    "Kari har fått innvilget AAP.",
    "Min kollega er på AAP.",
    "Kollegaen min går på arbeidsavklaringspenger.",
    "Styreren er uføretrygdet.",
    "Daglig leder har vært sykmeldt siden jul.",
    "Vår eneste ansatte er sykmeldt.",
    "Rektor er sykmeldt og ingen svarer.",
    "Den ansatte fikk avslag på AAP etter 5 mnd venting.",
]

ROUTINE = [
    "vi har mange sykmeldte",
    "Vi har mange sykmeldte og lite hjelp fra NAV.",
    "Oppfølging av sykmeldte fungerer dårlig.",
    "Sykmeldingsperioden er for lang.",
    "Refusjon av sykepenger tar for lang tid.",
    "Jeg driver alene og har fått refusjon av sykepenger for sent.",
    "Jeg er leder og har sykmeldte i avdelingen.",
    "Jeg har ansatte som er sykmeldt.",
    "Jeg har en ansatt og hun er sykmeldt.",
    "Er jeg ikke sykmeldt nå, spør de.",
    "Søknad om AAP tar for lang tid.",
    "Ansatte på AAP får for lite oppfølging.",
    "Vi har to ansatte på arbeidsavklaringspenger.",
    "Den ansatte er sykmeldt.",
    "Den ansatte er uføretrygdet.",
    "Hvordan søker man AAP?",
    "Når styreren er borte, tar vi over.",
    "Styreren er fornøyd med NAV.",
    "Jeg ringte og fikk beskjed om at AAP-søknaden var mottatt.",
]


@pytest.fixture(scope="module")
def health():
    return HealthFlagger.from_wordlists()


@pytest.mark.parametrize("text", DPO_FINDINGS)
def test_dpo_findings_are_flagged_by_the_cleaner(text):
    assert health_flag(text), f"DPO finding not health-flagged (would be quoted): {text!r}"


@pytest.mark.parametrize("text", OWN_AND_SINGLED_OUT)
def test_own_and_singled_out_sick_leave_and_benefits_are_health_data(health, text):
    assert health.flag(text), f"health statement about the writer or one singled-out person not flagged: {text!r}"
    assert "helse" in health.categories(text), f"expected category 'helse' for {text!r}"


@pytest.mark.parametrize("text", ROUTINE)
def test_routine_sick_leave_talk_stays_unflagged(health, text):
    assert not health.flag(text), f"flagged, but is the survey's routine sick-leave talk: {text!r}"


def test_single_placeholder_works_in_a_custom_word_list(tmp_path):
    """{single} (a named or singled-out person) and the verb-first {vere_jeg} are filled in for any folder's rows."""
    (tmp_path / "health_terms.tsv").write_text("# term\tmode\n{vere_jeg}permittert\tregex\n", encoding="utf-8")
    (tmp_path / "health_exclusions.txt").write_text("", encoding="utf-8")
    (tmp_path / "special_terms_person.tsv").write_text(
        "# term\tmode\tcategory\ttriggers\n{single}\\s+{er}\\s+permittert\tregex\thelse\tpermitt\n", encoding="utf-8")
    flagger = HealthFlagger.from_wordlists(tmp_path)
    for text in ["Etter jul ble jeg permittert.", "Styreren er permittert.", "Kari er permittert."]:
        assert flagger.flag(text), f"custom {{vere_jeg}}/{{single}} row missed {text!r}"
    for text in ["Etter jul ble han permittert.", "De ansatte er permittert.", "Er jeg ikke permittert?"]:
        assert not flagger.flag(text), f"custom {{vere_jeg}}/{{single}} row matched {text!r}"


class _FlatEmbedder:
    name, version, dimension = "flat", "1", 3

    def encode(self, texts, *, batch_size=64, show_progress=False):
        import numpy as np

        v = np.array([[1.0, (i % 5) / 10, (i % 3) / 10] for i, _ in enumerate(texts)], dtype=np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_dpo_findings_are_not_quoted_even_with_a_stored_flag_of_0():
    """The quote selector re-checks the flag: the quoted «Jeg driver alene i Vardø …» (stored flag 0) stays out."""
    import pandas as pd

    from textmine.quotes import select_quotes

    plain = ["Refusjonen av sykepenger tar alt for lang tid, vi venter i månedsvis.",
             "Vi har mange sykmeldte og får for lite oppfølging fra NAV.",
             "Oppfølging av sykmeldte fungerer dårlig hos oss, ingen ringer tilbake."]
    texts = {f"p{i}": t for i, t in enumerate(plain)} | {f"s{i}": t for i, t in enumerate(DPO_FINDINGS)}
    ids = sorted(texts)
    df = pd.DataFrame({"respondent_id": ids, "question": "ft", "text_clean": [texts[i] for i in ids],
                       "is_non_answer": 0, "health_flag": 0, "theme_sykefravaer": 1})
    picked = select_quotes(df, theme="sykefravaer", k=len(ids), embedder=_FlatEmbedder(), min_chars=10)
    shown = {q.respondent_id for q in picked}
    assert not {i for i in shown if i.startswith("s")}, [texts[i] for i in sorted(shown) if i.startswith("s")]
    assert shown, "the routine sick-leave comments should still be quotable"
