"""Migration 0003: waves get a content fingerprint, existing ones computed from their stored rows (so a wave stored
before it is found when uploaded again); the downgrade drops only the column (no row lost), on SQLite and
PostgreSQL."""

from __future__ import annotations

import pytest
from conftest import move_store, make_settings, sample_frame, survey_yaml, to_csv_bytes
from sqlalchemy import func, inspect, select, text

from service import store
from service.db.models import Base, Wave
from service.db.session import Database, make_engine
from service.errors import ApiError


def _counts(db: Database) -> dict[str, int]:
    with db.session() as s:
        return {t.name: int(s.scalar(select(func.count()).select_from(t))) for t in Base.metadata.sorted_tables}


def test_existing_waves_get_the_upload_s_fingerprint_and_downgrade_keeps_every_row(db_url, tmp_path):
    db = Database(db_url)
    settings = make_settings(db_url, tmp_path)
    data = to_csv_bytes(sample_frame(25))
    with db.session() as s:
        survey = store.create_survey(s, "arbeidsgiver", None, survey_yaml())
        first, _ = store.upload_wave(s, settings, survey.id, data, "a.csv", label="2022")
        second, _ = store.upload_wave(s, settings, survey.id, data, "b.csv", label="kopi", allow_duplicate=True)
        other, _ = store.upload_wave(s, settings, survey.id, to_csv_bytes(sample_frame(35).iloc[25:]), "c.csv",
                                          label="2021")  # other respondents (a near copy is refused)
        fingerprints = {w.id: w.content_sha256 for w in (first, second, other)}
        survey_id, first_id = survey.id, first.id
    counts = _counts(db)
    db.dispose()
    assert fingerprints[first_id] == fingerprints[second.id] != fingerprints[other.id]

    move_store(db_url, "0002", down=True)  # as a store written before 0003: no column, every row kept
    engine = make_engine(db_url)
    assert "content_sha256" not in {c["name"] for c in inspect(engine).get_columns("waves")}
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM respondents")).scalar() == counts["respondents"]
        assert conn.execute(text("SELECT count(*) FROM responses")).scalar() == counts["responses"]
    engine.dispose()

    db = Database(db_url)  # migrates to head: 0003 fingerprints the stored waves
    assert _counts(db) == counts
    with db.session() as s:
        assert {w.id: w.content_sha256 for w in s.scalars(select(Wave))} == fingerprints
    with pytest.raises(ApiError) as err, db.session() as s:  # found although stored before the column existed
        store.upload_wave(s, settings, survey_id, data, "d.csv", label="igjen")
    assert err.value.status == 409 and err.value.details == {"wave_id": first_id, "label": "2022"}
    assert _counts(db) == counts
    db.dispose()
