"""The one base of the product's domain errors, and the one place they become messages.

A service refuses with a subclass of ``DomainError`` whose text a person can read ("This idea can no
longer be edited: screening has started."). Views and the admin never show a 500 for one: they run
the service inside ``refusal_shown`` and the refusal becomes a form error (when a form is given) or an
error message, with an optional prefix that says what was not done.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest


class DomainError(Exception):
    """A refusal by the product's rules, with a message for the person who asked."""

    @property
    def message(self) -> str:
        return str(self)


@dataclass
class Outcome:
    """What ``refusal_shown`` saw: ``error`` is the refusal, or None when the service went through."""

    error: DomainError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@contextmanager
def refusal_shown(
    request: HttpRequest | None = None, *, form=None, prefix: str = "", level: int = messages.ERROR
) -> Iterator[Outcome]:
    """Run a service call; a ``DomainError`` it raises is shown and swallowed, anything else propagates.

    With ``form``, the refusal becomes the form's non-field error (the page is rendered again);
    otherwise a message on ``request`` (``prefix`` + the refusal, at ``level``). The caller reads
    ``outcome.ok`` afterwards to continue only when the call went through.
    """
    outcome = Outcome()
    try:
        yield outcome
    except DomainError as error:
        outcome.error = error
        if form is not None:
            form.add_error(None, f"{prefix}{error}")
        elif request is not None:
            messages.add_message(request, level, f"{prefix}{error}", fail_silently=True)
