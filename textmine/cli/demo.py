"""``textmine demo``: the main job end to end on the bundled synthetic sample (offline, no server)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

import typer

from .coding import CSV_SEP_HELP


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        out: Path = typer.Option(Path("textmine-demo"), "--out", help="Folder for the results."),
        model: Optional[Path] = typer.Option(None, "--model", help="Model folder (default: models/default)."),
        report: bool = typer.Option(True, "--report/--no-report", help="Also write the HTML/Excel/SPSS report."),
        csv_sep: Optional[str] = typer.Option(None, "--csv-sep", help=CSV_SEP_HELP + " (the summary's and coded "
                                                                                     "answers' CSVs)"),
    ) -> None:
        """Run the whole analysis on the synthetic sample: clean, code, figures with CIs and change, report."""
        from rich.console import Console

        from ..classify import ArtefactError
        from ..codebook import CodebookError
        from ..paths import DEFAULT_SURVEY, SAMPLE_DIR
        from ..pipeline import code_wave, coder_for, read_waves
        from ..summary import blank_hidden_rows, build_summary
        from ..survey import SurveyDefinition
        from .clean import check_out_dir
        from .coding import _csv_sep, _fail
        from .stats import neutral_summary, write_summary

        console = Console(stderr=True)
        t0 = time.perf_counter()
        csv_kw = _csv_sep(csv_sep, Path("summary_tidy.csv"))  # (checked as for one of the CSVs it writes)
        check_out_dir(out, (), what="the demo")
        survey = SurveyDefinition.from_yaml(DEFAULT_SURVEY)
        paths = sorted(SAMPLE_DIR.glob("arbeidsgiver_*.csv"))
        if not paths:
            raise typer.BadParameter(f"no sample waves in {SAMPLE_DIR}")
        with console.status("Loading the coding model …"):
            try:
                coder = coder_for(model=model)
            except (ArtefactError, CodebookError) as exc:
                _fail(str(exc))
        console.print(f"[bold]textmine demo[/] – SYNTHETIC data: {', '.join(p.name for p in paths)}")
        frames = read_waves(paths, survey)
        coded = {}
        for wave, df in frames.items():
            with console.status(f"Cleaning and coding the free text of {wave} …"):
                coded[wave] = code_wave(df, survey, coder=coder, report=lambda m: console.print(f"  {wave}: {m}"))
        with console.status("Computing indicators, theme shares, change and quotes …"):
            summary = build_summary(frames, survey, coded, theme_labels=_labels(coder))
        # hidden cells show no number, in any mode, and small free-valued levels no name (as in the report)
        named = neutral_summary(summary, survey)  # once, for the terminal and the files
        shown = blank_hidden_rows(named, nullable=False)[0]
        for wave in frames:  # every wave; the later one carries the change since the earlier
            typer.echo(shown.to_text_table(wave=wave))
        written = write_summary(named, out / "sammendrag", **({"csv_options": csv_kw} if csv_kw else {}))
        coded_dir = out / "kodet"
        try:
            write_coded(coded, coded_dir, coder_record(coder, model), csv_kw)
        except OSError as exc:
            _fail(f"could not write {coded_dir}: {exc.strerror or exc}")
        console.print(f"Summary: {len(written)} files in {out / 'sammendrag'}; coded answers in {coded_dir}")
        if report:
            from ..report.pipeline import build_report
            from ..report.writer import write_report

            with console.status("Writing the report (HTML, Excel, SPSS, charts) …"):
                from ..paths import DEFAULT_MODEL_DIR

                # the coder and the waves' files: the same model and agreement notes as ``textmine report``
                data = build_report(frames, survey, codebook=getattr(coder, "codebook", None), coded=coded,
                                    summary=summary, coder=coder, model_dir=model,
                                    model_folder=model or DEFAULT_MODEL_DIR, sources=dict(zip(frames, paths)))
                try:
                    files = write_report(data, out / "rapport")
                except OSError as exc:
                    _fail(f"could not write {out / 'rapport'}: {exc.strerror or exc}")
            for kind in ("html", "xlsx", "xlsx_rows", "sav"):
                if kind in files:
                    note = " (one row per comment: not for publication)" if kind == "xlsx_rows" else ""
                    console.print(f"Report ({kind}): {files[kind]}{note}")
        console.print(f"Done in {time.perf_counter() - t0:.0f} s. Results in {out.resolve()}")


def _labels(coder) -> dict[str, str]:
    codebook = getattr(coder, "codebook", None)
    return {t.id: t.label for t in codebook.themes} if codebook is not None else {}


def coder_record(coder, model: Optional[Path]) -> dict | None:
    """The record ``textmine code`` writes beside its output (:func:`textmine.pipeline.coded_identity`) for codes
    ``coder`` made: the model folder it was loaded from (``model``, else the shipped default for a trained coder),
    "zero-shot" for the zero-shot fallback; None for any other coder (no record: «ukjent» in «Metode»)."""
    from ..paths import DEFAULT_MODEL_DIR
    from ..pipeline import coded_identity

    codebook, kind = getattr(coder, "codebook", None), getattr(coder, "kind", None)
    if codebook is None or (model is None and kind not in ("supervised", "zeroshot")):
        return None
    folder = model if model is not None else DEFAULT_MODEL_DIR if kind == "supervised" else None
    return coded_identity(codebook, folder, "text_clean")


def write_coded(coded: dict, folder: Path, record: dict | None, csv_options: dict | None = None) -> list[Path]:
    """Each wave's coded answers to ``folder/kodet_<wave>.csv``, with ``record`` (:func:`coder_record`) beside each
    as ``textmine code`` keeps it (``OUT.textmine.json``), so ``textmine report --coded`` names the coding in
    «Metode»; the written files (``csv_options``: another separator, :func:`textmine.io.csv_options`, written with
    Excel's byte-order mark as ``textmine code --csv-sep`` writes it). ``OSError`` when a file cannot be written."""
    import json

    from ..io import replacing, write_table
    from ..pipeline import identity_path
    from .coding import _excel_csv

    written = []
    for wave, df in coded.items():
        path = folder / f"kodet_{wave}.csv"
        write_table(df, path, **(_excel_csv(path, csv_options) if csv_options and csv_options["sep"] != "," else {}))
        if record is not None:
            with replacing(identity_path(path)) as tmp:
                tmp.write_text(json.dumps(record, indent=1, ensure_ascii=False), encoding="utf-8")
        written.append(path)
    return written
