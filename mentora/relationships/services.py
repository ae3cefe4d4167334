"""Groups: peer groups formed by the engine, and mentoring groups in group programmes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentora.core.audit import audit_log
from mentora.core.submissions import submission_claim
from mentora.matching import form_groups
from mentora.people.models import label_related
from mentora.programmes.models import (
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Programme,
    ProgrammeKind,
)
from mentora.relationships.models import (
    Agreement,
    Closure,
    Continuation,
    ExpertActivity,
    ExpertActivityKind,
    ExpertConnection,
    Feedback,
    FeedbackDirection,
    FeedbackMoment,
    FollowUp,
    Goal,
    GroupKind,
    Meeting,
    MeetingMode,
    Pair,
    PeerGroup,
    Recording,
    Story,
    StoryStatus,
    SupportSettings,
    Tool,
)
from mentora.rounds.problem import build_input

# Who is grouped for each kind of group.
ROLE_FOR: dict[str, str] = {
    GroupKind.MENTEE_PEERS: ParticipantRole.MENTEE,
    GroupKind.ACTION_LEARNING: ParticipantRole.MENTEE,
    GroupKind.MENTOR_SUPERVISION: ParticipantRole.MENTOR,
}
ELIGIBLE = [ParticipantStatus.READY, ParticipantStatus.MATCHED, ParticipantStatus.ACTIVE]


@transaction.atomic
def groups_form(
    *, programme: Programme, kind: str, min_size: int, max_size: int, actor: Any
) -> tuple[list[PeerGroup], list[Participant]]:
    """Form diverse groups that never break a hard rule between two members; replaces the
    unpublished groups of that kind. Returns the groups and who could not be placed."""
    if kind not in ROLE_FOR:
        raise ValidationError(_("Choose a kind of peer group."))
    if not 2 <= min_size <= max_size <= 12:
        raise ValidationError(_("Group sizes run from 2 to 12, the smallest first."))
    people = list(
        Participant.objects.filter(programme=programme, role=ROLE_FOR[kind], status__in=ELIGIBLE)
    )
    if len(people) < min_size:
        raise ValidationError(_("There are too few participants to form a group."))
    data = build_input(programme, participants=people)
    side = data.mentees if ROLE_FOR[kind] == ParticipantRole.MENTEE else data.mentors
    members = (
        data.problem.mentees if ROLE_FOR[kind] == ParticipantRole.MENTEE else (data.problem.mentors)
    )
    policy = dataclasses.replace(
        data.policy,
        groups=dataclasses.replace(
            data.policy.groups,
            min_size=min_size,
            max_size=max_size,
            one_per_organisation=kind == GroupKind.ACTION_LEARNING,
        ),
    )
    groups, left_out = form_groups(members=members, policy=policy, problem=data.problem)
    PeerGroup.objects.filter(programme=programme, kind=kind, published=False).delete()
    start = (
        PeerGroup.objects.filter(programme=programme, kind=kind)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
        or 0
    )
    created = []
    for offset, group in enumerate(groups, start=1):
        peer_group = PeerGroup.objects.create(
            programme=programme, kind=kind, number=start + offset, explanation=group.explanation
        )
        peer_group.members.set([side[member_id] for member_id in group.member_ids])
        created.append(peer_group)
    audit_log(
        actor=actor,
        action="relationships.groups.form",
        obj=programme,
        organisation=programme.organisation,
        changes={"kind": kind, "groups": len(created), "left_out": len(left_out)},
    )
    return created, [side[item.mentee_id] for item in left_out]


@transaction.atomic
def groups_publish(*, programme: Programme, kind: str, actor: Any) -> int:
    """Publish the draft groups of a kind and tell every member who is in their group."""
    from mentora.relationships import tasks

    drafts = list(PeerGroup.objects.filter(programme=programme, kind=kind, published=False))
    if not drafts:
        raise ValidationError(_("There are no draft groups to publish."))
    for group in drafts:
        group.published = True
        group.save(update_fields=["published"])
        transaction.on_commit(partial(tasks.send_group_welcome.enqueue, group.pk))
    audit_log(
        actor=actor,
        action="relationships.groups.publish",
        obj=programme,
        organisation=programme.organisation,
        changes={"kind": kind, "groups": len(drafts)},
    )
    return len(drafts)


def mentoring_groups_create(*, programme: Programme, pairs: list[Any]) -> list[PeerGroup]:
    """In a group programme, a mentor and the mentees just matched with them form a group."""
    by_mentor: dict[int, list[Any]] = {}
    for pair in pairs:
        by_mentor.setdefault(pair.mentor_id, []).append(pair)
    start = (
        PeerGroup.objects.filter(programme=programme, kind=GroupKind.MENTORING)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
        or 0
    )
    created = []
    for offset, mentor_pairs in enumerate(by_mentor.values(), start=1):
        group = PeerGroup.objects.create(
            programme=programme, kind=GroupKind.MENTORING, number=start + offset, published=True
        )
        group.members.set([mentor_pairs[0].mentor] + [p.mentee for p in mentor_pairs])
        created.append(group)
    return created


# The pair's workspace ------------------------------------------------------------------------
#
# What the pair writes (agenda, notes, follow-up, reflections) never goes into the audit
# log, e-mails to others or any page but the pair's own: only the fact that it changed.

AGREEMENT_FIELDS = (
    "meeting_frequency",
    "planned_meetings",
    "learning_goals",
    "ways_of_working",
    "confidentiality",
    "not_recruitment",
    "end_date",
    "after_end",
)
MEETING_TEXTS = ("agenda", "notes", "follow_up", "reflection")


def pair_side(pair: Pair, user: Any) -> str | None:
    """ "mentee" or "mentor" when `user` is one of the pair, else None."""
    user_id = getattr(user, "pk", None)
    if user_id is None:
        return None
    if pair.mentee.user_id == user_id:
        return "mentee"
    if pair.mentor.user_id == user_id:
        return "mentor"
    return None


def _member_side(pair: Pair, actor: Any) -> str:
    side = pair_side(pair, actor)
    if side is None:
        raise ValidationError(_("Only the mentee and the mentor can do this."))
    if not pair.is_active:
        raise ValidationError(_("This match has ended."))
    return side


def _pair_audit(actor: Any, action: str, obj: Any, pair: Pair, **changes: Any) -> None:
    audit_log(
        actor=actor,
        action=action,
        obj=obj,
        organisation=pair.programme.organisation,
        changes=changes,
    )


@transaction.atomic
def agreement_save(
    *, pair: Pair, actor: Any, submission: uuid.UUID | None = None, **values: Any
) -> Agreement:
    """Write the agreement, or change it: every change is a new version both sign again."""
    _member_side(pair, actor)
    submission_claim(token=submission, user=actor)
    unknown = set(values) - set(AGREEMENT_FIELDS)
    if unknown:
        raise ValueError(f"Not an agreement field: {', '.join(sorted(unknown))}")
    if not (values.get("confidentiality") and values.get("not_recruitment")):
        raise ValidationError(
            _(
                "The agreement must state confidentiality both ways and that the programme is "
                "not a recruitment channel."
            )
        )
    latest = pair.agreements.order_by("-version").first()
    agreement = Agreement.objects.create(
        pair=pair, version=(latest.version + 1) if latest else 1, created_by=actor, **values
    )
    _pair_audit(actor, "relationships.agreement.save", agreement, pair, version=agreement.version)
    return agreement


@transaction.atomic
def agreement_sign(*, agreement: Agreement, actor: Any) -> Agreement:
    side = _member_side(agreement.pair, actor)
    latest = agreement.pair.agreements.order_by("-version").first()
    if latest is None or latest.pk != agreement.pk:
        raise ValidationError(_("Only the latest version of the agreement can be signed."))
    field = f"{side}_signed_at"
    if getattr(agreement, field) is None:
        setattr(agreement, field, timezone.now())
        agreement.save(update_fields=[field])
        _pair_audit(actor, "relationships.agreement.sign", agreement, agreement.pair, side=side)
    return agreement


def _announce(meeting: Meeting, *, cancelled: bool = False) -> None:
    from mentora.relationships import tasks

    transaction.on_commit(partial(tasks.send_meeting_invitation.enqueue, meeting.pk, cancelled))


@transaction.atomic
def meeting_schedule(
    *,
    pair: Pair,
    actor: Any,
    starts_at: dt.datetime,
    duration_minutes: int = 60,
    mode: str = MeetingMode.IN_PERSON,
    place: str = "",
    link: str = "",
    submission: uuid.UUID | None = None,
) -> Meeting:
    """Plan a meeting; both get a calendar invitation in their own language."""
    _member_side(pair, actor)
    submission_claim(token=submission, user=actor)
    if timezone.is_naive(starts_at):
        raise ValueError("starts_at must carry its time zone")
    if mode == MeetingMode.ONLINE and not link:
        raise ValidationError(_("An online meeting needs a link."))
    meeting = Meeting.objects.create(
        pair=pair,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        mode=mode,
        place=place,
        link=link,
    )
    _pair_audit(actor, "relationships.meeting.schedule", meeting, pair)
    _announce(meeting)
    return meeting


@transaction.atomic
def meeting_move(
    *, meeting: Meeting, actor: Any, starts_at: dt.datetime, duration_minutes: int | None = None
) -> Meeting:
    """Move a meeting; the calendar invitation is updated (same UID, a higher sequence)."""
    _member_side(meeting.pair, actor)
    if meeting.cancelled_at:
        raise ValidationError(_("This meeting was cancelled."))
    meeting.starts_at = starts_at
    if duration_minutes:
        meeting.duration_minutes = duration_minutes
    meeting.sequence += 1
    meeting.save(update_fields=["starts_at", "duration_minutes", "sequence"])
    _pair_audit(actor, "relationships.meeting.move", meeting, meeting.pair)
    _announce(meeting)
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, actor: Any) -> Meeting:
    _member_side(meeting.pair, actor)
    meeting.cancelled_at = timezone.now()
    meeting.sequence += 1
    meeting.save(update_fields=["cancelled_at", "sequence"])
    _pair_audit(actor, "relationships.meeting.cancel", meeting, meeting.pair)
    _announce(meeting, cancelled=True)
    return meeting


@transaction.atomic
def meeting_write(*, meeting: Meeting, actor: Any, part: str, text: str) -> Meeting:
    """The mentee writes the agenda; both write notes and the follow-up; each their own
    reflection. Only the fact of the change is logged, never the text."""
    side = _member_side(meeting.pair, actor)
    if part not in MEETING_TEXTS:
        raise ValueError(f"Not a part of a meeting: {part}")
    if part == "agenda" and side != "mentee":
        raise ValidationError(_("The mentee owns the agenda."))
    if part == "reflection" and not meeting.is_past:
        raise ValidationError(_("You can reflect on a meeting once it has taken place."))
    field = f"{side}_reflection" if part == "reflection" else part
    setattr(meeting, field, text.strip())
    meeting.save(update_fields=[field])
    _pair_audit(actor, f"relationships.meeting.{part}", meeting, meeting.pair)
    return meeting


@transaction.atomic
def meeting_rate(*, meeting: Meeting, actor: Any, rating: int) -> Meeting:
    side = _member_side(meeting.pair, actor)
    if not 1 <= rating <= 5:
        raise ValidationError(_("Rate the meeting from 1 to 5."))
    if not meeting.is_past:
        raise ValidationError(_("A meeting can be rated once it has taken place."))
    field = f"{side}_rating"
    setattr(meeting, field, rating)
    meeting.save(update_fields=[field])
    _pair_audit(actor, "relationships.meeting.rate", meeting, meeting.pair)
    return meeting


@transaction.atomic
def goal_add(
    *,
    pair: Pair,
    actor: Any,
    theme: str,
    description: str = "",
    submission: uuid.UUID | None = None,
) -> Goal:
    _member_side(pair, actor)
    submission_claim(token=submission, user=actor)
    if not theme.strip():
        raise ValidationError(_("Name the theme."))
    goal = Goal.objects.create(pair=pair, theme=theme.strip(), description=description.strip())
    _pair_audit(actor, "relationships.goal.add", goal, pair, theme=goal.theme)
    return goal


@transaction.atomic
def goal_update(*, goal: Goal, actor: Any, progress: int) -> Goal:
    _member_side(goal.pair, actor)
    if not 0 <= progress <= 100:
        raise ValidationError(_("Progress runs from 0 to 100."))
    old = goal.progress
    goal.progress, goal.updated_at = progress, timezone.now()
    goal.save(update_fields=["progress", "updated_at"])
    _pair_audit(
        actor,
        "relationships.goal.progress",
        goal,
        goal.pair,
        progress={"old": old, "new": progress},
    )
    return goal


def agenda_reminders(*, now: dt.datetime | None = None, days_before: int = 3) -> int:
    """Remind mentees a few days before a meeting that has no agenda yet; once a meeting."""
    from mentora.relationships import tasks

    now = now or timezone.now()
    due = Meeting.objects.filter(
        cancelled_at__isnull=True,
        agenda="",
        agenda_reminded_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + dt.timedelta(days=days_before),
        pair__ended_at__isnull=True,
    )
    count = 0
    for meeting_id in list(due.values_list("pk", flat=True)):
        Meeting.objects.filter(pk=meeting_id).update(agenda_reminded_at=now)
        tasks.send_agenda_reminder.enqueue(meeting_id)
        count += 1
    return count


@transaction.atomic
def follow_up_record(
    *,
    pair: Pair,
    actor: Any,
    held_on: dt.date,
    channel: str = "",
    note: str = "",
    submission: uuid.UUID | None = None,
) -> FollowUp:
    """The manager's individual check-in with a pair."""
    submission_claim(token=submission, user=actor)
    follow_up = FollowUp.objects.create(
        pair=pair, manager=actor, held_on=held_on, channel=channel.strip(), note=note.strip()
    )
    _pair_audit(
        actor, "relationships.follow_up.record", follow_up, pair, held_on=held_on.isoformat()
    )
    return follow_up


