"""``textmine code --zero-shot-background`` records the option beside its output (review dec07c: the record was
identical to plain zero-shot's), so that ``textmine summary`` tells the two codings apart."""

import json

import pandas as pd
from typer.testing import CliRunner

from textmine.cli import app
from textmine.codebook import Codebook
from textmine.pipeline import ZERO_SHOT_KEY, identity_path, same_coder
from textmine.report.pipeline import record_coder

THEMES = [
    {"id": "refusjon", "label": "Refusjon av sykepenger", "description": "Refusjon av sykepenger til arbeidsgiver.",
     "keywords": ["refusjon", "sykepenger"]},
    {"id": "digitalt", "label": "Digitale tjenester", "description": "Innlogging, nettsider og skjema.",
     "keywords": ["innlogging", "nettside"]},
]


def test_the_record_says_whether_the_background_check_coded_it(tmp_path, fake_e5):
    cbf = tmp_path / "lite.yaml"
    cbf.write_text(Codebook.from_dict({"name": "lite", "version": "1", "themes": THEMES}).to_yaml(), encoding="utf-8")
    src = tmp_path / "in.csv"
    pd.DataFrame({"kommentar": ["Refusjon av sykepenger kommer sent", "Innlogging på nettside feiler"] * 3}).to_csv(
        src, index=False)
    records = {}
    for name, extra in (("plain", []), ("bg", ["--zero-shot-background"])):
        out = tmp_path / f"{name}.csv"
        res = CliRunner().invoke(app, ["code", str(src), "--codebook", str(cbf), "--text-col", "kommentar",
                                       "--out", str(out), *extra])
        assert res.exit_code == 0, res.output
        records[name] = json.loads(identity_path(out).read_text(encoding="utf-8"))
    assert records["plain"][ZERO_SHOT_KEY] == {"background": False}
    assert records["bg"][ZERO_SHOT_KEY] == {"background": True}
    assert records["plain"]["model"] == records["bg"]["model"] == "zero-shot"
    assert not same_coder(record_coder(records["plain"]), record_coder(records["bg"]))
