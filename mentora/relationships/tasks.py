from collections.abc import Collection
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django_tasks import task

from mentora.notifications.mail import Attachment, absolute
from mentora.notifications.services import notify
from mentora.programmes.models import Participant
from mentora.programmes.services.reminders import manager_users
from mentora.relationships.calendar import flash_ics, meeting_ics
from mentora.relationships.checkin_links import checkin_token
from mentora.relationships.health import pair_health
from mentora.relationships.models import (
    ExpertConnection,
    FlashBooking,
    Meeting,
    Pair,
    PairEndCause,
    Pause,
    PeerGroup,
    Tool,
    ToolKind,
)
from mentora.relationships.toolbox import phase_of, tools_for


def pair_with_people(pair_id: int) -> Pair:
    """The pair with its programme, and both people with their accounts, for a message."""
    return Pair.objects.select_related(
        "programme", "mentee__person", "mentee__user", "mentor__person", "mentor__user"
    ).get(pk=pair_id)


def notify_both(
    first: Participant,
    second: Participant,
    *,
    template: str,
    context: dict[str, Any],
    link: str,
    attachments: list[Attachment] | None = None,
    passing_over: Collection[Participant] = (),
) -> int:
    """Tell each of two people about the other (``me`` and ``other`` in the template's
    context), each in their own language; one without an account, or in ``passing_over``,
    is not told. Returns how many were told."""
    sent = 0
    for me, other in ((first, second), (second, first)):
        if me.user is None or me in passing_over:
            continue
        notify(
            user=me.user,
            template=template,
            context={**context, "me": me, "other": other},
            link=link,
            attachments=attachments,
        )
        sent += 1
    return sent


@task()
def send_group_welcome(group_id: int) -> int:
    group = PeerGroup.objects.select_related("programme").get(pk=group_id)
    members = list(group.members.select_related("person", "user"))
    sent = 0
    for member in members:
        if member.user is None:
            continue
        others = [m.person.full_name for m in members if m.pk != member.pk]
        notify(
            user=member.user,
            template="relationships/email/group_welcome",
            context={"group": group, "programme": group.programme, "others": others},
            link=reverse("my_matching"),
        )
        sent += 1
    return sent


@task()
def send_meeting_invitation(meeting_id: int, cancelled: bool = False) -> int:
    """The calendar invitation (or update, or cancellation) to both, each in their language
    and with the time shown in their own time zone."""

    meeting = Meeting.objects.select_related(
        "pair__programme",
        "pair__mentee__user",
        "pair__mentee__person",
        "pair__mentor__user",
        "pair__mentor__person",
    ).get(pk=meeting_id)
    ics = meeting_ics(meeting, cancelled=cancelled)
    return notify_both(
        meeting.pair.mentee,
        meeting.pair.mentor,
        template="relationships/email/meeting",
        context={
            "meeting": meeting,
            "cancelled": cancelled,
            "updated": meeting.sequence > 0 and not cancelled,
        },
        link=reverse("pair_workspace", args=[meeting.pair_id]),
        attachments=[
            ("meeting.ics", ics, "text/calendar; method=" + ("CANCEL" if cancelled else "REQUEST"))
        ],
    )


@task()
def send_agenda_reminder(meeting_id: int) -> bool:

    meeting = Meeting.objects.select_related("pair__mentee__user", "pair__mentor__person").get(
        pk=meeting_id
    )
    mentee = meeting.pair.mentee
    if mentee.user is None or meeting.agenda:
        return False
    notify(
        user=mentee.user,
        template="relationships/email/agenda_reminder",
        context={"meeting": meeting, "other": meeting.pair.mentor},
        link=reverse("pair_workspace", args=[meeting.pair_id]),
    )
    return True


def suggested_tool(pair: Pair) -> Tool | None:
    """A tool from the programme's toolbox for the pair's phase: questions or an agenda
    meant for that phase first, then one for any time."""
    phase = phase_of(pair_health(pair).elapsed)
    tools = [t for t in tools_for(pair.programme, phase) if t.kind != ToolKind.ROLE]
    tools.sort(key=lambda t: (t.phase != phase, t.position, t.pk))
    return tools[0] if tools else None


@task()
def send_nudge(pair_id: int) -> int:
    """The ladder's first step: a friendly reminder to both, with a tool for their phase."""
    pair = pair_with_people(pair_id)
    return notify_both(
        pair.mentee,
        pair.mentor,
        template="relationships/email/nudge",
        context={"pair": pair, "tool": suggested_tool(pair)},
        link=reverse("pair_workspace", args=[pair.pk]),
    )


@task()
def send_mentor_note(pair_id: int) -> bool:
    """The ladder's second step: a personal note to the mentor, who owns the process."""
    pair = pair_with_people(pair_id)
    if pair.mentor.user is None:
        return False
    notify(
        user=pair.mentor.user,
        template="relationships/email/mentor_note",
        context={"pair": pair, "other": pair.mentee, "programme": pair.programme},
        link=reverse("pair_workspace", args=[pair.pk]),
    )
    return True


@task()
def send_meeting_checkin(meeting_id: int) -> int:
    """'Did you meet?' to both, each with their own signed link."""
    meeting = Meeting.objects.select_related(
        "pair__mentee__user", "pair__mentee__person", "pair__mentor__user", "pair__mentor__person"
    ).get(pk=meeting_id)
    pair = meeting.pair
    sent = 0
    for me, other in ((pair.mentee, pair.mentor), (pair.mentor, pair.mentee)):
        if me.user is None:
            continue
        answer_url = absolute(reverse("checkin_link", args=[checkin_token(meeting, me)]))
        notify(
            user=me.user,
            template="relationships/email/meeting_checkin",
            context={"meeting": meeting, "other": other, "answer_url": answer_url},
            link=reverse("pair_workspace", args=[pair.pk]) + "#checkin-heading",
        )
        sent += 1
    return sent


