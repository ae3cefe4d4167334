"""Demo matching: the graduate programme's first intake was matched and published ten days
after the programme started; the exchange's round ran two days ago and waits for review.
Dates come from the demo calendar. Deterministic and idempotent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from mentora.accounts.models import Organisation, User
from mentora.demo.calendar import DemoCalendar
from mentora.demo.participants import THEMES, free_staff, participant_add
from mentora.demo.programmes import EXCHANGE, GRADUATE, find_programme, partner_person
from mentora.people.models import OrgUnit, Person
from mentora.programmes.models import (
    Participant,
    ParticipantEvent,
    ParticipantRole,
    ParticipantStatus,
    Programme,
)
from mentora.relationships.models import Pair
from mentora.rounds.models import MatchingRound
from mentora.rounds.services import proposals, rounds

S = ParticipantStatus


def _run(
    programme: Programme, manager: User, *, at: dt.datetime, published: dt.datetime | None
) -> None:
    """Run (and publish) the programme's first round, dated as if done at `at`."""
    if MatchingRound.objects.filter(programme=programme).exists():
        return
    matching_round = rounds.round_start(programme=programme, actor=manager)
    matching_round = rounds.round_run(round_id=matching_round.pk)
    MatchingRound.objects.filter(pk=matching_round.pk).update(
        created_at=at, finished_at=at + dt.timedelta(minutes=2)
    )
    if published is None or matching_round.status != "done":
        return
    pairs = proposals.round_publish(matching_round=matching_round, actor=manager)
    # Publishing happened "now"; the demo's pairs started on the day it was published.
    Pair.objects.filter(pk__in=[p.pk for p in pairs]).update(started_at=published)
    matched = [p.mentee_id for p in pairs] + [p.mentor_id for p in pairs]
    ParticipantEvent.objects.filter(participant_id__in=matched, to_status=S.MATCHED).update(
        at=published
    )
    Participant.objects.filter(pk__in=matched, status=S.MATCHED).update(status_changed_at=published)


@transaction.atomic
def seed_rounds(*, organisation: Organisation, calendar: DemoCalendar | None = None) -> None:
    calendar = calendar or DemoCalendar.for_today()
    manager = User.objects.get(email="manager@example.org")
    graduate = find_programme(organisation, GRADUATE)
    exchange = find_programme(organisation, EXCHANGE)
    if graduate is None or exchange is None:
        raise RuntimeError("Seed the demo programmes first.")
    if not MatchingRound.objects.filter(programme=graduate).exists():
        _graduate_cohort(organisation, graduate, calendar, manager)
        _run(graduate, manager, at=calendar.graduate_round, published=calendar.graduate_matched)
        _late_joiners(organisation, graduate, calendar, manager)
    if not MatchingRound.objects.filter(programme=exchange).exists():
        _exchange_cohort(organisation, exchange, calendar, manager)
        _run(exchange, manager, at=calendar.exchange_round, published=None)


def _graduate_cohort(
    organisation: Organisation, graduate: Programme, calendar: DemoCalendar, manager: User
) -> None:
    """The first intake, prepared before the start and ready for the first round."""
    invited = calendar.graduate_invited
    free = free_staff(organisation, employed_on=invited.date())
    mentors = [p for p in free if (p.level or 0) in (5, 6)][:6]
    mentees = [p for p in free if (p.level or 0) in (1, 2)][:12]
    mentor_cohort = [
        (
            person,
            ParticipantRole.MENTOR,
            {"themes": [THEMES[n % len(THEMES)], THEMES[(n + 2) % len(THEMES)]]},
        )
        for n, person in enumerate(mentors)
    ]
    _ready_add(graduate, mentor_cohort, manager, invited=invited, first_index=100)
    mentee_cohort: list[tuple[Person, str, dict[str, Any]]] = []
    for n, person in enumerate(mentees):
        # Half the mentees name the mentor they would like, as real applicants do.
        wish = [str(mentors[(n * 5) % len(mentors)].pk)] if n % 2 == 0 and mentors else []
        profile = {
            "themes": [THEMES[n % len(THEMES)]],
            "preferences": wish,
            "goals": "Find my feet and build a network across the company.",
        }
        mentee_cohort.append((person, ParticipantRole.MENTEE, profile))
    _ready_add(graduate, mentee_cohort, manager, invited=invited)


