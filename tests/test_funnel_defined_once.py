"""The product's method is defined once: the funnel's statuses and groups (``core.funnel``), a
challenge's phases (``challenges.phases``) and who is staff (``accounts.rules``).

These tests read the code (not run it): a literal list of two or more funnel statuses or challenge
phases anywhere else, a copy of the transition table, or an ``is_staff`` / ``is_superuser`` test
outside ``accounts`` fails them with the file and line, so a second copy cannot come back.
"""

import ast
import re
from pathlib import Path

from challenges.phases import Phase
from core.funnel import Status

ROOT = Path(__file__).resolve().parent.parent
# Where the definitions live.
DEFINITIONS = {Path("core/funnel.py"), Path("challenges/phases.py")}
# Sample data, not rules: the demo and scale seeders name the status of each sample idea they
# create, and the benchmarks set up their rows the same way.
SAMPLE_DATA = {Path("demo/demo_data.py"), Path("demo/scale.py")}
SKIPPED_DIRS = {".venv", "tests", "migrations", "bench", "demo", "static", "node_modules", ".git"}


def _python_files() -> list[Path]:
    files = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if SKIPPED_DIRS & set(relative.parts) or relative in DEFINITIONS or relative in SAMPLE_DATA:
            continue
        files.append(relative)
    return files


def _names_a_value(node: ast.AST, enum_name: str, values: set[str]) -> bool:
    """``Status.X`` / ``Challenge.Phase.X`` / ``"x"`` naming one of ``values``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value in values
    if isinstance(node, ast.Attribute) and node.attr.lower() in values:
        owner = node.value
        return (isinstance(owner, ast.Name) and owner.id == enum_name) or (
            isinstance(owner, ast.Attribute) and owner.attr == enum_name
        )
    return False


def _literal_lists(tree: ast.AST, enum_name: str, values: set[str]) -> list[int]:
    """Line numbers of list, set and tuple literals made only of two or more of ``values``, and of
    dicts keyed by them whose values name them too (a transition table)."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.List | ast.Set | ast.Tuple):
            if len(node.elts) >= 2 and all(_names_a_value(e, enum_name, values) for e in node.elts):
                lines.append(node.lineno)
        elif isinstance(node, ast.Dict):
            keys = [k for k in node.keys if k is not None]
            keyed = len(keys) >= 2 and all(_names_a_value(k, enum_name, values) for k in keys)
            if keyed and any(_names_a_value(n, enum_name, values) for v in node.values for n in ast.walk(v)):
                lines.append(node.lineno)
    return sorted(lines)


def _offences(enum_name: str, values: set[str]) -> list[str]:
    offences = []
    for relative in _python_files():
        tree = ast.parse((ROOT / relative).read_text(), filename=str(relative))
        offences += [f"{relative}:{line}" for line in _literal_lists(tree, enum_name, values)]
    return offences


STATUS_VALUES = {status.value for status in Status}
PHASE_VALUES = {phase.value for phase in Phase}


def test_no_literal_list_of_funnel_statuses_outside_the_funnel_module():
    assert _offences("Status", STATUS_VALUES) == [], "use a group from core.funnel instead"


def test_no_literal_list_of_challenge_phases_outside_the_phases_module():
    assert _offences("Phase", PHASE_VALUES) == [], "use a group from challenges.phases instead"


def test_the_check_finds_a_literal_list_when_there_is_one():
    """The checker is not blind: the shapes the funnel was once written in are each found."""
    source = """
a = [Status.DRAFT, Status.WITHDRAWN]
b = frozenset({Status.SUBMITTED, Status.SHORTLISTED})
c = ("shortlisted", "in_mentoring")
d = {Status.SUBMITTED: frozenset({Status.DECLINED}), Status.WINNER: frozenset({Status.IN_PROGRESS})}
e = (Challenge.Phase.FINAL, Challenge.Phase.CLOSED)
ok = [Status.DRAFT]
ok2 = ["finalist", "not_selected", "undecided"]
ok3 = {Status.SHORTLISTED: Kind.IDEA_SHORTLISTED, Status.WINNER: Kind.IDEA_WINNER}
"""
    tree = ast.parse(source)
    assert _literal_lists(tree, "Status", STATUS_VALUES) == [2, 3, 4, 5]
    assert _literal_lists(tree, "Phase", PHASE_VALUES) == [6]


def test_the_groups_are_built_from_the_statuses_they_name():
    """Every group is made of real statuses, and the funnel's two published groups split them."""
    from core import funnel

    groups = [value for name, value in vars(funnel).items() if name.isupper() and isinstance(value, tuple | frozenset)]
    assert groups
    for group in groups:
        assert set(group) <= set(Status)
    assert set(Status) - {Status.DRAFT} == funnel.OPEN_STATUSES | funnel.ENDED_STATUSES
    assert not funnel.OPEN_STATUSES & funnel.ENDED_STATUSES
    assert set(funnel.TRANSITIONS) <= funnel.OPEN_STATUSES | funnel.WINNER_STATUSES
    assert all(status in funnel.STAFF_STATUSES for targets in funnel.TRANSITIONS.values() for status in targets)


def test_the_funnel_and_phases_modules_import_no_app_models():
    for relative in DEFINITIONS:
        tree = ast.parse((ROOT / relative).read_text())
        imported = [
            node.module if isinstance(node, ast.ImportFrom) else alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        ]
        assert all(name and (name.startswith("django.") or "." not in name) for name in imported), imported
        assert not [name for name in imported if name and name.endswith("models") and name != "django.db.models"]


# Who is staff: ``is_staff`` / ``is_superuser`` are read only in accounts (its rules and its admin).
STAFF_FLAG = re.compile(r"\bis_staff\b|\bis_superuser\b")


def test_who_is_staff_is_defined_only_in_accounts():
    offences = []
    for relative in _python_files():
        if relative.parts[0] == "accounts":
            continue
        for number, line in enumerate((ROOT / relative).read_text().splitlines(), start=1):
            if STAFF_FLAG.search(line.split("#", 1)[0]):
                offences.append(f"{relative}:{number}")
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if STAFF_FLAG.search(line):
                offences.append(f"{path.relative_to(ROOT)}:{number}")
    assert offences == [], "use accounts.rules (is_staff_member, is_triage, STAFF_Q, MEMBERS_Q)"


# Templates compare an idea's status to one value at most (a badge, a button); groups are computed
# in Python and passed as booleans.
TEMPLATE_STATUS_GROUP = re.compile(r"status\s+in\s|status\s*==\s*['\"]\w+['\"]\s+or\s")


def test_templates_list_no_statuses():
    offences = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if TEMPLATE_STATUS_GROUP.search(line)
    ]
    assert offences == []
