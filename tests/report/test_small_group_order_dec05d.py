"""«Liten gruppe N» numbers do not follow the hidden levels' names (dec05d): a reader with the list of levels could
otherwise map each number back to its name. They follow a keyed hash of the level (the installation's private key):
same data and seed, same numbers, in every table, chart, sheet and quote attribution of the report, and small
groups are listed in the order of their numbers, never in the order of their names.

Data: «kontor» is free-valued. Six small offices (2–7 respondents, under min_cell 10), whose alphabetical order is
also the order of the data, are hidden everywhere; «Zeta kontor» (40) is hidden only in question «q_zz» of 2023."""

from __future__ import annotations

import hashlib
import hmac
import re
from types import SimpleNamespace

import pandas as pd
import pytest

from .test_small_groups_dec05c import build_small_groups

SMALL = {"AA 101": 4, "BB 202": 5, "CC 303": 6, "DD 404": 3, "EE 505": 7, "FF 606": 2}
ZETA = "Zeta kontor"
KONTOR = ["Kontor A"] * 120 + ["Kontor B"] * 100 + [ZETA] * 40 + [k for k, n in SMALL.items() for _ in range(n)]
LABEL = re.compile(r"Liten gruppe (\d+)")


def _keyed_order(levels, key: bytes | None = None) -> list[str]:
    """The levels of one segment in the order of HMAC-SHA256(key, "kontor" + US + level); by default the
    installation's private key."""
    from textmine.paths import disclosure_key

    key = disclosure_key() if key is None else key

    def mac(level):
        return hmac.new(key, f"kontor\x1f{level}".encode(), hashlib.sha256).hexdigest()
    return sorted(levels, key=mac)


def _survey():
    return SimpleNamespace(segments=[SimpleNamespace(column="kontor", levels=())])


def _hidden_table(levels) -> pd.DataFrame:
    return pd.DataFrame({"segment_var": "kontor", "segment": list(levels), "suppressed": True})


def _numbers(names: dict, levels) -> list[int]:
    return [int(LABEL.fullmatch(names[("kontor", lv)].capitalize()).group(1)) for lv in levels]


# ------------------------------------------------------------------ the numbering rule
def test_numbers_do_not_follow_the_names_alphabetical_order():
    from textmine.report.views import small_level_names

    levels = sorted(SMALL)  # alphabetical, and the order the tables list them
    names = small_level_names(_survey(), _hidden_table(levels))
    numbers = _numbers(names, levels)
    assert sorted(numbers) == list(range(1, len(levels) + 1)), names
    assert numbers != sorted(numbers) and numbers != sorted(numbers, reverse=True), numbers
    # numbered in the keyed-hash order (the installation's private key by default)
    assert [lv for _, lv in sorted(zip(numbers, levels))] == _keyed_order(levels)


def test_numbers_are_deterministic_keyed_by_the_key_and_not_by_the_tables_order():
    from textmine.report.views import small_level_names

    levels = sorted(SMALL)
    base = small_level_names(_survey(), _hidden_table(levels), key=b"k7")
    assert small_level_names(_survey(), _hidden_table(levels), key=b"k7") == base
    shuffled = small_level_names(_survey(), _hidden_table(levels[::-1]), _hidden_table(levels[2:]), key=b"k7")
    assert shuffled == base  # the order of the rows or tables does not matter
    others = [small_level_names(_survey(), _hidden_table(levels), key=k) for k in (b"k0", b"k1", b"k2")]
    assert any(o != base for o in others), "the key does not change the numbering"


def test_small_rows_are_listed_in_the_order_of_their_numbers():
    from textmine.report.charts import small_last
    from textmine.report.views import small_levels_last

    t = pd.DataFrame({"question": "q", "theme": "a", "segment_var": "kontor",
                      "segment": ["Liten gruppe 2", "Kontor A", "Liten gruppe 10", "Liten gruppe 1", "Kontor B"]})
    out = small_levels_last(t, t["segment"].str.startswith("Liten gruppe"))
    assert list(out["segment"]) == ["Kontor A", "Kontor B", "Liten gruppe 1", "Liten gruppe 2", "Liten gruppe 10"]
    assert small_last(["Liten gruppe 2", "Bygg", "Liten gruppe 10", "liten gruppe 1", "Helse"]) == [
        "Bygg", "Helse", "liten gruppe 1", "Liten gruppe 2", "Liten gruppe 10"]


# ------------------------------------------------------------------ one numbering in the whole report
@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from textmine.report import write_report

    b = build_small_groups(KONTOR)
    out = tmp_path_factory.mktemp("rekkefolge")
    write_report(b["report"], out, formats=("html", "xlsx", "json", "charts"))
    return {**b, "out": out}


def _expected(built, key: bytes | None = None) -> dict[str, str]:
    """{real level: neutral name} by the report's own rule on the summary's views."""
    from textmine.report.views import indicator_view, small_level_names, theme_view

    s, survey = built["summary"], built["survey"]
    names = small_level_names(survey, indicator_view(s, survey), theme_view(s, survey, {}), key=key)
    return {lv: name.capitalize() for (_, lv), name in names.items()}


