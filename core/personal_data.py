"""What the portal holds about a member, and how long it keeps its logs: filled in by each app.

The registry is part of the shared kernel, so every app (accounts and notifications included) can
register with it; the privacy app (on top) exports and erases a member's data and applies the
retention periods through it, and knows no domain app (CONVENTIONS.md, "How the apps depend on each other"). Each app that stores
something about a member registers a ``Section`` from its own ``AppConfig.ready()`` (as it
registers its notification kinds): the rows it exports for the member (a selector), the texts it
adds to the download (ideas as Markdown), and what it does when the member erases their account.
An app that keeps logs registers a ``RetentionRule`` the same way.
"""

import dataclasses
import datetime
from collections.abc import Callable


@dataclasses.dataclass(frozen=True)
class Former:
    """Who the member was, read before their row is emptied."""

    name: str  # how the portal showed them (public_name)
    email: str
    emails: tuple[str, ...]  # every address they had (allauth's list, the account's own first)


@dataclasses.dataclass(frozen=True)
class Section:
    """One part of a member's data, owned by the app that stores it."""

    key: str  # the file name in the download: <key>.json
    label: str  # what the download page lists
    # The member -> JSON-ready data (dicts, lists, strings, numbers); a constant number of queries.
    export: Callable[[object], object]
    # The member -> {path inside the zip: text}, for texts a person reads as documents (ideas).
    texts: Callable[[object], dict[str, str]] | None = None
    # (member, former) -> None, called inside the erase's transaction with the member's row locked:
    # delete or anonymise what is personal. ``former`` says how the member was named and reached,
    # to take out of texts written to or about them (other members' notifications, the admin's log).
    erase: Callable[[object, "Former"], None] | None = None
    # The download lists the sections in this order.
    order: int = 100
    # Sections erase in this order (the account's own row, and the addresses others use to find
    # what was sent to it, last).
    erase_order: int = 100


@dataclasses.dataclass(frozen=True)
class RetentionRule:
    """Rows of one kind that are deleted once older than a number of days (a setting)."""

    key: str
    label: str
    setting: str  # the name of the setting that holds the days (0 keeps them for ever)
    default_days: int
    # The cutoff -> how many rows were deleted; deletes in batches, safe to run twice.
    purge: Callable[[datetime.datetime], int]


_sections: dict[str, Section] = {}
_retention: dict[str, RetentionRule] = {}


def register(section: Section) -> Section:
    """Add a section; registering the same definition again (a second ``ready()``) changes nothing."""
    known = _sections.get(section.key)
    if known is not None and known != section:
        raise ValueError(f"Personal-data section {section.key!r} is registered twice, differently.")
    _sections[section.key] = section
    return section


def sections() -> list[Section]:
    return sorted(_sections.values(), key=lambda section: (section.order, section.key))


def sections_to_erase() -> list[Section]:
    return sorted(
        (section for section in _sections.values() if section.erase is not None),
        key=lambda section: (section.erase_order, section.key),
    )


def register_retention(rule: RetentionRule) -> RetentionRule:
    known = _retention.get(rule.key)
    if known is not None and known != rule:
        raise ValueError(f"Retention rule {rule.key!r} is registered twice, differently.")
    _retention[rule.key] = rule
    return rule


def retention_rules() -> list[RetentionRule]:
    return sorted(_retention.values(), key=lambda rule: rule.key)


def retention_rule(key: str) -> RetentionRule:
    return _retention[key]


def delete_in_batches(queryset, *, batch: int = 1000) -> int:
    """Delete a queryset's rows a batch at a time (short transactions, short locks); returns the count.
    The queryset must select the rows by a condition that stays true once they are deleted."""
    total = 0
    while True:
        ids = list(queryset.values_list("pk", flat=True)[:batch])
        if not ids:
            return total
        queryset.model.objects.filter(pk__in=ids).delete()
        total += len(ids)
