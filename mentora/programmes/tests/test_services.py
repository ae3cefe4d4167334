"""The participant pipeline, the programme design and their audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from conftest import make_person
from mentora.accounts.models import Membership, Role, User
from mentora.core.models import AuditEntry
from mentora.events import services as event_services
from mentora.matching import Policy
from mentora.people.models import Person
from mentora.programmes.models import (
    LineManagerDecision,
    Participant,
    ParticipantEvent,
    Programme,
)
from mentora.programmes.services import design, pipeline, questionnaire, reminders, screening
from mentora.programmes.tests.conftest import apply, invite, mentee_applies


def _mentor_applies(setup: Any) -> Participant:
    invite(setup, setup.mentor_person, "mentor")
    return apply(setup, "mentor", {setup.motivation.pk: "I like helping people grow."})


def test_creating_a_programme_stores_the_engines_default_policy(personas: Any) -> None:
    programme = design.programme_create(
        organisation=personas.organisation, actor=personas.manager, name="Talent"
    )
    assert Policy.from_dict(programme.matching_policy) == Policy()
    assert list(programme.managers.all()) == [personas.manager]
    entry = AuditEntry.objects.get(action="programmes.programme.create")
    assert entry.actor == personas.manager
    assert entry.organisation == personas.organisation


def test_an_invalid_matching_policy_is_refused_with_the_key_named(programme: Programme) -> None:
    policy = Policy().to_dict()
    policy["matching"]["mode"] = "lottery"
    with pytest.raises(ValidationError) as error:
        design.programme_set_policy(programme=programme, policy=policy, actor=None)
    assert "matching.mode" in error.value.messages[0]


def test_a_valid_policy_change_is_stored_in_the_engines_form_and_audited(
    programme: Programme, personas: Any
) -> None:
    policy = Policy().to_dict()
    policy["weights"]["themes"] = 3
    policy["constraints"]["max_timezone_gap_hours"] = 4
    design.programme_set_policy(programme=programme, policy=policy, actor=personas.manager)
    programme.refresh_from_db()
    assert programme.matching_policy["weights"]["themes"] == 3.0
    assert Policy.from_dict(programme.matching_policy).constraints.max_timezone_gap_hours == 4
    assert AuditEntry.objects.filter(action="programmes.programme.policy").count() == 1


def test_group_programmes_default_to_five_mentees_and_need_a_reason_for_more(
    personas: Any,
) -> None:
    group = design.programme_create(
        organisation=personas.organisation, actor=personas.manager, name="G", kind="group"
    )
    assert group.max_mentees_per_mentor == 5
    with pytest.raises(ValidationError):
        design.programme_update(programme=group, actor=personas.manager, max_mentees_per_mentor=8)
    design.programme_update(
        programme=group,
        actor=personas.manager,
        max_mentees_per_mentor=8,
        group_size_override_reason="Large cohort, two mentors per group",
    )
    group.refresh_from_db()
    assert group.max_mentees_per_mentor == 8


def test_the_database_refuses_large_groups_without_a_reason(personas: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Programme.objects.create(
            organisation=personas.organisation, name="G", kind="group", max_mentees_per_mentor=9
        )


def test_the_database_refuses_an_end_before_the_start(personas: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Programme.objects.create(
            organisation=personas.organisation,
            name="Backwards",
            start_date=dt.date(2027, 5, 1),
            end_date=dt.date(2027, 1, 1),
        )


def test_a_programme_outside_six_to_eighteen_months_is_flagged(programme: Programme) -> None:
    assert not programme.duration_warning()
    programme.end_date = programme.start_date + dt.timedelta(days=60)  # type: ignore[operator]
    assert programme.duration_warning()


def test_inviting_someone_known_only_to_hr_creates_their_account_and_role(setup: Any) -> None:
    hr_only = Person.objects.get(employee_id="E5")
    participant = invite(setup, hr_only, "mentee")
    user = User.objects.get(email="hronly@test.example")
    assert participant.user == user
    assert Membership.objects.filter(user=user, role=Role.MENTEE).exists()
    hr_only.refresh_from_db()
    assert hr_only.user == user
    assert participant.status == "invited"
    assert AuditEntry.objects.filter(action="programmes.participant.invite").exists()


def test_the_same_person_cannot_be_invited_twice_in_the_same_role(setup: Any) -> None:
    p = setup.personas
    invite(setup, p.people["junior"], "mentee")
    with pytest.raises(ValidationError):
        invite(setup, p.people["junior"], "mentee")


def test_people_of_another_organisation_cannot_join_a_single_organisation_programme(
    setup: Any,
) -> None:
    p = setup.personas
    stranger = make_person(p.other_organisation, "X", "X", "Y")
    with pytest.raises(ValidationError):
        invite(setup, stranger, "mentee")


def test_a_contributing_organisation_brings_only_the_roles_it_contributes(setup: Any) -> None:
    p = setup.personas
    design.programme_set_organisations(
        programme=setup.programme,
        contributions=[(p.other_organisation, True, False)],
        actor=p.manager,
    )
    stranger = make_person(p.other_organisation, "X", "X", "Y", email="x@other.example")
    invite(setup, stranger, "mentor")
    with pytest.raises(ValidationError):
        invite(setup, stranger, "mentee")


def test_applying_builds_the_matching_profile_and_asks_the_line_manager(setup: Any) -> None:
    mentor = _mentor_applies(setup)
    p = setup.personas
    invite(setup, p.people["junior"], "mentee")
    mentee = apply(
        setup,
        "mentee",
        {
            setup.themes.pk: ["Career", "Leadership"],
            setup.goals.pk: "Lead a team",
            setup.preferred.pk: [str(mentor.pk)],
        },
    )
    assert mentee.status == "needs_line_manager"
    assert mentee.line_manager_decision == LineManagerDecision.PENDING
    assert mentee.profile["themes"] == ["Career", "Leadership"]
    assert mentee.profile["goals"] == "Lead a team"
    assert mentee.profile["preferences"] == [str(setup.mentor_person.pk)]
    assert [e.to_status for e in mentee.events.all()] == [
        "invited",
        "applied",
        "needs_line_manager",
    ]
    assert mentor.profile["capacity"] == 1


def test_the_line_manager_approves_and_the_mentee_is_approved(setup: Any) -> None:
    mentee = mentee_applies(setup)
    approved = pipeline.line_manager_decide(
        participant=mentee, approve=True, actor=setup.personas.line_manager
    )
    assert approved.status == "approved"
    assert approved.line_manager_decision == "approved"
    assert approved.line_manager_decided_by == setup.personas.line_manager
    assert AuditEntry.objects.filter(action="programmes.participant.line_manager_decide").exists()


def test_the_line_manager_declines_and_the_reason_stays_with_the_managers(setup: Any) -> None:
    mentee = mentee_applies(setup)
    declined = pipeline.line_manager_decide(
        participant=mentee, approve=False, actor=setup.personas.line_manager, note="Busy season"
    )
    assert declined.status == "declined"
    assert "Busy season" in declined.decline_reason


def test_a_mentee_cannot_be_approved_before_the_line_manager_has(setup: Any) -> None:
    mentee = mentee_applies(setup)
    with pytest.raises(ValidationError) as error:
        pipeline.participant_transition(
            participant=mentee, to_status="approved", actor=setup.personas.manager
        )
    assert "line manager" in error.value.messages[0]


def test_a_line_manager_cannot_decide_twice(setup: Any) -> None:
    mentee = mentee_applies(setup)
    pipeline.line_manager_decide(
        participant=mentee, approve=True, actor=setup.personas.line_manager
    )
    with pytest.raises(ValidationError):
        pipeline.line_manager_decide(
            participant=mentee, approve=False, actor=setup.personas.line_manager
        )


def test_a_mentor_is_approved_only_after_a_successful_screening(setup: Any) -> None:
    mentor = _mentor_applies(setup)
    manager = setup.personas.manager
    with pytest.raises(ValidationError):
        pipeline.participant_transition(participant=mentor, to_status="approved", actor=manager)
    mentor = screening.screening_schedule(
        participant=mentor, at=timezone.now() + dt.timedelta(days=2), actor=manager
    )
    assert mentor.status == "under_review"
    screening.screening_record(
        participant=mentor, outcome="passed", notes="Listens well.", actor=manager
    )
    mentor.refresh_from_db()
    mentor = pipeline.participant_transition(
        participant=mentor, to_status="approved", actor=manager
    )
    assert mentor.status == "approved"
    entry = AuditEntry.objects.get(action="programmes.participant.screening_record")
    assert "Listens well." not in str(entry.changes)


def test_mentors_never_wait_for_a_line_manager(setup: Any) -> None:
    mentor = _mentor_applies(setup)
    with pytest.raises(ValidationError):
        pipeline.participant_transition(
            participant=mentor, to_status="needs_line_manager", actor=setup.personas.manager
        )


def test_declining_needs_a_reason(setup: Any) -> None:
    mentor = _mentor_applies(setup)
    with pytest.raises(ValidationError):
        pipeline.participant_transition(
            participant=mentor, to_status="declined", actor=setup.personas.manager
        )
    declined = pipeline.participant_transition(
        participant=mentor,
        to_status="declined",
        reason="Not enough time this year",
        actor=setup.personas.manager,
    )
    assert declined.decline_reason == "Not enough time this year"


def test_an_illegal_transition_is_refused_with_a_clear_message(setup: Any) -> None:
    mentor = _mentor_applies(setup)
    with pytest.raises(ValidationError) as error:
        pipeline.participant_transition(
            participant=mentor, to_status="completed", actor=setup.personas.manager
        )
    assert "cannot go from" in error.value.messages[0]
    assert "Applied" in error.value.messages[0]
    mentor.refresh_from_db()
    assert mentor.status == "applied"


def test_withdrawn_is_final(setup: Any) -> None:
    mentor = _mentor_applies(setup)
    pipeline.participant_transition(
        participant=mentor, to_status="withdrawn", actor=setup.personas.mentor
    )
    for status in ("applied", "approved", "ready"):
        with pytest.raises(ValidationError):
            pipeline.participant_transition(
                participant=mentor, to_status=status, actor=setup.personas.manager
            )


def _approved_pair(setup: Any) -> tuple[Participant, Participant]:
    manager = setup.personas.manager
    mentee = mentee_applies(setup)
    mentee = pipeline.line_manager_decide(
        participant=mentee, approve=True, actor=setup.personas.line_manager
    )
    mentor = _mentor_applies(setup)
    screening.screening_record(participant=mentor, outcome="passed", notes="", actor=manager)
    mentor.refresh_from_db()
    mentor = pipeline.participant_transition(
        participant=mentor, to_status="approved", actor=manager
    )
    return mentee, mentor


def _trained_pair(setup: Any, event: Any) -> tuple[Participant, Participant]:
    """An approved mentee and mentor who attended the required workshop: both trained."""
    mentee, mentor = _approved_pair(setup)
    event_services.attendance_record(
        event=event, attended=[mentee, mentor], actor=setup.personas.manager
    )
    mentee.refresh_from_db()
    mentor.refresh_from_db()
    return mentee, mentor


def test_attending_the_required_workshop_trains_and_then_readies_both(
    setup: Any, event: Any
) -> None:
    manager = setup.personas.manager
    mentee, mentor = _approved_pair(setup)
    with pytest.raises(ValidationError):
        pipeline.participant_transition(participant=mentee, to_status="ready", actor=manager)
    outcome = event_services.attendance_record(
        event=event, attended=[mentee, mentor], actor=manager
    )
    assert {p.pk for p in outcome.trained} == {mentee.pk, mentor.pk}
    for participant in (mentee, mentor):
        participant.refresh_from_db()
        assert participant.status == "trained"
        ready = pipeline.participant_transition(
            participant=participant, to_status="ready", actor=manager
        )
        assert ready.status == "ready"
    assert AuditEntry.objects.filter(action="programmes.workshop.attendance").count() == 1


def test_unticking_attendance_by_mistake_undoes_training_until_it_is_ticked_again(
    setup: Any, event: Any
) -> None:
    manager = setup.personas.manager
    mentee, mentor = _trained_pair(setup, event)
    pipeline.participant_transition(participant=mentor, to_status="ready", actor=manager)
    outcome = event_services.attendance_record(event=event, attended=[], actor=manager)
    assert outcome.trained == []
    assert {p.pk for p in outcome.untrained} == {mentee.pk, mentor.pk}
    mentee.refresh_from_db()
    mentor.refresh_from_db()
    assert (mentee.status, mentor.status) == ("approved", "approved")
    # Back in the pool of those still to be trained: not ready to be matched yet.
    with pytest.raises(ValidationError):
        pipeline.participant_transition(participant=mentee, to_status="ready", actor=manager)
    assert mentee.events.order_by("-pk").values_list("from_status", "to_status")[0] == (
        "trained",
        "approved",
    )
    again = event_services.attendance_record(event=event, attended=[mentee], actor=manager)
    assert [p.pk for p in again.trained] == [mentee.pk] and again.untrained == []


def test_training_is_not_undone_by_hand_while_every_workshop_is_attended(
    setup: Any, event: Any
) -> None:
    manager = setup.personas.manager
    mentee, _mentor = _trained_pair(setup, event)
    assert "approved" not in pipeline.allowed_transitions(mentee)
    with pytest.raises(ValidationError, match="attended every required workshop"):
        pipeline.participant_transition(participant=mentee, to_status="approved", actor=manager)


def test_attendance_beyond_capacity_is_refused(setup: Any, event: Any) -> None:
    event.capacity = 1
    event.save()
    mentee, mentor = _approved_pair(setup)
    with pytest.raises(ValidationError):
        event_services.attendance_record(
            event=event, attended=[mentee, mentor], actor=setup.personas.manager
        )


def test_without_required_workshops_an_approved_participant_can_be_ready(setup: Any) -> None:
    mentee, _mentor = _approved_pair(setup)
    ready = pipeline.participant_transition(
        participant=mentee, to_status="ready", actor=setup.personas.manager
    )
    assert ready.status == "ready"


def test_every_transition_is_recorded_in_history_and_audit(setup: Any) -> None:
    mentee, _mentor = _approved_pair(setup)
    steps = list(ParticipantEvent.objects.filter(participant=mentee).values_list("to_status"))
    assert [s for (s,) in steps] == ["invited", "applied", "needs_line_manager", "approved"]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "programmes.participant.invite",
        "programmes.participant.applied",
        "programmes.participant.needs_line_manager",
        "programmes.participant.approved",
    } <= actions


def test_allowed_transitions_respect_the_guards(setup: Any) -> None:
    mentor = _mentor_applies(setup)
    allowed = pipeline.allowed_transitions(mentor)
    assert "approved" not in allowed
    assert "needs_line_manager" not in allowed
    assert {"under_review", "declined", "withdrawn"} <= set(allowed)


def test_copying_a_programme_keeps_the_design_and_leaves_participants_behind(
    setup: Any, event: Any
) -> None:
    manager = setup.personas.manager
    _mentor_applies(setup)
    questionnaire.touchpoint_add(
        programme=setup.programme, kind="evaluation", date=dt.date(2027, 10, 1), actor=manager
    )
    copy = design.programme_copy(programme=setup.programme, actor=manager)
    assert copy.copied_from == setup.programme
    assert copy.start_date == dt.date(2028, 1, 1)
    assert copy.questions.count() == setup.programme.questions.count()
    assert copy.events.count() == 1
    assert copy.touchpoints.get().date == dt.date(2028, 9, 30)
    assert list(copy.sponsors.all()) == [setup.personas.sponsor]
    assert copy.participants.count() == 0
    assert copy.application_token != setup.programme.application_token
    assert not copy.applications_open


def test_applying_through_the_link_needs_open_applications(setup: Any) -> None:
    setup.programme.applications_open = False
    setup.programme.save()
    with pytest.raises(ValidationError):
        apply(setup, "mentor", {})


def test_applying_twice_is_refused(setup: Any) -> None:
    _mentor_applies(setup)
    with pytest.raises(ValidationError):
        apply(setup, "mentor", {})


def test_invitations_from_a_list_report_unknown_people(setup: Any) -> None:
    outcome = pipeline.participants_invite_many(
        programme=setup.programme,
        identifiers=["E3", "hronly@test.example", "nobody@test.example", ""],
        role="mentee",
        actor=setup.personas.manager,
    )
    assert len(outcome.invited) == 2
    assert len(outcome.problems) == 1
    assert "nobody@test.example" in outcome.problems[0]


def test_csv_identifiers_come_from_the_email_column() -> None:
    text = "name,email\nJo,jo@test.example\nBo,bo@test.example\n"
    assert pipeline.identifiers_from_csv(text) == ["jo@test.example", "bo@test.example"]
    assert pipeline.identifiers_from_csv("E1\nE2\n") == ["E1", "E2"]


def test_pending_steps_are_found_for_reminders_once(setup: Any) -> None:
    from mentora.programmes.tasks import send_reminders

    mentee = mentee_applies(setup)
    invited = invite(setup, Person.objects.get(employee_id="E5"), "mentee")
    assert reminders.pending_reminders() == []
    later = timezone.now() + dt.timedelta(days=8)
    pending = set(reminders.pending_reminders(later))
    assert pending == {(mentee.pk, "line_manager"), (invited.pk, "apply")}
    assert send_reminders.call() == 0
    Participant.objects.update(status_changed_at=timezone.now() - dt.timedelta(days=8))
    assert send_reminders.call() == 2
    # Reminded just now: nobody is reminded again the next day.
    assert reminders.pending_reminders(timezone.now() + dt.timedelta(days=1)) == []
