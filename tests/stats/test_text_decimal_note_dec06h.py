"""The terminal tables say in one line under a table why its changes are shown some in whole points and some with a
decimal (a change whose rounded shares would not add up gets one, as in the report), and only under such a table."""

from __future__ import annotations

import pandas as pd

from textmine.summary import TOTAL_SEGMENT
from textmine.texttables import DECIMAL_NOTE, text_tables

#: theme → (share 2022, share 2023): a 7 → 10 % with +2.8 pp («+3» adds up), b 7 → 10 % with +3.7 («+4» would not),
#: c 20 → 25 % with +5.0
SHARES = {"a": (0.0740, 0.1020), "b": (0.0650, 0.1020), "c": (0.20, 0.25)}


class _Summary:
    survey, waves = "s", ["2022", "2023"]

    def __init__(self, themes: list[str], indicator: tuple[float, float]):
        row = {"wave": "2023", "segment": TOTAL_SEGMENT, "n": 200, "share": 0.0, "ci_low": 0.0, "ci_high": 0.0}
        self._t = {
            "indicators": pd.DataFrame([{**row, "indicator": "helhet", "label": "Helhet", "share": indicator[1]}]),
            "themes": pd.DataFrame([{**row, "question": "q", "theme": t, "denominator": d, "count": 20,
                                     "share": SHARES[t][1]} for t in themes
                                    for d in ("kommentatorer", "spurt", "alle")]),
            "changes": pd.DataFrame(
                [{"kind": "indicator", "wave": "2023", "segment": TOTAL_SEGMENT, "item": "helhet",
                  "share_prev": indicator[0], "share": indicator[1], "diff": indicator[1] - indicator[0],
                  "verdict": "ingen sikker endring"}]
                + [{"kind": "theme", "wave": "2023", "segment": TOTAL_SEGMENT, "item": t, "question": "q",
                    "denominator": "kommentatorer", "share_prev": SHARES[t][0], "share": SHARES[t][1],
                    "diff": SHARES[t][1] - SHARES[t][0], "verdict": "ingen sikker endring"} for t in themes]),
        }
        self.meta = {"weighted": False, "comparisons": [["2022", "2023"]], "theme_labels": {},
                     "questions": [{"column": "q", "label": "Spørsmål Q"}], "verdict_rule": "", "ci_method": ""}

    def table(self, name):
        return self._t.get(name, pd.DataFrame())


def test_a_table_mixing_whole_and_one_decimal_changes_says_why_under_it():
    text = text_tables(_Summary(["a", "b", "c"], (0.50, 0.55)))
    assert "+3,7" in text and "+3 " in text and "+5 " in text  # (the changes as shown: mixed)
    assert text.count(DECIMAL_NOTE) == 1
    lines = text.splitlines()
    at = lines.index(DECIMAL_NOTE)
    assert lines[at - 1].startswith("└") and at > next(i for i, x in enumerate(lines) if "Spørsmål Q" in x)
    assert len(DECIMAL_NOTE) < 140 and "én desimal" in DECIMAL_NOTE  # one line of the terminal's width


def test_no_note_where_every_change_is_whole_or_every_one_has_a_decimal():
    text = text_tables(_Summary(["a", "c"], (0.50, 0.55)))
    assert "+3 " in text and "+5 " in text and ",7" not in text
    assert DECIMAL_NOTE not in text
    text = text_tables(_Summary(["b"], (0.50, 0.55)))  # only «+3,7» in the theme table, «+5» in the indicators'
    assert "+3,7" in text and DECIMAL_NOTE not in text
