"""Small two-group waves for the small-count suppression tests: per level of one segment, ``n`` respondents with
an indicator ``q1``, the first ``com`` of them commenting (``ft``) and the first ``theme`` − ``shift`` commenters
coded with the theme ``pris``."""

from __future__ import annotations

from typing import Callable, Mapping

import pandas as pd


def wave_frames(levels: Mapping[str, Mapping[str, int]], wave: int, *, segment: str,
                answers: Callable[[str, Mapping[str, int]], list], shift: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The wave's frame (``rid``, ``aar``, ``segment``, ``q1``, ``ft``) and its coded frame; ``answers(level, spec)``
    gives the level's q1 values (one per respondent)."""
    rows, coded = [], []
    for lv, c in levels.items():
        for i, v in enumerate(answers(lv, c)):
            rid = f"{wave}-{lv}-{i}"
            com = i < c["com"]
            rows.append({"rid": rid, "aar": wave, segment: lv, "q1": v, "ft": f"Kommentar {i}" if com else ""})
            if com:
                coded.append({"respondent_id": rid, "question": "ft", "text_clean": f"Kommentar {i}",
                              "is_non_answer": 0, "theme_pris": int(i < c["theme"] - shift)})
    return pd.DataFrame(rows), pd.DataFrame(coded)
