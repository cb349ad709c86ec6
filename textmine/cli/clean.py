"""``textmine clean INPUT --text-col COL --out OUT``: add the preprocessing columns to a table."""

from __future__ import annotations

from pathlib import Path

import typer


def _read(path: Path, sheet: str | None = None, text_cols=()):
    """Read CSV/XLSX/SAV/Parquet via ``textmine.io.read_table`` (``text_cols`` as text, exactly as written)."""
    from textmine.io import read_table

    return read_table(path, sheet=sheet, text_cols=tuple(text_cols)) if sheet is not None else \
        read_table(path, text_cols=tuple(text_cols))


def _fail(msg: str, code: int = 2) -> None:
    """One-line error and exit (2: a bad option/argument, as for the other commands)."""
    typer.secho("error: ", fg="red", err=True, nl=False)
    typer.echo(msg, err=True)
    raise typer.Exit(code)


def warn_unredacted(df, skip, echo) -> None:
    """Warn (column names and cell counts, never values) about text columns not being redacted that hold
    personal data the Redactor would mask."""
    from textmine.classify.table import pii_in_columns

    unredacted_warning(pii_in_columns(df, skip=skip), echo)


def unredacted_warning(found: dict[str, int], echo) -> None:
    """The warning of :func:`warn_unredacted` for ``{column: cells}`` counted elsewhere (e.g. on Dask workers)."""
    if found:
        cols = ", ".join(f"{c} ({n} cell{'s' if n != 1 else ''})" for c, n in found.items())
        flags = " ".join(f"--redact-col {c!r}" if not c.isidentifier() else f"--redact-col {c}" for c in found)
        echo(f"warning: column(s) {cols} hold what looks like personal data (names, phone numbers, "
             f"personal numbers…) and are copied unredacted; add {flags} to mask them")


def _write(df, path: Path) -> None:
    from textmine.io import write_table

    write_table(df, path)


def clean_table(df, text_cols: list[str], *, redact: bool = True, detect_language: bool = True,
                question_texts=(), lemmatize: bool = True, progress: bool = False, keep_raw_text: bool = False,
                redact_cols=()):
    """Return ``df`` with the cleaner's columns added per text column (input columns and order kept).

    One text column: the contract names (``text_clean``, ``pii_count``…). Several: prefixed
    ``<col>__text_clean`` etc. With ``redact`` (default) the text column itself is replaced by its
    redacted text (as ``textmine code`` does) unless ``keep_raw_text``; ``redact_cols`` are other
    free-text columns masked in place.
    """
    import pandas as pd

    from textmine.preprocess import Cleaner

    missing = [c for c in text_cols if c not in df.columns]
    if missing:
        raise typer.BadParameter(
            f"column(s) {missing} not found; available columns: {list(map(str, df.columns))}", param_hint="--text-col"
        )
    missing = [c for c in redact_cols if c not in df.columns]
    if missing:
        raise typer.BadParameter(
            f"column(s) {missing} not found; available columns: {list(map(str, df.columns))}", param_hint="--redact-col"
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
        if redact and not keep_raw_text:  # the raw text never leaves unredacted next to text_clean
            red = cleaned["text_clean"].set_axis(out.index)
            out[col] = red.where(values.notna(), None).astype(object)
        if len(text_cols) > 1:
            cleaned = cleaned.add_prefix(f"{col}__")
        clash = [c for c in cleaned.columns if c in out.columns]
        if clash:
            out = out.drop(columns=clash)
        out = pd.concat([out, cleaned.set_index(out.index)], axis=1)
    extra = [c for c in redact_cols if c not in text_cols or keep_raw_text or not redact]
    if extra:
        from textmine.classify.table import redact_columns

        out, counts = redact_columns(out, extra)
    else:
        counts = {}
    out.attrs = {**df.attrs, "redacted_columns": counts}
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
        keep_raw_text: bool = typer.Option(False, "--keep-raw-text",
                                           help="Behold uredigert tekst i fritekstkolonnen (standard: maskert, "
                                                "som text_clean)."),
        redact_col: list[str] = typer.Option([], "--redact-col",
                                             help="Annen fritekstkolonne å maskere personopplysninger i (kan gjentas)."),
    ) -> None:
        """Rens fritekst: normalisering, personvern-maskering, språk, ikke-svar og lemmaer."""
        from textmine.io import TableReadError, check_output

        try:
            check_output(out)
        except ValueError as e:
            _fail(str(e))
        try:
            df = _read(input, sheet, [*text_col, *redact_col])
        except TableReadError as e:
            typer.echo(f"Kunne ikke lese {input}: {e}", err=True)
            raise typer.Exit(1) from None
        for opt, cols in (("--text-col", text_col), ("--redact-col", redact_col)):
            missing = [c for c in cols if c not in df.columns]
            if missing:
                _fail(f"{input}: no column(s) {', '.join(map(repr, missing))} ({opt}); "
                      f"columns are: {', '.join(map(str, df.columns))}")
        try:
            for note in check_output(out, df):
                typer.echo(note, err=True)
        except ValueError as e:
            _fail(str(e))
        if not no_redact:
            warn_unredacted(df, [*text_col, *redact_col], lambda m: typer.echo(m, err=True))
        result = clean_table(df, list(text_col), redact=not no_redact, detect_language=not no_language,
                             question_texts=tuple(question), progress=True, keep_raw_text=keep_raw_text,
                             redact_cols=list(redact_col))
        _write(result, out)
        n_pii = int(sum(result[c].sum() for c in result.columns if str(c).endswith("pii_count")))
        n_pii += int(sum(result.attrs.get("redacted_columns", {}).values()))
        typer.echo(f"{len(result)} rader skrevet til {out} ({n_pii} personopplysninger maskert)")
