"""A theme is quoted only from comments that surely have it: a comment the coder sent to review (needs_review 1,
a likely miscoding) is not quoted for the theme unless a human corrected its codes; quotes of all comments
(no theme) still use it."""

import itertools

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


def test_a_comment_is_quoted_under_one_theme_when_each_theme_has_enough_of_its_own():
    """Was: a comment with two themes could be printed under both (9 in the sample report)."""
    from textmine.summary import build_summary
    from textmine.survey import SurveyDefinition

    n = 24
    # distinct comments (near-duplicates, e.g. the same words but a number, are never quoted together)
    made = ["".join(p) for p in itertools.product("bdfgk", "aeiou", "lmnrst")]
    texts = [f"Telefonen svarer aldri, {made[3 * i]} og {made[3 * i + 1]} venter, brevet {made[3 * i + 2]} kom "
             f"aldri fram" for i in range(n)]
    df = pd.DataFrame({"rid": [f"r{i}" for i in range(n)], "aar": 2023, "q1": [1 + i % 6 for i in range(n)],
                       "ft": texts})
    coded = pd.DataFrame({"respondent_id": df["rid"], "question": "ft", "text_clean": texts, "is_non_answer": 0,
                          "health_flag": 0, "theme_telefon": 1, "theme_brev": 1, "themes": "telefon;brev"})
    sd = SurveyDefinition.from_dict({"name": "t", "id": "rid", "wave": "aar", "min_cell": 3,
                                     "indicators": [{"id": "helhet", "column": "q1", "scale": [1, 6]}],
                                     "free_text": [{"column": "ft", "label": "Kommentar"}]})
    s = build_summary({2023: df}, sd, {2023: coded}, embedder="fallback", drivers=False, n_quotes=5)
    q = s.table("quotes")
    assert set(q["theme"]) == {"telefon", "brev"}
    assert not q["respondent_id"].duplicated().any()  # 24 comments: enough for both themes without repeats
