"""``textmine report``: HTML report, Excel workbook, SPSS file and chart files for one or more waves."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

REPORT_FILES = ("rapport.html", "rapport.xlsx", "rapport.json", "kodede_svar.sav")  # write_report's names


def register(app: typer.Typer) -> None:
    """Attach this area's commands to the main app."""

    @app.command("report")
    def report(
        waves: list[Path] = typer.Argument(..., exists=True, dir_okay=False,
                                           help="Wave files (CSV/XLSX/SAV/Parquet/JSON), oldest first."),
        survey: Path = typer.Option(..., "--survey", exists=True, dir_okay=False, help="Survey definition (YAML)."),
        out: Path = typer.Option(..., "--out", help="Folder for the report files."),
        codebook: Optional[Path] = typer.Option(None, "--codebook", exists=True, dir_okay=False,
                                                help="Codebook (YAML); default: the one in the survey definition."),
        model: Optional[Path] = typer.Option(None, "--model", exists=True, file_okay=False,
                                             help="Model folder; default: models/default (else zero-shot)."),
        coder: str = typer.Option("model", "--coder", help="'model' (default) or 'keyword' (fast, no model)."),
        embedder: Optional[str] = typer.Option(None, "--embedder",
                                               help="Embedder for choosing quotes: 'e5' or 'fallback' (lexical); "
                                                    "default: e5, but 'fallback' with --coder keyword."),
        sheet: Optional[str] = typer.Option(None, "--sheet", help="Excel wave files: the sheet to read (default: "
                                                                   "the first)."),
    ) -> None:
        """Write the report (HTML, Excel, SPSS, charts) for the waves."""
        import warnings

        from rich.console import Console

        from textmine.cli.clean import check_out_dir
        from textmine.cli.coding import _fail, _note
        from textmine.cli.stats import load_survey
        from textmine.codebook import CodebookError, load_codebook
        from textmine.report.pipeline import KeywordCoder, build_report
        from textmine.report.writer import write_report

        console = Console(stderr=True)
        if coder not in ("model", "keyword"):
            raise typer.BadParameter("--coder must be 'model' or 'keyword'")
        sd = load_survey(survey)
        check_out_dir(out, REPORT_FILES, *waves, survey, codebook, what="the report")
        injected = None
        try:  # a bad codebook fails now, not after reading and coding
            cb = load_codebook(codebook) if codebook else None
            if coder == "keyword":
                from textmine.paths import DEFAULT_CODEBOOK

                if cb is None:
                    cb = load_codebook(next((q.codebook for q in sd.free_text if q.codebook), None) or DEFAULT_CODEBOOK)
                injected = KeywordCoder(cb)
        except CodebookError as exc:
            _fail(str(exc))
        if embedder is None and coder == "keyword":
            embedder = "fallback"
        with console.status("Reading, coding and computing …"), warnings.catch_warnings(record=True) as caught:
            try:
                data = build_report([str(w) for w in waves], sd, codebook=codebook, model_dir=model, coder=injected,
                                    embedder=embedder, sheet=sheet)
            except ValueError as exc:  # bad input (TableReadError, survey/codebook errors): clear message, exit 2
                _fail(str(exc))
        for w in caught:  # e.g. the shipped model does not fit the codebook: coded zero-shot
            if not issubclass(w.category, DeprecationWarning):
                _note(str(w.message))
        with console.status("Writing the report …"):
            try:
                written = write_report(data, out)
            except OSError as exc:
                _fail(f"could not write {out}: {exc.strerror or exc}")
        for kind in ("html", "xlsx", "sav", "json"):
            if kind in written:
                typer.echo(f"{kind}: {written[kind]}")
        n_charts = sum(1 for k in written if k.startswith("chart:"))
        typer.echo(f"charts: {n_charts} files in {Path(out) / 'figurer'}")
