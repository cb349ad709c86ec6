"""``textmine clean INPUT --text-col COL --out OUT``: add the preprocessing columns to a table."""

from __future__ import annotations

from pathlib import Path

import typer

from textmine.cli.coding import CSV_SEP_HELP

HEADER_ROW_HELP = "Excel/CSV: the file row holding the column names (rows above it, e.g. a title, are skipped)."


def _fail(msg: str, code: int = 2) -> None:
    """One-line error and exit (2: a bad option/argument, as for the other commands)."""
    from textmine.cli import redact_message  # (as the service's messages: personal data never printed)

    typer.secho("error: ", fg="red", err=True, nl=False)
    typer.echo(redact_message(msg), err=True)
    raise typer.Exit(code)


def check_out_dir(out: Path, names, *inputs, what: str = "the output") -> None:
    """Refuse an output folder before any work: a file, below a file, not writable, or one of the files it
    would get (``names``, relative to ``out``) an input file."""
    from textmine.cli.coding import _refuse_input
    from textmine.io import check_output_dir

    try:
        check_output_dir(out, what)
    except ValueError as exc:
        _fail(str(exc))
    for name in names:
        _refuse_input(out / name, inputs, "--out")


def mask_personal_columns(df, skip, unredacted_cols, echo):
    """``df`` with personal data masked in the text cells of its other columns (not ``skip``, not
    ``unredacted_cols``), as :func:`textmine.classify.table.mask_personal_text` does; a note names the masked
    columns and a warning the ones left (numeric or code-shaped cells), with cell counts, never values."""
    from textmine.classify.table import mask_column_names, mask_personal_text, masked_column_names

    out, masked, left = mask_personal_text(df, skip=[*skip, *unredacted_cols])
    names = masked_column_names(out.columns, skip=[*skip, *unredacted_cols])
    out, n_names = mask_column_names(out, skip=[*skip, *unredacted_cols])
    masked = {names.get(c, c): n for c, n in masked.items()}
    left = {names.get(c, c): n for c, n in left.items()}
    masked_note(masked, echo)
    unredacted_warning(left, echo)
    names_note(n_names, echo)
    return out


def names_note(n: int, echo) -> None:
    """The note for column names or variable labels that held personal data and are masked in the output (a
    count, never the names)."""
    if n:
        echo(f"note: {n} column{'s' if n != 1 else ''} had a name, variable label or value labels holding what "
             f"looks like personal data, masked in the output "
             "(replaced by placeholders such as [NAVN])")


def masked_note(found: dict[str, int], echo) -> None:
    """The note for other columns masked because they hold personal data (names and cell counts only)."""
    if found:
        cols = ", ".join(f"{c} ({n} cell{'s' if n != 1 else ''})" for c, n in found.items())
        flags = " ".join(f"--unredacted-col {c!r}" if not c.isidentifier() else f"--unredacted-col {c}"
                         for c in found)
        echo(f"note: column(s) {cols} also hold what looks like personal data and are masked in place "
             f"({flags} copies a column as it is)")


def unredacted_warning(found: dict[str, int], echo) -> None:
    """The warning for other columns copied as they are that hold personal data (numeric or code-shaped cells),
    ``{column: cells}``: names and counts, never values."""
    if found:
        cols = ", ".join(f"{c} ({n} cell{'s' if n != 1 else ''})" for c, n in found.items())
        flags = " ".join(f"--redact-col {c!r}" if not c.isidentifier() else f"--redact-col {c}" for c in found)
        echo(f"warning: column(s) {cols} hold what looks like personal data (names, phone numbers, "
             f"personal numbers…) and are copied unredacted; add {flags} to mask them")


