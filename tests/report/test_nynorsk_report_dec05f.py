"""The report in nynorsk: `textmine report --language nn` / ``build_report(language=...)`` / ``write_report``.

Every fixed reader-facing string (HTML, workbook, SPSS labels, charts, method notes, verdicts) in nynorsk, the
user's own text (questions, theme labels, quotes, segment labels) untouched, the bokmål report as before."""

from __future__ import annotations

import ast
import html as html_lib
import json
import re
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from textmine.paths import SAMPLE_DIR
from textmine.report import wording
from textmine.report.wording import NN, nn_text, say, verdict

REPORT_DIR = Path(wording.__file__).parent
WAVES = [str(SAMPLE_DIR / "arbeidsgiver_2022.csv"), str(SAMPLE_DIR / "arbeidsgiver_2023.csv")]
needs_sample = pytest.mark.skipif(not (SAMPLE_DIR / "arbeidsgiver_2023.csv").exists(), reason="sample data missing")

#: words that are bokmål only: none may be in the fixed text of a nynorsk report
BOKMAL_ONLY = frozenset(
    "ikke økning antall svarene kilde hva hvilke hvilken hvert hver andel andelen andelene andeler temaer temaene "
    "sitater sitatene uten fra ble vises tallene tall siden sammenlignet sammenligning sammenligninger forrige mens "
    "derfor bare selv høyere lavere beskrivelse kommentarer respondenter indikatorer nevner avsender navn "
    "gjennomsnittlig fikk de dem et en hvor noen mye vektet uvektet kodet lest følger gruppen ett kjøringen "
    "målingene målingen svarer bygger usikkerhet laget virker filen".split())
#: headings and words of the bokmål report (as it was before nynorsk came)
BOKMAL_FIXED = ["Temaer i fritekstsvarene", "Hovedfunn", "Temaer etter segment", "Temaer ved siden av indikatorene",
                "Endring siden 2022", "Hvilke temaer henger sammen med tilfredshet?", "Sitater", "Metode", "Kilde",
                "Andel av dem som svarte", "Andel av de spurte", "Forkortelser", "ingen sikker endring",
                "Laget med textmine. Filen er selvstendig og virker uten nettilgang."]
NYNORSK_FIXED = ["Tema i fritekstsvara", "Hovudfunn", "Tema etter segment", "Tema ved sida av indikatorane",
                 "Endring sidan 2022", "Kva for tema heng saman med nøgdsemd?", "Sitat", "Metode", "Kjelde",
                 "Del av dei som svarte", "Del av dei spurde", "Forkortingar", "Del positive", "inga sikker endring",
                 "ikkje", "Laga med textmine. Fila er sjølvstendig og verkar utan nettilgang."]


def _cli(args):
    from textmine.cli import app

    return CliRunner().invoke(app, ["report", *WAVES, "--survey", str(SAMPLE_DIR / "survey.yaml"), *args])


@pytest.fixture(scope="module")
def nn_report(tmp_path_factory):
    """The sample's report in nynorsk, by the CLI (keyword coder, lexical quote embedder: fast)."""
    out = tmp_path_factory.mktemp("nn_report")
    result = _cli(["--out", str(out), "--coder", "keyword", "--language", "nn"])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def nb_data():
    """The sample's report data built by the library in bokmål (the default)."""
    from textmine.codebook import load_codebook
    from textmine.report.pipeline import KeywordCoder, build_report
    from textmine.survey import load_survey

    survey = load_survey(SAMPLE_DIR / "survey.yaml")
    codebook = load_codebook(next(q.codebook for q in survey.free_text if q.codebook))
    return build_report(WAVES, survey, coder=KeywordCoder(codebook), embedder="fallback")


def _user_strings(report_json: dict) -> list[str]:
    """Every string of the report that comes from the user's files (never translated), longest first."""
    d = report_json
    user = {d["title"], *d["questions"], *d["questions"].values(), *d["segments"].values()}
    for table in ("indicators", "themes", "changes", "impact", "quotes"):
        for row in d[table]:
            user |= {v for k, v in row.items() if isinstance(v, str) and k in
                     ("label", "segment", "text", "attribution", "indicator_label", "question")}
    user |= {t.get(k) or "" for t in d["codebook"] for k in ("label", "description")}
    labels = d["method"].get("labels") or {}
    for values in (labels.get("values") or {}).values():
        user |= set(values) | set(values.values())
    user |= set((labels.get("columns") or {}).values()) | {"vet ikke", "ikke benyttet tjenesten"}
    user |= {u.lower() for u in user if u}
    user |= {q[:n] for q in d["questions"].values() for n in range(20, len(q))}  # (shortened wordings)
    user |= {"[NAVN]", "[ANTALL]"}  # (markers in the quotes: a redaction, a masked headcount; not wording)
    return sorted((u for u in user if u and len(u) > 1), key=len, reverse=True)


