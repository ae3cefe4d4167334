"""Every programme page and endpoint, for every persona.

Outsiders get 404; members whose role only allows reading get 403 on writes; the
allowed roles get 2xx or a redirect.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import EVERYONE, MANAGERS_ONLY, PERSONAS, READERS, WRITE
from mentora.accounts.models import Membership, Organisation
from mentora.programmes import access
from mentora.programmes.models import Participant, Programme
from mentora.programmes.services import design, pipeline, questionnaire
from mentora.programmes.tests.conftest import apply, invite


@pytest.fixture
def world(setup: Any, event: Any) -> dict[str, Any]:
    """A programme with an invited mentee, an applied mentor, a touchpoint and an event."""
    p = setup.personas
    mentee = invite(setup, p.people["junior"], "mentee")
    invite(setup, setup.mentor_person, "mentor")
    mentor = apply(setup, "mentor", {setup.motivation.pk: "A secret motivation"})
    partner = Organisation.objects.create(name="Partner Ltd", slug="partner")
    design.programme_set_organisations(
        programme=setup.programme, contributions=[(partner, True, False)], actor=p.manager
    )
    touchpoint = questionnaire.touchpoint_add(
        programme=setup.programme, kind="kickoff", date=dt.date(2027, 1, 10), actor=p.manager
    )
    return {
        "programme": setup.programme,
        "mentee": mentee,
        "mentor": mentor,
        "event": event,
        "touchpoint": touchpoint,
        "contribution": setup.programme.contributions.get(),
        "question": setup.goals,
        "personas": p,
    }


def _get(client_for: Any, user: Any, url: str) -> int:
    return client_for(user).get(url).status_code


def _post(client_for: Any, user: Any, url: str, data: dict[str, Any] | None = None) -> int:
    return client_for(user).post(url, data or {}).status_code


def _pages(w: dict[str, Any]) -> dict[str, tuple[str, dict[str, int]]]:
    pk = w["programme"].pk
    return {
        "programme_list": (reverse("programme_list"), EVERYONE),
        "programme_create": (
            reverse("programme_create"),
            # The outsider administers their own organisation and may create programmes there.
            {**MANAGERS_ONLY, "outsider": 200},
        ),
        "programme_detail": (reverse("programme_detail", args=[pk]), READERS),
        "programme_health": (reverse("programme_health", args=[pk]), READERS),
        "programme_pipeline": (reverse("programme_pipeline", args=[pk]), READERS),
        "programme_events": (reverse("programme_events", args=[pk]), READERS),
        "programme_edit": (reverse("programme_edit", args=[pk]), MANAGERS_ONLY),
        "programme_questionnaire": (reverse("programme_questionnaire", args=[pk]), MANAGERS_ONLY),
        "event_attendance": (
            reverse("event_attendance", args=[pk, w["event"].pk]),
            MANAGERS_ONLY,
        ),
        "participant_detail": (
            reverse("participant_detail", args=[pk, w["mentee"].pk]),
            # The mentee reads their own answers; nobody else but those running it.
            {**MANAGERS_ONLY, "mentee": 200},
        ),
        "participant_apply": (
            reverse("participant_apply", args=[w["mentee"].pk]),
            {**dict.fromkeys(PERSONAS, 403), "mentee": 200, "outsider": 404},
        ),
        "programme_apply_link": (
            reverse("programme_apply_link", args=[w["programme"].application_token]),
            # Staff without an HR record see why they cannot apply.
            {
                **dict.fromkeys(PERSONAS, 200),
                "admin": 403,
                "org_admin": 403,
                "manager": 403,
                "sponsor": 403,
                "outsider": 404,
            },
        ),
        "my_programmes": (reverse("my_programmes"), EVERYONE),
        "line_manager_approvals": (reverse("line_manager_approvals"), EVERYONE),
    }


PAGE_NAMES = [
    "programme_list",
    "programme_create",
    "programme_detail",
    "programme_health",
    "programme_pipeline",
    "programme_events",
    "programme_edit",
    "programme_questionnaire",
    "event_attendance",
    "participant_detail",
    "participant_apply",
    "programme_apply_link",
    "my_programmes",
    "line_manager_approvals",
]


@pytest.mark.parametrize("page", PAGE_NAMES)
def test_each_persona_gets_the_right_answer_on_each_page(
    client_for: Any, world: dict[str, Any], page: str
) -> None:
    url, expected = _pages(world)[page]
    personas = world["personas"]
    got = {who: _get(client_for, getattr(personas, who), url) for who in PERSONAS}
    assert got == expected


@pytest.mark.parametrize("page", PAGE_NAMES)
def test_anonymous_visitors_are_sent_to_log_in(
    client: Any, world: dict[str, Any], page: str
) -> None:
    url, _expected = _pages(world)[page]
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def _writes(w: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any], dict[str, int]]]:
    pk = w["programme"].pk
    mentor = w["mentor"].pk
    return {
        "programme_edit": (
            reverse("programme_edit", args=[pk]),
            {
                "name": "Renamed",
                "kind": "one_to_one",
                "delivery": "virtual",
                "max_mentees_per_mentor": 1,
                "influence_mode": "mentee_chooses",
            },
            WRITE,
        ),
        "programme_policy": (
            reverse("programme_policy", args=[pk]),
            _policy_post(),
            WRITE,
        ),
        "programme_copy": (reverse("programme_copy", args=[pk]), {}, WRITE),
        "programme_organisation_add": (
            reverse("programme_organisation_add", args=[pk]),
            {"organisation": "partner", "contributes_mentees": "on"},
            WRITE,
        ),
        "programme_organisation_remove": (
            reverse("programme_organisation_remove", args=[pk, w["contribution"].pk]),
            {"confirm": "on"},
            WRITE,
        ),
        "touchpoint_add": (
            reverse("touchpoint_add", args=[pk]),
            {"kind": "evaluation", "date": "2027-10-01"},
            WRITE,
        ),
        "touchpoint_delete": (
            reverse("touchpoint_delete", args=[pk, w["touchpoint"].pk]),
            {"confirm": "on"},
            WRITE,
        ),
        "participant_invite": (
            reverse("participant_invite", args=[pk]),
            {"role": "mentee", "people": "hronly@test.example"},
            WRITE,
        ),
        "event_create": (
            reverse("programme_events", args=[pk]),
            {"title": "Mentor training", "starts_at": "2027-01-05T09:00", "required_for": "mentor"},
            WRITE,
        ),
        "event_attendance": (
            reverse("event_attendance", args=[pk, w["event"].pk]),
            {"attended": []},
            WRITE,
        ),
        "question_add": (
            reverse("programme_questionnaire", args=[pk]),
            {
                "role": "mentor",
                "text": "Hours per month?",
                "kind": "short_text",
                "maps_to": "availability",
            },
            WRITE,
        ),
        "question_delete": (
            reverse("question_delete", args=[pk, w["question"].pk]),
            {"confirm": "on"},
            WRITE,
        ),
        "participant_transition": (
            reverse("participant_transition", args=[mentor]),
            {"to_status": "under_review"},
            WRITE,
        ),
        "screening_schedule": (
            reverse("screening_schedule", args=[mentor]),
            {"at": (timezone.now() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")},
            WRITE,
        ),
        "screening_record": (
            reverse("screening_record", args=[mentor]),
            {"outcome": "passed", "notes": "Fine"},
            WRITE,
        ),
    }


def _policy_post() -> dict[str, Any]:
    from mentora.programmes.forms import WEIGHT_LABELS

    data: dict[str, Any] = {"mode": "suggest", "suggestions": 3, "group_size": 5}
    data.update({f"w_{name}": 2 for name in WEIGHT_LABELS})
    data.update({"c_reporting_line": "on", "c_competitors": "on"})
    return data


WRITE_NAMES = [
    "programme_edit",
    "programme_policy",
    "programme_copy",
    "programme_organisation_add",
    "programme_organisation_remove",
    "touchpoint_add",
    "touchpoint_delete",
    "participant_invite",
    "event_create",
    "event_attendance",
    "question_add",
    "question_delete",
    "participant_transition",
    "screening_schedule",
    "screening_record",
]


@pytest.mark.parametrize("endpoint", WRITE_NAMES)
@pytest.mark.parametrize("who", PERSONAS)
def test_each_persona_gets_the_right_answer_on_each_write(
    client_for: Any, world: dict[str, Any], endpoint: str, who: str
) -> None:
    url, data, expected = _writes(world)[endpoint]
    user = getattr(world["personas"], who)
    assert _post(client_for, user, url, data) == expected[who]


def test_the_mentee_cannot_change_their_own_status_through_the_managers_door(
    client_for: Any, world: dict[str, Any]
) -> None:
    url = reverse("participant_transition", args=[world["mentee"].pk])
    mentee = world["personas"].mentee
    assert _post(client_for, mentee, url, {"to_status": "withdrawn"}) == 403


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", 302),
        ("org_admin", 403),
        ("manager", 403),
        ("sponsor", 403),
        ("mentor", 403),
        ("mentee", 403),
        ("line_manager", 302),
        ("outsider", 404),
    ],
)
def test_only_the_line_manager_decides_the_approval(
    client_for: Any, setup: Any, who: str, expected: int
) -> None:
    p = setup.personas
    invite(setup, p.people["junior"], "mentee")
    mentee = apply(setup, "mentee", {setup.themes.pk: ["Career"]})
    url = reverse("line_manager_decide", args=[mentee.pk])
    assert _post(client_for, getattr(p, who), url, {"decision": "approve"}) == expected
    mentee.refresh_from_db()
    assert (mentee.status == "approved") == (expected == 302)


def test_the_boss_of_the_line_manager_also_sees_the_report(setup: Any) -> None:
    from mentora.accounts.models import User

    boss_user = User.objects.create_user(email="boss@test.example", password="pw")
    Membership.objects.create(
        user=boss_user, organisation=setup.personas.organisation, role="line_manager"
    )
    setup.personas.people["boss"].user = boss_user
    setup.personas.people["boss"].save()
    p = setup.personas
    invite(setup, p.people["junior"], "mentee")
    assert access.line_manager_participations(boss_user).count() == 1
    assert access.line_manager_participations(p.mentor).count() == 0


def test_an_outsider_never_sees_the_programme_in_the_list(
    client_for: Any, world: dict[str, Any]
) -> None:
    page = client_for(world["personas"].outsider).get(reverse("programme_list"))
    assert "Graduate onboarding" not in page.content.decode()
    page = client_for(world["personas"].sponsor).get(reverse("programme_list"))
    assert "Graduate onboarding" in page.content.decode()


def test_a_missing_programme_looks_the_same_as_a_foreign_one(
    client_for: Any, world: dict[str, Any]
) -> None:
    p = world["personas"]
    foreign = design.programme_create(
        organisation=p.other_organisation, actor=p.outsider, name="Theirs"
    )
    client = client_for(p.mentor)
    missing = client.get(reverse("programme_detail", args=[999999]))
    other = client.get(reverse("programme_detail", args=[foreign.pk]))
    assert missing.status_code == other.status_code == 404


def test_a_mentor_never_sees_another_applicants_answers(
    client_for: Any, world: dict[str, Any]
) -> None:
    p = world["personas"]
    url = reverse("participant_detail", args=[world["programme"].pk, world["mentor"].pk])
    # The mentor sees their own answer ...
    assert "A secret motivation" in client_for(p.mentor).get(url).content.decode()
    # ... and neither the mentee nor the sponsor nor the line manager do.
    for who in ("mentee", "sponsor", "line_manager"):
        response = client_for(getattr(p, who)).get(url)
        assert response.status_code == 403
        assert "A secret motivation" not in response.content.decode()


def test_sponsors_see_pipeline_counts_but_no_names(client_for: Any, world: dict[str, Any]) -> None:
    p = world["personas"]
    url = reverse("programme_pipeline", args=[world["programme"].pk])
    sponsor_page = client_for(p.sponsor).get(url).content.decode()
    assert "Jo Junior" not in sponsor_page
    assert "2 participants in all" in sponsor_page
    manager_page = client_for(p.manager).get(url).content.decode()
    assert "Jo Junior" in manager_page


def test_gender_is_shown_only_to_trusted_staff(client_for: Any, world: dict[str, Any]) -> None:
    p = world["personas"]
    url = reverse("participant_detail", args=[world["programme"].pk, world["mentee"].pk])
    assert "female" not in client_for(p.manager).get(url).content.decode()
    assert "female" not in client_for(p.mentee).get(url).content.decode()
    Membership.objects.filter(user=p.manager).update(sees_sensitive_attributes=True)
    assert "female" in client_for(p.manager).get(url).content.decode()


def test_the_decline_reason_is_hidden_from_the_participant(
    client_for: Any, world: dict[str, Any]
) -> None:
    p = world["personas"]
    pipeline.participant_transition(
        participant=world["mentor"], to_status="declined", reason="Too busy", actor=p.manager
    )
    url = reverse("participant_detail", args=[world["programme"].pk, world["mentor"].pk])
    assert "Too busy" not in client_for(p.mentor).get(url).content.decode()
    assert "Too busy" in client_for(p.manager).get(url).content.decode()


def test_the_line_manager_sees_themes_and_status_but_not_answers(
    client_for: Any, setup: Any
) -> None:
    p = setup.personas
    invite(setup, p.people["junior"], "mentee")
    apply(setup, "mentee", {setup.themes.pk: ["Networking"], setup.goals.pk: "Private goal text"})
    page = client_for(p.line_manager).get(reverse("line_manager_approvals")).content.decode()
    assert "Networking" in page
    assert "Private goal text" not in page
    other = client_for(p.mentor).get(reverse("line_manager_approvals")).content.decode()
    assert "Jo Junior" not in other


def test_programmes_for_lists_what_each_role_may_read(world: dict[str, Any]) -> None:
    p = world["personas"]
    programme = world["programme"]
    for who in ("admin", "org_admin", "manager", "sponsor"):
        assert list(access.programmes_for(getattr(p, who))) == [programme], who
    for who in ("mentor", "mentee", "line_manager", "outsider"):
        assert list(access.programmes_for(getattr(p, who))) == [], who


def test_staff_of_a_contributing_organisation_read_but_do_not_write(
    client_for: Any, world: dict[str, Any]
) -> None:
    p = world["personas"]
    programme: Programme = world["programme"]
    design.programme_set_organisations(
        programme=programme, contributions=[(p.other_organisation, True, True)], actor=p.manager
    )
    assert _get(client_for, p.outsider, reverse("programme_detail", args=[programme.pk])) == 200
    assert _post(client_for, p.outsider, reverse("programme_copy", args=[programme.pk])) == 403
    mentee: Participant = world["mentee"]
    url = reverse("participant_detail", args=[programme.pk, mentee.pk])
    assert _get(client_for, p.outsider, url) == 403


@pytest.mark.parametrize("who", PERSONAS)
def test_only_the_participant_applies_and_withdraws_through_their_own_pages(
    client_for: Any, world: dict[str, Any], who: str
) -> None:
    personas = world["personas"]
    mentee: Participant = world["mentee"]
    expected = {**dict.fromkeys(PERSONAS, 403), "mentee": 302, "outsider": 404}[who]
    apply = reverse("participant_apply", args=[mentee.pk])
    # No mentee question is required, so an empty form is a valid application.
    assert _post(client_for, getattr(personas, who), apply) == expected
    withdraw = reverse("participant_withdraw", args=[mentee.pk])
    assert _post(client_for, getattr(personas, who), withdraw, {"confirm": "on"}) == expected
    mentee.refresh_from_db()
    assert (mentee.status == "withdrawn") == (expected == 302)
