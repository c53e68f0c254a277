"""One base for the product's refusals (``core.errors.DomainError``) and one place that shows them."""

import pytest
from django import forms
from django.contrib.messages import ERROR, WARNING, get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from challenges.services import ChallengeError
from core.errors import DomainError, refusal_shown
from ideas.services import IdeaError, VoteNotAllowed
from innovators.services import InnovatorsError
from notifications.tokens import UnsubscribeTokenInvalid
from reviews.services.mentoring import MentoringNotAllowed
from reviews.services.screening import ScreeningError
from scoring.services.imports import RatingsImportInvalid
from scoring.services.survey import SurveyError


@pytest.mark.parametrize(
    "base",
    [
        IdeaError,
        ChallengeError,
        ScreeningError,
        MentoringNotAllowed,
        SurveyError,
        RatingsImportInvalid,
        InnovatorsError,
        UnsubscribeTokenInvalid,
    ],
)
def test_every_domain_error_base_derives_from_the_one_base(base):
    assert issubclass(base, DomainError)


def _request():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_a_refusal_becomes_a_message_with_its_prefix_and_the_caller_sees_it():
    request = _request()
    with refusal_shown(request, prefix="Idea #1 was not changed: ") as outcome:
        raise VoteNotAllowed("Voting is closed.")
    assert not outcome.ok and isinstance(outcome.error, VoteNotAllowed)
    assert [(m.level, m.message) for m in get_messages(request)] == [
        (ERROR, "Idea #1 was not changed: Voting is closed.")
    ]


def test_a_refusal_becomes_a_form_error_when_a_form_is_given():
    form = forms.Form(data={})
    assert form.is_valid()
    with refusal_shown(form=form) as outcome:
        raise ChallengeError("The challenge is closed.")
    assert not outcome.ok
    assert form.non_field_errors() == ["The challenge is closed."]


def test_a_call_that_goes_through_shows_nothing_and_other_errors_are_not_swallowed():
    request = _request()
    with refusal_shown(request, level=WARNING) as outcome:
        pass
    assert outcome.ok and list(get_messages(request)) == []
    with pytest.raises(ZeroDivisionError), refusal_shown(request):
        1 / 0  # noqa: B018 - a programming error is a 500, never a message
    assert list(get_messages(request)) == []