def _bokmal_words(text: str, user: list[str]) -> set[str]:
    """The bokmål-only words of ``text`` outside the user's strings (tags and CSS removed)."""
    text = re.sub(r"<style>.*?</style>", " ", text, flags=re.S)
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", text))
    for u in user:
        text = text.replace(u, " ")
    return {w for w in re.findall(r"[A-Za-zÆØÅæøåéò]+", text) if w.lower() in BOKMAL_ONLY}


def _workbook_text(path: Path) -> tuple[list[str], str]:
    """(sheet names, every header row and the sheet «Metode»'s cells as one text)."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    parts = []
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        parts += [str(c) for c in rows[0] if c is not None]
        if ws.title == "Metode":
            parts += [str(c) for row in rows[1:] for c in row if c is not None]
    return list(wb.sheetnames), "\n".join(parts)


def _doc_language(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        core = z.read("docProps/core.xml").decode("utf-8")
    return re.search(r"<dc:language>([^<]*)</dc:language>", core).group(1)


@needs_sample
def test_nynorsk_report_has_nynorsk_headings_and_document_language(nn_report):
    page = (nn_report / "rapport.html").read_text(encoding="utf-8")
    assert '<html lang="nn">' in page
    for text in NYNORSK_FIXED:
        assert text in html_lib.unescape(page), text
    for text in ("Temaer i fritekstsvarene", "Hovedfunn", "Kilde</dt>", "Hvilke temaer"):
        assert text not in page, text
    assert _doc_language(nn_report / "rapport.xlsx") == "nn-NO"


@needs_sample
def test_nynorsk_fixed_text_has_no_bokmal_words(nn_report):
    report = json.loads((nn_report / "rapport.json").read_text(encoding="utf-8"))
    user = _user_strings(report)
    assert _bokmal_words((nn_report / "rapport.html").read_text(encoding="utf-8"), user) == set()
    sheets, text = _workbook_text(nn_report / "rapport.xlsx")
    assert sheets == ["Indikatorar", "Tema", "Endring", "Samanheng", "Sitat", "Kodebok", "Metode"]
    assert _bokmal_words(text, user) == set()
    sheets, text = _workbook_text(nn_report / "kodede_svar.xlsx")  # the rows, in a workbook of their own
    assert sheets == ["Koda svar", "Metode"]
    assert _bokmal_words(text, user) == set()
    charts = "\n".join(p.read_text(encoding="utf-8") for p in sorted((nn_report / "figurer").glob("*.svg")))
    assert _bokmal_words(charts, user) == set()


@needs_sample
def test_nynorsk_report_keeps_the_users_text(nn_report):
    """Questions, theme labels, segment labels and quotes stay as written in the user's files (here bokmål)."""
    page = html_lib.unescape((nn_report / "rapport.html").read_text(encoding="utf-8"))
    report = json.loads((nn_report / "rapport.json").read_text(encoding="utf-8"))
    assert report["language"] == "nn"
    for question in report["questions"].values():
        assert f"«{question}»" in page
    for label in {row["label"] for row in report["themes"]}:
        assert label in page, label
    quote = report["quotes"][0]["text"]
    assert f"«{quote}»" in page


@needs_sample
def test_nynorsk_spss_labels(nn_report):
    import pyreadstat

    _, meta = pyreadstat.read_sav(str(nn_report / "kodede_svar.sav"), metadataonly=True)
    labels = dict(zip(meta.column_names, meta.column_labels))
    assert labels["themes"] == "Tema (id-ar skilde med ;)"
    assert labels["confidence"] == "Sikkerheit (0–1)"
    assert meta.file_label.endswith("– koda fritekstsvar")


@needs_sample
def test_bokmal_report_is_unchanged_and_write_report_takes_a_language(nb_data, tmp_path):
    from textmine.report.writer import write_report

    assert nb_data.language == "nb"
    nb = write_report(nb_data, tmp_path / "nb", formats=("html", "xlsx"))
    page = html_lib.unescape(nb["html"].read_text(encoding="utf-8"))
    assert '<html lang="nb">' in page
    for text in BOKMAL_FIXED:
        assert text in page, text
    for text in ("Hovudfunn", "Kjelde", "Tema i fritekstsvara", "Del positive", "Laga med textmine"):
        assert text not in page, text  # (the quotes may be in nynorsk: the fixed text is not)
    sheets, _ = _workbook_text(nb["xlsx"])
    assert sheets == ["Indikatorer", "Temaer", "Endring", "Betydning", "Sitater", "Kodebok", "Metode"]
    assert _doc_language(nb["xlsx"]) == "nb-NO"
    nn = write_report(nb_data, tmp_path / "nn", formats=("html",), language="nn")  # the same data in nynorsk
    assert '<html lang="nn">' in nn["html"].read_text(encoding="utf-8")
    assert "Tema i fritekstsvara" in nn["html"].read_text(encoding="utf-8")
    assert nb_data.language == "nb"  # (the caller's data keeps its language)


