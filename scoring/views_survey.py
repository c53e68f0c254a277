"""HTTP for the outcome surveys: parse, check, call one service or selector, render or redirect."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from challenges.models import Job

from . import rules
from . import selectors_survey as selectors
from .forms_survey import SurveyForm
from .services import survey as services


def _sign_up_first(request):
    """The survey link staff share: a visitor is asked to join first, then comes straight back."""
    messages.info(
        request,
        "Please sign up to answer this survey: your answers are kept with your account, so you can "
        "stop part-way, come back and change them later. Already a member? Sign in instead.",
    )
    return redirect(f"{reverse('account_signup')}?{urlencode({'next': request.get_full_path()})}")


def survey_list(request):
    if not rules.can_answer_survey(request.user):
        return _sign_up_first(request)
    return render(request, "scoring/survey_list.html", {"jobs": selectors.survey_jobs_for(request.user)})


def survey_take(request, job_id: int):
    if not rules.can_answer_survey(request.user):
        return _sign_up_first(request)
    try:
        job = selectors.survey_job(job_id)
    except Job.DoesNotExist:
        raise Http404("No survey for this job.") from None
    outcomes = selectors.survey_outcomes(job)
    saved = selectors.member_answers(request.user, job)
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
                    user=request.user, job=job, answers=answers, segment=segment, complete=complete
                )
        except services.SurveyError as error:
            form.add_error(None, str(error))
        else:
            if complete:
                messages.success(
                    request,
                    f"Thank you: your answers about “{job}” are in. You can come back and change them any time.",
                )
                return redirect("surveys:list")
            saved = selectors.member_answers(request.user, job)
            if answers or segment is not None:
                kept = f"{len(saved)} of {len(outcomes)} outcomes answered"
                if segment is not None:
                    kept += f", and the group that describes you best ({segment})"
                messages.success(
                    request, f"Your answers are saved: {kept}. Come back any time to finish or change them."
                )
            if not form.incomplete_outcomes:
                return redirect("surveys:take", job_id=job.pk)
            # Half-answered outcomes wait: the page comes back with them as they were, and says which.
            named = "; ".join(f"“{outcome.statement}”" for outcome in form.incomplete_outcomes)
            messages.warning(
                request,
                f"Not saved yet, because only one of their two questions is answered: {named}. "
                "Answer both to save them.",
            )
    context = {
        "job": job,
        "form": form,
        "answered": len(saved),
        "total": len(outcomes),
        "share_url": (
            request.build_absolute_uri(reverse("surveys:take", kwargs={"job_id": job.pk}))
            if rules.can_share_survey(request.user)
            else None
        ),
    }
    return render(request, "scoring/survey_form.html", context, status=400 if form.errors else 200)