def _small_runs(levels) -> list[int]:
    return [int(LABEL.fullmatch(str(x)).group(1)) for x in levels if LABEL.fullmatch(str(x))]


def test_the_report_numbers_the_small_offices_by_the_keyed_order(built):
    expected = _expected(built)
    assert set(SMALL) <= set(expected), expected
    by_number = [lv for lv, _ in sorted(expected.items(), key=lambda kv: int(kv[1].split()[-1]))]
    small = [lv for lv in by_number if lv in SMALL]
    assert small != sorted(SMALL), "numbered in the names' alphabetical order"
    assert small == [lv for lv in _keyed_order(list(expected)) if lv in SMALL]


def test_every_table_lists_small_groups_in_number_order_and_no_real_name(built):
    r = built["report"]
    for attr, key in (("indicators", ["wave", "indicator"]), ("themes", ["wave", "question", "theme"])):
        t = getattr(r, attr)
        t = t[t["segment_var"] == "kontor"]
        assert not set(t["segment"]) & (set(SMALL) | {ZETA}), attr
        for _, g in t.groupby(key, sort=False):
            runs = _small_runs(g["segment"])
            assert runs == sorted(runs) and len(runs) == len(SMALL) + (ZETA in _expected(built)), (attr, runs)


def test_html_sheets_and_charts_use_the_same_numbers_in_the_same_order(built):
    import openpyxl

    out = built["out"]
    names = set(_expected(built).values())
    html = (out / "rapport.html").read_text(encoding="utf-8")
    for block in re.findall(r'<details(?: open)? data-segment="kontor">(.*?)</details>', html, re.S):
        for tbody in re.findall(r"<tbody>(.*?)</tbody>", block, re.S):
            levels = re.findall(r'<th scope="row">[^<]*</th><th scope="row">([^<]*)</th>', tbody)
            runs = _small_runs(levels)
            assert runs == sorted(runs) and runs, levels
    assert set(LABEL.findall(html)) == {n.split()[-1] for n in names}
    wb = openpyxl.load_workbook(out / "rapport.xlsx", read_only=True)
    sheet_names = set()
    for ws in (wb["Temaer"], wb["Indikatorer"]):
        rows = list(ws.iter_rows(values_only=True))
        col = list(rows[0]).index("Segment")
        sheet_names |= {row[col] for row in rows[1:] if LABEL.fullmatch(str(row[col]))}
    assert sheet_names == names
    svgs = " ".join(p.read_text(encoding="utf-8") for p in (out / "figurer").glob("*.svg"))
    assert set(LABEL.findall(svgs)) <= {n.split()[-1] for n in names} and LABEL.search(svgs)


def test_the_same_data_and_key_give_the_same_names_another_key_other_ones(built):
    from textmine.report import report_from_summary

    s, survey = built["summary"], built["survey"]
    again = report_from_summary(s, survey, codebook=built["codebook"])
    pd.testing.assert_frame_equal(again.themes, built["report"].themes)
    pd.testing.assert_frame_equal(again.indicators, built["report"].indicators)
    other = [report_from_summary(s, survey, codebook=built["codebook"], key=k) for k in (b"k1", b"k2")]
    assert any(not o.themes.equals(built["report"].themes) for o in other), "the key changes nothing"
    for o, k in zip(other, (b"k1", b"k2")):  # each report's tables follow its own key's names
        assert set(o.themes.loc[o.themes["segment_var"] == "kontor", "segment"]) >= set(_expected(built, k).values())


def test_quote_attributions_use_the_tables_names(built):
    from textmine.report.views import neutral_attributions

    r = built["report"]
    names = {("kontor", lv): name for lv, name in _expected(built).items()}
    q = pd.DataFrame({"attribution": [lv for lv in sorted(SMALL)], "text": "t"})
    out = neutral_attributions(q, names)
    assert list(out["attribution"]) == [names[("kontor", lv)].capitalize() for lv in sorted(SMALL)]
    shown = [a for a in (r.quotes["attribution"] if r.quotes is not None else []) if isinstance(a, str)]
    assert not [a for a in shown if ZETA in a or any(lv in a for lv in SMALL)], shown
    assert {m for a in shown for m in LABEL.findall(a)} <= {n.split()[-1] for n in names.values()}
    assert _expected(built)[ZETA] in shown  # Zeta kontor's quotes (q_aa) carry its tables' name


def test_the_services_names_match_the_reports(built):
    from service import store

    frames = store.neutral_small_levels(built["frames"], built["survey"], built["coded"])
    expected = _expected(built)
    for df in frames.values():
        for lv in SMALL:
            assert lv not in set(df["kontor"].dropna())
    original = pd.concat([f["kontor"] for f in built["frames"].values()], ignore_index=True)
    renamed = pd.concat([f["kontor"] for f in frames.values()], ignore_index=True)
    for lv in SMALL:
        got = set(renamed[original == lv])
        assert got == {f"({expected[lv].lower()})"}, (lv, got)