@task()
def send_pause_notice(pause_id: int) -> bool:
    """Tell the partner that the pair is paused, until when and for what kind of reason."""
    pause = Pause.objects.select_related(
        "participant__person", "pair__mentee__user", "pair__mentor__user"
    ).get(pk=pause_id)
    pair = pause.pair
    partner = pair.mentor if pause.participant_id == pair.mentee_id else pair.mentee
    if partner.user is None:
        return False
    notify(
        user=partner.user,
        template="relationships/email/pause",
        context={"pause": pause, "other": pause.participant},
        link=reverse("pair_workspace", args=[pair.pk]),
    )
    return True


@task()
def send_checkin_request(pair_id: int) -> int:
    """Ask both how it is going, with a link to the feedback in their workspace."""
    pair = pair_with_people(pair_id)
    return notify_both(
        pair.mentee,
        pair.mentor,
        template="relationships/email/checkin_request",
        context={"pair": pair, "programme": pair.programme},
        link=reverse("pair_workspace", args=[pair.pk]) + "#feedback-heading",
    )


@task()
def send_expert_connected(connection_id: int) -> int:
    """Introduce the learner and the expert to each other, each in their language."""

    connection = ExpertConnection.objects.select_related(
        "programme", "learner__user", "learner__person", "expert__user", "expert__person"
    ).get(pk=connection_id)
    sent = 0
    for me, other, as_expert in (
        (connection.learner, connection.expert, False),
        (connection.expert, connection.learner, True),
    ):
        if me.user is None:
            continue
        notify(
            user=me.user,
            template="relationships/email/expert_connected",
            context={"connection": connection, "other": other, "as_expert": as_expert},
            link=reverse("my_experts"),
        )
        sent += 1
    return sent


@task()
def send_expert_quiet_check(expert_id: int) -> bool:
    """Ask a quiet expert how it is going with their learners."""

    expert = Participant.objects.select_related("user", "programme").get(pk=expert_id)
    if expert.user is None:
        return False
    connections = expert.expert_connections_as_expert.filter(closed_at__isnull=True).select_related(
        "learner__person"
    )
    notify(
        user=expert.user,
        template="relationships/email/expert_quiet",
        context={"expert": expert, "programme": expert.programme, "connections": connections},
        link=reverse("my_experts"),
    )
    return True


@task()
def send_partner_left(pair_id: int) -> int:
    """Tell the partner who stays, kindly, that the pair ended because the other left the
    organisation. Returns how many were told (0 or 1)."""
    pair = pair_with_people(pair_id)
    mentee_left = pair.end_cause == PairEndCause.MENTEE_LEFT
    partner, leaver = (pair.mentor, pair.mentee) if mentee_left else (pair.mentee, pair.mentor)
    if partner.user is None:
        return 0
    notify(
        user=partner.user,
        template="relationships/email/partner_left",
        context={"pair": pair, "programme": pair.programme, "me": partner, "other": leaver},
        link=reverse("my_programmes"),
    )
    return 1


@task()
def send_participant_left(participant_id: int) -> int:
    """Tell the programme's managers that a participant left the organisation, and how
    many of their pairs ended. Returns how many were told."""
    participant = Participant.objects.select_related("programme", "person").get(pk=participant_id)
    ended = (
        Pair.objects.filter(end_cause__in=[PairEndCause.MENTEE_LEFT, PairEndCause.MENTOR_LEFT])
        .filter(Q(mentee=participant) | Q(mentor=participant))
        .count()
    )
    managers = manager_users(participant.programme)
    for manager in managers:
        notify(
            user=manager,
            template="relationships/email/participant_left",
            context={
                "participant": participant,
                "programme": participant.programme,
                "pairs_ended": ended,
            },
            link=reverse("programme_pairs", args=[participant.programme_id]),
        )
    return len(managers)


def _flash_booking(booking_id: int) -> FlashBooking:
    return FlashBooking.objects.select_related(
        "slot__expert__programme",
        "slot__expert__user",
        "slot__expert__person",
        "learner__user",
        "learner__person",
    ).get(pk=booking_id)


@task()
def send_flash_invitation(booking_id: int) -> int:
    """The invitation to a flash conversation as it now stands (booked, moved or
    cancelled) to the learner and the expert, each in their language."""
    booking = _flash_booking(booking_id)
    cancelled = not booking.is_active
    return notify_both(
        booking.learner,
        booking.slot.expert,
        template="relationships/email/flash",
        context={
            "booking": booking,
            "slot": booking.slot,
            "cancelled": cancelled,
            "updated": booking.sequence > 0 and not cancelled,
        },
        link=reverse("my_experts"),
        attachments=[
            (
                "flash.ics",
                flash_ics(booking),
                "text/calendar; method=" + ("CANCEL" if cancelled else "REQUEST"),
            )
        ],
    )


@task()
def send_flash_followup(booking_id: int) -> bool:
    """Ask the learner the one question after a flash conversation: was it useful?"""
    booking = _flash_booking(booking_id)
    if booking.learner.user is None or not booking.is_active or booking.usefulness is not None:
        return False
    notify(
        user=booking.learner.user,
        template="relationships/email/flash_followup",
        context={"booking": booking, "other": booking.slot.expert},
        link=reverse("my_experts") + "#flash-heading",
    )
    return True
