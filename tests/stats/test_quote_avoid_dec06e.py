"""A comment already quoted under another theme of the question comes last, even when the theme has too few other
comments to leave it out (user-survey review dec06e: one answer was quoted under five themes while others were
there)."""

import pandas as pd

from textmine.quotes import select_quotes

TEXTS = ["Teleslyngen virker ikke i resepsjonen og heller ikke i møterommet på rådhuset vårt.",
         "Teleslyngen i resepsjonen virker ikke, jeg hører ingenting av det de sier bak glasset.",
         "Det finnes ingen teleslynge i møterommet på rådhuset, så jeg får ikke med meg møtene."]


def _coded():
    return pd.DataFrame({"respondent_id": ["a", "b", "c"], "text_clean": TEXTS, "is_non_answer": 0,
                         "health_flag": 0, "theme_slynge": 1})


def test_a_comment_quoted_elsewhere_is_picked_last():
    quotes = select_quotes(_coded(), theme="theme_slynge", k=3, embedder="fallback", avoid=[TEXTS[0]])
    assert [q.respondent_id for q in quotes][-1] == "a"
    assert {q.respondent_id for q in quotes} == {"a", "b", "c"}


def test_with_k_one_the_other_comment_is_quoted():
    quotes = select_quotes(_coded(), theme="theme_slynge", k=1, embedder="fallback", avoid=[TEXTS[0]])
    assert [q.respondent_id for q in quotes] != ["a"]


def test_without_avoid_the_central_comment_leads():
    """The penalty comes from ``avoid`` only: without it «a», nearest the theme's centre, is quoted first."""
    quotes = select_quotes(_coded(), theme="theme_slynge", k=3, embedder="fallback")
    assert [q.respondent_id for q in quotes][0] == "a"