def _late_joiners(
    organisation: Organisation, graduate: Programme, calendar: DemoCalendar, manager: User
) -> None:
    """Two mentees of the first intake whose line managers approved them late: prepared
    before the start, ready only after the first round, so they wait for the next one."""
    invited = calendar.graduate_invited
    late = [
        p for p in free_staff(organisation, employed_on=invited.date()) if (p.level or 0) in (1, 2)
    ][:2]
    _ready_add(
        graduate,
        [(p, ParticipantRole.MENTEE, {"themes": ["Networking"], "preferences": []}) for p in late],
        manager,
        invited=invited + dt.timedelta(days=2),
        at={S.READY: calendar.graduate_matched + dt.timedelta(days=2)},
    )


# Newcomers to the exchange, ready to be matched across the three organisations.
EXCHANGE_READY: dict[str, list[tuple[str, str, str, int]]] = {
    "fjordkraft": [
        ("R1", "Astrid", "Holm", 6),
        ("R2", "Leon", "Falk", 2),
        ("R3", "Vera", "Juhl", 2),
    ],
    "havnlogistik": [
        ("R1", "Pernille", "Vestergaard", 6),
        ("R2", "Mikkel", "Thorsen", 2),
        ("R3", "Lise", "Lauridsen", 2),
    ],
}


def _exchange_cohort(
    organisation: Organisation, exchange: Programme, calendar: DemoCalendar, manager: User
) -> None:
    # At home, colleagues not yet in any programme; the partners add a few newcomers.
    invited = calendar.exchange_invited
    free = list(reversed(free_staff(organisation, employed_on=invited.date())))
    home = [p for p in free if (p.level or 0) in (5, 6)][:1] + [
        p for p in free if (p.level or 0) in (1, 2)
    ][:2]
    cohort: list[tuple[Person, int]] = [(person, n) for n, person in enumerate(home)]
    partners = Organisation.objects.filter(
        pk__in=exchange.contributions.values("organisation")
    ).exclude(pk=organisation.pk)
    for n, org in enumerate(partners, start=1):
        unit = OrgUnit.objects.filter(organisation=org).order_by("pk").first()
        for suffix, first, last, level in EXCHANGE_READY.get(org.slug, []):
            person = partner_person(
                org,
                f"X{org.slug[:3].upper()}{suffix}",
                calendar,
                first_name=first,
                last_name=last,
                level=level,
                org_unit=unit,
                languages=["da", "no", "en"],
                timezone="Europe/Copenhagen",
            )
            cohort.append((person, n + level))
    ready = [
        (
            person,
            ParticipantRole.MENTOR if (person.level or 0) >= 5 else ParticipantRole.MENTEE,
            {"themes": [THEMES[theme % len(THEMES)]], "preferences": []},
        )
        for person, theme in cohort
    ]
    _ready_add(exchange, ready, manager, invited=invited, first_index=500)


def _ready_add(
    programme: Programme,
    cohort: Iterable[tuple[Person, str, dict[str, Any]]],
    manager: User,
    *,
    invited: dt.datetime,
    first_index: int = 0,
    **values: Any,
) -> None:
    """Each (person, role, profile) of `cohort` as a participant ready for a round; their
    invitations went out ten minutes apart from `invited`."""
    for n, (person, role, profile) in enumerate(cohort):
        participant_add(
            programme=programme,
            person=person,
            role=role,
            status=S.READY,
            invited_at=invited + dt.timedelta(minutes=10 * n),
            actor=manager,
            index=first_index + n,
            profile=profile,
            **values,
        )
