from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from core.redirects import next_url, safe_next_url

from . import selectors, services
from .forms import PreferencesForm
from .models import Delivery, Kind

PER_PAGE = 20


@login_required
def notification_list(request):
    page = Paginator(selectors.notifications_for(request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
def notification_menu(request):
    """The header's menu (htmx, loaded when the bell is opened): the newest few and the two actions.

    ``here`` is the page the menu was opened on, where "Mark all read" returns.
    """
    context = {
        "latest": selectors.latest_for(request.user),
        "here": safe_next_url(request, request.GET.get("here"), reverse("notifications:list")),
    }
    return render(request, "notifications/_menu.html", context)


@login_required
@require_http_methods(["GET"])
def notification_open(request, pk: int):
    """Following a notification's link: mark it read, then go where it points (a page of this site only).

    A notification that is not the member's is a 404, and nothing changes. The link is a GET, like
    any link a member follows: marking one's own notification read is safe to repeat.
    """
    notification = services.notification_open(user=request.user, notification_id=pk)
    if notification is None:
        raise Http404("No such notification.")
    return redirect(safe_next_url(request, notification.url, reverse("notifications:list")))


@login_required
@require_POST
def notification_read(request, pk: int):
    services.notification_mark_read(user=request.user, notification_id=pk)
    return redirect(next_url(request, reverse("notifications:list")))


@login_required
@require_POST
def notification_read_all(request):
    count = services.notifications_mark_all_read(user=request.user)
    messages.success(
        request,
        ngettext("Marked %(count)d notification read.", "Marked %(count)d notifications read.", count)
        % {"count": count},
    )
    return redirect(next_url(request, reverse("notifications:list")))


@login_required
def preferences(request):
    form = PreferencesForm(request.POST or None, initial_deliveries=selectors.preferences_for(request.user))
    if request.method == "POST" and form.is_valid():
        for kind, delivery in form.cleaned_data.items():
            services.preference_set(user=request.user, kind=kind, delivery=delivery)
        messages.success(request, _("Your email preferences are saved."))
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
