"""A careless or hurried analyst/admin at ``textmine serve`` / ``keys`` / ``store`` on a SQLite file: every mistake
is one clear line (exit 2, never a traceback, never SQL parameters, passwords or personal data), and a failed or
interrupted command leaves the store exactly as it was."""

from __future__ import annotations

import json
import socket
import sqlite3
from pathlib import Path

import pytest
from conftest import SURVEY_YAML, sample_frame, snapshot, to_csv_bytes
from typer.testing import CliRunner

from textmine.cli import app
from textmine.paths import DEFAULT_CODEBOOK

FNR = "15038512363"
PHONE = "91234567"
EMAIL = "ola.nordmann@example.no"
NAME = "Kari Nordmann"
PII = (FNR, PHONE, EMAIL, NAME)


def _run(*args, env: dict | None = None):
    return CliRunner().invoke(app, [str(a) for a in args], env=env)


def _ok(res):
    assert res.exit_code == 0, res.output
    return res.output


def _clean_fail(res, *needles):
    """Exit 2 with a short message (no traceback, no SQL) containing every needle."""
    assert res.exit_code == 2, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    for bad in ("Traceback", "INSERT", "SELECT", "[parameters", "sqlalche.me"):
        assert bad not in res.output, res.output
    flat = " ".join(res.output.split())
    for n in needles:
        assert n in flat, flat


@pytest.fixture
def env(cli_dir):
    return cli_dir


@pytest.fixture
def store(env):
    """./textmine.db with survey 1 and wave 1 (40 respondents), not coded; returns the database path."""
    data = env / "wave.csv"
    data.write_bytes(to_csv_bytes(sample_frame(40)))
    _ok(_run("store", "survey-create", "arbeidsgiver", "--definition", SURVEY_YAML))
    assert "wave id=1" in _ok(_run("store", "upload", "1", data))
    return env / "textmine.db"


# ---------------------------------------------------------------- --database / TEXTMINE_DATABASE_URL
@pytest.mark.parametrize("command", [["keys", "list"], ["keys", "create", "--role", "admin"], ["store", "jobs"],
                                     ["store", "summary", "1"]])
@pytest.mark.parametrize("case", ["malformed", "folder", "no_folder", "not_sqlite", "unknown_dialect", "no_driver"])
def test_bad_database_is_one_line_and_nothing_is_created(env, command, case):
    target = env / "notes.txt"
    target.write_text("not a database\n", encoding="utf-8")
    url, needle = {
        "malformed": ("postgres ql://analyst:hunter2@db/x", "not a valid database URL"),
        "folder": (f"sqlite:///{env}", "is a folder"),
        "no_folder": (f"sqlite:///{env / 'missing' / 'x.db'}", "does not exist"),
        "not_sqlite": (f"sqlite:///{target}", "not a SQLite database"),
        "unknown_dialect": ("oracle2://analyst:hunter2@db/x", "unknown database type"),
        "no_driver": ("mysql://analyst:hunter2@db/x", "not installed"),
    }[case]
    before = sorted(p.name for p in env.iterdir())
    res = _run(*command, "--database", url)
    _clean_fail(res, needle)
    assert "hunter2" not in res.output  # the password in the URL is never shown
    assert sorted(p.name for p in env.iterdir()) == before
    assert target.read_text(encoding="utf-8") == "not a database\n"


def test_database_of_a_newer_schema_revision_is_refused_unchanged(store):
    con = sqlite3.connect(store)
    con.execute("update alembic_version set version_num = '0099_future'")
    con.commit()
    con.close()
    before = snapshot(store)
    for command in (["keys", "create", "--role", "admin"], ["store", "jobs"], ["serve"]):
        _clean_fail(_run(*command), "0099_future", "newer textmine")
    assert snapshot(store) == before


def test_sqlite_database_of_another_application_is_not_touched(env):
    other = env / "crm.db"
    con = sqlite3.connect(other)
    con.execute("create table customers (name text, phone text)")
    con.execute("insert into customers values (?, ?)", (NAME, PHONE))
    con.commit()
    con.close()
    before = snapshot(other)
    for command in (["keys", "list"], ["keys", "create", "--role", "admin"], ["store", "survey-create", "x",
                                                                              "--definition", SURVEY_YAML]):
        res = _run(*command, "--database", f"sqlite:///{other}")
        _clean_fail(res, "not a textmine store")
        assert NAME not in res.output and PHONE not in res.output
    assert snapshot(other) == before


