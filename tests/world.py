"""A programme with one of everything, for the whole-product guards.

Every persona of `conftest.make_personas`, plus a second mentee, takes part; the programme
manager is also the mentor of a pair, so what staff may see of a pair they belong to is
tested too. Every private text is written through the services, each with a unique
marker, together with the personas who may read it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import Personas, make_person, make_personas
from mentora.accounts import services as accounts_services
from mentora.accounts.models import Membership, Role, User
from mentora.events import services as event_services
from mentora.people import services as people_services
from mentora.people.models import OrgUnit, OrgUnitKind
from mentora.privacy import services as privacy_services
from mentora.privacy.models import RetentionRun
from mentora.programmes.models import GoalMeasure, Participant
from mentora.programmes.services import design, questionnaire
from mentora.programmes.services import guests as guest_services
from mentora.programmes.services.goals import goal_add
from mentora.relationships.models import Closure, FlashSlot, Meeting, Pair
from mentora.relationships.services import (
    checkins,
    closure,
    experts,
    feedback,
    flash,
    meetings,
    pauses,
    support,
    workspace,
)
from mentora.rounds.models import Introduction
from mentora.rounds.services import proposals, rounds
from mentora.scim import services as scim_services
from mentora.surveys import services as survey_services
from mentora.surveys.models import Instrument, QuestionKind

MARKER_PREFIX = "Zq"
# The calendar links of the world's people: only their hashes are stored, so the crawler
# finds the tokens here.
CALENDAR_TOKENS: list[str] = []
# Who may read which private text. Staff who run the programme but are not in the pair.
STAFF = frozenset({"admin", "org_admin", "manager"})


@dataclass(frozen=True)
class Marker:
    token: str
    what: str
    readers: frozenset[str]


@dataclass
class World:
    personas: Personas
    users: dict[str, Any]
    programme: Any
    expert_programme: Any
    pairs: dict[str, Any]
    markers: list[Marker] = field(default_factory=list)
    # Guests invited by e-mail, who have no account (and so no inbox) yet.
    guest_addresses: list[str] = field(default_factory=list)

    def mark(self, what: str, readers: set[str] | frozenset[str]) -> str:
        """A unique, letters-only token: it survives HTML escaping and PDF text extraction,
        and every token starts with the same prefix, so any of them is easy to look for."""
        number, suffix = len(self.markers), ""
        for _ in range(3):
            number, digit = divmod(number, 26)
            suffix = chr(ord("a") + digit) + suffix
        words = "".join(ch for ch in what.title() if ch.isalpha())
        # Long enough that no random token or id can contain one by chance.
        token = f"{MARKER_PREFIX}{words}{suffix}Qz"
        self.markers.append(Marker(token, what, frozenset(readers)))
        return token

    def text(self, what: str, readers: set[str] | frozenset[str]) -> str:
        return f"{self.mark(what, readers)} is what I wrote"


def _person(org: Any, employee_id: str, first: str, last: str, **extra: Any) -> Any:
    return make_person(org, employee_id, first, last, languages=["en"], **{"level": 4, **extra})


def build_world() -> World:  # noqa: PLR0915 - one story, told in order

    personas = make_personas()
    org = personas.organisation
    today = timezone.localdate()
    now = timezone.now()
    mentee2 = User.objects.create_user(
        email="mentee2@test.example", password="pw", full_name="Pia Peer"
    )
    Membership.objects.create(user=mentee2, organisation=org, role=Role.MENTEE)
    users = {**personas.all(), "mentee2": mentee2}

    sales = OrgUnit.objects.create(organisation=org, name="Sales", kind=OrgUnitKind.DIVISION)
    field_team = OrgUnit.objects.create(
        organisation=org, parent=sales, name="Field", kind=OrgUnitKind.TEAM
    )
    hr = OrgUnit.objects.create(organisation=org, name="People", kind=OrgUnitKind.DIVISION)
    mo = _person(org, "M1", "Mo", "Mentor", org_unit=field_team, level=7, user=personas.mentor)
    maja = _person(org, "M2", "Maja", "Manager", org_unit=hr, level=7, user=personas.manager)
    tina = _person(org, "M3", "Tina", "Teammate", org_unit=hr, level=6)
    rolf = _person(org, "M4", "Rolf", "Ready", org_unit=hr, level=6)
    pia = _person(org, "E7", "Pia", "Peer", org_unit=field_team, level=2, user=mentee2)
    rita = _person(org, "E8", "Rita", "Ready", org_unit=field_team, level=2)

    programme = design.programme_create(
        organisation=org,
        actor=personas.manager,
        name="Graduates",
        purpose="Keep our graduates.",
        start_date=today - dt.timedelta(days=90),
        end_date=today + dt.timedelta(days=240),
    )
    goal_add(
        programme=programme,
        actor=personas.manager,
        text="90% retention after two years",
        measure=GoalMeasure.RETENTION,
        target=Decimal(90),
        horizon_months=24,
        primary=True,
    )
    programme.sponsors.add(personas.sponsor)
    questionnaire.touchpoint_add(
        programme=programme, kind="kickoff", date=today - dt.timedelta(days=80), actor=None
    )
    event = event_services.event_create(
        programme=programme,
        title="Kick-off",
        starts_at=now + dt.timedelta(days=10),
        actor=personas.manager,
        capacity=20,
    )
    questionnaire.question_add(
        programme=programme,
        role="mentee",
        text="What do you want to learn?",
        kind="ranked_themes",
        choices=["Leadership", "Networking"],
        maps_to="themes",
        actor=personas.manager,
    )

    def participant(person: Any, role: str, status: str) -> Participant:
        return Participant.objects.create(
            programme=programme,
            person=person,
            user=person.user,
            role=role,
            status=status,
            profile={"themes": ["leadership"], "preferences": [], "capacity": 1},
        )

    junior = participant(personas.people["junior"], "mentee", "active")
    mentor = participant(mo, "mentor", "active")
    pia_part = participant(pia, "mentee", "active")
    maja_part = participant(maja, "mentor", "active")
    tina_part = participant(tina, "mentor", "ready")
    participant(rita, "mentee", "ready")
    rolf_part = participant(rolf, "mentor", "ready")
    event_services.event_register(event=event, participant=junior, actor=personas.mentee)

    started = now - dt.timedelta(days=60)
    pair_a = Pair.objects.create(
        programme=programme, mentee=junior, mentor=mentor, started_at=started
    )
    pair_c = Pair.objects.create(
        programme=programme, mentee=pia_part, mentor=tina_part, started_at=started
    )
    world = World(
        personas=personas,
        users=users,
        programme=programme,
        expert_programme=None,
        pairs={"A": pair_a, "C": pair_c},
    )
    # Pia ended her first match without blame; the reason is for the programme team.
    proposals.pair_end(
        pair=pair_c,
        actor=mentee2,
        reason=world.text("end reason of pair C", {"mentee2"} | STAFF),
    )
    pair_b = Pair.objects.create(
        programme=programme, mentee=pia_part, mentor=maja_part, started_at=started
    )
    world.pairs["B"] = pair_b

    for name, pair, mentee_user, mentor_user, mentee_key, mentor_key in (
        ("A", pair_a, personas.mentee, personas.mentor, "mentee", "mentor"),
        ("B", pair_b, mentee2, personas.manager, "mentee2", "manager"),
    ):
        members = {mentee_key, mentor_key}
        outside_staff = STAFF - members
        workspace.agreement_save(
            pair=pair,
            actor=mentee_user,
            meeting_frequency="Every third week",
            planned_meetings=8,
            learning_goals=world.text(f"agreement learning goals of pair {name}", members),
            ways_of_working=world.text(f"agreement ways of working of pair {name}", members),
            confidentiality=True,
            not_recruitment=True,
            end_date=today + dt.timedelta(days=200),
            after_end=world.text(f"agreement after the end of pair {name}", members),
        )
        held = meetings.meeting_schedule(
            pair=pair, actor=mentee_user, starts_at=now + dt.timedelta(hours=2)
        )
        coming = meetings.meeting_schedule(
            pair=pair, actor=mentor_user, starts_at=now + dt.timedelta(days=7)
        )
        for meeting, when in ((held, "held"), (coming, "coming")):
            for part, author, side in (
                ("agenda", mentee_user, "mentee"),
                ("notes", mentor_user, "mentor"),
                ("follow_up", mentor_user, "mentor"),
            ):
                meetings.meeting_write(
                    meeting=meeting,
                    actor=author,
                    part=part,
                    text=world.text(f"{side} {part} of {when} meeting of pair {name}", members),
                )
        Meeting.objects.filter(pk=held.pk).update(starts_at=now - dt.timedelta(days=3))
        held.refresh_from_db()
        for author, side in ((mentee_user, "mentee"), (mentor_user, "mentor")):
            meetings.meeting_write(
                meeting=held,
                actor=author,
                part="reflection",
                text=world.text(f"{side} reflection on the meeting of pair {name}", members),
            )
        workspace.goal_add(
            pair=pair,
            actor=mentee_user,
            theme="Leading without authority",
            description=world.text(f"goal description of pair {name}", members),
        )
        for direction, author, readers in (
            ("mentor_to_mentee", mentor_user, members),
            ("mentee_to_mentor", mentee_user, members),
            ("mentee_to_manager", mentee_user, {mentee_key} | outside_staff),
            ("mentor_to_manager", mentor_user, {mentor_key} | outside_staff),
        ):
            feedback.feedback_give(
                pair=pair,
                actor=author,
                direction=direction,
                text=world.text(f"feedback {direction} in pair {name}", readers),
            )
        closure.closure_submit(
            pair=pair,
            actor=mentee_user,
            reflection=world.text(f"closing reflection of pair {name}", members),
            continuation="stay_in_touch",
            thanks=world.text(f"closing thanks of pair {name}", members),
        )
        closure.story_submit(
            pair=pair,
            actor=mentee_user,
            title=world.mark(f"story title of pair {name}", {mentee_key} | outside_staff),
            text=world.text(f"story text of pair {name}", {mentee_key} | outside_staff),
            consent=True,
        )
    # "Did you meet?": Mo answered for pair A's last meeting, Jo has not yet; Pia paused pair
    # B; pair A climbed the escalation ladder once before its last meeting.
    last_of_a = pair_a.meetings.filter(starts_at__lt=now).latest("starts_at")
    checkins.checkin_record(meeting=last_of_a, participant=mentor, answer="met")
    pauses.pause_start(
        pair=pair_b, actor=mentee2, until=today + dt.timedelta(days=20), reason="busy_season"
    )
    support.escalation_take(
        pair=pair_a, step="nudge", quiet_since=started, now=now - dt.timedelta(days=10)
    )
    feedback.feedback_give(
        pair=pair_a,
        actor=personas.line_manager,
        direction="line_manager_to_mentee",
        text=world.text("line manager feedback", {"line_manager", "mentee"}),
    )
    # What the programme team notes about a pair is never shown to its members.
    support.follow_up_record(
        pair=pair_a,
        actor=personas.manager,
        held_on=today,
        note=world.text("follow-up note on pair A", STAFF),
    )
    support.follow_up_record(
        pair=pair_b,
        actor=personas.org_admin,
        held_on=today,
        note=world.text("follow-up note on pair B", STAFF - {"manager"}),
    )

    # A matching round waiting for review, and an introduction Pia declined.
    matching_round = rounds.round_run(
        round_id=rounds.round_start(programme=programme, actor=personas.manager).pk
    )
    Introduction.objects.create(
        matching_round=matching_round,
        mentee=pia_part,
        mentor=rolf_part,
        score=0.5,
        status="declined",
        mentee_answer="declined",
        decline_reason=world.text("introduction decline reason", {"mentee2"} | STAFF),
        expires_at=now + dt.timedelta(days=5),
    )

    # A survey with a free-text question, answered by both mentees.
    instrument = (
        Instrument.objects.filter(source="builtin", questions__kind=QuestionKind.TEXT)
        .distinct()
        .first()
    )
    survey = survey_services.survey_schedule(
        programme=programme,
        instrument=instrument,
        wave="midway",
        roles=["mentee", "mentor"],
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=14),
        actor=personas.manager,
    )
    for key, user in (("mentee", personas.mentee), ("mentee2", mentee2)):
        invitation = survey.invitations.get(user=user)
        answers = {}
        for question in survey.instrument.questions_for(invitation.role):
            if question.kind == QuestionKind.TEXT:
                answers[question.pk] = world.text(f"survey free text of {key}", {key})
            elif question.kind == QuestionKind.SCALE:
                answers[question.pk] = 4
        survey_services.response_submit(
            invitation=invitation, answers=answers, actor=user, language="en"
        )

    # Two questions of the programme's own, so that their pages are visited.
    for text in ("Which site are you at?", "What helped most?"):
        survey_services.custom_question_add(
            programme=programme,
            kind=QuestionKind.TEXT,
            text_en=text,
            text_da="",
            audience=["mentee", "mentor"],
            actor=personas.manager,
        )

    # A pair that has closed, with its diploma and certificate.
    carl = _person(org, "E9", "Carl", "Closed", org_unit=hr, level=2)
    pair_d = Pair.objects.create(
        programme=programme,
        mentee=participant(carl, "mentee", "completed"),
        mentor=mentor,
        started_at=started,
        ended_at=now - dt.timedelta(days=1),
    )
    Closure.objects.create(
        pair=pair_d,
        mentee_continuation="clean_end",
        mentor_continuation="clean_end",
        mentee_done_at=now - dt.timedelta(days=1),
        mentor_done_at=now - dt.timedelta(days=1),
    )
    world.pairs["D"] = pair_d

    # A SCIM token an identity provider provisions the organisation with.
    scim_services.token_create(organisation=org, name="Entra ID", actor=personas.org_admin)

    # An HR import checked and waiting to be applied.
    people_services.import_upload(
        organisation=org,
        uploaded=SimpleUploadedFile(
            "hr.csv", b"employee_id,first_name,last_name\nN1,Nina,New\n", "text/csv"
        ),
        full=False,
        mapping={},
        actor=personas.org_admin,
    )
    design.programme_update(programme=programme, actor=personas.manager, applications_open=True)
    world.expert_programme = _expert_network(personas, org, today, now)
    _flash_mentoring(world, mo, now)
    # Pia is invited to the expert network and has not applied yet.
    Participant.objects.create(
        programme=world.expert_programme,
        person=pia,
        user=mentee2,
        role="mentee",
        status="invited",
    )
    _integrations(personas)
    # Guests from outside the HR data: one applying through the public link, one invited
    # and not yet arrived (whose invitation link the crawler opens).
    guest_services.guest_apply(
        programme=programme,
        email="volunteer@elsewhere.example",
        full_name="Vera Volunteer",
        role="mentor",
        language="en",
    )
    world.guest_addresses = ["alumna@elsewhere.example"]
    guest_services.guest_invite(
        programme=programme,
        email="alumna@elsewhere.example",
        full_name="Alma Alumna",
        role="mentor",
        language="en",
        actor=personas.manager,
    )
    _data_requests(world, rolf_part)
    _data_protection(personas)
    return world


# Someone erased from the world: none of these may be found anywhere afterwards.
ERASED_NAME = "Erna Eraseme"
ERASED_EMAIL = "erna.eraseme@test.example"
ERASED_EMPLOYEE_ID = "ERASE-77"


def _data_requests(world: World, mentor: Participant) -> None:
    """Jo's copy of her data, ready to download; Erna, who took part in a pair with
    Rolf, had an inbox, a copy of her data and entries in the audit log, has been
    erased."""
    from mentora.notifications.models import Notification
    from mentora.subject_requests.services import person_erase
    from mentora.subject_requests.services import requests as subject_requests

    personas = world.personas
    org = personas.organisation
    user = User.objects.create_user(email=ERASED_EMAIL, password="pw", full_name=ERASED_NAME)
    Membership.objects.create(user=user, organisation=org, role=Role.MENTEE)
    erna = _person(org, ERASED_EMPLOYEE_ID, "Erna", "Eraseme", email=ERASED_EMAIL, user=user)
    people_services.person_update(
        person=erna, values={"job_title": "Analyst"}, actor=personas.org_admin, source="test"
    )
    participant = Participant.objects.create(
        programme=world.programme, person=erna, user=user, role="mentee", status="left"
    )
    # She left the organisation, ending her pair; it stays for Rolf.
    Pair.objects.create(
        programme=world.programme,
        mentee=participant,
        mentor=mentor,
        started_at=timezone.now() - dt.timedelta(days=120),
        ended_at=timezone.now() - dt.timedelta(days=100),
        end_cause="mentee_left",
    )
    # Her own inbox goes with her (an entry with no e-mail, so no inbox is left unmatched).
    Notification.objects.create(user=user, kind="test", subject="Welcome", channel="inbox")
    subject_requests.access_request_run(
        request_id=subject_requests.access_request_create(person=erna, actor=user).pk
    )
    person_erase(person_id=erna.pk, actor=personas.org_admin)
    jo = personas.people["junior"]
    subject_requests.access_request_run(
        request_id=subject_requests.access_request_create(person=jo, actor=personas.mentee).pk
    )


def _data_protection(personas: Personas) -> None:
    """The organisation's retention schedule and contacts, and a report of last night's
    retention run (its consents were recorded as the world was built)."""
    privacy_services.privacy_settings_update(
        organisation=personas.organisation,
        actor=personas.org_admin,
        pair_text_months=18,
        controller_name="Acme Energy A/S",
        requests_contact="privacy@acme.example",
    )
    RetentionRun.objects.create(
        organisation=personas.organisation,
        counts={"pair_texts": 2, "import_files": 1, "leavers": 1, "audit": 40},
    )


def _integrations(personas: Personas) -> None:
    """A webhook with a delivery in its log, and an API token of each kind. Made last, so
    that the world's own events queue nothing for the worker to send."""
    from mentora.api.services import token_create
    from mentora.webhooks.models import SUBSCRIBABLE, Delivery, DeliveryStatus, Webhook

    webhook = Webhook.objects.create(
        organisation=personas.organisation, url="http://127.0.0.1:9/hook", events=SUBSCRIBABLE
    )
    Delivery.objects.create(
        webhook=webhook,
        event="webhook.test",
        payload={"organisation": personas.organisation.slug, "webhook_id": webhook.pk},
        status=DeliveryStatus.FAILED,
        attempts=1,
        response_status=500,
        response_body="Internal error",
    )
    token_create(actor=personas.mentor, name="Pair tracker", scopes=["pairs:read"])
    token_create(
        actor=personas.org_admin,
        name="HR sync",
        scopes=["people:read", "programmes:read"],
        organisation=personas.organisation,
    )


