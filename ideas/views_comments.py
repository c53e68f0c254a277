"""HTTP for comments: post and reply, edit, remove, flag, kudos, and the moderators' hide and unhide.

Each view parses, calls one service and goes back to the comment on the idea page; a refusal
becomes a message for the person (never a 500) and changes nothing.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError

from . import rules, selectors, services
from .decorators import comment_login_required, idea_login_required
from .forms_comments import CommentFlagForm, CommentForm, CommentHideForm, KudosForm, ReplyForm
from .hooks import form_parts_for, form_parts_valid
from .models import Comment
from .views import _detail_context, _idea_or_404


def _comment_or_404(request, pk: int) -> Comment:
    try:
        return selectors.comment_for(request.user, pk=pk)
    except Comment.DoesNotExist:
        raise Http404("No such comment.") from None


def _comment_url(comment: Comment) -> str:
    return selectors.comment_url(comment)


def _back_to(comment: Comment):
    return redirect(_comment_url(comment))


def _comment_post(view):
    """A POST on a comment: 404 unless its idea is visible; a visitor signs in and comes back to the comment."""

    @require_POST
    @wraps(view)
    def wrapper(request, pk: int):
        comment = _comment_or_404(request, pk)
        if not request.user.is_authenticated and not request.htmx:
            return redirect_to_login(_comment_url(comment))
        return view(request, comment)

    return wrapper


def _first_error(form) -> str:
    return next(iter(form.errors.values()))[0]


@require_POST
@idea_login_required
def comment_create(request, pk: int):
    """A new comment, or a reply when the form names a ``parent`` comment of this idea."""
    idea = _idea_or_404(request, pk)
    is_reply = "parent" in request.POST
    form = (ReplyForm if is_reply else CommentForm)(request.POST)
    # Parts of higher apps (attachments: files on a comment) come with the new-comment form, not replies.
    parts = [] if is_reply else form_parts_for("comment", request, idea=idea)
    if not form_parts_valid([form, *parts]):
        if is_reply:  # the reply form sits under its comment: say what is wrong there
            messages.error(request, _first_error(form))
            parent = request.POST["parent"]
            return redirect(f"{idea.get_absolute_url()}#{f'comment-{parent}' if parent.isdigit() else 'comments'}")
        context = _detail_context(request, idea, comment_form=form, comment_parts=parts)
        return render(request, "ideas/idea_detail.html", context, status=400)
    parent = None
    if is_reply:
        parent = selectors.comment_of_idea(idea, pk=form.cleaned_data["parent"])
        if parent is None:
            messages.error(request, _("The comment you replied to is no longer there."))
            return redirect(f"{idea.get_absolute_url()}#comments")
    try:
        with transaction.atomic():  # the comment and its files, or nothing
            comment = services.comment_create(
                author=request.user, idea=idea, body=form.cleaned_data["body"], parent=parent
            )
            for part in parts:
                part.save(idea=idea, comment=comment)
    except DomainError as refusal:
        messages.error(request, str(refusal))
        return redirect(f"{idea.get_absolute_url()}#{f'comment-{parent.pk}' if parent else 'comments'}")
    messages.success(request, _("Your reply is posted.") if parent else _("Your comment is posted."))
    return _back_to(comment)


@comment_login_required
def comment_edit(request, pk: int):
    comment = _comment_or_404(request, pk)
    refusal = rules.comment_edit_refusal(request.user, comment)
    if refusal:
        messages.error(request, refusal)
        return _back_to(comment)
    form = CommentForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_edit(user=request.user, comment=comment, body=form.cleaned_data["body"])
        except services.CommentNotAllowed as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your comment is updated."))
        return _back_to(comment)
    context = {"comment": comment, "idea": comment.idea, "form": form, "edit_minutes": rules.COMMENT_EDIT_MINUTES}
    return render(request, "ideas/_comment_edit.html", context, status=400 if form.errors else 200)


def _act(request, comment: Comment, action, *, success: str):
    """Run a comment service; its refusal or the success becomes a message; back to the comment."""
    try:
        action()
    except services.CommentNotAllowed as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, success)
    return _back_to(comment)


@_comment_post
def comment_remove(request, comment: Comment):
    return _act(
        request,
        comment,
        lambda: services.comment_remove(user=request.user, comment=comment),
        success=_("Your comment is removed. Replies to it stay."),
    )


@_comment_post
def comment_flag(request, comment: Comment):
    form = CommentFlagForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return _back_to(comment)
    return _act(
        request,
        comment,
        lambda: services.comment_flag(user=request.user, comment=comment, reason=form.cleaned_data["reason"]),
        success=_("Thank you: the moderators will look at this comment."),
    )


@_comment_post
def kudos(request, comment: Comment):
    """Give or take back kudos; in place with htmx, or back to the comment without it."""
    form = KudosForm(request.POST)
    error = None
    if not request.user.is_authenticated:
        error = _("Sign in to give kudos.")
    elif not form.is_valid():
        error = _first_error(form)
    else:
        service = services.kudos_give if form.cleaned_data["value"] == "give" else services.kudos_take_back
        try:
            service(user=request.user, comment=comment)
        except services.CommentNotAllowed as refusal:
            error = str(refusal)
    if request.htmx:
        refusal = rules.comment_refusal(request.user, comment.idea)
        shown = selectors.comment_for(request.user, pk=comment.pk)
        selectors.comment_actions_set([shown], request.user, discussion_refusal=refusal)
        context = {"comment": shown, "idea": comment.idea, "comment_refusal": refusal, "kudos_error": error}
        return render(request, "ideas/_comment_kudos.html", context)
    if error:
        messages.error(request, error)
    elif form.cleaned_data["value"] == "give":
        messages.success(request, _("Thank you: your kudos are counted."))
    else:
        messages.success(request, _("Your kudos were taken back."))
    return _back_to(comment)


@_comment_post
def comment_hide(request, comment: Comment):
    refusal = rules.comment_moderation_refusal(request.user)
    if refusal:  # before the form: a member who is not a moderator hears that, not "give a reason"
        messages.error(request, refusal)
        return _back_to(comment)
    form = CommentHideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return _back_to(comment)
    return _act(
        request,
        comment,
        lambda: services.comment_hide(staff=request.user, comment=comment, reason=form.cleaned_data["reason"]),
        success=_("The comment is hidden; its author sees your reason."),
    )


@_comment_post
def comment_unhide(request, comment: Comment):
    return _act(
        request,
        comment,
        lambda: services.comment_unhide(staff=request.user, comment=comment),
        success=_("The comment is shown again."),
    )
