"""A theme is quoted only from comments that surely have it: a comment the coder sent to review (needs_review 1,
a likely miscoding) is not quoted for the theme unless a human corrected its codes; quotes of all comments
(no theme) still use it."""

import pandas as pd

from textmine.quotes import select_quotes

from .test_quotes import KeywordEmbedder, frame


def _ids(quotes):
    return {q.respondent_id for q in quotes}


def test_a_comment_sent_to_review_is_not_quoted_for_the_theme():
    df = frame().assign(needs_review=[1, 0, 0, 0, 0, 0, 0, 0])
    picked = _ids(select_quotes(df, theme="telefon", k=6, embedder=KeywordEmbedder(), min_chars=10))
    assert "r0" not in picked and {"r1", "r2", "r3", "r4"} <= picked
    # without the flag the same comment is quoted (the test can fail)
    assert "r0" in _ids(select_quotes(frame(), theme="telefon", k=6, embedder=KeywordEmbedder(), min_chars=10))


def test_a_human_correction_makes_a_review_comment_quotable_again():
    df = frame().assign(needs_review=[1, 1, 0, 0, 0, 0, 0, 0], corrected=[1, 0, 0, 0, 0, 0, 0, 0])
    picked = _ids(select_quotes(df, theme="telefon", k=6, embedder=KeywordEmbedder(), min_chars=10))
    assert "r0" in picked and "r1" not in picked


def test_quotes_of_all_comments_ignore_the_review_flag():
    df = frame().assign(needs_review=1)
    assert "r0" in _ids(select_quotes(df, theme=None, k=6, embedder=KeywordEmbedder(), min_chars=10))
    assert select_quotes(df, theme="telefon", k=6, embedder=KeywordEmbedder(), min_chars=10) == []


def test_flag_as_text_or_missing_is_read_as_a_number():
    df = frame().assign(needs_review=pd.Series(["1", None, "0", "0", "0", "0", "0", "0"], dtype=object))
    picked = _ids(select_quotes(df, theme="telefon", k=6, embedder=KeywordEmbedder(), min_chars=10))
    assert "r0" not in picked and "r1" in picked
