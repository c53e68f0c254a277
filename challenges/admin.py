import secrets

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count
from django.forms import Textarea
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from core.admin import ReadOnlyAdminMixin, admin_page
from core.errors import refusal_shown

from . import rules, selectors, services
from .forms import AnnouncementForm, InvitationEmailsForm, PhaseSetForm
from .models import (
    Announcement,
    Challenge,
    ChallengeInvitation,
    ChallengeQuestion,
    Job,
    Outcome,
    Segment,
    SelectionCriterion,
)
from .phases import phase_in_sentence as _phase_in_sentence


class OutcomeInline(admin.TabularInline):
    model = Outcome
    fields = ["code", "statement", "created_at"]
    readonly_fields = ["created_at"]
    extra = 1
    show_change_link = True


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "outcome_count", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "description"]
    fields = ["name", "kind", "description", "created_at"]
    readonly_fields = ["created_at"]
    inlines = [OutcomeInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(outcome_total=Count("outcomes"))

    @admin.display(description=_("outcomes"), ordering="outcome_total")
    def outcome_count(self, obj):
        return obj.outcome_total


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ["name", "respondent_count"]
    search_fields = ["name", "description"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(respondent_total=Count("respondents"))

    @admin.display(description=_("respondents"), ordering="respondent_total")
    def respondent_count(self, obj):
        return obj.respondent_total


class SelectionCriterionInline(admin.TabularInline):
    model = SelectionCriterion
    fields = ["position", "name", "description", "weight", "low_means", "high_means"]
    extra = 1


class ChallengeQuestionInline(admin.StackedInline):
    """The challenge's own questions on the idea form. Editing or removing one never loses an answer:
    each answer keeps the label and kind it was given under (``ideas.IdeaAnswer``)."""

    model = ChallengeQuestion
    fields = [("label", "kind"), "help", "choices", "required", "active", "order"]
    formfield_overrides = {models.TextField: {"widget": Textarea(attrs={"rows": 3, "cols": 60})}}
    extra = 0
    verbose_name = _("question of the challenge")
    verbose_name_plural = _("questions of the challenge (asked on the idea form after the standard fields)")


PHASE_TEMPLATE = "admin/challenges/challenge/phase.html"
INVITE_TEMPLATE = "admin/challenges/challenge/invite.html"
ANNOUNCE_TEMPLATE = "admin/challenges/challenge/announce.html"


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "phase",
        "visibility",
        "opens_at",
        "closes_at",
        "idea_count",
        "answer_within_days",
        "publish_scores",
    ]
    list_filter = ["phase", "visibility", "language", "publish_scores"]
    search_fields = ["title", "slug", "brief"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["outcomes", "invited_members"]
    date_hierarchy = "opens_at"
    # The phase changes only through services.challenge_phase_set (the phase page, the action) and
    # the scheduler; new challenges start as drafts.
    readonly_fields = ["phase_with_action", "gaps_link", "invitations_by_email", "announcements", "created_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "phase_with_action", "visibility", "language"]}),
        (_("The question"), {"fields": ["brief", "business_context", "prize", "outcomes", "gaps_link"]}),
        (
            _("Timeline"),
            {
                "fields": [
                    "opens_at",
                    "review_starts_at",
                    "mentoring_starts_at",
                    "final_starts_at",
                    "closes_at",
                    "answer_within_days",
                ],
                "description": _(
                    "Each phase starts on its date: every 15 minutes the scheduler moves an opened "
                    "challenge on when a date is reached (several steps if several passed). A draft is never opened "
                    "by its date: move it to “Open for ideas” when it is ready."
                ),
            },
        ),
        (
            _("Scores"),
            {
                "fields": ["publish_scores"],
                "description": _(
                    "Scores are for staff unless published: then customers see each targeted "
                    "outcome's overall opportunity score on the challenge page."
                ),
            },
        ),
        (
            _("Invite-only"),
            {
                "fields": ["invited_members", "invitations_by_email"],
                "description": _(
                    "Only these members see an invite-only challenge; to everyone else it and its "
                    "ideas do not exist. Invite people who are not members yet by email."
                ),
            },
        ),
        (_("Announcements"), {"fields": ["announcements"]}),
        (_("Record"), {"fields": ["created_at"], "classes": ["collapse"]}),
    ]
    inlines = [SelectionCriterionInline, ChallengeQuestionInline]
    actions = ["move_to_next_phase"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(idea_total=Count("ideas"))

    # Who may see an invite-only challenge is an invitation: a change of its members (or of its
    # visibility) is audited, in the change view's transaction, by member id.
    def save_model(self, request, obj, form, change):
        request._access_before = self._access(Challenge.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        before, after = getattr(request, "_access_before", None), self._access(form.instance)
        if before is not None and before != after:
            added = sorted(set(after["invited_member_ids"]) - set(before["invited_member_ids"]))
            removed = sorted(set(before["invited_member_ids"]) - set(after["invited_member_ids"]))
            audit_record(
                actor=request.user,
                action="challenge.access_changed",
                target=form.instance,
                before={"visibility": before["visibility"], "member_ids_removed": removed},
                after={"visibility": after["visibility"], "member_ids_added": added},
                request=request,
            )

    @staticmethod
    def _access(challenge) -> dict:
        return {
            "visibility": challenge.visibility,
            "invited_member_ids": sorted(challenge.invited_members.values_list("pk", flat=True)),
        }

    def get_changeform_initial_data(self, request):
        """Also take ?outcomes=1&outcomes=2, as a form of checkboxes sends it (the landscape's
        "start a challenge"), besides Django's ?outcomes=1,2; ids that are not numbers are dropped."""
        initial = super().get_changeform_initial_data(request)
        if "outcomes" in request.GET:
            initial["outcomes"] = [
                part.strip()
                for value in request.GET.getlist("outcomes")
                for part in value.split(",")
                if part.strip().isdigit()
            ]
        return initial

    @admin.display(description=_("ideas"), ordering="idea_total")
    def idea_count(self, obj):
        return obj.idea_total

    @admin.display(description=_("phase"))
    def phase_with_action(self, obj):
        if obj is None or obj.pk is None:
            return gettext("Draft: a new challenge starts as a draft, seen by staff only.")
        label = obj.get_phase_display()
        if obj.phase == Challenge.Phase.CLOSED:
            return label
        url = reverse("admin:challenges_challenge_phase", args=[obj.pk])
        action = format_html('{} &nbsp; <a class="button" href="{}">{}</a>', label, url, gettext("Change phase…"))
        refusal = services.challenge_close_refusal(obj) if obj.phase == Challenge.Phase.FINAL else None
        if refusal is None:
            return action
        # Results pending: the scheduler does not close a challenge whose ideas are not all answered.
        return format_html(
            '{}<p class="results-pending" data-testid="results-pending"><strong>{}</strong> {} <a href="{}">{}</a></p>',
            action,
            gettext("Results pending:"),
            refusal.message,
            refusal.answer_url,
            gettext("Answer them and close…"),
        )

    @admin.display(description=_("gaps"))
    def gaps_link(self, obj):
        """The triage desk's gap grid: the targeted sweet-spot outcomes against the shortlisted ideas."""
        if obj is None or obj.pk is None:
            return gettext(
                "Save the challenge first; its gap grid then shows which sweet-spot outcomes have no strong idea."
            )
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:reviews_gaps", args=[obj.pk]),
            gettext("Sweet-spot outcomes against its shortlisted ideas"),
        )

    @admin.display(description=_("invitations by email"))
    def invitations_by_email(self, obj):
        """Who was invited by email, whether the email went out and whether they joined; read-only here:
        invitations are written by ``services.challenge_invite_emails`` alone ("Invite by email…")."""
        if obj is None or obj.pk is None:
            return gettext("Save the challenge first; then invite people by email.")
        url = reverse("admin:challenges_challenge_invite", args=[obj.pk])
        invitations = list(
            ChallengeInvitation.objects.filter(challenge=obj)
            .select_related("accepted_by")
            .order_by("-created_at", "-id")
        )
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    invitation.email,
                    date_format(timezone.localtime(invitation.sent_at), "j M Y H:i")
                    if invitation.sent_at
                    else gettext("not yet"),
                    gettext("%(date)s by %(member)s")
                    % {
                        "date": date_format(timezone.localtime(invitation.accepted_at), "j M Y"),
                        "member": invitation.accepted_by,
                    }
                    if invitation.accepted_at
                    else "—",
                )
                for invitation in invitations
            ),
        )
        table = (
            format_html(
                "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
                gettext("Email"),
                gettext("Emailed"),
                gettext("Joined"),
                rows,
            )
            if invitations
            else format_html("<p>{}</p>", gettext("Nobody has been invited by email yet."))
        )
        return format_html('{}<p><a class="button" href="{}">{}</a></p>', table, url, gettext("Invite by email…"))

    # --- Phases and invitations -------------------------------------------------------------

    def has_phase_permission(self, request, obj=None):
        return rules.can_change_phase(request.user)

    def has_invite_permission(self, request, obj=None):
        return rules.can_invite(request.user)

    def get_urls(self):
        urls = [
            path(
                "<int:object_id>/phase/",
                self.admin_site.admin_view(self.phase_view),
                name="challenges_challenge_phase",
            ),
            path(
                "<int:object_id>/invite/",
                self.admin_site.admin_view(self.invite_view),
                name="challenges_challenge_invite",
            ),
            path(
                "<int:object_id>/announce/",
                self.admin_site.admin_view(self.announce_view),
                name="challenges_challenge_announce",
            ),
        ]
        return urls + super().get_urls()

    def _page(self, request, template, *, challenge, title, **context):
        change_url = reverse("admin:challenges_challenge_change", args=[challenge.pk])
        return admin_page(self, request, template, title=title, challenge=challenge, change_url=change_url, **context)

    def _set_phase(self, request, challenge, phase) -> bool:
        try:
            change = services.challenge_phase_set(challenge=challenge, phase=phase, changed_by=request.user)
        except services.ChallengeError as error:
            answer_url = getattr(error, "answer_url", "")
            if answer_url:
                message = format_html(
                    '{} <a href="{}">{}</a>',
                    gettext("“%(title)s” was not moved: %(error)s") % {"title": challenge.title, "error": error},
                    answer_url,
                    gettext("Answer them and close…"),
                )
            else:
                message = gettext("“%(title)s” was not moved: %(error)s") % {"title": challenge.title, "error": error}
            self.message_user(request, message, level=messages.ERROR)
            return False
        self.message_user(
            request,
            gettext("“%(title)s” is now %(phase)s (was %(before)s).")
            % {
                "title": challenge.title,
                "phase": _phase_in_sentence(change.to_phase),
                "before": _phase_in_sentence(change.from_phase),
            },
            level=messages.SUCCESS,
        )
        challenge.phase = change.to_phase
        ahead = selectors.phase_by_dates(challenge, today=timezone.localdate())
        if ahead != change.to_phase:
            self.message_user(
                request,
                gettext(
                    "Its timeline says “%(phase)s” already: the scheduler will move it "
                    "there within 15 minutes unless you change the dates."
                )
                % {"phase": _phase_in_sentence(ahead)},
                level=messages.WARNING,
            )
        return True

    @admin.action(description=_("Move to next phase"), permissions=["phase"])
    def move_to_next_phase(self, request, queryset):
        """Each selected challenge one step on, through the service; each refusal is reported by name."""
        for challenge in queryset.order_by("pk"):
            # From the row as read: if someone moved it meanwhile, the service finds it "already" there.
            self._set_phase(request, challenge, selectors.phase_after(challenge.phase) or Challenge.Phase.CLOSED)

    def phase_view(self, request, object_id):
        """Move one challenge to its next phase, or back one step, with its timeline in view."""
        challenge = get_object_or_404(Challenge, pk=object_id)
        if not self.has_phase_permission(request, challenge):
            raise PermissionDenied
        change_url = reverse("admin:challenges_challenge_change", args=[challenge.pk])
        if request.method == "POST":
            form = PhaseSetForm(request.POST)
            if form.is_valid() and self._set_phase(request, challenge, form.cleaned_data["phase"]):
                return HttpResponseRedirect(change_url)
            if not form.is_valid():
                self.message_user(request, gettext("Choose a phase."), level=messages.ERROR)
            return HttpResponseRedirect(request.path)
        index = selectors.phase_index(challenge.phase)
        order = Challenge.PHASE_ORDER
        next_phase = selectors.phase_after(challenge.phase)
        previous = order[index - 1] if index > 1 and challenge.phase != Challenge.Phase.CLOSED else None
        return self._page(
            request,
            PHASE_TEMPLATE,
            challenge=challenge,
            title=gettext("Change the phase of “%(title)s”") % {"title": challenge.title},
            next_phase=next_phase and Challenge.Phase(next_phase),
            previous_phase=previous and Challenge.Phase(previous),
            close_refusal=services.challenge_close_refusal(challenge) if next_phase == Challenge.Phase.CLOSED else None,
        )

    def invite_view(self, request, object_id):
        """Paste addresses, one a line: all valid or nothing saved; each new one is emailed once."""
        challenge = get_object_or_404(Challenge, pk=object_id)
        if not self.has_invite_permission(request, challenge):
            raise PermissionDenied
        form = InvitationEmailsForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                result = services.challenge_invite_emails(
                    challenge=challenge, emails=form.cleaned_data["emails"], invited_by=request.user
                )
            except services.InvalidEmails as error:
                form.add_error("emails", error.problems)
            except services.ChallengeError as error:
                form.add_error(None, str(error))
            else:
                self._report_invitations(request, challenge, result)
                return HttpResponseRedirect(reverse("admin:challenges_challenge_change", args=[challenge.pk]))
        return self._page(
            request,
            INVITE_TEMPLATE,
            challenge=challenge,
            title=gettext("Invite people to “%(title)s” by email") % {"title": challenge.title},
            form=form,
            media=self.media + form.media,
        )

    @admin.display(description=_("announcements"))
    def announcements(self, obj):
        """What staff wrote to the challenge's participants and followers, and the button to write again."""
        if obj is None or obj.pk is None:
            return gettext("Save the challenge first.")
        sent = list(Announcement.objects.filter(challenge=obj).select_related("sent_by")[:10])
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    date_format(timezone.localtime(a.created_at), "j M Y H:i"),
                    a.subject,
                    a.sent_by.public_name if a.sent_by else "—",
                    a.audience_count,
                )
                for a in sent
            ),
        )
        table = (
            format_html(
                "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
                gettext("Sent"),
                gettext("Subject"),
                gettext("By"),
                gettext("Members"),
                rows,
            )
            if sent
            else format_html("<p>{}</p>", gettext("No announcement yet."))
        )
        if obj.phase == Challenge.Phase.DRAFT:
            return table
        url = reverse("admin:challenges_challenge_announce", args=[obj.pk])
        return format_html('{}<p><a class="button" href="{}">{}</a></p>', table, url, gettext("Write to participants…"))

    def announce_view(self, request, object_id):
        """Write to the challenge's participants and followers; the page says how many it reaches."""
        challenge = get_object_or_404(Challenge, pk=object_id)
        if not self.has_invite_permission(request, challenge):
            raise PermissionDenied
        if request.method == "POST":
            form = AnnouncementForm(request.POST)
            if form.is_valid():
                try:
                    announcement = services.challenge_announce(
                        challenge=challenge,
                        sent_by=request.user,
                        subject=form.cleaned_data["subject"],
                        body=form.cleaned_data["body"],
                        send_key=form.cleaned_data["send_key"],
                    )
                except services.ChallengeError as error:
                    form.add_error(None, str(error))
                else:
                    count = announcement.audience_count
                    self.message_user(
                        request,
                        ngettext(
                            "“%(subject)s” is on its way to %(count)d member.",
                            "“%(subject)s” is on its way to %(count)d members.",
                            count,
                        )
                        % {"subject": announcement.subject, "count": count},
                        level=messages.SUCCESS,
                    )
                    return HttpResponseRedirect(reverse("admin:challenges_challenge_change", args=[challenge.pk]))
        else:
            form = AnnouncementForm(initial={"send_key": secrets.token_urlsafe(24)})
        return self._page(
            request,
            ANNOUNCE_TEMPLATE,
            challenge=challenge,
            title=gettext("Write to the participants of “%(title)s”") % {"title": challenge.title},
            form=form,
            audience=selectors.challenge_audience_counts(challenge),
            media=self.media + form.media,
        )

    def _report_invitations(self, request, challenge, result):
        if result.invited:
            count = len(result.invited)
            emails = ", ".join(invitation.email for invitation in result.invited)
            if challenge.phase == Challenge.Phase.DRAFT:
                text = ngettext(
                    "%(count)d invitation written, emailed when you open the challenge: %(emails)s.",
                    "%(count)d invitations written, emailed when you open the challenge: %(emails)s.",
                    count,
                )
            else:
                text = ngettext(
                    "%(count)d invitation written, emailed now: %(emails)s.",
                    "%(count)d invitations written, emailed now: %(emails)s.",
                    count,
                )
            self.message_user(
                request,
                text % {"count": count, "emails": emails},
                level=messages.SUCCESS,
            )
        if result.members_added:
            self.message_user(
                request,
                gettext("Already members, so in at once: %(emails)s.")
                % {"emails": ", ".join(user.email for user in result.members_added)},
                level=messages.INFO,
            )
        if result.already_invited:
            self.message_user(
                request,
                gettext("Invited before, so skipped (no second email): %(emails)s.")
                % {"emails": ", ".join(result.already_invited)},
                level=messages.WARNING,
            )