@transaction.atomic
def support_settings_update(*, programme: Any, actor: Any, nudge_after_days: int) -> None:
    if not 0 <= nudge_after_days <= 365:
        raise ValidationError(_("Give between 0 (no nudges) and 365 days."))
    current, _created = SupportSettings.objects.get_or_create(programme=programme)
    if current.nudge_after_days != nudge_after_days:
        audit_log(
            actor=actor,
            action="relationships.settings.nudge",
            obj=current,
            organisation=programme.organisation,
            changes={
                "nudge_after_days": {"old": current.nudge_after_days, "new": nudge_after_days}
            },
        )
        current.nudge_after_days = nudge_after_days
        current.save(update_fields=["nudge_after_days"])


def pair_nudge(*, pair: Pair, actor: Any) -> None:
    """A friendly reminder to both to meet, with the conversation toolbox."""
    from mentora.relationships import tasks

    Pair.objects.filter(pk=pair.pk).update(nudged_at=timezone.now())
    _pair_audit(actor, "relationships.pair.nudge", pair, pair)
    transaction.on_commit(partial(tasks.send_nudge.enqueue, pair.pk))


def nudge_quiet_pairs(*, now: dt.datetime | None = None) -> int:
    """Nudge pairs that have not met for the programme's number of days (run daily)."""
    now = now or timezone.now()
    count = 0
    for pair in Pair.objects.active().select_related("programme__support_settings"):
        settings_row = getattr(pair.programme, "support_settings", None)
        days = settings_row.nudge_after_days if settings_row else 30
        if not days:
            continue
        last_meeting = (
            pair.meetings.filter(cancelled_at__isnull=True, starts_at__lt=now)
            .order_by("-starts_at")
            .values_list("starts_at", flat=True)
            .first()
        )
        quiet_since = last_meeting or pair.started_at
        recently_nudged = pair.nudged_at and pair.nudged_at > now - dt.timedelta(days=days)
        has_next = pair.meetings.filter(cancelled_at__isnull=True, starts_at__gte=now).exists()
        if quiet_since <= now - dt.timedelta(days=days) and not recently_nudged and not has_next:
            with transaction.atomic():
                pair_nudge(pair=pair, actor=None)
            count += 1
    return count


