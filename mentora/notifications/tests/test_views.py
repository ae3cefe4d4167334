"""The inbox and the preferences page: each person sees and changes only their own."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from mentora.notifications.models import Channel, Notification, NotificationPreference


def _note(user: Any, subject: str, *, link: str = "", minutes_ago: int = 0, **extra: Any) -> Any:
    return Notification.objects.create(
        user=user,
        kind="rounds.choose",
        subject=subject,
        body=f"{subject}, in full",
        link=link,
        channel=Channel.EMAIL,
        created_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
        **extra,
    )


def test_the_inbox_lists_only_ones_own_newest_first_with_unread_marked(
    client_for: Any, personas: Any
) -> None:
    _note(personas.mentee, "Older and read", minutes_ago=10, read_at=timezone.now())
    _note(personas.mentee, "Newer and unread", minutes_ago=1)
    _note(personas.mentor, "For the mentor alone")
    page = client_for(personas.mentee).get(reverse("notification_inbox")).content.decode()
    assert page.index("Newer and unread") < page.index("Older and read")
    assert page.count(">Unread</span>") == 1
    assert "For the mentor alone" not in page


def test_an_outsider_and_staff_see_an_empty_inbox(client_for: Any, personas: Any) -> None:
    _note(personas.mentee, "Private to the mentee")
    for user in (personas.outsider, personas.manager, personas.admin):
        page = client_for(user).get(reverse("notification_inbox")).content.decode()
        assert "Private to the mentee" not in page
        assert "No notifications yet." in page


def test_an_anonymous_visitor_is_sent_to_log_in(client_for: Any, personas: Any) -> None:
    response = client_for(None).get(reverse("notification_inbox"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_header_says_how_many_are_unread(client_for: Any, personas: Any) -> None:
    for n in range(3):
        _note(personas.mentee, f"Note {n}")
    page = client_for(personas.mentee).get(reverse("dashboard")).content.decode()
    assert 'aria-label="Notifications, 3 unread"' in page
    quiet = client_for(personas.mentor).get(reverse("dashboard")).content.decode()
    assert "unread" not in quiet
    assert reverse("notification_inbox") in quiet


def test_opening_a_notification_marks_it_read_and_goes_where_to_act(
    client_for: Any, personas: Any
) -> None:
    note = _note(personas.mentee, "Choose", link=reverse("my_matching"))
    response = client_for(personas.mentee).post(reverse("notification_open", args=[note.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("my_matching")
    note.refresh_from_db()
    assert note.read_at is not None


@pytest.mark.parametrize("persona", ["mentor", "manager", "admin", "outsider"])
def test_anyone_elses_notification_is_missing(client_for: Any, personas: Any, persona: str) -> None:
    note = _note(personas.mentee, "Mine")
    user = getattr(personas, persona)
    response = client_for(user).post(reverse("notification_open", args=[note.pk]))
    assert response.status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_mark_all_read_touches_only_ones_own(client_for: Any, personas: Any) -> None:
    mine = [_note(personas.mentee, f"Mine {n}") for n in range(2)]
    theirs = _note(personas.mentor, "Theirs")
    response = client_for(personas.mentee).post(reverse("notifications_read_all"), follow=True)
    assert "All notifications are marked as read." in response.content.decode()
    assert (
        Notification.objects.filter(pk__in=[n.pk for n in mine], read_at__isnull=True).count() == 0
    )
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_inbox_is_paginated(client_for: Any, personas: Any) -> None:
    for n in range(30):
        _note(personas.mentee, f"Item {n:02d}", minutes_ago=n)
    client = client_for(personas.mentee)
    first = client.get(reverse("notification_inbox")).content.decode()
    second = client.get(reverse("notification_inbox") + "?page=2").content.decode()
    assert "Item 00" in first and "Item 29" not in first
    assert "Item 29" in second and "Item 00" not in second


def test_preferences_are_saved_per_kind(client_for: Any, personas: Any) -> None:
    client = client_for(personas.mentee)
    page = client.get(reverse("notification_preferences")).content.decode()
    assert "Choose your mentor" in page
    assert "Password reset" in page  # listed as always by e-mail
    response = client.post(
        reverse("notification_preferences"),
        {"rounds.choose": "in_app", "programmes.invitation": "digest"},
        follow=True,
    )
    assert "Your notification settings were saved." in response.content.decode()
    saved = dict(
        NotificationPreference.objects.filter(user=personas.mentee).values_list("kind", "channel")
    )
    assert saved == {"rounds.choose": "in_app", "programmes.invitation": "digest"}


def test_an_invitation_cannot_be_turned_off_on_the_page(client_for: Any, personas: Any) -> None:
    response = client_for(personas.mentee).post(
        reverse("notification_preferences"), {"programmes.invitation": "off"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_the_settings_page_links_to_the_preferences(client_for: Any, personas: Any) -> None:
    page = client_for(personas.mentee).get(reverse("account_settings")).content.decode()
    assert reverse("notification_preferences") in page
