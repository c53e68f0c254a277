"""HTTP for impact follow-ups (triage staff): schedule one on an implemented idea, close an open one."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import refusal_shown
from ideas.models import Idea

from . import rules, selectors, services
from .forms import FollowUpScheduleForm
from .models import FollowUp


def follow_up_schedule(request, idea_id: int):
    if not rules.can_manage_follow_ups(request.user):
        raise Http404("No such page.")
    idea = get_object_or_404(Idea.objects.select_related("challenge"), pk=idea_id)
    if not rules.can_schedule_follow_up(request.user, idea):
        messages.error(request, _("Only an implemented idea can be measured: there is nothing to follow up yet."))
        return redirect(idea.get_absolute_url())
    form = FollowUpScheduleForm(request.POST or None, idea=idea)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        with refusal_shown(form=form) as outcome:
            follow_up = services.follow_up_schedule(
                idea=idea,
                user=request.user,
                outcomes=data["outcomes"],
                segments=data["segments"],
                delay_days=data["delay_days"],
                open_days=data["open_days"],
                min_respondents=data["min_respondents"],
            )
        if outcome.ok:
            wave = follow_up.wave
            if wave.is_open:
                messages.success(
                    request,
                    _("The follow-up survey is open until %(date)s; members are being invited.")
                    % {"date": date_format(wave.closes_at, "j F Y")},
                )
            else:
                messages.success(
                    request,
                    _("The follow-up survey opens on %(date)s; members are invited then.")
                    % {"date": date_format(wave.opens_at, "j F Y")},
                )
            return redirect(idea.get_absolute_url())
    context = {"idea": idea, "form": form, "summaries": selectors.follow_up_summaries_for([idea.pk])}
    return render(request, "impact/follow_up_schedule.html", context, status=400 if form.errors else 200)


@require_POST
def follow_up_close(request, follow_up_id: int):
    if not rules.can_manage_follow_ups(request.user):
        raise Http404("No such page.")
    try:
        follow_up = selectors.follow_up_for_staff(follow_up_id)
    except FollowUp.DoesNotExist:
        raise Http404("No such follow-up.") from None
    with refusal_shown(request) as outcome:
        closed = services.follow_up_close(follow_up=follow_up)
    if outcome.ok:
        if closed:
            messages.success(request, _("The follow-up survey is closed and its result published on this page."))
        else:
            messages.info(request, _("The follow-up survey was already closed: its result is on this page."))
    return redirect(follow_up.idea.get_absolute_url())
