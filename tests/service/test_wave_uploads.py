"""Wave uploads: the same content under another label is refused (409 duplicate_wave, store unchanged) unless
``allow_duplicate``; analyst-typed labels (and survey names) are tidied, and refused when blank or when they hold
personal data (never echoed). API and CLI alike."""

from __future__ import annotations


import pytest
from conftest import (
    SURVEY_YAML,
    _library_cleaner_available,
    create_survey,
    hdr,
    sample_frame,
    snapshot,
    table_counts,
    to_csv_bytes,
    upload,
)
from typer.testing import CliRunner

from service import scrub, store
from service.db.models import Wave

EMAIL = "ola.nordmann@example.no"
PHONE = "91234567"
FNR = "15038512363"


def _wave(client, keys, sid, data: bytes, label: str | None, **form):
    r = client.post(f"/surveys/{sid}/waves", files={"file": ("w.csv", data, "text/csv")},
                    data={**({"label": label} if label is not None else {}), **form}, headers=hdr(keys["analyst"]))
    return r


# ---------------------------------------------------------------- duplicate content
def test_same_content_under_another_label_is_refused_and_nothing_is_stored(client, keys):
    sid = create_survey(client, keys["analyst"])
    frame = sample_frame(20)
    first = upload(client, keys["analyst"], sid, to_csv_bytes(frame), "a.csv", "2022")
    assert first.status_code == 201, first.text
    before = table_counts(client.app)
    # same respondents, answers and comments: another file name, another row order, another label
    again = upload(client, keys["analyst"], sid, to_csv_bytes(frame.iloc[::-1]), "kopi.csv", "2022 kopi")
    assert again.status_code == 409, again.text
    error = again.json()["error"]
    assert error["code"] == "duplicate_wave"
    assert error["details"] == {"wave_id": first.json()["id"], "label": "2022"}
    assert f"wave {first.json()['id']} ('2022')" in error["message"] and "allow_duplicate" in error["message"]
    for value in [*frame["respondent_id"], *filter(None, frame["fritekst_generell"])]:  # no cell value echoed
        assert value not in again.text
    assert table_counts(client.app) == before


def test_allow_duplicate_stores_it_with_a_warning(client, keys):
    sid = create_survey(client, keys["analyst"])
    data = to_csv_bytes(sample_frame(20))
    first = upload(client, keys["analyst"], sid, data, "a.csv", "2022").json()
    r = _wave(client, keys, sid, data, "2022 kopi", allow_duplicate="true")
    assert r.status_code == 201, r.text
    note = store.DUPLICATE_WARNING.format(wave_id=first["id"])
    assert note in r.json()["warnings"]
    info = store.library.parse_survey(SURVEY_YAML.read_text(encoding="utf-8"))
    assert scrub.current_warning(note, info, "w.csv") == "duplicate"  # the scrub keeps what the upload writes


def test_different_content_or_another_survey_is_not_a_duplicate(client, keys):
    sid = create_survey(client, keys["analyst"])
    frame = sample_frame(20)
    assert upload(client, keys["analyst"], sid, to_csv_bytes(frame), "a.csv", "2022").status_code == 201
    changed = frame.copy()
    changed.loc[0, "q_helhet"] = "1" if changed.loc[0, "q_helhet"] != "1" else "2"
    r = upload(client, keys["analyst"], sid, to_csv_bytes(changed), "b.csv", "2022b")
    assert r.status_code == 409 and r.json()["error"]["code"] == "near_duplicate_wave", r.text  # 19 of 20 rows equal
    changed.loc[:4, "q_helhet"] = changed.loc[:4, "q_helhet"].map(lambda v: "1" if v != "1" else "2")
    assert upload(client, keys["analyst"], sid, to_csv_bytes(changed), "b.csv", "2022b").status_code == 201
    other = create_survey(client, keys["analyst"], "annen")
    assert upload(client, keys["analyst"], other, to_csv_bytes(frame), "a.csv", "2022").status_code == 201


def test_stored_fingerprint_is_the_upload_s(client, keys):
    """What migration 0003 computes from stored rows equals what the upload computed (existing waves are found)."""
    sid = create_survey(client, keys["analyst"])
    frame = sample_frame(30)
    frame.loc[3, "fritekst_generell"] = f"Ring meg på {PHONE}, hilsen Kari Nordmann"  # redacted before hashing
    wave = upload(client, keys["analyst"], sid, to_csv_bytes(frame), "a.csv", "2022").json()
    with client.app.state.db.session() as s:
        stored = s.get(Wave, wave["id"]).content_sha256
        assert stored and len(stored) == 64
        assert scrub.stored_fingerprint(s, wave["id"]) == stored


# ---------------------------------------------------------------- labels and survey names
@pytest.mark.parametrize("given, stored", [("  Bølge \t 3\n ", "Bølge 3"), ("20240115", "20240115"),
                                           ("Q1  2024", "Q1 2024")])
def test_labels_are_tidied(client, keys, given, stored):
    sid = create_survey(client, keys["analyst"])
    r = _wave(client, keys, sid, to_csv_bytes(sample_frame(5)), given)
    assert r.status_code == 201 and r.json()["label"] == stored, r.text


