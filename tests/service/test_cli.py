"""CLI parity: the ``textmine store``/``keys`` commands work against the same store as the API."""

from __future__ import annotations

import json

from conftest import SURVEY_YAML, _library_cleaner_available, sample_frame, to_csv_bytes
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from textmine.cli import app


def test_store_commands_round_trip(tmp_path, monkeypatch):
    monkeypatch.setenv("TEXTMINE_CODER_FACTORY", "fakes:keyword_coder_factory")
    if not _library_cleaner_available():
        monkeypatch.setenv("TEXTMINE_CLEANER_FACTORY", "fakes:regex_cleaner")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    data = tmp_path / "wave.csv"
    data.write_bytes(to_csv_bytes(sample_frame(60)))

    def run(*args):
        res = runner.invoke(app, list(args))
        assert res.exit_code == 0, res.output
        return res.output

    key = run("keys", "create", "--role", "reader").strip().splitlines()[-1]
    assert key.startswith("tm_")
    assert (tmp_path / "textmine.db").exists()  # default store: ./textmine.db in the working directory
    assert "survey id=1" in run("store", "survey-create", "arbeidsgiver", "--definition", str(SURVEY_YAML))
    assert "wave id=1 label=2022 respondents=60" in run("store", "upload", "1", str(data))
    assert "job id=1 done" in run("store", "code", "1")
    assert "already done" in run("store", "code", "1")
    assert "\tdone\t" in run("store", "jobs")
    summary = json.loads(run("store", "summary", "1"))
    assert summary["coding_jobs"] == {"1": 1} and summary["summary"]["tables"]["indicators"]
    from service.routers.results import HIDDEN_ROW_KEEPS

    hidden = [r for rows in summary["summary"]["tables"].values() for r in rows if r.get("suppressed")]
    assert hidden  # 60 respondents: some segment cells are under min_cell
    assert all(v is None for r in hidden for k, v in r.items() if k not in HIDDEN_ROW_KEEPS)  # as the API
    bad = runner.invoke(app, ["store", "upload", "1", str(data)])
    assert bad.exit_code == 2 and "wave_exists" in bad.output
    monkeypatch.setenv("TEXTMINE_DEFAULT_MODEL", str(tmp_path / "no-model"))  # refused before a job starts
    bad = runner.invoke(app, ["store", "code", "1", "--force"])
    assert bad.exit_code == 2 and "not a textmine model directory" in bad.output
    assert "\tdone\t" in run("store", "jobs") and len(run("store", "jobs").strip().splitlines()) == 1
    monkeypatch.delenv("TEXTMINE_DEFAULT_MODEL")
    engine = create_engine(f"sqlite:///{tmp_path / 'textmine.db'}")
    with engine.connect() as conn:
        n_resp = conn.execute(text("select count(*) from responses")).scalar()
        n_res = conn.execute(text("select count(*) from coding_results")).scalar()
        hashes = [r[0] for r in conn.execute(text("select secret_hash from api_keys"))]
    engine.dispose()
    assert n_resp == n_res > 0
    assert key.split("_", 2)[2] not in hashes


def test_keys_create_refuses_a_personal_key_name_without_storing_or_quoting_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    res = runner.invoke(app, ["keys", "create", "--role", "reader", "--name", "Kari Nordmann 91234567"])
    assert res.exit_code == 2, res.output
    assert "personal_data_in_name" in res.output and "Kari" not in res.output and "91234567" not in res.output
    ok = runner.invoke(app, ["keys", "create", "--role", "reader", "--name", "rapportskriver"])
    assert ok.exit_code == 0, ok.output
    engine = create_engine(f"sqlite:///{tmp_path / 'textmine.db'}")
    with engine.connect() as conn:
        names = [r[0] for r in conn.execute(text("select name from api_keys"))]
    engine.dispose()
    assert names == ["rapportskriver"]
