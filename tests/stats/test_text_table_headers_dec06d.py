"""The terminal theme table's change column says which share it is the change of (the commenters' share, not the
«% av alle» column beside it)."""

import importlib.util
from pathlib import Path

from textmine.summary import build_summary

_spec = importlib.util.spec_from_file_location("_summary_tests", Path(__file__).with_name("test_summary.py"))
_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_mod)


def test_theme_change_column_names_its_share(make_tiny_definition):
    df, coded = _mod.tiny_frames()
    later, later_coded = df.assign(wave=2024), coded.copy()
    s = build_summary({2023: df, 2024: later}, make_tiny_definition(), {2023: coded, 2024: later_coded},
                      quotes=False, drivers=False)
    text = s.to_text_table(width=400)
    indicators, themes = text.split("kommentatorer /", 1)
    from textmine.texttables import _change_header

    assert _change_header(s, 2024, "av komm.") == "Endring pp\nav komm.\n(fra 2023)"
    # both questions' tables: «av komm.» under «Endring pp» beside the «% av komm.» share column
    assert themes.count("av komm.") - themes.count("% av komm.") == 2 and "(fra 2023)" in themes
    # the indicator table shows one share: no «of which» needed
    assert "Endring pp" in indicators and "av komm." not in indicators and "(fra 2023)" in indicators
