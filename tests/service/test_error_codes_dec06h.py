"""Every error ``code`` the service can answer is one of ``service.errors.ErrorCode``, the enum the error body's
schema in OpenAPI lists: the source is read (``ast``), every code given to an ApiError (or a subclass), to
``error_body``, to an ApiError subclass's ``super().__init__`` or written in an ``{"error": {"code": …}}`` body
is worked out from the literals it comes from (a variable's assignments, a parameter's callers, an f-string's
parts), so a new code cannot be forgotten."""

from __future__ import annotations

import ast
import functools
import itertools
from pathlib import Path

import pytest

from service.app import create_app
from service.errors import _STATUS_CODES, ErrorCode

SERVICE = Path(__file__).resolve().parents[2] / "service"
BASE = "ApiError"


class Unresolved(Exception):
    """A code whose values the scan cannot work out: use a literal (or a variable assigned literals)."""


class Source:
    """The service's modules, parsed: functions by name, their parents, the ApiError family."""

    def __init__(self, root: Path = SERVICE):
        self.trees = {p: ast.parse(p.read_text(encoding="utf-8"), str(p)) for p in sorted(root.rglob("*.py"))}
        self.parent: dict[ast.AST, ast.AST] = {}
        self.functions: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = {}
        self.module_dicts: dict[str, ast.Dict] = {}
        classes: dict[str, ast.ClassDef] = {}
        for tree in self.trees.values():
            for node in ast.walk(tree):
                for child in ast.iter_child_nodes(node):
                    self.parent[child] = node
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    self.functions.setdefault(node.name, []).append(node)
                elif isinstance(node, ast.ClassDef):
                    classes[node.name] = node
            for stmt in tree.body:
                if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and isinstance(stmt.value, ast.Dict):
                    for target in (stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]):
                        if isinstance(target, ast.Name):
                            self.module_dicts[target.id] = stmt.value
        self.family = {BASE}
        grew = True
        while grew:
            grew = False
            for name, cls in classes.items():
                if name not in self.family and any(_name(b) in self.family for b in cls.bases):
                    self.family.add(name)
                    grew = True
        #: subclasses with their own __init__: their codes are in their super().__init__ call, not at the raise
        self.own_init = {n for n in self.family - {BASE}
                         if any(isinstance(s, ast.FunctionDef) and s.name == "__init__" for s in classes[n].body)}

    def code_args(self):
        """(file, line, expression) of every code given to the error machinery."""
        for path, tree in self.trees.items():
            for node in ast.walk(tree):
                if isinstance(node, ast.Dict):  # a body written out: {"error": {"code": …, "message": …}}
                    inner = _key(node, "error")
                    code = _key(inner, "code") if isinstance(inner, ast.Dict) else None
                    if code is not None:
                        yield path, node.lineno, code
                if not isinstance(node, ast.Call):
                    continue
                name = _name(node.func)
                if name == "error_body":
                    arg = _arg(node, 0, "code")
                elif name in self.family and name not in self.own_init:
                    arg = _arg(node, 1, "code")
                elif name == "__init__" and isinstance(node.func.value, ast.Call) and _name(node.func.value.func) == \
                        "super" and self._class_of(node) in self.family:
                    arg = _arg(node, 1, "code")
                else:
                    continue
                if arg is not None:
                    yield path, node.lineno, arg

    def values(self, expr: ast.AST, where: ast.AST, seen: frozenset = frozenset()) -> set[str]:
        """Every string ``expr`` (at node ``where``) can be; :class:`Unresolved` where that is not clear."""
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return {expr.value}
        if isinstance(expr, ast.IfExp):
            return self.values(expr.body, where, seen) | self.values(expr.orelse, where, seen)
        if isinstance(expr, ast.JoinedStr):
            parts = [self.values(v.value, where, seen) if isinstance(v, ast.FormattedValue) else {v.value}
                     for v in expr.values]
            return {"".join(p) for p in itertools.product(*parts)}
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "get" \
                and isinstance(expr.func.value, ast.Name) and expr.func.value.id in self.module_dicts:
            table = self.module_dicts[expr.func.value.id]
            found = set().union(*(self.values(v, where, seen) for v in table.values))
            return found | (self.values(expr.args[1], where, seen) if len(expr.args) > 1 else set())
        if isinstance(expr, ast.Name):
            return self._name_values(expr.id, where, seen)
        names = {n.id for n in ast.walk(expr) if isinstance(n, ast.Name)}
        if names and all(isinstance(n, (ast.Name, ast.Constant, ast.Attribute, ast.Call, ast.Subscript, ast.Load,
                                        ast.UnaryOp, ast.USub)) for n in ast.walk(expr)):
            # a string method on resolved names (``what.rsplit(" ", 1)[-1]``): computed for each value
            options = {n: sorted(self._name_values(n, where, seen)) for n in sorted(names)}
            code = compile(ast.Expression(expr), "<code>", "eval")
            return {eval(code, {"__builtins__": {}}, dict(zip(options, combo)))  # noqa: S307 - our own source
                    for combo in itertools.product(*options.values())}
        raise Unresolved(ast.unparse(expr))

    def _name_values(self, name: str, where: ast.AST, seen: frozenset) -> set[str]:
        func = self._function_of(where)
        if func is None or (func.name, name) in seen:
            raise Unresolved(name)
        seen = seen | {(func.name, name)}
        assigned = [n.value for n in ast.walk(func) if isinstance(n, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == name for t in n.targets)]
        if assigned:
            return set().union(*(self.values(v, v, seen) for v in assigned))
        params = [a.arg for a in func.args.posonlyargs + func.args.args]
        if name not in params:
            raise Unresolved(name)
        index = params.index(name)
        defaults = dict(zip(params[len(params) - len(func.args.defaults):], func.args.defaults))
        found = self.values(defaults[name], func, seen) if name in defaults else set()
        calls = [n for t in self.trees.values() for n in ast.walk(t)
                 if isinstance(n, ast.Call) and _name(n.func) == func.name]
        if not calls:
            raise Unresolved(f"{func.name}({name}): no caller")
        for call in calls:
            arg = _arg(call, index, name)
            if arg is not None and not _passed_on(arg):
                found |= self.values(arg, call, seen)
        return found

    def _function_of(self, node: ast.AST):
        while node in self.parent:
            node = self.parent[node]
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return node
        return None

    def _class_of(self, node: ast.AST) -> str | None:
        while node in self.parent:
            node = self.parent[node]
            if isinstance(node, ast.ClassDef):
                return node.name
        return None


