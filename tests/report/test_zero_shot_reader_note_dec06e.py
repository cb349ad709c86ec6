"""A zero-shot run whose theme shares are implausible tells the report's readers (HTML «Merknader»), not only the
analyst (rapport.json / «Metode»): the shares are what the report publishes (review dec06e)."""

from types import SimpleNamespace

import pandas as pd
import pytest

from textmine.classify.zeroshot import share_warning
from textmine.codebook import Codebook
from textmine.report.html import ZERO_SHOT_NOTE, _zero_shot_shares_warned
from textmine.report.wording import NN, say


def _warning() -> str:
    cb = Codebook.from_dict({"name": "t", "version": "1", "language": "nb", "themes": [
        {"id": "a", "label": "A", "description": "a"}, {"id": "b", "label": "B", "description": "b"}]})
    decided = pd.DataFrame({"a": [1] * 40, "b": [0] * 40}).to_numpy()
    msg = share_warning(cb, decided, [True] * 40)
    assert msg
    return msg


@pytest.mark.parametrize("warnings", [lambda w: [w], lambda w: f"drivers: x; {w}"])
def test_a_share_warning_in_the_run_warnings_gives_the_reader_note(warnings):
    r = SimpleNamespace(method={"warnings": warnings(_warning())})
    assert _zero_shot_shares_warned(r)


@pytest.mark.parametrize("method", [{}, {"warnings": []}, {"warnings": ["theme(s) x left out of the drivers"]}])
def test_no_share_warning_no_note(method):
    assert not _zero_shot_shares_warned(SimpleNamespace(method=method))


def test_the_note_has_a_nynorsk_wording():
    assert ZERO_SHOT_NOTE in NN and say(ZERO_SHOT_NOTE, "nn") != ZERO_SHOT_NOTE
