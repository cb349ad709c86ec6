"""The ``textmine`` command line (typer). Each area registers its own commands."""

from __future__ import annotations

import re
from contextlib import contextmanager

import typer
from typer.core import TyperGroup

try:  # typer (0.29) carries its own click; the errors its parser raises are that click's
    from typer._click.exceptions import ClickException
except ImportError:  # pragma: no cover - a typer that uses the click package
    from click import ClickException


@contextmanager
def _redacted_usage_errors():
    """Click's and typer's own errors raised inside (a bad option value, «No such option», a missing file) printed
    through :func:`redact_message`: they echo what the user typed, and that may be a fødselsnummer in a file name.
    The exit code (2 for a usage error) and the usage lines stay; the help shown for no arguments is not an error."""
    try:
        yield
    except ClickException as e:
        if type(e).__name__ != "NoArgsIsHelpError" and not getattr(e, "_textmine_redacted", False):
            shown = e.format_message
            e.format_message = lambda: redact_message(shown())  # what click's show() and typer's rich panel print
            e._textmine_redacted = True
        raise


class _RedactingGroup(TyperGroup):
    """The root command: its own and its subcommands' argument parsing and runs inside
    :func:`_redacted_usage_errors` (so also under ``CliRunner``, not only the console entry point)."""

    def make_context(self, info_name, args, parent=None, **extra):
        with _redacted_usage_errors():
            return super().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx):
        with _redacted_usage_errors():
            return super().invoke(ctx)


app = typer.Typer(
    cls=_RedactingGroup,
    name="textmine",
    help="Text analytics for Norwegian free-text survey answers (bokmål and nynorsk).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


#: a word between spaces, quotes, brackets and list punctuation: a path, file name or id when it holds «/», «\\» or
#: «_» (one pass over the words; a pattern that had to find the «/» itself scanned a long word once per position)
_PATHISH = re.compile(r"[^\s'\"«»()\[\],;:=]+")
_PATH_MARK = re.compile(r"[/\\_]")
#: 11 digits in any grouping (single spaces, dots, hyphens between them) with no digit run on either side: a
#: fødselsnummer or D-number the redactor's word boundaries do not see («data/15.03.85 101 90.csv», «id15 03 85
#: 101 90») is masked when its check digits and date hold
_SEP = r"[ .\-\u00a0\u202f]"
_ELEVEN = re.compile(rf"(?<!\d)(?<!\d{_SEP})\d(?:{_SEP}?\d){{10}}(?!\d)(?!{_SEP}\d)")

#: a network address with a scheme (a Dask scheduler's ``tcp://user:pw@host:8786``): its user part (name and
#: password) is masked as ``***``, its host and port kept, so that an error says which address failed
_HOSTPORT = r"(?:\[[0-9A-Fa-f:.]+\]|[\w.\-]+)"
#: (a password may hold «/» or «@» as typed: everything up to the last «@» before the host is the user part)
_ADDRESS = re.compile(rf"\b[A-Za-z][A-Za-z0-9+.\-]*://(?:[^\s'\"«»]*@)?{_HOSTPORT}(?::\d+)?"
                      rf"|(?<![^\s'\"«»(\[])[^\s/@'\"«»:(\[]+:[^\s'\"«»]*@{_HOSTPORT}:\d+")  # (user:pw@host:port)

#: what the CLI says of a model trained for another codebook (the library says it without command names)
CLI_MISMATCH_HINT = "Retrain with `textmine train`, or code zero-shot without --model"


def redact_message(msg: str) -> str:
    """An error message as the CLI prints it, redacted as the service redacts its messages: a file or folder name
    (the last part of a path; the folders above it are the user's own) or id holding personal data
    (:func:`textmine.masking.mask_personal` as a file name: "Ola_Nordmann_15038510190") becomes «[navn skjult]»,
    then a fødselsnummer, phone number, e-mail, name … left becomes its placeholder
    ([FØDSELSNUMMER], [TELEFON], [EPOST], [NAVN]); the rest (quotes «», paths) stays as written. A number
    textmine prints itself is redacted like any other (an 8-digit row number reads as a phone number): telling it
    apart from a number the user typed next to a row word let a fødselsnummer through. The library's hint for a
    model of another codebook becomes the CLI's (:data:`CLI_MISMATCH_HINT`)."""
    if not msg:
        return msg
    from ..classify.artefact import CODEBOOK_MISMATCH_HINT
    from ..masking import mask_personal
    from ..preprocess.redact import personal_number_type

    msg = msg.replace(CODEBOOK_MISMATCH_HINT, CLI_MISMATCH_HINT)  # the library's neutral hint, in CLI terms
    from ..preprocess import default_resources

    def part(m: re.Match) -> str:  # the last component only: the user's own folders («/home/kari/») stay readable
        if not _PATH_MARK.search(m.group(0)):
            return m.group(0)
        head, sep, last = m.group(0).rpartition("/") if "/" in m.group(0) else m.group(0).rpartition("\\")
        return head + sep + mask_personal(last, "[navn skjult]", file=True, whole=True)

    def number(m: re.Match) -> str:  # a grouped one only: an 11-digit run the path and redactor rules handle
        if m.group(0).isdigit():
            return m.group(0)
        kind = personal_number_type(re.sub(r"\D", "", m.group(0)))
        return m.group(0) if kind is None else ("[DNUMMER]" if kind == "dnummer" else "[FØDSELSNUMMER]")

    addresses: list[str] = []

    def address(m: re.Match) -> str:  # kept out of the rules below (a host is no e-mail or name) as one mark
        scheme, sep, rest = m.group(0).rpartition("://")
        addresses.append(f"{scheme}{sep}***@{rest.rpartition('@')[2]}" if "@" in rest else m.group(0))
        return chr(0xE000 + len(addresses) - 1)

    msg = _ADDRESS.sub(address, msg) if "://" in msg or "@" in msg else msg
    msg = _ELEVEN.sub(number, msg)  # first: a file name cut at a space must not leave part of the number
    msg = default_resources().redactor.redact(_PATHISH.sub(part, msg))[0]
    for i, shown in enumerate(addresses):
        msg = msg.replace(chr(0xE000 + i), shown)
    return msg


@app.callback()
def _root() -> None:
    """textmine: text analytics for free-text survey answers."""


def _register_all() -> None:
    from . import clean, codebook, coding, demo, discover, report, service, stats

    for module in (demo, clean, discover, codebook, coding, stats, report, service):
        module.register(app)


_register_all()


def main() -> None:  # console entry point
    from ..paths import CacheDirError

    try:
        app()
    except CacheDirError as e:  # a setting to fix, not a bug: one line, exit 2
        typer.echo(f"Error: {e.strerror}", err=True)
        raise SystemExit(2) from None
