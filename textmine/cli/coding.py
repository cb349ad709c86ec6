"""CLI: ``textmine code``, ``train``, ``evaluate``, ``review``, ``agreement`` (coding comments against a codebook)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

console = Console(stderr=True)


def _fail(msg: str, code: int = 2) -> None:
    """Print the error on one unwrapped line (paths and theme lists stay intact) and exit."""
    typer.secho("error: ", fg="red", err=True, nl=False)
    typer.echo(msg, err=True)
    raise typer.Exit(code)


def _coder(model: Optional[Path], codebook: Optional[Path]):
    """Trained coder (checked against the codebook when both are given) or zero-shot for the codebook."""
    from textmine.classify import ArtefactError, ZeroShotCoder, load_coder
    from textmine.codebook import CodebookError, load_codebook

    try:
        if model is not None:
            return load_coder(model, codebook=codebook)
        if codebook is None:
            _fail("give --codebook (zero-shot) or --model")
        return ZeroShotCoder(load_codebook(codebook))
    except (ArtefactError, CodebookError) as exc:
        _fail(str(exc))


def _read(path: Path, text_cols=()):
    from textmine.io import read_table

    try:
        return read_table(path, text_cols=tuple(text_cols))
    except (ValueError, OSError) as exc:
        _fail(str(exc))


def _warn_unknown_questions(coder, given, what: str) -> None:
    """Warn when a --question / --question-col value is a survey question the model has no theme rates for
    (those rows are coded without a question, silently, otherwise)."""
    from textmine.classify.table import unknown_questions

    unknown, known = unknown_questions(coder, given)
    if not unknown:
        return
    shown = ", ".join(unknown[:10]) + (f" … ({len(unknown)} in all)" if len(unknown) > 10 else "")
    knows = (f"the questions it knows are: {', '.join(known)}" if known
             else "it has no per-question theme rates (a zero-shot or question-free model)")
    console.print(f"warning: the model does not know {what} {shown}; those comments are coded without a "
                  f"question's theme rates ({knows})", highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    """Attach the coding commands."""

    @app.command("code")
    def code(
        input: Path = typer.Argument(..., help="CSV/XLSX/SAV/Parquet with a free-text column"),
        codebook: Path = typer.Option(..., "--codebook", help="codebook YAML"),
        model: Optional[Path] = typer.Option(None, "--model", help="trained model directory (zero-shot without)"),
        text_col: str = typer.Option(..., "--text-col", help="column holding the comments"),
        out: Path = typer.Option(..., "--out", help="output file (.csv/.xlsx/.parquet/.sav) or folder for dask"),
        engine: str = typer.Option("local", "--engine", help="local | dask"),
        scheduler: Optional[str] = typer.Option(None, "--scheduler", help="dask scheduler address (tcp://host:8786)"),
        batch_size: int = typer.Option(2000, "--batch-size", min=1),
        keep_raw_text: bool = typer.Option(False, "--keep-raw-text",
                                           help="write the text column unredacted (default: redacted)"),
        question_col: Optional[str] = typer.Option(
            None, "--question-col", help="column naming the survey question each comment answers (routed "
                                         "questions: a trained model then uses that question's theme rates)"),
        question: Optional[str] = typer.Option(None, "--question", help="the one survey question all comments answer"),
        redact_col: list[str] = typer.Option([], "--redact-col",
                                             help="another free-text column to mask personal data in, in place "
                                                  "(repeatable; --text-col is always redacted unless --keep-raw-text)"),
    ) -> None:
        """Code every comment: adds theme_<id>, score_<id>, themes, confidence, needs_review, type."""
        if not input.exists():
            _fail(f"input file not found: {input}")
        if engine == "dask":
            try:
                from textmine.distributed import code_with_dask
            except ImportError as exc:
                _fail(f"--engine dask needs textmine.distributed (not available: {exc})")
            try:
                info = code_with_dask(str(input), str(out), str(codebook), str(model) if model else None, text_col,
                                      scheduler, question_col=question_col, question=question,
                                      redact_cols=list(redact_col))
            except (ValueError, FileNotFoundError) as exc:
                _fail(str(exc))
            console.print(f"coded {getattr(info, 'n_rows', '?')} rows on dask → {out}")
            return
        if engine != "local":
            _fail(f"--engine must be 'local' or 'dask', got {engine!r}")
        from textmine.classify.table import code_dataframe
        from textmine.io import check_output, write_table

        try:  # a bad output choice fails now, not after all the coding
            check_output(out)
        except ValueError as exc:
            _fail(str(exc))
        coder = _coder(model, codebook)
        known = sorted(getattr(coder, "question_priors_", None) or {})
        if known and question is None and question_col is None:
            hint = f" (the text column's name is one of them: --question {text_col})" if text_col in known else ""
            console.print(f"note: the model knows the theme rates of the survey questions {', '.join(known)}; "
                          f"--question or --question-col applies them{hint}")
        df = _read(input, [text_col, *redact_col])
        for what, cols in (("text", [text_col]), ("question", [question_col] if question_col else []),
                           ("--redact-col", redact_col)):
            missing = [c for c in cols if c not in df.columns]
            if missing:
                _fail(f"{input}: no {what} column {', '.join(map(repr, missing))}; "
                      f"columns are: {', '.join(map(str, df.columns))}")
        try:
            for note in check_output(out, df):
                console.print(note, highlight=False, markup=False)
        except ValueError as exc:
            _fail(str(exc))
        if question is not None:
            _warn_unknown_questions(coder, [question], "--question")
        elif question_col is not None:
            _warn_unknown_questions(coder, df[question_col].astype("string").dropna().tolist(),
                                    f"these {question_col!r} values:")
        from textmine.cli.clean import warn_unredacted

        warn_unredacted(df, [text_col, *redact_col, *([question_col] if question_col else [])],
                        lambda m: console.print(m, highlight=False, markup=False))
        try:
            coded = code_dataframe(coder, df, text_col, batch_size=batch_size, progress=True,
                                   keep_raw_text=keep_raw_text, question_col=question_col, question=question,
                                   redact_cols=list(redact_col))
        except ValueError as exc:
            _fail(f"{input}: {exc}")
        try:
            write_table(coded, out)
        except ValueError as exc:
            _fail(str(exc))
        answered = coded["themes"].astype(bool)
        console.print(f"coded {len(coded)} rows ({int(answered.sum())} with themes, "
                      f"{int(coded['needs_review'].sum())} need review) with {coder.kind} coder → {out}")

    @app.command("train")
    def train(
        labelled: list[Path] = typer.Argument(..., help="labelled file(s): text, themes (ids joined by ';'), type"),
        codebook: Path = typer.Option(..., "--codebook", help="codebook YAML"),
        out: Path = typer.Option(..., "--out", help="model directory to write"),
        text_col: str = typer.Option("text", "--text-col"),
        themes_col: str = typer.Option("themes", "--themes-col"),
        type_col: str = typer.Option("type", "--type-col"),
        embedder: str = typer.Option("auto", "--embedder",
                                     help="embedding backend spec: auto (default: e5 for fewer than 1,000 labelled "
                                          "answers, else e5-l6) | e5-l6 | e5 | e5-fp32 | lexical | "
                                          "a sentence-transformers path or name"),
        seed: int = typer.Option(42, "--seed"),
        finetune: bool = typer.Option(False, "--finetune",
                                      help="first fine-tune e5's first 6 layers on the labels (a LoRA adapter saved "
                                           "with the model, validated per CV fold; needs the e5-l6 embedder, takes minutes)"),
        finetune_epochs: float = typer.Option(2.0, "--finetune-epochs", min=0.1, max=20.0),
    ) -> None:
        """Train a calibrated supervised coder and save it as a model directory."""
        import pandas as pd

        from textmine.classify import SupervisedCoder
        from textmine.codebook import CodebookError, load_codebook
        from textmine.review import read_labelled

        try:
            cb = load_codebook(codebook)
            frames = [read_labelled(_read(p), text_col=text_col, themes_col=themes_col, type_col=type_col)
                      for p in labelled]
        except (CodebookError, ValueError) as exc:
            _fail(str(exc))
        data = pd.concat(frames, ignore_index=True)
        from textmine.classify.supervised import embedder_for_labels

        answered = int((data["themes"] != "").sum())
        spec = "e5-l6" if finetune and embedder == "auto" else embedder_for_labels(answered, embedder)
        if finetune and spec != "e5-l6":
            _fail(f"--finetune fine-tunes the e5-l6 encoder; it cannot be combined with --embedder {embedder}")
        coder = SupervisedCoder(cb, embedder_spec=spec, seed=seed, finetune=finetune, finetune_epochs=finetune_epochs)
        status = "fine-tuning the encoder and training" if finetune else "training"
        with console.status(f"{status} on {len(data)} labelled rows"):
            try:
                coder.fit(data["text"].tolist(), data["themes"].tolist(), data["type"].tolist(),
                          questions=data["question"].tolist())
            except (CodebookError, ValueError) as exc:
                _fail(str(exc))
        coder.training_data_ = [str(p) for p in labelled]
        coder.save(out)
        m = coder.training_metrics_
        console.print(f"saved {out}: n={m['n_train']} out-of-fold macro-F1={m['oof_macro_f1']:.3f} "
                      f"micro-F1={m['oof_micro_f1']:.3f} review threshold={coder.review_threshold:.3f} "
                      f"(auto-codes {m['oof_auto_coded_share']:.0%} out of fold)")

    @app.command("evaluate")
    def evaluate(
        labelled: Path = typer.Argument(..., help="labelled file: text, themes, type"),
        model: Optional[Path] = typer.Option(None, "--model", help="model directory (zero-shot with --codebook)"),
        codebook: Optional[Path] = typer.Option(None, "--codebook"),
        text_col: str = typer.Option("text", "--text-col"),
        themes_col: str = typer.Option("themes", "--themes-col"),
        type_col: str = typer.Option("type", "--type-col"),
        json_out: Path = typer.Option(Path("evaluation.json"), "--json", help="where to write the metrics JSON"),
    ) -> None:
        """Compare the coder with human codes: per-theme P/R/F1, kappa, alpha, coverage–accuracy, shares."""
        from textmine.codebook import parse_theme_list
        from textmine.evaluate import evaluate_coding
        from textmine.review import read_labelled

        coder = _coder(model, codebook)
        try:
            data = read_labelled(_read(labelled), text_col=text_col, themes_col=themes_col, type_col=type_col)
            y_true = coder.codebook.to_matrix([parse_theme_list(t) for t in data["themes"]])
        except ValueError as exc:
            _fail(f"{labelled}: {exc}")
        pred = coder.predict(data["text"].tolist(), data["question"].tolist())
        ids = coder.codebook.theme_ids
        rep = evaluate_coding(y_true, pred[[f"theme_{t}" for t in ids]].to_numpy(), ids,
                              confidence=pred["confidence"].to_numpy())
        has_type = data["type"] != ""
        if has_type.any():
            rep.summary["type_accuracy"] = float((pred.loc[has_type.to_numpy(), "type"].to_numpy()
                                                  == data.loc[has_type, "type"].to_numpy()).mean())
        rep.summary["auto_coded_share"] = float((pred["needs_review"] == 0).mean())
        print(rep.to_text())
        payload = {"model": str(model) if model else None, "kind": coder.kind, "labelled": str(labelled),
                   **rep.to_dict()}
        json_out.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
        console.print(f"wrote {json_out}")

    @app.command("review")
    def review(
        input: Path = typer.Argument(..., help="comments to rank (table file)"),
        model: Optional[Path] = typer.Option(None, "--model"),
        codebook: Optional[Path] = typer.Option(None, "--codebook"),
        text_col: str = typer.Option("text", "--text-col"),
        n: int = typer.Option(20, "--n", min=1),
        queue_out: Optional[Path] = typer.Option(None, "--queue-out", help="write the queue as CSV/XLSX"),
        corrections: Optional[Path] = typer.Option(None, "--corrections",
                                                   help="corrected labels (text, themes, type): retrain with them"),
        train: Optional[list[Path]] = typer.Option(None, "--train", help="original training file(s)"),
        eval_file: Optional[Path] = typer.Option(None, "--eval", help="labelled file to measure quality before/after"),
        out: Optional[Path] = typer.Option(None, "--out", help="where to save the retrained model"),
    ) -> None:
        """Print the comments most worth a human label; with --corrections, retrain and show the quality change."""
        import pandas as pd

        from textmine.review import apply_corrections, read_labelled, review_queue

        coder = _coder(model, codebook)
        if corrections is None:
            df = _read(input, [text_col])
            if text_col not in df.columns:
                _fail(f"{input}: no column {text_col!r} (columns: {', '.join(map(str, df.columns))})")
            q = review_queue(coder, df[text_col].astype("string").fillna("").astype(str), n=n)
            from rich.table import Table

            table = Table(title=f"review queue ({len(q)} of {len(df)})")
            for col in ("rank", "row", "confidence", "suggested_themes", "candidates", "text_clean"):
                table.add_column(col, overflow="fold")
            for r in q.itertuples():
                table.add_row(str(r.rank), str(r.row), f"{r.confidence:.2f}", r.suggested_themes, r.candidates,
                              r.text_clean[:160])
            Console(width=200).print(table)
            if queue_out:
                from textmine.io import write_table

                write_table(q, queue_out)
                console.print(f"wrote {queue_out}")
            return
        train_paths = list(train or [])
        if not train_paths:
            train_paths = [Path(p) for p in getattr(coder, "training_data_", []) if Path(p).exists()]
        train_df = (pd.concat([read_labelled(_read(p)) for p in train_paths], ignore_index=True)
                    if train_paths else None)
        try:
            res = apply_corrections(coder, _read(corrections), train=train_df,
                                    eval_set=_read(eval_file) if eval_file else None)
        except ValueError as exc:
            _fail(str(exc))
        print(res.to_text())
        if out:
            res.coder.training_data_ = [str(p) for p in train_paths] + [str(corrections)]
            res.coder.save(out)
            console.print(f"saved retrained model → {out}")

    @app.command("agreement")
    def agreement(
        first: Path = typer.Argument(..., help="first coding (table file: id, themes, optional type)"),
        second: Path = typer.Argument(..., help="second coding of the same comments (a person, or `textmine code` output)"),
        codebook: Path = typer.Option(..., "--codebook", help="codebook YAML (theme ids and their order)"),
        id_col: str = typer.Option("id", "--id-col", help="column matching the comments between the two files"),
        themes_col: str = typer.Option("themes", "--themes-col"),
        type_col: str = typer.Option("type", "--type-col", help="comment type column (skipped where absent)"),
        json_out: Optional[Path] = typer.Option(None, "--json", help="write the report as JSON"),
        disagreements: Optional[Path] = typer.Option(None, "--disagreements",
                                                     help="write the disagreeing ids and both codes (no text)"),
    ) -> None:
        """Inter-coder reliability of two codings: per-theme kappa/alpha/F1, share differences, type agreement."""
        from textmine.agreement import intercoder_agreement
        from textmine.codebook import CodebookError, load_codebook

        try:
            cb = load_codebook(codebook)
        except CodebookError as exc:
            _fail(str(exc))
        a, b = _read(first), _read(second)
        try:
            rep = intercoder_agreement(a, b, cb.theme_ids, id_col=id_col, themes_col=themes_col, type_col=type_col,
                                       names=(str(first), str(second)))
        except ValueError as exc:
            _fail(str(exc))
        print(rep.to_text())
        if json_out:
            payload = {"first": str(first), "second": str(second), "codebook": str(codebook), **rep.to_dict()}
            json_out.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
            console.print(f"wrote {json_out}")
        if disagreements:
            from textmine.io import write_table

            write_table(rep.disagreements, disagreements)
            console.print(f"wrote {disagreements} ({len(rep.disagreements)} rows)")
