"""Terminal tables in a narrow terminal (dec 9): long labels fold at word boundaries, no number or header word is cut
to «…», no line is wider than the terminal; a table too wide is printed in parts, each with the labels."""

import importlib.util
from pathlib import Path

import pytest
from rich.cells import cell_len

from textmine.summary import build_summary
from textmine.texttables import _ci, _shares, text_tables

_spec = importlib.util.spec_from_file_location("_summary_tests", Path(__file__).with_name("test_summary.py"))
_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_mod)

LABELS = {"telefon": "Telefon og tilgjengelighet hos det lokale NAV-kontoret",
          "vente": "Svar- og saksbehandlingstid for refusjon", "ros": "Ros"}


@pytest.fixture
def summary(make_tiny_definition):
    df, coded = _mod.tiny_frames()
    s = build_summary({2023: df, 2024: df.assign(wave=2024)}, make_tiny_definition(), {2023: coded, 2024: coded.copy()},
                      quotes=False, drivers=False)
    s.meta["theme_labels"] = LABELS
    return s


def _numbers_whole(summary, text: str, width: int) -> None:
    assert "…" not in text, text
    wide = [line for line in text.splitlines() if cell_len(line) > width]
    assert not wide, wide
    th = summary.table("themes")
    sh, lo, hi = _shares(summary)
    rows = th[(th["wave"] == 2024) & (th["segment"] == "Totalt") & (th["denominator"] == "kommentatorer")]
    assert len(rows) >= 3
    for _, r in rows.iterrows():  # every CI whole (e.g. «32–97», was «32…» at 60 cells)
        assert _ci(r[lo], r[hi]) in text, _ci(r[lo], r[hi])


@pytest.mark.parametrize("width", [60, 40])
def test_a_narrow_table_cuts_no_number_and_no_word(summary, width):
    text = text_tables(summary, width=width)
    _numbers_whole(summary, text, width)
    for word in ("Vurdering", "Antall", "Indikator", "(vektet)", "(fra", "2023)"):  # headers fold, not cut
        assert word in text, word
    # every theme's label is there, folded (only a word wider than the label column is split)
    flat = " ".join(text.split())
    assert "Ros" in flat and "Telefon og" in flat


def test_24_cells_still_show_every_number_whole(summary):
    """The narrowest terminal ``_parts`` promises whole numbers of up to 5 characters in (12-cell label column):
    a header word may be split there, a CI is not (before: the numbers' columns were squeezed to nothing)."""
    _numbers_whole(summary, text_tables(summary, width=24), 24)


def test_a_wide_terminal_keeps_one_table_per_question(summary):
    text = text_tables(summary, width=200)
    assert "(forts.)" not in text and "…" not in text
