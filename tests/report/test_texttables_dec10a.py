"""Terminal tables narrower than 29 cells (dec 10): every number whole from 20 cells (the label column narrows, its
labels folded again at spaces and hyphens, instead of rich squeezing it and cutting the numbers or folding the
folded labels inside words: «32–9 / 7», «Sykefravær / s-»)."""

import dataclasses
import io
import re

import pytest
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table

from textmine.summary import TOTAL_SEGMENT
from textmine.texttables import _add_rows, _ci, _parts, _shares, _whole, text_tables

#: theme labels whose words (and hyphen parts) are at most 12 cells: none is split inside at 24 cells or wider
SHORT_WORDS = {"telefon": "Sykefraværs-oppfølging hos det lokale NAV-kontoret", "saksbehandlingstid": "Svar og vent",
               "refusjon": "Refusjon av sykepenger", "digitale_tjenester": "Digitale tjenester", "ros": "Ros",
               "annet": "Annet"}


@pytest.fixture(scope="module")
def relabelled(summary):
    return dataclasses.replace(summary, meta={**summary.meta, "theme_labels": SHORT_WORDS})


def _tokens(text: str) -> set[str]:
    """The words and numbers of ``text``: split at spaces, not inside «2\u00a0973» (no-break space)."""
    return set(re.split(r"[^\S\u00a0]+", text))


def _label_cells(text: str) -> list[str]:
    """The first cell of every body or header line of the tables in ``text`` (a label or a piece of one)."""
    rows = [line for line in text.splitlines() if line[:1] in "│┃" and line.count(line[0]) > 2]
    return [line.split(line[0])[1].strip() for line in rows]


@pytest.mark.parametrize("width", range(20, 29))
def test_every_number_is_whole_from_20_cells(summary, width):
    text = text_tables(summary, width=width)
    assert "…" not in text
    assert not [line for line in text.splitlines() if cell_len(line) > width]
    wave = summary.waves[-1]
    sh, lo, hi = _shares(summary)
    th, ind = summary.table("themes"), summary.table("indicators")
    th = th[(th["wave"] == wave) & (th["segment"] == TOTAL_SEGMENT) & (th["denominator"] == "kommentatorer")]
    ind = ind[(ind["wave"] == wave) & (ind["segment"] == TOTAL_SEGMENT)]
    tokens = _tokens(text)
    for t, count in ((th, "count"), (ind, "n")):
        assert len(t)
        for _, r in t.iterrows():
            assert _ci(r[lo], r[hi]) in tokens, (width, _ci(r[lo], r[hi]))  # was «32–9» / «7» below 24 cells
            assert _whole(r[count]) in tokens


@pytest.mark.parametrize("width", range(24, 29))
def test_split_tables_fold_labels_only_at_spaces_and_hyphens(relabelled, width):
    """Every word of these labels fits the label column: no label is split inside a word (before, from 24 to 28
    cells, rich squeezed the folded labels again: «Sykefravær» / «s-»)."""
    text = text_tables(relabelled, width=width)
    assert "(forts.)" in text  # (split in parts)
    words = {p for lab in [*SHORT_WORDS.values(), *relabelled.table("indicators")["label"], "Tema", "Indikator"]
             for w in lab.split() for p in (w, *(f"{x}-" for x in w.split("-")[:-1]), w.split("-")[-1])}
    pieces = {w for cell in _label_cells(text) for w in cell.split()}
    assert pieces and pieces <= words, sorted(pieces - words)
    assert {"Sykefraværs-", "NAV-", "kontoret"} <= pieces


