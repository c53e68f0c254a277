"""HTTP for comments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import services
from .forms import CommentForm
from .views import _detail_context, _idea_or_404


@login_required
@require_POST
def comment_create(request, pk: int):
    idea = _idea_or_404(request, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_create(author=request.user, idea=idea, body=form.cleaned_data["body"])
        except services.CommentNotAllowed as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, "Your comment is posted.")
        return redirect(f"{idea.get_absolute_url()}#comments")
    return render(request, "ideas/idea_detail.html", _detail_context(request, idea, comment_form=form), status=400)