def test_read_only_database_write_fails_without_key_material(store):
    before = snapshot(store)
    ro = f"sqlite:///file:{store}?mode=ro&uri=true"
    assert "\tactive\t" not in _ok(_run("keys", "list", "--database", ro))  # reading works
    res = _run("keys", "create", "--role", "admin", "--database", ro)
    _clean_fail(res, "readonly database")
    assert "tm_" not in res.output and "created" not in res.output
    _clean_fail(_run("store", "survey-create", "b", "--definition", SURVEY_YAML, "--database", ro), "readonly")
    assert snapshot(store) == before


def test_read_commands_never_create_a_store_at_a_mistyped_path(store):
    for command in (["keys", "list"], ["keys", "revoke", "1"], ["store", "jobs"], ["store", "summary", "1"],
                    ["store", "code", "1"], ["store", "review"], ["store", "upload", "1", store.parent / "wave.csv"]):
        res = _run(*command, "--database", "sqlite:///textmnie.db")
        _clean_fail(res, "no database file", "textmnie.db")
        assert not (store.parent / "textmnie.db").exists()


def test_database_option_wins_over_the_environment(store, monkeypatch):
    monkeypatch.setenv("TEXTMINE_DATABASE_URL", "postgres ql://nonsense")
    assert "\tqueued\t" not in _ok(_run("store", "jobs", "--database", f"sqlite:///{store}"))
    monkeypatch.setenv("TEXTMINE_DATABASE_URL", f"sqlite:///{store}")
    (store.parent / "elsewhere").mkdir()
    monkeypatch.chdir(store.parent / "elsewhere")  # no ./textmine.db here: the variable is used
    assert '"wave_id": 1' in _ok(_run("store", "summary", "1"))
    assert not (store.parent / "elsewhere" / "textmine.db").exists()


@pytest.mark.parametrize("var, value", [("TEXTMINE_STORE_RAW_TEXT", "yes"), ("TEXTMINE_JOB_CHUNK_SIZE", "many"),
                                        ("TEXTMINE_JOB_CHUNK_SIZE", "0"), ("TEXTMINE_CODER_FACTORY", "nosuchmodule:coder"),
                                        ("TEXTMINE_CLEANER_FACTORY", "json:nothing")])
def test_bad_environment_setting_is_one_line(store, monkeypatch, var, value):
    monkeypatch.setenv(var, value)
    before = snapshot(store)
    _clean_fail(_run("store", "code", "1"), var)  # a chunk size of 0 coded nothing and called the job done
    assert snapshot(store) == before


def test_encrypted_raw_text_without_a_valid_key_is_refused_before_reading(store, monkeypatch):
    monkeypatch.setenv("TEXTMINE_STORE_RAW_TEXT", "encrypted")
    before = snapshot(store)
    _clean_fail(_run("store", "upload", "1", store.parent / "wave.csv", "--label", "x"), "TEXTMINE_FERNET_KEY")
    monkeypatch.setenv("TEXTMINE_FERNET_KEY", "not-a-fernet-key")
    _clean_fail(_run("store", "upload", "1", store.parent / "wave.csv", "--label", "x"), "Fernet key")
    assert snapshot(store) == before


