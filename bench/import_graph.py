"""Imports between the portal's apps, measured: how many run up the layers, which pairs of apps import
each other, and how many sit inside a function.

    .venv/bin/python bench/import_graph.py            # the counts
    .venv/bin/python bench/import_graph.py --list     # and every upward and function-level import

The layers are read from the import-linter contract in pyproject.toml (``[tool.importlinter]``,
the contract with id "layers"), so this counts against the same order CI checks; unlike
``lint-imports`` it also counts the imports the contract's ``ignore_imports`` lets through, and
it reads the source (``ast``), not an import graph, so it can tell a function-level import from
one at the top of a module. Migrations are left out; ``if TYPE_CHECKING:`` imports are counted
apart (they never run).
"""

import argparse
import ast
import collections
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Import:
    source_app: str
    target_app: str
    path: str
    line: int
    module: str
    in_function: bool
    type_checking: bool


def layer_order() -> dict[str, int]:
    """Each app's layer index (0 = the top), from the "layers" contract."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    contract = next(c for c in config["contracts"] if c.get("id") == "layers")
    order = {}
    for index, layer in enumerate(contract["layers"]):
        for app in layer.replace(":", "|").split("|"):
            order[app.strip()] = index
    return order


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def imports_between_apps(apps: set[str]) -> list[Import]:
    found = []
    for app in sorted(apps):
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            parents = _parents(tree)
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                    modules = [node.module]
                else:
                    continue
                in_function = type_checking = False
                up = node
                while up in parents:
                    up = parents[up]
                    in_function |= isinstance(up, ast.FunctionDef | ast.AsyncFunctionDef)
                    type_checking |= isinstance(up, ast.If) and "TYPE_CHECKING" in ast.unparse(up.test)
                for module in modules:
                    target = module.split(".")[0]
                    if target in apps and target != app:
                        rel = str(path.relative_to(ROOT))
                        found.append(Import(app, target, rel, node.lineno, module, in_function, type_checking))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--list", action="store_true", help="list every upward and function-level import")
    args = parser.parse_args()
    order = layer_order()
    found = [i for i in imports_between_apps(set(order)) if not i.type_checking]
    upward = [i for i in found if order[i.target_app] < order[i.source_app]]
    sideways = [i for i in found if order[i.target_app] == order[i.source_app]]
    pairs = {(i.source_app, i.target_app) for i in found}
    mutual = sorted({tuple(sorted(pair)) for pair in pairs if pair[::-1] in pairs})
    in_function = [i for i in found if i.in_function]
    print(f"imports between apps: {len(found)}")
    print(f"upward (a lower layer importing a higher one): {len(upward)}")
    print(f"between apps of one layer: {len(sideways)}")
    print(f"pairs of apps importing each other: {len(mutual)} {' '.join('<->'.join(p) for p in mutual)}")
    print(f"function-level imports between apps: {len(in_function)}")
    per_pair = collections.Counter((i.source_app, i.target_app) for i in upward)
    for (source, target), count in sorted(per_pair.items()):
        print(f"  up: {source} -> {target}: {count}")
    if args.list:
        for label, rows in (("upward", upward + sideways), ("function-level", in_function)):
            print(f"\n{label}:")
            for i in rows:
                print(f"  {i.path}:{i.line} {i.module}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
