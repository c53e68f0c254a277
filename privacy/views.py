from allauth.socialaccount.models import SocialAccount, SocialApp
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import sso
from core import personal_data as registry

from . import rules, services
from .forms import AccountEraseForm


@login_required
@require_http_methods(["GET", "POST"])
def data_download(request):
    """What the download holds (GET) and the zip itself (POST: never fetched by a link preview)."""
    if request.method == "POST":
        archive = services.personal_data_export(user=request.user)
        name = f"idea-portal-my-data-{timezone.now():%Y-%m-%d}.zip"
        response = HttpResponse(archive, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "privacy/data.html", {"sections": registry.sections()})


def _sign_in_providers(request) -> list:
    """The single sign-on providers the member can sign in with again (a removed one is left out)."""
    providers = {}
    for account in SocialAccount.objects.filter(user=request.user):
        try:
            provider = account.get_provider(request)
        except SocialApp.DoesNotExist:
            continue
        providers[provider.id] = provider
    return list(providers.values())


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request):
    """The confirmation page, then the erasure; the member is signed out and sees the home page.

    A member with a password confirms with it; one who signs in only through single sign-on must
    have signed in within the last minutes (the page offers their provider's sign-in to do so)."""
    form = AccountEraseForm(request.POST or None, user=request.user)
    needs_sign_in = not request.user.has_usable_password() and not rules.signed_in_recently(request)
    if needs_sign_in and request.method == "POST":
        form.is_valid()
        form.add_error(None, _("Sign in again with your company account first: nothing was deleted."))
    elif request.method == "POST" and form.is_valid():
        try:
            services.account_erase(user=request.user)
        except services.AccountEraseRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            logout(request)
            messages.success(request, _("Your account is deleted. Everything that named you is gone."))
            return redirect("home")
    context = {
        "form": form,
        "needs_sign_in": needs_sign_in,
        "sign_in_providers": _sign_in_providers(request) if needs_sign_in else [],
    }
    response = render(request, "privacy/delete.html", context, status=400 if form.errors else 200)
    if context["sign_in_providers"]:
        sso.allow_provider_forms(request, response)
    return response