# ---------------------------------------------------------------- ids and limits
@pytest.mark.parametrize("args", [
    ["keys", "revoke", "0"], ["keys", "revoke", "99999999999999999999"], ["store", "summary", "0"],
    ["store", "summary", "1", "--compare", "99999999999999999999"], ["store", "code", "99999999999999999999"],
    ["store", "code", "1", "--codebook-id", "0"], ["store", "code", "1", "--model-id", "99999999999999999999"],
    ["store", "cancel", "99999999999999999999"], ["store", "jobs", "--wave-id", "99999999999999999999"],
    ["store", "quotes", "99999999999999999999", "telefon"], ["store", "review", "--wave-id", "0"],
    ["store", "correct", "99999999999999999999", "--themes", "telefon"],
    ["store", "train", "--codebook-id", "99999999999999999999"], ["store", "review", "--limit", "-1"],
    ["store", "review", "--limit", "100000"], ["store", "quotes", "1", "telefon", "-n", "0"],
    ["store", "quotes", "1", "telefon", "-n", "100"], ["store", "train", "--min-examples", "0"],
])
def test_ids_and_limits_out_of_range_are_refused(store, args):
    before = snapshot(store)
    res = _run(*args)
    _clean_fail(res)
    assert "than or equal to" in " ".join(res.output.split()), res.output
    assert snapshot(store) == before


def test_unknown_ids_and_wrong_order(store):
    before = snapshot(store)
    _clean_fail(_run("keys", "revoke", "7"), "key 7 does not exist")
    _clean_fail(_run("keys", "revoke", "abc"), "valid integer")
    _clean_fail(_run("keys", "create", "--role", "Admin"), "reader, analyst, admin")
    _clean_fail(_run("store", "quotes", "1", "telefon"), "no finished coding job")  # quotes before coding
    _clean_fail(_run("store", "code", "1", "--codebook-id", "5"), "codebook 5 does not exist")
    _clean_fail(_run("store", "code", "1", "--model-id", "5"), "model 5 does not exist")
    _clean_fail(_run("store", "summary", "1", "--compare", "1"), "different wave")
    _clean_fail(_run("store", "upload", "4", store.parent / "wave.csv"), "survey 4 does not exist")
    _clean_fail(_run("store", "train"), "at least 20 corrected responses")
    assert snapshot(store) == before
    summary = json.loads(_ok(_run("store", "summary", "1")))  # summary before coding: no themes, no failure
    assert summary["coding_jobs"] == {}


def test_cli_id_limit_is_the_api_limit():
    from service.schemas import MAX_ID
    from textmine.cli import service as cli_service

    assert cli_service.MAX_ID == MAX_ID


# ---------------------------------------------------------------- names, labels, files
@pytest.mark.parametrize("name", ["", "   ", "x" * 201, "\udce6rlig"])
def test_survey_name_is_validated_like_the_api(store, name):
    before = snapshot(store)
    _clean_fail(_run("store", "survey-create", name, "--definition", SURVEY_YAML), "name")
    assert snapshot(store) == before


def test_survey_name_is_stripped_like_the_api(store):
    _clean_fail(_run("store", "survey-create", " arbeidsgiver ", "--definition", SURVEY_YAML), "already exists")
    assert "name=ny\n" in _ok(_run("store", "survey-create", "  ny ", "--definition", SURVEY_YAML))


@pytest.mark.parametrize("args, needle", [(["keys", "create", "--role", "reader", "--name", "k" * 201], "name"),
                                          (["keys", "create", "--role", "reader", "--name", "\udce6"], "name"),
                                          (["store", "train", "--name", "m" * 201, "--min-examples", "5"], "name"),
                                          (["store", "correct", "1", "--themes", "annet", "--type", "t" * 17],
                                           "type")])
def test_names_are_validated_like_the_api(store, args, needle):
    before = snapshot(store)
    _clean_fail(_run(*args), needle)
    assert snapshot(store) == before


def test_non_utf8_definition_and_codebook_files_are_refused(store):
    bad = store.parent / "latin1.yaml"
    bad.write_bytes(SURVEY_YAML.read_text(encoding="utf-8").encode("latin-1", "replace"))
    cb = store.parent / "kodebok.yaml"
    cb.write_bytes(DEFAULT_CODEBOOK.read_text(encoding="utf-8").encode("latin-1", "replace"))
    before = snapshot(store)
    _clean_fail(_run("store", "survey-create", "b", "--definition", bad), "latin1.yaml", "UTF-8")
    _clean_fail(_run("store", "upload", "1", store.parent / "wave.csv", "--definition", bad, "--label", "b"),
                "latin1.yaml", "UTF-8")
    _clean_fail(_run("store", "codebook-add", cb), "kodebok.yaml", "UTF-8")
    assert snapshot(store) == before