# Closure ------------------------------------------------------------------------------------


@transaction.atomic
def closure_submit(
    *,
    pair: Pair,
    actor: Any,
    reflection: str,
    continuation: str,
    thanks: str,
    submission: uuid.UUID | None = None,
) -> Closure:
    """One side's part of the closing: reflection, continuation wish and thanks. When both
    have closed, the pair ends and both are marked as having completed the programme."""
    from mentora.programmes import services as programme_services

    # Both sides may close at once: the pair's row decides who writes first.
    pair = (
        Pair.objects.select_for_update(of=("self",))
        .select_related("programme__organisation", "mentee", "mentor")
        .get(pk=pair.pk)
    )
    submission_claim(token=submission, user=actor)
    side = _member_side(pair, actor)
    refusals = pair.closure_refusals()
    if refusals:
        raise ValidationError(refusals)
    if continuation not in Continuation.values:
        raise ValidationError(_("Choose what happens after the programme."))
    closure, _created = Closure.objects.select_for_update().get_or_create(pair=pair)
    if getattr(closure, f"{side}_done_at"):
        raise ValidationError(_("Your part of the closing is already saved."))
    setattr(closure, f"{side}_reflection", reflection.strip())
    setattr(closure, f"{side}_continuation", continuation)
    setattr(closure, f"{side}_thanks", thanks.strip())
    setattr(closure, f"{side}_done_at", timezone.now())
    closure.save()
    _pair_audit(actor, "relationships.closure.submit", closure, pair, side=side)
    if closure.is_complete:
        pair.ended_at = timezone.now()
        pair.ended_by = actor
        pair.save(update_fields=["ended_at", "ended_by"])
        for participant in (pair.mentee, pair.mentor):
            # Matched pairs pass through "active" on their way to "completed".
            for status in ("active", "completed"):
                fresh = type(participant).objects.get(pk=participant.pk)
                if status in programme_services.allowed_transitions(fresh):
                    programme_services.participant_transition(
                        participant=fresh,
                        to_status=status,
                        actor=actor,
                        note=_("The pair closed its mentoring."),
                    )
        _pair_audit(actor, "relationships.pair.complete", pair, pair)
    return closure


