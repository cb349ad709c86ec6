"""The Summary as a library object (review L, dec05e).

H1: ``Summary.write``, ``to_dict``/``to_json`` and ``to_frame`` are safe by default, as the CLI's files: hidden
(suppressed) rows carry no number in ``flag`` mode too, and small levels of free-valued segments are named
«Liten gruppe N», never by their own value; ``raw=True`` keeps the numbers and names (internal use only).
Was: themes.csv kept share/count/n on all hidden rows and named «Overnatting og servering» beside n=7.
M5: the repr is short and never shows quote text with a respondent id. L6: an unknown table name is an error.
L11: ``compare_to`` may name a later wave (documented). L12: ``write_table`` to .csv neutralises formula-like text.
"""

from __future__ import annotations

import csv
import json

import numpy as np
import pandas as pd
import pytest

from textmine.summary import TABLES, Summary, build_summary
from textmine.survey import SurveyDefinition

from ..stats.test_summary_small_names_dec05e import SMALL, _wave  # the same two small offices, the same waves

SPEC = {"name": "smaa", "id": "rid", "wave": "aar", "min_cell": 10, "suppression": "flag",
        "segments": [{"column": "kontor", "label": "Kontor"}],
        "indicators": [{"id": "helhet", "column": "q1", "label": "Fornøyd", "scale": [1, 6]}],
        "free_text": [{"column": "ft", "label": "Kommentar?"}]}
KEY = "dec05e-library-key-0123456789abcdef"


@pytest.fixture(scope="module")
def data():
    waves = {y: _wave(y, seed) for y, seed in ((2022, 1), (2023, 2))}
    return {y: f for y, (f, _) in waves.items()}, {y: c for y, (_, c) in waves.items()}


@pytest.fixture()
def summary(data, monkeypatch):
    monkeypatch.setenv("TEXTMINE_DISCLOSURE_KEY", KEY)
    frames, coded = data
    return build_summary(frames, SurveyDefinition.from_dict(SPEC), coded, quotes=False)


def _hidden_numbers(rows: list[dict]) -> list[dict]:
    """The hidden rows that still show a share, count or base."""
    return [r for r in rows if r.get("suppressed") in (True, "True")
            and any(r.get(k) not in (None, "", np.nan) and not (isinstance(r.get(k), float) and np.isnan(r[k]))
                    for k in ("share", "count", "n", "share_w"))]


# ---------------------------------------------------------------------------- H1
def test_the_raw_tables_do_hide_rows_in_flag_mode(summary):
    t = summary.table("themes")
    assert t["suppressed"].any() and t.loc[t["suppressed"], "n"].notna().all()  # the premise: flagged, not blanked


def test_write_blanks_hidden_rows_by_default(summary, tmp_path):
    summary.write(tmp_path, formats=("csv",))
    for name in ("themes.csv", "indicators.csv", "changes.csv", "summary_tidy.csv"):
        with open(tmp_path / name, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert any(r["suppressed"] == "True" for r in rows), name
        bad = _hidden_numbers(rows)
        assert not bad, f"{name}: {len(bad)} hidden row(s) show numbers, e.g. {bad[0]}"


def test_to_dict_and_to_frame_blank_hidden_rows_by_default(summary):
    d = summary.to_dict()
    for name, rows in d["tables"].items():
        assert not _hidden_numbers(rows), f"to_dict table {name}: a hidden row shows a number"
    assert not _hidden_numbers(summary.to_frame().to_dict("records")), "to_frame: a hidden row shows a number"
    assert json.loads(summary.to_json()) == d


@pytest.mark.parametrize("how", ["to_json", "to_frame", "write"])
def test_exports_name_small_free_levels_neutrally(summary, tmp_path, how):
    if how == "to_json":
        text = summary.to_json()
    elif how == "to_frame":
        text = summary.to_frame().to_csv()
    else:
        summary.write(tmp_path)
        text = "".join(p.read_text(encoding="utf-8") for p in tmp_path.glob("*.[cj]s*"))
        from openpyxl import load_workbook

        wb = load_workbook(tmp_path / "summary.xlsx", read_only=True)
        text += " ".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row)
    for level in SMALL:
        assert level not in text, f"{how} names the hidden level {level!r}; expected «Liten gruppe N»"
    assert "Liten gruppe 1" in text and "Kontor A" in text


