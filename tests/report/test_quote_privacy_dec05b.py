"""Quotes and row-level exports keep the same secrets (review D, items 1, 2, 3, 12, 13): one combination rule for
attributions and the «Kodede svar» rows, no comment that names its writer's withheld segment value or an identity
number, shortening to the theme's sentence, spelling, language, few comments, nested guillemets."""

import numpy as np
import pandas as pd
import pytest

from textmine.quotes import (LexicalFallbackEmbedder, SegmentMentions, _shorten, has_id_number, select_quotes,
                             typo_share)
from textmine.report.excel import export_rows
from textmine.report.views import coded_view, report_from_summary
from textmine.summary import build_summary
from textmine.survey import SurveyDefinition

TEXT_A = "I Oslo kommer vi aldri gjennom på telefon, køen er for lang."
TEXT_B = "Telefonen svarer ikke før etter en time i kø hver gang."


def _survey(**extra) -> SurveyDefinition:
    d = {
        "name": "tiny", "id": "rid", "wave": "wave", "min_cell": 5,
        "segments": [
            {"column": "fylke", "label": "Fylke", "levels": ["Oslo", "Østfold"]},
            {"column": "sektor", "label": "Sektor", "levels": {"P": "Privat virksomhet", "O": "Offentlig virksomhet"}},
            {"column": "naering", "label": "Næring", "attribution": False},
        ],
        "indicators": [{"id": "helhet", "column": "q1", "scale": [1, 6]}],
        "free_text": [{"column": "ft"}],
    }
    d.update(extra)
    return SurveyDefinition.from_dict(d)


def _waves(t07: str = "Vi ringer og ringer, men telefonen blir aldri besvart av noen.",
           t08: str = "Telefontiden er altfor kort for oss som jobber skift."):
    """14 commenters: fylke and sektor each 7/7, but (Østfold, Privat) = r07 and (Oslo, Offentlig) = r08 alone;
    40 respondents without a comment make every combination common among all respondents."""
    combos = [("Oslo", "P")] * 6 + [("Østfold", "P"), ("Oslo", "O")] + [("Østfold", "O")] * 6
    combos += [c for c in (("Oslo", "P"), ("Østfold", "P"), ("Oslo", "O"), ("Østfold", "O")) for _ in range(10)]
    ids = [f"r{i:02d}" for i in range(1, len(combos) + 1)]
    texts = [TEXT_A] * 6 + [t07, t08] + [TEXT_B] * 6
    df = pd.DataFrame({"rid": ids, "wave": 2023, "fylke": [c[0] for c in combos], "sektor": [c[1] for c in combos],
                       "naering": "Helse- og sosialtjenester", "q1": 4,
                       "ft": texts + [None] * (len(ids) - len(texts))})
    coded = pd.DataFrame({"respondent_id": ids[:14], "question": "ft", "text_clean": texts, "is_non_answer": 0,
                          "health_flag": 0, "language": "nb", "theme_telefon": 1})
    return df, coded


def _quotes_and_export(survey, df, coded):
    s = build_summary({2023: df}, survey, {2023: coded}, embedder="fallback", n_quotes=6)
    r = report_from_summary(s, survey, frames={2023: df}, coded={2023: coded})
    rows, _ = export_rows(r)
    return s.table("quotes"), rows.set_index("respondent_id")


def test_attribution_uses_the_export_combination_rule_among_commenters():
    survey = _survey()
    q, rows = _quotes_and_export(survey, *_waves())
    by_id = q.set_index("respondent_id")["attribution"]
    assert {"r07", "r08"} <= set(by_id.index)  # the lone combinations are quoted (4 distinct comments, k = 6)
    # common among all 54 respondents, but alone among the 14 commenters: the export blanks fylke, so must the quote
    assert by_id["r07"] == "Privat virksomhet" and by_id["r08"] == "Offentlig virksomhet"
    for rid, attribution in by_id.items():
        shown = [c for c in ("fylke", "sektor") if pd.notna(rows.loc[rid, "fylke" if c == "fylke" else c])]
        assert attribution == survey.attribution(rows.loc[rid].to_dict(), shown), rid


def test_comment_naming_its_withheld_county_or_industry_is_not_quoted_and_is_masked_in_the_export():
    survey = _survey()
    df, coded = _waves(t07="Vi i ostfold kommer aldri gjennom på telefon til NAV.",
                       t08="Vi driver med helse- og sosialtjenester og når aldri NAV på telefon.")
    q, rows = _quotes_and_export(survey, df, coded)
    assert not {"r07", "r08"} & set(q["respondent_id"])  # fylke blanked for r07, næring never shown
    assert len(q) == 2 and set(q["text"]) == {TEXT_A, TEXT_B}  # "Oslo" is shown with r01–r06: it may stay
    assert rows.loc["r07", "text_clean"] == "Vi i [FYLKE] kommer aldri gjennom på telefon til NAV."
    assert rows.loc["r08", "text_clean"] == "Vi driver med [BRANSJE] og når aldri NAV på telefon."
    assert rows.loc["r01", "text_clean"] == TEXT_A and rows.loc["r01", "fylke"] == "Oslo"


