"""``textmine report``: HTML report, Excel workbook, SPSS file and chart files for one or more waves."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

REPORT_FILES = ("rapport.html", "rapport.xlsx", "rapport.json", "kodede_svar.xlsx", "kodede_svar.sav")  # write_report's names


def personal_id_warning(data, warn) -> None:
    """Warn (``warn``) when the survey's id column holds personal data and is left out of the row-level exports
    (see :func:`textmine.report.excel.export_rows`): the column's name and the count, never a value."""
    n = int((data.method or {}).get("personal_ids") or 0)
    if n:
        col = str(data.method.get("id_column") or "respondent_id")
        warn(f"the id column {col!r} holds personal data in {n} id{'s' if n != 1 else ''} (a fødselsnummer, phone "
             f"number, e-mail, name …): it is left out of the row-level exports (kodede_svar.xlsx, "
             f"kodede_svar.sav), whose rows are numbered instead (Radnummer); give the respondents non-personal ids "
             f"to merge the exports back onto the survey")


def weight_blanked_line(data, with_respondent_id: bool = False) -> str | None:
    """The run's line on the weights the small-cell rule blanked in the row-level exports (None when none is)."""
    from textmine.report.writer import weight_blanked

    n, m = weight_blanked(data, with_respondent_id=with_respondent_id)
    if not n:
        return None
    return (f"{n} of {m} rows have their weight blanked (small-cell rule); weighted figures cannot be reproduced "
            f"from kodede_svar.sav")


def _carry_share_warnings(data, messages: list[str]) -> None:
    """The zero-shot share warnings of this run's coding (caught ``messages``) added to the report's run warnings
    (``method["warnings"]``: rapport.json, sheet «Metode»), as the summary's driver warnings are: they judge the
    published theme shares."""
    from textmine.classify.zeroshot import is_share_warning

    shares = [m for m in dict.fromkeys(messages) if is_share_warning(m)]
    if not shares:
        return
    prev = data.method.get("warnings")
    if isinstance(prev, (list, tuple)):
        data.method["warnings"] = [*prev, *(m for m in shares if m not in prev)]
    else:
        data.method["warnings"] = "; ".join([*([str(prev)] if prev else []), *(m for m in shares
                                                                             if m not in str(prev or ""))])


def report_language(language: str | None, survey, codebook) -> str:
    """The report's language: ``language`` ("nb"/"nn", checked: ValueError otherwise) when given, else the survey
    definition's ``language`` or the codebook's when it is "nb" or "nn", else "nb" (bokmål)."""
    from textmine.report.wording import check_language, default_language

    if language is not None:
        return check_language(language)
    return default_language(getattr(survey, "language", None), getattr(codebook, "language", None))


def title_problem(title: str | None) -> str | None:
    """Why ``--title`` cannot be used (it holds personal data by the rules the survey definition's ``title`` is
    checked with, :func:`textmine.labelcheck.personal_data_counts`; never quoting it), or None."""
    if title is None:
        return None
    from textmine.labelcheck import personal_data_counts

    found = personal_data_counts(title)
    if not found:
        return None
    return (f"--title looks like it holds personal data ({', '.join(found)}); readers see the title on every page "
            f"and in the files' properties: choose a title without it")


