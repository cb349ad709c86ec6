"""One small-count pass per reader copy, one build of the report's views (code review, Dec 06).

Was: :meth:`textmine.summary.Summary.for_readers` ran :func:`textmine.summary.hide_small_counts` twice (in
:func:`~textmine.summary.neutral_summary`, then again in :func:`~textmine.summary.blank_hidden_rows`), and
:func:`textmine.report.views.report_from_summary` built the indicator and theme views twice (before and after the
complement rule) only to learn which levels to name «Liten gruppe». Now the hiding marks its copy (a second call
is a no-op) and records the rows the complement rule hid, so the report builds its views once. The outputs are as
before: checked here against the previous steps applied by hand."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from textmine import summary as summ
from textmine.report import views
from textmine.report.model import ReportData
from textmine.report.views import (indicator_view, neutral_small_levels, report_from_summary, small_level_names,
                                   theme_view)
from textmine.summary import TOTAL_SEGMENT, hide_small_counts
from textmine.survey import SurveyDefinition

from ..smallwaves import small_summary

MIN_CELL = 5
KEY = "dec06b-test-key"
# a free-valued segment (no declared levels: hidden levels get neutral names); per level: respondents, positive
# answers (4–5), commenters, commenters with the theme
LEVELS = {
    "Kontor Prim": dict(n=10, pos=3, com=10, theme=9),   # theme complement 1 (rule b)
    "Kontor Ind": dict(n=30, pos=28, com=20, theme=10),  # positive complement 2 (rule b): hidden only by it
    "Kontor Tj": dict(n=40, pos=10, com=30, theme=12),
    "Kontor Off": dict(n=25, pos=5, com=25, theme=11),
    "Kontor Bygg": dict(n=35, pos=30, com=28, theme=14),
    "Kontor Liten": dict(n=3, pos=1, com=3, theme=1),   # a small base: hidden before the complement rule
}


def _definition() -> SurveyDefinition:
    return SurveyDefinition.from_dict({
        "name": "small", "id": "rid", "wave": "aar", "min_cell": MIN_CELL,
        "segments": [{"column": "kontor", "label": "Kontor"}],
        "indicators": [{"id": "helhet", "column": "q1", "scale": [1, 5], "positive": [4, 5],
                        "excluded": [9]}],
        "free_text": [{"column": "ft", "label": "Kommentar?"}]})


def _answers(lv: str, c) -> list:
    q1 = [5] * c["pos"] + [2] * (c["n"] - c["pos"])
    if lv == "Kontor Tj":
        q1[-2:] = [9, 9]  # 2 excluded answers («vet ikke»): a small split (rule a)
    return q1


@pytest.fixture(scope="module")
def built():
    d = _definition()
    return small_summary(LEVELS, d, segment="kontor", answers=_answers, shift=3), d


def _row(t: pd.DataFrame, wave, level: str) -> pd.Series:
    return t[(t["wave"] == wave) & (t["value"] == level)].iloc[0]


def _by_hand_twice(s):
    """The previous reader copy's hiding: :func:`hide_small_counts` run a second time on its own copy."""
    once = hide_small_counts(s)
    return hide_small_counts(replace(once, small_counts_hidden=False))


def test_the_fixture_has_a_cell_hidden_only_by_its_complement(built):
    s, _ = built
    raw = _row(s.table("indicators"), 2023, "Kontor Ind")
    assert raw["count"] == 28 and raw["n"] == 30 and not raw["suppressed"]
    assert _row(hide_small_counts(s).table("indicators"), 2023, "Kontor Ind")["suppressed"]
    assert _row(s.table("indicators"), 2023, "Kontor Liten")["suppressed"], "a small base, hidden when built"


def test_a_reader_copy_hides_small_counts_once(built, monkeypatch):
    s, _ = built
    calls: list[int] = []
    real = summ._hide_small_split

    def counted(t, min_cell):
        calls.append(1)
        return real(t, min_cell)

    monkeypatch.setattr(summ, "_hide_small_split", counted)
    s.for_readers(key=KEY)
    assert len(calls) == 1, f"the small-count step ran {len(calls)} times for one reader copy"
    calls.clear()
    once = hide_small_counts(s)
    assert hide_small_counts(once) is once and len(calls) == 1, "a second call on the hidden copy is a no-op"