def test_row_export_masks_exact_headcount_of_an_unexported_segment_and_spelling_variants():
    segs = [{"column": "fylke", "label": "Fylke", "levels": ["Oslo", "Østfold"]},
            {"column": "ansatte", "label": "Antall ansatte", "attribution": False,
             "levels": {"1": "1 ansatt", "2-9": "2–9 ansatte", "10-49": "10–49 ansatte"}},
            {"column": "naering", "label": "Næring", "attribution": False}]
    survey = _survey(segments=segs, min_cell=1)
    df = pd.DataFrame({"rid": ["a", "b"], "wave": 2023, "fylke": ["Østfold", "Oslo"], "ansatte": ["2-9", "10-49"],
                       "naering": ["Helse- og sosialtjenester", "Industri"], "q1": 4})
    coded = pd.DataFrame({"respondent_id": ["a", "b"], "question": "ft", "is_non_answer": 0, "theme_x": 1,
                          "text_clean": ["Vi er innen helse- og sosialtjenester i ostfold med 6 ansatte.",
                                         "Industri i Oslo med rundt 40 ansatte, i ØSTFOLD har vi ingen."]})
    rows = coded_view({2023: df}, {2023: coded}, survey).set_index("respondent_id")
    # fylke is shown (min_cell 1): its own value stays; næring and ansatte are never exported: masked
    assert rows.loc["a", "text_clean"] == "Vi er innen [BRANSJE] i ostfold med [ANTALL] ansatte."
    assert rows.loc["b", "text_clean"] == "[BRANSJE] i Oslo med rundt [ANTALL] ansatte, i ØSTFOLD har vi ingen."
    m = SegmentMentions(survey)
    assert m.named("Hilsen fra OSTFOLD", {"fylke": "Østfold"}, ["fylke"]) == ["fylke"]
    assert m.named("Hilsen fra Østfoldbyen", {"fylke": "Østfold"}, ["fylke"]) == []  # whole words only
    assert m.named("Vi har 3 ansatte", {"fylke": "Oslo"}, ["fylke"]) == []  # the own value only


def test_comments_with_identity_numbers_are_never_quoted():
    df = pd.DataFrame({"respondent_id": ["a", "b", "c"], "theme_t": 1,
                       "text_clean": ["Vi har en polsk ansatt ([DNUMMER]) som fortsatt venter på telefon.",
                                      "Telefonen er stengt når vi trenger den mest, hver eneste dag.",
                                      "Refusjonen til [KONTONUMMER] kom aldri, og telefonen svarer ikke."]})
    q = select_quotes(df, theme="t", k=3, embedder=LexicalFallbackEmbedder(), min_chars=10)
    assert [x.respondent_id for x in q] == ["b"]  # a theme may then get fewer quotes
    assert has_id_number("fnr 01017012345") and has_id_number("[FØDSELSNUMMER]") and has_id_number("[IDNUMMER]")
    assert not has_id_number("Vi ventet 20 min, sak 2023/123456, [NAVN] ringte")


def test_shortening_keeps_the_theme_sentence_and_cuts_only_between_clauses():
    text = ("Vi er en mellomstor arbeidsgiver med mange sykmeldte hvert år. Oppfølgingen fra veilederen er stort "
            "sett god. Men lag én digital inngang for arbeidsgivere, der alt er samlet.")
    short = _shorten(text, 120, ["digital", "innlogging"])
    # the digital sentence (the last) with the neighbour that still fits, never cut before it
    assert short == "[…] Oppfølgingen fra veilederen er stort sett god. Men lag én digital inngang for arbeidsgivere, der alt er samlet."
    one = ("Vi har mange ansatte i flere avdelinger og de fleste jobber turnus hele året gjennom, og det er vi som "
           "arbeidsgiver som må ta ansvaret for oppfølgingen når noen blir syke, men NAV bør lage én digital inngang "
           "for arbeidsgivere der alt samles")
    short = _shorten(one, 120, ["digital"])
    assert short == "[…] men NAV bør lage én digital inngang for arbeidsgivere der alt samles"
    first = _shorten(one, 120, [])  # no keyword: the first clause, whole, never "… som arbeidsgiver som […]"
    assert first == "Vi har mange ansatte i flere avdelinger og de fleste jobber turnus hele året gjennom […]"
    run_on = "vi venter og venter " * 30  # no punctuation at all: the last resort, a cut between words
    cut = _shorten(run_on, 100)
    assert cut.endswith(" venter […]") and len(cut) <= 100 and run_on.startswith(cut.removesuffix(" […]") + " ")


