"""Summary comparisons: themes compared only between codings by the same codebook and model (finding 2), uncoded
and later comparison waves said or refused (finding 8), and the CLI's --job / --compare-job / --n (finding 9)."""

from __future__ import annotations

import json

from conftest import SAMPLE_CSV_2023, coded_job, create_survey, hdr, sample_frame, uploaded_wave
from sqlalchemy import select
from conftest import trained
from typer.testing import CliRunner

from service.db.models import Response, Wave
from textmine.cli import app as cli_app


_wave, _code = uploaded_wave, coded_job


def _train(client, keys, wave_id):
    """A model trained from 6 corrections of the wave's comments (the real POST /models)."""
    with client.app.state.db.session() as s:
        ids = s.scalars(select(Response.id).where(Response.wave_id == wave_id, Response.is_non_answer == 0)
                        .order_by(Response.id).limit(6)).all()
    for i, rid in enumerate(ids):
        r = client.post(f"/responses/{rid}/codes", json={"themes": ["telefon" if i % 2 else "annet"]},
                        headers=hdr(keys["analyst"]))
        assert r.status_code == 201, r.text
    return trained(client, keys["analyst"], {"min_examples": 5})["model"]["id"]


def _frame_2021(n=40):
    frame = sample_frame(n)
    return frame.assign(wave="2021", respondent_id=frame["respondent_id"].str.replace("2022", "2021"))


