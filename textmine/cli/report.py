"""``textmine report``: HTML report, Excel workbook, SPSS file and chart files for one or more waves."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    """Attach this area's commands to the main app."""

    @app.command("report")
    def report(
        waves: list[Path] = typer.Argument(..., exists=True, dir_okay=False,
                                           help="Bølgefiler (CSV/XLSX/SAV/Parquet), eldste først."),
        survey: Path = typer.Option(..., "--survey", exists=True, dir_okay=False, help="Survey-definisjon (YAML)."),
        out: Path = typer.Option(..., "--out", file_okay=False, help="Mappe for rapportfilene."),
        codebook: Optional[Path] = typer.Option(None, "--codebook", exists=True, dir_okay=False,
                                                help="Kodebok (YAML); standard: den i survey-definisjonen."),
        model: Optional[Path] = typer.Option(None, "--model", exists=True, file_okay=False,
                                             help="Modellmappe; standard: models/default (ellers zero-shot)."),
        coder: str = typer.Option("model", "--coder", help="'model' (standard) eller 'keyword' (rask, uten modell)."),
        embedder: Optional[str] = typer.Option(None, "--embedder",
                                               help="Innebygging for sitatvalg: 'e5' eller 'fallback' (leksikalsk); "
                                                    "standard: e5, men 'fallback' med --coder keyword."),
    ) -> None:
        """Lag rapport (HTML, Excel, SPSS, figurer) for bølgene."""
        from rich.console import Console

        from textmine.codebook import load_codebook
        from textmine.report.pipeline import KeywordCoder, build_report
        from textmine.report.writer import write_report

        console = Console(stderr=True)
        if coder not in ("model", "keyword"):
            raise typer.BadParameter("--coder must be 'model' or 'keyword'")
        cb = load_codebook(codebook) if codebook else None
        injected = None
        if coder == "keyword":
            from textmine.paths import DEFAULT_CODEBOOK
            from textmine.survey import SurveyDefinition

            if cb is None:
                sd = SurveyDefinition.from_yaml(survey)
                path = next((q.codebook for q in sd.free_text if q.codebook), None) or DEFAULT_CODEBOOK
                cb = load_codebook(path)
            injected = KeywordCoder(cb)
        if embedder is None and coder == "keyword":
            embedder = "fallback"
        with console.status("Leser, koder og beregner …"):
            try:
                data = build_report([str(w) for w in waves], survey, codebook=cb, model_dir=model, coder=injected,
                                    embedder=embedder)
            except ValueError as exc:  # bad input (TableReadError, survey/codebook errors): clear message, exit 2
                typer.echo(f"Feil: {exc}", err=True)
                raise typer.Exit(2) from None
        with console.status("Skriver rapport …"):
            written = write_report(data, out)
        for kind in ("html", "xlsx", "sav", "json"):
            if kind in written:
                typer.echo(f"{kind}: {written[kind]}")
        n_charts = sum(1 for k in written if k.startswith("chart:"))
        typer.echo(f"figurer: {n_charts} filer i {Path(out) / 'figurer'}")