def _name(func: ast.AST) -> str | None:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _arg(call: ast.Call, index: int, keyword: str) -> ast.AST | None:
    if len(call.args) > index and not any(isinstance(a, ast.Starred) for a in call.args[:index + 1]):
        return call.args[index]
    return next((k.value for k in call.keywords if k.arg == keyword), None)


def _key(node: ast.Dict, key: str) -> ast.AST | None:
    return next((v for k, v in zip(node.keys, node.values) if isinstance(k, ast.Constant) and k.value == key), None)


def _passed_on(expr: ast.AST) -> bool:
    """``exc.code``: an error's code answered again (the handlers), not a new one."""
    return isinstance(expr, ast.Attribute) and expr.attr == "code"


@functools.cache
def emitted_codes() -> dict[str, list[str]]:
    """code -> the places (file:line) it is given, over the whole service package."""
    src = Source()
    found: dict[str, list[str]] = {}
    for path, line, expr in src.code_args():
        if _passed_on(expr):
            continue
        try:
            codes = src.values(expr, expr)
        except Unresolved as exc:
            pytest.fail(f"{path.relative_to(SERVICE.parent)}:{line}: cannot tell which error code {exc} is; give "
                        "a literal (or a variable assigned literals) and add it to service.errors.ErrorCode")
        for code in codes:
            found.setdefault(code, []).append(f"{path.relative_to(SERVICE.parent)}:{line}")
    return found


# ---------------------------------------------------------------- the tests
def test_every_error_code_the_service_gives_is_in_the_enum():
    found = emitted_codes()
    missing = {c: where for c, where in found.items() if c not in {e.value for e in ErrorCode}}
    assert not missing, f"add these codes to service.errors.ErrorCode: {missing}"


def test_the_scan_sees_the_codes_made_at_run_time():
    """The codes that are not written out where they are raised: a parameter (``_refuse_nul``), an f-string on a
    caller's argument (``clean_label``), a choice between two literals and the status-code table's values."""
    found = emitted_codes()
    for code in ("invalid_description", "invalid_label", "invalid_name", "personal_data_in_label",
                 "personal_data_in_name", "unreadable_table", "wrong_encoding", "http_error", "busy",
                 "ui_sessions_full", "payload_too_large", "method_not_allowed", "csrf"):
        assert code in found, code
    assert set(_STATUS_CODES.values()) <= set(found)


def test_the_scan_refuses_a_code_it_cannot_work_out(tmp_path):
    (tmp_path / "mod.py").write_text("from service.errors import ApiError\n\n"
                                     "def f(x):\n    raise ApiError(422, x.lower(), 'no')\n", encoding="utf-8")
    src = Source(tmp_path)
    [(_, _, expr)] = list(src.code_args())
    with pytest.raises(Unresolved):
        src.values(expr, expr)


def test_the_enum_has_no_code_the_service_never_gives():
    """A stale member would promise clients a code they never get."""
    assert {e.value for e in ErrorCode} - set(emitted_codes()) == set()


def test_the_error_body_schema_lists_the_codes(tmp_path):
    from conftest import make_settings

    spec = create_app(make_settings(f"sqlite:///{tmp_path / 's.db'}", tmp_path, warmup=False)).openapi()
    schemas = spec["components"]["schemas"]
    code = schemas["ErrorInfo"]["properties"]["code"]
    ref = code.get("$ref") or next(p["$ref"] for p in code.get("allOf", []))
    listed = schemas[ref.rsplit("/", 1)[-1]]["enum"]
    assert sorted(listed) == sorted(e.value for e in ErrorCode)
    assert {"busy", "not_found", "payload_too_large", "validation_error"} <= set(listed)