def clean_table(df, text_cols: list[str], *, redact: bool = True, detect_language: bool = True,
                question_texts=(), lemmatize: bool = True, progress: bool = False, keep_raw_text: bool = False,
                redact_cols=()):
    """Return ``df`` with the cleaner's columns added per text column (input columns and order kept).

    One text column: the contract names (``text_clean``, ``pii_count``…). Several: prefixed
    ``<col>__text_clean`` etc. With ``redact`` (default) the text column itself is replaced by its
    redacted text (as ``textmine code`` does) unless ``keep_raw_text``; ``redact_cols`` are other
    free-text columns masked in place. ``df.attrs`` are kept, with the cleaning columns' SPSS labels, levels and
    missing values added (:func:`textmine.classify.table.spss_coding_attrs`).
    """
    import pandas as pd

    from textmine.classify.table import spss_coding_attrs
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
    spss: dict[str, dict[str, str]] = {}  # text column → {its cleaning column: the name without the prefix}
    for col in text_cols:
        values = out[col].astype(object).where(out[col].notna(), None)
        values = values.map(lambda v: v if v is None or isinstance(v, str) else str(v))
        if progress:
            from rich.progress import Progress

            parts = []
            chunk = 20_000
            with Progress(transient=True) as bar:
                task = bar.add_task(f"Cleaning {col}", total=len(values))
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
        bases = [str(c) for c in cleaned.columns]
        if len(text_cols) > 1:
            cleaned = cleaned.add_prefix(f"{col}__")
        spss[col] = dict(zip(map(str, cleaned.columns), bases))
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
    attrs = {**df.attrs, "redacted_columns": counts}
    for col, columns in spss.items():  # the .sav's labels, levels and missing values of the cleaning columns
        attrs = spss_coding_attrs(attrs, columns, str(col))
    out.attrs = attrs
    return out


def register(app: typer.Typer) -> None:
    """Attach ``textmine clean``."""

    @app.command("clean")
    def clean(
        input: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV, XLSX, SAV, Parquet or JSON."),
        text_col: list[str] = typer.Option(..., "--text-col", help="Free-text column (repeatable)."),
        out: Path = typer.Option(..., "--out", help="Output file: .csv, .xlsx, .sav, .parquet or .json."),
        sheet: str = typer.Option(None, "--sheet", help="Excel input: the sheet to read (default: the first)."),
        question: list[str] = typer.Option([], "--question",
                                           help="Question text (answers that only repeat it are non-answers)."),
        no_redact: bool = typer.Option(False, "--no-redact", help="Do not mask personal data (not recommended)."),
        no_language: bool = typer.Option(False, "--no-language", help="Skip language detection."),
        keep_raw_text: bool = typer.Option(False, "--keep-raw-text",
                                           help="Write the free-text column unredacted (default: masked, like "
                                                "text_clean)."),
        redact_col: list[str] = typer.Option([], "--redact-col",
                                             help="Another free-text column to mask personal data in (repeatable)."),
        unredacted_col: list[str] = typer.Option(
            [], "--unredacted-col", help="Another column to copy as it is even where it holds personal data "
                                         "(repeatable; by default such text columns are masked in place too)."),
        encoding: str = typer.Option(None, "--encoding", help="CSV/SAV input: its text encoding, e.g. cp1252, latin-1 "
                                                              "or utf-8 (default: detected / as the .sav declares)."),
        header_row: int = typer.Option(1, "--header-row", help=HEADER_ROW_HELP),
        csv_sep: str = typer.Option(None, "--csv-sep", help=CSV_SEP_HELP + " (a .csv --out)"),
    ) -> None:
        """Clean free text: normalisation, personal-data masking, language, non-answers and lemmas."""
        from textmine.cli.coding import _check_encoding, _check_out, _columns, _data_csv, _read, _title_hint, _write

        csv_kw = _data_csv(csv_sep, out)
        encoding = _check_encoding(encoding, input)
        _check_out(out, input)  # a bad output choice fails now, not after the cleaning
        df = _read(input, [*text_col, *redact_col], sheet=sheet, encoding=encoding, header_row=header_row)
        for opt, cols in (("--text-col", text_col), ("--redact-col", redact_col), ("--unredacted-col", unredacted_col)):
            missing = [c for c in cols if c not in df.columns]
            if missing:
                _fail(f"{input}: no column(s) {', '.join(map(repr, missing))} ({opt}); {_columns(df)}{_title_hint(df)}")
        if not no_redact:  # other text columns holding personal data are masked too (--unredacted-col: not)
            df = mask_personal_columns(df, [*text_col, *redact_col], unredacted_col,
                                       lambda m: typer.echo(m, err=True))
        for note in _check_out(out, input, df=df):  # (after the masking: its notes name the columns written)
            typer.echo(note, err=True)
        result = clean_table(df, list(text_col), redact=not no_redact, detect_language=not no_language,
                             question_texts=tuple(question), progress=True, keep_raw_text=keep_raw_text,
                             redact_cols=list(redact_col))
        _write(result, out, **csv_kw)
        n_pii = int(sum(result[c].sum() for c in result.columns if str(c).endswith("pii_count")))
        n_pii += int(sum(result.attrs.get("redacted_columns", {}).values()))
        typer.echo(f"{len(result)} rows written to {out} ({n_pii} personal data values masked)")
