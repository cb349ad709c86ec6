"""Raw text in the store: several Fernet keys in TEXTMINE_FERNET_KEY (the first encrypts, all decrypt),
``textmine store rotate-raw-key`` re-encrypts every stored raw text under the first key, ``textmine store
clear-raw-text`` removes stored raw text (all, or one survey's) and VACUUMs it out of the file; both, and ``store
copy`` / ``correct`` / ``uncorrect``, write an audit line (ids and counts only)."""

from __future__ import annotations

import json

import pytest
from conftest import SURVEY_YAML, cli_env, sample_frame, snapshot, to_csv_bytes
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import create_engine, select, update
from typer.testing import CliRunner

from service import audit
from service.crypto import RawTextCodec
from service.db.models import Response, Wave
from textmine.cli import app as cli_app

K1, K2, K3 = (Fernet.generate_key().decode() for _ in range(3))
FRAME = sample_frame(30)
TEXT_COLUMNS = ("fritekst_sykefravaer", "fritekst_generell")
ORIGINALS = {t for c in TEXT_COLUMNS for t in FRAME[c] if t.strip()}


# ---------------------------------------------------------------- the codec
def test_the_first_key_encrypts_and_every_key_decrypts():
    old = RawTextCodec("encrypted", K1).encode("hei")
    codec = RawTextCodec("encrypted", f"{K2}, {K1}")
    assert codec.decode(old, True) == "hei"
    new = codec.encode("hallo")
    assert Fernet(K2.encode()).decrypt(new) == b"hallo"
    with pytest.raises(InvalidToken):
        Fernet(K1.encode()).decrypt(new)
    rotated = codec.rotate(old)
    assert Fernet(K2.encode()).decrypt(rotated) == b"hei"


@pytest.mark.parametrize("value", [f"{K1},not-a-key", f"{K1},,", ","])
def test_a_bad_key_in_the_list_is_refused_naming_its_position_not_its_value(value):
    with pytest.raises(ValueError) as info:
        RawTextCodec("encrypted", value)
    message = str(info.value)
    assert "TEXTMINE_FERNET_KEY" in message and K1 not in message and "not-a-key" not in message


# ---------------------------------------------------------------- the CLI
@pytest.fixture
def cli(tmp_path, monkeypatch):
    """A store with survey 1 (wave 1) and survey 2 (wave 2), raw text encrypted under K1, the audit file set;
    (run, audit file, database path)."""
    cli_env(tmp_path, monkeypatch)
    monkeypatch.setenv("TEXTMINE_STORE_RAW_TEXT", "encrypted")
    monkeypatch.setenv("TEXTMINE_FERNET_KEY", K1)
    runner = CliRunner()

    def run(*args, code=0, input=None):
        res = runner.invoke(cli_app, list(args), input=input)
        assert res.exit_code == code, res.output
        return res.output

    data = tmp_path / "wave.csv"
    data.write_bytes(to_csv_bytes(FRAME))
    run("store", "survey-create", "arbeidsgiver", "--definition", str(SURVEY_YAML))
    run("store", "survey-create", "andre", "--definition", str(SURVEY_YAML))
    run("store", "upload", "1", str(data), "--label", "2022")
    run("store", "upload", "2", str(data), "--label", "2022")
    path = tmp_path / "log" / "audit.jsonl"
    path.parent.mkdir()
    monkeypatch.setenv(audit.AUDIT_FILE_ENV, str(path))
    return run, path, tmp_path / "textmine.db"


def _rows(db) -> list[tuple]:
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        rows = conn.execute(select(Response.id, Response.text_raw, Response.raw_encrypted, Wave.survey_id)
                            .join(Wave, Wave.id == Response.wave_id).order_by(Response.id)).all()
    engine.dispose()
    return rows


def _set_plain(db, response_id: int, text: str) -> None:
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(update(Response).where(Response.id == response_id)
                     .values(text_raw=text.encode("utf-8"), raw_encrypted=False))
    engine.dispose()


def _audit_lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _no_text(output: str) -> None:
    assert not any(t in output for t in ORIGINALS if len(t) > 8), output


