"""Migration 0002 / service.scrub: stores written before the upload fixes are brought up to today's upload rules
(undeclared columns dropped, undeclared segment levels cleared, free-valued segments masked, warnings that may
quote cell values withdrawn), on SQLite and PostgreSQL; counts only; idempotent; declared data untouched."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from conftest import make_settings, sample_frame, survey_yaml, to_csv_bytes
from sqlalchemy import MetaData, insert, select, text
from sqlalchemy.orm import Session

from service import library, scrub, store
from service.db.session import MIGRATIONS_DIR, Database, make_engine

FNR = "01019010046"             # fødselsnummer-like value in an undeclared column
NAME = "Ola Nordmann"           # a name typed into a segment with declared levels (sektor)
SECRET = "Kari Nordmann 01019010127"  # personal data typed into a free-valued segment (naering)
ODD = "01019010208"             # quoted by a warning of a kind today's code does not write
PLANTED = (FNR, "Nordmann", "01019010127", ODD)

WAVE_YAML = survey_yaml() + "other_columns: [postnr]\n"  # wave A's own definition also declares postnr


def _config(conn):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = conn
    return cfg


def _first_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config(None)).get_base()


def _head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config(None)).get_current_head()


def _now():
    return datetime.now(timezone.utc)


def _old_answers(frame) -> list[dict]:
    """Answers as the old upload stored them: every non-text column (declared or not) but the id."""
    info = library.parse_survey(survey_yaml())
    table = library.read_table_bytes(to_csv_bytes(frame), "old.csv", info.definition)
    cols = [c for c in table.columns if c not in info.text_columns and c != info.id_column]
    return [{c: store._json_value(v) for c, v in rec.items()} for rec in table[cols].to_dict("records")]


def _plant_old_store(url: str) -> dict:
    """A store at the first revision holding waves written by the old upload code (inserted directly)."""
    from alembic import command

    engine = make_engine(url)
    with engine.begin() as conn:
        command.upgrade(_config(conn), _first_revision())
    md = MetaData()
    md.reflect(engine)  # the schema as the first revision made it
    t = md.tables
    frame_a = sample_frame(12).assign(fnr_kontakt=FNR, postnr="0150")
    frame_a.loc[2, "sektor"] = NAME
    frame_a.loc[[3, 4], "naering"] = SECRET
    frame_b = sample_frame(20).tail(8).assign(postnr="5003")
    with engine.begin() as conn:
        sid = conn.execute(insert(t["surveys"]).values(name="arbeidsgiver", definition_yaml=survey_yaml(),
                                                       created_at=_now()).returning(t["surveys"].c.id)).scalar()
        other = conn.execute(insert(t["surveys"]).values(name="uten definisjon", definition_yaml=None,
                                                         created_at=_now()).returning(t["surveys"].c.id)).scalar()
        waves = {
            "A": dict(survey_id=sid, label="2022", definition_yaml=WAVE_YAML, filename="old.csv", warnings=[
                "old.csv: unknown column(s) fnr_kontakt, postnr not declared in the survey definition",
                f"old.csv: column sektor has values not among the declared levels: [{NAME!r}]",
                "old.csv: 2 respondent(s) ticked an exclusive option of tjenester together with other options",
                f"old.csv, row 5, column vekt: weight {ODD} looks odd",
                "3 personal data item(s) were redacted from the free text",
            ]),
            "B": dict(survey_id=sid, label="2023", definition_yaml=None, filename="new.csv", warnings=[
                "new.csv: unknown column(s) postnr not declared in the survey definition",
                "new.csv, column tj_ingen: 1 multi-select value(s) are not 0/1 codes and are treated as missing "
                "(row 4)",
            ]),
            "C": dict(survey_id=other, label="x", definition_yaml="name: [ikke gyldig", filename="x.csv",
                      warnings=["something"]),
        }
        ids = {}
        for key, row in waves.items():
            ids[key] = conn.execute(insert(t["waves"]).values(n_respondents=0, n_responses=0, created_at=_now(),
                                                              text_columns=["fritekst_sykefravaer",
                                                                            "fritekst_generell"], **row)
                                    .returning(t["waves"].c.id)).scalar()
        for key, frame in (("A", frame_a), ("B", frame_b)):
            for rid, answers, txt in zip(frame["respondent_id"], _old_answers(frame), frame["fritekst_generell"]):
                pk = conn.execute(insert(t["respondents"]).values(wave_id=ids[key], respondent_id=rid,
                                                                  answers=answers)
                                  .returning(t["respondents"].c.id)).scalar()
                conn.execute(insert(t["responses"]).values(
                    wave_id=ids[key], respondent_pk=pk, question="fritekst_generell",
                    text_redacted=f"svar fra {rid}: {txt[:40]}", text_raw=None, raw_encrypted=False, language="nb",
                    pii_count=0, health_flag=0, is_non_answer=0))
        conn.execute(insert(t["respondents"]).values(wave_id=ids["C"], respondent_id="c1", answers={"z": "1"}))
        cb = conn.execute(insert(t["codebooks"]).values(name="kb", version="1", content={"themes": []},
                                                        created_at=_now()).returning(t["codebooks"].c.id)).scalar()
        job = conn.execute(insert(t["coding_jobs"]).values(
            wave_id=ids["A"], codebook_id=cb, job_key="k", state="done", total=12, done=12, chunks_done=1,
            created_at=_now(), seconds_running=1.0).returning(t["coding_jobs"].c.id)).scalar()
        responses = conn.execute(select(t["responses"].c.id).where(t["responses"].c.wave_id == ids["A"])).scalars()
        for i, rid in enumerate(responses):
            conn.execute(insert(t["coding_results"]).values(job_id=job, response_id=rid, chunk=0, themes="a;b",
                                                            scores={"a": 0.5 + i / 100}, confidence=0.7,
                                                            needs_review=i % 2, type="klage"))
            if i == 0:
                conn.execute(insert(t["corrections"]).values(response_id=rid, codebook_id=cb, themes="a",
                                                             type="ros", created_at=_now()))
    engine.dispose()
    return ids


def _tables(url: str) -> dict[str, list[tuple]]:
    """Every row of every table (reflected), in primary-key order."""
    engine = make_engine(url)
    md = MetaData()
    md.reflect(engine)
    with engine.connect() as conn:
        out = {name: [tuple(r) for r in conn.execute(select(table).order_by(*table.primary_key.columns))]
               for name, table in md.tables.items()}
        if url.startswith("sqlite"):  # the whole database as SQL text as well
            out["_sqlite_dump"] = list(conn.connection.dbapi_connection.iterdump())
    engine.dispose()
    return out


def _dump_text(tables: dict) -> str:
    return "\n".join(repr(row) for rows in tables.values() for row in rows)


def _answers(url: str) -> dict[int, list[dict]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT wave_id, answers FROM respondents ORDER BY id")).all()
    engine.dispose()
    out: dict[int, list[dict]] = {}
    for wave_id, answers in rows:
        if isinstance(answers, str):  # SQLite through text(): JSON as stored
            answers = json.loads(answers)
        out.setdefault(wave_id, []).append(answers)
    return out


def test_migration_scrubs_waves_stored_before_the_upload_fixes(db_url):
    ids = _plant_old_store(db_url)
    before = _tables(db_url)
    assert all(s in _dump_text(before) for s in PLANTED)  # planted where the old code put them
    old = _answers(db_url)

    db = Database(db_url)  # as `textmine serve` / `textmine store …` open a store: migrates to head
    with db.session() as s:
        assert s.scalar(text("SELECT version_num FROM alembic_version")) == _head_revision()
    db.dispose()
    after = _tables(db_url)
    dumped = _dump_text(after)
    for planted in PLANTED:
        assert planted not in dumped, planted
    if db_url.startswith("sqlite"):  # nor left in the file's freed space (the migration sets secure_delete)
        from pathlib import Path

        path = Path(db_url.removeprefix("sqlite:///"))
        raw = b"".join(f.read_bytes() for f in path.parent.glob(path.name + "*"))
        assert not any(planted.encode() in raw for planted in PLANTED)

    # answers: undeclared keys gone (per wave definition), the name cleared, SECRET masked, the rest untouched
    new = _answers(db_url)
    a_old, a_new = old[ids["A"]], new[ids["A"]]
    assert all("fnr_kontakt" not in a and a["postnr"] == "0150" for a in a_new)  # postnr: declared by A's own yaml
    assert all("postnr" not in a for a in new[ids["B"]])  # B falls back to the survey's definition
    assert a_new[2]["sektor"] is None
    for i in (3, 4):
        assert a_new[i]["naering"] != SECRET and "[" in a_new[i]["naering"]
    for i, (o, n) in enumerate(zip(a_old, a_new)):
        expected = {k: v for k, v in o.items() if k != "fnr_kontakt"}
        if i == 2:
            expected["sektor"] = None
        if i in (3, 4):
            expected["naering"] = n["naering"]
        assert n == expected
    assert new[ids["B"]] == [{k: v for k, v in o.items() if k != "postnr"} for o in old[ids["B"]]]
    assert new[ids["C"]] == old[ids["C"]]  # no usable definition: left alone
    for table in ("surveys", "responses", "coding_results", "corrections", "codebooks"):
        assert after[table] == before[table], table
    width = len(before["coding_jobs"][0])  # later migrations add nullable columns (0005: the default model used)
    assert [r[:width] for r in after["coding_jobs"]] == before["coding_jobs"]
    assert all(v is None for r in after["coding_jobs"] for v in r[width:])

    # warnings: only what today's code can write, plus value-free notes
    engine = make_engine(db_url)
    with engine.connect() as conn:
        md = MetaData()
        md.reflect(conn, only=["waves"])
        warnings = dict(conn.execute(select(md.tables["waves"].c.id, md.tables["waves"].c.warnings)).all())
    engine.dispose()
    assert warnings[ids["A"]] == [
        "old.csv: 2 respondent(s) ticked an exclusive option of tjenester together with other options",
        "3 personal data item(s) were redacted from the free text",
        "column naering: personal data masked in 2 cell(s) of a segment without declared levels",
        "1 column(s) not declared in the survey definition were removed from the stored answers: fnr_kontakt",
        "column sektor: 1 value(s) not among the declared levels were removed (set to missing)",
        "3 warning(s) stored with this upload were withdrawn: they could quote cell values or no longer apply to "
        "the stored data",
    ]
    assert warnings[ids["B"]] == [
        "new.csv, column tj_ingen: 1 multi-select value(s) are not 0/1 codes and are treated as missing (row 4)",
        "1 column(s) not declared in the survey definition were removed from the stored answers: postnr",
        "1 warning(s) stored with this upload were withdrawn: they could quote cell values or no longer apply to "
        "the stored data",
    ]
    assert warnings[ids["C"]] == ["something"]

    # a second scrub changes nothing
    engine = make_engine(db_url)
    with Session(engine) as s:
        counts = scrub.scrub_store(s)
        s.commit()
    engine.dispose()
    assert counts == dict.fromkeys(scrub.COUNT_KEYS, 0) | {"waves_scanned": 3, "waves_skipped": 1}
    assert _tables(db_url) == after

    # downgrade is a no-op for the data (nothing can be restored); later revisions are undone first
    from alembic import command

    engine = make_engine(db_url)
    with engine.begin() as conn:
        command.downgrade(_config(conn), "0002")
    engine.dispose()
    after = _tables(db_url)
    engine = make_engine(db_url)
    with engine.begin() as conn:
        command.downgrade(_config(conn), _first_revision())
    engine.dispose()
    data = [k for k in after if k not in ("alembic_version", "_sqlite_dump")]
    assert {k: v for k, v in _tables(db_url).items() if k in data} == {k: after[k] for k in data}


def test_scrub_counts(db_url):
    _plant_old_store(db_url)
    engine = make_engine(db_url)
    with Session(engine) as s:
        counts = scrub.scrub_store(s)
        s.commit()
    engine.dispose()
    assert counts == {
        "waves_scanned": 3, "waves_changed": 2, "waves_skipped": 1,
        "respondents_changed": 12 + 8,  # every old respondent had an undeclared column
        "columns_dropped": 2, "keys_dropped": 12 + 8, "levels_cleared": 1, "values_masked": 2,
        "warnings_rewritten": 3 + 1, "warnings_added": 4 + 2,
    }
    assert not any(planted in repr(counts) for planted in PLANTED)


def test_waves_uploaded_by_todays_code_are_left_as_they_are(db_url, tmp_path):
    """Every warning today's upload writes is recognised; its stored rows are already scrubbed."""
    db = Database(db_url)
    settings = make_settings(db_url, tmp_path)
    frame = sample_frame(30).assign(epost_kontakt="kari@example.no", notat=FNR).drop(columns=["wave"])
    frame.loc[frame.index[:3], "naering"] = SECRET  # masked
    frame.loc[2, "vekt"] = ODD  # implausibly large weight
    frame.loc[4, "tj_ingen"] = "Kari"  # not a 0/1 code
    frame.loc[5, ["tj_ingen", "tj_tiltak"]] = "1"  # exclusive option with others
    frame.loc[6, "fritekst_generell"] = "Ring meg på 91234567, hilsen Kari Nordmann"  # redacted from the text
    with db.session() as s:
        survey = store.create_survey(s, "arbeidsgiver", None, survey_yaml())
        wave, warnings = store.upload_wave(s, settings, survey.id, to_csv_bytes(frame), "ny bølge.csv", label="2022")
        wave_id = wave.id
    kinds = {scrub.current_warning(w, library.parse_survey(survey_yaml()), "ny bølge.csv") for w in warnings}
    assert None not in kinds and {"masked", "not_stored", "large_weights", "multiselect_codes", "exclusive",
                                  "absent_columns", "pii"} <= kinds, warnings
    before = _tables(db_url)
    with db.session() as s:
        counts = scrub.scrub_wave(s, wave_id)
    assert counts == dict.fromkeys(scrub.COUNT_KEYS, 0) | {"waves_scanned": 1}
    assert _tables(db_url) == before
    db.dispose()


