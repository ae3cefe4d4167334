"""Demo matching: the graduate programme's ready cohort is matched and published, the
exchange programme has a round waiting for review. Deterministic and idempotent."""

from __future__ import annotations

from django.db import transaction

from mentora.accounts.models import Organisation, User
from mentora.people.models import Person
from mentora.programmes.demo import EXCHANGE, GRADUATE, THEMES
from mentora.programmes.models import Participant, ParticipantRole, Programme
from mentora.rounds import services
from mentora.rounds.models import MatchingRound


def _ready(programme: Programme, person: Person, role: str, profile: dict[str, object]) -> None:
    Participant.objects.get_or_create(
        programme=programme,
        person=person,
        role=role,
        defaults={"user": person.user, "status": "ready", "profile": profile},
    )


def _run(programme: Programme, manager: User, *, publish: bool) -> None:
    if MatchingRound.objects.filter(programme=programme).exists():
        return
    matching_round = services.round_start(programme=programme, actor=manager)
    matching_round = services.round_run(round_id=matching_round.pk)
    if publish and matching_round.status == "done":
        services.round_publish(matching_round=matching_round, actor=manager)


@transaction.atomic
def seed_rounds(*, organisation: Organisation) -> None:
    manager = User.objects.get(email="manager@example.org")
    graduate = Programme.objects.get(organisation=organisation, name=GRADUATE)
    exchange = Programme.objects.get(organisation=organisation, name=EXCHANGE)
    if not MatchingRound.objects.filter(programme=graduate).exists():
        taken = set(
            Participant.objects.filter(programme__organisation=organisation).values_list(
                "person_id", flat=True
            )
        )
        free = (
            Person.objects.filter(organisation=organisation, user__isnull=True)
            .exclude(pk__in=taken)
            .order_by("employee_id")
        )
        mentors = [p for p in free if (p.level or 0) in (5, 6)][:6]
        mentees = [p for p in free if (p.level or 0) in (1, 2)][:12]
        for n, person in enumerate(mentors):
            _ready(
                graduate,
                person,
                ParticipantRole.MENTOR,
                {
                    "themes": [THEMES[n % len(THEMES)], THEMES[(n + 2) % len(THEMES)]],
                    "capacity": 2,
                    "preferences": [],
                    "exclusions": [],
                },
            )
        for n, person in enumerate(mentees):
            # Half the mentees name the mentor they would like, as real applicants do.
            wish = [str(mentors[(n * 5) % len(mentors)].pk)] if n % 2 == 0 and mentors else []
            _ready(
                graduate,
                person,
                ParticipantRole.MENTEE,
                {
                    "themes": [THEMES[n % len(THEMES)]],
                    "preferences": wish,
                    "exclusions": [],
                    "goals": "Find my feet and build a network across the company.",
                },
            )
    _run(graduate, manager, publish=True)
    # Late joiners, ready for the next round.
    taken = set(
        Participant.objects.filter(programme__organisation=organisation).values_list(
            "person_id", flat=True
        )
    )
    late = (
        Person.objects.filter(organisation=organisation, user__isnull=True, level__in=[1, 2])
        .exclude(pk__in=taken)
        .order_by("employee_id")[:2]
    )
    for person in late:
        _ready(
            graduate,
            person,
            ParticipantRole.MENTEE,
            {"themes": ["Networking"], "preferences": [], "exclusions": []},
        )
    if not MatchingRound.objects.filter(programme=exchange).exists():
        _exchange_cohort(organisation, exchange)
    _run(exchange, manager, publish=False)


# Newcomers to the exchange, ready to be matched across the three organisations.
EXCHANGE_READY = [("R1", "Astrid", "Holm", 6), ("R2", "Leon", "Falk", 2), ("R3", "Vera", "Juhl", 2)]


def _exchange_cohort(organisation: Organisation, exchange: Programme) -> None:
    from mentora.people.models import OrgUnit

    # At home, colleagues not yet in any programme; the partners add a few newcomers.
    taken = set(
        Participant.objects.filter(programme__organisation=organisation).values_list(
            "person_id", flat=True
        )
    )
    free = (
        Person.objects.filter(organisation=organisation, user__isnull=True)
        .exclude(pk__in=taken)
        .order_by("-employee_id")
    )
    home = [p for p in free if (p.level or 0) in (5, 6)][:1] + [
        p for p in free if (p.level or 0) in (1, 2)
    ][:2]
    for n, person in enumerate(home):
        role = ParticipantRole.MENTOR if (person.level or 0) >= 5 else ParticipantRole.MENTEE
        _ready(
            exchange,
            person,
            role,
            {
                "themes": [THEMES[n % len(THEMES)]],
                "preferences": [],
                "exclusions": [],
                "capacity": 1 if role == ParticipantRole.MENTOR else None,  # the programme maximum
            },
        )
    partners = Organisation.objects.filter(
        pk__in=exchange.contributions.values("organisation")
    ).exclude(pk=organisation.pk)
    for n, org in enumerate(partners, start=1):
        unit = OrgUnit.objects.filter(organisation=org).order_by("pk").first()
        for suffix, first, last, level in EXCHANGE_READY:
            person, _created = Person.objects.get_or_create(
                organisation=org,
                employee_id=f"X{org.slug[:3].upper()}{suffix}",
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "level": level,
                    "org_unit": unit,
                    "languages": ["da", "no", "en"],
                    "timezone": "Europe/Copenhagen",
                },
            )
            role = ParticipantRole.MENTOR if level >= 5 else ParticipantRole.MENTEE
            _ready(
                exchange,
                person,
                role,
                {
                    "themes": [THEMES[(n + level) % len(THEMES)]],
                    "preferences": [],
                    "exclusions": [],
                    "capacity": 1
                    if role == ParticipantRole.MENTOR
                    else None,  # the programme maximum
                },
            )
