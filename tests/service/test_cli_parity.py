"""CLI parity with the API: ``textmine store`` lists, shows, pages, filters, corrects in bulk and writes reports
from the same store, with the same values (the API's JSON), the same privacy rules and CLI option names in its
messages."""

from __future__ import annotations

import contextlib
import io
import json
import sqlite3

import pytest
from conftest import SAMPLE_CSV_2023, SURVEY_YAML, hdr, issue_keys, make_settings, sample_frame, snapshot, to_csv_bytes
from typer.testing import CliRunner

from textmine.cli import app
from textmine.paths import DEFAULT_CODEBOOK

FNR = "15038512363"
PHONE = "91234567"
EMAIL = "ola.nordmann@example.no"
NAME = "Kari Nordmann"
PII = (FNR, PHONE, EMAIL, NAME)


def _run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def _ok(*args) -> str:
    res = _run(*args)
    assert res.exit_code == 0, res.output
    return res.output


def _stdout(*args) -> str:
    res = _run(*args)
    assert res.exit_code == 0, res.output
    return res.stdout


def _fail(res, *needles) -> str:
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and (res.exception is None or isinstance(res.exception, SystemExit))
    flat = " ".join(res.output.split())
    for n in needles:
        assert n in flat, flat
    return flat


def _cells(output: str, first: str) -> list[str]:
    """The cells of the rich table row whose first cell is ``first``."""
    for line in output.splitlines():
        cells = [c.strip() for c in line.strip().strip("│").split("│")]
        if len(cells) > 1 and cells[0] == first:
            return cells
    raise AssertionError(f"no row {first!r} in:\n{output}")


@pytest.fixture
def env(cli_dir):
    return cli_dir


@pytest.fixture
def coded(env):
    """./textmine.db: survey 1 with waves 1 (2022, 100 respondents, personal data in a comment and in an undeclared
    column's name) and 2 (2023, 100 respondents), both coded (jobs 1 and 2); survey 2 without waves."""
    frame = sample_frame(100)
    frame.loc[3, "fritekst_generell"] = f"Ring {NAME} på {PHONE} eller {EMAIL}, fnr {FNR}"
    frame[EMAIL] = "x"  # an undeclared column named by personal data: not stored, warned about by count
    (env / "w2022.csv").write_bytes(to_csv_bytes(frame))
    (env / "w2023.csv").write_bytes(to_csv_bytes(sample_frame(100, SAMPLE_CSV_2023)))
    _ok("store", "survey-create", "arbeidsgiver", "--definition", SURVEY_YAML)
    _ok("store", "survey-create", "tomt", "--definition", SURVEY_YAML)
    assert "wave id=1" in _ok("store", "upload", 1, env / "w2022.csv", "--label", "2022")
    assert "wave id=2" in _ok("store", "upload", 1, env / "w2023.csv", "--label", "2023")
    assert "job id=1 done" in _ok("store", "code", 1)
    assert "job id=2 done" in _ok("store", "code", 2)
    return env / "textmine.db"


@contextlib.contextmanager
def api(path, tmp_path):
    """The API on the CLI's store (no job runner, no warm-up): (client, keys)."""
    from fastapi.testclient import TestClient

    from service.app import create_app

    application = create_app(make_settings(f"sqlite:///{path}", tmp_path, run_jobs=False, warmup=False))
    with TestClient(application) as client:
        yield client, issue_keys(application)


def _get(client, key, url):
    r = client.get(url, headers=hdr(key))
    assert r.status_code == 200, r.text
    return r


