"""The upload's warnings and the store scrub share one wording (service.store *_WARNING templates): the scrub's
patterns are built from the templates the upload formats, so a wording change reaches both."""

from __future__ import annotations

import re

import pytest
from conftest import survey_yaml

from service import library, scrub, store

SHARED = {"masked": (store.MASKED_WARNING, "n"), "not_stored": (store.NOT_STORED_WARNING, "n"),
          "pii": (store.PII_WARNING, "n"), "duplicate": (store.DUPLICATE_WARNING, "wave_id")}


@pytest.mark.parametrize("kind", list(SHARED))
def test_scrub_patterns_are_built_from_the_upload_templates(kind):
    template, number = SHARED[kind]
    assert scrub._CURRENT[kind].pattern == scrub.warning_pattern(template, **{number: r"\d+"}).pattern


def test_the_masked_template_is_the_library_s_message():
    assert store.MASKED_WARNING.format(col="naering", n=3) == library.masked_segment_warning("naering", 3)


@pytest.mark.parametrize("message, kind", [
    (store.NOT_STORED_WARNING.format(n=2, columns="epost, notat"), "not_stored"),
    (store.NOT_STORED_WARNING.format(n=60, columns=library.column_list([f"c{i}" for i in range(60)])), "not_stored"),
    (store.PII_WARNING.format(n=12), "pii"),
    (store.MASKED_WARNING.format(col="naering", n=4), "masked"),
    (store.DUPLICATE_WARNING.format(wave_id=7), "duplicate"),
])
def test_what_the_upload_writes_is_kept(message, kind):
    assert scrub.current_warning(message, library.parse_survey(survey_yaml()), "w.csv") == kind


@pytest.mark.parametrize("message", [
    "x personal data item(s) were redacted from the free text",       # not a number
    store.PII_WARNING.format(n=3) + " (Kari Nordmann)",                # trailing text
    store.NOT_STORED_WARNING.format(n=1, columns=""),                  # nothing after the colon
    store.DUPLICATE_WARNING.format(wave_id="Kari"),
    store.MASKED_WARNING.format(col="naering", n="mange"),
])
def test_near_misses_are_withdrawn(message):
    assert scrub.current_warning(message, library.parse_survey(survey_yaml()), "w.csv") is None


def test_warning_pattern_escapes_the_text_and_names_the_fields():
    pattern = scrub.warning_pattern("a (b) {n} c.d {rest}", n=r"\d+")
    m = pattern.fullmatch("a (b) 12 c.d anything: here")
    assert m and m["n"] == "12" and m["rest"] == "anything: here"
    assert pattern.fullmatch("a (b) 12 cxd z") is None
    assert isinstance(pattern, re.Pattern)