@transaction.atomic
def story_submit(
    *,
    pair: Pair,
    actor: Any,
    title: str,
    text: str,
    consent: bool,
    submission: uuid.UUID | None = None,
) -> Story:
    _member_side_or_closed(pair, actor)
    submission_claim(token=submission, user=actor)
    if not consent:
        raise ValidationError(_("A story is shared only with your consent."))
    if not title.strip() or not text.strip():
        raise ValidationError(_("Give your story a title and a text."))
    story = Story.objects.create(
        pair=pair, author=actor, title=title.strip(), text=text.strip(), consent=True
    )
    _pair_audit(actor, "relationships.story.submit", story, pair)
    return story


def _member_side_or_closed(pair: Pair, actor: Any) -> str:
    side = pair_side(pair, actor)
    if side is None:
        raise ValidationError(_("Only the mentee and the mentor can do this."))
    return side


@transaction.atomic
def story_decide(*, story: Story, actor: Any, approve: bool) -> Story:
    story.status = StoryStatus.APPROVED if approve else StoryStatus.DECLINED
    story.decided_by = actor
    story.save(update_fields=["status", "decided_by"])
    _pair_audit(
        actor, "relationships.story." + ("approve" if approve else "decline"), story, story.pair
    )
    return story


def certificate_pdf(*, pair: Pair, side: str) -> bytes:
    """The mentee's diploma or the mentor's certificate of thanks, in the reader's language."""
    from django.template.loader import render_to_string
    from django.utils import translation
    from weasyprint import HTML

    participant = pair.mentee if side == "mentee" else pair.mentor
    language = participant.user.language if participant.user else "en"
    with translation.override(language):
        html = render_to_string(
            "relationships/certificate.html",
            {
                "pair": pair,
                "side": side,
                "participant": participant,
                "other": pair.mentor if side == "mentee" else pair.mentee,
                "ended": pair.ended_at or timezone.now(),
                "language": language,
            },
        )
    return HTML(string=html).write_pdf()


