"""HTTP for ideas: parse, check, call one service or selector, render or redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from challenges.models import Challenge
from challenges.rules import can_view_challenge, submission_refusal
from core.errors import refusal_shown
from core.pagecache import cache_public_page
from core.redirects import safe_next_url

from . import rules, selectors, services
from .decorators import challenge_login_required, idea_login_required
from .forms import AnswersForm, CommentForm, IdeaForm, VoteForm, WithdrawForm
from .hooks import form_parts_for, form_parts_valid, idea_panels_for
from .models import Idea, Status
from .similar import similar_ideas
from .views_fragments import comment_heads_set

RECEIVED = gettext_lazy("Thank you: your idea was received. The team will answer it.")
SENT_ALREADY = gettext_lazy("This form was already sent: here is the idea it created.")
# The submit buttons: "submit" checks for similar ideas first; "submit_different" is the
# customer's answer to that check ("I checked: mine is different"); "draft" skips the check.
CONFIRMED_DIFFERENT = "submit_different"
MAX_COMMENT_PAGE = 10_000  # a page number past any real discussion: no deep OFFSET for the asking


def _idea_or_404(request, pk: int, *, comments_page: int = 1) -> Idea:
    try:
        return selectors.idea_detail_for(request.user, pk=pk, comments_page=comments_page)
    except Idea.DoesNotExist:
        raise Http404("No such idea.") from None


def _detail_context(request, idea: Idea, comment_form=None, *, comments_page: int = 1, comment_parts=None) -> dict:
    comment_refusal = rules.comment_refusal(request.user, idea)
    if comment_parts is None:
        # The new-comment form's parts from higher apps (attachments: files), unbound.
        comment_parts = [] if comment_refusal else form_parts_for("comment", request, idea=idea)
    comments = selectors.comment_threads_page(
        idea, comments_page, user=request.user, discussion_refusal=comment_refusal
    )
    # The comments' heads and texts kept for every viewer (one cache read); their buttons are the viewer's.
    comment_heads_set(request, idea, comments["threads"])
    return {
        "idea": idea,
        "vote": selectors.vote_box_for(request.user, idea),
        "comment_refusal": comment_refusal,
        "comment_form": comment_form or CommentForm(),
        "comment_form_parts": comment_parts,
        "comments": comments,
        "can_edit": rules.can_edit_idea(request.user, idea),
        "can_view_versions": rules.can_view_versions(request.user, idea),
        "can_withdraw": rules.can_withdraw_idea(request.user, idea),
        "can_manage_coauthors": rules.is_idea_author(request.user, idea),
        "idea_follow": selectors.idea_follow_state(request.user, idea),
        # Panels of higher apps (reviews' mentoring card: no query for the public; three for the
        # author, the current mentor and staff), registered with ideas.hooks.idea_panel_register.
        "panels": idea_panels_for(request, idea),
    }


def _similar_rows(request, ideas: list[Idea]) -> list[dict]:
    """Each similar idea (all listed by ``idea_list_for``) with its vote box."""
    boxes = selectors.vote_boxes_for(request.user, ideas, listed=True)
    return [{"idea": idea, "vote": boxes[idea.pk]} for idea in ideas]


def _answers_form(request, *, challenge: Challenge, idea: Idea | None) -> AnswersForm:
    """The challenge's own questions, shown after the standard fields (none: an empty form)."""
    stored = selectors.idea_answers_stored(idea) if idea else {}
    questions = selectors.challenge_questions_asked(challenge)
    return AnswersForm(request.POST or None, questions=questions, stored=stored)


def _answers_refused(form: IdeaForm, answers_form: AnswersForm, outcome) -> None:
    """A submission refused for missing answers: the message also goes next to each question."""
    if isinstance(outcome.error, services.AnswersMissing):
        answers_form.mark_missing(outcome.error.question_ids)


def _form_context(
    request,
    *,
    challenge: Challenge,
    form: IdeaForm,
    idea: Idea | None,
    blocking: list[Idea],
    parts: list,
    answers_form: AnswersForm | None = None,
) -> dict:
    """The idea form page; ``blocking`` are the similar ideas that stopped a submission (saved nothing)."""
    title = form.data.get("title", "") if form.is_bound else (idea.title if idea else "")
    similar = blocking
    if not blocking and title:
        similar = similar_ideas(
            user=request.user, challenge=challenge, text=title, exclude_id=idea.pk if idea else None
        )
    return {
        "challenge": challenge,
        "form": form,
        "idea": idea,
        "similar": _similar_rows(request, similar),
        "similar_searched": bool(title.strip()),
        "similar_blocked": bool(blocking),
        "confirmed_different": CONFIRMED_DIFFERENT,
        # Fields of higher apps (attachments: the files), registered with ideas.hooks.form_part_register.
        "form_parts": parts,
        "answers_form": answers_form,
    }


def _form_status(form: IdeaForm, parts: list) -> int:
    """400 when the form or one of its parts has an error (a refusal included), else 200."""
    return 400 if form.errors or any(part.errors for part in parts) else 200


