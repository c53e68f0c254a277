"""The member's API tokens page (account settings): create, list, revoke. A new token's secret is
shown in the answer to the POST that made it, once; it is stored nowhere but as a hash."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import selectors, services
from .forms import TokenForm
from .models import ApiToken


@never_cache
@login_required
def token_list(request):
    form = TokenForm(request.POST or None, user=request.user)
    created, secret = None, None
    if request.method == "POST" and form.is_valid():
        try:
            created, secret = services.token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=form.expires_at(),
            )
        except services.TokenError as error:
            form.add_error(None, str(error))
        else:
            form = TokenForm(user=request.user)
    context = {"form": form, "tokens": selectors.tokens_for(request.user), "created": created, "secret": secret}
    return render(request, "api/tokens.html", context, status=400 if form.errors else (201 if created else 200))


@login_required
@require_POST
def token_revoke(request, pk: int):
    try:
        token = selectors.tokens_for(request.user).get(pk=pk)
    except ApiToken.DoesNotExist:
        raise Http404("No such token.") from None
    services.token_revoke(user=request.user, token=token)
    messages.success(request, _("The token “%(name)s” is revoked: it no longer works.") % {"name": token.name})
    return redirect("api_tokens:list")