def test_to_frame_to_dict_and_write_agree(summary, tmp_path):
    frame = summary.to_frame()
    d = summary.to_dict()
    for name in TABLES:
        part = frame[frame["table"] == name]
        assert len(part) == len(d["tables"][name]), name
    themes = pd.DataFrame(d["tables"]["themes"])
    summary.write(tmp_path, formats=("csv",))
    written = pd.read_csv(tmp_path / "themes.csv")
    assert list(written["value"]) == list(themes["value"])
    pd.testing.assert_series_equal(written["share"], themes["share"].astype(float), check_names=False)


def test_raw_opt_in_keeps_numbers_and_names(summary, tmp_path):
    d = summary.to_dict(raw=True)
    hidden = [r for r in d["tables"]["themes"] if r["suppressed"]]
    assert hidden and all(r["n"] is not None for r in hidden)
    assert SMALL[0] in summary.to_json(raw=True)
    assert SMALL[0] in summary.to_frame(raw=True)["value"].tolist()
    summary.write(tmp_path, formats=("csv",), raw=True)
    assert SMALL[0] in (tmp_path / "themes.csv").read_text(encoding="utf-8")


def test_the_library_writes_the_same_files_as_the_cli(summary, tmp_path, monkeypatch):
    from textmine.cli.stats import write_summary

    monkeypatch.setenv("TEXTMINE_DISCLOSURE_KEY", KEY)
    write_summary(summary, tmp_path / "cli", SurveyDefinition.from_dict(SPEC))
    summary.write(tmp_path / "lib")
    names = sorted(p.name for p in (tmp_path / "cli").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "lib").iterdir())
    for name in names:
        assert (tmp_path / "cli" / name).read_bytes() == (tmp_path / "lib" / name).read_bytes(), name


def test_exporting_twice_names_each_level_once(summary):
    """The safe copy's exports equal the summary's: naming a neutral name again must not renumber it."""
    from textmine.summary import neutral_summary

    once = neutral_summary(summary, SurveyDefinition.from_dict(SPEC))
    assert once.to_dict() == summary.to_dict()


def test_a_summary_without_its_survey_still_blanks_hidden_rows(summary):
    bare = Summary(survey=summary.survey, waves=summary.waves, tables=summary.tables, meta=summary.meta)
    assert not _hidden_numbers(bare.to_dict()["tables"]["themes"])


# ---------------------------------------------------------------------------- M5
def test_repr_is_short_and_shows_no_quote_linked_to_a_respondent(summary):
    quotes = pd.DataFrame({"wave": [2023], "question": ["ft"], "theme": ["telefon"], "rank": [1],
                           "text": ["Ventetiden på telefon er altfor lang hos dere"], "attribution": ["Kontor A"],
                           "score": [0.9], "respondent_id": ["2023-17"], "language": ["nb"]})
    s = Summary(survey=summary.survey, waves=summary.waves, tables={**summary.tables, "quotes": quotes},
                meta=summary.meta, warnings=["a", "b"])
    r = repr(s)
    assert len(r) < 600, r
    assert "Ventetiden" not in r and "2023-17" not in r
    assert "themes" in r and f"{len(summary.table('themes'))} rows" in r and "2 warnings" in r
    assert "2022" in r and "2023" in r


# ---------------------------------------------------------------------------- L6
def test_an_unknown_table_name_is_an_error_naming_the_tables(summary):
    with pytest.raises(KeyError, match="themes.*indicators|indicators.*themes"):
        summary.table("nope")
    assert summary.table("quotes").empty  # a known table without rows is still an empty frame


