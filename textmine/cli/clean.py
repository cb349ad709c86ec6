"""``textmine clean INPUT --text-col COL --out OUT``: add the preprocessing columns to a table."""

from __future__ import annotations

from pathlib import Path

import typer


def _read(path: Path, sheet: str | None = None):
    """Read CSV/XLSX/SAV/Parquet via ``textmine.io.read_table``."""
    from textmine.io import read_table

    return read_table(path, sheet=sheet) if sheet is not None else read_table(path)


def _write(df, path: Path) -> None:
    from textmine.io import write_table

    write_table(df, path)


def clean_table(df, text_cols: list[str], *, redact: bool = True, detect_language: bool = True,
                question_texts=(), lemmatize: bool = True, progress: bool = False):
    """Return ``df`` with the cleaner's columns added per text column (input columns and order kept).

    One text column: the contract names (``text_clean``, ``pii_count``…). Several: prefixed
    ``<col>__text_clean`` etc.
    """
    import pandas as pd

    from textmine.preprocess import Cleaner

    missing = [c for c in text_cols if c not in df.columns]
    if missing:
        raise typer.BadParameter(
            f"column(s) {missing} not found; available columns: {list(map(str, df.columns))}", param_hint="--text-col"
        )
    cleaner = Cleaner(redact=redact, detect_language=detect_language, question_texts=question_texts,
                      lemmatize=lemmatize).fit()
    out = df.copy()
    for col in text_cols:
        values = out[col].astype(object).where(out[col].notna(), None)
        values = values.map(lambda v: v if v is None or isinstance(v, str) else str(v))
        if progress:
            from rich.progress import Progress

            parts = []
            chunk = 20_000
            with Progress(transient=True) as bar:
                task = bar.add_task(f"Renser {col}", total=len(values))
                for start in range(0, len(values), chunk):
                    part = values.iloc[start : start + chunk]
                    parts.append(cleaner.transform(part))
                    bar.advance(task, len(part))
            cleaned = pd.concat(parts) if parts else cleaner.transform(values)
        else:
            cleaned = cleaner.transform(values)
        if len(text_cols) > 1:
            cleaned = cleaned.add_prefix(f"{col}__")
        clash = [c for c in cleaned.columns if c in out.columns]
        if clash:
            out = out.drop(columns=clash)
        out = pd.concat([out, cleaned.set_index(out.index)], axis=1)
    return out


def register(app: typer.Typer) -> None:
    """Attach ``textmine clean``."""

    @app.command("clean")
    def clean(
        input: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV, XLSX, SAV eller Parquet."),
        text_col: list[str] = typer.Option(..., "--text-col", help="Fritekstkolonne (kan gjentas)."),
        out: Path = typer.Option(..., "--out", help="Utfil: .csv, .xlsx, .sav eller .parquet."),
        sheet: str = typer.Option(None, "--sheet", help="Arknavn for Excel."),
        question: list[str] = typer.Option([], "--question", help="Spørsmålstekst (svar som bare gjentar den = ikke-svar)."),
        no_redact: bool = typer.Option(False, "--no-redact", help="Ikke fjern personopplysninger (frarådes)."),
        no_language: bool = typer.Option(False, "--no-language", help="Hopp over språkgjenkjenning."),
    ) -> None:
        """Rens fritekst: normalisering, personvern-maskering, språk, ikke-svar og lemmaer."""
        from textmine.io import TableReadError

        try:
            df = _read(input, sheet)
        except TableReadError as e:
            typer.echo(f"Kunne ikke lese {input}: {e}", err=True)
            raise typer.Exit(1) from None
        result = clean_table(df, list(text_col), redact=not no_redact, detect_language=not no_language,
                             question_texts=tuple(question), progress=True)
        _write(result, out)
        n_pii = int(sum(result[c].sum() for c in result.columns if str(c).endswith("pii_count")))
        typer.echo(f"{len(result)} rader skrevet til {out} ({n_pii} personopplysninger maskert)")
