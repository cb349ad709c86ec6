"""Small groups across the whole report (dec05c): a level hidden in any table has one neutral name in all of them,
«(uoppgitt)» is never a numbered «Liten gruppe», and the sheet «Sitater» follows the HTML's quote order.

Data: «kontor» is free-valued (no declared levels). «Zeta kontor» has 40 respondents in each wave (shown in the
indicator table and in question «q_aa»), but only 3 of them answer question «q_zz» in 2023: hidden there, so its
name would be found by elimination if the other tables named it. «AB 123» (4 respondents) is small everywhere;
7 respondents have no kontor («(uoppgitt)», small). «Kontor C» (30 respondents) is the smallest level shown: the
one hidden beside the small ones where the 11 of «AB 123» and «(uoppgitt)» together would give a small complement
back (dec06h; without it «Zeta kontor» would be that level, hidden everywhere). Question «q_zz» is asked first; its
themes' shares run z > y > x (the reverse of the theme ids)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

ZETA = "Zeta kontor"
KONTOR = ["Kontor A"] * 120 + ["Kontor B"] * 100 + [ZETA] * 40 + ["Kontor C"] * 30 + ["AB 123"] * 4 + [None] * 7
THEMES = {"x": 0.3, "y": 0.5, "z": 0.8}
VARIED = ["ventetid", "telefonkø", "brev", "frister", "lege", "arbeidsgiver", "vedtak", "klage", "møte", "digitalt",
          "skjema", "innlogging", "altinn", "svartid", "sykmelding", "refusjonskrav", "tiltak", "lønnstilskudd",
          "rekruttering", "kurs", "dialogmøte", "informasjon", "regelverk", "språket", "chat", "kontaktperson",
          "oppfølgingsplan", "permittering", "dagpenger", "utbetaling", "saksgang", "ventetiden", "nettside",
          "søknad", "attest", "fastlege", "samarbeid", "koordinering", "ansvar", "rutiner"]
WORDS = ["ventetid", "telefonen", "saksbehandler", "refusjon", "skjemaet", "oppfølging", "veileder", "nettsiden"]


def _definition():
    from textmine.survey import SurveyDefinition

    return SurveyDefinition.from_dict({
        "name": "smaa", "id": "rid", "wave": "aar", "min_cell": 10,
        "segments": [{"column": "kontor", "label": "Kontor"}],
        "indicators": [{"id": "helhet", "column": "q1", "label": "Fornøyd", "scale": [1, 6]}],
        "free_text": [{"column": "q_zz", "label": "Første spørsmål?"}, {"column": "q_aa", "label": "Andre spørsmål?"}]})


def _wave(year: int, seed: int, zeta_answers_zz: int, kontor: list | None = None):
    """One wave's frame and coded answers (``kontor``: each respondent's office, by default this module's)."""
    kontor = KONTOR if kontor is None else kontor
    rng = np.random.default_rng(seed)
    vary = np.random.default_rng(seed + 100)  # the texts' own words: distinct answers, not near-duplicate quotes
    n = len(kontor)
    ids = [f"r{year}-{i}" for i in range(n)]
    df = pd.DataFrame({"rid": ids, "aar": year, "kontor": kontor, "q1": rng.integers(1, 7, n).astype(float)})
    rows = []
    zeta_seen = 0
    for i, (rid, office) in enumerate(zip(ids, kontor)):
        for q in ("q_zz", "q_aa"):
            if q == "q_zz" and office == ZETA:
                zeta_seen += 1
                if zeta_seen > zeta_answers_zz:
                    continue
            words = " ".join(rng.choice(WORDS, 6))
            hits = {t: int(rng.random() < p) for t, p in THEMES.items()}
            rows.append({"respondent_id": rid, "question": q, "is_non_answer": 0, "health_flag": 0,
                         "text_clean": f"{' '.join(vary.choice(VARIED, 7, replace=False)).capitalize()} og "
                                       f"{words.split()[0]}, svar {i} {q}.",
                         **{f"theme_{t}": v for t, v in hits.items()}})
    coded = pd.DataFrame(rows)
    for q in ("q_zz", "q_aa"):  # the raw answers (the coded frames carry their cleaned text)
        df[q] = df["rid"].map(dict(zip(*coded.loc[coded["question"] == q, ["respondent_id", "text_clean"]].T.values)))
    return df, coded