def test_a_tidied_label_that_exists_is_409(client, keys):
    sid = create_survey(client, keys["analyst"])
    assert _wave(client, keys, sid, to_csv_bytes(sample_frame(5)), "Bølge 3").status_code == 201
    r = _wave(client, keys, sid, to_csv_bytes(sample_frame(8)), " Bølge   3 ")
    assert r.status_code == 409 and r.json()["error"]["code"] == "wave_exists", r.text


@pytest.mark.parametrize("label, code", [
    ("   ", "invalid_label"),
    ("\t\n", "invalid_label"),
    ("bølge\x00", "invalid_label"),
    (f"fra {EMAIL}", "personal_data_in_label"),
    (f"ring {PHONE}", "personal_data_in_label"),
    (FNR, "personal_data_in_label"),
    ("Kari Nordmann", "personal_data_in_label"),
])
def test_blank_or_personal_labels_are_refused(client, keys, label, code):
    sid = create_survey(client, keys["analyst"])
    before = table_counts(client.app)
    r = _wave(client, keys, sid, to_csv_bytes(sample_frame(5)), label)
    assert r.status_code == 422 and r.json()["error"]["code"] == code, r.text
    assert label.strip() not in r.text or not label.strip()
    for secret in (EMAIL, PHONE, FNR, "Nordmann"):
        assert secret not in r.text
    assert table_counts(client.app) == before


def test_an_empty_label_field_means_none_given(client, keys):
    """An HTML form sends an untouched field as "": the label comes from the file's wave column."""
    sid = create_survey(client, keys["analyst"])
    r = _wave(client, keys, sid, to_csv_bytes(sample_frame(5)), "")
    assert r.status_code == 201 and r.json()["label"] == "2022", r.text


def test_an_8_digit_date_in_the_wave_column_is_the_default_label(client, keys):
    sid = create_survey(client, keys["analyst"])
    r = _wave(client, keys, sid, to_csv_bytes(sample_frame(5).assign(wave="20240115")), None)
    assert r.status_code == 201 and r.json()["label"] == "20240115", r.text


def test_survey_names_follow_the_same_rules(client, keys):
    a = hdr(keys["analyst"])
    r = client.post("/surveys", json={"name": "  Arbeidsgiver   2024 "}, headers=a)
    assert r.status_code == 201 and r.json()["name"] == "Arbeidsgiver 2024", r.text
    r = client.post("/surveys", json={"name": "Arbeidsgiver 2024"}, headers=a)
    assert r.status_code == 409, r.text
    r = client.post("/surveys", json={"name": f"undersøkelse {EMAIL}"}, headers=a)
    assert r.status_code == 422 and r.json()["error"]["code"] == "personal_data_in_name", r.text
    assert EMAIL not in r.text


# ---------------------------------------------------------------- CLI
def _run(*args):
    from textmine.cli import app

    return CliRunner().invoke(app, [str(a) for a in args])


def _clean_fail(res, *needles):
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and len(res.output.strip().splitlines()) == 1, res.output
    flat = " ".join(res.output.split())
    for n in needles:
        assert n in flat, flat


@pytest.fixture
def cli_store(tmp_path, monkeypatch):
    monkeypatch.setenv("TEXTMINE_CODER_FACTORY", "fakes:keyword_coder_factory")
    monkeypatch.delenv("TEXTMINE_DATABASE_URL", raising=False)
    if not _library_cleaner_available():
        monkeypatch.setenv("TEXTMINE_CLEANER_FACTORY", "fakes:regex_cleaner")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "wave.csv").write_bytes(to_csv_bytes(sample_frame(20)))
    assert _run("store", "survey-create", "arbeidsgiver", "--definition", SURVEY_YAML).exit_code == 0
    res = _run("store", "upload", "1", tmp_path / "wave.csv", "--label", "2022")
    assert "wave id=1 label=2022" in res.output, res.output
    return tmp_path / "textmine.db"


def test_cli_refuses_the_same_content_unless_allowed(cli_store):
    data = cli_store.parent / "wave.csv"
    before = snapshot(cli_store)
    _clean_fail(_run("store", "upload", "1", data, "--label", "2022 igjen"), "duplicate_wave", "wave 1 ('2022')",
                "--allow-duplicate")
    assert snapshot(cli_store) == before
    res = _run("store", "upload", "1", data, "--label", "2022 igjen", "--allow-duplicate")
    assert res.exit_code == 0 and "wave id=2 label=2022 igjen" in res.output, res.output


def test_cli_labels_are_tidied_or_refused(cli_store):
    data = cli_store.parent / "other.csv"
    data.write_bytes(to_csv_bytes(sample_frame(30)))
    before = snapshot(cli_store)
    _clean_fail(_run("store", "upload", "1", data, "--label", "  "), "wave label is blank")
    _clean_fail(_run("store", "upload", "1", data, "--label", ""), "wave label is blank")
    _clean_fail(_run("store", "upload", "1", data, "--label", f"bølge {EMAIL}"), "personal data")
    res = _run("store", "upload", "1", data, "--label", f"x {PHONE}")
    _clean_fail(res, "personal data")
    assert PHONE not in res.output
    assert snapshot(cli_store) == before
    res = _run("store", "upload", "1", data, "--label", " høst   2023 ")
    assert res.exit_code == 0 and "label=høst 2023 " in res.output, res.output
