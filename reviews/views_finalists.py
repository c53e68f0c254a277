"""Triage staff compare a challenge's finalists side by side and choose the winner."""

from collections import Counter

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from challenges.models import Challenge
from ideas.forms_admin import ExpectedStatusesMixin
from ideas.models import Idea, Status
from ideas.services import TransitionNotAllowed

from . import rules, selectors, services


class WinnerChoiceForm(ExpectedStatusesMixin, forms.Form):
    """Choose one finalist as the winner; by default every other idea still open in the challenge gets its
    ending (not selected; declined if never screened), with their reason. Carries the statuses of the
    challenge's open ideas as the page showed them: a decision made meanwhile makes the choice refused."""

    idea = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Why it won"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The author and everyone reading the results see this, word for word."),
    )
    others_not_selected = forms.BooleanField(
        label=_("Mark the other finalists not selected, and every other idea still open (declined if never screened)"),
        required=False,
        initial=True,
    )
    others_reason = forms.CharField(
        label=_("Why the others were not selected"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Their authors and everyone reading the results see this."),
    )

    def __init__(self, *args, ideas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._expected_init(ideas)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("others_not_selected") and not (cleaned.get("others_reason") or "").strip():
            self.add_error("others_reason", gettext("Give the other finalists' authors a reason, or untick the box."))
        return cleaned


def _challenge_for_staff_or_404(request, slug: str) -> Challenge:
    """The challenge, for triage staff; for everyone else the page does not exist."""
    if not rules.can_compare_finalists(request.user):
        raise Http404("No such page.")
    challenge = Challenge.objects.filter(slug=slug).first()
    if challenge is None:
        raise Http404("No such challenge.")
    return challenge


def _render(request, challenge: Challenge, *, bound_form: WinnerChoiceForm | None = None, status: int = 200):
    comparison = selectors.finalists_compare(challenge=challenge)
    open_ideas = list(selectors.challenge_open_ideas(challenge))
    bound_idea = bound_form.cleaned_data.get("idea") if bound_form is not None else None
    for idea in comparison.finalists:
        if bound_form is not None and idea.pk == bound_idea:
            idea.winner_form = bound_form
        else:
            idea.winner_form = WinnerChoiceForm(initial={"idea": idea.pk}, auto_id=f"id_%s_{idea.pk}", ideas=open_ideas)
    context = {
        "challenge": challenge,
        "comparison": comparison,
        "can_choose": rules.can_choose_winner(request.user),
        # The winner is chosen in the final phase only (winner_choose refuses it before): until then the
        # page offers the way to the phase page instead of a form bound to be refused.
        "in_final_phase": challenge.phase == Challenge.Phase.FINAL,
        "phase_url": reverse("admin:challenges_challenge_phase", args=[challenge.pk]),
        # Ideas still open besides the finalists: choosing the winner gives them their ending too.
        "open_others": [idea for idea in open_ideas if idea.status != Status.FINALIST],
    }
    by_status = Counter(idea.get_status_display() for idea in context["open_others"])
    context["open_others_by_status"] = sorted(by_status.items())
    return render(request, "reviews/finalists_compare.html", context, status=status)


def finalists_compare(request, slug: str):
    challenge = _challenge_for_staff_or_404(request, slug)
    return _render(request, challenge)


@require_POST
def finalists_choose_winner(request, slug: str):
    challenge = _challenge_for_staff_or_404(request, slug)
    if not rules.can_choose_winner(request.user):
        raise Http404("No such page.")
    form = WinnerChoiceForm(request.POST)
    if not form.is_valid():
        if "idea" in form.errors:
            messages.error(request, gettext("Choose the winner with the button under one of the finalists."))
            return redirect("reviews:finalists", slug=challenge.slug)
        form.auto_id = f"id_%s_{form.cleaned_data['idea']}"
        return _render(request, challenge, bound_form=form, status=400)
    idea = Idea.objects.filter(pk=form.cleaned_data["idea"], challenge=challenge).first()
    if idea is None:
        messages.error(request, gettext("That idea is not in this challenge."))
        return redirect("reviews:finalists", slug=challenge.slug)
    others_reason = form.cleaned_data["others_reason"] if form.cleaned_data["others_not_selected"] else None
    try:
        choice = services.winner_choose(
            idea=idea,
            chosen_by=request.user,
            reason=form.cleaned_data["reason"],
            others_reason=others_reason,
            expected_status=form.expected_status_of(idea),
            expected_statuses=form.cleaned_data["expected_status"],
        )
    except TransitionNotAllowed as error:
        idea.refresh_from_db(fields=["status"])
        if idea.status != Status.FINALIST:
            # No longer a finalist (someone chose meanwhile): there is no form left to fill in again.
            messages.error(request, gettext("Nothing was changed: %(reason)s") % {"reason": error})
            return redirect("reviews:finalists", slug=challenge.slug)
        # The page again with the form as typed (both reasons kept) and why nothing changed (issue 16).
        form.add_error(None, gettext("Nothing was changed: %(reason)s") % {"reason": error})
        form.auto_id = f"id_%s_{idea.pk}"
        return _render(request, challenge, bound_form=form, status=409)
    others = len(choice.not_selected)
    if others:
        summary = ngettext(
            "“%(idea)s” is now the winner. %(count)s other finalist is now not selected. The authors are told by email.",
            "“%(idea)s” is now the winner. %(count)s other finalists are now not selected. "
            "The authors are told by email.",
            others,
        ) % {"idea": idea.title, "count": others}
    else:
        summary = gettext("“%(idea)s” is now the winner. The authors are told by email.") % {"idea": idea.title}
    messages.success(request, summary)
    return redirect("reviews:finalists", slug=challenge.slug)