def test_a_known_table_missing_from_a_hand_made_summary_is_empty():
    assert Summary(survey="x", waves=[1], tables={}).table("changes").empty


# ---------------------------------------------------------------------------- L11
def test_compare_to_a_later_wave_is_a_reference_wave_and_documented(data):
    frames, coded = data
    s = build_summary(frames, SurveyDefinition.from_dict(SPEC), coded, quotes=False, compare_to=2023)
    assert s.meta["comparisons"] == [[2023, 2022]]
    assert "later" in build_summary.__doc__ and "service" in build_summary.__doc__


# ---------------------------------------------------------------------------- L12
def test_csv_text_cells_that_excel_would_read_as_formulas_are_neutralised(tmp_path):
    from textmine.io import write_table

    df = pd.DataFrame({"text": ["=HYPERLINK(\"http://x\")", "+47 22 33 44 55", "-3", "@SUM(A1)", "\tx", "\r\nx",
                                "- punkt", "vanlig", None, "+47"],
                       "num": [-3, 1, 2, 3, 4, 5, 6, 7, 8, 9],
                       "neg": [-1.5] * 10})
    write_table(df, tmp_path / "x.csv")
    with open(tmp_path / "x.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    got = [r["text"] for r in rows]
    assert got == ["'=HYPERLINK(\"http://x\")", "'+47 22 33 44 55", "-3", "'@SUM(A1)", "'\tx", "'\r\nx", "'- punkt",
                   "vanlig", "", "+47"]
    assert [r["num"] for r in rows][:1] == ["-3"] and rows[0]["neg"] == "-1.5"
    assert df["text"][0].startswith("=")  # the caller's frame is untouched


def test_csv_neutralising_covers_string_and_category_columns(tmp_path):
    from textmine.io import write_table

    df = pd.DataFrame({"s": pd.array(["=1+1", "ok"], dtype="string"),
                       "c": pd.Categorical(["@x", "ok"])})
    write_table(df, tmp_path / "y.csv")
    assert (tmp_path / "y.csv").read_text(encoding="utf-8").splitlines()[1:] == ["'=1+1,'@x", "ok,ok"]


def test_summary_files_keep_formula_like_text_as_text(summary, tmp_path):
    """A quote (or a level) starting with ``=`` or ``+`` is text in quotes.csv, summary_tidy.csv and summary.xlsx,
    never a formula (summary.xlsx stored «=…» as a live formula)."""
    from openpyxl import load_workbook

    quotes = pd.DataFrame({"wave": [2023, 2023], "question": ["ft", "ft"], "theme": ["telefon", "telefon"],
                           "rank": [1, 2], "text": ["=HYPERLINK(\"http://x\",\"klikk\")", "+47 er nummeret"],
                           "attribution": ["Kontor A", "Kontor A"], "score": [0.9, 0.8],
                           "respondent_id": ["2023-1", "2023-2"], "language": ["nb", "nb"]})
    s = Summary(survey=summary.survey, waves=summary.waves, tables={**summary.tables, "quotes": quotes},
                meta=summary.meta, definition=summary.definition)
    s.write(tmp_path)
    for name in ("quotes.csv", "summary_tidy.csv"):
        with open(tmp_path / name, encoding="utf-8", newline="") as fh:
            texts = [r["text"] for r in csv.DictReader(fh) if r.get("text")]
        assert texts == ["'=HYPERLINK(\"http://x\",\"klikk\")", "'+47 er nummeret"], name
    ws = load_workbook(tmp_path / "summary.xlsx")["quotes"]
    cells = [c for row in ws.iter_rows(min_row=2) for c in row if isinstance(c.value, str) and c.value[:1] in "=+"]
    assert [(c.value, c.data_type) for c in cells] == [("=HYPERLINK(\"http://x\",\"klikk\")", "s"),
                                                      ("+47 er nummeret", "s")]
