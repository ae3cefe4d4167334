"""Who may see a pair, its workspace and what it writes, its stories, and expert
connections. What a pair writes is for its two members only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from mentora.accounts.access import Viewer, is_platform_admin, refuse, roles_in_any
from mentora.people.models import label_related
from mentora.programmes.access import (
    access_programme,
    can_manage_programme,
    can_view_programme,
    is_line_manager_of,
    line_manager_participations,
)
from mentora.programmes.models import (
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Programme,
    ProgrammeKind,
)
from mentora.relationships.checkin_links import checkin_token_read
from mentora.relationships.models import (
    CheckIn,
    ExpertConnection,
    FlashBooking,
    FlashSlot,
    Goal,
    Meeting,
    Pair,
    Pause,
    Story,
)

# Participations that no longer take part book nothing.
NOT_TAKING_PART_STATUSES = [ParticipantStatus.DECLINED, ParticipantStatus.WITHDRAWN]


def _member_or_manager_or_refuse(
    user: Viewer, member_ids: Iterable[int], programme: Programme
) -> None:
    # The two people the object is about (mentee and mentor, learner and expert).
    if user.is_authenticated and user.pk in member_ids:
        return
    # Those running the programme follow every pair and connection.
    if can_manage_programme(user, programme):
        return
    # Sponsors, line managers and colleagues in the programme's organisations may not look.
    refuse(user, programme.organisation_ids())


def _member_or_refuse(user: Viewer, pair: Pair) -> None:
    # The mentee and the mentor: the only people who see what the pair writes.
    if user.is_authenticated and user.pk in pair.member_user_ids():
        return
    # Managers and sponsors know the pair exists; they may not look inside.
    if can_view_programme(user, pair.programme):
        raise PermissionDenied
    # Line managers and colleagues: 403; outsiders: 404.
    refuse(user, pair.programme.organisation_ids())


def _pairs() -> QuerySet[Pair]:
    return Pair.objects.select_related(
        "programme__organisation", "mentee__person", "mentor__person"
    )


def access_pair(user: Viewer, pair_id: int) -> Pair:
    """A published pair: its two members and those running the programme.

    Anyone else in a taking-part organisation gets 403, outsiders 404.
    """
    pair = get_object_or_404(_pairs(), pk=pair_id)
    _member_or_manager_or_refuse(user, pair.member_user_ids(), pair.programme)
    return pair


def access_pair_as_manager(user: Viewer, pair_id: int) -> Pair:
    """A pair, for those running its programme: facts and follow-ups, never its texts."""
    pair = get_object_or_404(_pairs(), pk=pair_id)
    access_programme(user, pair.programme_id, write=True)
    return pair


def access_workspace(user: Viewer, pair_id: int) -> Pair:
    """The pair's workspace (agreement, meetings, notes, goals): the two of them only."""
    pair = get_object_or_404(_pairs().select_related("mentee__user", "mentor__user"), pk=pair_id)
    _member_or_refuse(user, pair)
    return pair


def access_pair_for_feedback(user: Viewer, pair_id: int) -> Pair:
    """A pair to give feedback in: its two members, or the mentee's line manager."""
    pair = get_object_or_404(_pairs(), pk=pair_id)
    # The line manager gives feedback to the mentee, and reads nothing of the pair's.
    if is_line_manager_of(user, pair.mentee):
        return pair
    _member_or_refuse(user, pair)
    return pair


def access_meeting(user: Viewer, meeting_id: int) -> Meeting:
    """A meeting of a pair, with its confidential texts: the two of them only."""
    meeting = get_object_or_404(
        Meeting.objects.select_related(
            "pair__programme__organisation", "pair__mentee__person", "pair__mentor__person"
        ),
        pk=meeting_id,
    )
    _member_or_refuse(user, meeting.pair)
    return meeting


def access_goal(user: Viewer, goal_id: int) -> Goal:
    """A learning theme of a pair, to update its progress: the two of them only."""
    goal = get_object_or_404(
        Goal.objects.select_related("pair__programme__organisation"), pk=goal_id
    )
    _member_or_refuse(user, goal.pair)
    return goal


