"""Every public function of a services, selectors or rules module is typed: each parameter and the
return (docs/ARCHITECTURE.md, "Types"). mypy checks the annotations that are there; this test makes
sure none is left out, so a new untyped function fails here rather than slipping past mypy (which
does not complain about an unannotated function by default)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The modules mypy checks in CI (.ci/run): <app>/services.py, services_*.py, services/*.py,
# selectors.py, selectors_*.py and rules.py.
PATTERNS = ("*/services*.py", "*/services/*.py", "*/selectors*.py", "*/rules.py")
SKIPPED_DIRS = {".venv", "node_modules", "tests", "docs", "bench"}


def _modules() -> list[Path]:
    found = {
        path for pattern in PATTERNS for path in ROOT.glob(pattern) if path.parts[len(ROOT.parts)] not in SKIPPED_DIRS
    }
    return sorted(found)


def _public_functions(tree: ast.Module):
    """Module-level public functions, and the public methods of public module-level classes."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.name.startswith("_"):
            yield node.name, node, False
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and not item.name.startswith("_"):
                    is_static = any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in item.decorator_list)
                    yield f"{node.name}.{item.name}", item, not is_static


def untyped(source: str, module: str) -> list[str]:
    """``module:line name: what`` for each missing annotation in ``source``."""
    missing = []
    for name, function, is_method in _public_functions(ast.parse(source)):
        args = function.args
        positional = args.posonlyargs + args.args
        if is_method and positional:
            positional = positional[1:]  # self / cls
        params = positional + args.kwonlyargs + [a for a in (args.vararg, args.kwarg) if a is not None]
        where = f"{module}:{function.lineno} {name}"
        missing += [f"{where}: parameter {param.arg}" for param in params if param.annotation is None]
        if function.returns is None:
            missing.append(f"{where}: return")
    return missing


def test_the_checked_modules_are_found():
    names = {path.relative_to(ROOT).as_posix() for path in _modules()}
    assert {"ideas/selectors.py", "ideas/rules.py", "challenges/services.py", "ideas/services/funnel.py"} <= names
    assert "ideas/selectors_profile.py" in names and "ideas/selectors_results.py" in names
    assert not any(name.startswith(("tests/", ".venv/")) for name in names)


def test_every_public_function_of_services_selectors_and_rules_is_typed():
    missing = [
        entry
        for path in _modules()
        for entry in untyped(path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix())
    ]
    assert missing == [], "Untyped public functions:\n" + "\n".join(missing)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def f(a: int, *, b) -> int: ...", ["m.py:1 f: parameter b"]),
        ("def f(a: int):\n    pass", ["m.py:1 f: return"]),
        ("def f(*args, **kwargs: int) -> None: ...", ["m.py:1 f: parameter args"]),
        ("def _private(a): ...", []),
        ("class C:\n    def m(self, x) -> None: ...\n    def _p(self, y): ...", ["m.py:2 C.m: parameter x"]),
        ("class C:\n    @staticmethod\n    def s(x) -> None: ...", ["m.py:3 C.s: parameter x"]),
        ("async def f(user) -> None: ...", ["m.py:1 f: parameter user"]),
        ("def f(user: 'User', n: int = 1) -> 'list[int]': ...", []),
    ],
)
def test_the_check_catches_what_is_missing(source, expected):
    assert untyped(source, "m.py") == expected
