"""``textmine serve`` checks every setting before it creates or migrates the store: a bad TEXTMINE_HEAVY_*, raw-text,
audit-log or default-model setting exits 2 in one line and leaves no store file behind."""

from __future__ import annotations

import socket

import pytest
from conftest import _library_cleaner_available
from typer.testing import CliRunner

from textmine.cli import app as cli_app


@pytest.fixture
def env(tmp_path, monkeypatch):
    import uvicorn

    def _never(*a, **k):
        raise AssertionError("uvicorn.run must not be reached")

    monkeypatch.setattr(uvicorn, "run", _never)
    monkeypatch.setenv("TEXTMINE_CODER_FACTORY", "fakes:keyword_coder_factory")
    monkeypatch.setenv("TEXTMINE_MODELS_DIR", str(tmp_path / "models"))
    for name in ("TEXTMINE_DATABASE_URL", "TEXTMINE_HEAVY_CONCURRENCY", "TEXTMINE_HEAVY_WAIT_SECONDS",
                 "TEXTMINE_STORE_RAW_TEXT", "TEXTMINE_FERNET_KEY", "TEXTMINE_AUDIT_LOG",
                 "TEXTMINE_DEFAULT_MODEL"):
        monkeypatch.delenv(name, raising=False)
    if not _library_cleaner_available():
        monkeypatch.setenv("TEXTMINE_CLEANER_FACTORY", "fakes:regex_cleaner")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("name, value, needle", [
    ("TEXTMINE_HEAVY_CONCURRENCY", "0", "TEXTMINE_HEAVY_CONCURRENCY"),
    ("TEXTMINE_HEAVY_CONCURRENCY", "many", "TEXTMINE_HEAVY_CONCURRENCY"),
    ("TEXTMINE_HEAVY_WAIT_SECONDS", "-5", "TEXTMINE_HEAVY_WAIT_SECONDS"),
    ("TEXTMINE_STORE_RAW_TEXT", "encrypted", "TEXTMINE_FERNET_KEY"),
    ("TEXTMINE_AUDIT_LOG", "/no/such/folder/audit.jsonl", "TEXTMINE_AUDIT_LOG"),
    ("TEXTMINE_DEFAULT_MODEL", "/no/such/model", "default model"),
])
def test_a_bad_setting_stops_serve_before_the_store_file_is_made(env, monkeypatch, name, value, needle):
    monkeypatch.setenv(name, value)
    res = CliRunner().invoke(cli_app, ["serve", "--port", str(_free_port())])
    assert res.exit_code == 2, res.output
    assert needle in " ".join(res.output.split()) and "Traceback" not in res.output, res.output
    assert list(env.glob("textmine.db*")) == []


def test_the_start_line_names_the_store_file_by_its_full_path_and_says_when_it_is_new(env, monkeypatch):
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: None)
    first = CliRunner().invoke(cli_app, ["serve", "--port", str(_free_port())])
    again = CliRunner().invoke(cli_app, ["serve", "--port", str(_free_port())])
    assert first.exit_code == again.exit_code == 0, first.output + again.output
    full = f"store: sqlite:///{(env / 'textmine.db').resolve()}"
    assert full + " (a new, empty store: created now)" in " ".join(first.output.split()), first.output
    assert full in again.output and "new, empty store" not in again.output
