"""``quote_rule`` (the rule ``select_quotes`` applies with ``respondents`` and ``survey``) decides attributions over
every coded question of the wave, as the summary does: a coded frame missing a question the respondents answered is
refused (a quote could show a segment value the summary blanks); its input errors name what is wrong."""

import pandas as pd
import pytest

from textmine.quotes import select_quotes
from textmine.summary import build_summary, quote_rule
from textmine.survey import SurveyDefinition

TEL = ["Telefonen svarer ikke før etter en time i kø hver gang vi ringer dere.",
       "Vi når aldri fram på telefon, og ingen ringer oss tilbake etterpå.",
       "Telefontiden passer dårlig for oss som jobber turnus på sykehjemmet.",
       "Køen på telefonen er altfor lang, vi gir opp etter en halvtime.",
       "Det er umulig å komme gjennom på telefon midt på dagen.",
       "Vi ringte tre ganger samme uke uten å få svar fra noen.",
       "Ventetiden på telefon er blitt verre siden i fjor, synes jeg.",
       "Savner et direktenummer i stedet for den felles telefonkøen.",
       "Telefonsvareren sier bare at vi skal prøve igjen senere.",
       "Når vi endelig kommer gjennom på telefon, vet de ikke svaret.",
       "Lange telefonkøer gjør det vanskelig å få hjelp i tide.",
       "Vi får aldri snakke med samme person når vi ringer inn."]
OTHER = "Oppfølgingen av sykmeldte går greit, men den kunne vært raskere."


def _survey() -> SurveyDefinition:
    return SurveyDefinition.from_dict({
        "name": "two", "id": "rid", "wave": "wave", "min_cell": 5,
        "segments": [{"column": "fylke", "label": "Fylke", "levels": ["Oslo", "Østfold"]}],
        "indicators": [{"id": "helhet", "column": "q1", "scale": [1, 6]}],
        "free_text": [{"column": "ft"}, {"column": "ft2"}],
    })


def _wave():
    """12 respondents answer ft (all in Oslo but r12 in Østfold among 6 Østfold ones); in ft2 only r01–r06
    comment, r06 the one Østfold commenter there (a lone level: blanked for r06 in every row of the exports)."""
    fylke = ["Oslo"] * 5 + ["Østfold"] + ["Oslo"] + ["Østfold"] * 5
    ids = [f"r{i:02d}" for i in range(1, 13)]
    df = pd.DataFrame({"rid": ids, "wave": 2023, "fylke": fylke, "q1": 4, "ft": TEL,
                       "ft2": [OTHER] * 6 + [None] * 6})
    ft = pd.DataFrame({"respondent_id": ids, "question": "ft", "text_clean": TEL, "is_non_answer": 0,
                       "health_flag": 0, "language": "nb", "theme_telefon": 1})
    ft2 = pd.DataFrame({"respondent_id": ids[:6], "question": "ft2", "text_clean": OTHER, "is_non_answer": 0,
                        "health_flag": 0, "language": "nb", "theme_telefon": 0})
    return df, ft, ft2


def test_one_questions_rows_are_refused_when_the_other_question_was_answered():
    survey, (df, ft, _) = _survey(), _wave()
    with pytest.raises(ValueError, match=r"no rows of question\(s\) ft2 \(6 answers\)"):
        select_quotes(ft, theme="telefon", question="ft", respondents=df, survey=survey, embedder="fallback")
    # without the question's column (never coded, never published) the rule has all it needs
    quotes = select_quotes(ft, theme="telefon", question="ft", respondents=df.drop(columns="ft2"), survey=survey,
                           embedder="fallback", k=6)
    assert quotes


def test_the_whole_coded_frame_attributes_as_the_summary():
    survey, (df, ft, ft2) = _survey(), _wave()
    coded = pd.concat([ft, ft2], ignore_index=True)
    summary = build_summary({2023: df}, survey, {2023: coded}, embedder="fallback", n_quotes=6, drivers=False)
    published = summary.table("quotes")
    published = published[published["question"] == "ft"].set_index("respondent_id")["attribution"].to_dict()
    got = {q.respondent_id: q.attribution
           for q in select_quotes(coded, theme="telefon", question="ft", respondents=df, survey=survey,
                                  embedder="fallback", k=6)}
    assert got == published
    # ft2's lone Østfold commenter blanks fylke there (and its complement, Oslo) for r01–r06 in every row: the
    # attribution read from ft's rows alone would name the county
    alone = {q.respondent_id: q.attribution
             for q in select_quotes(ft, theme="telefon", question="ft", respondents=df.drop(columns="ft2"),
                                    survey=survey, embedder="fallback", k=6)}
    early = sorted(set(got) & set(alone) & {f"r{i:02d}" for i in range(1, 7)})
    assert early and all(got[r] == "" and alone[r] in ("Oslo", "Østfold") for r in early)


def test_input_errors_name_the_problem():
    survey, (df, ft, ft2) = _survey(), _wave()
    coded = pd.concat([ft, ft2], ignore_index=True)
    with pytest.raises(ValueError, match=r"no id column 'rid'"):
        quote_rule(df.drop(columns="rid"), survey, coded, "ft", None)
    blank = df.copy()
    blank.loc[3, "rid"] = "  "
    with pytest.raises(ValueError, match=r"1 row\(s\) without a respondent id \(first at row 4"):
        quote_rule(blank, survey, coded, "ft", None)
    eligible, attribute = quote_rule(df, survey, coded.iloc[:0], None, None)
    assert len(eligible) == 0 and attribute({"respondent_id": "r01"}) == ""
