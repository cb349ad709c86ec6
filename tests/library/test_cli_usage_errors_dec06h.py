"""The CLI's usage errors from typer/click themselves («No such option», «Invalid value for '--codebook': file … does
not exist», «Got unexpected extra argument») go through ``redact_message`` like the CLI's own messages: the user's
value is redacted, the exit code (2) and the usage lines stay, the user's folders stay readable. A number next to a
row word is redacted like any other: it may be the user's («no column 'rad 15038510190'»)."""

from __future__ import annotations

import sys

import pytest
from typer.testing import CliRunner

from textmine.cli import app, main, redact_message

FNR = "15038510190"


def _said(output: str) -> str:
    """The output with rich's panel borders and line wrapping taken out."""
    return " ".join(output.replace("│", " ").replace("╭", " ").replace("╰", " ").split())


def _input(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "svar.csv").write_text("text\nSvaret mitt\n", encoding="utf-8")


@pytest.mark.parametrize(
    "args, shown",
    [
        ([f"--kari-{FNR}"], "No such option: --kari-[FØDSELSNUMMER]"),
        ([f"kari_{FNR}"], "No such command '[navn skjult]'"),
        (["discover", "svar.csv", "--text-col", "text", "--out", "o", "--codebook",
          f"rapporter/Kari_Nordmann_{FNR}.yaml"],
         "Invalid value for '--codebook': file 'rapporter/[navn skjult]' does not exist"),  # the folder stays
        (["clean", "svar.csv", "--text-col", "text", "--out", "ut.csv", FNR],
         "unexpected extra argument(s) ([FØDSELSNUMMER])"),
    ],
)
def test_usage_errors_are_redacted(tmp_path, monkeypatch, args, shown):
    _input(tmp_path, monkeypatch)
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 2
    said = _said(res.output)
    assert FNR not in said and "Nordmann" not in said
    assert shown in said
    assert "Usage: textmine" in said  # the usage text stays


def test_console_entry_point_redacts_usage_errors(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["textmine", f"--ola-{FNR}"])
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 2
    err = _said(capsys.readouterr().err)
    assert FNR not in err and "No such option: --ola-[FØDSELSNUMMER]" in err


def test_help_without_arguments_is_not_redacted():
    res = CliRunner().invoke(app, [])
    assert "Usage: textmine" in res.output and "discover" in res.output and "[NAVN]" not in res.output


@pytest.mark.parametrize(
    "msg, expected",
    [
        ("no column 'rad 15038510190'", "no column 'rad [FØDSELSNUMMER]'"),  # the user's column name
        ("No such command 'Ola 15038510190 rad'.", "No such command '[NAVN] [FØDSELSNUMMER] rad'."),
        ("no column 'tlf 91234567 linje 2'", "no column 'tlf [TELEFON] linje 2'"),
        ("row 41 23 45 67 is empty", "row [TELEFON] is empty"),
    ],
)
def test_a_number_next_to_a_row_word_is_still_redacted(msg, expected):
    assert redact_message(msg) == expected


@pytest.mark.parametrize(
    "msg, expected",
    [
        ("Kolonne «tlf», rad 34: fikk «91234567»", "Kolonne «tlf», rad 34: fikk «[TELEFON]»"),
        ("the id «22345678» is unknown", "the id «[TELEFON]» is unknown"),  # a value from the data
        ("ring 91234567", "ring [TELEFON]"),
        (f"rad 12: {FNR}", "rad 12: [FØDSELSNUMMER]"),
    ],
)
def test_values_from_the_data_are_still_redacted(msg, expected):
    assert redact_message(msg) == expected
