"""A 2- or 3-point scale without ``positive`` is refused with a message: the old default counted the top code
(«Nei» under Ja = 1 / Nei = 2) as «andel positive» without a word (review dec06d)."""

import pytest

from textmine.survey import SurveyDefinition, SurveyDefinitionError


def _survey(item: dict) -> SurveyDefinition:
    return SurveyDefinition.from_dict({"name": "s", "id": "rid", "indicators": [{"id": "ja", "column": "q", **item}]})


@pytest.mark.parametrize("scale", [[1, 2], [1, 3]])
def test_short_scale_needs_its_positive_codes(scale):
    with pytest.raises(SurveyDefinitionError, match=r"no agreed positive end.*e\.g\. positive: \[1\]"):
        _survey({"scale": scale})


def test_given_positive_or_measure_and_long_scales_are_accepted():
    assert _survey({"scale": [1, 2], "positive": [1]}).indicators[0].positive == (1,)
    assert _survey({"scale": [1, 3], "measure": "topbox"}).indicators[0].positive == (3,)
    assert _survey({"scale": [1, 6]}).indicators[0].positive == (4, 5, 6)