def test_rotate_raw_key_re_encrypts_every_token_under_the_first_key(cli, monkeypatch):
    run, path, db = cli
    before = _rows(db)
    plain_id = before[0][0]
    _set_plain(db, plain_id, "plain text")
    n_encrypted = sum(1 for r in before if r[1] is not None) - 1
    texts = {r[0]: Fernet(K1.encode()).decrypt(r[1]) for r in before[1:] if r[1] is not None}
    monkeypatch.setenv("TEXTMINE_FERNET_KEY", f"{K2},{K1}")
    out = run("store", "rotate-raw-key")
    _no_text(out)
    assert f"re-encrypted {n_encrypted} " in out and "1 plain" in out, out
    after = {r[0]: r for r in _rows(db)}
    assert after[plain_id][1] == b"plain text" and after[plain_id][2] is False  # plain rows left alone
    assert {rid: Fernet(K2.encode()).decrypt(after[rid][1]) for rid in texts} == texts  # K1 no longer needed
    line = _audit_lines(path)[-1]
    assert (line["command"], line["dry_run"], line["outcome"]) == ("store rotate-raw-key", False, "done")
    assert line["counts"] == {"rotated": n_encrypted, "plain": 1}, line


def test_rotate_raw_key_dry_run_checks_every_token_and_changes_nothing(cli, monkeypatch):
    run, path, db = cli
    monkeypatch.setenv("TEXTMINE_FERNET_KEY", f"{K2},{K1}")
    before = snapshot(db)
    out = run("store", "rotate-raw-key", "--dry-run")
    assert "would re-encrypt" in out and "dry run" in out, out
    assert snapshot(db) == before
    assert _audit_lines(path)[-1]["dry_run"] is True


def test_rotate_raw_key_refuses_a_token_no_key_decrypts_naming_the_response(cli, monkeypatch):
    run, path, db = cli
    first = next(r[0] for r in _rows(db) if r[1] is not None)
    monkeypatch.setenv("TEXTMINE_FERNET_KEY", f"{K3},{K2}")  # K1 left out
    before = snapshot(db)
    out = run("store", "rotate-raw-key", code=2)
    assert f"response {first}" in out and "TEXTMINE_FERNET_KEY" in out, out
    _no_text(out)
    assert snapshot(db) == before
    line = _audit_lines(path)[-1]
    assert line["outcome"] == "refused" and line["ids"] == {"response_id": first}, line


@pytest.mark.parametrize("env", [{"TEXTMINE_STORE_RAW_TEXT": "plain"}, {"TEXTMINE_FERNET_KEY": None}])
def test_rotate_raw_key_needs_the_encrypted_policy_and_a_key(cli, monkeypatch, env):
    run, _path, db = cli
    for name, value in env.items():
        if value is None:
            monkeypatch.delenv(name)
        else:
            monkeypatch.setenv(name, value)
    before = snapshot(db)
    out = run("store", "rotate-raw-key", code=2)
    assert "TEXTMINE_STORE_RAW_TEXT=encrypted" in out and "TEXTMINE_FERNET_KEY" in out, out
    assert snapshot(db) == before


def test_clear_raw_text_of_one_survey_leaves_the_other(cli):
    run, path, db = cli
    before = _rows(db)
    n1 = sum(1 for r in before if r[3] == 1 and r[1] is not None)
    out = run("store", "clear-raw-text", "--survey", "1", "--yes")
    assert f"cleared the raw text of {n1} " in out, out
    after = {r[0]: r for r in _rows(db)}
    assert all(after[r[0]][1] is None and after[r[0]][2] is False for r in before if r[3] == 1)
    assert all(after[r[0]][1] == r[1] for r in before if r[3] == 2)
    line = _audit_lines(path)[-1]
    assert (line["command"], line["ids"], line["counts"], line["dry_run"]) == (
        "store clear-raw-text", {"survey_id": 1}, {"responses": n1}, False), line