def test_a_part_narrows_its_labels_to_keep_wide_numbers_whole():
    """Six-cell numbers («12 973», «97–100») beside a label in a 20-cell terminal: the label column narrows to 7
    cells and the label folds at its spaces and hyphen, inside only a word wider than that."""
    t = Table(title="Tema")
    for c in ("Tema", "Antall", "95 % KI", "Endring pp (fra 2023)"):
        t.add_column(c, justify="left" if c == "Tema" else "right")
    _add_rows(t, 20, [("Sykefraværs-oppfølging og ros", "12\u00a0973", "97–100", "+0,8")])
    console = Console(file=io.StringIO(), record=True, width=20, color_system=None)
    for part in _parts(t, 20, console):
        console.print(part)
    text = console.export_text()
    assert "…" not in text and max(cell_len(line) for line in text.splitlines()) <= 20
    tokens = _tokens(text)
    assert {"12\u00a0973", "97–100", "+0,8", "2023)"} <= tokens
    assert {"og", "ros", "oppfølg"} <= {w for cell in _label_cells(text) for w in cell.split()}


#: a theme table's last header when the outcome's label is a column id (dec 10 review): its words hold digits
Q12_HEADER = "q12_helhetsinntrykk: nevner vs ikke (pp)"


@pytest.mark.parametrize("width", range(29, 41))
def test_a_header_word_with_digits_does_not_squeeze_the_label_column(width):
    """«q12_helhetsinntrykk:» is a header word, not a number: it folds, and the label column keeps its 12 cells
    (before, it counted as a 20-cell number and the label column shrank to 2–11 cells: «Sykefra / vær»)."""
    t = Table(title="Tema")
    for c in ("Tema", "Antall", Q12_HEADER):
        t.add_column(c, justify="left" if c == "Tema" else "right")
    _add_rows(t, width, [("Sykefravær og oppfølging", "133", "+5 (tendens)"), ("Ros", "70", "−14 (tendens)")])
    console = Console(file=io.StringIO(), record=True, width=width, color_system=None)
    for part in _parts(t, width, console):
        console.print(part)
    text = console.export_text()
    assert "…" not in text and max(cell_len(line) for line in text.splitlines()) <= width
    assert {"133", "70", "+5", "−14"} <= _tokens(text)
    cells = _label_cells(text)
    assert {w for cell in cells for w in cell.split()} == {"Tema", "Sykefravær", "og", "oppfølging", "Ros"}
    assert {cell_len(line.split(line[0])[1]) for line in text.splitlines() if line[:1] == "│"} == {14}  # (12 + padding)


@pytest.fixture(scope="module")
def q12_outcome(relabelled):
    return dataclasses.replace(relabelled, meta={**relabelled.meta, "outcome_label": "Q12_helhetsinntrykk_2023"})


@pytest.mark.parametrize("width", [*range(24, 41), 60])
def test_an_outcome_label_with_digits_keeps_labels_and_numbers_whole(q12_outcome, width):
    """The theme tables' «Q12_helhetsinntrykk_2023: nevner vs ikke (pp)» column: labels fold only at spaces and
    hyphens and every number stays whole (before, from 24 to 40 cells, the label column shrank to 2–11 cells)."""
    text = text_tables(q12_outcome, width=width)
    assert "Q12_helhetsinntrykk_2023" in q12_outcome.meta["outcome_label"] and "…" not in text
    assert max(cell_len(line) for line in text.splitlines()) <= width
    words = {p for lab in [*SHORT_WORDS.values(), *q12_outcome.table("indicators")["label"], "Tema", "Indikator"]
             for w in lab.split() for p in (w, *(f"{x}-" for x in w.split("-")[:-1]), w.split("-")[-1])}
    pieces = {w for cell in _label_cells(text) for w in cell.split()}
    assert pieces and pieces <= words, sorted(pieces - words)
    th = q12_outcome.table("themes")
    sh, lo, hi = _shares(q12_outcome)
    th = th[(th["wave"] == q12_outcome.waves[-1]) & (th["segment"] == TOTAL_SEGMENT)
            & (th["denominator"] == "kommentatorer")]
    assert {_ci(r[lo], r[hi]) for _, r in th.iterrows()} <= _tokens(text)