def line_manager_pairs(user: Viewer) -> QuerySet[Pair]:
    """Active pairs whose mentee reports to `user`: for their themes and progress only."""
    return Pair.objects.active().filter(mentee__in=line_manager_participations(user))


def team_goal_pairs(user: Viewer) -> QuerySet[Pair]:
    """What a line manager follows of their reports' active pairs: the mentee, the
    programme and the learning themes with their progress (one query for each)."""
    return (
        line_manager_pairs(user)
        .select_related("programme", *label_related("mentee__person"))
        .prefetch_related("goals")
    )


def access_programme_stories(user: Viewer, programme_id: int) -> Programme:
    """The programme's published stories: for everyone in a taking-part organisation,
    since they recruit the next cohort; outsiders get 404."""
    programme = get_object_or_404(Programme.objects.select_related("organisation"), pk=programme_id)
    if is_platform_admin(user) or can_view_programme(user, programme):
        return programme
    if roles_in_any(user, programme.organisation_ids()):
        return programme
    raise Http404


def access_story(user: Viewer, story_id: int) -> Story:
    """A story to approve or decline: those running the programme only, and never about a
    pair they are a member of themselves."""
    story = get_object_or_404(
        Story.objects.select_related("pair__programme", "pair__mentee", "pair__mentor"),
        pk=story_id,
    )
    access_programme(user, story.pair.programme_id, write=True)
    # A colleague decides on a story about the decider's own pair.
    if user.pk in story.pair.member_user_ids():
        raise PermissionDenied
    return story


def access_expert_connection(user: Viewer, connection_id: int) -> ExpertConnection:
    """An expert connection and its activity: the learner, the expert and those running the
    programme. Anyone else in a taking-part organisation gets 403, outsiders 404."""
    connection = get_object_or_404(
        ExpertConnection.objects.select_related(
            "programme__organisation", "learner__person", "expert__person"
        ),
        pk=connection_id,
    )
    _member_or_manager_or_refuse(user, connection.member_user_ids(), connection.programme)
    return connection


def expert_connections_of(user: Viewer) -> QuerySet[ExpertConnection]:
    """The expert connections `user` takes part in, as learner or as expert."""
    if not user.is_authenticated:
        return ExpertConnection.objects.none()
    return ExpertConnection.objects.filter(
        Q(learner__user_id=user.pk) | Q(expert__user_id=user.pk)
    ).select_related(
        "programme", *label_related("learner__person"), *label_related("expert__person")
    )


def _flash_slots() -> QuerySet[FlashSlot]:
    return FlashSlot.objects.select_related(
        "expert__programme__organisation", "expert__person", "expert__user"
    )


def access_flash_slot(user: Viewer, slot_id: int) -> FlashSlot:
    """A flash slot to move or withdraw: its expert and those running the programme.
    Anyone else in a taking-part organisation gets 403, outsiders 404."""
    slot = get_object_or_404(_flash_slots(), pk=slot_id)
    expert_ids = {slot.expert.user_id} if slot.expert.user_id else set()
    _member_or_manager_or_refuse(user, expert_ids, slot.expert.programme)
    return slot


def access_flash_slot_to_book(user: Viewer, slot_id: int) -> tuple[FlashSlot, Participant]:
    """A flash slot to book, with the booker's own participation as a learner in the
    slot's programme. Anyone else in a taking-part organisation gets 403, outsiders 404."""
    slot = get_object_or_404(_flash_slots(), pk=slot_id)
    programme = slot.expert.programme
    # Only a learner of the same programme books; managers book nothing for others.
    learner = (
        Participant.objects.filter(
            programme=programme, role=ParticipantRole.MENTEE, user_id=user.pk
        ).first()
        if user.is_authenticated and user.pk is not None
        else None
    )
    if learner is None:
        refuse(user, programme.organisation_ids())
    return slot, learner


