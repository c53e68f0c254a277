from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from . import selectors, services
from .forms import PreferencesForm
from .models import Delivery, Kind

PER_PAGE = 20


@login_required
def notification_list(request):
    page = Paginator(selectors.notifications_for(request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_POST
def notification_read(request, pk: int):
    services.notification_mark_read(user=request.user, notification_id=pk)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request):
    count = services.notifications_mark_all_read(user=request.user)
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} read.")
    return redirect("notifications:list")


@login_required
def preferences(request):
    form = PreferencesForm(request.POST or None, initial_deliveries=selectors.preferences_for(request.user))
    if request.method == "POST" and form.is_valid():
        for kind, delivery in form.cleaned_data.items():
            services.preference_set(user=request.user, kind=kind, delivery=delivery)
        messages.success(request, "Your email preferences are saved.")
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


@csrf_exempt  # RFC 8058: mail providers POST "List-Unsubscribe=One-Click" with no cookie and no CSRF token
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token: str):
    """No sign-in: the signed, opaque token (notifications.tokens) names the member and the kind.

    GET asks; only the POST changes the preference, so a mail scanner's visit changes nothing. The
    POST needs no CSRF token: it is the one-click unsubscribe of RFC 8058 (``List-Unsubscribe-Post``),
    and the token itself, unguessable and bound to one member and kind, is what authorises it; the
    worst a forged POST can do is turn off one kind of email for the member whose link it holds. The
    page names neither the member nor their address (whoever holds a forwarded email sees nothing).
    """
    try:
        user, kind = services.unsubscribe_token_read(token)
    except services.UnsubscribeTokenInvalid as error:
        return render(request, "notifications/unsubscribe_invalid.html", {"message": str(error)}, status=400)
    done = False
    if request.method == "POST":
        services.preference_set(user=user, kind=kind, delivery=Delivery.OFF)
        done = True
    return render(request, "notifications/unsubscribe.html", {"kind_label": Kind(kind).label, "done": done})
