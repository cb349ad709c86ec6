"""Code review dec06d of the Excel repairs: a long-format INPUT (several answers per id) never lends one answer's
text to another's correction; ids of non-ASCII digits do not crash the id repair; a percent cell never prints 100
or 0 for a share that is neither."""

from pathlib import Path

import pandas as pd

from textmine.cli import coding
from textmine.report.numbers import pct_cell
from textmine.review import restore_correction_ids


class _Same:
    def clean(self, texts):
        return pd.DataFrame({"text_clean": list(texts)})


def test_long_format_input_lends_no_other_answers_text():
    data = pd.DataFrame({"id": ["0005", "0005", "0007"], "question": ["q1", "q2", "q1"],
                         "text": ["Flott 😀", "Dårlig 👎", "Ok 🙂"]})
    corr = pd.DataFrame({"id": ["5", "7"], "question": ["q1", "q1"], "text": ["Flott ?", "Ok ?"],
                         "themes": ["ros", "ros"]})
    out = coding._undo_excel(corr, data, "id", Path("q.csv"), Path("in.csv"), _Same(), "text")
    assert out["id"].tolist() == ["0005", "0007"]
    assert out["text"].tolist() == ["Flott ?", "Ok 🙂"]  # 0005 has two answers: left as written


def test_ids_of_other_digits_are_left_alone():
    assert restore_correction_ids(["1"], ["²", "01"]) == (["01"], 1)
    assert restore_correction_ids(["²"], ["1"]) == (["²"], 0)


def test_percent_cells_never_print_0_or_100_for_other_shares():
    assert pct_cell(0.9996) == "99,96" and pct_cell(0.0004) == "0,04"
    assert pct_cell(0.285) == "29" and pct_cell(1.0) == "100" and pct_cell(0.0) == "0"
