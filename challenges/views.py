from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.follows import follow_toggle
from core.pagecache import cache_public_page

from . import rules, selectors, services
from .models import Challenge, ChallengeInvitation


@cache_public_page
def challenge_list(request):
    challenges = selectors.challenge_list_for(request.user)
    return render(request, "challenges/challenge_list.html", {"challenges": challenges})


@never_cache
def challenge_invitation(request, token: str):
    """The link in an invitation email: a confirmation page (GET), and joining (POST).

    A GET never joins (a mail scanner's visit, a preview, a forwarded link). What the invitation is
    for, the challenge's title and prize, is shown to its invitee alone: a signed-in member who
    confirmed the address it was sent to (``rules.is_invitee``). Anyone else, signed in or not,
    learns only that it is an invitation, and is asked to sign in with the invited address; the
    address itself is not shown. Unknown or revoked token: 404; used: 410, naming nothing.
    """
    invitation = selectors.challenge_invitation_by_token(token=token)
    if invitation is None:
        raise Http404("No such invitation.")
    if request.method == "POST" and request.user.is_authenticated:
        return _invitation_accept(request, token)
    if invitation.accepted_at is not None and invitation.accepted_by_id != request.user.pk:
        return render(request, TEMPLATE_INVITATION, {"state": "used", "next": request.get_full_path()}, status=410)
    state = "invitee" if rules.is_invitee(request.user, invitation) else "anyone"
    context = {"state": state, "next": request.get_full_path()}
    if state == "invitee":
        context |= {"invitation": invitation, "challenge": invitation.challenge}
    return render(request, TEMPLATE_INVITATION, context)


TEMPLATE_INVITATION = "challenges/invitation.html"


def _invitation_accept(request, token: str):
    try:
        acceptance = services.challenge_invitation_accept(token=token, user=request.user)
    except ChallengeInvitation.DoesNotExist:  # revoked meanwhile
        raise Http404("No such invitation.") from None
    except services.InvitationUsed as error:
        return render(request, TEMPLATE_INVITATION, {"state": "used", "used_error": str(error)}, status=410)
    except services.InvitationNotYours as error:
        context = {"state": "anyone", "not_yours": str(error), "next": request.get_full_path()}
        return render(request, TEMPLATE_INVITATION, context, status=403)
    challenge = acceptance.challenge
    if challenge.phase == Challenge.Phase.DRAFT and not rules.can_view_challenge(request.user, challenge):
        if challenge.opens_at:
            text = gettext("You are in the challenge “%(title)s”. It is not open yet: it opens on %(date)s.") % {
                "title": challenge.title,
                "date": date_format(challenge.opens_at, "j F Y"),
            }
        else:
            text = gettext("You are in the challenge “%(title)s”. It is not open yet.") % {"title": challenge.title}
        messages.info(request, text)
        return redirect("home")
    if acceptance.accepted:
        messages.success(
            request,
            gettext("Welcome to the challenge “%(title)s”: you can now see it and take part.")
            % {"title": challenge.title},
        )
    return redirect(challenge)


@require_http_methods(["GET", "POST"])
def challenge_follow(request, slug: str):
    """The challenge's follow button (URL name "ideas:challenge_follow"); a challenge the member may not see is a 404."""
    try:
        challenge = selectors.challenge_visible_to(request.user).get(slug=slug)
    except Challenge.DoesNotExist:
        raise Http404("No such challenge.") from None
    return follow_toggle(
        request,
        target=challenge,
        follow=lambda: services.challenge_follow(user=request.user, challenge=challenge),
        unfollow=lambda: services.challenge_unfollow(user=request.user, challenge=challenge),
        refused=services.ChallengeError,
        template="challenges/_follow.html",
        state=lambda: {
            "challenge": challenge,
            "challenge_follow": selectors.challenge_follow_state(request.user, challenge),
        },
        messages_for={
            "follow": gettext("You follow this challenge."),
            "unfollow": gettext("You no longer follow this challenge."),
        },
    )
