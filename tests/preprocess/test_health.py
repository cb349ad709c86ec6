import pytest

from textmine.preprocess import health_flag


@pytest.mark.parametrize(
    "text",
    ["Hun har kreft og trenger tilrettelegging", "Han er sykmeldt med depresjon", "Diagnosen er ikke avklart",
     "Psykiske plager gjør det vanskelig", "Rusproblemer hos en ansatt", "Den ansatte er gravid",
     "Brystkreften kom tilbake", "Han har ME", "Graviditeten gjør at hun er borte"],
)
def test_health_mentions(text):
    assert health_flag(text)


@pytest.mark.parametrize(
    "text",
    ["Den ansatte er sykmeldt", "Sykefraværet er høyt", "Vi mangler arbeidskraft og krefter", "Oppfølging av sykmeldte",
     "Sykepenger kom for sent", "Me har ikkje fått svar", "Operasjonelle rutiner må bli bedre"],
)
def test_not_health_details(text):
    assert not health_flag(text)
