"""Short and gapped scales in the survey definition (review dec06e): a measure that names a position (topbox, top2,
bottom2) is the user's choice (no warning), top2/bottom2 on a 2-code scale is refused (it would count every
code), a scale whose codes are no run of whole numbers gets a clear message, a default 1–6 scale whose top code
never occurs is flagged when the data are checked, and the YAML may carry a report ``title``."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from textmine.report.views import report_title
from textmine.survey import SurveyDefinition, SurveyDefinitionError, definition_texts


def _survey(item: dict, **top) -> SurveyDefinition:
    return SurveyDefinition.from_dict({"name": "s", "id": "rid", **top,
                                       "indicators": [{"id": "ja", "column": "q", **item}]})


def _short_scale_warnings(item: dict) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _survey(item)
    return [str(w.message) for w in caught if "as positive" in str(w.message)]


# ---------------------------------------------------------------- explicit measures
@pytest.mark.parametrize("measure, scale, positive", [("topbox", [1, 2], (2,)), ("bottom2", [1, 3], (1, 2)),
                                                      ("top2", [1, 3], (2, 3)), ("topbox", [0, 1], (1,))])
def test_a_measure_naming_its_codes_does_not_warn(measure, scale, positive):
    assert _short_scale_warnings({"scale": scale, "measure": measure}) == []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert _survey({"scale": scale, "measure": measure}).indicators[0].positive == positive


def test_the_default_measure_still_warns_on_a_short_scale():
    """«positive» (the upper half) does not say which of Ja = 1 / Nei = 2 is positive: the warning stays."""
    assert len(_short_scale_warnings({"scale": [1, 2]})) == 1
    assert len(_short_scale_warnings({"scale": [1, 2], "measure": "positive"})) == 1


@pytest.mark.parametrize("measure", ["top2", "bottom2"])
def test_top2_or_bottom2_on_a_two_code_scale_is_refused(measure):
    with pytest.raises(SurveyDefinitionError, match=rf"indicators\[0\] \(ja\).*{measure}.*2 codes \[1, 2\].*every "
                                                     r"code.*positive: \[\.\.\]"):
        _survey({"scale": [1, 2], "measure": measure})


def test_top2_on_a_two_code_scale_with_given_positive_loads():
    assert _survey({"scale": [1, 2], "measure": "top2", "positive": [1]}).indicators[0].positive == (1,)


# ---------------------------------------------------------------- scales that are no run of whole numbers
def test_a_gapped_scale_without_positive_names_the_item_the_codes_and_the_way_out():
    with pytest.raises(SurveyDefinitionError) as err:
        _survey({"scale": [1, 2, 9]})
    message = str(err.value)
    assert "[6, 7, 8]" not in message and "indicators[0] (ja)" in message and "[1, 2, 9]" in message
    assert "give positive: [..]" in message
    assert "9" in message.split("[1, 2, 9]", 1)[1] and "excluded_codes" in message


def test_a_gapped_scale_without_a_lone_code_does_not_mention_vet_ikke():
    with pytest.raises(SurveyDefinitionError) as err:
        _survey({"scale": [1, 3, 5, 7]})
    assert "give positive: [..]" in str(err.value) and "excluded_codes" not in str(err.value)


def test_a_scale_of_fractional_codes_gets_a_clear_message():
    with pytest.raises(SurveyDefinitionError, match=r"indicators\[0\] \(ja\).*\[1\.5, 2\.5\].*not whole numbers.*"
                                                     r"give positive: \[\.\.\]"):
        _survey({"scale": [1.5, 2.5]})


def test_a_gapped_scale_with_given_positive_loads():
    s = _survey({"scale": [1, 2, 9], "positive": [1]})
    assert s.indicators[0].positive == (1,) and s.indicators[0].scale == (1, 2, 9)


# ---------------------------------------------------------------- an undeclared (default) 1–6 scale
def _frame(values) -> pd.DataFrame:
    return pd.DataFrame({"rid": [f"r{i}" for i in range(len(values))], "q": values})


@pytest.mark.parametrize("values, declared, expected", [
    ([1, 2, 3, 4, 5] * 6, False, True),              # 30 answers, none is 6
    ([1, 2, 3, 4, 5] * 6 + [None] * 5, False, True),  # missing answers do not count, but 30 remain
    ([1, 2, 3, 4, 5] * 6, True, False),              # scale: [1, 6] declared: the user's choice
    ([1, 2, 3, 4, 5] * 5 + [1, 2, 3, 4], False, False),  # 29 answers: too few to tell
    ([1, 2, 3, 4, 5] * 6 + [6], False, False),       # a 6 occurs
])
def test_a_default_scale_whose_top_code_never_occurs_is_flagged(values, declared, expected):
    s = _survey({"scale": [1, 6]} if declared else {})
    got = [w for w in s.validate_frame(_frame(values), source="w.csv") if "declare scale:" in w]
    assert bool(got) == expected, got
    if expected:
        assert got[0].startswith("w.csv, column q: item ja: no answer is 6") and "is the scale 1–5?" in got[0]


def test_excluded_codes_do_not_count_as_answers_for_the_default_scale_check():
    s = _survey({}, excluded_codes={9: "Vet ikke"})
    values = [1, 2, 3, 4, 5] * 5 + [9] * 10  # 25 answers on the scale, 10 «vet ikke»
    assert not [w for w in s.validate_frame(_frame(values), source="w.csv") if "declare scale:" in w]


# ---------------------------------------------------------------- title
def test_a_title_is_read_and_becomes_the_report_title():
    s = SurveyDefinition.from_dict({"name": "s", "id": "rid", "title": "  Brukerundersøkelsen 2026 "})
    assert s.title == "Brukerundersøkelsen 2026" and report_title(s) == "Brukerundersøkelsen 2026"
    assert ("title", "Brukerundersøkelsen 2026", False) in list(definition_texts(s))  # checked for personal data
    assert report_title(SurveyDefinition.from_dict({"name": "s", "id": "rid"})) == "S"


@pytest.mark.parametrize("title, match", [(["a"], "title: expected a text"), ("x" * 201, "at most 200 characters"),
                                          (12, "title: expected a text")])
def test_a_bad_title_is_refused(title, match):
    with pytest.raises(SurveyDefinitionError, match=match):
        SurveyDefinition.from_dict({"name": "s", "id": "rid", "title": title})


# ---------------------------------------------------------------- warnings kept with the definition
def test_the_definition_keeps_its_warnings_and_can_stay_silent(recwarn):
    s = SurveyDefinition.from_dict({"name": "s", "id": "rid", "indicators": [{"id": "ja", "column": "q",
                                                                               "scale": [1, 2]}]}, warn=False)
    assert not [w for w in recwarn if "as positive" in str(w.message)]
    assert len(s.definition_warnings) == 1 and "indicators[0] (ja)" in s.definition_warnings[0]
    assert _survey({"scale": [1, 2], "positive": [1]}).definition_warnings == ()


def test_a_lone_code_counted_as_positive_warns():
    """topbox on [1, 2, 9] counts 9 — likely «vet ikke» — as the top answer: a definition warning (code review
    dec06e), kept in definition_warnings like the short-scale one."""
    import warnings as w

    from textmine.survey import SurveyDefinition

    with w.catch_warnings(record=True) as got:
        w.simplefilter("always")
        sd = SurveyDefinition.from_dict({"id": "id", "indicators": [
            {"id": "q", "column": "q", "scale": [1, 2, 3, 4, 5, 99], "measure": "topbox"}]})
    assert any("99" in str(x.message) and "excluded_codes" in str(x.message) for x in got)
    assert any("99" in n for n in sd.definition_warnings)
    sd = SurveyDefinition.from_dict({"id": "id", "indicators": [
        {"id": "q", "column": "q", "scale": [1, 2, 3, 4, 5], "measure": "topbox"}]})
    assert sd.definition_warnings == ()


def test_a_scale_too_wide_is_refused_quickly():
    import time

    import pytest

    from textmine.survey import SurveyDefinition, SurveyDefinitionError

    start = time.perf_counter()
    for scale in ([1, 2, 30000000], [1, 2, 12345678901]):
        with pytest.raises(SurveyDefinitionError, match="wider than a rating scale"):
            SurveyDefinition.from_dict({"id": "id", "indicators": [{"id": "q", "column": "q", "scale": scale}]})
    assert time.perf_counter() - start < 2
