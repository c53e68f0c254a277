"""HTTP for co-authors: the idea's co-authors page (invite by email or by name, remove, leave) and
the invitation's page (accept or decline)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import refusal_shown

from . import rules, selectors, services
from .forms import CoauthorInviteForm, MemberSearchForm
from .models import Idea, IdeaCoauthor


def _authored_idea_or_404(request, pk: int) -> Idea:
    """The idea, for its main author and accepted co-authors; a 404 for anyone else."""
    try:
        idea = selectors.idea_detail_for(request.user, pk=pk)
    except Idea.DoesNotExist:
        raise Http404("No such idea.") from None
    if not rules.is_idea_author(request.user, idea):
        raise Http404("No such idea.")
    return idea


@login_required
def idea_coauthors(request, pk: int):
    """The idea's co-authors. The main author invites (an address, or a member found by name: POST
    ``member``) and removes; a co-author sees who else writes it and may leave."""
    idea = _authored_idea_or_404(request, pk)
    manage_refusal = rules.coauthors_manage_refusal(request.user, idea)
    invite_form = CoauthorInviteForm()
    search_form = MemberSearchForm(request.GET if "q" in request.GET else None)
    if request.method == "POST":
        if manage_refusal:
            messages.error(request, manage_refusal)
            return redirect("ideas:coauthors", pk=idea.pk)
        member = None
        if request.POST.get("member"):
            member = _member_or_none(request.POST["member"])
            if member is None:
                messages.error(request, _("No such member: search again."))
                return redirect("ideas:coauthors", pk=idea.pk)
        else:
            invite_form = CoauthorInviteForm(request.POST)
        if member is not None or invite_form.is_valid():
            email = "" if member is not None else invite_form.cleaned_data["email"]
            with refusal_shown(request, form=None if member is not None else invite_form) as outcome:
                coauthorship = services.coauthor_invite(idea=idea, by=request.user, email=email, member=member)
            if outcome.ok:
                who = coauthorship.user.public_name if member is not None else email
                messages.success(
                    request, _("%(who)s is invited. They become a co-author when they accept.") % {"who": who}
                )
                return redirect("ideas:coauthors", pk=idea.pk)
            if member is not None:
                return redirect("ideas:coauthors", pk=idea.pk)
    coauthors = selectors.idea_coauthors_for_author(idea)
    found = None
    if search_form.is_bound and search_form.is_valid() and not manage_refusal:
        taken = {c.user_id for c in coauthors if c.user_id} | {idea.author_id}
        found = selectors.members_by_name(search_form.cleaned_data["q"], exclude_ids=taken)
    context = {
        "idea": idea,
        "coauthors": coauthors,
        "is_main_author": idea.author_id == request.user.pk,
        "manage_refusal": manage_refusal,
        "invite_form": invite_form,
        "search_form": search_form,
        "found": found,
    }
    status = 400 if invite_form.errors or search_form.errors else 200
    return render(request, "ideas/idea_coauthors.html", context, status=status)


def _member_or_none(value: str):
    if not (value.isascii() and value.isdigit() and len(value) <= 12):
        return None
    return get_user_model().objects.filter(pk=int(value), is_active=True, erased_at__isnull=True).first()


@require_POST
@login_required
def coauthor_remove(request, pk: int, coauthor_pk: int):
    """The main author removes a co-author (or takes an invitation back); a co-author leaves."""
    idea = _authored_idea_or_404(request, pk)
    coauthorship = IdeaCoauthor.objects.filter(idea=idea, pk=coauthor_pk).select_related("user").first()
    if coauthorship is None:
        raise Http404("No such co-author.")
    leaving = coauthorship.user_id == request.user.pk
    with refusal_shown(request) as outcome:
        services.coauthor_remove(coauthorship=coauthorship, by=request.user)
    if outcome.ok:
        if leaving:
            messages.success(request, _("You are no longer a co-author of “%(title)s”.") % {"title": idea.title})
            return redirect(idea if rules.can_view_idea(request.user, idea) else reverse("ideas:mine"))
        who = coauthorship.user.public_name if coauthorship.user else coauthorship.email
        messages.success(request, _("%(who)s is no longer a co-author.") % {"who": who})
    return redirect("ideas:coauthors", pk=idea.pk)


def coauthor_invitation(request, token: str):
    """An invitation to co-author: its page (GET) and the answer (POST ``accept`` or ``decline``).

    Only the member it is for sees which idea it is and may answer; anyone else holding the link is
    asked to sign in with the invited account. A GET never answers.
    """
    try:
        coauthorship = services.coauthor_invitation_get(token)
    except IdeaCoauthor.DoesNotExist:
        raise Http404("This invitation link is not valid (or has expired).") from None
    is_invitee = rules.is_coauthor_invitee(request.user, coauthorship)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.path)
        answer = request.POST.get("answer")
        with refusal_shown(request) as outcome:
            if answer == "accept":
                services.coauthor_accept(coauthorship=coauthorship, user=request.user)
            elif answer == "decline":
                services.coauthor_decline(coauthorship=coauthorship, user=request.user)
            else:
                raise services.CoauthorNotAllowed(_("Choose to accept or to decline the invitation."))
        if outcome.ok and answer == "accept":
            messages.success(request, _("You are now a co-author of “%(title)s”.") % {"title": coauthorship.idea.title})
            return redirect(coauthorship.idea)
        if outcome.ok:
            messages.info(request, _("You declined the invitation. The idea's author is told."))
        return redirect(request.path)
    context = {
        "coauthorship": coauthorship,
        "is_invitee": is_invitee,
        "idea": coauthorship.idea if is_invitee else None,
    }
    refused = request.user.is_authenticated and not is_invitee
    return render(request, "ideas/coauthor_invitation.html", context, status=403 if refused else 200)
