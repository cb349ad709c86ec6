"""Read warnings and errors that named the wrong cause: a first respondent's «vet ikke» in several scale items
is an answer, not a second header row (a grid question repeated over its items still is one); text after a closing quote is not a quote left open."""
from __future__ import annotations

import warnings

import pytest

from textmine.io import TableReadError, read_table


def _read_error(tmp_path, text: str) -> TableReadError:
    src = tmp_path / "s.csv"
    src.write_text(text, encoding="utf-8")
    with pytest.raises(TableReadError) as e:
        read_table(src)
    return e.value


def _read_quietly(path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return read_table(path)


@pytest.mark.parametrize("top", ["vet ikke;Vet ikke", "-;-", "vet ikke;vet ikke"])
def test_non_answers_on_the_first_row_are_answers_not_a_header(tmp_path, top):
    src = tmp_path / "vk.csv"
    src.write_text(f"id;q1;q2;q3\n1;{top};3\n2;4;5;6\n3;2;3;4\n4;1;2;3\n", encoding="utf-8")
    df = _read_quietly(src)
    assert df["q1"].iloc[0].lower() in {"vet ikke", "-"} and len(df) == 4


@pytest.mark.parametrize("second", [
    '1,"Hvor fornøyd?","Hvor fornøyd?","Hvor fornøyd?"',  # a grid question repeated over its items
    "Løpenr,Hvor fornøyd?,Hvor enig?,vet ikke",  # question texts under the codes (one a non-answer word)
])
def test_a_real_second_header_row_still_warns(tmp_path, second):
    src = tmp_path / "h.csv"
    src.write_text(f"id,q1,q2,q3\n{second}\n2,4,5,6\n3,2,3,4\n4,1,2,3\n", encoding="utf-8")
    with pytest.warns(UserWarning, match=r"row 2 looks like a second header row \(text in 3 number column"):
        read_table(src)


def test_text_after_a_closing_quote_is_named_as_such(tmp_path):
    err = _read_error(tmp_path, 'id,a,b\n1,x,4\n2,"hei" der,3\n3,x,4\n')
    msg = str(err)
    assert err.row == 3 and "text after a closing quote on row 3" in msg and "never closed" not in msg


def test_stray_text_over_several_lines_names_both_causes(tmp_path):
    err = _read_error(tmp_path, 'id,a,b\n1,"hei\nsann" der,3\n2,x,4\n')
    msg = str(err)
    assert err.row == 2 and "opened on row 2 is never closed" in msg and "text follows its closing quote on row 3" in msg


def test_a_quote_never_closed_is_still_named_as_such(tmp_path):
    assert "quoted field opened on row 2 is never closed" in str(_read_error(tmp_path, 'id,a,b\n1,"hei,3\n2,x,4\n'))
