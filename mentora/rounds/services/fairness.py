"""A round's fairness report: the engine's figures (`mentora.matching.fairness`) fed with
the stored proposals and the people's attributes, and the order check run by the worker.

The web app computes nothing of its own here: it hands the engine the same facts the
command line hands it, so the page, the PDF, the XLSX and `mentora-match --report` agree.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentora.core.audit import audit_log
from mentora.matching import ProblemError, match
from mentora.matching.fairness import (
    Fairness,
    PairFacts,
    RoundFacts,
    fairness_report,
    level_band,
    order_check,
    points_of,
)
from mentora.people.models import OrgUnit, OrgUnitKind
from mentora.programmes.models import Participant
from mentora.rounds.models import MatchingRound, RoundStatus
from mentora.rounds.problem import build_input
from mentora.rounds.quality import mentees_who_chose, stated_wishes
from mentora.rounds.services.rounds import OrderCheckStatus, _locks, order_check_queue

logger = logging.getLogger(__name__)

# The breakdowns offered, in the order they are shown; gender only to staff who may see
# sensitive attributes.
ATTRIBUTES = ("organisation", "department", "location", "level_band", "gender")
SENSITIVE = frozenset({"gender"})
DEFAULT_ATTRIBUTES = ("organisation", "department", "location", "level_band")
# The seed of the shuffled order: fixed, so a check run twice says the same.
ORDER_SEED = 1


def _departments(organisation_ids: Iterable[int]) -> dict[int, str]:
    """For each unit: the name of its department (itself or above), or, where it has none,
    of its division; "" where it has neither."""
    units = {
        pk: (parent, kind, name)
        for pk, parent, kind, name in OrgUnit.objects.filter(
            organisation_id__in=list(organisation_ids)
        ).values_list("pk", "parent_id", "kind", "name")
    }
    found: dict[int, str] = {}
    for pk in units:
        department = division = ""
        current: int | None = pk
        seen: set[int] = set()
        while current is not None and current not in seen and current in units:
            seen.add(current)
            parent, kind, name = units[current]
            if kind == OrgUnitKind.DEPARTMENT and not department:
                department = name
            if kind == OrgUnitKind.DIVISION and not division:
                division = name
            current = parent
        found[pk] = department or division
    return found


def _attribute(participant: Participant, attribute: str, departments: dict[int, str]) -> str:
    person = participant.person
    if attribute == "organisation":
        return person.organisation.name
    if attribute == "department":
        return departments.get(person.org_unit_id or 0, "")
    if attribute == "location":
        return person.location
    if attribute == "level_band":
        return level_band(None if person.level is None else float(person.level))
    return person.gender


def round_facts(matching_round: MatchingRound, *, attributes: Sequence[str]) -> RoundFacts:
    """The facts of a round from what is stored: its proposals (hand-made and removed ones
    as they are now), the mentees left unmatched, and the people's attributes."""
    related = ("person__organisation", "person__org_unit")
    proposals = list(
        matching_round.proposals.select_related(
            *(f"mentee__{r}" for r in related), *(f"mentor__{r}" for r in related)
        )
    )
    unmatched = list(
        matching_round.unmatched.select_related(*(f"participant__{r}" for r in related))
    )
    pool = matching_round.pool or {}
    mentees: dict[int, Participant] = {p.mentee_id: p.mentee for p in proposals}
    mentees.update({u.participant_id: u.participant for u in unmatched})
    mentor_ids = list(dict.fromkeys([*pool.get("mentors", []), *(p.mentor_id for p in proposals)]))
    chosen = mentees_who_chose(matching_round)
    departments = _departments(matching_round.programme.organisation_ids())
    return RoundFacts(
        mentees=tuple(str(pk) for pk in mentees),
        mentors=tuple(str(pk) for pk in mentor_ids),
        pairs=tuple(
            PairFacts(
                str(p.mentee_id),
                str(p.mentor_id),
                p.score,
                points_of(p.contributions or ()),
                own_choice=p.preference_rank is not None,
            )
            for p in proposals
        ),
        unmatched={str(u.participant_id): u.reason_code for u in unmatched},
        wished=frozenset(str(pk) for pk, m in mentees.items() if stated_wishes(m, chosen)),
        groups={
            attribute: {str(pk): _attribute(m, attribute, departments) for pk, m in mentees.items()}
            for attribute in attributes
        },
    )


def round_fairness(matching_round: MatchingRound, *, attributes: Sequence[str]) -> Fairness:
    """The round's fairness report over the chosen breakdowns."""
    return fairness_report(round_facts(matching_round, attributes=attributes))


@transaction.atomic
def round_order_check_request(*, matching_round: MatchingRound, actor: Any) -> None:
    """Solve the round again in a shuffled order, in the worker (it takes as long as the
    round took): for a round under review whose check is not already waiting."""
    matching_round = MatchingRound.objects.select_for_update(of=("self",)).get(pk=matching_round.pk)
    if matching_round.status != RoundStatus.DONE:
        raise ValidationError(_("Only a round under review can be checked."))
    if not matching_round.order_check_applies:
        raise ValidationError(
            _(
                "Only rounds that propose pairs by the best total score or stable matching "
                "can be checked."
            )
        )
    if (matching_round.order_check or {}).get("status") == OrderCheckStatus.QUEUED:
        raise ValidationError(_("The check is waiting for its turn already."))
    order_check_queue(matching_round)
    audit_log(
        actor=actor,
        action="rounds.round.order_check",
        obj=matching_round,
        programme=matching_round.programme,
    )


def round_order_check_run(*, round_id: int) -> dict[str, Any]:
    """The worker's part: the round's input as it ran (its participants, the locks it
    kept), solved in that order and in a shuffled one; the figures are stored."""
    matching_round = MatchingRound.objects.select_related("programme", "previous").get(pk=round_id)
    try:
        outcome = _order_check(matching_round)
    except (ProblemError, ValueError) as error:
        logger.warning("Order check of round %s refused: %s", round_id, type(error).__name__)
        outcome = {"status": OrderCheckStatus.FAILED}
    except Exception as error:
        where = "".join(traceback.format_tb(error.__traceback__))
        logger.error(
            "Order check of round %s failed with %s:\n%s", round_id, type(error).__name__, where
        )
        outcome = {"status": OrderCheckStatus.FAILED}
    outcome["checked_at"] = timezone.now().isoformat()
    MatchingRound.objects.filter(pk=round_id).update(order_check=outcome)
    return outcome


def _order_check(matching_round: MatchingRound) -> dict[str, Any]:
    pool = matching_round.pool or {}
    ids = [*pool.get("mentees", []), *pool.get("mentors", [])]
    if not ids:
        raise ValueError("the round keeps no record of its participants")
    participants = Participant.objects.filter(pk__in=ids)
    data = build_input(
        matching_round.programme, participants=participants, locks=_locks(matching_round)
    )
    policy = data.policy
    result = match(problem=data.problem, policy=policy)
    check = order_check(problem=data.problem, policy=policy, result=result, seed=ORDER_SEED)
    stored = (matching_round.report or {}).get("objective")
    return {
        "status": OrderCheckStatus.DONE,
        **check.to_dict(),
        # Whether solving the same input again gives the round's own objective: if not,
        # the participants' answers changed since the round ran.
        "reproduces": stored is not None
        and abs(float(stored) - result.objective) <= check.tolerance,
    }
