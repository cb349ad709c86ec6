"""`textmine code` flags (health_flag, is_non_answer) agree with what `textmine summary --coded` uses; --header-row on
train, evaluate, agreement and review's labelled files."""

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from textmine.classify import output_columns
from textmine.cli import app
from textmine.pipeline import coded_from_code_output
from textmine.preprocess import Cleaner
from textmine.survey import SurveyDefinition

from .conftest import TOY_TRAIN

LABEL = "Hva synes du om kantina?"
TEXTS = ["Jeg er sykmeldt med depresjon og maten er dyr", "vet ikke", "hva synes du om kantina",
         "Køen i kassa er lang", ""]
TITLE = "Kantineundersøkelse 2026 (eksport fra skjemaverktøyet)"


def _invoke(*args):
    return CliRunner().invoke(app, [*map(str, args)])


@pytest.fixture()
def survey_files(tmp_path):
    data = tmp_path / "bolge.csv"
    pd.DataFrame({"id": [f"r{i}" for i in range(len(TEXTS))], "sektor": ["Privat"] * len(TEXTS),
                  "kommentar": TEXTS}).to_csv(data, index=False)
    definition = tmp_path / "survey.yaml"
    definition.write_text(f'name: kantine\nid: id\nfree_text:\n  - column: kommentar\n    label: "{LABEL}"\n',
                          encoding="utf-8")
    return data, definition


def _code(tmp_path, cb, data, *extra, name="coded.csv"):
    out = tmp_path / name
    res = _invoke("code", data, "--codebook", cb, "--text-col", "kommentar", "--out", out, *extra)
    assert res.exit_code == 0, res.output
    return pd.read_csv(out, keep_default_na=False, dtype=str)


def test_code_appends_health_flag_and_is_non_answer_after_the_contract_columns(tmp_path, cb, toy_codebook,
                                                                                  survey_files, fake_e5):
    data, _ = survey_files
    df = _code(tmp_path, cb, data)
    assert list(df.columns) == ["id", "sektor", "kommentar", *output_columns(toy_codebook), "health_flag",
                                "is_non_answer"]
    assert df["id"].tolist() == [f"r{i}" for i in range(len(TEXTS))]
    want = Cleaner(detect_language=False).fit().transform(TEXTS)
    assert df["health_flag"].tolist() == want["health_flag"].astype(str).tolist() == ["1", "0", "0", "0", "0"]
    assert df["is_non_answer"].tolist() == want["is_non_answer"].astype(str).tolist()
    assert df.loc[1, "is_non_answer"] == "1" and df.loc[1, "themes"] == ""


def test_code_keeps_an_input_flag_column_as_input_with_a_warning(tmp_path, cb, fake_e5):
    data = tmp_path / "renset.csv"
    pd.DataFrame({"kommentar": ["vet ikke", "Maten er dyr"], "is_non_answer": [0, 0]}).to_csv(data, index=False)
    out = tmp_path / "coded.csv"
    res = _invoke("code", data, "--codebook", cb, "--text-col", "kommentar", "--out", out)
    assert res.exit_code == 0, res.output
    assert "kept them as <name>_input" in " ".join(res.output.split())
    df = pd.read_csv(out, keep_default_na=False, dtype=str)
    assert df.columns[1] == "is_non_answer_input" and df.columns[-1] == "is_non_answer"
    assert df["is_non_answer_input"].tolist() == ["0", "0"] and df["is_non_answer"].tolist() == ["1", "0"]


def test_code_with_survey_counts_an_echo_of_the_question_as_a_non_answer_as_summary_does(
        tmp_path, cb, survey_files, fake_e5):
    data, definition = survey_files
    without = _code(tmp_path, cb, data, name="plain.csv")
    assert without.loc[2, "is_non_answer"] == "0"  # the label is not known without the survey
    coded = _code(tmp_path, cb, data, "--survey", definition)
    assert coded.loc[2, "is_non_answer"] == "1" and coded.loc[2, "themes"] == ""
    assert coded.loc[2, "type"] == without.loc[1, "type"]  # coded as the other non-answer ("vet ikke")
    survey = SurveyDefinition.from_yaml(definition)
    recleaned = coded_from_code_output(coded.drop(columns=["health_flag", "is_non_answer"]), survey, "kommentar")
    used = coded_from_code_output(coded, survey, "kommentar")
    answered = coded[coded["kommentar"].str.strip() != ""]
    assert recleaned["is_non_answer"].astype(str).tolist() == answered["is_non_answer"].tolist()
    assert used["is_non_answer"].astype(str).tolist() == answered["is_non_answer"].tolist()
    assert used["health_flag"].astype(str).tolist() == answered["health_flag"].tolist()


