"""End to end on the bundled sample: `textmine report` CLI → every output free of the planted personal data."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from textmine.paths import SAMPLE_DIR

pytestmark = pytest.mark.skipif(not (SAMPLE_DIR / "arbeidsgiver_2023.csv").exists(), reason="sample data missing")


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory):
    from textmine.cli import app

    out = tmp_path_factory.mktemp("sample_report")
    result = CliRunner().invoke(app, ["report", str(SAMPLE_DIR / "arbeidsgiver_2022.csv"),
                                      str(SAMPLE_DIR / "arbeidsgiver_2023.csv"), "--survey",
                                      str(SAMPLE_DIR / "survey.yaml"), "--out", str(out), "--coder", "keyword"])
    assert result.exit_code == 0, result.output
    return out, result.output


def test_cli_writes_all_outputs(sample_report):
    out, output = sample_report
    for name in ("rapport.html", "rapport.xlsx", "kodede_svar.xlsx", "kodede_svar.sav", "rapport.json"):
        assert (out / name).stat().st_size > 1000, name
    assert len(list((out / "figurer").glob("*.png"))) >= 6
    assert "html:" in output and "xlsx:" in output
    html = (out / "rapport.html").read_text(encoding="utf-8")
    assert "Hva må til for at NAV sin oppfølging av sykmeldte skal bli bedre?" in html
    assert "Endring siden 2022" in html and "Samsvar med manuell koding" in html


def test_no_planted_personal_data_in_any_output(sample_report, piiscan):
    out, _ = sample_report
    find_pii, load_pii, patterns = piiscan.find_pii, piiscan.load_pii, piiscan.patterns
    pii = load_pii(SAMPLE_DIR)
    assert len(pii) >= 20
    raw = "".join(p.read_text(encoding="utf-8") for p in SAMPLE_DIR.glob("arbeidsgiver_*.csv"))
    planted = [v for _, v, pat in patterns(pii) if pat.search(raw)]
    assert len(planted) >= 0.9 * len(pii), "the scan would be vacuous: planted values not found in the input"
    scanned = list(Path(out).rglob("*.*"))
    assert {p.suffix for p in scanned} >= {".html", ".xlsx", ".sav", ".png", ".svg", ".json"}
    hits = find_pii(Path(out), pii)
    assert hits == [], hits
