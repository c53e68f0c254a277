"""The types of the people the portal serves, for annotations (``mypy`` with django-stubs)."""

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser

from .models import User

# Anyone a page or a rule may be asked about: a signed-in member (or staff), or a visitor who is not
# signed in. Services that only signed-in people reach take ``User``.
Visitor: TypeAlias = User | AnonymousUser