def test_upload_labels_follow_the_api_rules(store):
    data = store.parent / "wave.csv"
    before = snapshot(store)
    _clean_fail(_run("store", "upload", "1", data, "--label", "l" * 101), "label", "100")
    _clean_fail(_run("store", "upload", "1", data, "--label", "b\udcf8lge"), "label")
    assert snapshot(store) == before
    # a blank label is refused (leave --label out for the file's wave column), as over HTTP
    _clean_fail(_run("store", "upload", "1", data, "--label", "  "), "wave label is blank")
    assert snapshot(store) == before


def test_upload_file_name_with_odd_bytes_or_a_long_stem(store):
    frame = sample_frame(40)
    frame["wave"] = ""  # no wave value: label from the file name (a file with several waves is refused)
    odd = store.parent / "b\udcf8lge.csv"
    odd.write_bytes(to_csv_bytes(frame))
    out = _ok(_run("store", "upload", "1", odd))
    assert "wave id=2 label=b?lge " in out
    long = store.parent / ("w" * 150 + ".csv")
    other = sample_frame(80).iloc[40:].copy()  # other respondents: the same or nearly the same content is refused
    other["wave"] = ""
    long.write_bytes(to_csv_bytes(other))
    out = _ok(_run("store", "upload", "1", long))
    assert f"label={'w' * 100} " in out  # the wave label column holds 100 characters (PostgreSQL enforces it)


# ---------------------------------------------------------------- interruptions and failures
def test_upload_interrupted_mid_transaction_leaves_the_store_unchanged(store, monkeypatch):
    from service import store as store_ops

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(store_ops, "wave_counts", boom)  # after every row of the wave was inserted
    before = snapshot(store)
    res = _run("store", "upload", "1", store.parent / "wave.csv", "--label", "again", "--allow-duplicate")
    assert res.exit_code != 0
    assert snapshot(store) == before


def test_code_interrupted_keeps_whole_chunks_and_resumes(store, monkeypatch):
    from service import library

    real, calls = library.predict, []

    def flaky(coder, texts, questions=None):
        calls.append(len(texts))
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(coder, texts, questions)

    monkeypatch.setenv("TEXTMINE_JOB_CHUNK_SIZE", "4")
    monkeypatch.setattr(library, "predict", flaky)
    res = _run("store", "code", "1")
    assert res.exit_code not in (0, 2) and "Traceback" not in res.output
    assert "interrupted" in res.output and "store code 1" in res.output  # says how to resume
    con = sqlite3.connect(store)
    assert con.execute("select state, done from coding_jobs").fetchall() == [("queued", 4)]  # not "running"
    con.close()
    assert "job id=1 done" in _ok(_run("store", "code", "1"))
    con = sqlite3.connect(store)
    total, = con.execute("select count(*) from responses where wave_id = 1").fetchone()
    assert con.execute("select state, done, total from coding_jobs").fetchall() == [("done", total, total)]
    assert con.execute("select count(distinct response_id), count(*) from coding_results").fetchone() == (total, total)
    con.close()


def test_failed_job_says_why(store, monkeypatch):
    from service import library

    def broken(*a, **k):
        raise MemoryError

    monkeypatch.setattr(library, "predict", broken)
    res = _run("store", "code", "1")
    assert res.exit_code == 1 and "job id=1 failed: coding failed: MemoryError" in res.output, res.output


def test_train_into_an_unwritable_models_folder_is_one_line_and_stores_nothing(store, monkeypatch):
    _ok(_run("store", "code", "1"))
    for rid in range(1, 6):
        _ok(_run("store", "correct", rid, "--themes", "annet"))
    blocker = store.parent / "afile"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("TEXTMINE_MODELS_DIR", str(blocker / "models"))
    before = snapshot(store)
    _clean_fail(_run("store", "train", "--min-examples", "5"), "could not write the model", str(blocker))
    assert snapshot(store) == before