def test_code_with_survey_and_question_col_uses_each_rows_question_label(tmp_path, cb, fake_e5):
    data = tmp_path / "lang.csv"
    pd.DataFrame({"sporsmal": ["kantine", "parkering"], "svar": [LABEL, LABEL]}).to_csv(data, index=False)
    definition = tmp_path / "survey.yaml"
    definition.write_text(f'name: x\nid: id\nfree_text:\n  - column: kantine\n    label: "{LABEL}"\n'
                          f'  - column: parkering\n    label: "Hva synes du om parkeringen?"\n', encoding="utf-8")
    out = tmp_path / "coded.csv"
    res = _invoke("code", data, "--codebook", cb, "--text-col", "svar", "--question-col", "sporsmal",
                  "--survey", definition, "--out", out)
    assert res.exit_code == 0, res.output
    assert pd.read_csv(out, dtype=str)["is_non_answer"].tolist() == ["1", "0"]


def test_code_with_survey_warns_when_the_text_column_is_not_a_survey_question(tmp_path, cb, survey_files, fake_e5):
    data, definition = survey_files
    res = _invoke("code", data, "--codebook", cb, "--text-col", "sektor", "--survey", definition,
                  "--out", tmp_path / "o.csv")
    assert res.exit_code == 0, res.output
    assert "'sektor' is not one of its free-text questions (kommentar)" in " ".join(res.output.split())


def test_summary_takes_the_code_outputs_flags_where_present(survey_files):
    data, definition = survey_files
    survey = SurveyDefinition.from_yaml(definition)
    coded = pd.DataFrame({"id": ["r1", "r2", "r3"], "kommentar": ["Maten er god", "vet ikke", "Maten er god"],
                          "themes": ["mat", "", "mat"], "theme_mat": [1, 0, 1],
                          "health_flag": ["1", "0", ""], "is_non_answer": ["1", "0", "0"]})
    got = coded_from_code_output(coded, survey, "kommentar")
    assert got["is_non_answer"].tolist() == [1, 0, 0] and got["health_flag"].tolist() == [1, 0, 0]
    bad = coded.assign(is_non_answer=["1", "ja", "0"])
    with pytest.raises(ValueError, match=r"f.csv: column 'is_non_answer', data row 2: expected 0 or 1"):
        coded_from_code_output(bad, survey, "kommentar", source="f.csv")


# ---------------------------------------------------------------- --header-row on the labelled-file commands
def _labelled_frame(rows=TOY_TRAIN):
    return pd.DataFrame([(f"t{i}", *r) for i, r in enumerate(rows)], columns=["id", "text", "themes", "type"])


def _write(df, path, title: bool):
    if path.suffix == ".csv":
        path.write_text((f"{TITLE}\n" if title else "") + df.to_csv(index=False), encoding="utf-8")
    else:
        with pd.ExcelWriter(path, engine="openpyxl") as w:
            df.to_excel(w, index=False, startrow=1 if title else 0, sheet_name="Ark1")
            if title:
                w.sheets["Ark1"].cell(row=1, column=1, value=TITLE)
    return path


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_train_and_evaluate_read_a_title_row_above_the_header(tmp_path, cb, fake_e5, suffix):
    df = _labelled_frame()
    plain, titled = _write(df, tmp_path / f"plain{suffix}", False), _write(df, tmp_path / f"titled{suffix}", True)
    res = _invoke("train", titled, "--codebook", cb, "--out", tmp_path / "m0")
    assert res.exit_code == 2 and "--header-row" in res.output  # without it the title is read as the header
    for name, path, extra in (("m1", plain, []), ("m2", titled, ["--header-row", 2])):
        res = _invoke("train", path, "--codebook", cb, "--out", tmp_path / name, *extra)
        assert res.exit_code == 0, res.output
    metrics = [json.loads((tmp_path / m / "metrics.json").read_text()) for m in ("m1", "m2")]
    assert metrics[0] == metrics[1] and metrics[0]
    got = []
    for i, (path, extra) in enumerate(((plain, []), (titled, ["--header-row", 2]))):
        js = tmp_path / f"e{i}.json"
        res = _invoke("evaluate", path, "--model", tmp_path / "m1", "--json", js, *extra)
        assert res.exit_code == 0, res.output
        got.append({k: v for k, v in json.loads(js.read_text()).items() if k != "labelled"})
    assert got[0] == got[1] and got[0]["summary"]["n"] == len(df)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_agreement_reads_a_title_row_above_the_header_in_both_files(tmp_path, cb, suffix):
    first = _labelled_frame()
    second = first.assign(themes=["annet"] * 5 + first["themes"].tolist()[5:])
    reports = []
    for title, extra in ((False, []), (True, ["--header-row", 2])):
        a = _write(first, tmp_path / f"a{int(title)}{suffix}", title)
        b = _write(second, tmp_path / f"b{int(title)}{suffix}", title)
        js = tmp_path / f"agr{int(title)}.json"
        res = _invoke("agreement", a, b, "--codebook", cb, "--json", js, *extra)
        assert res.exit_code == 0, res.output
        reports.append({k: v for k, v in json.loads(js.read_text()).items() if k not in ("first", "second")})
    assert reports[0] == reports[1]
    assert reports[0] != {}


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_review_corrections_train_and_eval_files_take_labelled_header_row(tmp_path, cb, fake_e5, suffix):
    train = _labelled_frame()
    plain_train = _write(train, tmp_path / f"train{suffix}", False)
    titled_train = _write(train, tmp_path / f"ttrain{suffix}", True)
    assert _invoke("train", plain_train, "--codebook", cb, "--out", tmp_path / "m").exit_code == 0
    data = tmp_path / "data.csv"
    pd.DataFrame({"id": ["c1", "c2"], "text": ["Kaffen er for dyr", "Lang kø i kassa"]}).to_csv(data, index=False)
    corr = pd.DataFrame({"id": ["c1", "c2"], "text": ["Kaffen er for dyr", "Lang kø i kassa"],
                         "themes": ["pris", "ko"], "type": ["klage", "klage"]})
    ev = _labelled_frame(TOY_TRAIN[::3])
    outputs = []
    for title, extra in ((False, []), (True, ["--labelled-header-row", 2])):
        tag = int(title)
        c = _write(corr, tmp_path / f"corr{tag}{suffix}", title)
        e = _write(ev, tmp_path / f"eval{tag}{suffix}", title)
        t = titled_train if title else plain_train
        res = _invoke("review", data, "--model", tmp_path / "m", "--corrections", c, "--train", t, "--eval", e,
                      *extra)
        assert res.exit_code == 0, res.output
        outputs.append(res.stdout)
    assert outputs[0] == outputs[1] and outputs[0].strip()


