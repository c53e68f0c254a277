"""HTTP for ideas: parse, check, call one service or selector, render or redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from challenges.models import Challenge
from challenges.rules import can_view_challenge, submission_refusal

from . import rules, selectors, services
from .forms import CommentForm, IdeaForm, VoteForm
from .models import Idea


def _idea_or_404(request, pk: int) -> Idea:
    try:
        return selectors.idea_detail_for(request.user, pk=pk)
    except Idea.DoesNotExist:
        raise Http404("No such idea.") from None


def _detail_context(request, idea: Idea, comment_form=None) -> dict:
    return {
        "idea": idea,
        "user_vote": selectors.user_votes_on(request.user, [idea]).get(idea.pk),
        "vote_refusal": rules.vote_refusal(request.user, idea),
        "comment_refusal": rules.comment_refusal(request.user, idea),
        "comment_form": comment_form or CommentForm(),
        "can_edit": rules.can_edit_idea(request.user, idea),
    }


def idea_detail(request, pk: int):
    idea = _idea_or_404(request, pk)
    return render(request, "ideas/idea_detail.html", _detail_context(request, idea))


@login_required
def idea_create(request, slug: str):
    challenge = get_object_or_404(Challenge, slug=slug)
    if not can_view_challenge(request.user, challenge):
        raise Http404("No such challenge.")
    refusal = submission_refusal(request.user, challenge)
    if refusal:
        return render(request, "ideas/idea_form.html", {"challenge": challenge, "refusal": refusal}, status=403)
    form = IdeaForm(request.POST or None, challenge=challenge)
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") != "draft"
        try:
            idea = services.idea_create(author=request.user, challenge=challenge, submit=submit, **form.cleaned_data)
        except services.IdeaError as error:
            form.add_error(None, str(error))
        else:
            if submit:
                messages.success(request, "Thank you: your idea was received. The team will answer it.")
            else:
                messages.success(request, "Your draft is saved. Only you can see it until you submit it.")
            return redirect(idea)
    return render(
        request, "ideas/idea_form.html", {"challenge": challenge, "form": form}, status=400 if form.errors else 200
    )


@login_required
def idea_edit(request, pk: int):
    idea = _idea_or_404(request, pk)
    if not rules.can_edit_idea(request.user, idea):
        messages.error(request, "This idea can no longer be edited.")
        return redirect(idea)
    form = IdeaForm(request.POST or None, instance=idea, challenge=idea.challenge)
    if request.method == "POST" and form.is_valid():
        try:
            services.idea_update(idea=idea, user=request.user, **form.cleaned_data)
            if request.POST.get("action") == "submit" and idea.status == "draft":
                services.idea_submit(idea=idea, user=request.user)
                messages.success(request, "Thank you: your idea was received. The team will answer it.")
            else:
                messages.success(request, "Your changes are saved.")
        except services.IdeaError as error:
            form.add_error(None, str(error))
        else:
            return redirect(idea)
    context = {"challenge": idea.challenge, "form": form, "idea": idea}
    return render(request, "ideas/idea_form.html", context, status=400 if form.errors else 200)


@login_required
def idea_mine(request):
    return render(request, "ideas/idea_mine.html", {"ideas": selectors.idea_list_mine(request.user)})


@require_POST
def idea_vote(request, pk: int):
    idea = _idea_or_404(request, pk)
    if not request.user.is_authenticated:
        if request.htmx:
            return render(request, "ideas/_vote.html", {"idea": idea, "vote_error": "Sign in to vote."})
        return redirect_to_login(idea.get_absolute_url())
    form = VoteForm(request.POST)
    error = None
    if not form.is_valid():
        error = form.errors["value"][0]
    else:
        try:
            value = form.vote_value()
            if value is None:
                idea = services.vote_withdraw(user=request.user, idea=idea)
            else:
                idea = services.vote_cast(user=request.user, idea=idea, value=value)
        except services.VoteNotAllowed as refusal:
            error = str(refusal)
    if request.htmx:
        context = {
            "idea": idea,
            "user_vote": selectors.user_votes_on(request.user, [idea]).get(idea.pk),
            "vote_refusal": rules.vote_refusal(request.user, idea),
            "vote_error": error,
        }
        return render(request, "ideas/_vote.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "Your vote is counted." if form.vote_value() else "Your vote was taken back.")
    return redirect(request.POST.get("next") if _is_local(request.POST.get("next")) else idea.get_absolute_url())


def _is_local(url: str | None) -> bool:
    return bool(url) and url.startswith("/") and not url.startswith("//")