# Feedback, toolbox and recordings ------------------------------------------------------------

AUTHOR_OF: dict[str, str] = {
    FeedbackDirection.MENTOR_TO_MENTEE: "mentor",
    FeedbackDirection.MENTEE_TO_MENTOR: "mentee",
    FeedbackDirection.MENTEE_TO_MANAGER: "mentee",
    FeedbackDirection.MENTOR_TO_MANAGER: "mentor",
    FeedbackDirection.LINE_MANAGER_TO_MENTEE: "line_manager",
}


def _is_line_manager(user: Any, pair: Pair) -> bool:
    from mentora.accounts.access import is_line_manager_of

    return is_line_manager_of(user, pair.mentee)


@transaction.atomic
def feedback_give(
    *,
    pair: Pair,
    actor: Any,
    direction: str,
    text: str,
    moment: FeedbackMoment | None = None,
    submission: uuid.UUID | None = None,
) -> Feedback:
    """Give feedback in one direction; the author must be the one the direction names."""
    submission_claim(token=submission, user=actor)
    if direction not in AUTHOR_OF:
        raise ValidationError(_("Choose who the feedback is for."))
    author = AUTHOR_OF[direction]
    allowed = (
        _is_line_manager(actor, pair)
        if author == "line_manager"
        else pair_side(pair, actor) == author
    )
    if not allowed:
        raise ValidationError(_("You cannot give feedback in that direction."))
    if not text.strip():
        raise ValidationError(_("Write your feedback."))
    if moment is not None and moment.programme_id != pair.programme_id:
        raise ValidationError(_("That feedback moment belongs to another programme."))
    feedback = Feedback.objects.create(
        pair=pair, moment=moment, direction=direction, author=actor, text=text.strip()
    )
    _pair_audit(actor, "relationships.feedback.give", feedback, pair, direction=direction)
    return feedback