def build_small_groups(kontor: list | None = None) -> dict:
    """Both waves (``kontor``: each respondent's office, by default this module's), their summary, codebook and
    report."""
    from textmine.report import report_from_summary
    from textmine.summary import build_summary

    survey = _definition()
    f22, c22 = _wave(2022, 1, zeta_answers_zz=40, kontor=kontor)
    f23, c23 = _wave(2023, 2, zeta_answers_zz=3, kontor=kontor)
    frames, coded = {"2022": f22, "2023": f23}, {"2022": c22, "2023": c23}
    labels = {"x": "Tema X", "y": "Tema Y", "z": "Tema Z"}
    summary = build_summary(frames, survey, coded, theme_labels=labels, embedder="fallback")
    codebook = {"name": "t", "version": "1", "themes": [{"id": t, "label": lab, "description": "", "keywords": [t]}
                                                          for t, lab in labels.items()]}
    r = report_from_summary(summary, survey, frames=frames, coded=coded, codebook=codebook)
    return {"survey": survey, "summary": summary, "frames": frames, "coded": coded, "report": r,
            "codebook": codebook}


@pytest.fixture(scope="module")
def small_groups():
    return build_small_groups()


@pytest.fixture(scope="module")
def written(small_groups, tmp_path_factory):
    from textmine.report import write_report

    out = tmp_path_factory.mktemp("smaa")
    write_report(small_groups["report"], out, formats=("html", "xlsx", "json", "charts"))
    return out