# ------------------------------------------------------------------ the private key
def test_the_default_key_is_private_to_the_installation_and_kept(tmp_path, monkeypatch):
    """Without TEXTMINE_DISCLOSURE_KEY each installation makes its own random key once (owner-only file) and keeps
    it: the same installation numbers alike run after run, another installation (whose key a reader cannot know)
    differently, so the published list of levels is no key to the numbers."""
    import stat

    from textmine.paths import disclosure_key
    from textmine.report.views import small_level_names

    monkeypatch.delenv("TEXTMINE_DISCLOSURE_KEY", raising=False)
    levels = sorted(SMALL)
    runs = {}
    for place in ("a", "b"):
        monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path / place))
        first = disclosure_key()
        assert disclosure_key() == first and len(first) == 64
        f = tmp_path / place / "disclosure.key"
        assert stat.S_IMODE(f.stat().st_mode) == 0o600
        runs[place] = small_level_names(_survey(), _hidden_table(levels))
        assert small_level_names(_survey(), _hidden_table(levels)) == runs[place]
    assert (tmp_path / "a" / "disclosure.key").read_text() != (tmp_path / "b" / "disclosure.key").read_text()
    for place in ("a", "b"):  # each numbering follows its own installation's key
        key = (tmp_path / place / "disclosure.key").read_bytes().strip()
        numbers = _numbers(runs[place], levels)
        assert [lv for _, lv in sorted(zip(numbers, levels))] == _keyed_order(levels, key)


def test_the_key_setting_is_shared_by_every_process_of_a_deployment(tmp_path, monkeypatch):
    from textmine.paths import disclosure_key
    from textmine.report.views import small_level_names

    levels = sorted(SMALL)
    monkeypatch.setenv("TEXTMINE_DISCLOSURE_KEY", "deployment-secret")
    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path / "one"))
    one = small_level_names(_survey(), _hidden_table(levels))
    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path / "two"))
    assert small_level_names(_survey(), _hidden_table(levels)) == one
    assert disclosure_key() == b"deployment-secret"
    assert not (tmp_path / "two" / "disclosure.key").exists()  # a set key makes no file
    assert one == small_level_names(_survey(), _hidden_table(levels), key=b"deployment-secret")


def test_a_damaged_key_file_is_named_with_its_fix(tmp_path, monkeypatch):
    from textmine.paths import CacheDirError, disclosure_key

    monkeypatch.delenv("TEXTMINE_DISCLOSURE_KEY", raising=False)
    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path))
    (tmp_path / "disclosure.key").write_text("abc")
    (tmp_path / "disclosure.key").chmod(0o600)
    with pytest.raises(CacheDirError, match="disclosure.key.*delete it.*TEXTMINE_DISCLOSURE_KEY"):
        disclosure_key()


# ------------------------------------------------------------------ an unsafe key is refused (privacy re-audit)
def _key_error(tmp_path, monkeypatch, match):
    from textmine.paths import CacheDirError, disclosure_key

    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path))
    with pytest.raises(CacheDirError, match=match):
        disclosure_key()


def test_a_short_key_setting_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("TEXTMINE_DISCLOSURE_KEY", "x")
    _key_error(tmp_path, monkeypatch, "TEXTMINE_DISCLOSURE_KEY is too short .1 characters.: use at least 16")


def test_a_key_file_that_is_a_link_a_folder_or_readable_by_others_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("TEXTMINE_DISCLOSURE_KEY", raising=False)
    known = tmp_path / "known.txt"
    known.write_text("a" * 64)
    known.chmod(0o600)
    (tmp_path / "disclosure.key").symlink_to(known)  # a key someone else chose
    _key_error(tmp_path, monkeypatch, "disclosure.key is a link; delete it")
    (tmp_path / "disclosure.key").unlink()
    (tmp_path / "disclosure.key").mkdir()
    _key_error(tmp_path, monkeypatch, "disclosure.key is not a plain file; delete it")
    (tmp_path / "disclosure.key").rmdir()
    (tmp_path / "disclosure.key").write_text("b" * 64)
    (tmp_path / "disclosure.key").chmod(0o644)
    _key_error(tmp_path, monkeypatch, r"readable by others \(mode 644\); delete it")
    (tmp_path / "disclosure.key").chmod(0o600)
    from textmine.paths import disclosure_key

    assert disclosure_key() == b"b" * 64


def test_serve_stops_on_an_unsafe_key_before_it_starts(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "TEXTMINE_DISCLOSURE_KEY": "short", "TEXTMINE_CACHE_DIR": str(tmp_path / "cache")}
    res = subprocess.run([sys.executable, "-c", "from textmine.cli import main; main()", "serve", "--database",
                          f"sqlite:///{tmp_path / 'x.db'}", "--port", "1"], env=env, capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 2, res.stderr
    assert "TEXTMINE_DISCLOSURE_KEY is too short" in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "x.db").exists()  # stopped before the store was made