def test_clear_raw_text_removes_the_bytes_from_the_database_file(cli, monkeypatch):
    run, _path, db = cli
    monkeypatch.setenv("TEXTMINE_STORE_RAW_TEXT", "plain")
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        ids = [r[0] for r in conn.execute(select(Response.id))]
    engine.dispose()
    marker = "RAWMARKER-{}-zq"
    for rid in ids:
        _set_plain(db, rid, marker.format(rid))
    files = [db, db.with_name(db.name + "-wal")]
    assert any(b"RAWMARKER-" in f.read_bytes() for f in files if f.exists())
    out = run("store", "clear-raw-text", "--yes")
    assert f"cleared the raw text of {len(ids)} " in out, out
    assert all(r[1] is None for r in _rows(db))
    assert not any(b"RAWMARKER-" in f.read_bytes() for f in files if f.exists())


def test_clear_raw_text_dry_run_and_refusals_change_nothing(cli):
    run, path, db = cli
    before = snapshot(db)
    n = sum(1 for r in _rows(db) if r[1] is not None)
    out = run("store", "clear-raw-text", "--dry-run")
    assert f"would clear the raw text of {n} " in out, out
    assert "error" in run("store", "clear-raw-text", "--survey", "9", "--yes", code=2)
    assert "nothing" in run("store", "clear-raw-text", input="n\n", code=1)
    assert snapshot(db) == before
    dry, refused = _audit_lines(path)
    assert dry["dry_run"] is True and dry["counts"] == {"responses": n}
    assert refused["outcome"] == "refused" and refused["ids"] == {"survey_id": 9}


# ---------------------------------------------------------------- audit lines of other store changes
def test_correct_and_uncorrect_are_audited_with_ids_and_counts(cli, tmp_path):
    run, path, db = cli
    rid = _rows(db)[0][0]
    run("store", "code", "1")  # stores the survey's codebook (id 1)
    theme = "telefon"
    run("store", "correct", str(rid), "--themes", theme, "--codebook-id", "1")
    csv = tmp_path / "fix.csv"
    csv.write_text(f"response_id,themes\n{rid + 1},{theme}\n{rid + 2},{theme}\n", encoding="utf-8")
    run("store", "correct", "--file", str(csv), "--codebook-id", "1")
    run("store", "uncorrect", str(rid))
    run("store", "uncorrect", str(rid), code=2)  # none left: refused, audited
    one, many, undone, refused = _audit_lines(path)
    assert (one["command"], one["ids"]["response_ids"], one["counts"]) == (
        "store correct", [rid], {"corrections": 1}), one
    assert (many["ids"]["response_ids"], many["counts"]) == ([rid + 1, rid + 2], {"corrections": 2}), many
    assert (undone["command"], undone["ids"]["response_id"], undone["ids"]["codebook_ids"],
            len(undone["ids"]["correction_ids"]), undone["counts"]) == (
        "store uncorrect", rid, [1], 1, {"corrections": 1}), undone
    assert (refused["outcome"], refused["error"]) == ("refused", "no_correction"), refused
    assert theme not in path.read_text(encoding="utf-8")  # ids and counts, never the codes


def test_store_copy_is_audited_with_the_row_counts(cli, tmp_path):
    run, path, db = cli
    target = tmp_path / "copy.db"
    run("store", "copy", "--from", f"sqlite:///{db}", "--to", f"sqlite:///{target}", "--yes")
    line = _audit_lines(path)[-1]
    assert (line["command"], line["outcome"]) == ("store copy", "done"), line
    assert line["counts"]["responses"] == len(_rows(db)) and line["counts"]["surveys"] == 2, line
    assert str(db) not in json.dumps(line)  # the URLs are not store ids


@pytest.mark.parametrize("sep", [";", " ", "\n", "=", "garbage!!"])
def test_a_wrong_separator_is_refused_not_read_as_the_first_key(sep):
    """Base64 decoding stops at the first key's padding: «K1;K2» used to pass silently as K1 (re-test of Dec 06)."""
    from cryptography.fernet import Fernet

    from service.crypto import fernet_keys

    k1, k2 = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    value = k1 + sep + (k2 if sep != "garbage!!" else "")
    with pytest.raises(ValueError, match="is not a Fernet key") as err:
        fernet_keys(value)
    assert k1 not in str(err.value) and k2 not in str(err.value)
    assert fernet_keys(f" {k1} , {k2} ") == [k1.encode(), k2.encode()]