def register(app: typer.Typer) -> None:
    """Attach this area's commands to the main app."""
    from textmine.cli.stats import ALLOW_MIXED_CODING_HELP

    @app.command("report")
    def report(
        waves: list[Path] = typer.Argument(..., exists=True, dir_okay=False,
                                           help="Wave files (CSV/XLSX/SAV/Parquet/JSON), oldest first."),
        survey: Path = typer.Option(..., "--survey", exists=True, dir_okay=False, help="Survey definition (YAML)."),
        out: Path = typer.Option(..., "--out", help="Folder for the report files."),
        codebook: Optional[list[str]] = typer.Option(
            None, "--codebook", help="Codebook (YAML); default: the one in the survey definition. WAVE=FILE "
            "(repeatable) for a wave coded with another codebook: a theme two compared waves' codebooks define "
            "differently is then not compared, and «Metode» names each wave's codebook."),
        model: Optional[Path] = typer.Option(None, "--model", exists=True, file_okay=False,
                                             help="Model folder; default: models/default (else zero-shot)."),
        coder: str = typer.Option("model", "--coder", help="'model' (default) or 'keyword' (fast, no model)."),
        embedder: Optional[str] = typer.Option(None, "--embedder",
                                               help="Embedder for choosing quotes: 'e5' or 'fallback' (lexical); "
                                                    "default: e5, but 'fallback' with --coder keyword."),
        sheet: Optional[str] = typer.Option(None, "--sheet", help="Excel wave files: the sheet to read (default: "
                                                                   "the first)."),
        header_row: int = typer.Option(1, "--header-row", help="CSV/Excel wave files: the file row (from 1) holding "
                                       "the column names, below a title (as in `textmine code`)."),
        coded: Optional[list[Path]] = typer.Option(
            None, "--coded", help="Already coded (e.g. reviewed and corrected) answers, used as they are: the report "
            "does not re-code those questions (the others are coded as usual). As `textmine summary --coded`: what "
            "`textmine code WAVE --text-col QUESTION` wrote, once per wave and question (QUESTION=FILE when the file "
            "has several free-text columns; wave from its wave column), or one table per wave (same order) with "
            "respondent_id, question, text_clean, theme_<id>. QUESTION=FOLDER reads the folder `textmine code --engine dask` wrote."),
        language: Optional[str] = typer.Option(
            None, "--language", help="Written standard of the report's fixed text: 'nb' (bokmål) or 'nn' (nynorsk); "
            "default: the survey definition's or the codebook's language when it is nb or nn, else nb. Theme labels, "
            "questions and quotes are printed as they are."),
        title: Optional[str] = typer.Option(
            None, "--title", help="The report's title (default: the survey's, e.g. «Arbeidsgiverundersøkelsen», in "
            "the report's language)."),
        compare_to: Optional[str] = typer.Option(
            None, "--compare-to", help="Compare every other wave with this wave (the earliest given), as "
            "`textmine summary --compare-to`; the report shows its change into the latest wave and the sheet "
            "«Endring» every pair (default: each wave with the previous one, the report the two latest)."),
        with_respondent_id: bool = typer.Option(
            False, "--with-respondent-id", help="Keep the respondent id in the row-level exports (kodede_svar.xlsx, "
            "kodede_svar.sav), to merge them back onto the survey; default: left out (it is personal "
            "data). «Metode» says when it is included."),
        allow_mixed_coding: bool = typer.Option(False, "--allow-mixed-coding", help=ALLOW_MIXED_CODING_HELP),
    ) -> None:
        """Write the report (HTML, Excel, SPSS, charts) for the waves."""
        import warnings

        from rich.console import Console

        from textmine.cli.clean import check_out_dir
        from textmine.cli.coding import _fail, _note
        from textmine.cli.stats import (codebook_args, coded_arg, coded_codebooks, load_survey, named_codebooks,
                                        read_coded_codebooks, wave_codebooks)
        from textmine.io import TableReadError
        from textmine.pipeline import read_waves
        from textmine.codebook import CodebookError, load_codebook
        from textmine.report.pipeline import KeywordCoder, build_report
        from textmine.report.writer import write_report

        console = Console(stderr=True)
        if coder not in ("model", "keyword"):
            raise typer.BadParameter("--coder must be 'model' or 'keyword'")
        if language is not None:  # a wrong value fails at once, on one line
            try:
                language = report_language(language, None, None)
            except ValueError:
                _fail(f"--language: expected 'nb' or 'nn' (the two written standards), got {language!r}")
        if title_problem(title):
            _fail(title_problem(title))
        sd = load_survey(survey)
        specs = [coded_arg(c, sd) for c in coded or []]
        try:
            codebook, per_wave = codebook_args(codebook)
        except ValueError as exc:
            _fail(str(exc))
        check_out_dir(out, REPORT_FILES, *waves, *(p for _, p in specs), survey, codebook, *per_wave.values(),
                      what="the report")
        injected = None
        try:  # a bad codebook fails now, not after reading and coding
            cb = load_codebook(codebook) if codebook else None
            loaded = {p: load_codebook(p) for p in dict.fromkeys(per_wave.values())}  # the per-wave codebooks
            if coder == "keyword":
                from textmine.paths import DEFAULT_CODEBOOK

                if cb is None:
                    cb = load_codebook(next((q.codebook for q in sd.free_text if q.codebook), None) or DEFAULT_CODEBOOK)
                injected = KeywordCoder(cb)
            if language is None:  # the survey definition's or the codebook's language
                from textmine.paths import DEFAULT_CODEBOOK

                cb_lang = cb if cb is not None else list(loaded.values())[-1] if loaded else load_codebook(
                    next((q.codebook for q in sd.free_text if q.codebook), None) or DEFAULT_CODEBOOK)
                language = report_language(None, sd, cb_lang)
        except CodebookError as exc:
            _fail(str(exc))
        if embedder is None and coder == "keyword":
            embedder = "fallback"
        run_warnings: list[str] = []
        with console.status("Reading, coding and computing …"), warnings.catch_warnings(record=True) as caught:
            try:
                if specs or header_row != 1 or per_wave:  # waves (and coded files) read before any coding
                    frames = read_waves(list(waves), sd, sheet=sheet, header_row=header_row)
                    named = named_codebooks(per_wave, loaded, frames)  # and the codebooks the coded files record:
                    per_question: dict = {}  # wave → question → the codebook its coded file records
                    coded_by: dict = {}  # wave → question → the record of what coded its file («Metode»)
                    given, recorded = (read_coded_codebooks(specs, frames, sd, codebook=cb, given=named,
                                                            per_question=per_question, records=coded_by)
                                       if specs else (None, {}))
                    overridden: list[str] = []
                    cbs = coded_codebooks(wave_codebooks(codebook, per_wave, frames, recorded), loaded,
                                          cb if codebook else None, recorded, overridden)
                    for msg in overridden:
                        typer.echo(f"warning: {msg}", err=True)
                    if cbs and coder == "keyword":  # each wave coded with its own codebook's keywords
                        injected = {w: KeywordCoder(cbs.get(w, cb)) for w in frames}
                    data = build_report(frames, sd, codebook=codebook, model_dir=model, coder=injected,
                                        codebooks=cbs or None,
                                        embedder=embedder, coded=given, code_missing=True,
                                        sources=dict(zip(frames, waves)), on_warning=run_warnings.append,
                                        compare_to=compare_to, language=language, title=title,
                                        question_codebooks=per_question or None, coded_records=coded_by,
                                        allow_mixed_coding=allow_mixed_coding)
                else:
                    data = build_report([str(w) for w in waves], sd, codebook=codebook, model_dir=model,
                                        coder=injected, embedder=embedder, sheet=sheet,
                                        on_warning=run_warnings.append, compare_to=compare_to,
                                        language=language, title=title, allow_mixed_coding=allow_mixed_coding)
            except (TableReadError, ValueError) as exc:  # bad input (survey/codebook/--coded errors): exit 2
                from textmine.cli.coding import header_row_wording

                _fail(header_row_wording(str(exc)))
        noted = []
        from .stats import _coding_warning

        for w in caught:  # e.g. the shipped model does not fit the codebook: coded zero-shot
            if not issubclass(w.category, DeprecationWarning) and str(w.message) not in noted:
                noted.append(str(w.message))
                _note(_coding_warning(str(w.message), model))  # (a hint that fits what was given)
        _carry_share_warnings(data, [str(w.message) for w in caught])
        for m in run_warnings:  # the run's warnings (the HTML shows only Norwegian reader notes; see «Metode»)
            if m not in noted and m.partition(": ")[2] not in noted:
                _note(m)
        if with_respondent_id:  # (otherwise the id is left out anyway)
            personal_id_warning(data, _note)
        line = weight_blanked_line(data, with_respondent_id)
        if line:
            typer.echo(line)
        with console.status("Writing the report …"):
            try:
                written = write_report(data, out, with_respondent_id=with_respondent_id)
            except OSError as exc:
                _fail(f"could not write {out}: {exc.strerror or exc}")
        for kind in ("html", "xlsx", "xlsx_rows", "sav", "json"):
            if kind in written:
                typer.echo(f"{kind}: {written[kind]}" + (" (one row per comment: not for publication)"
                                                          if kind == "xlsx_rows" else ""))
        n_charts = sum(1 for k in written if k.startswith("chart:"))
        typer.echo(f"charts: {n_charts} files in {Path(out) / 'figurer'}")