def test_a_reader_copy_is_what_hiding_by_hand_gave(built):
    """Without names (no survey definition): the reader copy is the hidden copy with its hidden rows blanked,
    as when the hiding ran twice."""
    s, _ = built
    reader = replace(s, definition=None).for_readers()
    want = _by_hand_twice(s)
    assert set(reader.tables) == set(want.tables)
    for name, t in reader.tables.items():
        expect = summ._blank_rows(want.table(name).drop(columns=summ.COMPLEMENT_HIDDEN, errors="ignore"), True)[0]
        pd.testing.assert_frame_equal(t, expect, obj=name)
    assert reader.meta == want.meta
    tj = _row(reader.table("indicators"), 2023, "Kontor Tj")
    assert pd.isna(tj["n_excluded"]), "the small split is hidden (rule a)"


def test_a_named_reader_copy_publishes_no_record_of_the_rule(built, tmp_path):
    s, _ = built
    reader = s.for_readers(key=KEY)
    for name, t in reader.tables.items():
        assert summ.COMPLEMENT_HIDDEN not in t.columns, name
    hidden = hide_small_counts(s)
    assert hidden.table("indicators")[summ.COMPLEMENT_HIDDEN].any(), "the record is kept in the hidden copy"
    assert summ.COMPLEMENT_HIDDEN not in hidden.to_json(raw=True), "the service's raw JSON of the hidden copy"
    s.write(tmp_path, formats=("csv", "json"))
    for p in tmp_path.iterdir():
        assert summ.COMPLEMENT_HIDDEN not in p.read_text(encoding="utf-8"), p.name


def _unmarked(view: pd.DataFrame) -> pd.DataFrame:
    """A view as built before the summary recorded the complement rule's rows."""
    return view.drop(columns=summ.COMPLEMENT_HIDDEN, errors="ignore")


def _old_report_views(s, d, labels):
    """The report's views and names as built before: views of the raw summary for the names, then of the hidden."""
    hidden = hide_small_counts(s)
    small = small_level_names(d, indicator_view(s, d), theme_view(s, d, labels), key=KEY)
    old = ReportData(title="", waves=[str(w) for w in s.waves],
                     indicators=neutral_small_levels(_unmarked(indicator_view(hidden, d)), small),
                     themes=neutral_small_levels(_unmarked(theme_view(hidden, d, labels)), small))
    return old.indicators, old.themes, small


def test_the_report_builds_its_views_once(built, monkeypatch):
    s, d = built
    counts = {"indicator_view": 0, "theme_view": 0}
    for name in counts:
        real = getattr(views, name)

        def counted(*a, _real=real, _name=name, **kw):
            counts[_name] += 1
            return _real(*a, **kw)

        monkeypatch.setattr(views, name, counted)
    report_from_summary(s, d, key=KEY)
    assert counts == {"indicator_view": 1, "theme_view": 1}


def test_the_report_hides_and_names_as_before(built):
    s, d = built
    r = report_from_summary(s, d, key=KEY)
    ind, th, small = _old_report_views(s, d, {})
    assert dict(r.small_levels) == small
    assert ("kontor", "Kontor Liten") in small and ("kontor", "Kontor Ind") not in small, \
        "a large level hidden only for its complement keeps its name"
    pd.testing.assert_frame_equal(r.indicators, ind)
    pd.testing.assert_frame_equal(r.themes, th)
    row = r.indicators[(r.indicators["wave"] == "2023") & (r.indicators["segment"] == "Kontor Ind")].iloc[0]
    assert row["suppressed"] and pd.isna(row["n"])
    assert summ.COMPLEMENT_HIDDEN not in r.indicators.columns and summ.COMPLEMENT_HIDDEN not in r.themes.columns


def test_the_verdict_alias_is_gone(built):
    s, _ = built
    assert not hasattr(summ, "VERDICT_HIDDEN_GROUP") and "VERDICT_HIDDEN_GROUP" not in summ.__all__
    s_changes = hide_small_counts(s).table("changes")
    hit = s_changes[(s_changes["kind"] == "indicator") & (s_changes["value"] == "Kontor Ind")
                    & (s_changes["segment"] != TOTAL_SEGMENT)]
    assert len(hit) and set(hit["verdict"]) == {summ.VERDICT_SUPPRESSED}
