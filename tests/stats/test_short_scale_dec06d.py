"""A 2- or 3-point scale without ``positive`` counts its top code (the default measure) with a warning: under
Ja = 1 / Nei = 2 that is «Nei» (review dec06d). A warning, not a refusal: definitions the service stored before
must still load."""

import pytest

from textmine.survey import SurveyDefinition


def _survey(item: dict) -> SurveyDefinition:
    return SurveyDefinition.from_dict({"name": "s", "id": "rid", "indicators": [{"id": "ja", "column": "q", **item}]})


@pytest.mark.parametrize("item", [{"scale": [1, 2]}, {"scale": [1, 3]}, {"scale": [0, 1], "measure": "positive"}])
def test_short_scale_without_positive_warns_and_loads(item):
    with pytest.warns(UserWarning, match=r"counts code\(s\) \[\d\] as positive.*give positive: \[\.\.\]"):
        s = _survey(item)
    assert s.indicators[0].positive == (max(item["scale"]),)


def test_given_positive_and_long_scales_do_not_warn(recwarn):
    assert _survey({"scale": [1, 2], "positive": [1]}).indicators[0].positive == (1,)
    assert _survey({"scale": [1, 6]}).indicators[0].positive == (4, 5, 6)
    assert not [w for w in recwarn if "as positive" in str(w.message)]