def feedback_visible_to(user: Any, pair: Pair) -> Any:
    """Feedback `user` may read in this pair: their own, and what is addressed to them."""
    from django.db.models import Q

    from mentora.accounts.access import can_manage_programme

    side = pair_side(pair, user)
    addressed = Q(pk__in=[])
    if side == "mentee":
        addressed = Q(
            direction__in=[
                FeedbackDirection.MENTOR_TO_MENTEE,
                FeedbackDirection.LINE_MANAGER_TO_MENTEE,
            ]
        )
    elif side == "mentor":
        addressed = Q(direction=FeedbackDirection.MENTEE_TO_MENTOR)
    elif can_manage_programme(user, pair.programme):
        addressed = Q(pk__in=pair.feedback.for_programme_team(user).values("pk"))
    return pair.feedback.filter(Q(author=user) | addressed)


@transaction.atomic
def feedback_moment_add(
    *, programme: Any, actor: Any, title: str, opens_on: dt.date
) -> FeedbackMoment:
    if not title.strip():
        raise ValidationError(_("Name the feedback moment."))
    moment = FeedbackMoment.objects.create(
        programme=programme, title=title.strip(), opens_on=opens_on
    )
    audit_log(
        actor=actor,
        action="relationships.feedback_moment.add",
        obj=moment,
        organisation=programme.organisation,
        changes={"title": moment.title},
    )
    return moment


@transaction.atomic
def tool_save(*, programme: Any, actor: Any, replaces: Tool | None = None, **values: Any) -> Tool:
    """Add a programme tool, or the programme's own version of a library tool."""
    required = ("kind", "phase", "title_en", "title_da", "body_en", "body_da")
    if any(not str(values.get(name, "")).strip() for name in required):
        raise ValidationError(_("Fill in the tool in both English and Danish."))
    if replaces is not None and replaces.programme_id is not None:
        raise ValidationError(_("Only a library tool can be replaced."))
    Tool.objects.filter(programme=programme, replaces=replaces).exclude(
        replaces__isnull=True
    ).delete()
    tool = Tool.objects.create(
        programme=programme,
        replaces=replaces,
        position=replaces.position if replaces else 500,
        **{name: values[name] for name in required},
    )
    audit_log(
        actor=actor,
        action="relationships.tool.save",
        obj=tool,
        organisation=programme.organisation,
        changes={"title": tool.title_en},
    )
    return tool


@transaction.atomic
def recording_consent(*, meeting: Meeting, actor: Any, delete_on: dt.date) -> Recording:
    """Consent to recording a meeting, with the date the recording is deleted. Changing the
    date asks the other person for consent again."""
    side = _member_side(meeting.pair, actor)
    if delete_on <= timezone.localdate():
        raise ValidationError(_("The deletion date must be in the future."))
    recording, created = Recording.objects.get_or_create(
        meeting=meeting, defaults={"delete_on": delete_on}
    )
    if not created and recording.delete_on != delete_on:
        recording.delete_on = delete_on
        recording.mentee_consent_at = recording.mentor_consent_at = None
    setattr(recording, f"{side}_consent_at", timezone.now())
    recording.save()
    _pair_audit(
        actor,
        "relationships.recording.consent",
        recording,
        meeting.pair,
        delete_on=delete_on.isoformat(),
    )
    return recording


@transaction.atomic
def recording_upload(*, meeting: Meeting, actor: Any, uploaded: Any) -> Recording:
    _member_side(meeting.pair, actor)
    recording = Recording.objects.filter(meeting=meeting).first()
    if recording is None or not recording.has_consent:
        raise ValidationError(_("A recording needs both participants' consent first."))
    recording.file = uploaded
    recording.save(update_fields=["file"])
    _pair_audit(actor, "relationships.recording.upload", recording, meeting.pair)
    return recording


