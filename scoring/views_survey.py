"""HTTP for the outcome surveys: parse, check, call one service or selector, render or redirect."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from challenges.models import Job

from . import rules
from . import selectors_survey as selectors
from .forms_survey import SurveyForm
from .models import SurveyWave
from .services import survey as services


def _sign_up_first(request):
    """The survey link staff share: a visitor is asked to join first, then comes straight back."""
    messages.info(
        request,
        _(
            "Please sign up to answer this survey: your answers are kept with your account, so you can "
            "stop part-way, come back and change them later. Already a member? Sign in instead."
        ),
    )
    return redirect(f"{reverse('account_signup')}?{urlencode({'next': request.get_full_path()})}")


def survey_list(request):
    if not rules.can_answer_survey(request.user):
        return _sign_up_first(request)
    context = {"jobs": selectors.survey_jobs_for(request.user), "waves": selectors.survey_waves_for(request.user)}
    return render(request, "scoring/survey_list.html", context)


def survey_take(request, job_id: int):
    if not rules.can_answer_survey(request.user):
        return _sign_up_first(request)
    try:
        job = selectors.survey_job(job_id)
    except Job.DoesNotExist:
        raise Http404("No survey for this job.") from None
    return _survey_page(request, job=job, wave=None, outcomes=selectors.survey_outcomes(job))


def survey_wave(request, wave_id: int):
    """A follow-up wave's survey: the outcomes it asks, answered into that wave (the invitation's link)."""
    if not rules.can_answer_survey(request.user):
        return _sign_up_first(request)
    try:
        wave = selectors.survey_wave_open(wave_id)
    except SurveyWave.DoesNotExist:
        # A follow-up's invitation outlives its wave: once closed (or not open yet) the link says
        # so and leads to the open surveys, rather than a "page not found".
        shut = selectors.survey_wave_not_open(wave_id)
        if shut is None:
            raise Http404("This survey is not open.") from None
        if shut.status == SurveyWave.Status.SCHEDULED:
            messages.info(
                request,
                _("The survey “%(name)s” is not open yet: your invitation will come when it opens.")
                % {"name": shut.name},
            )
        else:
            messages.info(
                request,
                _("The survey “%(name)s” has closed: thank you. Its results are on the idea's page.")
                % {"name": shut.name},
            )
        return redirect("surveys:list")
    if not selectors.wave_asks_member(request.user, wave):
        messages.info(
            request,
            _("The survey “%(name)s” asks other groups of customers: thank you all the same.") % {"name": wave.name},
        )
        return redirect("surveys:list")
    return _survey_page(request, job=wave.job, wave=wave, outcomes=selectors.wave_outcomes(wave))


def _survey_page(request, *, job: Job, wave: SurveyWave | None, outcomes: list):
    here = redirect("surveys:wave", wave_id=wave.pk) if wave else redirect("surveys:take", job_id=job.pk)
    saved = selectors.member_answers(request.user, job, wave)
    complete = request.POST.get("action") == "submit"
    form = SurveyForm(
        request.POST if request.method == "POST" else None,
        outcomes=outcomes,
        saved=saved,
        ask_segment=selectors.segment_question_needed(request.user),
        complete=complete,
    )
    if form.is_bound and form.is_valid():
        answers, segment = form.answers(), form.cleaned_data.get("segment")
        try:
            if answers or segment is not None or complete:
                services.survey_answers_save(
                    user=request.user, job=job, answers=answers, segment=segment, complete=complete, wave=wave
                )
        except services.SurveyError as error:
            form.add_error(None, str(error))
        else:
            if complete:
                messages.success(
                    request,
                    _("Thank you: your answers about “%(job)s” are in. You can come back and change them any time.")
                    % {"job": job},
                )
                return redirect("surveys:list")
            saved = selectors.member_answers(request.user, job, wave)
            if answers or segment is not None:
                counts = {"answered": len(saved), "total": len(outcomes), "segment": segment}
                if segment is not None:
                    saved_message = ngettext(
                        "Your answers are saved: %(answered)d of %(total)d outcome answered, and the group that "
                        "describes you best (%(segment)s). Come back any time to finish or change them.",
                        "Your answers are saved: %(answered)d of %(total)d outcomes answered, and the group that "
                        "describes you best (%(segment)s). Come back any time to finish or change them.",
                        len(outcomes),
                    )
                else:
                    saved_message = ngettext(
                        "Your answers are saved: %(answered)d of %(total)d outcome answered. "
                        "Come back any time to finish or change them.",
                        "Your answers are saved: %(answered)d of %(total)d outcomes answered. "
                        "Come back any time to finish or change them.",
                        len(outcomes),
                    )
                messages.success(request, saved_message % counts)
            if not form.incomplete_outcomes:
                return here
            # Half-answered outcomes wait: the page comes back with them as they were, and says which.
            named = "; ".join(f"“{outcome.statement}”" for outcome in form.incomplete_outcomes)
            messages.warning(
                request,
                _(
                    "Not saved yet, because only one of their two questions is answered: %(outcomes)s. "
                    "Answer both to save them."
                )
                % {"outcomes": named},
            )
    context = {
        "job": job,
        "wave": wave,
        "form": form,
        "answered": len(saved),
        "total": len(outcomes),
        "share_url": (request.build_absolute_uri(here.url) if rules.can_share_survey(request.user) else None),
    }
    return render(request, "scoring/survey_form.html", context, status=400 if form.errors else 200)
