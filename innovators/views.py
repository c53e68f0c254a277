"""HTTP for the questionnaire: parse, check, call one service or selector, render or redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from . import rules, selectors, services
from .forms import QuestionnaireForm

TEMPLATE = "innovators/questionnaire.html"


@login_required
def questionnaire(request):
    """GET: the open questionnaire, the date the member answered it, or that none is open. POST: answer it."""
    if request.method == "POST":
        return _answer(request)
    current = selectors.questionnaire_open()
    if current is None:
        return render(request, TEMPLATE, {"state": "none"})
    response = selectors.questionnaire_response_of(request.user, current)
    if response is not None:
        return render(request, TEMPLATE, {"state": "answered", "questionnaire": current, "response": response})
    context = {
        "state": "open",
        "questionnaire": current,
        "form": QuestionnaireForm(questionnaire=current),
        "can_answer": rules.can_answer_questionnaire(request.user),
    }
    return render(request, TEMPLATE, context)


def _answer(request):
    current = selectors.questionnaire_answerable_with_items(request.POST.get("questionnaire"))
    if current is None:
        # Closed, emptied or gone: its statements are not shown again (nor is whether it exists).
        messages.error(request, gettext("This questionnaire is closed or no longer exists: nothing was saved."))
        return render(request, TEMPLATE, {"state": "none"}, status=400)
    form = QuestionnaireForm(request.POST, questionnaire=current)
    if form.is_valid():
        try:
            services.questionnaire_answer(user=request.user, questionnaire=current, values=form.values())
        except services.QuestionnaireAlreadyAnswered as error:
            messages.info(request, str(error))
            return redirect("innovators:questionnaire")
        except services.QuestionnaireAnswersInvalid as error:
            for problem in error.problems:
                form.add_error(None, problem)
        except services.QuestionnaireError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, gettext("Thank you: your answers are in. They help us find who to ask about what.")
            )
            return redirect("innovators:questionnaire")
    context = {
        "state": "open",
        "questionnaire": current,
        "form": form,
        "can_answer": rules.can_answer_questionnaire(request.user),
    }
    return render(request, TEMPLATE, context, status=400)
