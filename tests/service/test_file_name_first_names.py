"""Names on their own in file names and labels are personal data.

* An uploaded file name holding an unambiguous first name ("kari_svar.csv", "svar-fra-ola.xlsx") is stored as
  ``upload.<suffix>``, like one holding a surname. A first name that is also an ordinary word (the project's
  ``name_ambiguous.txt``: "per", "tor", "liv", "sol", "dag"; "mai" is on the block list; "rom" is no name) does
  not count on its own: "svar_per_fylke.csv", "dag1.csv", "tor_export.csv" ("tor" is also torsdag) are kept.
* File names stored before the rule (rows already in the store) are brought up to it by the store scrub
  (``service.scrub``), with the warnings quoting them renamed alike; nothing else changes; a second run finds
  nothing.
* A wave label or survey name made only of a surname or first name, in any case ("hansen", "HANSEN 2024"), is
  refused with 422 naming the field; ordinary labels ("Bølge 2024", "Høst", "Oslo", "Strand") are accepted.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from conftest import create_survey, hdr, make_settings, sample_frame, survey_yaml, to_csv_bytes, upload

from service import library, scrub, store
from service.db.models import Survey, Wave
from service.db.session import Database, make_engine
from service.errors import ApiError


# ---------------------------------------------------------------- file names
@pytest.mark.parametrize(
    "filename, stored",
    [
        ("kari_svar.csv", "upload.csv"),
        ("svar-fra-ola.xlsx", "upload.xlsx"),
        ("KariSvar.csv", "upload.csv"),  # camel case
        ("INGRID.csv", "upload.csv"),
        ("eksport_trond_2024.parquet", "upload.parquet"),
        ("kommentarer anne-lise.sav", "upload.sav"),
    ],
)
def test_a_stem_with_a_first_name_is_not_kept(filename, stored):
    assert library.safe_filename(filename) == stored


@pytest.mark.parametrize(
    "filename",
    [
        "svar_per_fylke.csv",  # "per" = each
        "dag1.csv",  # "dag" = day
        "tor_export.csv",  # "tor": torsdag, and on the ambiguity list
        "liv_og_helse.csv",
        "sol_2024.csv",
        "mai_2024.csv",  # a month (block list)
        "rom_bestilling.csv",  # "rom" is no name
        "arbeidsgiver_2024.csv",
        "NAV_arbeidsgiver_bolge3.csv",
        "eksport_final_v2.csv",
        "brukerundersokelse_host_2023.xlsx",
    ],
)
def test_a_stem_without_an_unambiguous_first_name_is_kept(filename):
    assert library.safe_filename(filename) == filename


def test_stem_first_names_names_the_tokens():
    assert library.stem_first_names("svar_Kari-og-per_OlaHansen2024") == ["kari", "ola"]
    assert library.stem_first_names("svar_per_fylke_dag1_tor") == []


def test_uploaded_first_name_file_name_is_stored_neutral(client, keys):
    sid = create_survey(client, keys["analyst"])
    r = upload(client, keys["analyst"], sid, to_csv_bytes(sample_frame(10)), "svar-fra-ola.csv")
    assert r.status_code == 201, r.text
    assert r.json()["filename"] == "upload.csv"
    listed = client.get(f"/surveys/{sid}/waves", headers=hdr(keys["reader"])).text
    assert "svar-fra-ola" not in listed


# ---------------------------------------------------------------- stored file names (the store scrub)
OLD_NAME = "kari_svar.csv"


def _waves(engine) -> dict[int, tuple]:
    with engine.connect() as conn:
        return {r.id: tuple(r) for r in conn.execute(sa.text("SELECT * FROM waves ORDER BY id"))}


def _rows(engine, table: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(f"SELECT * FROM {table} ORDER BY id"))]


def _seed_old_names(url: str, tmp_path) -> tuple[dict[str, int], list[str]]:
    """A store whose waves carry file names stored before the first-name rule: one uploaded today and then
    given its old name (and warnings quoting it), one without a usable definition, one ordinary name. Returns
    the wave ids and the old wave's warnings as seeded."""
    db = Database(url)
    settings = make_settings(url, tmp_path)
    frame = sample_frame(12).assign(notat="x").drop(columns=["wave"])  # an undeclared column: a warning
    with db.session() as s:
        survey = store.create_survey(s, "arbeidsgiver", None, survey_yaml())
        wave, warnings = store.upload_wave(s, settings, survey.id, to_csv_bytes(frame), "eksport.csv", label="2022")
        assert any(w.startswith("eksport.csv: ") for w in warnings), warnings
        seeded = [w.replace("eksport.csv", OLD_NAME) for w in warnings]
        wave.filename, wave.warnings = OLD_NAME, seeded
        ordinary = store.upload_wave(s, settings, survey.id, to_csv_bytes(sample_frame(20).tail(5)),
                                     "svar_per_fylke.csv", label="2023")[0]
        bare = Survey(name="uten definisjon", definition_yaml=None)
        s.add(bare)
        s.flush()
        skipped = Wave(survey_id=bare.id, label="x", filename="Hansen-ola.xlsx", warnings=["Hansen-ola.xlsx: noe"])
        s.add(skipped)
        s.flush()
        ids = {"old": wave.id, "ordinary": ordinary.id, "skipped": skipped.id}
    db.dispose()
    return ids, seeded