def access_flash_booking(user: Viewer, booking_id: int) -> FlashBooking:
    """A booked flash conversation: the learner, the expert and those running the
    programme. Anyone else in a taking-part organisation gets 403, outsiders 404."""
    booking = get_object_or_404(
        FlashBooking.objects.select_related(
            "slot__expert__programme__organisation", "learner__person", "slot__expert__person"
        ),
        pk=booking_id,
    )
    _member_or_manager_or_refuse(user, booking.member_user_ids(), booking.slot.expert.programme)
    return booking


def flash_bookings_of(user: Viewer) -> QuerySet[FlashBooking]:
    """The flash conversations `user` takes part in, as learner or as expert."""
    if not user.is_authenticated:
        return FlashBooking.objects.none()
    return FlashBooking.objects.filter(
        Q(learner__user_id=user.pk) | Q(slot__expert__user_id=user.pk)
    ).select_related(
        "slot__expert__programme",
        *label_related("learner__person"),
        *label_related("slot__expert__person"),
    )


def flash_slots_of(user: Viewer) -> QuerySet[FlashSlot]:
    """The slots `user` offers as an expert."""
    if not user.is_authenticated:
        return FlashSlot.objects.none()
    return FlashSlot.objects.filter(expert__user_id=user.pk).select_related("expert__programme")


def flash_slots_to_book(user: Viewer) -> QuerySet[FlashSlot]:
    """Free, future slots of other people's expertise in the expert networks where
    `user` is a learner."""
    if not user.is_authenticated:
        return FlashSlot.objects.none()
    learning_in = Participant.objects.filter(
        user_id=user.pk, role=ParticipantRole.MENTEE, programme__kind=ProgrammeKind.EXPERT_NETWORK
    ).exclude(status__in=NOT_TAKING_PART_STATUSES)
    return (
        FlashSlot.objects.filter(
            expert__programme__in=learning_in.values("programme"),
            cancelled_at__isnull=True,
            starts_at__gt=timezone.now(),
        )
        .exclude(expert__user_id=user.pk)
        .exclude(pk__in=FlashBooking.objects.filter(cancelled_at__isnull=True).values("slot"))
        .select_related("expert__programme", *label_related("expert__person"))
    )


def access_pause(user: Viewer, pause_id: int) -> Pause:
    """A pause of a pair, to end it early: the two of them only."""
    pause = get_object_or_404(
        Pause.objects.select_related(
            "pair__programme__organisation", "pair__mentee__person", "pair__mentor__person"
        ),
        pk=pause_id,
    )
    _member_or_refuse(user, pause.pair)
    return pause


@dataclass(frozen=True)
class CheckInLink:
    """What a signed "Did you meet?" link names, and whether it can still be answered:
    `state` is "open", "used" (answered, or the meeting changed since), "closed" (the
    meeting was cancelled or the pair ended) or "expired" (then nothing else is known)."""

    state: str
    meeting: Meeting | None = None
    participant: Participant | None = None


def access_checkin_link(token: str) -> CheckInLink:
    """The meeting and member a signed link names, for whoever holds the link, without a
    log-in: it can record that member's one answer and shows nothing about the pair. A
    link we did not sign, or that names no member of the meeting's pair, is a 404."""
    try:
        data = checkin_token_read(token)
    except signing.SignatureExpired:
        return CheckInLink("expired")
    except signing.BadSignature as error:
        raise Http404 from error
    meeting = get_object_or_404(
        Meeting.objects.select_related(
            "pair__programme", "pair__mentee__user", "pair__mentor__user"
        ),
        pk=data["m"],
    )
    # Only the two members of the meeting's pair are ever sent a link.
    member = next(
        (m for m in (meeting.pair.mentee, meeting.pair.mentor) if m.pk == data["p"]), None
    )
    if member is None:
        raise Http404
    if meeting.cancelled_at is not None or not meeting.pair.is_active:
        return CheckInLink("closed", meeting, member)
    answered = CheckIn.objects.filter(
        meeting=meeting, participant=member, sequence=data["s"]
    ).exists()
    if answered or meeting.sequence != data["s"]:
        return CheckInLink("used", meeting, member)
    return CheckInLink("open", meeting, member)