def _summary(client, keys, wave_id, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.get(f"/waves/{wave_id}/summary?{query}", headers=hdr(keys["reader"]))


def test_summary_compares_the_same_model_or_refuses(client, keys):
    """Finding 2: the compare wave's job is by the main job's model (or compare_job_id); never across models."""
    sid = create_survey(client, keys["analyst"])
    w22 = _wave(client, keys, sid, sample_frame(40), "2022")
    w23 = _wave(client, keys, sid, sample_frame(40, SAMPLE_CSV_2023), "2023")
    a22 = _code(client, keys, w22)                      # 2022, default model
    model = _train(client, keys, w22)
    m22 = _code(client, keys, w22, model_id=model)      # 2022, trained model: its latest job
    d23 = _code(client, keys, w23)                      # 2023, default model

    # the default-model 2023 job is compared with the default-model 2022 job, not with the later model job
    r = _summary(client, keys, w23, compare_wave_id=w22)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["coding_jobs"] == {str(w22): a22, str(w23): d23} and body["compare_job_id"] == a22
    assert body["coding_models"] == {str(w22): None, str(w23): None}

    # an explicit comparison job by another model is refused, naming both models and the fix
    r = _summary(client, keys, w23, compare_wave_id=w22, compare_job_id=m22)
    assert r.status_code == 409 and r.json()["error"]["code"] == "model_mismatch", r.text
    msg = r.json()["error"]["message"]
    assert f"model {model}" in msg and "the default model" in msg and f"POST /waves/{w22}/coding-jobs" in msg
    assert r.json()["error"]["details"]["compare_model_id"] == model
    r = _summary(client, keys, w23, compare_job_id=a22)
    assert r.status_code == 422 and r.json()["error"]["code"] == "compare_job_without_wave", r.text
    r = _summary(client, keys, w23, compare_wave_id=w22, compare_job_id=d23)
    assert r.status_code == 404, r.text  # a job of another wave

    # an earlier wave coded only with the trained model: 409, not a silent comparison across models
    w21 = _wave(client, keys, sid, _frame_2021(), "2021")
    m21 = _code(client, keys, w21, model_id=model)
    r = _summary(client, keys, w22, compare_wave_id=w21, job_id=a22)
    assert r.status_code == 409 and r.json()["error"]["code"] == "model_mismatch", r.text
    assert f"code wave {w21} with the default model first" in r.json()["error"]["message"]
    r = _summary(client, keys, w22, compare_wave_id=w21)  # latest 2022 job is by the model too: compared
    assert r.status_code == 200 and r.json()["coding_jobs"] == {str(w21): m21, str(w22): m22}, r.text
    assert r.json()["coding_models"] == {str(w21): model, str(w22): model}

def test_report_compares_the_same_model_and_names_both_models(client, keys):
    """Finding 2 in the report: its previous wave's job is by the same model; the method names both waves' jobs."""
    sid = create_survey(client, keys["analyst"])
    w22 = _wave(client, keys, sid, sample_frame(40), "2022")
    w23 = _wave(client, keys, sid, sample_frame(40, SAMPLE_CSV_2023), "2023")
    model = _train(client, keys, w23)
    m22 = _code(client, keys, w22, model_id=model)  # 2022 is coded only with the trained model
    d23 = _code(client, keys, w23)
    html = client.get(f"/waves/{w23}/report", headers=hdr(keys["reader"]))
    assert html.status_code == 200, html.text
    assert (f"2023: kodejobb {d23}, standardmodellen; 2022: kodejobb {m22}, modell {model} – temaene "
            "sammenlignes ikke, fordi bølgene er kodet med ulike modeller") in html.text
    m23 = _code(client, keys, w23, model_id=model)
    html = client.get(f"/waves/{w23}/report", headers=hdr(keys["reader"])).text
    assert f"2023: kodejobb {m23}, modell {model}; 2022: kodejobb {m22}, modell {model}" in html


def test_cli_summary_and_quotes_take_job_compare_job_and_n(client, keys):
    """Finding 9: --job / --compare-job on `store summary`, --n / --job on `store quotes`, as the API."""
    sid = create_survey(client, keys["analyst"])
    w22 = _wave(client, keys, sid, sample_frame(40), "2022")
    w23 = _wave(client, keys, sid, sample_frame(40, SAMPLE_CSV_2023), "2023")
    old22, old23 = _code(client, keys, w22), _code(client, keys, w23)
    # newer jobs by a trained model (a forced re-coding by the same model would supersede the old jobs and delete
    # their results, dec06g: they could no longer be reported by id)
    model = _train(client, keys, w22)
    new22, new23 = _code(client, keys, w22, model_id=model), _code(client, keys, w23, model_id=model)
    assert len({old22, new22, old23, new23}) == 4
    url = client.app.state.settings.database_url
    runner = CliRunner()

    def cli(*args):
        return runner.invoke(cli_app, [*map(str, args), "--database", url])

    res = cli("store", "summary", w23, "--compare", w22, "--job", old23, "--compare-job", old22)
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["coding_jobs"] == {str(w22): old22, str(w23): old23} and out["compare_job_id"] == old22
    api = _summary(client, keys, w23, compare_wave_id=w22, job_id=old23, compare_job_id=old22).json()
    assert out["summary"]["tables"]["changes"] == api["summary"]["tables"]["changes"]
    assert json.loads(cli("store", "summary", w23, "--compare", w22).output)["coding_jobs"] == {
        str(w22): new22, str(w23): new23}
    res = cli("store", "summary", w23, "--compare-job", old22)
    assert res.exit_code == 2 and "[compare_job_without_wave]" in res.output, res.output

    res = cli("store", "quotes", w23, "telefon", "--n", 3, "--job", old23)
    assert res.exit_code == 0, res.output
    quotes = json.loads(res.output)
    assert quotes["job_id"] == old23 and len(quotes["quotes"]) <= 3
    api = client.get(f"/waves/{w23}/themes/telefon/quotes?n=3&job_id={old23}", headers=hdr(keys["reader"])).json()
    assert [q["response_id"] for q in quotes["quotes"]] == [q["response_id"] for q in api["quotes"]]
    assert cli("store", "quotes", w23, "telefon", "--n", 7).exit_code == 2  # the API's bounds: 3-6
    res = cli("store", "quotes", w23, "telefon", "--job", old22)  # a job of another wave
    assert res.exit_code == 2 and "[not_found]" in res.output, res.output


def test_uncoded_waves_are_named_in_the_warnings(client, keys):
    """Finding 8: a wave of the summary without a finished coding job is named in the warnings."""
    sid = create_survey(client, keys["analyst"])
    w22 = _wave(client, keys, sid, sample_frame(40), "2022")
    w21 = _wave(client, keys, sid, _frame_2021(), "2021")
    _code(client, keys, w22)

    r = _summary(client, keys, w22, compare_wave_id=w21)  # earlier wave not coded
    assert r.status_code == 200, r.text
    warnings = r.json()["summary"]["warnings"]
    assert any(f"comparison wave {w21} has no finished coding job" in w and "theme changes are left out" in w
               for w in warnings), warnings
    assert r.json()["compare_job_id"] is None

    r = _summary(client, keys, w21)  # the wave itself not coded
    assert r.status_code == 200, r.text
    assert any(f"wave {w21} has no finished coding job" in w for w in r.json()["summary"]["warnings"])


def test_a_later_compare_wave_is_refused(client, keys):
    """Finding 8: compare_wave_id names an earlier wave; 2023 is later than 2022 (422 naming both)."""
    sid = create_survey(client, keys["analyst"])
    w22 = _wave(client, keys, sid, sample_frame(40), "2022")
    w23 = _wave(client, keys, sid, sample_frame(40, SAMPLE_CSV_2023), "2023")
    r = _summary(client, keys, w22, compare_wave_id=w23)
    assert r.status_code == 422 and r.json()["error"]["code"] == "later_wave", r.text
    msg = r.json()["error"]["message"]
    assert f"wave {w23} comes after wave {w22}" in msg and f"compare_wave_id={w22}" in msg


def test_later_wave_order_by_number_or_upload_order():
    from service.store import _later_wave

    assert _later_wave(Wave(id=1, label="2023"), Wave(id=2, label="2022"))
    assert not _later_wave(Wave(id=3, label="2021"), Wave(id=2, label="2022"))
    assert _later_wave(Wave(id=5, label="vår 2024"), Wave(id=4, label="høst 2023"))
    assert not _later_wave(Wave(id=4, label="høst 2023"), Wave(id=5, label="vår 2024"))
