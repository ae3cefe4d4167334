"""Rolling programmes in their design, and a mentor's own places, dates and "no more
mentees": who may see and change them, and what is refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from conftest import audited
from mentora.programmes.health import launch_questions
from mentora.programmes.models import Participant, Programme
from mentora.programmes.services import availability, design

DESIGN = {
    "name": "Always on",
    "kind": "one_to_one",
    "delivery": "virtual",
    "max_mentees_per_mentor": 2,
    "influence_mode": "manager_publishes",
    "rolling": "on",
}


@pytest.fixture
def mentoring(setup: Any) -> Participant:
    """Mo mentors in the programme, which now has rolling intake and two places a mentor."""
    programme = setup.programme
    programme.rolling = True
    programme.end_date = None
    programme.max_mentees_per_mentor = 2
    programme.save()
    return Participant.objects.create(
        programme=programme,
        person=setup.mentor_person,
        user=setup.personas.mentor,
        role="mentor",
        status="ready",
    )


def test_a_manager_designs_a_rolling_programme_without_dates(
    client_for: Any, programme: Programme, personas: Any
) -> None:
    response = client_for(personas.manager).post(
        reverse("programme_edit", args=[programme.pk]),
        {**DESIGN, "start_date": "2027-01-01", "end_date": ""},
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.rolling and programme.end_date is None
    page = client_for(personas.manager).get(reverse("programme_detail", args=[programme.pk]))
    assert "Rolling intake since" in page.content.decode()


def test_a_rolling_programme_has_no_end_date(
    client_for: Any, programme: Programme, personas: Any
) -> None:
    response = client_for(personas.manager).post(
        reverse("programme_edit", args=[programme.pk]),
        {**DESIGN, "start_date": "2027-01-01", "end_date": "2027-12-01"},
    )
    assert response.status_code == 200
    assert "A rolling programme has no end date" in response.content.decode()
    programme.refresh_from_db()
    assert not programme.rolling
    with pytest.raises(ValidationError, match="no end date"):
        design.programme_update(programme=programme, actor=personas.manager, rolling=True)
    with transaction.atomic(), pytest.raises(IntegrityError):
        Programme.objects.filter(pk=programme.pk).update(rolling=True)


def test_the_health_check_asks_no_dates_of_a_rolling_programme(mentoring: Participant) -> None:
    programme = mentoring.programme
    programme.start_date = None
    programme.save()
    time = next(item for item in launch_questions(programme) if item.code == "time")
    # Dates are not missing; only the question about availability is.
    assert time.light == "amber"
    programme.rolling = False
    programme.save()
    time = next(item for item in launch_questions(programme) if item.code == "time")
    assert time.light == "red"


def test_a_rolling_programme_has_begun_since_it_was_created(mentoring: Participant) -> None:
    programme = mentoring.programme
    programme.start_date = None
    # Created late in the evening in UTC: in Copenhagen it is already the next day.
    programme.created_at = dt.datetime(2026, 3, 9, 23, 30, tzinfo=dt.UTC)
    programme.save()
    created = dt.date(2026, 3, 10)
    assert programme.began_on() == created
    assert not programme.has_begun(created - dt.timedelta(days=1))
    assert programme.has_begun(created + dt.timedelta(days=400))


# A mentor's places and availability ----------------------------------------------------------


def test_a_mentor_sets_places_and_dates(client_for: Any, mentoring: Participant) -> None:
    url = reverse("participant_availability", args=[mentoring.pk])
    client = client_for(mentoring.user)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "places": "1",
            "available_from": "2027-03-01",
            "available_until": "2027-09-30",
            "takes_mentees": "on",
        },
    )
    assert response.status_code == 302
    mentoring.refresh_from_db()
    assert mentoring.mentee_capacity == 1
    assert (mentoring.available_from, mentoring.available_until) == (
        dt.date(2027, 3, 1),
        dt.date(2027, 9, 30),
    )
    assert not mentoring.available_on(dt.date(2027, 2, 28))
    assert mentoring.available_on(dt.date(2027, 3, 1))
    assert not mentoring.available_on(dt.date(2027, 10, 1))
    assert audited("programmes.participant.availability") == [str(mentoring.pk)]


@pytest.mark.parametrize(
    ("posted", "error"),
    [
        ({"places": "3"}, "less than or equal to 2"),
        ({"places": "-1"}, "greater than or equal to 0"),
        ({"places": "two"}, "Enter a whole number"),
        (
            {"places": "1", "available_from": "2027-05-01", "available_until": "2027-04-01"},
            "must not come before the first",
        ),
    ],
)
def test_a_mentor_cannot_offer_more_than_the_programme_allows_or_dates_backwards(
    client_for: Any, mentoring: Participant, posted: dict[str, str], error: str
) -> None:
    response = client_for(mentoring.user).post(
        reverse("participant_availability", args=[mentoring.pk]), posted
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    mentoring.refresh_from_db()
    assert (mentoring.places, mentoring.available_from) == (None, None)


def test_the_service_refuses_places_above_the_maximum(mentoring: Participant) -> None:
    with pytest.raises(ValidationError, match="between 0 and 2"):
        availability.participant_availability_set(
            participant=mentoring, actor=mentoring.user, places=5
        )
    mentoring.refresh_from_db()
    assert mentoring.places is None


def test_zero_places_means_none(mentoring: Participant) -> None:
    availability.participant_availability_set(participant=mentoring, actor=None, places=0)
    mentoring.refresh_from_db()
    assert mentoring.mentee_capacity == 0


def test_a_mentor_says_no_more_mentees_in_one_click(
    client_for: Any, mentoring: Participant
) -> None:
    client = client_for(mentoring.user)
    page = client.get(reverse("my_programmes"))
    assert "No more mentees" in page.content.decode()
    url = reverse("participant_takes_mentees", args=[mentoring.pk])
    response = client.post(url, {"takes_mentees": "no"}, follow=True)
    assert "You take no more mentees" in response.content.decode()
    mentoring.refresh_from_db()
    assert not mentoring.takes_mentees
    assert not mentoring.available_on(dt.date(2027, 6, 1))
    client.post(url, {"takes_mentees": "yes"})
    mentoring.refresh_from_db()
    assert mentoring.takes_mentees


def test_only_the_mentor_changes_their_availability(
    client_for: Any, mentoring: Participant, setup: Any
) -> None:
    personas = setup.personas
    page = reverse("participant_availability", args=[mentoring.pk])
    switch = reverse("participant_takes_mentees", args=[mentoring.pk])
    for who, status in (
        (personas.manager, 403),
        (personas.sponsor, 403),
        (personas.mentee, 403),
        (personas.outsider, 404),
    ):
        assert client_for(who).get(page).status_code == status
        assert client_for(who).post(switch, {"takes_mentees": "no"}).status_code == status
        assert client_for(who).post(page, {"places": "0"}).status_code == status
    mentoring.refresh_from_db()
    assert mentoring.takes_mentees and mentoring.places is None


def test_a_mentee_has_no_places_to_offer(client_for: Any, setup: Any) -> None:
    mentee = Participant.objects.create(
        programme=setup.programme,
        person=setup.personas.people["junior"],
        user=setup.personas.mentee,
        role="mentee",
        status="ready",
    )
    url = reverse("participant_availability", args=[mentee.pk])
    assert client_for(setup.personas.mentee).get(url).status_code == 404
    with pytest.raises(ValidationError, match="Only mentors"):
        availability.participant_availability_set(
            participant=mentee, actor=setup.personas.mentee, takes_mentees=False
        )


def test_staff_see_a_mentors_availability(client_for: Any, mentoring: Participant) -> None:
    availability.participant_availability_set(
        participant=mentoring, actor=mentoring.user, takes_mentees=False
    )
    url = reverse("participant_detail", args=[mentoring.programme_id, mentoring.pk])
    page = client_for(mentoring.programme.managers.get()).get(url)
    assert "No more mentees for now." in page.content.decode()
