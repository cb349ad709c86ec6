"""``textmine summary`` with ``suppression: flag``: the written files (CSV, XLSX, JSON) and the terminal tables
carry no number of a hidden (primary or secondary suppressed) row, only the flag; visible rows are unchanged.

Was: flag mode wrote every hidden cell's share, CI, count and base, only marked ``suppressed``."""

from __future__ import annotations

import csv
import json

import numpy as np
import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook
from typer.testing import CliRunner

import textmine.summary as summary_mod
from textmine.cli import app
from textmine.summary import HIDDEN_ROW_KEEPS, TOTAL_SEGMENT, blank_hidden_rows, build_summary
from textmine.survey import SurveyDefinition

SIZES = {"1": 2, "2": 12, "10": 6, "50": 20}  # respondents per level; "1" is under min_cell 5
SPEC = {"name": "flagg", "id": "rid", "wave": "aar", "min_cell": 5, "suppression": "flag",
        "segments": [{"column": "ansatte", "levels": {"1": "1 ansatt", "2": "2–9", "10": "10–49", "50": "50+"}}],
        "indicators": [{"id": "helhet", "column": "q1", "scale": [1, 6]}],
        "multiselect": [{"id": "kanal", "options": {"k_tlf": "Telefon", "k_web": "Nett"}}],
        "free_text": [{"column": "ft", "label": "Kommentar?"}]}


