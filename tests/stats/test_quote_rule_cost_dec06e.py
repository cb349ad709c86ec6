"""``quote_rules`` (dec06e): the summary's quote rule computed once per wave and question, handed to
``select_quotes(rule=…)`` for each theme, gives the same quotes and attributions as ``respondents=``/``survey=``
per call, without rebuilding the theme table for every theme; a rule is refused for another frame or question."""

import numpy as np
import pandas as pd
import pytest

import textmine.summary as summary_module
from textmine.quotes import select_quotes
from textmine.summary import QuoteRule, quote_rule, quote_rules

QUESTION = "fritekst_generell"


@pytest.fixture(scope="module")
def wave(sample_survey, sample_data):
    frames, coded, _, _ = sample_data
    return frames[2023], coded[2023]


def _themes(coded: pd.DataFrame, question: str) -> list[str]:
    """The question's themes with most comments first (a few well filled, a few sparse ones)."""
    rows = coded[coded["question"] == question]
    counts = {c[6:]: int(rows[c].sum()) for c in coded.columns if c.startswith("theme_")}
    ranked = sorted((t for t in counts if counts[t]), key=lambda t: (-counts[t], t))
    return ranked[:3] + ranked[-2:]


def _seen(quotes) -> list[tuple]:
    return [(q.respondent_id, q.text, q.attribution, q.rank, q.theme, q.question, q.language) for q in quotes]


def test_the_rule_object_gives_todays_quotes_and_attributions(sample_survey, wave):
    df, coded = wave
    rule = quote_rules(df, sample_survey, coded, QUESTION)
    assert isinstance(rule, QuoteRule) and rule.question == QUESTION
    themes = _themes(coded, QUESTION)
    assert len(themes) == 5
    attributed = 0
    for th in themes:
        old = select_quotes(coded, theme=th, question=QUESTION, respondents=df, survey=sample_survey,
                            embedder="fallback", k=5)
        new = select_quotes(coded, theme=th, question=QUESTION, rule=rule, embedder="fallback", k=5)
        assert old and _seen(new) == _seen(old), th
        attributed += sum(bool(q.attribution) for q in old)
    assert attributed  # the comparison covers real attributions, not only empty ones


def test_the_rule_object_matches_quote_rule_for_every_theme(sample_survey, wave):
    df, coded = wave
    rule = quote_rules(df, sample_survey, coded, QUESTION)
    themes = [c[6:] for c in coded.columns if c.startswith("theme_")]
    for th in [None, *themes, f"theme_{themes[0]}", "no_such_theme"]:
        eligible, attribute = quote_rule(df, sample_survey, coded, QUESTION, th)
        assert np.array_equal(rule.eligible(th), eligible), th
    assert rule.eligible(themes[0]).any() and not rule.eligible(None).all()
    ids = coded.loc[coded["question"] == QUESTION, "respondent_id"].astype(str).unique()
    labels = [rule.attribute({"respondent_id": r}) for r in ids]
    assert labels == [attribute({"respondent_id": r}) for r in ids] and any(labels)


def test_one_rule_serves_every_theme_without_rebuilding_the_tables(sample_survey, wave, monkeypatch):
    df, coded = wave
    rule = quote_rules(df, sample_survey, coded, QUESTION)
    calls = []

    def spy(name):
        real = getattr(summary_module, name)

        def counted(*args, **kwargs):
            calls.append(name)
            return real(*args, **kwargs)
        return counted

    for name in ("_theme_table", "_export_shown_by_wave", "_quote_rule"):
        monkeypatch.setattr(summary_module, name, spy(name))
    for th in _themes(coded, QUESTION):
        select_quotes(coded, theme=th, question=QUESTION, rule=rule, embedder="fallback", k=3)
    assert calls == []
    select_quotes(coded, theme=_themes(coded, QUESTION)[0], question=QUESTION, respondents=df, survey=sample_survey,
                  embedder="fallback", k=3)
    assert "_theme_table" in calls  # the per-call path still builds it (the spy sees it)


def test_a_rule_is_refused_for_another_frame_question_or_beside_respondents(sample_survey, wave):
    df, coded = wave
    rule = quote_rules(df, sample_survey, coded, QUESTION)
    th = _themes(coded, QUESTION)[0]
    with pytest.raises(ValueError, match=r"rule: made for another coded frame"):
        select_quotes(coded.iloc[::-1], theme=th, rule=rule, embedder="fallback")
    with pytest.raises(ValueError, match=r"rule: made for another coded frame"):
        select_quotes(coded.iloc[:-1], theme=th, rule=rule, embedder="fallback")
    with pytest.raises(ValueError, match=r"rule is for question 'fritekst_generell', not 'fritekst_sykefravaer'"):
        select_quotes(coded, theme=th, question="fritekst_sykefravaer", rule=rule, embedder="fallback")
    with pytest.raises(ValueError, match=r"rule= or respondents=/survey=, not both"):
        select_quotes(coded, theme=th, rule=rule, respondents=df, survey=sample_survey, embedder="fallback")
    with pytest.raises(KeyError, match=r"no column 'theme_no_such_theme'"):
        select_quotes(coded, theme="no_such_theme", rule=rule, embedder="fallback")


def test_quote_rules_keeps_the_input_errors(sample_survey, wave):
    df, coded = wave
    with pytest.raises(ValueError, match=r"no id column"):
        quote_rules(df.drop(columns=sample_survey.id_column), sample_survey, coded, QUESTION)
    with pytest.raises(ValueError, match=r"occur more than once"):
        quote_rules(pd.concat([df, df.iloc[:2]], ignore_index=True), sample_survey, coded, QUESTION)
    with pytest.raises(ValueError, match=r"no rows of question\(s\) fritekst_sykefravaer"):
        quote_rules(df, sample_survey, coded[coded["question"] == QUESTION], QUESTION)
    with pytest.raises(ValueError, match=r"is not a free-text question"):
        quote_rules(df, sample_survey, coded, "q_helhet")
    empty = quote_rules(df, sample_survey, coded.iloc[:0], None)
    assert len(empty.eligible(None)) == 0 and empty.attribute({"respondent_id": "x"}) == ""


def test_the_rule_object_agrees_with_the_published_summary(sample_survey, wave):
    from textmine.summary import build_summary

    df, coded = wave
    summary = build_summary({2023: df}, sample_survey, {2023: coded}, embedder="fallback", drivers=False)
    published = summary.table("quotes")
    published = published[published["question"] == QUESTION]
    assert len(published) >= 10 and published["attribution"].fillna("").astype(str).ne("").any()
    rule = quote_rules(df, sample_survey, coded, QUESTION)
    ids = coded["respondent_id"].astype(str).to_numpy()
    for th, rid, attribution in zip(published["theme"], published["respondent_id"].astype(str),
                                    published["attribution"]):
        assert rule.eligible(th)[ids == rid].any(), (th, rid)
        assert rule.attribute({"respondent_id": rid}) == attribution
