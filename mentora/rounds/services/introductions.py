""" "Mutual opt-in": each proposal is an introduction both must accept; a decline or
silence brings the next one."""

from __future__ import annotations

import dataclasses
import datetime as dt
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentora.core.audit import audit_log
from mentora.matching import (
    match,
)
from mentora.programmes.models import Participant, ParticipantRole, ParticipantStatus
from mentora.relationships.models import INTRODUCTION_REMINDER_DAYS, SupportSettings
from mentora.rounds import tasks
from mentora.rounds.models import (
    Answer,
    Introduction,
    IntroductionStatus,
    MatchingRound,
    RoundStatus,
    UnmatchedParticipant,
)
from mentora.rounds.problem import (
    build_input,
    contributions_as_json,
    pairs_at_work,
)
from mentora.rounds.quality import quality_forget
from mentora.rounds.services.proposals import _checked_proposals, _pair_make
from mentora.rounds.services.rounds import _editable, _in_mode


def _introduction_create(
    matching_round: MatchingRound,
    mentee: Participant,
    mentor: Participant,
    *,
    score: float,
    contributions: list[dict[str, Any]],
) -> Introduction:
    """Introduce two people, to answer within the round's days; both are asked once the
    change commits."""
    introduction = Introduction.objects.create(
        matching_round=matching_round,
        mentee=mentee,
        mentor=mentor,
        score=score,
        contributions=contributions,
        expires_at=timezone.now() + dt.timedelta(days=matching_round.answer_within_days),
    )
    transaction.on_commit(partial(tasks.send_introduction_request.enqueue, introduction.pk))
    return introduction


@transaction.atomic
def round_introduce(*, matching_round: MatchingRound, actor: Any, days: int = 7) -> int:
    """Mutual opt-in: introduce every proposed pair to both; nothing stands until both accept."""

    matching_round = _editable(matching_round)
    if not 1 <= days <= 60:
        raise ValidationError(_("Give between 1 and 60 days to answer."))
    proposals = _checked_proposals(
        matching_round,
        empty=_("There is nothing to introduce."),
        broken=_("%(pair)s cannot be introduced: %(rules)s"),
    )
    matching_round.answer_within_days = days
    matching_round.status = RoundStatus.INTRODUCING
    matching_round.save(update_fields=["answer_within_days", "status"])
    for proposal in proposals:
        _introduction_create(
            matching_round,
            proposal.mentee,
            proposal.mentor,
            score=proposal.score,
            contributions=proposal.contributions,
        )
    audit_log(
        actor=actor,
        action="rounds.round.introduce",
        obj=matching_round,
        programme=matching_round.programme,
        changes={"introductions": len(proposals), "days": days},
    )
    return len(proposals)


def _mentor_load(matching_round: MatchingRound, mentor: Participant) -> int:
    waiting = matching_round.introductions.filter(
        mentor=mentor, status__in=[IntroductionStatus.PENDING, IntroductionStatus.ACCEPTED]
    ).count()
    return waiting + pairs_at_work([mentor.pk], outside=matching_round)[mentor.pk]


def _introduce_next(matching_round: MatchingRound, mentee: Participant) -> Introduction | None:
    """After a decline or silence: the best remaining mentor for this mentee, if any."""

    tried = set(
        matching_round.introductions.filter(mentee=mentee).values_list("mentor_id", flat=True)
    )
    capacity_of = {}
    for mentor in (
        Participant.objects.filter(
            programme=matching_round.programme,
            role=ParticipantRole.MENTOR,
            status__in=[ParticipantStatus.READY, ParticipantStatus.MATCHED],
        )
        .exclude(pk__in=tried)
        .select_related("programme")
    ):
        # "No more mentees", or outside their dates: not introduced to anyone new.
        if not mentor.available_on(timezone.localdate()):
            continue
        free = mentor.mentee_capacity - _mentor_load(matching_round, mentor)
        if free > 0:
            capacity_of[mentor.pk] = (mentor, free)
    if capacity_of:
        data = build_input(
            matching_round.programme,
            participants=[mentee, *[m for m, _free in capacity_of.values()]],
        )
        mentors = tuple(
            dataclasses.replace(p, capacity=capacity_of[data.mentors[p.id].pk][1])
            for p in data.problem.mentors
        )
        problem = dataclasses.replace(data.problem, mentors=mentors)
        result = match(problem=problem, policy=_in_mode(data.policy, "optimal"))
        if result.matches:
            found = result.matches[0]
            return _introduction_create(
                matching_round,
                mentee,
                capacity_of[data.mentors[found.mentor_id].pk][0],
                score=found.score,
                contributions=contributions_as_json(found.contributions),
            )
    UnmatchedParticipant.objects.update_or_create(
        matching_round=matching_round,
        participant=mentee,
        defaults={
            "reason_code": "no_more_mentors",
            "reason": "every suitable mentor declined, expired or is full",
        },
    )
    quality_forget(round_id=matching_round.pk)
    return None


