from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from scoring.selectors_survey import member_segment
from scoring.services.survey import respondent_segment_set

from .forms import ProfileForm


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user, segment=member_segment(request.user))
    if request.method == "POST" and form.is_valid():
        form.save()
        if form.segment_answered:
            respondent_segment_set(user=request.user, segment=form.cleaned_data["segment"])
        messages.success(request, "Your profile is saved.")
        return redirect("profile")
    return render(request, "accounts/profile.html", {"form": form}, status=400 if form.errors else 200)
