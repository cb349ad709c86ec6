"""The store scrub keeps the upload's newer warnings (a short scale's guessed positive code, a default 1–6 scale
whose top code no answer uses) when they fit the wave's definition, and withdraws them when a field could carry
personal data: without this, a scrub run would delete them (code review dec06e)."""

from __future__ import annotations

import yaml
from conftest import survey_yaml

from service import library, scrub
from textmine import survey

FNR = "01019010046"
WITHDRAWN = scrub.WITHDRAWN_NOTE.format(n=1)


def _info(extra_items: list[dict]):
    definition = yaml.safe_load(survey_yaml())
    definition["indicators"] = list(definition.get("indicators", [])) + extra_items
    return library.parse_survey(yaml.safe_dump(definition, allow_unicode=True))


def _no_changes() -> dict:
    return {"dropped": {}, "cleared": {}, "masked": {}, "changed": []}


def test_a_definition_warning_of_the_stored_definition_is_kept():
    info = _info([{"id": "hjelp", "column": "q_hjelp", "scale": [1, 2]}])
    (note,) = [w for w in info.definition.definition_warnings if "hjelp" in w]
    assert scrub.current_warning(note, info, "w.csv") == "definition"
    assert scrub.scrub_warnings([note], info, "w.csv", _no_changes()) == ([note], 0, 0)


def test_a_definition_warning_the_definition_does_not_give_is_withdrawn():
    info = _info([{"id": "hjelp", "column": "q_hjelp", "scale": [1, 2], "positive": [1]}])
    other = _info([{"id": "hjelp", "column": "q_hjelp", "scale": [1, 2]}])
    (note,) = [w for w in other.definition.definition_warnings if "hjelp" in w]
    assert scrub.current_warning(note, info, "w.csv") is None
    assert scrub.current_warning(note.replace("hjelp", FNR), other, "w.csv") is None


def test_the_default_scale_warning_is_kept_when_it_fits_and_withdrawn_with_personal_data():
    info = _info([{"id": "fornoyd", "column": "q_fornoyd"}])
    ind = next(i for i in info.definition.indicators if i.id == "fornoyd")
    message = survey.DEFAULT_SCALE_WARNING.format(src="w.csv", col=ind.column, item=ind.id, top=6, n=40, low=1,
                                                  alt=5)
    assert scrub.current_warning(message, info, "w.csv") == "default_scale"
    for bad in (dict(col=FNR), dict(item=FNR), dict(n=FNR), dict(src=f"{FNR}.csv")):
        fields = dict(src="w.csv", col=ind.column, item=ind.id, top=6, n=40, low=1, alt=5) | bad
        out, rewritten, added = scrub.scrub_warnings([survey.DEFAULT_SCALE_WARNING.format(**fields)], info,
                                                     "w.csv", _no_changes())
        assert out == [WITHDRAWN] and FNR not in repr(out)
