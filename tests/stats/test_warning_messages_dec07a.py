"""Survey-data messages that say where and what to do: a wave without the declared weight column (how to treat
it as unweighted), a decimal comma among decimal points in the weight column (rows named), and comments from
respondents the routing did not ask (rows and routing condition named)."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from textmine.io import TableReadError, read_table
from textmine.summary import build_summary
from textmine.survey import SurveyDefinitionError

HEADER = ("rid", "sektor", "fylke", "w", "q1", "q2")


def _csv(path, rows):
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_a_wave_without_the_weight_column_says_how_to_treat_it_as_unweighted(tmp_path, make_tiny_definition):
    survey = make_tiny_definition(free_text=[], drivers={})
    rows = [tuple(c for c in HEADER if c != "w"), ("A1", "P", "Oslo", "4", "3"), ("A2", "O", "Vestland", "6", "2")]
    with pytest.raises(TableReadError) as e:
        read_table(_csv(tmp_path / "wave_2026.csv", rows), survey=survey)
    msg = str(e.value)
    assert "column(s) w declared in the survey definition are missing from the data" in msg
    assert "add a column w with 1 in every row" in msg and "unweighted" in msg
    assert "«Metode»" in msg and "remove `weight`" in msg


def test_a_missing_column_other_than_the_weight_gets_no_weight_hint(make_tiny_definition):
    survey = make_tiny_definition(free_text=[], drivers={})
    df = pd.DataFrame({"rid": ["1", "2"], "sektor": "P", "fylke": "Oslo", "w": 1.0, "q1": [1, 2]})
    with pytest.raises(SurveyDefinitionError) as e:
        survey.validate_frame(df)
    assert "q2 declared in the survey definition are missing" in str(e.value)
    assert "unweighted" not in str(e.value)


def test_a_decimal_comma_among_decimal_points_names_its_rows(tmp_path, make_tiny_definition):
    survey = make_tiny_definition(free_text=[], drivers={})
    weights = ["1.5", '"1,25"', "0.8", '"0,5"', "2", "1.1", '"1,75"', '"2,5"', '"0,9"', '"1,3"']
    rows = [HEADER] + [(f"A{i}", "P", "Oslo", w, "4", "3") for i, w in enumerate(weights)]
    with pytest.raises(TableReadError) as e:
        read_table(_csv(tmp_path / "w.csv", rows), survey=survey)
    msg = " ".join(str(e.value).split())
    comma_rows = [i + 2 for i, w in enumerate(weights) if "," in w]  # header = row 1
    assert f"row {comma_rows[0]}, column w: weight must be a number ≥ 0" in msg
    shown = ", ".join(map(str, comma_rows[:5])) + ", …"
    assert f"rows {shown} of the weight column have a decimal comma" in msg
    assert "accepted only when the whole column uses it" in msg


def test_one_decimal_comma_is_named_alone_and_a_negative_weight_gets_no_comma_hint(make_tiny_definition):
    survey = make_tiny_definition(free_text=[], drivers={})
    df = pd.DataFrame({"rid": ["1", "2", "3"], "sektor": "P", "fylke": "Oslo", "w": ["1.5", "1,25", "0.5"],
                       "q1": 2, "q2": 3})
    with pytest.raises(SurveyDefinitionError, match=r"; row 3 of the weight column has a decimal comma: a decimal "
                                                    r"comma is accepted only when the whole column uses it"):
        survey.validate_frame(df)
    df["w"] = [1.5, -1.0, 0.5]
    with pytest.raises(SurveyDefinitionError) as e:
        survey.validate_frame(df)
    assert "weight must be a number ≥ 0" in str(e.value) and "decimal comma" not in str(e.value)


def test_unrouted_comments_name_their_file_rows_and_the_routing(make_tiny_definition):
    q2 = [1, 2, 3, 4, 5, 6, 1, 2, 3, 6, 4, 5]
    df = pd.DataFrame({"rid": [f"r{i:02d}" for i in range(1, 13)], "wave": 2025, "sektor": "P", "fylke": "Oslo",
                       "w": 1.0, "q1": 4, "q2": q2})
    df = df.iloc[::-1].reset_index(drop=True)  # not in id order: rows are the file's, not the sorted ones
    coded = pd.DataFrame({"respondent_id": list(df["rid"]), "question": "ft_rutet", "text_clean": "tekst",
                          "is_non_answer": 0, "theme_ros": 1})
    s = build_summary({2025: df}, make_tiny_definition(min_cell=1), {2025: coded}, quotes=False)
    [msg] = [m for m in s.warnings if "not routed" in m]
    unrouted = [i + 2 for i, v in enumerate(df["q2"]) if v not in (1, 2, 3)]
    assert f"{len(unrouted)} comment(s)" in msg
    assert re.search(r"\(rows " + ", ".join(map(str, unrouted[:5])) + r", …; routing: asked_if q2 is one of 1, 2, 3\)",
                     msg), msg
    one = coded[coded["respondent_id"].isin(["r01", "r04"])]  # r04 only is unrouted
    s = build_summary({2025: df}, make_tiny_definition(min_cell=1), {2025: one}, quotes=False)
    row = int(df.index[df["rid"] == "r04"][0]) + 2
    assert any(f"1 comment(s) from respondents not routed to the question (row {row}; routing" in m
               for m in s.warnings), s.warnings
