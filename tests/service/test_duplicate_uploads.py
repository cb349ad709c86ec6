"""Duplicate wave uploads: two identical uploads at the same moment store exactly one wave (the duplicate check and
the insert are atomic per survey); the fingerprint is keyed over the raw content (HMAC with a per-store secret,
computed before redaction), so a changed redactor does not change a re-upload's verdict; waves stored before
migration 0004 are still compared by their old fingerprint. SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pandas as pd
import pytest
from conftest import make_settings, sample_frame, survey_yaml, to_csv_bytes
from fakes import regex_cleaner
from sqlalchemy import func, inspect, select, text, update

from service import store
from service.db.models import Wave
from service.db.session import Database, make_engine
from service.errors import ApiError

PHONE = "91234567"


def _settings(db_url, tmp_path, cleaner=regex_cleaner):
    return make_settings(db_url, tmp_path, cleaner_factory=cleaner)


def _survey(db: Database) -> int:
    with db.session() as s:
        return store.create_survey(s, "arbeidsgiver", None, survey_yaml()).id


def _upload(db, settings, survey_id, data, label, **kw) -> str:
    """'stored' or the error code."""
    try:
        with db.session() as s:
            store.upload_wave(s, settings, survey_id, data, f"{label}.csv", label=label, **kw)
    except ApiError as exc:
        return exc.code
    return "stored"


def _waves(db: Database) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(Wave)))


# ---------------------------------------------------------------- concurrent uploads
def test_two_identical_uploads_at_once_store_exactly_one(db_url, tmp_path, monkeypatch):
    """Both uploads reach the duplicate check before either has inserted (a barrier holds the first one after
    its check until the second has checked too, or 3 s have passed). Before: both found nothing, both were stored."""
    db = Database(db_url)
    settings = _settings(db_url, tmp_path)
    survey_id = _survey(db)
    data = to_csv_bytes(sample_frame(30))
    barrier = threading.Barrier(2, timeout=3)
    original = store.same_content_wave

    def checked_then_wait(*args, **kw):
        found = original(*args, **kw)
        try:
            barrier.wait()
        except threading.BrokenBarrierError:  # the other upload is waiting for the lock: no race to force
            pass
        return found

    monkeypatch.setattr(store, "same_content_wave", checked_then_wait)
    results: dict[str, str] = {}
    threads = [threading.Thread(target=lambda n=n: results.__setitem__(n, _upload(db, settings, survey_id, data, n)))
               for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results.values()) == ["duplicate_wave", "stored"], results
    assert _waves(db) == 1
    db.dispose()


def test_concurrent_uploads_to_different_surveys_both_store(db_url, tmp_path):
    db = Database(db_url)
    settings = _settings(db_url, tmp_path)
    data = to_csv_bytes(sample_frame(10))
    ids = [_survey(db)]
    with db.session() as s:
        ids.append(store.create_survey(s, "annen", None, survey_yaml()).id)
    results: list[str] = []
    threads = [threading.Thread(target=lambda i=i: results.append(_upload(db, settings, i, data, "2022")))
               for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert results == ["stored", "stored"] and _waves(db) == 2
    db.dispose()


# ---------------------------------------------------------------- keyed fingerprint over raw content
def _other_redactor(texts) -> pd.DataFrame:
    """A redactor that behaves differently (a newer version): other placeholders, another text."""
    frame = regex_cleaner(texts)
    frame["text_clean"] = [str(t).replace("a", "[x]") + " [v2]" if isinstance(t, str) else t
                           for t in frame["text_clean"]]
    return frame


def test_a_changed_redactor_does_not_change_a_re_upload_s_verdict(db_url, tmp_path):
    """Before: the fingerprint hashed the redacted comments, so the same file was not found after a redactor
    change (stored twice)."""
    db = Database(db_url)
    survey_id = _survey(db)
    frame = sample_frame(30)
    frame.loc[2, "fritekst_generell"] = f"Ring meg på {PHONE}"
    data = to_csv_bytes(frame)
    assert _upload(db, _settings(db_url, tmp_path), survey_id, data, "2022") == "stored"
    changed = _settings(db_url, tmp_path, cleaner=_other_redactor)
    assert _upload(db, changed, survey_id, data, "2022 igjen") == "duplicate_wave"
    assert _upload(db, changed, survey_id, to_csv_bytes(frame.iloc[::-1]), "baklengs") == "duplicate_wave"
    assert _upload(db, changed, survey_id, data, "kopi", allow_duplicate=True) == "stored"
    db.dispose()


def test_keyed_fingerprint_is_one_value_per_wave_and_per_store(db_url, tmp_path):
    """The same content in another store has another fingerprint (per-store secret): a stored value cannot be
    compared with hashes of guessed comments made elsewhere. Raw text is never stored for it."""
    data = to_csv_bytes(sample_frame(10))
    values = []
    for name in ("a", "b"):
        url = db_url if name == "a" else f"sqlite:///{tmp_path / 'second.db'}"
        db = Database(url)
        survey_id = _survey(db)
        _upload(db, _settings(url, tmp_path), survey_id, data, "2022")
        with db.session() as s:
            (wave,) = s.scalars(select(Wave)).all()
            values.append(wave.content_hmac)
            secret = s.scalar(text("SELECT value FROM store_secrets WHERE name = 'wave_fingerprint'"))
        assert len(secret) == 64
        db.dispose()
    assert all(len(v) == 64 for v in values) and values[0] != values[1]


def test_a_wave_stored_before_0004_is_found_by_its_old_fingerprint(db_url, tmp_path):
    db = Database(db_url)
    settings = _settings(db_url, tmp_path)
    survey_id = _survey(db)
    data = to_csv_bytes(sample_frame(20))
    assert _upload(db, settings, survey_id, data, "2022") == "stored"
    with db.session() as s:  # as migration 0004 leaves a wave it found: old fingerprint only
        s.execute(update(Wave).values(content_hmac=None))
    with pytest.raises(ApiError) as err, db.session() as s:
        store.upload_wave(s, settings, survey_id, data, "b.csv", label="igjen")
    assert err.value.code == "duplicate_wave" and err.value.details["label"] == "2022"
    db.dispose()


def test_migration_0004_keeps_old_fingerprints_and_downgrades(db_url, tmp_path):
    from conftest import move_store

    db = Database(db_url)
    settings = _settings(db_url, tmp_path)
    survey_id = _survey(db)
    data = to_csv_bytes(sample_frame(20))
    assert _upload(db, settings, survey_id, data, "2022") == "stored"
    with db.session() as s:
        old = s.scalars(select(Wave.content_sha256)).one()
    db.dispose()
    move_store(db_url, "0003", down=True)
    engine = make_engine(db_url)
    tables = set(inspect(engine).get_table_names())
    assert not {"ui_sessions", "store_secrets"} & tables
    assert "content_hmac" not in {c["name"] for c in inspect(engine).get_columns("waves")}
    engine.dispose()
    db = Database(db_url)  # back to head
    with db.session() as s:
        wave = s.scalars(select(Wave)).one()
        assert (wave.content_sha256, wave.content_hmac) == (old, None)
    assert _upload(db, settings, survey_id, data, "igjen") == "duplicate_wave"
    db.dispose()
