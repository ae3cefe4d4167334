"""The pages do what they say, through the real forms, without JavaScript."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import make_person
from mentora.accounts.models import Organisation
from mentora.core.models import AuditEntry
from mentora.matching import Policy
from mentora.programmes.forms import WEIGHT_LABELS
from mentora.programmes.health import failure_reasons, launch_questions
from mentora.programmes.models import Participant, Programme
from mentora.programmes.services import design, pipeline, questionnaire, screening
from mentora.programmes.tests.conftest import apply, invite, mentee_applies


def test_a_manager_creates_a_programme_and_joins_its_team(client_for: Any, personas: Any) -> None:
    client = client_for(personas.manager)
    response = client.post(
        reverse("programme_create"),
        {
            "organisation": personas.organisation.pk,
            "name": "Women in tech",
            "kind": "one_to_one",
            "delivery": "hybrid",
            "purpose": "More women leaders",
            "max_mentees_per_mentor": 1,
            "influence_mode": "mentee_chooses",
            "languages": ["en", "da"],
            "start_date": "2027-01-01",
            "end_date": "2027-10-31",
        },
    )
    programme = Programme.objects.get(name="Women in tech")
    assert response["Location"] == reverse("programme_detail", args=[programme.pk])
    assert programme.languages == ["en", "da"]
    assert list(programme.managers.all()) == [personas.manager]


def test_an_outsider_cannot_create_a_programme_in_someone_elses_organisation(
    client_for: Any, personas: Any
) -> None:
    client = client_for(personas.outsider)
    response = client.post(
        reverse("programme_create"),
        {
            "organisation": personas.organisation.pk,
            "name": "Sneaky",
            "kind": "one_to_one",
            "delivery": "virtual",
            "max_mentees_per_mentor": 1,
            "influence_mode": "mutual_opt_in",
        },
    )
    assert response.status_code == 200
    assert not Programme.objects.filter(name="Sneaky").exists()


def test_the_design_form_refuses_large_groups_without_a_reason(
    client_for: Any, programme: Programme, personas: Any
) -> None:
    response = client_for(personas.manager).post(
        reverse("programme_edit", args=[programme.pk]),
        {
            "name": "G",
            "kind": "group",
            "delivery": "virtual",
            "max_mentees_per_mentor": 8,
            "influence_mode": "manager_publishes",
        },
    )
    assert response.status_code == 200
    assert "Give a reason" in response.content.decode()
    programme.refresh_from_db()
    assert programme.kind == "one_to_one"


def test_the_design_form_sets_sponsors_and_managers(
    client_for: Any, programme: Programme, personas: Any
) -> None:
    client_for(personas.manager).post(
        reverse("programme_edit", args=[programme.pk]),
        {
            "name": programme.name,
            "kind": "one_to_one",
            "delivery": "virtual",
            "max_mentees_per_mentor": 2,
            "influence_mode": "manager_publishes",
            "sponsors": [personas.sponsor.pk, personas.org_admin.pk],
            "managers": [personas.manager.pk],
        },
    )
    assert set(programme.sponsors.all()) == {personas.sponsor, personas.org_admin}
    entry = AuditEntry.objects.filter(action="programmes.programme.update").get()
    assert "sponsors" in entry.changes and "max_mentees_per_mentor" in entry.changes


def test_the_policy_form_stores_what_the_engine_reads(
    client_for: Any, programme: Programme, personas: Any
) -> None:
    data: dict[str, Any] = {
        "mode": "suggest",
        "suggestions": 4,
        "group_size": 5,
        "max_timezone_gap_hours": "3",
    }
    data.update({f"w_{name}": 1.5 for name in WEIGHT_LABELS})
    data["w_themes"] = 12
    data["c_reporting_line"] = "on"
    response = client_for(personas.manager).post(
        reverse("programme_policy", args=[programme.pk]), data
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    policy = Policy.from_dict(programme.matching_policy)
    assert policy.weights.themes == 12
    assert policy.matching.mode == "suggest"
    assert policy.matching.suggestions == 4
    assert policy.constraints.reporting_line is True
    assert policy.constraints.competitors is False
    assert policy.constraints.max_timezone_gap_hours == 3


def test_the_policy_form_shows_the_stored_values(
    client_for: Any, programme: Programme, personas: Any
) -> None:
    policy = Policy().to_dict()
    policy["weights"]["goals"] = 7.5
    design.programme_set_policy(programme=programme, policy=policy, actor=personas.manager)
    page = client_for(personas.manager).get(reverse("programme_edit", args=[programme.pk]))
    assert 'name="w_goals" value="7.5"' in page.content.decode()


def test_the_health_check_turns_green_as_the_design_fills_in(
    client_for: Any, setup: Any, event: Any
) -> None:
    programme = setup.programme
    lights = {item.code: item.light for item in failure_reasons(programme)}
    assert lights == {
        "purpose": "green",
        "sponsor": "green",
        "manager": "green",
        "matching": "green",
        "training": "green",
        "evaluation": "red",
    }
    questionnaire.touchpoint_add(
        programme=programme,
        kind="evaluation",
        date=programme.end_date,
        actor=None,  # type: ignore[arg-type]
    )
    assert all(item.light == "green" for item in failure_reasons(programme))
    questions = {item.code: item.light for item in launch_questions(programme)}
    assert questions["competences"] == "green"
    assert questions["time"] == "amber"  # no question about availability yet
    page = client_for(setup.personas.sponsor).get(reverse("programme_health", args=[programme.pk]))
    assert page.status_code == 200
    assert 'data-check="evaluation" data-light="green"' in page.content.decode()


def test_an_empty_programme_fails_every_check_with_a_link_to_fix_it(
    client_for: Any, personas: Any
) -> None:
    programme = design.programme_create(
        organisation=personas.organisation, actor=personas.admin, name="Empty"
    )
    lights = {item.code: item.light for item in failure_reasons(programme)}
    # The engine's default weights are criteria, but nothing in a questionnaire feeds them.
    assert lights.pop("matching") == "amber"
    assert set(lights.values()) == {"red"}
    page = client_for(personas.manager).get(reverse("programme_health", args=[programme.pk]))
    assert page.content.decode().count("Fix it") == 11


def test_the_pipeline_counts_and_filters(client_for: Any, setup: Any) -> None:
    p = setup.personas
    pipeline.participants_invite_many(
        programme=setup.programme, identifiers=["E3", "E5"], role="mentee", actor=p.manager
    )
    invite(setup, setup.mentor_person, "mentor")
    url = reverse("programme_pipeline", args=[setup.programme.pk])
    client = client_for(p.manager)
    page = client.get(url).content.decode()
    assert "3 participants in all" in page
    filtered = client.get(url, {"role": "mentor"}).content.decode()
    assert "Mo Mentor" in filtered and "Jo Junior" not in filtered
    searched = client.get(url, {"q": "hron"}).content.decode()
    assert "Hanne Hronly" in searched and "Jo Junior" not in searched


def test_people_are_invited_from_a_csv_file(client_for: Any, setup: Any) -> None:
    upload = SimpleUploadedFile(
        "people.csv", b"employee_id,name\nE3,Jo\nE5,Hanne\nE99,Nobody\n", "text/csv"
    )
    response = client_for(setup.personas.manager).post(
        reverse("participant_invite", args=[setup.programme.pk]),
        {"role": "mentee", "csv_file": upload},
        follow=True,
    )
    assert Participant.objects.filter(programme=setup.programme).count() == 2
    assert "E99" in response.content.decode()


def _apply_data(setup: Any, **extra: Any) -> dict[str, Any]:
    return {
        f"q{setup.themes.pk}_0": "Career",
        f"q{setup.themes.pk}_1": "Leadership",
        f"q{setup.themes.pk}_2": "",
        f"q{setup.goals.pk}": "Grow",
        **extra,
    }


def test_an_invited_mentee_applies_with_ranked_themes(client_for: Any, setup: Any) -> None:
    p = setup.personas
    participant = invite(setup, p.people["junior"], "mentee")
    client = client_for(p.mentee)
    url = reverse("participant_apply", args=[participant.pk])
    form_page = client.get(url).content.decode()
    assert "What do you want to learn?" in form_page
    assert "Why do you want to be a mentor?" not in form_page
    response = client.post(url, _apply_data(setup))
    assert response["Location"] == reverse("my_programmes")
    participant.refresh_from_db()
    assert participant.status == "needs_line_manager"
    assert participant.profile["themes"] == ["Career", "Leadership"]
    my_page = client.get(reverse("my_programmes")).content.decode()
    assert "Needs line-manager approval" in my_page
    assert "Your line manager has been asked to approve." in my_page


def test_the_same_theme_cannot_be_ranked_twice(client_for: Any, setup: Any) -> None:
    p = setup.personas
    participant = invite(setup, p.people["junior"], "mentee")
    data = _apply_data(setup, **{f"q{setup.themes.pk}_1": "Career"})
    response = client_for(p.mentee).post(reverse("participant_apply", args=[participant.pk]), data)
    assert response.status_code == 200
    assert "only once" in response.content.decode()


def test_the_public_link_lets_a_colleague_apply_as_mentor(client_for: Any, setup: Any) -> None:
    client = client_for(setup.personas.mentor)
    url = reverse("programme_apply_link", args=[setup.programme.application_token])
    choose = client.get(url).content.decode()
    assert "I would like to take part as" in choose
    form = client.get(url, {"role": "mentor"}).content.decode()
    assert "Why do you want to be a mentor?" in form
    response = client.post(url, {"role": "mentor", f"q{setup.motivation.pk}": "To give back"})
    assert response.status_code == 302
    participant = Participant.objects.get(person=setup.mentor_person)
    assert participant.status == "applied"
    assert participant.answers == {str(setup.motivation.pk): "To give back"}


def test_a_closed_application_link_is_not_found(client_for: Any, setup: Any) -> None:
    setup.programme.applications_open = False
    setup.programme.save()
    url = reverse("programme_apply_link", args=[setup.programme.application_token])
    assert client_for(setup.personas.mentor).get(url).status_code == 404


def test_the_questionnaire_builder_adds_and_removes_questions(
    client_for: Any, programme: Programme, personas: Any
) -> None:
    client = client_for(personas.manager)
    url = reverse("programme_questionnaire", args=[programme.pk])
    refused = client.post(
        url, {"role": "mentee", "text": "Pick", "kind": "single_choice", "choices": "Only one"}
    )
    assert refused.status_code == 400
    client.post(
        url,
        {
            "role": "mentee",
            "text": "Meeting mode?",
            "kind": "single_choice",
            "choices": "In person\nOnline",
            "maps_to": "meeting_mode",
        },
    )
    question = programme.questions.get(text="Meeting mode?")
    assert question.choices == ["In person", "Online"]
    client.post(reverse("question_delete", args=[programme.pk, question.pk]), {"confirm": "on"})
    assert not programme.questions.filter(text="Meeting mode?").exists()


def test_attendance_recorded_on_the_page_trains_the_participant(
    client_for: Any, setup: Any, event: Any
) -> None:
    p = setup.personas
    invite(setup, setup.mentor_person, "mentor")
    mentor = apply(setup, "mentor", {})
    screening.screening_record(participant=mentor, outcome="passed", notes="", actor=p.manager)
    mentor.refresh_from_db()
    pipeline.participant_transition(participant=mentor, to_status="approved", actor=p.manager)
    url = reverse("event_attendance", args=[setup.programme.pk, event.pk])
    client = client_for(p.manager)
    assert "Mo Mentor" in client.get(url).content.decode()
    client.post(url, {"attended": [str(mentor.pk)]})
    mentor.refresh_from_db()
    assert mentor.status == "trained"
    # Unticked by mistake: back to approved, and the page says who.
    page = client.post(url, {}, follow=True).content.decode()
    mentor.refresh_from_db()
    assert mentor.status == "approved"
    assert "went back to approved: Mo Mentor" in page


def test_an_illegal_transition_on_the_page_shows_the_message(client_for: Any, setup: Any) -> None:
    p = setup.personas
    mentor = invite(setup, setup.mentor_person, "mentor")
    response = client_for(p.manager).post(
        reverse("participant_transition", args=[mentor.pk]),
        {"to_status": "active"},
        follow=True,
    )
    assert "cannot go from" in response.content.decode()


def test_an_interview_without_a_date_asks_for_one(client_for: Any, setup: Any) -> None:
    p = setup.personas
    mentor = pipeline.participant_invite(
        programme=setup.programme, person=setup.mentor_person, role="mentor", actor=p.manager
    )
    response = client_for(p.manager).post(
        reverse("screening_schedule", args=[mentor.pk]), {"at": ""}, follow=True
    )
    assert "Give the date and time of the interview." in response.content.decode()
    mentor.refresh_from_db()
    assert mentor.screening_at is None


def test_a_line_managers_decision_without_a_choice_asks_for_one(
    client_for: Any, setup: Any
) -> None:
    p = setup.personas
    mentee = mentee_applies(setup)
    url = reverse("line_manager_decide", args=[mentee.pk])
    for decision in ("", "maybe"):
        response = client_for(p.line_manager).post(url, {"decision": decision}, follow=True)
        assert "Choose approve or decline." in response.content.decode()
    client_for(p.line_manager).post(url, {"decision": "decline", "note": "Not now"})
    mentee.refresh_from_db()
    assert mentee.status == "declined"
    assert mentee.line_manager_decision == "declined"


def test_copying_on_the_page_opens_the_new_cohorts_design(
    client_for: Any, programme: Programme, personas: Any
) -> None:
    response = client_for(personas.manager).post(reverse("programme_copy", args=[programme.pk]))
    copy = Programme.objects.get(copied_from=programme)
    assert response["Location"] == reverse("programme_edit", args=[copy.pk])


def test_a_manager_adds_a_partner_organisation_by_its_short_name(
    client_for: Any, programme: Programme, personas: Any
) -> None:
    client = client_for(personas.manager)
    url = reverse("programme_organisation_add", args=[programme.pk])
    unknown = client.post(url, {"organisation": "nope", "contributes_mentors": "on"}, follow=True)
    assert "No other organisation has that name or short name." in unknown.content.decode()
    client.post(url, {"organisation": "other", "contributes_mentors": "on"})
    contribution = programme.contributions.get()
    assert contribution.organisation == personas.other_organisation
    assert contribution.contributes_mentors and not contribution.contributes_mentees
    client.post(url, {"organisation": "other", "contributes_mentees": "on"})
    contribution = programme.contributions.get()
    assert contribution.contributes_mentees and not contribution.contributes_mentors
    page = client.get(reverse("programme_detail", args=[programme.pk])).content.decode()
    assert "Other Works" in page
    client.post(
        reverse("programme_organisation_remove", args=[programme.pk, contribution.pk]),
        {"confirm": "on"},
    )
    assert not programme.contributions.exists()


def test_a_partner_organisation_is_found_by_its_name_written_out(
    client_for: Any, programme: Programme, personas: Any
) -> None:
    client = client_for(personas.manager)
    url = reverse("programme_organisation_add", args=[programme.pk])
    client.post(url, {"organisation": "  other   WORKS ", "contributes_mentees": "on"})
    assert programme.contributions.get().organisation == personas.other_organisation
    # Part of a name finds nothing: the platform's organisations are never listed.
    programme.contributions.all().delete()
    part = client.post(url, {"organisation": "Works", "contributes_mentees": "on"}, follow=True)
    assert "No other organisation has that name or short name." in part.content.decode()
    assert not programme.contributions.exists()


def test_two_organisations_of_one_name_ask_for_the_short_name(
    client_for: Any, programme: Programme, personas: Any
) -> None:
    Organisation.objects.create(name="Other Works", slug="other-works-2")
    url = reverse("programme_organisation_add", args=[programme.pk])
    response = client_for(personas.manager).post(
        url, {"organisation": "Other Works", "contributes_mentors": "on"}, follow=True
    )
    assert "give the short name instead" in response.content.decode()
    assert not programme.contributions.exists()


def test_a_preferred_people_question_can_feed_exclusions_as_people(setup: Any) -> None:
    p = setup.personas
    exclusions = questionnaire.question_add(
        programme=setup.programme,
        role="mentee",
        text="Anyone you would rather not be matched with?",
        kind="preferred_mentors",
        maps_to="exclusions",
        actor=p.manager,
    )
    invite(setup, setup.mentor_person, "mentor")
    mentor = Participant.objects.get(person=setup.mentor_person)
    invite(setup, p.people["junior"], "mentee")
    mentee = apply(setup, "mentee", {exclusions.pk: [str(mentor.pk)]})
    assert mentee.profile["exclusions"] == [str(setup.mentor_person.pk)]


def test_saving_a_design_outside_six_to_eighteen_months_warns(
    client_for: Any, programme: Programme, personas: Any
) -> None:
    response = client_for(personas.manager).post(
        reverse("programme_edit", args=[programme.pk]),
        {
            "name": programme.name,
            "kind": "one_to_one",
            "delivery": "virtual",
            "max_mentees_per_mentor": 1,
            "influence_mode": "manager_publishes",
            "start_date": "2027-01-01",
            "end_date": "2027-03-01",
        },
        follow=True,
    )
    assert "Most programmes last 6 to 18 months" in response.content.decode()


def test_a_participant_leaves_the_programme_from_their_page(client_for: Any, setup: Any) -> None:
    p = setup.personas
    participant = invite(setup, setup.mentor_person, "mentor")
    client = client_for(p.mentor)
    assert "Leave the programme" in client.get(reverse("my_programmes")).content.decode()
    client.post(reverse("participant_withdraw", args=[participant.pk]), {"confirm": "on"})
    participant.refresh_from_db()
    assert participant.status == "withdrawn"
    assert "Leave the programme" not in client.get(reverse("my_programmes")).content.decode()


def test_the_preferred_mentors_are_told_apart_by_organisation_unit_and_title(
    client_for: Any, setup: Any
) -> None:
    from mentora.people.models import Person

    p = setup.personas
    Person.objects.filter(pk=setup.mentor_person.pk).update(job_title="Sales lead")
    twin = make_person(p.other_organisation, "T1", "Mo", "Mentor", job_title="Engineer")
    # Another organisation lends its Mo to the programme.
    for person in (setup.mentor_person, twin):
        Participant.objects.create(
            programme=setup.programme, person=person, role="mentor", status="applied"
        )
    participant = invite(setup, p.people["junior"], "mentee")
    page = (
        client_for(p.mentee)
        .get(reverse("participant_apply", args=[participant.pk]))
        .content.decode()
    )
    assert "Mo Mentor (Acme Energy · Sales lead)" in page
    assert "Mo Mentor (Other Works · Engineer)" in page