@admin.register(ChallengeInvitation)
class ChallengeInvitationAdmin(admin.ModelAdmin):
    """Invitations by email, to find one and revoke it; they are written by "Invite by email…" on a
    challenge (services.challenge_invite_emails) and never edited here."""

    list_display = ["email", "challenge", "created_at", "sent_at", "accepted_at", "accepted_by"]
    list_filter = ["challenge"]
    search_fields = ["email", "challenge__title"]
    list_select_related = ["challenge", "accepted_by"]
    # The token is the secret of the link: staff never need to see it.
    fields = ["email", "challenge", "invited_by", "created_at", "sent_at", "accepted_at", "accepted_by"]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # revoke (below) takes back what is pending, through the service

    def has_view_permission(self, request, obj=None):
        return rules.can_invite(request.user)

    def has_module_permission(self, request):
        return rules.can_invite(request.user)

    def has_revoke_permission(self, request):
        return rules.can_invite(request.user)

    @admin.action(description=_("Revoke the selected invitations (not yet accepted)"), permissions=["revoke"])
    def revoke(self, request, queryset):
        with refusal_shown(request) as outcome:
            result = services.challenge_invitations_revoke(
                invitation_ids=queryset.values_list("pk", flat=True), revoked_by=request.user
            )
        if not outcome.ok:
            return
        if result.revoked:
            self.message_user(
                request,
                gettext("Revoked %(count)d: %(emails)s. Their links no longer work.")
                % {"count": len(result.revoked), "emails": ", ".join(result.revoked)},
                messages.SUCCESS,
            )
        if result.accepted:
            self.message_user(
                request,
                gettext(
                    "Already accepted, left as they are: %(emails)s "
                    "(remove the member from the challenge's invited members to take them out)."
                )
                % {"emails": ", ".join(result.accepted)},
                messages.WARNING,
            )


@admin.register(Announcement)
class AnnouncementAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: written from a challenge's page ("Write to participants…") by challenge_announce."""

    list_display = ["subject", "challenge", "sent_by", "created_at", "audience_count"]
    list_filter = ["challenge"]
    list_select_related = ["challenge", "sent_by"]
    search_fields = ["subject", "body"]
    fields = ["challenge", "subject", "body", "sent_by", "created_at", "audience_count"]
    readonly_fields = fields

    def has_module_permission(self, request):
        return rules.can_invite(request.user)

    def has_view_permission(self, request, obj=None):
        return rules.can_invite(request.user)