def test_wrong_language_is_a_one_line_error():
    result = _cli(["--out", "/tmp/never-written", "--coder", "keyword", "--language", "de"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "--language" in lines[0] and "'de'" in lines[0], result.output
    assert not Path("/tmp/never-written").exists()


def test_library_rejects_a_wrong_language(tmp_path):
    from textmine.report.model import ReportData
    from textmine.report.pipeline import build_report
    from textmine.report.writer import write_report

    with pytest.raises(ValueError, match="'nb' .* 'nn'.*'sv'"):
        build_report({}, None, language="sv")
    with pytest.raises(ValueError, match="got 'en'"):
        ReportData(title="x", waves=["2024"], language="en")
    with pytest.raises(ValueError, match="got 'xx'"):
        write_report(ReportData(title="x", waves=["2024"]), tmp_path, formats=(), language="xx")


def test_default_language_is_the_survey_or_codebook_language():
    from textmine.cli.report import report_language

    nn_book, nb_book = SimpleNamespace(language="nn"), SimpleNamespace(language="nb")
    assert report_language(None, SimpleNamespace(), nn_book) == "nn"
    assert report_language(None, SimpleNamespace(language="nn"), nb_book) == "nn"
    assert report_language(None, SimpleNamespace(), SimpleNamespace(language="en")) == "nb"
    assert report_language(None, None, None) == "nb"
    assert report_language("NN", None, nb_book) == "nn"  # (given: wins)


def _say_keys() -> list[str]:
    """The fixed strings the renderers look up (literal first arguments of ``say``) and the template's ``tr``."""
    keys = []
    for name in ("html", "charts", "views", "excel", "spss"):
        tree = ast.parse((REPORT_DIR / f"{name}.py").read_text(encoding="utf-8"))
        keys += [n.args[0].value for n in ast.walk(tree) if isinstance(n, ast.Call)
                 and getattr(n.func, "id", None) == "say" and n.args and isinstance(n.args[0], ast.Constant)]
    template = (REPORT_DIR / "templates" / "report.html").read_text(encoding="utf-8")
    keys += [a or b for a, b in re.findall(r"""tr\((?:"([^"]*)"|'([^']*)')""", template)]
    return keys


def _table_keys() -> list[str]:
    """The fixed strings the renderers look up from their tables (sheet names, headers, method headings …)."""
    from textmine.report import charts, excel, html, spss, views

    keys = [*views.METHOD_NAMES.values(), *views.CODER_KINDS.values(), *excel.LANGUAGE_NAMES.values(),
            *[w for pair in html._LEFT_OUT_WHY.values() for w in pair], *[c[0] for c in charts.IMPACT_CLASSES.values()],
            *html.SEGMENT_COLUMNS, *html.KNOWN_ABBREVIATIONS.values(), html.HIDDEN_WHY, html.SMALL_GROUP_NOTE, html.SPSS_RANGE_CODES,
            excel.ABBREVIATIONS, excel.HEALTH_NOTE, excel.ROW_NUMBER_HEADER, excel.ROW_LEVEL_SHEET,
            spss.ROW_NUMBER_LABEL, charts.SURE_LABEL, *excel.CODED_HEADERS.values(),
            *excel.SAMPLE_COLUMN_HEADERS.values(), *excel.CODEBOOK_HEADERS.values(), *spss.VAR_LABELS.values()]
    for name, _, headers, _ in excel.SHEETS:
        keys += [name, *headers.values()]
    return keys


def test_every_fixed_string_has_a_nynorsk_wording():
    keys = _say_keys() + _table_keys()
    assert len(keys) > 200
    assert [k for k in keys if k not in NN] == []
    for bokmal, nynorsk in NN.items():  # the same values to fill in on both sides
        assert sorted(re.findall(r"\{\w+\}", bokmal)) == sorted(re.findall(r"\{\w+\}", nynorsk)), bokmal


def test_texts_from_elsewhere_are_put_into_nynorsk_outside_quotes():
    coded = ("Kodene for «Hva er ikke bra?» (måling 2022) er lest fra ferdig kodede filer og brukt som de er (ikke "
             "kodet på nytt).")
    assert nn_text(coded, "nn") == ("Kodane for «Hva er ikke bra?» (måling 2022) er henta frå ferdig koda filer og "
                                    "brukte som dei er (ikkje koda på nytt).")
    assert nn_text(coded, "nb") == coded
    suppression = ("Tall for grupper med grunnlag under 10 (færre enn 10 svar) vises ikke, og sitater hentes aldri "
                   "fra dem.")
    assert nn_text(suppression + " For at de skjulte tallene ikke skal kunne regnes ut ved å trekke de viste gruppene "
                   "fra totalen, er også noen større grupper skjult, så mange at heller ikke de skjulte gruppene til "
                   "sammen er for små til å vises (sekundær skjuling). ", "nn").startswith(
        "Tal for grupper med grunnlag under 10 (færre enn 10 svar) blir ikkje viste, og sitat blir aldri henta frå dei.")
    assert [verdict(v, "nn") for v in ("ikke testbar", "ingen sikker forskjell", "økning", "signifikant")] == \
        ["ikkje testbar", "ingen sikker skilnad", "auke", "signifikant"]
    assert verdict("ikke testbar", "nb") == "ikke testbar"
    assert say("Endring siden {wave}", "nn", wave="2023") == "Endring sidan 2023"
