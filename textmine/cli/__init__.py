"""The ``textmine`` command line (typer). Each area registers its own commands."""

from __future__ import annotations

import re

import typer

app = typer.Typer(
    name="textmine",
    help="Text analytics for Norwegian free-text survey answers (bokmål and nynorsk).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


_PATHISH = re.compile(r"[^\s'\"«»()\[\],;:=]*[/\\_][^\s'\"«»()\[\],;:=]*")  # a path, file name or id


#: what the CLI says of a model trained for another codebook (the library says it without command names)
CLI_MISMATCH_HINT = "Retrain with `textmine train`, or code zero-shot without --model"


def redact_message(msg: str) -> str:
    """An error message as the CLI prints it, redacted as the service redacts its messages: a file or folder name
    (the last part of a path; the folders above it are the user's own) or id holding personal data (:func:`textmine.pipeline.personal_name`: "Ola_Nordmann_15038510190") becomes
    «[navn skjult]», then a fødselsnummer, phone number, e-mail, name … left becomes its placeholder
    ([FØDSELSNUMMER], [TELEFON], [EPOST], [NAVN]); the rest (quotes «», paths) stays as written. The library's
    hint for a model of another codebook becomes the CLI's (:data:`CLI_MISMATCH_HINT`)."""
    if not msg:
        return msg
    from ..classify.artefact import CODEBOOK_MISMATCH_HINT
    from ..pipeline import personal_name

    msg = msg.replace(CODEBOOK_MISMATCH_HINT, CLI_MISMATCH_HINT)  # the library's neutral hint, in CLI terms
    from ..preprocess import default_resources

    def part(m: re.Match) -> str:  # the last component only: the user's own folders («/home/kari/») stay readable
        head, sep, last = m.group(0).rpartition("/") if "/" in m.group(0) else m.group(0).rpartition("\\")
        return head + sep + ("[navn skjult]" if last and personal_name(last) else last)

    return default_resources().redactor.redact(_PATHISH.sub(part, msg))[0]


@app.callback()
def _root() -> None:
    """textmine: text analytics for free-text survey answers."""


def _register_all() -> None:
    from . import clean, coding, demo, discover, report, service, stats

    for module in (demo, clean, discover, coding, stats, report, service):
        module.register(app)


_register_all()


def main() -> None:  # console entry point
    from ..paths import CacheDirError

    try:
        app()
    except CacheDirError as e:  # a setting to fix, not a bug: one line, exit 2
        typer.echo(f"Error: {e.strerror}", err=True)
        raise SystemExit(2) from None
