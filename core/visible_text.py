"""Text a person can see: every form's text field refuses a value made only of invisible characters.

A title of zero-width spaces passes ``str.strip()`` (they are format characters, not whitespace) and
``required``; stored, it shows as an empty link. ``install()`` (from CoreConfig.ready) makes
``forms.CharField.validate`` run ``validate_visible_text`` too, so the portal's forms, allauth's and
the admin's all refuse it with the same message, and so will the next form anyone writes: a mixin
or a validator list would have to be remembered on each, and a field's validator list is copied
when its form class is built, which for the admin's forms is before any app is ready. NUL bytes and invalid UTF-8 never reach a form: ``core.security`` answers 400.
"""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Characters that draw nothing but are letters or symbols to Unicode (so not caught by category).
_BLANK_LOOKALIKES = frozenset("\u115f\u1160\u2800\u3164\uffa0\u034f\u180e")
# Unicode categories that draw nothing: format (zero-width space, joiners, direction marks, BOM),
# separators (spaces of every width), controls, and unassigned/private code points.
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Zs", "Zl", "Zp", "Cc", "Cn", "Co", "Cs"})

INVISIBLE_MESSAGE = _("Write something visible: this is made only of invisible characters (such as zero-width spaces).")


def is_invisible_only(text: str) -> bool:
    """True for a non-empty text with no character that draws anything."""
    return bool(text) and all(
        char in _BLANK_LOOKALIKES
        or unicodedata.category(char) in _INVISIBLE_CATEGORIES
        # A variation selector or combining mark alone changes nothing visible.
        or unicodedata.category(char) == "Mn"
        for char in text
    )


def validate_visible_text(value) -> None:
    if isinstance(value, str) and is_invisible_only(value):
        raise ValidationError(INVISIBLE_MESSAGE, code="invisible")


def install() -> None:
    """Every ``forms.CharField`` (and subclass: email, slug, URL, password...) refuses invisible-only text."""
    if getattr(forms.CharField.validate, "checks_visible_text", False):
        return
    django_validate = forms.CharField.validate

    def validate(self, value):
        django_validate(self, value)  # required
        validate_visible_text(value)

    validate.checks_visible_text = True
    forms.CharField.validate = validate
