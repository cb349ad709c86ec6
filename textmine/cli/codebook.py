"""CLI: ``textmine codebook`` (check a codebook, and compare it with an earlier version, without coding a file)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any, Optional

import typer


def _load(path: Path) -> tuple[Any, list[str]]:
    """The validated codebook and the warnings the library gives on loading it; a codebook error is the CLI's
    one-line error (exit 2), as ``textmine code`` reports it."""
    from textmine.codebook import CodebookError, load_codebook

    from .coding import _fail

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            cb = load_codebook(path)
        except CodebookError as exc:
            _fail(str(exc))
    return cb, list(dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, UserWarning)))


def codebook_overview(cb: Any, warned: list[str]) -> dict[str, Any]:
    """The codebook as the command shows it: name, version, language, hash, one entry per theme, warnings."""
    return {
        "name": cb.name, "version": cb.version, "language": cb.language, "hash": cb.hash,
        "themes": [{"id": t.id, "label": t.label, "parent": t.parent, "exclusive": t.exclusive,
                    "keywords": len(t.keywords), "examples": len(t.examples), "replaces": list(t.replaces)}
                   for t in cb.themes],
        "warnings": warned,
    }


def compare_codebooks(old: Any, new: Any) -> dict[str, Any]:
    """What changes from codebook ``old`` to ``new``, by the summary's rules for two waves coded with them
    (:mod:`textmine.summary`): themes added and removed, declared renames and merges (``replaces``), redefined
    themes (not compared), a ``replaces`` naming ids ``old`` lacks, and whether each catch-all theme is compared."""
    from textmine.codebook import codebook_diff
    from textmine.discover.guided import catch_all_ids
    from textmine.summary import _catch_all_changes, _changed_themes, _declared_renames, _renamed_record

    renames = _declared_renames(old, new, "old", "new")
    changed = [t for t in _changed_themes(old, new) if t not in renames]
    untested, only_old, only_new = _catch_all_changes(old, new, renames, changed)
    continued = {o for olds, _ in renames.values() for o in olds}
    ia, ib = set(old.theme_ids), set(new.theme_ids)
    fields = codebook_diff(old, new).changed
    renamed = []
    for tid, (olds, old_wave) in renames.items():
        rec = _renamed_record(tid, olds, old_wave, old, new, "old", "new")
        renamed.append({"theme": tid, "replaces": list(olds), "merge": rec["merge"], "changed": rec["changed"],
                        "declared_in": "new" if old_wave == "old" else "old"})
    # a new theme's replaced ids that old lacks: the summary's «a typo?» (one id of a merge too: it is never compared)
    # ("known": the ids of the same ``replaces`` that old has: a chain listed whole, «c replaces [b, a]», when any)
    unknown = [{"theme": tid, "replaces": [o for o in olds if o not in ia], "known": [o for o in olds if o in ia]}
               for tid, olds in new.replacements.items() if tid not in ia and any(o not in ia for o in olds)]
    catch = sorted((catch_all_ids(new) & ib) | (catch_all_ids(old) & ia - ib - continued))
    verdicts = []
    for tid in catch:
        if tid in untested:
            ids = "; ".join(f"{what}: {', '.join(x)}" for what, x in (("added", only_new), ("removed", only_old)) if x)
            verdict, why = "untested", f"the other themes' ids changed otherwise than by declared renames ({ids})"
        elif tid in changed:
            verdict, why = "untested", f"redefined ({', '.join(fields[tid])} changed)"
        elif tid not in ib:
            verdict, why = "removed", "only in the old codebook"
        elif tid not in ia and tid not in renames:
            verdict, why = "untested", "new: the old codebook has no such theme"
        else:
            declared = f"continues {', '.join(renames[tid][0])} as declared; " if tid in renames else ""
            verdict, why = "compared", (f"{declared}the other themes' ids are the same or changed only by declared "
                                        f"renames")
        verdicts.append({"theme": tid, "verdict": verdict, "reason": why})
    return {
        "added": sorted(ib - ia - set(renames)),
        "removed": sorted(ia - ib - continued),
        "renamed": renamed,
        "redefined": [{"theme": t, "fields": fields[t]} for t in changed],
        "replaces_unknown": unknown,
        "catch_all": verdicts,
    }


def _chain_hint(unknown: list[str], removed: list[str]) -> str:
    """For a ``replaces`` naming ids the old codebook lacks: the old themes neither in the new codebook nor named in
    its ``replaces`` (a chain of versions whose middle one is skipped: list the older id too); "" when none."""
    if not removed:
        return ""
    said = "; ".join(f"«{t} finnes ikke i den nye kodeboken og er ikke nevnt i replaces»" for t in removed)
    return (f"; {said}: if {unknown[0]} continued it in a version between, list that id too "
            f"(replaces: [{', '.join(unknown)}, {removed[0]}])")


def _unknown_detail(record: dict[str, Any], old_name: str, removed: list[str]) -> str:
    """The «replaces unknown» row's detail: with another id of the same ``replaces`` in the old codebook, the
    unknown ids are read as a chain's middle versions (or a typo); else «(typo?)» and the chain hint."""
    missing = " or ".join(record["replaces"])
    if record.get("known"):
        return (f"{old_name} has no theme {missing}: an id of a version between (the chain continues "
                f"{', '.join(record['known'])}), or a typo")
    return f"{old_name} has no theme {missing} (typo?)" + _chain_hint(record["replaces"], removed)