def test_masking_counts_add_up_in_one_message_per_column():
    info = library.parse_survey(survey_yaml())
    stored = ["column naering: personal data masked in 3 cell(s) of a segment without declared levels",
              "2 personal data item(s) were redacted from the free text"]
    changes = {"dropped": {}, "cleared": {}, "masked": {"naering": 2}, "changed": [0, 1]}
    assert scrub.scrub_warnings(stored, info, "w.csv", changes) == (
        ["column naering: personal data masked in 5 cell(s) of a segment without declared levels", stored[1]], 1, 0)


@pytest.mark.parametrize("message", [
    "old.csv: column sektor has values not among the declared levels: ['Ola Nordmann']",
    "other.csv: 2 respondent(s) ticked an exclusive option of tjenester together with other options",  # not its file
    "old.csv: column(s) fnr not in the data (optional: wave / free text supplied by coded frames)",  # undeclared
    "column sektor: personal data masked in 1 cell(s) of a segment without declared levels",  # not a free segment
    "old.csv, column vekt: 1 implausibly large weight(s) (over 1000, 1000 × the median weight) in Kari; check "
    "the weight column",
    "3 personal data item(s) were redacted from the free text\nKari Nordmann",
    None, 7, {"a": 1},
])
def test_messages_today_s_upload_cannot_write_are_not_kept(message):
    assert scrub.current_warning(message, library.parse_survey(survey_yaml()), "old.csv") is None
