"""A cache folder that cannot be created is a setting to fix: one clear line naming TEXTMINE_CACHE_DIR."""

import sys

import pytest

from textmine.paths import CacheDirError, cache_dir


def test_cache_dir_in_the_way_of_a_file_names_the_setting(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(blocker / "cache"))
    with pytest.raises(CacheDirError, match="cannot be created.*set TEXTMINE_CACHE_DIR to a writable folder"):
        cache_dir()


def test_cli_reports_it_in_one_line_with_exit_2(tmp_path, monkeypatch, capsys):
    from textmine import paths
    from textmine.cli import main

    def broken():
        raise CacheDirError(20, "the cache folder /x cannot be created (Not a directory); set TEXTMINE_CACHE_DIR "
                                "to a writable folder")

    monkeypatch.setattr(paths, "cache_dir", broken)
    import textmine.cli.clean as clean_cli

    def fail(*a, **k):
        paths.cache_dir()

    monkeypatch.setattr(clean_cli, "clean_table", fail)
    data = tmp_path / "in.csv"
    data.write_text("id,kommentar\n1,Ring meg\n", encoding="utf-8")
    monkeypatch.setattr(sys, "argv", ["textmine", "clean", str(data), "--text-col", "kommentar", "--out",
                                      str(tmp_path / "out.csv")])
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines() == ["Error: the cache folder /x cannot be created (Not a directory); set "
                                        "TEXTMINE_CACHE_DIR to a writable folder"]
    assert not (tmp_path / "out.csv").exists()


def test_cache_dir_created_by_textmine_is_private(tmp_path, monkeypatch):
    import os

    monkeypatch.setenv("TEXTMINE_CACHE_DIR", str(tmp_path / "tm-cache"))
    old = os.umask(0o022)
    try:
        path = cache_dir()
    finally:
        os.umask(old)
    assert (path.stat().st_mode & 0o777) == 0o700