# ---------------------------------------------------------------- listing and showing
def test_listings_print_the_apis_json_and_tables_of_the_same_values(coded, env):
    with api(coded, env) as (c, keys):
        for cli, url in ((["surveys"], "/surveys"), (["waves", "--survey", 1], "/surveys/1/waves"),
                         (["wave", 1], "/waves/1"), (["codebooks"], "/codebooks"), (["codebook", 1], "/codebooks/1"),
                         (["models"], "/models"),
                         (["surveys", "--limit", 1, "--offset", 1], "/surveys?limit=1&offset=1")):
            assert json.loads(_stdout("store", *cli, "--json")) == _get(c, keys["reader"], url).json(), cli
    surveys = _stdout("store", "surveys")
    assert _cells(surveys, "1")[1:4] == ["arbeidsgiver", "", "yes"] and _cells(surveys, "2")[1] == "tomt"
    waves = _stdout("store", "waves")
    assert _cells(waves, "1")[1:5] == ["1", "2022", "w2022.csv", "100"] and _cells(waves, "1")[6] == "2"  # 2 warnings (one + the redaction note)
    assert _cells(waves, "2")[1:5] == ["1", "2023", "w2023.csv", "100"]
    codebooks = _stdout("store", "codebooks")
    assert _cells(codebooks, "1")[1:4] == ["arbeidsgiver", "1.0", "16"]


def test_waves_filter_by_survey_page_with_offset_and_refuse_an_unknown_survey(coded):
    assert "2022" not in _stdout("store", "waves", "--survey", 2) and "waves (0)" in _stdout("store", "waves",
                                                                                               "--survey", 2)
    page = _run("store", "waves", "--limit", 1, "--offset", 1)
    assert page.exit_code == 0, page.output
    assert _cells(page.stdout, "2")[2] == "2023" and "2022" not in page.stdout
    assert "rows 2–2 of 2" in page.stderr
    first = _run("store", "waves", "--limit", 1)
    assert "rows 1–1 of 2; --offset 1 for more" in first.stderr
    assert json.loads(_stdout("store", "waves", "--offset", 1, "--json"))["items"][0]["id"] == 2
    _fail(_run("store", "waves", "--survey", 9), "survey 9 does not exist")
    _fail(_run("store", "wave", 9), "wave 9 does not exist")
    _fail(_run("store", "codebook", 9), "codebook 9 does not exist")
    _fail(_run("store", "surveys", "--limit", 501), "--limit")


def test_wave_shows_counts_per_question_and_value_free_warnings(coded):
    body = json.loads(_stdout("store", "wave", 1, "--json"))
    out = _stdout("store", "wave", 1)
    assert _cells(out, "respondents")[1] == "100" and _cells(out, "responses")[1] == str(body["counts"]["responses"])
    for question, n in body["counts"]["responses_by_question"].items():
        assert _cells(out, f"responses: {question}")[1] == str(n)
    assert body["warnings"] and any("not declared" in w for w in body["warnings"])
    flat = " ".join(out.split())
    assert "warnings (" in flat and "were not stored" in flat
    assert not any(p in out for p in PII)


def test_codebook_shows_its_themes_and_every_version_of_the_name(coded, env):
    yaml_text = DEFAULT_CODEBOOK.read_text(encoding="utf-8")
    assert "version: '1.0'" in yaml_text or 'version: "1.0"' in yaml_text or "version: 1.0" in yaml_text
    newer = env / "v2.yaml"
    newer.write_text(yaml_text.replace("1.0", "2.0", 1), encoding="utf-8")
    assert "codebook id=2 arbeidsgiver 2.0 (new)" in _ok("store", "codebook-add", newer)
    body = json.loads(_stdout("store", "codebook", 2, "--json"))
    assert [v["id"] for v in body["versions"]] == [1, 2] and body["version"] == "2.0"
    out = _stdout("store", "codebook", 1)
    assert _cells(out, "annet")[2] == "yes" and _cells(out, "telefon")[1] == "Telefon og tilgjengelighet"
    assert _cells(out, "2")[1] == "2.0" and _cells(out, "1")[1] == "1.0"


