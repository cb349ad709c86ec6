"""After an erasure the deleted rows' old versions are VACUUMed on PostgreSQL in every table the erasure deletes
from (``service.erasure.ERASED_TABLES``: the comments in ``responses`` above all), not only the scrub's
``respondents, waves`` (the DPIA review, 5 December, g)."""

from __future__ import annotations

import os
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from conftest import (POSTGRES_ENV, app_client, coded_job, create_survey, hdr, reset_postgres, sample_frame,
                      table_counts, uploaded_wave)
from sqlalchemy import create_engine, select, text

from service import erasure, scrub
from service.db.models import Codebook, CodingJob, Response, TrainedModel


class _RecordingConnection:
    """A PostgreSQL connection stand-in that records the statements run on it."""

    def __init__(self, statements: list[str]):
        self.statements = statements

    def execution_options(self, **_options):
        return self

    def exec_driver_sql(self, statement: str):
        self.statements.append(statement)


def _postgres_engine_stub(statements: list[str]):
    @contextmanager
    def connect():
        yield _RecordingConnection(statements)

    return SimpleNamespace(dialect=SimpleNamespace(name="postgresql"), connect=connect)


def test_the_erased_tables_include_the_comments_and_everything_derived_from_them():
    assert "responses" in erasure.ERASED_TABLES
    assert {"respondents", "waves", "surveys", "coding_results", "corrections", "coding_jobs"} <= set(
        erasure.ERASED_TABLES)


def test_after_commit_vacuums_every_erased_table_on_postgres(tmp_path):
    statements: list[str] = []
    er = erasure.Erasure()
    erasure.after_commit(er, _postgres_engine_stub(statements), cache_path=tmp_path / "none.sqlite")
    assert len(statements) == 1 and statements[0].startswith("VACUUM ") and "FULL" not in statements[0]
    vacuumed = [t.strip() for t in statements[0][len("VACUUM "):].split(",")]
    assert "responses" in vacuumed
    assert set(vacuumed) == set(erasure.ERASED_TABLES)
    assert any("until the next VACUUM" in n for n in er.notes)  # a plain VACUUM may leave bytes: said so


def test_the_scrub_still_vacuums_its_own_tables_and_full_stays_opt_in():
    statements: list[str] = []
    done = scrub.purge_leftovers(_postgres_engine_stub(statements))
    assert statements == ["VACUUM respondents, waves"] and done["complete"] is False
    scrub.purge_leftovers(_postgres_engine_stub(statements), full=True, tables=["responses"])
    assert statements[-1] == "VACUUM FULL responses"


@pytest.mark.parametrize("tables", [[], ["responses; DROP TABLE waves"], ["Responses"]])
def test_purge_refuses_anything_but_table_names(tables):
    statements: list[str] = []
    with pytest.raises(ValueError, match="table names"):
        scrub.purge_leftovers(_postgres_engine_stub(statements), tables=tables)
    assert statements == []


def _correct_first(client, keys, wave_id: int) -> None:
    app = client.app
    with app.state.db.session() as s:
        rid = s.scalar(select(Response.id).where(Response.wave_id == wave_id).order_by(Response.id))
        codebook_id = s.scalars(select(CodingJob.codebook_id).where(CodingJob.wave_id == wave_id)).first()
        theme = s.get(Codebook, codebook_id).content["themes"][0]["id"]
    r = client.post(f"/responses/{rid}/codes", json={"themes": [theme]}, headers=hdr(keys["analyst"]))
    assert r.status_code == 201, r.text


def _model_row(app, tmp_path) -> int:
    folder = app.state.settings.resolved_models_dir() / "model-vacuum"
    folder.mkdir(parents=True)
    with app.state.db.session() as s:
        codebook_id = s.scalar(select(Codebook.id).order_by(Codebook.id))
        row = TrainedModel(name="vacuum", codebook_id=codebook_id, path=str(folder), n_training=1, metrics={})
        s.add(row)
        s.flush()
        return row.id


def test_every_table_an_erasure_deletes_from_is_in_the_vacuumed_list(erasure_app, tmp_path):
    """Drift guard: the tables whose rows a survey and a model erasure remove are all in ERASED_TABLES."""
    client, keys, _ = erasure_app
    app = client.app
    sid = create_survey(client, keys["analyst"])
    wave_id = uploaded_wave(client, keys, sid, sample_frame(20), "2022")
    coded_job(client, keys, wave_id)
    _correct_first(client, keys, wave_id)
    model_id = _model_row(app, tmp_path)
    before = table_counts(app)
    assert client.delete(f"/surveys/{sid}", headers=hdr(keys["admin"])).status_code == 200
    assert client.delete(f"/models/{model_id}", headers=hdr(keys["admin"])).status_code == 200
    after = table_counts(app)
    emptied = {t for t in before if after[t] < before[t]}
    assert {"responses", "corrections", "coding_results", "models"} <= emptied
    missed = emptied - set(erasure.ERASED_TABLES)
    assert not missed, f"deleted from but not vacuumed: {missed}"


def test_an_erasure_vacuums_the_comments_table_on_postgres(tmp_path, embed_cache_file):
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"PostgreSQL only ({POSTGRES_ENV} is not set)")
    reset_postgres(url)
    last_vacuum = text("SELECT relname, last_vacuum FROM pg_stat_user_tables WHERE relname = ANY(:t)")
    with app_client(url, tmp_path) as (client, keys):
        sid = create_survey(client, keys["analyst"])
        wave_id = uploaded_wave(client, keys, sid, sample_frame(20), "2022")
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                assert not any(v for _, v in conn.execute(last_vacuum, {"t": ["responses"]}))
            assert client.delete(f"/waves/{wave_id}", headers=hdr(keys["admin"])).status_code == 200
            with engine.connect() as conn:
                vacuumed = dict(conn.execute(last_vacuum, {"t": ["responses", "respondents", "waves",
                                                                 "coding_results", "corrections"]}).all())
        finally:
            engine.dispose()
    assert vacuumed.get("responses") is not None, "responses was not VACUUMed after the erasure"
    assert all(v is not None for v in vacuumed.values()) and len(vacuumed) == 5, vacuumed