def test_two_stores_never_share_a_trained_model_folder(env, monkeypatch):
    """Model folders live in one models dir for every store: store B's model 1 must not overwrite store A's."""
    data = env / "wave.csv"
    data.write_bytes(to_csv_bytes(sample_frame(40)))
    paths = []
    for db in ("a.db", "b.db"):
        url = f"sqlite:///{env / db}"
        _ok(_run("store", "survey-create", "s", "--definition", SURVEY_YAML, "--database", url))
        _ok(_run("store", "upload", "1", data, "--database", url))
        _ok(_run("store", "code", "1", "--database", url))
        for rid in range(1, 6):
            _ok(_run("store", "correct", rid, "--themes", "telefon" if db == "a.db" else "annet", "--database", url))
        assert "model id=1" in _ok(_run("store", "train", "--min-examples", "5", "--database", url))
        con = sqlite3.connect(env / db)
        paths.append(con.execute("select path from models").fetchone()[0])
        con.close()
    assert paths[0] != paths[1]
    # stored relative to the one models folder (service.modelpaths), each a folder of its own inside it
    assert all(not Path(p).is_absolute() and (env / "models" / p).is_dir() for p in paths)


# ---------------------------------------------------------------- serve
@pytest.fixture
def no_uvicorn(monkeypatch):
    import uvicorn

    def _never(*a, **k):
        raise AssertionError("uvicorn.run must not be reached")

    monkeypatch.setattr(uvicorn, "run", _never)


def test_serve_on_an_occupied_port_fails_before_touching_the_store(env, no_uvicorn):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        _clean_fail(_run("serve", "--port", port), f"127.0.0.1:{port}", "in use")
    assert not (env / "textmine.db").exists()


@pytest.mark.parametrize("args, needle", [(["--host", "999.1.1.1"], "--host"), (["--host", "no such host"], "--host"),
                                          (["--port", "70000"], "less than or equal to 65535"),
                                          (["--port", "-1"], "greater than or equal to 1"),
                                          (["--log-level", "loud"], "--log-level")])
def test_serve_with_a_bad_host_port_or_log_level(env, no_uvicorn, args, needle):
    _clean_fail(_run("serve", *args), needle)
    assert not (env / "textmine.db").exists()


# ---------------------------------------------------------------- personal data
def test_no_personal_data_in_messages_or_outputs(env):
    frame = sample_frame(40)
    frame.loc[3, "fritekst_generell"] = f"Ring {NAME} på {PHONE} eller {EMAIL}, fnr {FNR}"
    frame.loc[5, "naering"] = f"{NAME} {PHONE}"  # free-valued segment
    frame[EMAIL] = FNR  # an undeclared column named by personal data
    data = env / f"svar {PHONE}.csv"
    data.write_bytes(to_csv_bytes(frame))
    outputs = [_ok(_run("store", "survey-create", "s", "--definition", SURVEY_YAML)),
               _ok(_run("store", "upload", "1", data)),
               _ok(_run("store", "code", "1")),
               _ok(_run("store", "jobs")),
               _ok(_run("store", "summary", "1")),
               _ok(_run("store", "review", "--limit", "500"))]
    outputs += [_run("store", "quotes", "1", t).output for t in ("telefon", "annet")]
    dup = frame.copy()
    dup.loc[7, "respondent_id"] = dup.loc[3, "respondent_id"] = FNR
    (env / "dup.csv").write_bytes(to_csv_bytes(dup))
    outputs.append(_run("store", "upload", "1", env / "dup.csv", "--label", "d").output)
    outputs.append(_run("store", "correct", "1", "--themes", EMAIL).output)
    outputs.append(_run("store", "quotes", "1", FNR).output)
    for out in outputs:
        assert not any(p in out for p in PII), out


def test_a_job_whose_model_folder_is_gone_says_so(store, monkeypatch):
    from service import library
    from textmine.classify.artefact import ArtefactError

    def gone(*a, **k):
        raise ArtefactError("/srv/models/m1 is missing (moved or deleted?): no manifest.json")

    monkeypatch.setattr(library, "make_coder", gone)
    res = _run("store", "code", "1")
    assert res.exit_code == 1, res.output
    flat = " ".join(res.output.split())
    assert "coding failed: the model could not be loaded: models/m1 is missing" in flat  # the folder, not its path
    assert "/srv" not in flat