def _finish_if_settled(matching_round: MatchingRound) -> None:
    if not matching_round.introductions.filter(status=IntroductionStatus.PENDING).exists():
        MatchingRound.objects.filter(pk=matching_round.pk).update(status=RoundStatus.PUBLISHED)


@transaction.atomic
def introduction_answer(
    *, introduction: Introduction, actor: Any, accept: bool, reason: str = ""
) -> Introduction:
    """One side accepts or declines. Both accepting makes the pair; a decline (its reason
    kept for the manager alone) brings the mentee's next proposal."""

    introduction = (
        Introduction.objects.select_for_update()
        .select_related("mentee__person", "mentor__person", "matching_round__programme")
        .get(pk=introduction.pk)
    )
    side = introduction.side_of(actor)
    if side is None:
        raise ValidationError(_("Only the two people introduced can answer."))
    if introduction.status != IntroductionStatus.PENDING:
        raise ValidationError(_("This introduction has already been settled."))
    answer = Answer.ACCEPTED if accept else Answer.DECLINED
    setattr(introduction, f"{side}_answer", answer)
    matching_round = introduction.matching_round
    if not accept:
        introduction.status = IntroductionStatus.DECLINED
        introduction.decline_reason = reason.strip()
    introduction.save()
    audit_log(
        actor=actor,
        action="rounds.introduction.accept" if accept else "rounds.introduction.decline",
        obj=introduction,
        programme=matching_round.programme,
        changes={"side": side},
    )
    if not accept:
        _introduce_next(matching_round, introduction.mentee)
        _finish_if_settled(matching_round)
    elif introduction.mentee_answer == introduction.mentor_answer == Answer.ACCEPTED:
        introduction.pair = _pair_make(
            matching_round,
            introduction.mentee,
            introduction.mentor,
            score=introduction.score,
            actor=actor,
            note=_("Both accepted the introduction."),
        )
        introduction.status = IntroductionStatus.ACCEPTED
        introduction.save(update_fields=["status", "pair"])
        _finish_if_settled(matching_round)
    return introduction


def introductions_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Remind those who have not answered the programme's number of days before the
    deadline (two unless it set another); expire the rest and bring the next proposal. Run
    it daily (`manage.py sweep_introductions`)."""

    now = now or timezone.now()
    counts = {"reminded": 0, "expired": 0}
    pending = Introduction.objects.filter(status=IntroductionStatus.PENDING)
    for introduction in pending.filter(expires_at__lte=now).select_related("matching_round"):
        with transaction.atomic():
            introduction.status = IntroductionStatus.EXPIRED
            introduction.save(update_fields=["status"])
            audit_log(
                actor=None,
                action="rounds.introduction.expire",
                obj=introduction,
                programme=introduction.matching_round.programme,
            )
            _introduce_next(introduction.matching_round, introduction.mentee)
            _finish_if_settled(introduction.matching_round)
        counts["expired"] += 1
    # Each programme sets how many days before the deadline the reminder comes.
    ladders = {
        row.programme_id: row.introduction_reminder_days for row in SupportSettings.objects.all()
    }
    for introduction in pending.filter(expires_at__gt=now, reminded_at__isnull=True).select_related(
        "matching_round"
    ):
        days = ladders.get(introduction.matching_round.programme_id, INTRODUCTION_REMINDER_DAYS)
        if introduction.expires_at > now + dt.timedelta(days=days):
            continue
        Introduction.objects.filter(pk=introduction.pk).update(reminded_at=now)
        tasks.send_introduction_request.enqueue(introduction.pk, True)
        counts["reminded"] += 1
    return counts