def _similar_before_submit(request, *, challenge: Challenge, form: IdeaForm, idea: Idea | None = None) -> list[Idea]:
    """Similar ideas to show before a submission goes through, unless the customer confirmed theirs is different."""
    if request.POST.get("action") == CONFIRMED_DIFFERENT:
        return []
    return similar_ideas(
        user=request.user,
        challenge=challenge,
        text=form.cleaned_data["title"],
        exclude_id=idea.pk if idea else None,
    )


@cache_public_page(params=("comment", "comments"))
def idea_detail(request, pk: int):
    """The idea, its history and a page of its comment threads: ``?comments=N``, or the page
    holding a linked comment, ``?comment=<id>``."""
    comment_id = _positive_int(request.GET.get("comment"))
    if comment_id:
        page = selectors.comment_page_of(idea_id=pk, comment_id=comment_id)
    else:
        page = min(_positive_int(request.GET.get("comments")) or 1, MAX_COMMENT_PAGE)
    idea = _idea_or_404(request, pk, comments_page=page)
    return render(request, "ideas/idea_detail.html", _detail_context(request, idea, comments_page=page))


@challenge_login_required
def idea_create(request, slug: str):
    challenge = get_object_or_404(Challenge, slug=slug)
    if not can_view_challenge(request.user, challenge):
        raise Http404("No such challenge.")
    refusal = submission_refusal(request.user, challenge)
    if refusal:
        return render(request, "ideas/idea_form.html", {"challenge": challenge, "refusal": refusal}, status=403)
    # "Save as draft" needs a title alone; any other button submits, and needs a complete idea.
    submit = request.POST.get("action") != "draft"
    form = IdeaForm(request.POST or None, challenge=challenge, complete=submit)
    parts = form_parts_for("idea", request, idea=None)
    answers_form = _answers_form(request, challenge=challenge, idea=None)
    blocking: list[Idea] = []
    if request.method == "POST" and form_parts_valid([form, answers_form, *parts]):
        # The same form sent again (a double click, a retried POST) answers with the idea it made;
        # asked again after the similar-ideas check, which a twin request may have just passed.
        key = form.cleaned_data.get("submit_key", "")
        already = selectors.idea_sent_with(request.user, key)
        blocking = _similar_before_submit(request, challenge=challenge, form=form) if submit and not already else []
        if blocking:
            already = selectors.idea_sent_with(request.user, key)
        if already is not None:
            messages.info(request, SENT_ALREADY)
            return redirect(already)
        if not blocking:
            # The idea and its parts (its files) are saved together or not at all.
            with refusal_shown(form=form) as outcome, transaction.atomic():
                idea = services.idea_create(
                    author=request.user,
                    challenge=challenge,
                    submit=submit,
                    answers=answers_form.answers(),
                    **form.cleaned_data,
                )
                if getattr(idea, "created_now", True):
                    for part in parts:
                        part.save(idea=idea)
            _answers_refused(form, answers_form, outcome)
            if outcome.ok:
                if not getattr(idea, "created_now", True):
                    messages.info(request, SENT_ALREADY)
                elif submit:
                    messages.success(request, RECEIVED)
                else:
                    messages.success(request, _("Your draft is saved. Only you can see it until you submit it."))
                return redirect(idea)
    context = _form_context(
        request, challenge=challenge, form=form, idea=None, blocking=blocking, parts=parts, answers_form=answers_form
    )
    return render(request, "ideas/idea_form.html", context, status=_form_status(form, [answers_form, *parts]))


@idea_login_required
def idea_edit(request, pk: int):
    idea = _idea_or_404(request, pk)
    refusal = rules.edit_refusal(request.user, idea)
    if refusal or not rules.can_edit_idea(request.user, idea):
        messages.error(request, refusal or _("This idea can no longer be edited."))
        return redirect(idea)
    submitting = request.POST.get("action") in {"submit", CONFIRMED_DIFFERENT} and idea.status == Status.DRAFT
    # A draft saved as a draft needs its title alone; submitting it, or saving a submitted idea, a complete one.
    form = IdeaForm(
        request.POST or None,
        instance=idea,
        challenge=idea.challenge,
        complete=submitting or idea.status != Status.DRAFT,
    )
    parts = form_parts_for("idea", request, idea=idea)
    answers_form = _answers_form(request, challenge=idea.challenge, idea=idea)
    blocking: list[Idea] = []
    if request.method == "POST" and form_parts_valid([form, answers_form, *parts]):
        if submitting:
            blocking = _similar_before_submit(request, challenge=idea.challenge, form=form, idea=idea)
        if not blocking:
            # Both or neither: a refused submission leaves the draft as it was.
            with refusal_shown(form=form) as outcome, transaction.atomic():
                services.idea_update(idea=idea, user=request.user, answers=answers_form.answers(), **form.cleaned_data)
                if submitting:
                    services.idea_submit(idea=idea, user=request.user)
                # Last: a refusal above rolls back before any file is written.
                for part in parts:
                    part.save(idea=idea)
            _answers_refused(form, answers_form, outcome)
            if outcome.ok:
                messages.success(request, RECEIVED if submitting else _("Your changes are saved."))
                return redirect(idea)
    context = _form_context(
        request,
        challenge=idea.challenge,
        form=form,
        idea=idea,
        blocking=blocking,
        parts=parts,
        answers_form=answers_form,
    )
    return render(request, "ideas/idea_form.html", context, status=_form_status(form, [answers_form, *parts]))


