"""HTTP for mentoring: the mentor area, the mentor's review and revision requests, the private thread.

A mentor sees only the ideas assigned to them now; the private parts of any other idea answer 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from accounts.rules import is_mentor
from core.redirects import safe_next_url
from ideas import selectors as idea_selectors
from ideas.decorators import idea_login_required
from ideas.models import Idea

from . import rules, selectors
from .forms_mentoring import ReviewForm, RevisionRequestForm, ThreadMessageForm
from .models import Review
from .services import mentoring as services


def _assigned_idea_or_404(request, pk: int) -> Idea:
    try:
        return selectors.mentor_idea_for(request.user, pk=pk)
    except Idea.DoesNotExist:
        raise Http404("No such idea.") from None


def _mentor_url(idea: Idea) -> str:
    return reverse("reviews:mentor_idea", kwargs={"pk": idea.pk})


@login_required
@require_GET
def mentor_ideas(request):
    """The mentor's assigned ideas with their state."""
    if not is_mentor(request.user):
        raise Http404("No such page.")
    return render(request, "reviews/mentor_ideas.html", {"ideas": selectors.mentor_idea_list(request.user)})


def _detail(request, idea: Idea, *, review_form=None, revision_form=None, thread_form=None, status=200):
    review = Review.objects.filter(idea=idea, mentor=request.user).first()
    requests = selectors.revision_requests_of(idea)
    context = {
        "idea": idea,
        "review": review,
        "review_form": review_form or ReviewForm.for_review(review),
        "revision_form": revision_form or RevisionRequestForm(),
        "thread_form": thread_form or ThreadMessageForm(),
        "requests": requests,
        "open_request": next((r for r in requests if r.answered_at is None), None),
        "thread_messages": selectors.thread_messages_of(idea),
        "work_refusal": rules.mentor_work_refusal(request.user, idea),
    }
    return render(request, "reviews/mentor_idea.html", context, status=status)


@idea_login_required
@require_GET
def mentor_idea(request, pk: int):
    """One assigned idea: its text, the review form, the thread and the revision requests.

    Opening it turns off its "new version" flag on the mentor's list (``mentor_assignment_seen``).
    """
    idea = _assigned_idea_or_404(request, pk)
    services.mentor_assignment_seen(idea=idea, mentor=request.user)
    return _detail(request, idea)


@idea_login_required
@require_POST
def mentor_review(request, pk: int):
    idea = _assigned_idea_or_404(request, pk)
    form = ReviewForm(request.POST, prefix="review")
    if form.is_valid():
        try:
            services.review_save(idea=idea, mentor=request.user, **form.cleaned_data)
        except services.MentoringNotAllowed as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, gettext("Your review is saved."))
            return redirect(_mentor_url(idea))
    return _detail(request, idea, review_form=form, status=400)


@idea_login_required
@require_POST
def mentor_revision_request(request, pk: int):
    idea = _assigned_idea_or_404(request, pk)
    form = RevisionRequestForm(request.POST)
    if form.is_valid():
        try:
            services.revision_request(idea=idea, mentor=request.user, message=form.cleaned_data["message"])
        except services.MentoringNotAllowed as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, gettext("Your revision request is sent: the author can edit the idea again."))
            return redirect(_mentor_url(idea))
    return _detail(request, idea, revision_form=form, status=400)


@idea_login_required
@require_GET
def mentor_compare(request, pk: int):
    """What changed between two versions of an assigned idea (the mentor cannot open the author's versions page)."""
    idea = _assigned_idea_or_404(request, pk)
    versions = {version.number: version for version in idea_selectors.idea_versions(idea)}
    old, new = request.GET.get("old", ""), request.GET.get("new", "")
    if not (old.isdigit() and new.isdigit()) or int(old) not in versions or int(new) not in versions or old == new:
        raise Http404("No such versions.")
    old_version, new_version = sorted([versions[int(old)], versions[int(new)]], key=lambda v: v.number)
    diff = idea_selectors.idea_version_diff(old_version, new_version)
    return render(request, "reviews/mentor_compare.html", {"idea": idea, "diff": diff})


def _thread_idea_or_404(request, pk: int) -> Idea:
    """The idea whose private thread the user may read: the author, the current mentor, triage staff."""
    idea = get_object_or_404(
        Idea.objects.select_related("challenge", "author").defer(*selectors.MENTOR_HIDDEN_FIELDS), pk=pk
    )
    if not rules.can_view_mentoring(request.user, idea):
        raise Http404("No such idea.")
    return idea


@idea_login_required
def idea_thread(request, pk: int):
    """The private thread of an idea (GET), and a new message in it (POST)."""
    idea = _thread_idea_or_404(request, pk)
    form = ThreadMessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.thread_post(idea=idea, user=request.user, body=form.cleaned_data["body"])
        except services.MentoringNotAllowed as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, gettext("Your message is posted."))
            thread_url = reverse("reviews:idea_thread", kwargs={"pk": idea.pk})
            return redirect(safe_next_url(request, request.POST.get("next"), thread_url))
    context = {
        "idea": idea,
        "thread_messages": selectors.thread_messages_of(idea),
        "thread_form": form,
        "assignment": selectors.current_assignment(idea),
    }
    return render(request, "reviews/mentor_thread.html", context, status=400 if form.errors else 200)
