"""Everything Mentora holds about one person, section by section, for an access request.

Each section is a function of the person and of `private`: whether the copy is the
person's own (with the private texts they can read: what the pair wrote, their own
reflections, feedback to and from them, their survey answers) or their organisation
admin's (without them, as staff never read a pair's texts). Neither copy holds a text
the person could not read themselves: their partner's reflections, what the partner
wrote to the programme team, or the team's notes about the pair.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.forms.models import model_to_dict
from django.utils.translation import gettext_lazy as _

from mentora.core.models import AuditEntry
from mentora.people.models import Person
from mentora.programmes.models import Participant
from mentora.relationships.models import (
    Closure,
    Feedback,
    FeedbackDirection,
    Pair,
    Story,
)
from mentora.rounds.models import Proposal
from mentora.surveys.models import Response, pseudonymous_key

# What the admin's copy shows in place of a private text.
WITHHELD = "(withheld: only the person's own copy holds this text)"


def _when(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _text(value: str, private: bool) -> str:
    if not value:
        return ""
    return value if private else WITHHELD


def _user_of(person: Person) -> Any:
    return person.user


def profile(person: Person, private: bool) -> dict[str, Any]:
    user = _user_of(person)
    return {
        "person_id": person.pk,
        "organisation": person.organisation.name,
        "employee_id": person.employee_id,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "job_title": person.job_title,
        "level": person.level,
        "location": person.location,
        "time_zone": person.timezone,
        "languages": list(person.languages),
        "hire_date": _when(person.hire_date),
        "leave_date": _when(person.leave_date),
        "gender": person.gender,
        "guest_from_outside_the_hr_data": person.external,
        "account": None
        if user is None
        else {
            "email": user.email,
            "full_name": user.full_name,
            "language": user.language,
            "time_zone": user.time_zone,
            "active": user.is_active,
            "joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
            "roles": sorted(
                f"{m.organisation.name}: {m.get_role_display()}"
                for m in user.memberships.select_related("organisation")
            ),
        },
    }


def organisation(person: Person, private: bool) -> dict[str, Any]:
    unit = person.org_unit
    units = []
    while unit is not None:
        units.append({"name": unit.name, "kind": unit.get_kind_display()})
        unit = unit.parent
    return {
        "units": [{"name": u["name"], "kind": str(u["kind"])} for u in units],
        "reporting_line": [
            {"name": manager.full_name, "job_title": manager.job_title}
            for manager in person.management_chain()
        ],
        "direct_reports": [
            {"name": report.full_name, "job_title": report.job_title}
            for report in person.reports.order_by("last_name", "first_name")
        ],
    }


def _participations(person: Person) -> Any:
    return Participant.objects.filter(person=person).select_related("programme")


def participations(person: Person, private: bool) -> list[dict[str, Any]]:
    return [
        {
            "participant_id": p.pk,
            "programme": p.programme.name,
            "role": str(p.get_role_display()),
            "status": str(p.get_status_display()),
            "since": _when(p.created_at),
            "status_changed": _when(p.status_changed_at),
            "screening_outcome": p.screening_outcome,
            "line_manager_decision": p.line_manager_decision,
            "application_answers": p.answers,
            "matching_profile": p.profile,
            "places_offered": p.places,
            "available_from": _when(p.available_from),
            "available_until": _when(p.available_until),
        }
        for p in _participations(person)
    ]


def proposals(person: Person, private: bool) -> list[dict[str, Any]]:
    ids = list(_participations(person).values_list("pk", flat=True))
    rows = Proposal.objects.filter(Q(mentee_id__in=ids) | Q(mentor_id__in=ids)).select_related(
        "matching_round__programme", "mentee__person", "mentor__person"
    )
    return [
        {
            "proposal_id": proposal.pk,
            "programme": proposal.matching_round.programme.name,
            "round_id": proposal.matching_round_id,
            "your_role": "mentee" if proposal.mentee_id in ids else "mentor",
            "proposed_partner": (
                proposal.mentor if proposal.mentee_id in ids else proposal.mentee
            ).person.full_name,
            "score": proposal.score,
            "explanation": proposal.explanation,
            "published_as_pair": proposal.pair_id is not None,
        }
        for proposal in rows
    ]


def _feedback_readable(pair: Pair, user_id: int | None, mentee: bool) -> Any:
    """Feedback the person wrote, and feedback addressed to them."""
    to_them = (
        [FeedbackDirection.MENTOR_TO_MENTEE, FeedbackDirection.LINE_MANAGER_TO_MENTEE]
        if mentee
        else [FeedbackDirection.MENTEE_TO_MENTOR]
    )
    condition = Q(direction__in=to_them)
    if user_id is not None:
        condition |= Q(author_id=user_id)
    return Feedback.objects.filter(condition, pair=pair)


def pairs(person: Person, private: bool) -> list[dict[str, Any]]:
    ids = set(_participations(person).values_list("pk", flat=True))
    rows = Pair.objects.filter(Q(mentee_id__in=ids) | Q(mentor_id__in=ids)).select_related(
        "programme", "mentee__person", "mentor__person"
    )
    found = []
    for pair in rows:
        mentee = pair.mentee_id in ids
        side = "mentee" if mentee else "mentor"
        partner = pair.mentor if mentee else pair.mentee
        closure = Closure.objects.filter(pair=pair).first()
        partner_side = "mentor" if mentee else "mentee"
        found.append(
            {
                "pair_id": pair.pk,
                "programme": pair.programme.name,
                "your_role": side,
                "partner": partner.person.full_name,
                "started": _when(pair.started_at),
                "ended": _when(pair.ended_at),
                "cause_of_ending": str(pair.get_end_cause_display()) if pair.end_cause else "",
                # The reason for ending is for the programme team, and for whoever gave it.
                "reason_you_gave_for_ending": _text(pair.end_reason, private)
                if pair.ended_by_id and pair.ended_by_id == person.user_id
                else "",
                "agreements": [
                    {
                        "version": agreement.version,
                        "meeting_frequency": agreement.meeting_frequency,
                        "planned_meetings": agreement.planned_meetings,
                        "learning_goals": _text(agreement.learning_goals, private),
                        "ways_of_working": _text(agreement.ways_of_working, private),
                        "after_end": _text(agreement.after_end, private),
                        "end_date": _when(agreement.end_date),
                    }
                    for agreement in pair.agreements.order_by("version")
                ],
                "goals": [
                    {
                        "theme": goal.theme,
                        "description": _text(goal.description, private),
                        "progress": goal.progress,
                    }
                    for goal in pair.goals.all()
                ],
                "meetings": [
                    {
                        "starts": _when(meeting.starts_at),
                        "mode": meeting.mode,
                        "cancelled": _when(meeting.cancelled_at),
                        "agenda": _text(meeting.agenda, private),
                        "notes": _text(meeting.notes, private),
                        "follow_up": _text(meeting.follow_up, private),
                        # Each reflection is its author's alone: only their own.
                        "your_reflection": _text(getattr(meeting, f"{side}_reflection"), private),
                        "your_rating": getattr(meeting, f"{side}_rating"),
                    }
                    for meeting in pair.meetings.all()
                ],
                "feedback": [
                    {
                        "direction": str(item.get_direction_display()),
                        "written_by_you": item.author_id == person.user_id,
                        "date": _when(item.created_at),
                        "text": _text(item.text, private),
                    }
                    for item in _feedback_readable(pair, person.user_id, mentee)
                ],
                "closure": None
                if closure is None
                else {
                    "your_reflection": _text(getattr(closure, f"{side}_reflection"), private),
                    "your_continuation": getattr(closure, f"{side}_continuation"),
                    "your_thanks": _text(getattr(closure, f"{side}_thanks"), private),
                    "thanks_to_you": _text(getattr(closure, f"{partner_side}_thanks"), private),
                },
                "stories_you_wrote": [
                    {
                        "title": _text(story.title, private),
                        "text": _text(story.text, private),
                        "status": str(story.get_status_display()),
                    }
                    for story in Story.objects.filter(pair=pair, author_id=person.user_id)
                ]
                if person.user_id
                else [],
            }
        )
    return found


def survey_answers(person: Person, private: bool) -> list[dict[str, Any]]:
    """Answers are stored under a pseudonymous key; the key of each of the person's
    programmes finds theirs. They are the respondent, so their free text is theirs."""
    found = []
    for participant in _participations(person):
        key = pseudonymous_key(participant.programme_id, person.pk)
        for response in Response.objects.filter(
            survey__programme_id=participant.programme_id, key=key
        ).select_related("survey__instrument"):
            answers = response.answers.select_related("question").order_by(
                "question__position", "question__pk"
            )
            found.append(
                {
                    "programme": participant.programme.name,
                    "survey": response.survey.instrument.name,
                    "wave": response.survey.wave,
                    "role": response.role,
                    "answers": [
                        {
                            "question": answer.question.text_en,
                            "number": answer.number,
                            "choices": answer.choices,
                            "text": _text(answer.text, private),
                        }
                        if private
                        else {"question": answer.question.text_en, "answer": WITHHELD}
                        for answer in answers
                    ],
                }
            )
    return found


def notifications(person: Person, private: bool) -> list[dict[str, Any]]:
    user = _user_of(person)
    if user is None:
        return []
    return [
        {
            "date": _when(note.created_at),
            "kind": note.kind,
            "subject": note.subject,
            "text": _text(note.body, private),
            "delivery": note.channel,
            "e-mailed": _when(note.emailed_at),
            "read": _when(note.read_at),
        }
        for note in user.notifications.order_by("created_at")
    ]


def consents(person: Person, private: bool) -> list[dict[str, Any]]:
    """Consent records, where the installation keeps them (the privacy app): every row
    of its models that belongs to the person or their account."""
    if not apps.is_installed("mentora.privacy"):
        return []
    found = []
    for model in apps.get_app_config("privacy").get_models():
        names = {field.name for field in model._meta.concrete_fields}
        condition = Q()
        if "person" in names:
            condition |= Q(person_id=person.pk)
        if "user" in names and person.user_id:
            condition |= Q(user_id=person.user_id)
        if not condition:
            continue
        for row in model._default_manager.filter(condition):
            found.append(
                {
                    "record": str(model._meta.verbose_name),
                    **{k: str(v) for k, v in model_to_dict(row).items()},
                }
            )
    return found


def audit_entries(person: Person, private: bool) -> list[dict[str, Any]]:
    """What was recorded about the person, their account and their participations, and
    what they did themselves."""
    condition = Q(
        object_type=ContentType.objects.get_for_model(Person), object_id=str(person.pk)
    ) | Q(
        object_type=ContentType.objects.get_for_model(Participant),
        object_id__in=[str(pk) for pk in _participations(person).values_list("pk", flat=True)],
    )
    if person.user_id:
        condition |= Q(actor_id=person.user_id) | Q(
            object_type__app_label="accounts",
            object_type__model="user",
            object_id=str(person.user_id),
        )
    return [
        {
            "date": _when(entry.created_at),
            "action": entry.action,
            "by": entry.actor_email,
            "object": entry.object_repr,
            "changed_fields": entry.changed_fields,
        }
        for entry in AuditEntry.objects.filter(condition).order_by("created_at", "pk")
    ]


# The sections of a copy, in order: key, heading, collector.
Section = tuple[str, Any, Callable[[Person, bool], Any]]
SECTIONS: list[Section] = [
    ("profile", _("Profile and HR data"), profile),
    ("organisation", _("Unit and reporting line"), organisation),
    ("participations", _("Programmes and applications"), participations),
    ("matching_proposals", _("Matching proposals"), proposals),
    ("pairs", _("Pairs, meetings and feedback"), pairs),
    ("survey_answers", _("Survey answers"), survey_answers),
    ("notifications", _("E-mails and notifications"), notifications),
    ("consents", _("Consent records"), consents),
    ("audit_entries", _("Audit log entries"), audit_entries),
]