def _xlsx_rows(path) -> dict[str, list[tuple]]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    return {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def _zeta_name(r) -> str:
    """The neutral name the report gives «Zeta kontor» (its hidden theme rows of q_zz, 2023)."""
    th = r.themes
    hidden = th[(th["segment_var"] == "kontor") & th["suppressed"] & (th["wave"] == "2023")
                & (th["question"] == "q_zz") & th["segment"].str.startswith("Liten gruppe")]
    names = set(hidden["segment"])
    shown = set(th.loc[(th["segment_var"] == "kontor") & ~th["suppressed"], "segment"])
    zeta = [n for n in names if n in shown]  # the small group whose other cells are shown
    assert len(zeta) == 1, (names, shown)
    return zeta[0]


def test_a_level_hidden_in_one_question_is_neutral_in_every_table(small_groups):
    r = small_groups["report"]
    name = _zeta_name(r)
    for attr in ("indicators", "themes"):
        t = getattr(r, attr)
        assert ZETA not in set(t["segment"]), attr
    ind = r.indicators[(r.indicators["segment_var"] == "kontor") & (r.indicators["segment"] == name)]
    assert len(ind) == 2 and not ind["suppressed"].any() and ind["share"].notna().all(), ind  # numbers stay shown
    aa = r.themes[(r.themes["question"] == "q_aa") & (r.themes["segment"] == name)]
    shown = ~aa["suppressed"].astype(bool)  # (a cell hidden for its small complement is hidden, Dec 06)
    assert not aa.empty and shown.sum() >= 4 and aa.loc[shown, "share"].notna().all(), aa
    names = {n for n in pd.concat([r.indicators["segment"], r.themes["segment"]]) if str(n).startswith("Liten")}
    assert len(names) == 2, names  # Zeta kontor and AB 123, one numbering for the whole report


def test_a_neutral_level_sits_after_the_named_levels_in_every_table(small_groups):
    r = small_groups["report"]
    name = _zeta_name(r)
    ind = r.indicators[(r.indicators["segment_var"] == "kontor") & (r.indicators["wave"] == "2022")]
    levels = list(dict.fromkeys(ind["segment"]))
    named = [lv for lv in levels if not str(lv).startswith("Liten gruppe")]
    assert levels.index(name) > max(levels.index(lv) for lv in named), levels


def test_the_real_name_appears_in_no_output(small_groups, written):
    text = (written / "rapport.html").read_text(encoding="utf-8") + (written / "rapport.json").read_text("utf-8")
    for svg in (written / "figurer").glob("*.svg"):
        text += svg.read_text(encoding="utf-8")
    assert ZETA not in text and "AB 123" not in text
    cells = [str(v) for rows in _xlsx_rows(written / "rapport.xlsx").values() for row in rows for v in row if v]
    assert not [c for c in cells if ZETA in c or "AB 123" in c]
    name = _zeta_name(small_groups["report"])
    assert name in text  # shown, under its neutral name (charts' alt texts included)
    alts = re.findall(r'aria-label="([^"]*)"', text)
    assert any(name in a for a in alts), "no chart alt text names the neutral group"


def test_the_small_group_footnote_says_the_name_is_the_same_everywhere(small_groups, written):
    html = (written / "rapport.html").read_text(encoding="utf-8")
    note = re.search(r'class="small small-group-note">([^<]*)<', html)
    assert note, "no «Liten gruppe» footnote"
    assert "samme nøytrale navn i alle tabeller og figurer" in note.group(1), note.group(1)
    assert "samme nøytrale navn i alle tabeller og figurer" in small_groups["report"].method["suppression"]


def test_uoppgitt_is_never_a_numbered_small_group(small_groups):
    from textmine.report.views import indicator_view, small_level_names, theme_view
    from textmine.summary import build_summary

    survey = small_groups["survey"]
    s = build_summary(small_groups["frames"], survey, small_groups["coded"], quotes=False, drivers=False)
    names = small_level_names(survey, indicator_view(s, survey), theme_view(s, survey, {}))
    assert ("kontor", "(uoppgitt)") not in names, names
    r = small_groups["report"]
    rows = r.indicators[(r.indicators["segment_var"] == "kontor") & (r.indicators["segment"] == "(uoppgitt)")]
    assert len(rows) == 2 and rows["suppressed"].all() and rows["share"].isna().all(), rows  # still hidden


def test_the_quote_sheet_follows_the_html_order(small_groups, written):
    html = (written / "rapport.html").read_text(encoding="utf-8")
    html_order = re.findall(r'<h3 id="sitat-([a-z_]+)-([a-z_]+)"', html)
    assert len(html_order) >= 4, html_order
    rows = _xlsx_rows(written / "rapport.xlsx")["Sitater"]
    head = list(rows[0])
    qi, ti = head.index("Spørsmål"), head.index("Tema-id")
    sheet_order = list(dict.fromkeys((row[qi], row[ti]) for row in rows[1:]))
    assert sheet_order == html_order, (sheet_order, html_order)
    assert sheet_order[0] == ("q_zz", "z"), sheet_order  # the report's first question, its largest theme


def test_an_attribution_names_a_neutral_level_by_its_neutral_name():
    from textmine.report.views import neutral_attributions

    q = pd.DataFrame({"attribution": ["Privat virksomhet, Zeta kontor", "Zeta kontor", "Zeta kontorene, Oslo", ""],
                      "text": ["a", "b", "c", "d"]})
    out = neutral_attributions(q, {("kontor", ZETA): "liten gruppe 2"})
    assert list(out["attribution"]) == ["Privat virksomhet, Liten gruppe 2", "Liten gruppe 2",
                                        "Zeta kontorene, Oslo", ""]


def test_the_services_pages_name_a_level_hidden_in_one_question_as_the_cli_report_does(small_groups):
    """The service renames only levels with fewer than min_cell respondents in its frames (its own tables then name
    every other level alike everywhere); its pages run the report's naming on the summary of those frames, so a
    level hidden in one question is neutral in all their tables, under the CLI report's name."""
    from service import store
    from textmine.report import report_from_summary
    from textmine.summary import build_summary

    survey, coded = small_groups["survey"], small_groups["coded"]
    frames = store.neutral_small_levels(small_groups["frames"], survey, coded)
    for wave, df in frames.items():
        values = set(df["kontor"].dropna())
        assert "AB 123" not in values and ZETA in values, (wave, values)  # no mixed naming in the service's tables
    pages = report_from_summary(build_summary(frames, survey, coded, quotes=False, drivers=False), survey)
    cli = small_groups["report"]
    for attr in ("indicators", "themes"):
        t = getattr(pages, attr)
        assert ZETA not in set(t["segment"]), attr
        key = ["wave", "segment_var", "segment"] + (["question", "theme"] if attr == "themes" else ["indicator"])
        assert set(map(tuple, t[key].astype(str).values)) == set(map(tuple, getattr(cli, attr)[key].astype(str).values))
