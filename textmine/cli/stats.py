"""CLI: ``textmine summary`` (clean + code + summarise survey waves) and ``textmine crosstab``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

import pandas as pd
import typer

__all__ = ["register", "load_coded"]


def _fail(msg: str) -> None:
    typer.echo(f"Feil: {msg}", err=True)
    raise typer.Exit(code=2)


def load_coded(path: Path) -> pd.DataFrame:
    """Read an already-coded comments table (respondent_id, question, text_clean, theme_<id>…)."""
    from ..io import read_table

    df = read_table(path)
    need = {"respondent_id", "question", "text_clean"}
    missing = need - set(df.columns)
    if missing:
        raise ValueError(f"{path}: coded table lacks column(s) {', '.join(sorted(missing))}")
    df["respondent_id"] = df["respondent_id"].astype(str)
    return df


from ..pipeline import code_wave, wave_of  # noqa: E402


def register(app: typer.Typer) -> None:
    """Attach ``summary`` and ``crosstab``."""

    @app.command("summary")
    def summary_cmd(
        waves: list[Path] = typer.Argument(..., help="Én fil per bølge (CSV/XLSX/SAV/Parquet)."),
        survey_path: Path = typer.Option(..., "--survey", help="Undersøkelsesdefinisjon (YAML)."),
        out: Path = typer.Option(..., "--out", help="Mappe for CSV/JSON/XLSX."),
        codebook: Optional[Path] = typer.Option(None, "--codebook", help="Kodebok (overstyrer YAML)."),
        model: Optional[Path] = typer.Option(None, "--model", help="Modellmappe for koding (ellers standardmodellen)."),
        compare_to: Optional[str] = typer.Option(None, "--compare-to", help="Sammenlign alle bølger med denne."),
        coded: Optional[list[Path]] = typer.Option(None, "--coded", help="Ferdig kodede svar (én fil per bølge, samme rekkefølge); hopper over koding."),
        sheet: Optional[str] = typer.Option(None, "--sheet", help="Arknavn for XLSX."),
        embedder: Optional[str] = typer.Option(None, "--embedder", help="Embedder for sitatvalg (standard: e5, ellers leksikalsk)."),
        no_quotes: bool = typer.Option(False, "--no-quotes", help="Ikke velg sitater."),
        quiet: bool = typer.Option(False, "--quiet", help="Ikke skriv tabellen til terminalen."),
    ) -> None:
        """Indikatorer og temaandeler per segment med KI, endring med vurdering, og sitater."""
        from ..io import TableReadError, read_table
        from ..summary import build_summary
        from ..survey import SurveyDefinition, SurveyDefinitionError

        try:
            survey = SurveyDefinition.from_yaml(survey_path)
        except SurveyDefinitionError as e:
            _fail(str(e))
        if coded and len(coded) != len(waves):
            _fail(f"--coded must be given once per wave ({len(waves)} wave file(s), {len(coded)} coded file(s))")
        frames: dict[Any, pd.DataFrame] = {}
        coded_frames: dict[Any, pd.DataFrame] = {}
        for i, p in enumerate(waves):
            try:
                df = read_table(p, sheet=sheet, survey=survey)
                wave = wave_of(df, survey, p)
            except (TableReadError, ValueError) as e:
                _fail(str(e))
            if wave in frames:
                _fail(f"wave {wave!r} given twice")
            frames[wave] = df
            if coded:
                try:
                    coded_frames[wave] = load_coded(coded[i])
                except (TableReadError, ValueError) as e:
                    _fail(str(e))
            elif survey.free_text:
                typer.echo(f"Koder fritekst for bølge {wave} …", err=True)
                coded_frames[wave] = code_wave(df, survey, model=model, codebook=codebook,
                                                report=lambda m: typer.echo(f"  {m}", err=True))
        cmp: Any = compare_to
        if compare_to is not None:
            keys = {str(k): k for k in frames}
            if compare_to not in keys:
                _fail(f"--compare-to {compare_to!r} is not one of the waves {', '.join(keys)}")
            cmp = keys[compare_to]
        labels: dict[str, str] = {}
        cb_path = codebook or next((q.codebook for q in survey.free_text if q.codebook), None)
        if cb_path is not None and Path(cb_path).exists():
            try:
                from ..codebook import load_codebook

                cbk = load_codebook(cb_path)
                labels = {t.id: t.label for t in cbk.themes}
            except Exception as e:  # noqa: BLE001 - labels are cosmetic
                typer.echo(f"(kodebok ikke lest: {e})", err=True)
        summary = build_summary(
            frames, survey, coded_frames or None, theme_labels=labels, compare_to=cmp,
            quotes=not no_quotes, embedder=embedder,
        )
        written = summary.write(out)
        if not quiet:
            typer.echo(summary.to_text_table())
        for w in summary.warnings:
            typer.echo(f"Advarsel: {w}", err=True)
        typer.echo(f"Skrev {len(written)} filer til {out}", err=True)

    @app.command("crosstab")
    def crosstab_cmd(
        input: Path = typer.Argument(..., help="Datafil (CSV/XLSX/SAV/Parquet)."),
        row: str = typer.Option(..., "--row", help="Radvariabel (f.eks. sektor)."),
        col: str = typer.Option(..., "--col", help="Kolonnevariabel (f.eks. q_helhet)."),
        weight: Optional[str] = typer.Option(None, "--weight", help="Vektkolonne."),
        out: Path = typer.Option(..., "--out", help="JSON-fil."),
        correction: bool = typer.Option(False, "--correction", help="Yates' kontinuitetskorreksjon (kun 2×2)."),
        sheet: Optional[str] = typer.Option(None, "--sheet"),
        decimals: int = typer.Option(1, "--decimals", help="Desimaler i radprosent (avrundet som i rapporter)."),
    ) -> None:
        """Krysstabell med antall, radprosent og Pearson kjikvadrat (counts, row_percent, chi2, dof, p_value, n)."""
        from ..io import TableReadError, read_table
        from ..stats import crosstab

        try:
            df = read_table(input, sheet=sheet)
            res = crosstab(df, row, col, weight=weight, correction=correction, decimals=decimals)
        except (TableReadError, KeyError, ValueError) as e:
            _fail(str(e).strip('"'))
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(res, ensure_ascii=False, indent=1), encoding="utf-8")
        p = res["p_value"]
        typer.echo(f"n = {res['n']}, kjikvadrat = {res['chi2']:.3f}, df = {res['dof']}, p = {p:.4g}" if p is not None else f"n = {res['n']} (ingen test)")