def test_review_labelled_header_row_goes_with_corrections(tmp_path, cb, fake_e5):
    data = tmp_path / "data.csv"
    pd.DataFrame({"text": ["Kaffen er for dyr"]}).to_csv(data, index=False)
    res = _invoke("review", data, "--codebook", cb, "--labelled-header-row", 2)
    assert res.exit_code == 2 and "--labelled-header-row" in res.output and "go with --corrections" in res.output


# ---------------------------------------------------------------- textmine store training-jobs
def test_store_training_jobs_lists_them_as_get_training_jobs(tmp_path, monkeypatch):
    from fastapi.testclient import TestClient

    from service.app import create_app
    from service.auth import create_key
    from service.db.models import TrainingJob
    from service.db.session import Database
    from service.settings import Settings
    from textmine.paths import DEFAULT_CODEBOOK

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TEXTMINE_DATABASE_URL", raising=False)
    assert _invoke("store", "codebook-add", DEFAULT_CODEBOOK).exit_code == 0
    url = f"sqlite:///{tmp_path / 'textmine.db'}"
    db = Database(url)
    with db.session() as s:
        s.add_all([TrainingJob(codebook_id=1, name="v1", state="failed", error="too few corrections"),
                   TrainingJob(codebook_id=1, state="queued")])
    db.dispose()
    res = _invoke("store", "training-jobs")
    assert res.exit_code == 0, res.output
    lines = res.stdout.strip().splitlines()
    assert [ln.split("\t")[:5] for ln in lines] == [["2", "codebook=1", "name=-", "model=-", "queued"],
                                                    ["1", "codebook=1", "name=v1", "model=-", "failed"]]
    assert lines[1].endswith("\terror=too few corrections")
    assert _invoke("store", "training-jobs", "--state", "failed").stdout.startswith("1\tcodebook=1\tname=v1\t")
    page = _invoke("store", "training-jobs", "--limit", 1, "--offset", 1)
    assert page.stdout.startswith("1\t") and "--offset 2 for more" not in page.stderr
    app_ = create_app(Settings(database_url=url, run_jobs=False, warmup=False, models_dir=tmp_path / "models"))
    with TestClient(app_) as client:
        with app_.state.db.session() as s:
            key = create_key(s, "analyst", "test")[1]
        for query, cli in (("", []), ("?state=failed", ["--state", "failed"]), ("?limit=1&offset=1",
                                                                                 ["--limit", 1, "--offset", 1])):
            r = client.get(f"/training-jobs{query}", headers={"X-API-Key": key})
            assert r.status_code == 200, r.text
            res = _invoke("store", "training-jobs", *cli, "--json")
            assert res.exit_code == 0, res.output
            assert json.loads(res.stdout) == r.json(), query
    bad = _invoke("store", "training-jobs", "--state", "Done")
    assert bad.exit_code == 2 and "--state must be one of queued, running, done, failed, cancelled" in bad.output