def recordings_purge(*, today: dt.date | None = None) -> int:
    """Delete every recording whose agreed deletion date has come (run daily)."""
    today = today or timezone.localdate()
    count = 0
    for recording in Recording.objects.filter(delete_on__lte=today, deleted_at__isnull=True):
        if recording.file:
            recording.file.delete(save=False)
        recording.file = ""
        recording.deleted_at = timezone.now()
        recording.save(update_fields=["file", "deleted_at"])
        audit_log(
            actor=None,
            action="relationships.recording.delete",
            obj=recording,
            organisation=recording.meeting.pair.programme.organisation,
        )
        count += 1
    return count


# Expert networks ----------------------------------------------------------------------------

# An expert whose connections have seen no activity for this long is quiet, and is asked
# (at most once in as many days) how it is going.
QUIET_DAYS = 45
# Participations that no longer take part cannot be connected.
NOT_TAKING_PART = [ParticipantStatus.DECLINED, ParticipantStatus.WITHDRAWN]


def _expert_theme(expert: Participant, theme: str) -> str | None:
    """The expert's own spelling of `theme`, compared case-insensitively, or None."""
    wanted = theme.strip().casefold()
    for own in expert.themes():
        if str(own).strip().casefold() == wanted:
            return str(own).strip()
    return None


