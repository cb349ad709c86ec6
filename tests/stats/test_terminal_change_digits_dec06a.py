"""Terminal tables (a methodologist's review F6/F7): a change whose rounded shares do not add up is printed with one
decimal, as in the report; the weighted share columns say «(vektet)» beside the unweighted «Antall»."""
from __future__ import annotations

import pandas as pd

from textmine.summary import TOTAL_SEGMENT
from textmine.texttables import _change_of, _theme_text_table


class _S:
    def __init__(self, changes: pd.DataFrame, weighted: bool = True):
        self._t = {"changes": changes, "theme_indicators": pd.DataFrame()}
        self.meta = {"weighted": weighted, "comparisons": [], "theme_labels": {}}

    def table(self, name):
        return self._t.get(name, pd.DataFrame())


def _changes(prev, cur):
    return pd.DataFrame([{"kind": "theme", "wave": "2023", "segment": TOTAL_SEGMENT, "item": "refusjon",
                          "question": "q", "denominator": "kommentatorer", "share_prev": prev, "share": cur,
                          "diff": cur - prev, "verdict": "ingen sikker endring"}])


def test_a_change_that_does_not_add_up_gets_one_decimal():
    key = {"question": "q", "item": "refusjon", "denominator": "kommentatorer"}
    d, v = _change_of(_S(_changes(0.0740, 0.1020)), "2023", "theme", key)  # 7 % → 10 %, +2.8 → «+3» adds up
    assert d == "+3" and v == "ingen sikker endring"
    d, _ = _change_of(_S(_changes(0.0650, 0.1020)), "2023", "theme", key)  # 7 % → 10 %, +3.7 → «+4» would not
    assert d == "+3,7"


def test_weighted_share_columns_say_so():
    sub = pd.DataFrame([{"denominator": d, "theme": "refusjon", "n": 100, "count": 10, "share_w": 0.1,
                         "ci_low_w": 0.05, "ci_high_w": 0.17, "share": 0.1, "ci_low": 0.05, "ci_high": 0.17}
                        for d in ("kommentatorer", "spurt", "alle")])
    heads = [c.header for c in _theme_text_table(_S(pd.DataFrame()), "2023", {"label": "Q", "column": "q"},
                                                 sub, None).columns]
    assert "% av komm. (vektet)" in heads and "% av alle (vektet)" in heads and "Antall" in heads
    heads = [c.header for c in _theme_text_table(_S(pd.DataFrame(), weighted=False), "2023",
                                                 {"label": "Q", "column": "q"}, sub.rename(columns={}), None).columns]
    assert "% av komm." in heads and not any("vektet" in h for h in heads)