def _stored(engine) -> dict[int, tuple]:
    """(filename, warnings, label) per wave id."""
    waves = sa.table("waves", sa.column("id"), sa.column("filename"), sa.column("warnings", sa.JSON),
                     sa.column("label"))
    with engine.connect() as conn:
        return {r.id: (r.filename, r.warnings, r.label) for r in conn.execute(sa.select(waves))}


def test_scrub_replaces_stored_file_names_holding_a_name(sqlite_url, tmp_path):
    ids, seeded = _seed_old_names(sqlite_url, tmp_path)
    engine = make_engine(sqlite_url)
    before = _waves(engine)
    others = {t: _rows(engine, t) for t in ("surveys", "respondents", "responses")}

    counts = scrub.scrub_database(engine)  # the store scrub (migration 0002 runs the same scrub_store)

    after, stored = _waves(engine), _stored(engine)
    assert stored[ids["old"]] == ("upload.csv", [w.replace(OLD_NAME, "upload.csv") for w in seeded], "2022")
    # no usable definition: the file name (and the warning quoting it) is scrubbed anyway
    assert stored[ids["skipped"]] == ("upload.xlsx", ["upload.xlsx: noe"], "x")
    assert after[ids["ordinary"]] == before[ids["ordinary"]]
    assert {t: _rows(engine, t) for t in others} == others  # answers, texts, surveys untouched
    assert counts == dict.fromkeys(scrub.COUNT_KEYS, 0) | {"waves_scanned": 3, "waves_changed": 2,
                                                           "waves_skipped": 1}, counts
    dump = "\n".join(engine.raw_connection().driver_connection.iterdump())
    assert "kari_svar" not in dump and "Hansen-ola" not in dump

    again = scrub.scrub_database(engine)  # idempotent
    assert again == dict.fromkeys(scrub.COUNT_KEYS, 0) | {"waves_scanned": 3, "waves_skipped": 1}
    assert _waves(engine) == after
    engine.dispose()


def test_upgrading_a_store_past_0005_scrubs_its_stored_file_names(sqlite_url, tmp_path):
    """A store already at 0005 (past 0002's scrub) gets today's file-name rule from migration 0006, and the old
    names are gone from the database file too (old row versions purged after the upgrade)."""
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from service.db.session import MIGRATIONS_DIR

    ids, seeded = _seed_old_names(sqlite_url, tmp_path)
    engine = make_engine(sqlite_url)
    with engine.begin() as conn:  # the store as an upgrade before today left it: revision 0005, old names kept
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0005")
    assert _stored(engine)[ids["old"]][0] == OLD_NAME
    engine.dispose()

    Database(sqlite_url).dispose()  # the service's start-up: migrate to head

    engine = make_engine(sqlite_url)
    stored = _stored(engine)
    assert stored[ids["old"]] == ("upload.csv", [w.replace(OLD_NAME, "upload.csv") for w in seeded], "2022")
    assert stored[ids["skipped"]][0] == "upload.xlsx"
    assert stored[ids["ordinary"]][0] == "svar_per_fylke.csv"
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT version_num FROM alembic_version")) == ScriptDirectory.from_config(cfg).get_current_head()
    raw = (tmp_path / "store.db").read_bytes()
    assert b"kari_svar" not in raw and b"Hansen-ola" not in raw
    engine.dispose()


def test_stored_filename_changes_only_names_with_personal_data():
    assert scrub.stored_filename("svar-fra-ola.xlsx") == "upload.xlsx"
    assert scrub.stored_filename("Nordmann_svar.csv") == "upload.csv"
    assert scrub.stored_filename("upload.csv") == "upload.csv"
    long_name = "a" * 280 + ".csv"  # stored by older code: not cut by the scrub
    assert scrub.stored_filename(long_name) == long_name
    assert scrub.stored_filename(None) is None


# ---------------------------------------------------------------- wave labels and survey names
@pytest.mark.parametrize("label", ["Hansen", "Johansen 2024", "hansen", "HANSEN 2024", "johansen-2024", "kari",
                                   "OLA"])
def test_a_label_of_only_a_name_is_refused(client, keys, label):
    sid = create_survey(client, keys["analyst"])
    r = upload(client, keys["analyst"], sid, to_csv_bytes(sample_frame(5)), "svar.csv", label=label)
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "personal_data_in_label" and "wave label" in err["message"], err
    assert label not in r.text


@pytest.mark.parametrize("name", ["Hansen", "johansen 2024", "HANSEN"])
def test_a_survey_name_of_only_a_surname_is_refused(client, keys, name):
    r = client.post("/surveys", json={"name": name, "definition_yaml": survey_yaml()}, headers=hdr(keys["analyst"]))
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "personal_data_in_name" and "survey name" in err["message"], err
    assert name not in r.text


@pytest.mark.parametrize("label", ["Bølge 2024", "Høst", "Oslo", "NAV arbeidsgiver 2024", "Strand", "Haugen 2024",
                                   "Per 2024", "vår 2024", "Sandnes"])
def test_ordinary_labels_and_survey_names_are_accepted(label):
    assert store.clean_label(label) == label
    assert store.clean_label(label, "survey name", store.SURVEY_NAME_MAX) == label


def test_a_label_refusal_is_an_api_error_naming_the_field():
    with pytest.raises(ApiError) as exc:
        store.clean_label("hansen", "survey name", store.SURVEY_NAME_MAX)
    assert exc.value.status == 422 and exc.value.code == "personal_data_in_name"
    assert "survey name" in exc.value.message and "hansen" not in exc.value.message
