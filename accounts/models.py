from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

TRIAGE_GROUP = "Triage"
MENTOR_GROUP = "Mentor"
# How an erased member's ideas, comments and messages are signed: stored in English where it is
# written into rows (the admin's log), shown in the reader's language by ``public_name``.
FORMER_MEMBER = "Former member"


class User(AbstractUser):
    """A member of the portal. People sign in with their email; the username is internal."""

    display_name = models.CharField(
        max_length=60,
        blank=True,
        help_text=_(
            "The name shown beside your ideas and comments. Leave empty to show the part of your email before the @."
        ),
    )

    profile_public = models.BooleanField(
        _("Show my profile to other members"),
        default=True,
        help_text=_(
            "Your profile lists your ideas, kudos, points and tier. Untick to hide it from other members; "
            "the portal's staff still see it."
        ),
    )

    language = models.CharField(
        _("Language"),
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_(
            "The language of the portal's pages and of the emails it sends you. Leave empty to follow your browser."
        ),
    )

    mentor_capacity = models.PositiveSmallIntegerField(
        _("Mentoring capacity"),
        default=5,
        help_text=_(
            "For members of the Mentor group: the most ideas they mentor at once. "
            "Assigning mentors never goes above it."
        ),
    )
    # Set when the member erased their account (privacy.services.account_erase): the row stays so
    # their ideas, comments and votes keep an author, but nothing on it names or reaches them.
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(mentor_capacity__gte=1, mentor_capacity__lte=50),
                name="accounts_user_mentor_capacity_1_to_50",
                violation_error_message=_("A mentor holds between 1 and 50 ideas at once."),
            ),
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="accounts_user_email_unique_ci",
                violation_error_message=_("A member with this email address already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.public_name

    @property
    def public_name(self) -> str:
        """The name others see: the display name, else the address's local part (never the whole address)."""
        if self.erased_at is not None:
            return gettext("Former member")
        if self.display_name:
            return self.display_name
        if self.email:
            return self.email.split("@", 1)[0]
        return self.username


def user_display(user) -> str:
    """allauth's name for a member (``ACCOUNT_USER_DISPLAY``): the portal's own, ``public_name``."""
    return user.public_name