def _show(report: dict[str, Any], path: Path, compare: Optional[Path]) -> None:
    """The report as rich tables and lines on stdout."""
    from . import redact_message  # a file name may hold a name or fødselsnummer: shown as the CLI's errors show it
    from rich.markup import escape

    from .service import _table

    name, old_name = redact_message(path.name), redact_message(compare.name) if compare is not None else ""
    yes = lambda v: "yes" if v else ""  # noqa: E731
    typer.echo(f"{name}: codebook {report['name']!r}, version {report['version']}, language {report['language']}, "
               f"hash {report['hash']}")
    _table(f"{len(report['themes'])} themes",
           ["id", "label", "parent", "exclusive", "keywords", "examples", "replaces"],
           [[t["id"], t["label"], t["parent"] or "", yes(t["exclusive"]), t["keywords"], t["examples"],
             ", ".join(t["replaces"])] for t in report["themes"]])
    for w in report["warnings"]:
        typer.echo(f"warning: {w}")
    cmp = report.get("compare")
    if cmp is None:
        return
    rows = [["added", t, ""] for t in cmp["added"]] + [["removed", t, ""] for t in cmp["removed"]]
    rows += [["merged" if r["merge"] else "renamed", r["theme"],
              f"continues {', '.join(r['replaces'])}" + (f"; also changed: {', '.join(r['changed'])}"
                                                          if r["changed"] else "")] for r in cmp["renamed"]]
    rows += [["redefined", r["theme"], f"changed: {', '.join(r['fields'])} (not compared across waves)"]
             for r in cmp["redefined"]]
    rows += [["replaces unknown", r["theme"], _unknown_detail(r, old_name, cmp["removed"])]
             for r in cmp["replaces_unknown"]]
    rows += [[f"catch-all {c['verdict']}", c["theme"], c["reason"]] for c in cmp["catch_all"]]
    if rows:
        _table(escape(f"compared with {old_name}"), ["change", "theme", "detail"], rows)
    else:
        typer.echo(f"no theme changes from {old_name}")


def register(app: typer.Typer) -> None:
    """Attach ``textmine codebook``."""

    @app.command("codebook")
    def codebook(
        path: Path = typer.Argument(..., help="codebook YAML to check"),
        compare: Optional[Path] = typer.Option(
            None, "--compare", help="an earlier version's codebook YAML: the themes added, removed, renamed or "
                                    "merged (replaces), redefined, and whether the catch-all is compared across "
                                    "waves coded with the two"),
        as_json: bool = typer.Option(False, "--json", help="print the result as JSON"),
    ) -> None:
        """Check a codebook (exit 2 naming the theme and field when invalid) and show its themes, without coding."""
        import json

        cb, warned = _load(path)
        report = codebook_overview(cb, warned)
        if compare is not None:
            report["compare"] = compare_codebooks(_load(compare)[0], cb)
        if as_json:
            typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            _show(report, path, compare)