@login_required
def idea_mine(request):
    return render(request, "ideas/idea_mine.html", {"ideas": selectors.idea_list_mine(request.user)})


@require_POST
def idea_vote(request, pk: int):
    """Vote up or down, or take the vote back: in place with htmx (the box it came from, the idea
    page's or a list card's, ``card=1``), or as a plain form that comes back to ``next``."""
    try:
        idea = selectors.idea_visible_get(request.user, pk=pk)
    except Idea.DoesNotExist:
        raise Http404("No such idea.") from None
    box_context = {"card": request.POST.get("card") == "1"}
    if not request.user.is_authenticated:
        if request.htmx:
            context = {**box_context, "vote": selectors.vote_box_for(request.user, idea)}
            return render(request, "ideas/_vote.html", {**context, "vote_error": rules.VOTE_SIGN_IN})
        return redirect_to_login(safe_next_url(request, request.POST.get("next"), idea.get_absolute_url()))
    form = VoteForm(request.POST)
    error, value = None, None
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
        if error:  # the vote did not change: the box shows the one they still have
            vote = selectors.vote_box_for(request.user, idea)
        else:  # the idea was just found among those they see: no query to ask again
            vote = selectors.VoteBox(
                idea=idea, user_vote=value, refusal=rules.vote_refusal(request.user, idea, known_visible=True)
            )
        return render(request, "ideas/_vote.html", {**box_context, "vote": vote, "vote_error": error})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Your vote is counted.") if form.vote_value() else _("Your vote was taken back."))
    return redirect(safe_next_url(request, request.POST.get("next"), idea.get_absolute_url()))


# --- versions, withdrawal and similar ideas ---


def _positive_int(value: str | None) -> int | None:
    """A small whole number from a query parameter, or None for anything else (never an error)."""
    return int(value) if value and len(value) <= 9 and value.isascii() and value.isdigit() else None


@require_GET
def idea_versions(request, pk: int):
    """The idea's versions, and what changed between two of them (by default the last change)."""
    idea = _idea_or_404(request, pk)
    if not rules.can_view_versions(request.user, idea):
        raise Http404("No such idea.")
    versions = selectors.idea_versions(idea)
    by_number = {version.number: version for version in versions}
    old_number, new_number = _positive_int(request.GET.get("old")), _positive_int(request.GET.get("new"))
    error = None
    if "old" in request.GET or "new" in request.GET:
        if old_number not in by_number or new_number not in by_number:
            error = _("Choose two versions of this idea to compare; showing the latest change instead.")
        elif old_number == new_number:
            error = _("Choose two different versions to compare; showing the latest change instead.")
    if error or old_number is None or new_number is None:
        new_number = versions[0].number if versions else None
        old_number = versions[1].number if len(versions) > 1 else None
    elif old_number > new_number:
        old_number, new_number = new_number, old_number
    diff = None
    if old_number is not None and new_number is not None:
        diff = selectors.idea_version_diff(by_number[old_number], by_number[new_number])
    context = {
        "idea": idea,
        "versions": versions,
        "diff": diff,
        "old_number": old_number,
        "new_number": new_number,
        "compare_error": error,
    }
    return render(request, "ideas/idea_versions.html", context, status=400 if error else 200)


@idea_login_required
def idea_withdraw(request, pk: int):
    """Ask the author to confirm (GET), then withdraw the idea (POST)."""
    idea = _idea_or_404(request, pk)
    refusal = rules.withdraw_refusal(request.user, idea)
    if refusal:
        messages.error(request, refusal)
        return redirect(idea)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_shown(form=form) as outcome:
            services.idea_withdraw(user=request.user, idea=idea, reason=form.cleaned_data["reason"])
        if outcome.ok:
            messages.success(
                request,
                _(
                    "Your idea is withdrawn. Only you and the team can see it now; its votes are kept, "
                    "but voting is closed."
                ),
            )
            return redirect(idea)
    return render(request, "ideas/idea_withdraw.html", {"idea": idea, "form": form}, status=400 if form.errors else 200)


@require_GET
def idea_similar(request):
    """The similar-ideas panel for the idea form, as the customer types a title (htmx partial)."""
    challenge = Challenge.objects.filter(slug=request.GET.get("challenge", "")).first()
    if challenge is None or not can_view_challenge(request.user, challenge):
        raise Http404("No such challenge.")
    title = request.GET.get("title", "")
    ideas = similar_ideas(
        user=request.user, challenge=challenge, text=title, exclude_id=_positive_int(request.GET.get("exclude"))
    )
    context = {"similar": _similar_rows(request, ideas), "similar_searched": bool(title.strip()), "live": True}
    return render(request, "ideas/_similar.html", context)