def _wave(year: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    levels = [lv for lv, k in SIZES.items() for _ in range(k)]
    n = len(levels)
    df = pd.DataFrame({"rid": [f"{year}-{i}" for i in range(n)], "aar": year, "ansatte": levels,
                       "q1": rng.integers(1, 7, n), "k_tlf": rng.integers(0, 2, n), "k_web": rng.integers(0, 2, n),
                       "ft": [f"Kommentar nummer {i}" for i in range(n)]})
    tel = rng.integers(0, 2, n)
    tel[0] = 1
    coded = pd.DataFrame({"respondent_id": df["rid"], "question": "ft", "text_clean": df["ft"], "is_non_answer": 0,
                          "theme_telefon": tel, "theme_ros": 1 - tel})
    return df, coded


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The CLI's files with the blanking (``new``) and, for reference, with it switched off (``old``)."""
    tmp = tmp_path_factory.mktemp("flag")
    (tmp / "s.yaml").write_text(yaml.safe_dump(SPEC, allow_unicode=True), encoding="utf-8")
    args = ["summary"]
    coded_args = []
    for year, seed in ((2022, 1), (2023, 2)):
        df, coded = _wave(year, seed)
        df.to_csv(tmp / f"w{year}.csv", index=False)
        coded.to_csv(tmp / f"c{year}.csv", index=False)
        args.append(str(tmp / f"w{year}.csv"))
        coded_args += ["--coded", str(tmp / f"c{year}.csv")]
    args += ["--survey", str(tmp / "s.yaml"), "--no-quotes", *coded_args]
    out = {}
    r = CliRunner().invoke(app, [*args, "--out", str(tmp / "new")])
    assert r.exit_code == 0, r.output
    out["new"], out["output"] = tmp / "new", r.output
    mp = pytest.MonkeyPatch()
    mp.setattr(summary_mod, "blank_hidden_rows", lambda s, **k: (summary_mod.hide_small_counts(s), 0))
    try:
        r = CliRunner().invoke(app, [*args, "--out", str(tmp / "old")])
    finally:
        mp.undo()
    assert r.exit_code == 0, r.output
    out["old"] = tmp / "old"
    return out


def _csv_rows(path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:  # the summary's CSVs carry a byte-order mark (Excel)
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("name", ["indicators", "multiselect", "themes", "theme_indicators", "changes"])
def test_csv_hidden_rows_have_no_numbers_and_visible_rows_are_unchanged(runs, name):
    new, old = _csv_rows(runs["new"] / f"{name}.csv"), _csv_rows(runs["old"] / f"{name}.csv")
    assert len(new) == len(old) and new and list(new[0]) == list(old[0])
    hidden = [i for i, r in enumerate(new) if r["suppressed"] == "True"]
    if name != "theme_indicators":
        assert hidden, f"{name}: the fixture should hide some rows"
    for i, (a, b) in enumerate(zip(new, old)):
        if i in hidden:
            numbers = {c: v for c, v in a.items() if c not in HIDDEN_ROW_KEEPS and v != ""}
            assert not numbers, f"{name}.csv row {i + 2}: hidden row still has {numbers}"
            assert {c: a[c] for c in HIDDEN_ROW_KEEPS & set(a)} == {c: b[c] for c in HIDDEN_ROW_KEEPS & set(b)}
            assert any(b[c] not in ("", "0") for c in ("n", "n_mention", "share", "share_prev") if c in b)
        else:
            assert a == b, f"{name}.csv row {i + 2}: a visible row changed"


def test_tidy_csv_hidden_rows_have_no_numbers_and_visible_values_are_unchanged(runs):
    new = pd.read_csv(runs["new"] / "summary_tidy.csv")
    old = pd.read_csv(runs["old"] / "summary_tidy.csv")
    assert new.shape == old.shape
    hidden = new["suppressed"].eq(True).to_numpy()
    num = [c for c in new.columns if c not in HIDDEN_ROW_KEEPS and c != "table"]
    assert hidden.any() and new.loc[hidden, num].isna().all().all()
    pd.testing.assert_frame_equal(new[~hidden].reset_index(drop=True), old[~hidden].reset_index(drop=True),
                                  check_dtype=False)


def test_json_hidden_rows_are_null_and_visible_rows_are_unchanged(runs):
    new = json.loads((runs["new"] / "summary.json").read_text(encoding="utf-8"))
    old = json.loads((runs["old"] / "summary.json").read_text(encoding="utf-8"))
    n_hidden = 0
    for name, rows in new["tables"].items():
        for i, (a, b) in enumerate(zip(rows, old["tables"][name])):
            if a.get("suppressed"):
                n_hidden += 1
                assert all(v is None for c, v in a.items() if c not in HIDDEN_ROW_KEEPS), f"{name}[{i}]: {a}"
            else:
                assert a == b, f"{name}[{i}]: a visible row changed"
    assert n_hidden > 0 and new["meta"] == old["meta"]


def test_xlsx_hidden_cells_are_empty_and_visible_cells_are_unchanged(runs):
    new = load_workbook(runs["new"] / "summary.xlsx", read_only=True)
    old = load_workbook(runs["old"] / "summary.xlsx", read_only=True)
    n_hidden = 0
    for name in ("indicators", "multiselect", "themes", "changes"):
        a_rows = list(new[name].iter_rows(values_only=True))
        b_rows = list(old[name].iter_rows(values_only=True))
        head = a_rows[0]
        assert head == b_rows[0] and len(a_rows) == len(b_rows)
        for i, (a, b) in enumerate(zip(a_rows[1:], b_rows[1:]), start=2):
            row = dict(zip(head, a))
            if row["suppressed"]:
                n_hidden += 1
                left = {c: v for c, v in row.items() if c not in HIDDEN_ROW_KEEPS and v is not None}
                assert not left, f"sheet {name} row {i}: hidden row still has {left}"
            else:
                assert a == b, f"sheet {name} row {i}: a visible row changed"
    assert n_hidden > 0


def test_cli_prints_a_note_on_flag_mode(runs):
    assert "suppression is 'flag'" in runs["output"] and "have no numbers in the files" in runs["output"]


def test_terminal_table_shows_no_number_of_a_hidden_total_row():
    """A wave whose total is under min_cell: its indicator row is hidden, and the terminal shows no n or share."""
    sd = SurveyDefinition.from_dict({**SPEC, "min_cell": 50})
    df, coded = _wave(2023, 2)
    s = build_summary({2023: df}, sd, {2023: coded}, quotes=False, drivers=False)
    ind = s.table("indicators")
    total = ind[ind["segment"] == TOTAL_SEGMENT].iloc[0]
    assert total["suppressed"] and total["n"] == 40
    assert "│ 40 " in s.to_text_table()  # the plain summary still holds the number (flag mode)
    shown, hidden = blank_hidden_rows(s, nullable=False)
    text = shown.to_text_table()
    assert hidden == sum(int(t["suppressed"].sum()) for t in s.tables.values() if "suppressed" in t)
    assert "│ 40 " not in text and "– kommentatorer" in text and "–––" not in text
    row = next(line for line in text.splitlines() if line.startswith("│ helhet") or "│ q1" in line)
    assert not any(ch.isdigit() for ch in row.split("│")[2:4])


def test_write_summary_blanks_hidden_rows_for_every_caller(tmp_path):
    """``write_summary`` (also what `textmine demo` writes with) leaves the numbers of hidden rows out."""
    from textmine.cli.stats import write_summary

    df, coded = _wave(2023, 2)
    s = build_summary({2023: df}, SurveyDefinition.from_dict(SPEC), {2023: coded}, quotes=False, drivers=False)
    write_summary(s, tmp_path)
    th = pd.read_csv(tmp_path / "themes.csv")
    hidden = th["suppressed"].to_numpy(bool)
    assert hidden.any() and th.loc[hidden, ["n", "count", "share", "ci_low", "ci_high"]].isna().all().all()
    kept = s.table("themes")[~hidden].reset_index(drop=True)
    assert th.loc[~hidden, "count"].tolist() == kept["count"].tolist()
    assert s.table("themes").loc[hidden, "n"].notna().all()  # the summary itself keeps them (flag mode)


def test_summary_xlsx_is_byte_identical_on_rerun(tmp_path, monkeypatch):
    """The workbook's time stamps come from SOURCE_DATE_EPOCH or a fixed date, never the clock."""
    import time as _time

    import pandas as pd

    from textmine.summary import _write_xlsx

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    sheets = {"meta": pd.DataFrame({"k": ["a"], "v": [1]})}
    _write_xlsx(sheets, tmp_path / "a.xlsx")
    _time.sleep(1.1)
    _write_xlsx(sheets, tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
