"""Every PII type the redactor knows has a wording in the service's messages (no raw type id such as
'eiendom' in an error an analyst reads)."""

from service import store
from textmine.preprocess.redact import PII_TYPES


def test_every_redactor_type_has_a_service_wording():
    assert set(PII_TYPES) <= set(store._PII_KINDS), set(PII_TYPES) - set(store._PII_KINDS)
    assert all(" " in v for v in store._PII_KINDS.values())  # words, not an id


def test_an_unknown_theme_is_quoted_only_when_it_looks_like_an_id():
    assert store._shown_theme_id("telefn") == "telefn"  # a typo: the analyst needs to see it
    assert store._shown_theme_id("[NAVN] er homofil") == "(ikke vist)"
    assert store._shown_theme_id("hun er muslim") == "(ikke vist)"
    assert store._shown_theme_id("01019012480") == "(ikke vist)"  # a fødselsnummer is masked, so not shown
    assert store._shown_theme_id("x" * 41) == "(ikke vist)"
