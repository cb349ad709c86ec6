"""Helpers shared by the CLI misuse tests: run a ``textmine`` command and check a clean refusal."""

from typer.testing import CliRunner


def run_cli(*args):
    """``textmine ARGS…`` in-process (arguments turned into strings)."""
    from textmine.cli import app

    return CliRunner().invoke(app, [*map(str, args)])


def assert_clean_fail(res, *needles):
    """Exit 2 with a message (no traceback) containing every needle."""
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    flat = " ".join(res.output.split())
    for n in needles:
        assert n in flat, flat


def break_csv_writes(monkeypatch, partial: str = "id,te") -> None:
    """Make every ``DataFrame.to_csv`` write ``partial`` to its file and then fail as a full disk does."""
    import pandas as pd

    def disk_full(self, path, *a, **k):
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(partial)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", disk_full)


def run_fast_demo(monkeypatch, out):
    """``textmine demo --out OUT`` with small, fast stand-ins (the keyword coder, 300 respondents per sample wave,
    quotes without e5); returns the CLI result."""
    from functools import partial

    import textmine.pipeline as tp
    import textmine.summary as ts
    from textmine.report.pipeline import KeywordCoder

    read = tp.read_waves
    monkeypatch.setattr(tp, "read_waves", lambda paths, survey, **kw: {
        w: df.head(300) for w, df in read(paths, survey, **kw).items()})
    monkeypatch.setattr(tp, "coder_for", lambda **kw: KeywordCoder())
    monkeypatch.setattr(ts, "build_summary", partial(ts.build_summary, embedder="fallback"))
    return run_cli("demo", "--out", out)


def output_texts(folder) -> str:
    """Every file's text under ``folder`` (workbooks unzipped; others, a .sav too, as bytes), lower-cased: for a
    search of the outputs for planted personal data."""
    import zipfile
    from pathlib import Path

    out = []
    for p in sorted(Path(folder).rglob("*")):
        if p.is_file() and zipfile.is_zipfile(p):
            with zipfile.ZipFile(p) as z:
                out += [z.read(n).decode("utf-8", "replace") for n in z.namelist()]
        elif p.is_file():
            out.append(p.read_bytes().decode("utf-8", "replace"))
    return "\n".join(out).lower()