@transaction.atomic
def expert_connect(
    *, programme: Programme, learner: Participant, expert: Participant, theme: str, actor: Any
) -> ExpertConnection:
    """Put a learner in touch with an expert on one of the expert's themes, and tell both.
    A learner may be connected with several experts."""
    from mentora.relationships import tasks

    if programme.kind != ProgrammeKind.EXPERT_NETWORK:
        raise ValidationError(_("Learners are connected with experts only in expert networks."))
    if (
        learner.programme_id != programme.pk
        or learner.role != ParticipantRole.MENTEE
        or learner.status in NOT_TAKING_PART
    ):
        raise ValidationError(_("Choose a learner taking part in this programme."))
    if (
        expert.programme_id != programme.pk
        or expert.role != ParticipantRole.MENTOR
        or expert.status in NOT_TAKING_PART
    ):
        raise ValidationError(_("Choose an expert taking part in this programme."))
    if learner.person_id == expert.person_id:
        raise ValidationError(_("A learner cannot be their own expert."))
    own_theme = _expert_theme(expert, theme)
    if own_theme is None:
        raise ValidationError(_("Choose one of the expert's themes."))
    if ExpertConnection.objects.filter(
        learner=learner, expert=expert, theme=own_theme, closed_at__isnull=True
    ).exists():
        raise ValidationError(_("The learner is already connected with this expert on the theme."))
    connection = ExpertConnection.objects.create(
        programme=programme,
        learner=learner,
        expert=expert,
        theme=own_theme,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_log(
        actor=actor,
        action="relationships.expert.connect",
        obj=connection,
        organisation=programme.organisation,
        changes={"learner": learner.pk, "expert": expert.pk, "theme": own_theme},
    )
    transaction.on_commit(partial(tasks.send_expert_connected.enqueue, connection.pk))
    return connection


def _require_open_connection_party(connection: ExpertConnection, actor: Any, refusal: str) -> None:
    """The learner, the expert or a manager of the programme, on a connection still open;
    ``refusal`` says what the actor may not do. No actor (a script) is none of them."""
    from mentora.accounts.access import can_manage_programme

    allowed = actor is not None and (
        actor.pk in connection.member_user_ids()
        or can_manage_programme(actor, connection.programme)
    )
    if not allowed:
        raise ValidationError(refusal)
    if not connection.is_open:
        raise ValidationError(_("This connection has been closed."))


@transaction.atomic
def expert_activity_record(
    *,
    connection: ExpertConnection,
    actor: Any,
    kind: str,
    happened_on: dt.date,
    note: str = "",
    submission: uuid.UUID | None = None,
) -> ExpertActivity:
    """Record what happened in a connection: by the learner, the expert or a manager."""
    submission_claim(token=submission, user=actor)
    _require_open_connection_party(
        connection,
        actor,
        _("Only the learner, the expert or the programme manager can record activity."),
    )
    if kind not in ExpertActivityKind.values:
        raise ValidationError(_("Choose what kind of activity it was."))
    if happened_on > timezone.localdate():
        raise ValidationError(_("Record activity that has happened, not planned activity."))
    note = note.strip()
    if len(note) > 300:
        raise ValidationError(_("Keep the note to 300 characters."))
    activity = ExpertActivity.objects.create(
        connection=connection,
        kind=kind,
        happened_on=happened_on,
        note=note,
        recorded_by=actor,
    )
    # The note is left out of the audit log; the fact of the activity is enough there.
    audit_log(
        actor=actor,
        action="relationships.expert.activity",
        obj=activity,
        organisation=connection.programme.organisation,
        changes={"kind": kind, "happened_on": happened_on.isoformat()},
    )
    return activity


@dataclasses.dataclass
class ExpertSummary:
    expert: Participant
    connections: int
    activities_30: int
    activities_90: int
    last_activity: dt.date | None
    quiet: bool


def _quiet_since(connections: list[ExpertConnection], last_activity: dt.date | None) -> dt.date:
    # A fresh connection is not quiet yet: count from the newest one when nothing happened
    # since.
    newest = max(timezone.localdate(c.created_at) for c in connections)
    return max(newest, last_activity) if last_activity else newest


def expert_activity_summary(
    programme: Programme, *, today: dt.date | None = None
) -> list[ExpertSummary]:
    """Per expert of the programme: open connections, activities in the last 30 and 90 days,
    the last activity, and whether they have been quiet for QUIET_DAYS."""
    today = today or timezone.localdate()
    experts = (
        Participant.objects.filter(programme=programme, role=ParticipantRole.MENTOR)
        .exclude(status__in=NOT_TAKING_PART)
        .select_related(*label_related("person"))
        .order_by("person__last_name", "person__first_name", "pk")
    )
    connections: dict[int, list[ExpertConnection]] = {}
    for connection in ExpertConnection.objects.filter(programme=programme, closed_at__isnull=True):
        connections.setdefault(connection.expert_id, []).append(connection)
    dates: dict[int, list[dt.date]] = {}
    for expert_id, happened_on in ExpertActivity.objects.filter(
        connection__programme=programme
    ).values_list("connection__expert_id", "happened_on"):
        dates.setdefault(expert_id, []).append(happened_on)
    summary = []
    for expert in experts:
        own = dates.get(expert.pk, [])
        last = max(own) if own else None
        open_connections = connections.get(expert.pk, [])
        quiet = bool(open_connections) and (
            _quiet_since(open_connections, last) <= today - dt.timedelta(days=QUIET_DAYS)
        )
        summary.append(
            ExpertSummary(
                expert=expert,
                connections=len(open_connections),
                activities_30=sum(1 for d in own if d > today - dt.timedelta(days=30)),
                activities_90=sum(1 for d in own if d > today - dt.timedelta(days=90)),
                last_activity=last,
                quiet=quiet,
            )
        )
    return summary


def experts_check_quiet(*, now: dt.datetime | None = None) -> int:
    """Ask every quiet expert how it is going, at most once in QUIET_DAYS (run daily).
    Returns how many experts were asked."""
    from mentora.relationships import tasks

    now = now or timezone.now()
    today = timezone.localdate(now)
    by_expert: dict[int, list[ExpertConnection]] = {}
    for connection in ExpertConnection.objects.filter(
        closed_at__isnull=True, programme__kind=ProgrammeKind.EXPERT_NETWORK
    ).exclude(expert__status__in=NOT_TAKING_PART):
        by_expert.setdefault(connection.expert_id, []).append(connection)
    count = 0
    for expert_id, connections in by_expert.items():
        asked = [c.quiet_check_sent_at for c in connections if c.quiet_check_sent_at]
        if asked and max(asked) > now - dt.timedelta(days=QUIET_DAYS):
            continue
        last = (
            ExpertActivity.objects.filter(connection__in=connections)
            .order_by("-happened_on")
            .values_list("happened_on", flat=True)
            .first()
        )
        if _quiet_since(connections, last) > today - dt.timedelta(days=QUIET_DAYS):
            continue
        with transaction.atomic():
            ExpertConnection.objects.filter(pk__in=[c.pk for c in connections]).update(
                quiet_check_sent_at=now
            )
            transaction.on_commit(partial(tasks.send_expert_quiet_check.enqueue, expert_id))
        count += 1
    return count


@transaction.atomic
def expert_disconnect(*, connection: ExpertConnection, actor: Any) -> ExpertConnection:
    """End a connection, by the learner, the expert or a manager; its activity is kept."""
    _require_open_connection_party(
        connection,
        actor,
        _("Only the learner, the expert or the programme manager can end a connection."),
    )
    connection.closed_at = timezone.now()
    connection.save(update_fields=["closed_at"])
    audit_log(
        actor=actor,
        action="relationships.expert.disconnect",
        obj=connection,
        organisation=connection.programme.organisation,
    )
    return connection
