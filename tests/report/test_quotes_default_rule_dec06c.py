"""The plain ``select_quotes(coded, theme=…, question=…, respondents=…, survey=…)`` call applies by default the rule
``build_summary`` publishes quotes under (row-level combination rule for the attribution, no respondent in a
suppressed theme × segment cell, no comment naming a withheld own value); ``Summary.to_frame()`` keeps ``rank`` an
integer column."""

import pandas as pd
import pytest

from textmine.quotes import select_quotes
from textmine.summary import build_summary
from textmine.survey import SurveyDefinition

TEXT_A = "I Oslo kommer vi aldri gjennom på telefon, køen er for lang."
TEXT_B = "Telefonen svarer ikke før etter en time i kø hver gang."
T07 = "Vi ringer og ringer, men telefonen blir aldri besvart av noen."
T08 = "Telefontiden er altfor kort for oss som jobber skift."
SMALL = ["Vi fra den lille gruppen når aldri fram på telefon til dere.",
         "Telefonkøen er uutholdelig lang for en liten virksomhet som vår."]


def _survey() -> SurveyDefinition:
    return SurveyDefinition.from_dict({
        "name": "tiny", "id": "rid", "wave": "wave", "min_cell": 5,
        "segments": [
            {"column": "fylke", "label": "Fylke", "levels": ["Oslo", "Østfold", "Viken"]},
            {"column": "sektor", "label": "Sektor", "levels": {"P": "Privat virksomhet", "O": "Offentlig virksomhet"}},
            {"column": "naering", "label": "Næring", "attribution": False},
        ],
        "indicators": [{"id": "helhet", "column": "q1", "scale": [1, 6]}],
        "free_text": [{"column": "ft"}],
    })


def _wave():
    """16 commenters: (Østfold, P) = r07 and (Oslo, O) = r08 alone among the commenters (the row rule blanks
    their fylke); Viken holds 2 commenters (r15, r16), under min_cell 5 (a suppressed theme cell: never quoted);
    40 respondents without a comment make every combination common among all respondents."""
    combos = [("Oslo", "P")] * 6 + [("Østfold", "P"), ("Oslo", "O")] + [("Østfold", "O")] * 6 + [("Viken", "P")] * 2
    combos += [c for c in (("Oslo", "P"), ("Østfold", "P"), ("Oslo", "O"), ("Østfold", "O")) for _ in range(10)]
    ids = [f"r{i:02d}" for i in range(1, len(combos) + 1)]
    texts = [TEXT_A] * 6 + [T07, T08] + [TEXT_B] * 6 + SMALL
    df = pd.DataFrame({"rid": ids, "wave": 2023, "fylke": [c[0] for c in combos], "sektor": [c[1] for c in combos],
                       "naering": "Helse- og sosialtjenester", "q1": 4,
                       "ft": texts + [None] * (len(ids) - len(texts))})
    coded = pd.DataFrame({"respondent_id": ids[:len(texts)], "question": "ft", "text_clean": texts,
                          "is_non_answer": 0, "health_flag": 0, "language": "nb", "theme_telefon": 1})
    return df, coded


def test_plain_call_attributes_as_build_summary_does():
    survey, (df, coded) = _survey(), _wave()
    summary = build_summary({2023: df}, survey, {2023: coded}, embedder="fallback", n_quotes=6, drivers=False)
    published = summary.table("quotes").set_index("respondent_id")["attribution"].to_dict()
    plain = select_quotes(coded, theme="theme_telefon", question="ft", respondents=df, survey=survey, k=6,
                          embedder="fallback")
    got = {q.respondent_id: q.attribution for q in plain}
    assert {"r07", "r08"} <= set(got)  # the lone combinations: fylke blanked, as in the summary
    assert got == published
    assert got["r07"] == published["r07"] != survey.attribution(df.set_index("rid").loc["r07"].to_dict())


def test_plain_call_never_quotes_a_group_under_min_cell():
    survey, (df, coded) = _survey(), _wave()
    plain = select_quotes(coded, theme="telefon", question="ft", respondents=df, survey=survey, k=6,
                          embedder="fallback")
    quoted = {q.respondent_id for q in plain}
    assert quoted and not quoted & {"r15", "r16"}  # Viken: 2 commenters < min_cell 5
    # without the survey (no segments known) nothing is withheld on their account: the rule is what keeps them out
    bare = select_quotes(coded, theme="telefon", question="ft", k=6, embedder="fallback")
    assert {"r15", "r16"} & {q.respondent_id for q in bare}


def test_plain_call_needs_the_question_when_coded_holds_several():
    survey, (df, coded) = _survey(), _wave()
    two = pd.concat([coded, coded.assign(question="other")], ignore_index=True)
    with pytest.raises(ValueError, match="question"):
        select_quotes(two, theme="telefon", respondents=df, survey=survey, embedder="fallback")


def test_summary_frame_rank_is_integer():
    survey, (df, coded) = _survey(), _wave()
    frame = build_summary({2023: df}, survey, {2023: coded}, embedder="fallback", drivers=False).to_frame()
    ranks = frame.loc[frame["table"] == "quotes", "rank"]
    assert len(ranks) and pd.api.types.is_integer_dtype(frame["rank"])
    assert sorted(ranks.tolist()) == list(range(1, len(ranks) + 1))


def test_plain_call_without_theme_keeps_each_theme_rule():
    survey, (df, coded) = _survey(), _wave()
    quoted = {q.respondent_id for q in select_quotes(coded, respondents=df, survey=survey, k=6, embedder="fallback")}
    assert quoted and not quoted & {"r15", "r16"}  # suppressed under theme telefon, the theme they have



def test_several_waves_of_respondents_are_refused_in_one_line():
    """A panel's respondents of two waves (the same ids twice): the rule is per wave, said plainly (was a pandas
    InvalidIndexError)."""
    survey, (df, coded) = _survey(), _wave()
    both = pd.concat([df, df.assign(wave=2024)], ignore_index=True)
    with pytest.raises(ValueError, match=r"respondents: 56 respondent id\(s\) occur more than once .* one wave's"):
        select_quotes(coded, theme="telefon", question="ft", respondents=both, survey=survey, embedder="fallback")
