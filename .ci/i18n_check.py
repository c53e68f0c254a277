#!/usr/bin/env python3
"""CI guard for the German and French catalogues (docs/I18N.md, "What CI checks").

    python .ci/i18n_check.py [ROOT]

Runs the same ``makemessages`` as ``./dev.sh messages`` (its arguments are in
``.ci/makemessages-args``) in a temporary copy of ROOT (default: the repository), so the working
tree is never touched, then fails, listing them, when

- a string marked in the code or templates is missing from ``locale/<lang>/LC_MESSAGES/django.po``
  (compared by msgctxt, msgid and msgid_plural; references, line numbers and the POT date are
  ignored),
- an entry of the committed catalogue is untranslated (``msgattrib --untranslated``) or fuzzy
  (``msgattrib --only-fuzzy``),
- ``msgfmt --check`` refuses a catalogue.

When all is well it compiles the catalogues (``compilemessages``) in ROOT. Needs gettext (msgfmt,
msgattrib, xgettext, msgmerge). The languages are the ``--locale`` arguments of makemessages-args.
Uses only the standard library and Django (no polib), so a fresh virtualenv runs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "node_modules", "staticfiles", "media", "__pycache__", "*.pyc", ".pytest_cache", "*.mo"
)

Key = tuple[str | None, str]  # (msgctxt, msgid)


def makemessages_args(root: Path) -> list[str]:
    args_file = root / ".ci" / "makemessages-args"
    if not args_file.exists():
        args_file = HERE / "makemessages-args"
    return [line.strip() for line in args_file.read_text().splitlines() if line.strip()]


def languages(args: list[str]) -> list[str]:
    return [args[i + 1] for i, arg in enumerate(args) if arg == "--locale"]


def _unquote(text: str) -> str:
    body = text.strip()
    assert body.startswith('"') and body.endswith('"'), body
    body = body[1:-1]
    escapes = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
    out, i = [], 0
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            out.append(escapes.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(char)
            i += 1
    return "".join(out)


def parse_po(text: str) -> list[dict]:
    """The entries of a PO file (the header and obsolete ``#~`` entries left out): each a dict with
    msgctxt, msgid, msgid_plural, msgstr (a list: one string, or one per plural form) and fuzzy."""
    entries: list[dict] = []
    current: dict | None = None
    field: str | None = None

    def finish():
        if current is not None and "msgid" in current and current["msgid"] != "":
            entries.append(current)

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#"):
            if current is not None and field is not None and "msgstr" in current:
                finish()
                current, field = None, None
            if current is None:
                current = {"msgctxt": None, "msgid_plural": None, "msgstr": [], "fuzzy": False}
            if line.startswith("#,") and "fuzzy" in line[2:].replace(",", " ").split():
                current["fuzzy"] = True
            continue
        if line.startswith('"'):
            value = _unquote(line)
            if field == "msgstr":
                current["msgstr"][-1] += value
            else:
                current[field] += value
            continue
        keyword, _space, rest = line.partition(" ")
        if keyword in {"msgctxt", "msgid"} and current is not None and current["msgstr"]:
            finish()
            current = None
        if current is None:
            current = {"msgctxt": None, "msgid_plural": None, "msgstr": [], "fuzzy": False}
        if keyword.startswith("msgstr"):
            current["msgstr"].append(_unquote(rest))
            field = "msgstr"
        else:
            current[keyword] = _unquote(rest)
            field = keyword
    finish()
    return entries


def key_of(entry: dict) -> Key:
    return (entry["msgctxt"], entry["msgid"])


def shown(entry: dict) -> str:
    context = f"[{entry['msgctxt']}] " if entry["msgctxt"] else ""
    text = entry["msgid"].replace("\n", "\\n")
    return f"{context}{text[:110]}{'…' if len(text) > 110 else ''}"


def gettext_tool(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def check(root: Path, python: str = sys.executable) -> list[str]:
    """What is wrong with ROOT's catalogues (empty: nothing)."""
    args = makemessages_args(root)
    problems: list[str] = []
    env = {**os.environ, "DEBUG": "1"}
    with tempfile.TemporaryDirectory(prefix="i18n-check-") as tmp:
        copy = Path(tmp) / "tree"
        shutil.copytree(root, copy, ignore=COPY_IGNORE, symlinks=True)
        made = subprocess.run(
            [python, "manage.py", "makemessages", *args], cwd=copy, env=env, capture_output=True, text=True
        )
        if made.returncode != 0:
            return [f"makemessages failed:\n{made.stdout}{made.stderr}"]
        for lang in languages(args):
            relative = Path("locale") / lang / "LC_MESSAGES" / "django.po"
            committed_path = root / relative
            if not committed_path.exists():
                problems.append(f"{relative}: missing")
                continue
            committed = {key_of(e): e for e in parse_po(committed_path.read_text(encoding="utf-8"))}
            fresh = parse_po((copy / relative).read_text(encoding="utf-8"))
            for entry in fresh:
                known = committed.get(key_of(entry))
                if known is None:
                    problems.append(f"{relative}: missing (run ./dev.sh messages): {shown(entry)}")
                elif known["msgid_plural"] != entry["msgid_plural"]:
                    problems.append(f"{relative}: plural changed (run ./dev.sh messages): {shown(entry)}")
            for entry in parse_po(gettext_tool("msgattrib", "--untranslated", "--no-wrap", str(committed_path))):
                problems.append(f"{relative}: untranslated: {shown(entry)}")
            for entry in parse_po(gettext_tool("msgattrib", "--only-fuzzy", "--no-wrap", str(committed_path))):
                problems.append(f"{relative}: fuzzy: {shown(entry)}")
            checked = subprocess.run(
                ["msgfmt", "--check", "-o", os.devnull, str(committed_path)], capture_output=True, text=True
            )
            if checked.returncode != 0:
                problems.append(f"{relative}: msgfmt --check refused it:\n{checked.stderr.strip()}")
    return problems


def main(argv: list[str]) -> int:
    root = Path(argv[1]).resolve() if len(argv) > 1 else HERE.parent
    problems = check(root)
    if problems:
        print(f"The catalogues are not complete ({len(problems)} problems):")
        for problem in problems:
            print(f"  {problem}")
        print("Run ./dev.sh messages, translate the entries (docs/I18N.md, 'How to translate') and commit .po and .mo.")
        return 1
    compiled = subprocess.run(
        [sys.executable, "manage.py", "compilemessages", "--ignore", ".venv/*"],
        cwd=root,
        env={**os.environ, "DEBUG": "1"},
        capture_output=True,
        text=True,
    )
    if compiled.returncode != 0:
        print(f"compilemessages failed:\n{compiled.stdout}{compiled.stderr}")
        return 1
    print("The catalogues are complete: every marked string is translated, none fuzzy; compiled.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
