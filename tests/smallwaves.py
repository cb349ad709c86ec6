"""Small survey builders shared by the tests.

- :func:`wave_frames` / :func:`small_summary`: waves for the small-count suppression tests: per level of one
  segment, ``n`` respondents with an indicator ``q1``, the first ``com`` of them commenting (``ft``) and the first
  ``theme`` − ``shift`` commenters coded with the theme ``pris``.
- :func:`write_mini_survey`: the «mini» survey's files (s.yaml, w2022/2023.csv, optionally coded2022/2023.csv) for
  the command-line tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd
import yaml

from textmine.summary import Summary, build_summary
from textmine.survey import SurveyDefinition


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


def small_summary(levels: Mapping[str, Mapping[str, int]], definition: SurveyDefinition, *, segment: str,
                  answers: Callable[[str, Mapping[str, int]], list], shift: int = 3) -> Summary:
    """The summary (no quotes, no drivers) of waves 2022 (``shift`` fewer theme commenters per level) and 2023."""
    f22, c22 = wave_frames(levels, 2022, segment=segment, answers=answers, shift=shift)
    f23, c23 = wave_frames(levels, 2023, segment=segment, answers=answers)
    return build_summary({2022: f22, 2023: f23}, definition, {2022: c22, 2023: c23}, quotes=False, drivers=False)


def write_mini_survey(folder: Path, *, seed: int, n: int, ft: Callable[[int], str], coded: str | None = None,
                      title: str | None = None, indicator: Mapping[str, Any] | None = None,
                      free_text: Mapping[str, Any] | None = None) -> Path:
    """Write the «mini» survey into ``folder`` and return it: s.yaml (id ``rid``, wave ``aar``, weight ``vekt``,
    min_cell 5, segment ``sektor`` P/O, indicator ``helhet`` = ``q1`` on 1–6 and free text ``ft``, with
    ``indicator`` / ``free_text`` added to those entries) and waves w2022.csv, w2023.csv of ``n`` respondents
    (sektor, vekt, q1 drawn in that order from one generator seeded ``seed``; ``ft(i)`` the i-th comment).
    ``coded``: also coded2022/2023.csv, every comment coded as that text with the theme ``telefon``;
    ``title``: a line above the column names (``{year}`` filled in)."""
    rng = np.random.default_rng(seed)
    spec = {"name": "mini", "id": "rid", "wave": "aar", "weight": "vekt", "min_cell": 5,
            "segments": [{"column": "sektor", "levels": {"P": "Privat", "O": "Offentlig"}}],
            "indicators": [{"id": "helhet", "column": "q1", "scale": [1, 6], **(indicator or {})}],
            "free_text": [{"column": "ft", **(free_text or {})}]}
    (folder / "s.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    for year in (2022, 2023):
        df = pd.DataFrame({"rid": [f"{year}-{i}" for i in range(n)], "aar": year,
                           "sektor": rng.choice(["P", "O"], n), "vekt": np.round(rng.uniform(0.5, 1.5, n), 3),
                           "q1": rng.integers(1, 7, n), "ft": [ft(i) for i in range(n)]})
        path = folder / f"w{year}.csv"
        if title is None:
            df.to_csv(path, index=False)
        else:
            path.write_text(title.format(year=year) + "\n" + df.to_csv(index=False), encoding="utf-8")
        if coded is not None:
            df[df["ft"] != ""][["rid"]].rename(columns={"rid": "respondent_id"}).assign(
                question="ft", text_clean=coded, is_non_answer=0, health_flag=0,
                theme_telefon=1, theme_annet=0).to_csv(folder / f"coded{year}.csv", index=False)
    return folder