def test_well_spelt_comments_are_preferred_over_typo_heavy_central_ones():
    typo = ["Jeg vil gjern utdype svarwne mine littt om telefon, ffår aldri svar på telefon dt samme.",
            "Somm mellomleder i okmmunen ffår jeg aldri svar på telefon, flee sider av telefon er dårlg.",
            "Telefon telefon: dt er umulg å komem gjennom på telefon, jeg ffår bare kø på telefon."]
    good = ["Vi kommer ikke gjennom på telefon når vi trenger hjelp med sykmeldte.",
            "Telefonkøen er lang, og vi venter ofte over en halvtime.",
            "Det er vanskelig å nå riktig person på telefon hos NAV.",
            "Svartiden på telefon har blitt bedre det siste året."]
    df = pd.DataFrame({"respondent_id": [f"r{i}" for i in range(7)], "text_clean": typo + good, "theme_t": 1})
    q = select_quotes(df, theme="t", k=3, embedder=LexicalFallbackEmbedder(), min_chars=10)
    assert len(q) == 3 and not {"r0", "r1", "r2"} & {x.respondent_id for x in q}
    from textmine.preprocess.cleaner import default_resources

    known = default_resources().language.known_words
    assert typo_share(typo[0], known) > 0.2 > typo_share(good[0], known)


def test_quotes_carry_language_few_comments_get_one_quote_and_guillemets_do_not_nest():
    df = pd.DataFrame({"respondent_id": ["a", "b", "c", "d"], "theme_t": 1,
                       "language": ["en", "nn", "nb", "unknown"],
                       "text_clean": ["We have been waiting for the refund for weeks now.",
                                      "Eg får ikkje svar frå NAV om refusjonen vår.",
                                      "Vi har sendt inn «Ordrenr «123»» flere ganger uten svar.",
                                      "Refusjonen kommer alltid for sent til oss."]})
    q = select_quotes(df, theme="t", k=6, embedder=LexicalFallbackEmbedder(), min_chars=10)
    assert {x.respondent_id: x.language for x in q} == {"a": "en", "b": "nn", "c": "nb", "d": ""}
    c = [x for x in q if x.respondent_id == "c"][0]
    assert c.text == "Vi har sendt inn ‹Ordrenr ‹123›› flere ganger uten svar." and "«" not in c.text
    assert len(select_quotes(df, theme="t", k=6, embedder=LexicalFallbackEmbedder(), min_chars=10, few=5)) == 1
    assert len(select_quotes(df, theme="t", k=6, embedder=LexicalFallbackEmbedder(), min_chars=10, few=4)) == 4


def test_summary_quotes_have_language_and_one_quote_for_a_theme_with_few_comments():
    survey = _survey(min_cell=1)
    df, coded = _waves()
    coded["theme_sjelden"] = [1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1]  # 4 commenters
    coded.loc[7, "language"] = "en"
    s = build_summary({2023: df}, survey, {2023: coded}, embedder="fallback", n_quotes=6)
    q = s.table("quotes")
    assert (q["theme"] == "sjelden").sum() == 1 and (q["theme"] == "telefon").sum() == 4
    assert set(q.loc[q["respondent_id"] == "r08", "language"]) == {"en"}
    assert set(q.loc[q["respondent_id"] != "r08", "language"]) == {"nb"}


def test_attribution_leaves_out_a_value_the_export_blanks_because_of_another_question():
    """r09 is the only commenter of ft1, so the export blanks r09's fylke and sektor in all r09's rows of the wave;
    build_summary gives _quotes the wave's coded rows (``wave_coded``), so the ft quote of r09 shows none of them
    either (with the ft rows alone it would show them)."""
    survey = _survey(free_text=[{"column": "ft"}, {"column": "ft1"}])
    df, coded = _waves()
    df["ft1"] = np.where(df["rid"] == "r09", "Brevet kom aldri.", None)
    coded = pd.concat([coded, pd.DataFrame({"respondent_id": ["r09"], "question": "ft1", "is_non_answer": 0,
                                            "text_clean": ["Brevet kom aldri fram til oss."], "health_flag": 0,
                                            "language": "nb", "theme_telefon": 0})], ignore_index=True)
    q, rows = _quotes_and_export(survey, df, coded)
    rows = rows.reset_index().set_index(["question", "respondent_id"])
    assert q.set_index(["question", "respondent_id"]).loc[("ft", "r09"), "attribution"] == ""
    for _, x in q.iterrows():
        e = rows.loc[(x["question"], x["respondent_id"])]
        shown = [c for c in ("fylke", "sektor") if pd.notna(e[c])]
        assert x["attribution"] == survey.attribution(e.to_dict(), shown), x["respondent_id"]
