"""``--csv-sep`` for ``clean``, ``discover`` and ``demo`` (dec08b): the semicolon CSV Norwegian Excel opens, with a
BOM and decimal commas, read back as the comma CSV; refused for another value or a non-CSV output."""

from functools import partial

import pandas as pd
import pytest

from textmine.io import read_table

from ..clitools import assert_clean_fail, run_cli

BOM = b"\xef\xbb\xbf"
SEMI = ("id;svar;vekt;belop\n"
        "1;Lang kø;0,9;12,50\n"
        "2;3,5 uker ventetid;1,1;7,00\n"
        "3;Bra;1,0;1 234,50\n")


@pytest.fixture()
def semi(tmp_path):
    p = tmp_path / "semi.csv"
    p.write_text(SEMI, encoding="utf-8")
    return p


def _header(path) -> str:
    return path.read_bytes().decode("utf-8-sig").splitlines()[0]


# ------------------------------------------------------------------------------------------------ clean
def test_clean_csv_sep_semicolon_for_excel_reads_back_as_the_comma_csv(tmp_path, semi):
    plain, semi_out = tmp_path / "plain.csv", tmp_path / "semi_out.csv"
    for out, extra in ((plain, ()), (semi_out, ("--csv-sep", ";"))):
        res = run_cli("clean", semi, "--text-col", "svar", "--out", out, "--no-language", *extra)
        assert res.exit_code == 0, res.output
    assert not plain.read_bytes().startswith(BOM) and _header(plain).startswith("id,svar,vekt,belop,")
    assert semi_out.read_bytes().startswith(BOM) and _header(semi_out).startswith("id;svar;vekt;belop;")
    a, b = read_table(plain), read_table(semi_out)
    assert b.attrs["delimiter"] == ";"
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    assert a["svar"].tolist() == ["Lang kø", "3,5 uker ventetid", "Bra"] and a["vekt"].tolist() == [0.9, 1.1, 1.0]
    assert "12,5" in semi_out.read_text(encoding="utf-8-sig")  # decimals with a comma, as Norwegian Excel reads them


@pytest.mark.parametrize("args, needle", [
    (("--csv-sep", "|", "--out", "o.csv"), "expected ',', ';' or 'tab'"),
    (("--csv-sep", ";", "--out", "o.xlsx"), "--csv-sep applies to a .csv --out"),
])
def test_clean_csv_sep_refused_for_another_value_or_output(tmp_path, semi, args, needle):
    args = tuple(str(tmp_path / a) if a.startswith("o.") else a for a in args)
    res = run_cli("clean", semi, "--text-col", "svar", "--no-language", *args)
    assert_clean_fail(res, needle)
    assert not list(tmp_path.glob("o.*"))


# ------------------------------------------------------------------------------------------------ discover
TEXTS = ["Telefonkøen er altfor lang", "Lang kø på telefonen hver dag", "Saksbehandlingstiden er lang",
         "Vi venter lenge på svar i saken", "Refusjonen av sykepenger tar tid", "Refusjon kommer alltid sent",
         "vet ikke", ""]


def test_discover_csv_sep_writes_assignments_for_excel(tmp_path):
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": range(1, len(TEXTS) + 1), "vekt": [0.5 + i / 4 for i in range(len(TEXTS))],
                  "text": TEXTS}).to_csv(src, index=False)
    outs = {}
    for name, extra in (("plain", ()), ("semi", ("--csv-sep", ";")), ("tab", ("--csv-sep", "tab"))):
        outs[name] = tmp_path / name
        res = run_cli("discover", src, "--text-col", "text", "--out", outs[name], "--embedder", "lexical", *extra)
        assert res.exit_code == 0, res.output
    files = {k: v / "assignments.csv" for k, v in outs.items()}
    assert not files["plain"].read_bytes().startswith(BOM) and _header(files["plain"]).startswith("id,vekt,text,")
    assert files["semi"].read_bytes().startswith(BOM) and _header(files["semi"]).startswith("id;vekt;text;")
    assert _header(files["tab"]).startswith("id\tvekt\ttext\t")
    assert "0,75" in files["semi"].read_text(encoding="utf-8-sig")
    plain = read_table(files["plain"])
    for k in ("semi", "tab"):
        pd.testing.assert_frame_equal(plain, read_table(files[k]), check_dtype=False)


def test_discover_csv_sep_refused_before_any_work(tmp_path, monkeypatch):
    import textmine.discover as discover

    monkeypatch.setattr(discover, "discover_themes", lambda *a, **k: pytest.fail("discovered before checking"))
    src = tmp_path / "in.csv"
    pd.DataFrame({"text": TEXTS}).to_csv(src, index=False)
    res = run_cli("discover", src, "--text-col", "text", "--out", tmp_path / "o", "--embedder", "lexical",
                  "--csv-sep", "semikolon")
    assert_clean_fail(res, "--csv-sep", "expected ',', ';' or 'tab'")
    assert not (tmp_path / "o" / "assignments.csv").exists()


# ------------------------------------------------------------------------------------------------ demo
def test_demo_csv_sep_refused_before_any_work(tmp_path):
    res = run_cli("demo", "--out", tmp_path / "d", "--csv-sep", "|")
    assert_clean_fail(res, "--csv-sep", "expected ',', ';' or 'tab'")
    assert not (tmp_path / "d").exists()


def test_demo_csv_sep_semicolon_writes_the_summary_and_coded_answers_for_excel(tmp_path, monkeypatch):
    import textmine.pipeline as tp
    import textmine.summary as ts
    from textmine.report.pipeline import KeywordCoder

    read = tp.read_waves  # (small, fast stand-ins, as tests.clitools.run_fast_demo has them)
    monkeypatch.setattr(tp, "read_waves", lambda paths, survey, **kw: {
        w: df.head(200) for w, df in read(paths, survey, **kw).items()})
    monkeypatch.setattr(tp, "coder_for", lambda **kw: KeywordCoder())
    monkeypatch.setattr(ts, "build_summary", partial(ts.build_summary, embedder="fallback"))
    res = run_cli("demo", "--out", tmp_path / "d", "--no-report", "--csv-sep", ";")
    assert res.exit_code == 0, res.output
    coded = sorted((tmp_path / "d" / "kodet").glob("kodet_*.csv"))
    tidy = tmp_path / "d" / "sammendrag" / "summary_tidy.csv"
    assert coded and tidy.exists()
    for f in (*coded, tidy):
        assert f.read_bytes().startswith(BOM) and ";" in _header(f) and "," not in _header(f), f
        assert read_table(f).attrs["delimiter"] == ";"


# ------------------------------------------------------------------------------------------------ summary --coded
