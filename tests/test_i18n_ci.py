"""The CI guard of the catalogues (.ci/i18n_check.py) on a tiny project of its own: it passes on a
complete catalogue and fails, naming the entry, on a missing string, an untranslated entry and a
fuzzy one. No database; a few seconds (makemessages on three files)."""

import importlib.util
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext is not installed")


def _guard():
    spec = importlib.util.spec_from_file_location("i18n_check", ROOT / ".ci" / "i18n_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MANAGE = """import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "fixture_settings"
from django.core.management import execute_from_command_line
execute_from_command_line(sys.argv)
"""

SETTINGS = """from pathlib import Path
BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = "fixture"
INSTALLED_APPS = []
USE_I18N = True
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
"""

HEADER = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Language: de\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

"""

COMPLETE = (
    HEADER
    + """#: page.html
msgid "Hello"
msgstr "Hallo"

#: page.html
msgctxt "verb"
msgid "Open"
msgstr "Öffnen"

#: page.html
msgid "One idea"
msgid_plural "%(count)s ideas"
msgstr[0] "Eine Idee"
msgstr[1] "%(count)s Ideen"
"""
)

PAGE = """{% load i18n %}{% translate "Hello" %} {% translate "Open" context "verb" %}
{% blocktranslate count count=n %}One idea{% plural %}{{ count }} ideas{% endblocktranslate %}
"""


@pytest.fixture
def project(tmp_path):
    (tmp_path / "manage.py").write_text(MANAGE)
    (tmp_path / "fixture_settings.py").write_text(SETTINGS)
    (tmp_path / "page.html").write_text(PAGE)
    (tmp_path / ".ci").mkdir()
    (tmp_path / ".ci" / "makemessages-args").write_text(
        "\n".join(["--locale", "de", "--extension", "html", "--add-location", "file", "--no-obsolete"])
    )
    catalogue = tmp_path / "locale" / "de" / "LC_MESSAGES" / "django.po"
    catalogue.parent.mkdir(parents=True)
    catalogue.write_text(COMPLETE, encoding="utf-8")
    return tmp_path


def test_a_complete_catalogue_passes_and_is_compiled(project):
    guard = _guard()
    assert guard.check(project) == []
    assert guard.main(["i18n_check.py", str(project)]) == 0
    assert (project / "locale" / "de" / "LC_MESSAGES" / "django.mo").exists()
    assert not (project / "locale" / "de" / "LC_MESSAGES" / "django.po").read_text().count("Goodbye")


def test_a_marked_string_missing_from_the_catalogue_fails(project):
    (project / "page.html").write_text(PAGE + '{% translate "Goodbye" %}\n')
    problems = _guard().check(project)
    assert len(problems) == 1 and "missing" in problems[0] and "Goodbye" in problems[0]
    # The working tree is not touched: the extraction ran in a copy.
    assert "Goodbye" not in (project / "locale" / "de" / "LC_MESSAGES" / "django.po").read_text()


def test_an_untranslated_entry_fails(project):
    catalogue = project / "locale" / "de" / "LC_MESSAGES" / "django.po"
    catalogue.write_text(COMPLETE.replace('msgstr "Hallo"', 'msgstr ""'), encoding="utf-8")
    problems = _guard().check(project)
    assert len(problems) == 1 and "untranslated" in problems[0] and "Hello" in problems[0]


def test_a_fuzzy_entry_fails(project):
    catalogue = project / "locale" / "de" / "LC_MESSAGES" / "django.po"
    catalogue.write_text(COMPLETE.replace('msgctxt "verb"', '#, fuzzy\nmsgctxt "verb"'), encoding="utf-8")
    problems = _guard().check(project)
    assert len(problems) == 1 and "fuzzy" in problems[0] and "[verb] Open" in problems[0]


def test_a_changed_plural_fails(project):
    (project / "page.html").write_text(PAGE.replace("{{ count }} ideas", "{{ count }} good ideas"))
    problems = _guard().check(project)
    assert any("plural changed" in problem or "missing" in problem for problem in problems)
