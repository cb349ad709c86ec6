"""A segment level with respondents in only one of two compared waves (renamed, new) is named in a warning,
since the change tables cannot compare it; values of a free-valued segment are counted, never named."""

import pandas as pd

from textmine.summary import build_summary


def _wave(wave, sektor, kontor):
    n = len(sektor)
    return pd.DataFrame({"rid": [f"{wave}-{i}" for i in range(n)], "wave": wave, "sektor": sektor,
                         "fylke": ["Oslo", "Vestland"] * (n // 2), "kontor": kontor, "w": 1.0,
                         "q1": [6, 5, 4, 3, 2, 1] * (n // 6), "q2": [1, 2, 3, 4, 5, 6] * (n // 6)})


def test_levels_in_only_one_wave_are_warned_about(make_tiny_definition):
    segs = [{"column": "sektor", "levels": {"P": "Privat virksomhet", "O": "Offentlig virksomhet",
                                             "K": "Kommunal virksomhet"}},
            {"column": "fylke", "levels": ["Oslo", "Vestland"]},
            {"column": "kontor"}]
    survey = make_tiny_definition(segments=segs, free_text=[], drivers=None)
    a = _wave(2023, list("PO") * 6, ["Bergen"] * 12)
    b = _wave(2024, list("PK") * 6, ["Bergen"] * 6 + ["Ola Hansen kontor"] * 6)
    s = build_summary({2023: a, 2024: b}, survey, quotes=False)
    msgs = [m for m in s.warnings if "not compared" in m]
    assert any("sektor" in m and "Offentlig virksomhet" in m and "only in 2023" in m
               and "Kommunal virksomhet" in m and "only in 2024" in m for m in msgs), s.warnings
    kontor = [m for m in msgs if "kontor" in m]
    assert kontor and "1 level(s) only in 2024" in kontor[0] and "Ola" not in " ".join(s.warnings)
    assert not any("fylke" in m for m in msgs)  # present in both waves: nothing to say

    same = build_summary({2023: a, 2024: _wave(2024, list("PO") * 6, ["Bergen"] * 12)}, survey, quotes=False)
    assert not [m for m in same.warnings if "not compared" in m]
