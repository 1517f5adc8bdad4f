"""Every action written to the audit log is declared in audit/actions.py, with a label.

A static scan of the sources: each call of ``audit(...)`` (or ``*.audit(...)``) must name its action as a
string literal, a conditional of literals, an f-string whose fixed start matches declared actions, or a
parameter of the enclosing function whose callers pass such values (followed through the call sites)."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from jcportal.audit import actions

SOURCES = Path(settings.PROJECT_DIR) / "src" / "jcportal"


@dataclass
class Module:
    path: str
    tree: ast.Module


def _modules(root: Path = SOURCES) -> list[Module]:
    found = []
    for path in sorted(root.rglob("*.py")):
        parts = set(path.parts)
        if "tests" in parts or "migrations" in parts or "testing" in parts:
            continue
        found.append(Module(str(path.relative_to(root.parent)), ast.parse(path.read_text(encoding="utf-8"))))
    return found


def _call_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _argument(call: ast.Call, index: int, name: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return call.args[index] if len(call.args) > index else None


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}


def undeclared_actions(modules: list[Module], declared: set[str]) -> list[str]:
    """Problems found: ``path:line: text`` per action that is not declared (or cannot be resolved)."""
    calls: list[tuple[Module, ast.Call, dict[ast.AST, ast.AST]]] = []
    for module in modules:
        parents = _parents(module.tree)
        calls.extend((module, node, parents) for node in ast.walk(module.tree) if isinstance(node, ast.Call))
    problems: list[str] = []

    def check(expr: ast.expr | None, module: Module, parents: dict[ast.AST, ast.AST], depth: int = 0) -> None:
        where = f"{module.path}:{getattr(expr, 'lineno', '?')}"
        if expr is None:
            problems.append(f"{where}: audit() without an action")
        elif isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            if expr.value not in declared:
                problems.append(f"{where}: {expr.value}")
        elif isinstance(expr, ast.IfExp):
            check(expr.body, module, parents, depth)
            check(expr.orelse, module, parents, depth)
        elif isinstance(expr, ast.JoinedStr):
            prefix = ""
            for part in expr.values:
                if not (isinstance(part, ast.Constant) and isinstance(part.value, str)):
                    break
                prefix += part.value
            if not prefix or not any(name.startswith(prefix) for name in declared):
                problems.append(f"{where}: {ast.unparse(expr)}")
        elif isinstance(expr, ast.Name) and depth < 3:
            function = expr
            while function in parents and not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                function = parents[function]  # type: ignore[assignment]
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                problems.append(f"{where}: {expr.id} (not a parameter)")
                return
            params = [
                a.arg for a in function.args.posonlyargs + function.args.args + function.args.kwonlyargs
            ]
            if expr.id not in params:
                problems.append(f"{where}: {expr.id} (not a parameter of {function.name})")
                return
            index = params.index(expr.id)
            callers = [(m, c, p) for m, c, p in calls if _call_name(c) == function.name]
            if not callers:
                problems.append(f"{where}: {expr.id} (no caller of {function.name} found)")
            bound = bool(params) and params[0] in ("self", "cls")  # self.method(...) passes self implicitly
            for caller_module, call, caller_parents in callers:
                offset = 1 if bound and isinstance(call.func, ast.Attribute) else 0
                check(_argument(call, index - offset, expr.id), caller_module, caller_parents, depth + 1)
        else:
            problems.append(f"{where}: {ast.unparse(expr) if expr is not None else '?'} (cannot be resolved)")

    for module, call, parents in calls:
        if _call_name(call) == "audit":
            check(_argument(call, 0, "action"), module, parents)
    return problems


def test_every_action_written_is_declared_with_a_label():
    problems = undeclared_actions(_modules(), actions.DECLARED)
    assert not problems, "audit actions not declared in audit/actions.py:\n" + "\n".join(problems)
    for name in actions.DECLARED:
        assert str(actions.ACTIONS[name].label).strip(), name


def test_the_scan_finds_undeclared_and_unresolvable_actions():
    source = """
def _decide(x, action):
    audit(action, obj=x)

class View:
    def audit_read(self, action, obj=None):
        audit(action, obj=obj)

    def get(self, x):
        self.audit_read("known", x)
        self.audit_read("method.undeclared")

def confirm(x, kind):
    _decide(x, f"forms.{kind}")
    _decide(x, f"other.{kind}")
    _decide(x, "forms.known")
    audit("known" if x else "typo.action")
    audit(compute())
    audit("new.undeclared")
"""
    modules = [Module("fake.py", ast.parse(source))]
    problems = undeclared_actions(modules, {"known", "forms.known"})
    assert sorted(p.split(": ", 1)[1] for p in problems) == sorted(
        [
            "typo.action",
            "compute() (cannot be resolved)",
            "new.undeclared",
            "f'other.{kind}'",
            "method.undeclared",
        ]
    )
    assert not undeclared_actions(modules[:0], set())


def test_actions_shown_to_citizens_are_declared_and_visible():
    visible = set(actions.citizen_visible_actions())
    assert {"document.viewed", "document.received", "eforms.submission.submitted"} <= visible
    assert "login.failure" not in visible