def test_models_lists_a_stored_model_with_its_held_out_f1(coded, env):
    with sqlite3.connect(coded) as con:
        con.execute("insert into models (name, codebook_id, path, n_training, metrics, created_at) values "
                    "('retrent', 1, 'x', 25, ?, '2026-01-02 03:04:05')",
                    (json.dumps({"oof_macro_f1": 0.6123, "warnings": ["trent bare på rettelsene"]}),))
    out = _stdout("store", "models")
    assert _cells(out, "1")[1:6] == ["retrent", "1", "25", "0.612", "1"]
    with api(coded, env) as (c, keys):
        assert json.loads(_stdout("store", "models", "--json")) == _get(c, keys["reader"], "/models").json()


# ---------------------------------------------------------------- jobs: filters, done/total, ETA
def test_jobs_filter_by_state_and_wave_and_show_done_total_and_eta(coded, env):
    from service import store
    from service.db.session import Database

    db = Database(f"sqlite:///{coded}")
    with db.session() as s:
        job, _ = store.start_job(s, 2, None, None, True)
        job.state, job.done, job.seconds_running = "running", 4, 2.0
        job_id, total = job.id, job.total
    db.dispose()
    eta = round((total - 4) * 2.0 / 4, 1)
    running = _stdout("store", "jobs", "--state", "running")
    (line,) = running.strip().splitlines()
    fields = line.split("\t")
    assert fields[:4] == [str(job_id), "wave=2", "codebook=1", "model=-"]  # no trained model: not "None"
    assert fields[4].startswith("coded_with=default model") and fields[5:] == ["running", f"4/{total}", f"eta={eta:g}s"]
    assert [line.split("\t")[0] for line in _stdout("store", "jobs").strip().splitlines()] == [str(job_id), "2", "1"]
    assert [line.split("\t")[1] for line in _stdout("store", "jobs", "--wave", 1).strip().splitlines()] == ["wave=1"]
    assert _stdout("store", "jobs", "--wave-id", 2, "--state", "done").startswith("2\twave=2\t")
    assert len(_stdout("store", "jobs", "--wave-id", 2, "--state", "done").strip().splitlines()) == 1
    assert _stdout("store", "jobs", "--wave-id", 2, "--state", "failed").strip() == ""
    assert "\tdone\t" in _stdout("store", "jobs", "--state", "done", "--wave", 1) and "eta=0s" in _stdout(
        "store", "jobs", "--state", "done", "--wave", 1)
    page = _run("store", "jobs", "--limit", 1, "--offset", 1)
    assert page.stdout.startswith("2\twave=2") and "rows 2–2 of 3; --offset 2 for more" in page.stderr
    with api(coded, env) as (c, keys):
        for query, cli in (("state=running", ["--state", "running"]), ("wave_id=1", ["--wave", 1]),
                           ("limit=1&offset=1", ["--limit", 1, "--offset", 1])):
            assert json.loads(_stdout("store", "jobs", *cli, "--json")) == _get(c, keys["reader"],
                                                                                f"/jobs?{query}").json(), query
    _fail(_run("store", "jobs", "--state", "Running"),
          "--state must be one of queued, running, done, failed, cancelled")
    _fail(_run("store", "jobs", "--wave", 1, "--wave-id", 2), "--wave and --wave-id name the same filter")


# ---------------------------------------------------------------- review --offset
def test_review_offset_pages_the_queue_as_the_api(coded, env):
    whole = json.loads(_stdout("store", "review", "--limit", 500))
    assert whole["total"] >= 3 and len(whole["items"]) == whole["total"]
    page = json.loads(_stdout("store", "review", "--limit", 2, "--offset", 1))
    assert page["items"] == whole["items"][1:3]
    assert (page["total"], page["limit"], page["offset"]) == (whole["total"], 2, 1)
    assert json.loads(_stdout("store", "review", "--offset", whole["total"]))["items"] == []
    wave2 = json.loads(_stdout("store", "review", "--wave-id", 2, "--offset", 1, "--limit", 500))
    assert {i["wave_id"] for i in wave2["items"]} <= {2} and len(wave2["items"]) == wave2["total"] - 1
    with api(coded, env) as (c, keys):
        assert page == _get(c, keys["analyst"], "/review-queue?limit=2&offset=1").json()
    assert not any(p in json.dumps(whole, ensure_ascii=False) for p in PII)
    _fail(_run("store", "review", "--offset", -1), "--offset")


