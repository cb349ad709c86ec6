"""Three waves and a change in one segment only (r3 review, Dec 06).

Was: an indicator fell 32 pp in the public sector only, but the report named only the total's fall; the sheet
«Endring» had only the overall rows of the latest comparison, while the summary publishes every pair and every
segment; and the report always compared the two latest waves, with no trend over three or more. Now «Endring»
carries the summary's pairs and segment rows, the change names the segment behind it, ``--compare-to`` chooses the
reported comparison, and a trend table shows every wave."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

from textmine.report.excel import write_workbook
from textmine.report.html import change_keyfacts, render_html, segment_change_note
from textmine.report.numbers import change_digits, fmt_pct, fmt_pp
from textmine.report.views import report_from_summary
from textmine.summary import build_summary
from textmine.survey import SurveyDefinition

from tests.report.conftest import LABELS, SURVEY, make_codebook, make_wave


def _frames() -> tuple[dict, dict]:
    frames, coded = {}, {}
    for wave, seed in ((2022, 11), (2023, 12), (2024, 13)):
        f, c = make_wave(wave, 900, seed, telefon_rate=0.3)
        if wave == 2024:  # q_svartid falls in the public sector only
            off = np.flatnonzero((f["sektor"] == "Offentlig").to_numpy())
            f.loc[f.index[off[::2]], "q_svartid"] = 1.0
        frames[wave], coded[wave] = f, c
    return frames, coded


@pytest.fixture(scope="module")
def survey():
    return SurveyDefinition.from_dict(SURVEY)


@pytest.fixture(scope="module")
def waves():
    return _frames()


@pytest.fixture(scope="module")
def summary(waves, survey):
    frames, coded = waves
    return build_summary(frames, survey, coded, theme_labels=LABELS, quotes=False, drivers=False)


@pytest.fixture(scope="module")
def report(waves, summary, survey):
    frames, coded = waves
    return report_from_summary(summary, survey, frames=frames, coded=coded, codebook=make_codebook())


def _endring(r, tmp_path) -> pd.DataFrame:
    path = write_workbook(r, tmp_path / "rapport.xlsx", row_level=False)
    ws = load_workbook(path, read_only=True)["Endring"]
    rows = list(ws.values)
    return pd.DataFrame(rows[1:], columns=rows[0])


def _published(summary) -> pd.DataFrame:
    c = summary.table("changes")
    return c[(c["kind"] == "indicator") | ((c["kind"] == "theme") & (c["denominator"] == "kommentatorer"))]


def test_endring_sheet_has_every_pair_and_segment_row_of_the_summary(report, summary, tmp_path):
    sheet = _endring(report, tmp_path)
    assert {(str(p), str(w)) for p, w in zip(sheet["Forrige måling"], sheet["Måling"])} == {
        tuple(map(str, p)) for p in summary.meta["comparisons"]} == {("2022", "2023"), ("2023", "2024")}
    assert len(sheet) == len(_published(summary))
    row = sheet[(sheet["Id"] == "q_svartid") & (sheet["Segment"] == "Offentlig")
                & (sheet["Måling"] == "2024")]
    assert len(row) == 1 and row["Segmentvariabel"].iloc[0] == "Sektor"
    assert row["Vurdering"].iloc[0] == "signifikant nedgang"
    c = summary.table("changes")
    src = c[(c["item"] == "svartid") & (c["value"] == "Offentlig") & (c["wave"].astype(str) == "2024")].iloc[0]
    assert row["Endring (pp)"].iloc[0] == pytest.approx(src["diff"] * 100)
    assert row["Vurdering"].iloc[0].startswith(src["verdict"])


def test_endring_sheet_blanks_the_hidden_segment_rows(report, tmp_path):
    ct = report.change_table.copy()
    seg = ct.index[(ct["segment_var"] == "fylke")][0]
    ct.loc[seg, "suppressed"] = True  # (a hidden cell: its numbers never reach the sheet)
    sheet = _endring(dataclasses.replace(report, change_table=ct), tmp_path)
    hidden = sheet[sheet["Skjult"].astype(str).isin(["Ja", "True", "1"])]
    assert len(hidden) >= 1
    assert hidden["Endring (pp)"].isna().all() and hidden["Grunnlag"].isna().all()


def _svartid_fact(r) -> dict:
    facts = [f for f in change_keyfacts(r) if "Svartid" in f["text"]]
    assert len(facts) == 1, [f["text"] for f in change_keyfacts(r)]
    return facts[0]


def test_main_findings_name_the_segment_behind_an_indicator_change(report):
    fact = _svartid_fact(report)
    assert "sektor «Offentlig»" in fact["note"] and "«Privat»:" in fact["note"]
    assert fact["note"].startswith("Nedgangen gjelder særlig sektor «Offentlig»")
    off = report.change_table[(report.change_table["key"] == "q_svartid")
                              & (report.change_table["segment"] == "Offentlig")
                              & (report.change_table["wave"] == "2024")].iloc[0]
    dg = change_digits(off["prev_share"], off["share"], off["diff"])
    assert f"{fmt_pct(off['prev_share'], dg)} → {fmt_pct(off['share'], dg)}, {fmt_pp(off['diff'], dg)}" in fact["note"]
    assert "ansatte" not in fact["note"].split(".")[0]  # one segment named: the one with the largest change
    html = render_html(report)
    assert fact["note"] in html.replace("&#34;", '"')


def test_segment_note_in_nynorsk(report):
    fact = _svartid_fact(dataclasses.replace(report, language="nn"))
    assert fact["note"].startswith("Nedgangen gjeld særleg sektor «Offentlig»") and "Offentlig" in fact["note"]


def test_a_hidden_segment_row_is_never_named(report):
    ct = report.change_table.copy()
    ct.loc[(ct["key"] == "q_svartid") & (ct["segment"] == "Offentlig"), "suppressed"] = True
    r = dataclasses.replace(report, change_table=ct)
    row = r.changes[r.changes["key"] == "q_svartid"].iloc[0]
    assert "Offentlig" not in (segment_change_note(r, row) or "")


def test_no_note_when_no_segment_differs(report):
    row = report.changes[report.changes["key"] == "q_helhet"].iloc[0]
    assert segment_change_note(report, row) is None


def test_trend_table_over_all_waves_only_with_three_waves(report, summary, survey):
    html = render_html(report)
    assert 'id="trend"' in html
    trend = html[html.index('id="trend"'):]
    trend = trend[:trend.index("</table>")]
    ind = report.indicators[(report.indicators["indicator"] == "q_svartid") & (report.indicators["segment_var"] == "Alle")]
    for w in ("2022", "2023", "2024"):
        assert f">{w}<" in trend
        share = float(ind[ind["wave"] == w]["share"].iloc[0])
        assert f"{share * 100:.0f}".replace(".", ",") in trend
    assert "signifikant nedgang" in trend
    two = dataclasses.replace(report, waves=["2023", "2024"],
                              indicators=report.indicators[report.indicators["wave"] != "2022"])
    assert 'id="trend"' not in render_html(two)


def test_compare_to_chooses_the_reported_comparison(waves, survey):
    from textmine.report.pipeline import build_report

    frames, coded = waves
    r = build_report(frames, survey, coded=coded, codebook=make_codebook(), compare_to="2022", embedder="fallback")
    assert r.comparison == ("2022", "2024") and r.previous_wave == "2022"
    assert set(r.changes["prev_wave"]) == {"2022"} and set(r.changes["wave"]) == {"2024"}
    assert {(p, w) for p, w in zip(r.change_table["prev_wave"], r.change_table["wave"])} == {
        ("2022", "2023"), ("2022", "2024")}
    with pytest.raises(ValueError, match="2030"):
        build_report(frames, survey, coded=coded, codebook=make_codebook(), compare_to="2030")
    with pytest.raises(ValueError, match="latest"):
        build_report(frames, survey, coded=coded, codebook=make_codebook(), compare_to="2024")
    with pytest.raises(ValueError, match="2022 come before it and would be compared backwards"):
        build_report(frames, survey, coded=coded, codebook=make_codebook(), compare_to="2023")


def test_cli_report_takes_compare_to(waves, tmp_path):
    from typer.testing import CliRunner

    from textmine.cli import app

    frames, _ = waves
    files = []
    for w, f in frames.items():
        p = tmp_path / f"w{w}.csv"
        f.assign(fritekst_generell="Lang ventetid på telefon.").to_csv(p, index=False)
        files.append(str(p))
    sp = tmp_path / "survey.yaml"
    sp.write_text(yaml.safe_dump(SURVEY, allow_unicode=True), encoding="utf-8")
    res = CliRunner().invoke(app, ["report", *files, "--survey", str(sp), "--out", str(tmp_path / "out"),
                                   "--coder", "keyword", "--compare-to", "2030"])
    assert res.exit_code == 2, res.output
    assert "2030" in res.output and "2022" in res.output


def test_the_clearest_segment_is_named_not_a_small_group_with_a_larger_change(report):
    ct = report.change_table.copy()
    small = ct.index[(ct["key"] == "q_svartid") & (ct["segment_var"] == "fylke") & (ct["wave"] == "2024")][0]
    ct.loc[small, ["diff", "share", "p_value", "verdict", "suppressed"]] = [-0.6, 0.2, 1e-3, "signifikant", False]
    r = dataclasses.replace(report, change_table=ct)
    note = segment_change_note(r, r.changes[r.changes["key"] == "q_svartid"].iloc[0])
    assert note.startswith("Nedgangen gjelder særlig sektor «Offentlig»")
    assert ct.loc[small, "segment"] not in note.split(".")[0]


def test_report_json_carries_the_endring_rows_hidden_ones_without_numbers(report):
    from textmine.report.writer import report_to_dict

    ct = report.change_table.copy()
    seg = ct.index[(ct["segment_var"] == "fylke")][0]
    ct.loc[seg, "suppressed"] = True
    rows = report_to_dict(dataclasses.replace(report, change_table=ct))["change_table"]
    assert len(rows) == len(ct) and {(r["prev_wave"], r["wave"]) for r in rows} == {
        (p, w) for p, w in zip(ct["prev_wave"], ct["wave"])}
    hidden = [r for r in rows if r["suppressed"]]
    assert len(hidden) >= 1 and all(r["diff"] is None and r["n"] is None and r["share"] is None for r in hidden)
    shown = [r for r in rows if not r["suppressed"] and r["diff"] is not None]
    assert shown  # the other rows keep their numbers


def test_a_segment_that_lags_the_total_is_not_said_to_carry_the_change():
    from textmine.report.model import ReportData

    def row(var, seg, prev, cur, lo, hi, p, n=2000):
        return dict(kind="indikator", key="q_helhet", label="Fornøyd", question="", segment_var=var, segment=seg,
                    prev_wave="2023", wave="2024", prev_share=prev, share=cur, diff=cur - prev, ci_low=lo, ci_high=hi,
                    p_value=p, p_adjusted=p, verdict="signifikant", n_prev=n, n=n, suppressed=False)

    total = row("Alle", "Alle", 0.70, 0.60, -0.13, -0.07, 1e-10, 4000)
    ct = pd.DataFrame([total, row("sektor", "Privat", 0.70, 0.67, -0.058, -0.002, 0.03),
                       row("sektor", "Offentlig", 0.70, 0.53, -0.20, -0.14, 1e-12)])
    r = ReportData(title="t", waves=["2023", "2024"], segments={"sektor": "Sektor"},
                   changes=pd.DataFrame([{k: v for k, v in total.items()
                                          if k not in ("segment_var", "segment", "suppressed")}]),
                   change_table=ct, comparison=("2023", "2024"))
    note = segment_change_note(r, r.changes.iloc[0])
    lead = note.split(";")[0]
    assert "«Offentlig»" in lead and "«Privat»" not in lead  # −3 pp beside −10 pp does not carry the fall
