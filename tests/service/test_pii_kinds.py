"""Every PII type the redactor knows has a wording in the service's messages (no raw type id such as
'eiendom' in an error an analyst reads)."""

from service import store
from textmine.preprocess.redact import PII_TYPES


def test_every_redactor_type_has_a_service_wording():
    assert set(PII_TYPES) <= set(store._PII_KINDS), set(PII_TYPES) - set(store._PII_KINDS)
    assert all(" " in v for v in store._PII_KINDS.values())  # words, not an id
