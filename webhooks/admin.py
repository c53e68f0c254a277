"""Webhooks in the admin: endpoints (add, change, rotate the secret), their delivery log, replay."""

from django import forms
from django.contrib import admin, messages
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdminMixin

from . import services
from .events import SUBSCRIBABLE
from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


def _https_by_default(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class WebhookEndpointForm(forms.ModelForm):
    event_types = forms.MultipleChoiceField(
        label=_("Events"),
        choices=SUBSCRIBABLE,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The events sent to this endpoint. “Idea reached a vote threshold” is sent when an idea's up-votes "
            "reach one of the portal's thresholds (the IDEA_VOTE_THRESHOLDS setting, by default 10, 50 and 100)."
        ),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "event_types", "format", "include_invite_only", "active"]
        formfield_callback = _https_by_default


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "url", "format", "events", "active", "consecutive_failures", "deliveries_link"]
    list_filter = ["active", "format"]
    search_fields = ["name", "url"]
    actions = ["send_test", "rotate_secret"]
    readonly_fields = ["secret_shown", "consecutive_failures", "disabled_at", "disabled_reason", "created_at"]
    fieldsets = [
        (None, {"fields": ["name", "url", "event_types", "format", "include_invite_only", "active"]}),
        (_("Signing"), {"fields": ["secret_shown"]}),
        (_("Health"), {"fields": ["consecutive_failures", "disabled_at", "disabled_reason", "created_at"]}),
    ]

    @admin.display(description=_("Events"))
    def events(self, obj):
        return ", ".join(obj.event_type_labels()) or "—"

    @admin.display(description=_("Secret"))
    def secret_shown(self, obj):
        if obj.pk is None:
            return gettext("Generated when the endpoint is saved.")
        return format_html(
            "<code>{}</code><div class='help'>{}</div>",
            obj.secret,
            gettext(
                "Give it to the receiver to verify the webhook-signature header. "
                "“Rotate the secret” (list action) makes a new one."
            ),
        )

    @admin.display(description=_("Deliveries"))
    def deliveries_link(self, obj):
        url = reverse("admin:webhooks_webhookdelivery_changelist") + f"?endpoint__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, gettext("Log"))

    def save_model(self, request, obj, form, change):
        before = {}
        if change:
            before = services.endpoint_state(WebhookEndpoint.objects.get(pk=obj.pk))
        services.endpoint_save(endpoint=obj, by=request.user, before=before, request=request)

    def delete_model(self, request, obj):
        services.endpoint_delete(endpoint=obj, by=request.user, request=request)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for endpoint in queryset:
                services.endpoint_delete(endpoint=endpoint, by=request.user, request=request)

    @admin.action(description=_("Send a test message to the selected endpoints"), permissions=["change"])
    def send_test(self, request, queryset):
        sent = 0
        for endpoint in queryset:
            try:
                services.endpoint_test_send(endpoint=endpoint, by=request.user, request=request)
                sent += 1
            except services.WebhookError as error:
                self.message_user(request, str(error), messages.ERROR)
        if sent:
            log = reverse("admin:webhooks_webhookdelivery_changelist") + "?event_type__exact=webhook.test"
            self.message_user(
                request,
                format_html(
                    ngettext(
                        'Test message queued for {count} endpoint(s): <a href="{log}">see how it went</a>.',
                        'Test message queued for {count} endpoint(s): <a href="{log}">see how it went</a>.',
                        sent,
                    ),
                    count=sent,
                    log=log,
                ),
            )

    @admin.action(description=_("Rotate the secret of the selected endpoints"), permissions=["change"])
    def rotate_secret(self, request, queryset):
        for endpoint in queryset:
            services.endpoint_secret_rotate(endpoint=endpoint, by=request.user, request=request)
        count = queryset.count()
        self.message_user(
            request,
            ngettext(
                "New secret for %(count)d endpoint(s): give it to the receiver.",
                "New secret for %(count)d endpoint(s): give it to the receiver.",
                count,
            )
            % {"count": count},
        )


class WebhookAttemptInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = WebhookAttempt
    fields = ["started_at", "status_code", "succeeded", "duration_ms", "error", "response_body", "replay"]
    readonly_fields = fields
    extra = 0


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "endpoint", "event_type", "state_shown", "last_status_code"]
    list_filter = ["state", "event_type", "endpoint"]
    list_select_related = ["endpoint"]
    search_fields = ["message_id", "event_key"]
    actions = ["send_again"]
    inlines = [WebhookAttemptInline]
    fields = [
        "endpoint",
        "event_type",
        "event_key",
        "message_id",
        "state",
        "attempts",
        "next_attempt_at",
        "delivered_at",
        "last_status_code",
        "last_error",
        "request_body",
    ]
    readonly_fields = fields

    @admin.display(description=_("State"), ordering="state")
    def state_shown(self, obj):
        if obj.state == WebhookDelivery.State.PENDING and obj.next_attempt_at:
            when = timezone.localtime(obj.next_attempt_at).strftime("%H:%M:%S")
            return gettext("%(state)s, %(attempts)d failed; next try %(when)s") % {
                "state": obj.get_state_display(),
                "attempts": obj.attempts,
                "when": when,
            }
        if obj.attempts and obj.state != WebhookDelivery.State.DELIVERED:
            return gettext("%(state)s, %(attempts)d failed") % {
                "state": obj.get_state_display(),
                "attempts": obj.attempts,
            }
        return obj.get_state_display()

    @admin.display(description=_("Request body"))
    def request_body(self, obj):
        return format_html("<pre class='webhook-body'>{}</pre>", obj.body)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_replay_permission(self, request):
        return request.user.has_perm("webhooks.change_webhookendpoint")

    @admin.action(description=_("Send the selected deliveries again"), permissions=["replay"])
    def send_again(self, request, queryset):
        queued = 0
        for delivery in queryset.select_related("endpoint"):
            try:
                services.delivery_replay(delivery=delivery, by=request.user, request=request)
                queued += 1
            except services.WebhookError as error:
                self.message_user(request, str(error), messages.ERROR)
        if queued:
            self.message_user(
                request,
                ngettext(
                    "%(count)d delivery queued to be sent again.",
                    "%(count)d deliveries queued to be sent again.",
                    queued,
                )
                % {"count": queued},
            )