# ---------------------------------------------------------------- bulk corrections
def _corrections(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def test_correct_file_with_bad_rows_lists_every_one_and_stores_nothing(coded, env):
    before = snapshot(coded)
    bad = _corrections(env / f"rettelser {PHONE}.csv", "response_id,themes,type\n"
                       "1,telefon,klage\n"           # row 2: fine
                       f"{FNR},telefon,\n"            # row 3: not an id (a fødselsnummer: never echoed)
                       f"2,{EMAIL},\n"                 # row 4: unknown theme (redacted in the message)
                       "999,ros,\n"                    # row 5: no such response
                       "3,annet;telefon,\n"            # row 6: exclusive theme combined
                       "4,telefon,sur\n"               # row 7: unknown type
                       "5,telefon,\n")                 # row 8: fine
    flat = _fail(_run("store", "correct", "--file", bad), "--file: 5 problem(s); nothing was stored",
                 "row 3, column response_id: expected a response id (a whole number from 1 to 2147483647)",
                 "row 4, column themes: unknown theme id(s) for codebook arbeidsgiver",
                 "row 5, column response_id: response 999 does not exist",
                 "row 6, column themes:", "row 7, column type: type must be one of klage, ønske, ros")
    assert "row 2" not in flat and "row 8" not in flat
    assert not any(p in flat for p in PII)
    assert snapshot(coded) == before
    too_many = _corrections(env / "c.csv",
                            "response_id,themes\n1,telefon,extra\n" + "2," + ";".join(["ros"] * 51) + "\n")
    _fail(_run("store", "correct", "--file", too_many), "row 2: expected 2 cells (as the header), found 3",
          "row 3, column themes: List should have at most 50 items")
    huge = _corrections(env / "h.csv", "response_id,themes\n1,telefon\n2," + "x" * 200_000 + "\n")
    _fail(_run("store", "correct", "--file", huge), "row 3: not readable as CSV (field larger than field limit")
    assert snapshot(coded) == before


@pytest.mark.parametrize("header, needle", [
    ("id,themes", "found: id, themes"), ("response_id;themes", "comma-separated"),
    ("response_id,themes,type,extra", "found: response_id, themes, type, extra"), ("", "found: nothing"),
    (f"response_id,themes,{EMAIL}", "found: response_id, themes, [EPOST]")])
def test_correct_file_with_a_bad_header_is_refused(coded, env, header, needle):
    before = snapshot(coded)
    path = _corrections(env / "c.csv", header + "\n1,telefon\n")
    flat = _fail(_run("store", "correct", "--file", path),
                 "row 1: expected the columns response_id, themes and optionally type", needle)
    assert EMAIL not in flat
    assert snapshot(coded) == before


def test_correct_file_stores_every_row_in_one_transaction_as_the_api_would(coded, env):
    path = _corrections(env / "ok.csv", "\ufeffresponse_id, themes ,type\n1,telefon,KLAGE\n2, ros ; telefon ,\n\n"
                        "3,,\n")
    assert "stored 3 correction(s) in one transaction" in _ok("store", "correct", "--file", path)
    with sqlite3.connect(coded) as con:
        rows = con.execute("select response_id, codebook_id, themes, type from corrections order by id").fetchall()
    assert rows == [(1, 1, "telefon", "klage"), (2, 1, "telefon;ros", ""), (3, 1, "", "")]  # codebook order
    with api(coded, env) as (c, keys):
        r = c.post("/responses/2/codes", json={"themes": ["ros", "telefon"]}, headers=hdr(keys["analyst"]))
        assert r.status_code == 201 and r.json()["themes"] == ["telefon", "ros"]  # the API stores the same
    queue = json.loads(_stdout("store", "review", "--limit", 500))
    assert not {1, 2, 3} & {i["response_id"] for i in queue["items"]}


def test_correct_file_refuses_mixing_with_a_single_correction_or_nothing(coded, env):
    path = _corrections(env / "ok.csv", "response_id,themes\n1,telefon\n")
    _fail(_run("store", "correct", 1, "--file", path), "give RESPONSE_ID, --themes and --type only without --file")
    _fail(_run("store", "correct"), "give RESPONSE_ID (with --themes and --type) or --file CSV")
    _fail(_run("store", "correct", "--file", _corrections(env / "h.csv", "response_id,themes\n")),
          "row 2: expected at least one correction below the header")
    _fail(_run("store", "correct", "--file", path, "--codebook-id", 7), "codebook 7 does not exist")
    assert "correction id=1 response=1 themes=telefon" in _ok("store", "correct", 1, "--themes", "telefon")


# ---------------------------------------------------------------- report
def _sheets(data: bytes) -> dict:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    return {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def test_report_files_are_the_apis_report(coded, env):
    out = env / "rapport"
    res = _run("store", "report", 2, "--out", out)
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.iterdir()) == ["rapport_2.html", "rapport_2.xlsx"]
    html = (out / "rapport_2.html").read_text(encoding="utf-8")
    analyst = env / "analytiker"
    _ok("store", "report", 2, "--out", analyst, "--format", "xlsx", "--row-level", "--job-id", 2,
        "--compare-wave-id", 1, "--compare-job-id", 1)
    assert [p.name for p in analyst.iterdir()] == ["rapport_2.xlsx"]
    with api(coded, env) as (c, keys):
        assert html == _get(c, keys["reader"], "/waves/2/report").text
        assert _sheets((out / "rapport_2.xlsx").read_bytes()) == _sheets(
            _get(c, keys["reader"], "/waves/2/report?format=xlsx").content)
        row_level = _sheets((analyst / "rapport_2.xlsx").read_bytes())
        assert row_level == _sheets(_get(c, keys["analyst"], "/waves/2/report?format=xlsx&job_id=2&compare_wave_id=1"
                                                             "&compare_job_id=1").content)
    assert "Kodede svar" in row_level and "Kodede svar" not in _sheets((out / "rapport_2.xlsx").read_bytes())
    assert "2022" in html and "2023" in html  # compared with the previous wave
    for content in (html, json.dumps(row_level, default=str, ensure_ascii=False)):
        assert not any(p in content for p in PII)


def test_report_errors_use_cli_option_names_and_write_nothing(coded, env):
    out = env / "ingen"
    _fail(_run("store", "report", 2, "--out", out, "--compare-job-id", 1), "--compare-job needs --compare")
    _fail(_run("store", "report", 9, "--out", out), "wave 9 does not exist")
    _fail(_run("store", "report", 2, "--out", out, "--job-id", 1), "job 1 is not a job of wave 2")
    _fail(_run("store", "report", 2, "--out", out, "--format", "pdf"), "--format must be one of html, xlsx, all")
    assert not out.exists()
    (env / "fil").write_text("x")
    _fail(_run("store", "report", 2, "--out", env / "fil"), "Invalid value for '--out'")
    _fail(_run("store", "report", 2, "--out", env / "fil" / "under"), "could not write the report to --out")


# ---------------------------------------------------------------- H10: bulk-correction messages, report modes
def test_correct_file_with_an_overlong_type_names_the_codebooks_types(coded, env):
    before = snapshot(coded)
    path = _corrections(env / "t.csv", "response_id,themes,type\n1,telefon,klage\n"
                        f"2,telefon,{NAME} er sykmeldt!!\n"  # row 3: 30 characters, over the schema's 16
                        f"{FNR},telefon,{NAME} er sykmeldt!!\n"  # row 4: bad id as well
                        "3,nosuch,ikke en type i det hele tatt\n")  # row 5: bad theme as well
    flat = _fail(_run("store", "correct", "--file", path), "--file: 5 problem(s); nothing was stored",
                 "row 3, column type: expected one of klage, ønske, ros (case is ignored)",
                 "row 4, column response_id: expected a response id",
                 "row 4, column type: expected one of klage, ønske, ros",
                 "row 5, column themes: unknown theme id(s) for codebook arbeidsgiver",
                 "row 5, column type: expected one of klage, ønske, ros")
    assert "items after validation" not in flat and "sykmeldt" not in flat and NAME not in flat
    assert "row 2" not in flat
    assert snapshot(coded) == before


def test_correct_file_never_echoes_an_unknown_theme_cell(coded, env):
    before = snapshot(coded)
    path = _corrections(env / "u.csv", "response_id,themes\n"
                        f"1,telefon;{NAME} er homofil\n"
                        f"2,{EMAIL}\n")
    flat = _fail(_run("store", "correct", "--file", path), "--file: 2 problem(s); nothing was stored",
                 "row 2, column themes: unknown theme id(s) for codebook arbeidsgiver (id no. 2 in the cell), not "
                 "shown; expected one of the codebook's theme ids",
                 "row 3, column themes: unknown theme id(s) for codebook arbeidsgiver (id no. 1 in the cell)")
    assert "homofil" not in flat and "[NAVN]" not in flat and "[EPOST]" not in flat
    assert not any(p in flat for p in PII)
    assert snapshot(coded) == before


@pytest.mark.parametrize("text, needle", [
    ('response_id,themes\n1,telefon\n2,"ros\n3,telefon\n',
     'row 3: not readable as CSV (a quoted cell starting in this row is never closed: a closing " is missing)'),
    ('response_id,themes\n1,"telefon\nros"\n2,"ros\n',
     'row 3: not readable as CSV (line 4) (a quoted cell starting in this row is never closed'),
    ('response_id,themes\n1,"tele"fon\n', "row 2: not readable as CSV (',' expected after '\"'; a \" inside a "
                                          'quoted cell is written "")')])
def test_correct_file_with_a_quote_never_closed_is_refused_at_its_row(coded, env, text, needle):
    before = snapshot(coded)
    flat = _fail(_run("store", "correct", "--file", _corrections(env / "q.csv", text)),
                 "--file: 1 problem(s); nothing was stored", needle)
    assert "telefon" not in flat
    assert snapshot(coded) == before


def test_correct_file_with_a_closed_multi_line_quote_is_still_read(coded, env):
    path = _corrections(env / "m.csv", 'response_id,themes\n1,"telefon;\nros"\n')
    assert "stored 1 correction(s)" in _ok("store", "correct", "--file", path)
    with sqlite3.connect(coded) as con:
        assert con.execute("select themes from corrections").fetchall() == [("telefon;ros",)]


def test_report_files_are_private_even_over_existing_files(coded, env):
    import os
    import stat

    out = env / "privat"
    out.mkdir()
    (out / "rapport_2.html").write_text("gammel")
    (out / "rapport_2.html").chmod(0o644)
    old = os.umask(0o022)
    try:
        _ok("store", "report", 2, "--out", out)
        _ok("store", "report", 2, "--out", env / "analytiker", "--format", "xlsx", "--row-level")
    finally:
        os.umask(old)
    files = [out / "rapport_2.html", out / "rapport_2.xlsx", env / "analytiker" / "rapport_2.xlsx"]
    assert [stat.S_IMODE(os.stat(p).st_mode) for p in files] == [0o600] * 3
    assert (out / "rapport_2.html").read_text(encoding="utf-8") != "gammel"