def _expert_network(personas: Personas, org: Any, today: dt.date, now: dt.datetime) -> Any:

    programme = design.programme_create(
        organisation=org,
        actor=personas.manager,
        name="Experts",
        purpose="Connect learners with experts.",
        kind="expert_network",
        # An expert network is evergreen: learners join at any time, so its intake rolls.
        rolling=True,
        start_date=today - dt.timedelta(days=30),
    )
    expert = Participant.objects.create(
        programme=programme,
        person=personas.people["boss"],
        role="mentor",
        status="ready",
        profile={"themes": ["energy"], "capacity": 3},
    )
    learner = Participant.objects.create(
        programme=programme,
        person=personas.people["junior"],
        user=personas.mentee,
        role="mentee",
        status="ready",
        profile={"themes": ["energy"]},
    )
    experts.expert_connect(
        programme=programme, learner=learner, expert=expert, theme="energy", actor=None
    )
    return programme


def _flash_mentoring(world: World, mo: Any, now: dt.datetime) -> None:
    """Mo (the mentor persona) is also an expert of the network and offers three times:
    Jo books one, and had a conversation last week that she has not rated yet. The
    mentee and the mentor have calendar links."""
    personas = world.personas
    programme = world.expert_programme
    expert = Participant.objects.create(
        programme=programme,
        person=mo,
        user=personas.mentor,
        role="mentor",
        status="ready",
        profile={"themes": ["energy"]},
    )
    learner = Participant.objects.get(programme=programme, user=personas.mentee)
    slots = [
        flash.flash_slot_publish(
            expert=expert,
            actor=personas.mentor,
            starts_at=now + dt.timedelta(days=days),
            duration_minutes=30,
            place="Room 4",
            link="https://meet.example/mo" if days % 2 else "",
        )
        for days in (3, 4, 5)
    ]
    flash.flash_book(slot=slots[0], learner=learner, actor=personas.mentee)
    held = flash.flash_book(slot=slots[1], learner=learner, actor=personas.mentee)
    FlashSlot.objects.filter(pk=held.slot_id).update(starts_at=now - dt.timedelta(days=7))
    CALENDAR_TOKENS.clear()
    for user in (personas.mentee, personas.mentor):
        CALENDAR_TOKENS.append(accounts_services.calendar_feed_renew(user=user, actor=user))
