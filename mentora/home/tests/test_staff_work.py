"""The dashboard's work for programme managers, organisation admins and sponsors: what each
sees and does not, where each item leads, that nothing private shows, and that the page
costs a bounded number of queries however many programmes and pairs there are."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import make_person
from mentora.accounts.models import Membership, Role, User
from mentora.home.staff_work import staff_work
from mentora.people.models import ImportRun, ImportStatus
from mentora.programmes.models import Participant, Programme
from mentora.relationships.models import Pair
from mentora.rounds.models import MatchingRound, RoundStatus
from mentora.surveys.models import Instrument, Survey
from tests.world import World, build_world

pytestmark = pytest.mark.django_db

_serial = itertools.count(1)

NEEDS = "Needs you now"
GLANCE = "Your programmes at a glance"
ADMIN = "People and members"
SPONSOR = "Programmes you sponsor"


@pytest.fixture
def world() -> World:
    return build_world()


def _dashboard(client: Any, user: Any) -> str:
    client.force_login(user)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def _participant(programme: Programme, role: str, status: str, **extra: Any) -> Participant:
    n = next(_serial)
    person = make_person(programme.organisation, f"S{n}", f"Sam{n}", "Staffwork", level=3)
    return Participant.objects.create(
        programme=programme, person=person, role=role, status=status, **extra
    )


def _programme(world: World, name: str, *managers: Any) -> Programme:
    programme = Programme.objects.create(organisation=world.personas.organisation, name=name)
    programme.managers.add(*managers)
    return programme


# Who sees what ------------------------------------------------------------------------------


def test_manager_sees_their_work_and_programmes_but_not_admin_or_sponsor_parts(
    client: Any, world: World
) -> None:
    html = _dashboard(client, world.personas.manager)
    assert NEEDS in html
    assert GLANCE in html
    pipeline = reverse("programme_pipeline", args=[world.programme.pk])
    # The ready and active participants of the test world, each a tile leading to them.
    assert f'href="{pipeline}?status=ready"' in html
    assert f'href="{pipeline}?status=active"' in html
    assert reverse("programme_health", args=[world.programme.pk]) in html
    assert ADMIN not in html
    assert SPONSOR not in html
    assert reverse("people_import", args=["acme"]) not in html


def test_org_admin_sees_people_data_members_and_every_programme(client: Any, world: World) -> None:
    other = _programme(world, "Leaders of tomorrow", world.personas.mentor)
    html = _dashboard(client, world.personas.org_admin)
    assert ADMIN in html
    assert "people in the HR data" in html
    assert "Never imported" in html
    assert reverse("people_import", args=["acme"]) in html
    assert reverse("organisation_members", args=["acme"]) in html
    # Organisation admins answer for every programme of the organisation.
    assert GLANCE in html
    assert world.programme.name in html
    assert other.name in html
    assert SPONSOR not in html


def test_sponsor_sees_goals_against_results_and_no_management(client: Any, world: World) -> None:
    html = _dashboard(client, world.personas.sponsor)
    assert SPONSOR in html
    assert "90% retention after two years" in html
    assert reverse("programme_report", args=[world.programme.pk]) in html
    assert NEEDS not in html
    assert GLANCE not in html
    assert ADMIN not in html
    assert reverse("programme_pipeline", args=[world.programme.pk]) not in html


def test_a_mentor_who_sponsors_one_programme_sees_only_that_one(client: Any, world: World) -> None:
    backed = _programme(world, "Backed by the mentor")
    backed.sponsors.add(world.personas.mentor)
    html = _dashboard(client, world.personas.mentor)
    assert SPONSOR in html
    assert "Backed by the mentor" in html
    assert reverse("programme_report", args=[backed.pk]) in html
    assert reverse("programme_report", args=[world.programme.pk]) not in html
    assert NEEDS not in html
    assert ADMIN not in html


def test_a_manager_sees_the_programmes_they_run_not_another_teams(
    client: Any, world: World
) -> None:
    colleague = User.objects.create_user(email="colleague@test.example", password="pw")
    Membership.objects.create(
        user=colleague, organisation=world.personas.organisation, role=Role.PROGRAMME_MANAGER
    )
    theirs = _programme(world, "Programme of a colleague", colleague)
    nobodys = _programme(world, "Programme without a team")
    html = _dashboard(client, world.personas.manager)
    assert world.programme.name in html
    assert theirs.name not in html
    assert reverse("programme_detail", args=[theirs.pk]) not in html
    # A programme with no team yet is every programme manager's to look after.
    assert nobodys.name in html
    html = _dashboard(client, colleague)
    assert theirs.name in html
    assert reverse("programme_detail", args=[world.programme.pk]) not in html


@pytest.mark.parametrize("who", ["mentee", "line_manager"])
def test_participants_and_outsiders_get_no_staff_work(client: Any, world: World, who: str) -> None:
    html = _dashboard(client, getattr(world.personas, who))
    for heading in (NEEDS, GLANCE, ADMIN, SPONSOR):
        assert heading not in html
    assert staff_work(getattr(world.personas, who), world.personas.organisation, []) is None


def test_an_admin_of_another_organisation_sees_nothing_of_this_one(
    client: Any, world: World
) -> None:
    html = _dashboard(client, world.personas.outsider)
    assert world.programme.name not in html
    assert reverse("people_import", args=["acme"]) not in html
    assert reverse("people_import", args=["other"]) in html
    assert staff_work(world.personas.outsider, world.personas.organisation, []) is None


def test_anonymous_visitors_are_sent_to_log_in(client: Any, world: World) -> None:
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_no_private_text_of_any_pair_reaches_the_staff_work(world: World) -> None:
    for who in ("manager", "org_admin", "sponsor"):
        user = getattr(world.personas, who)
        work = staff_work(
            user,
            world.personas.organisation,
            sorted(user.memberships.values_list("role", flat=True)),
        )
        html = render_to_string("home/_staff_work.html", {"work": work})
        assert work is not None
        for marker in world.markers:
            assert marker.token not in html, (who, marker.what)


# What needs the manager now ------------------------------------------------------------------


def test_each_piece_of_work_is_a_counted_sentence_linking_where_to_act(
    client: Any, world: World
) -> None:
    programme = world.programme
    pipeline = reverse("programme_pipeline", args=[programme.pk])
    _participant(programme, "mentee", "applied")
    _participant(programme, "mentee", "applied")
    _participant(programme, "mentor", "under_review")
    _participant(
        programme,
        "mentee",
        "needs_line_manager",
        line_manager_decision="pending",
        status_changed_at=timezone.now() - dt.timedelta(days=5),
    )
    matching_round = MatchingRound.objects.create(
        programme=programme, number=7, status=RoundStatus.DONE
    )
    now = timezone.now()
    Survey.objects.create(
        programme=programme,
        instrument=Instrument.objects.get(source="builtin", slug="mentora-midway"),
        wave="midway",
        roles=["mentee"],
        opens_at=now - dt.timedelta(days=10),
        closes_at=now + dt.timedelta(days=3),
    )
    Pair.objects.create(
        programme=programme,
        mentee=_participant(programme, "mentee", "active"),
        mentor=_participant(programme, "mentor", "active"),
        started_at=now - dt.timedelta(days=10),
    )
    html = _dashboard(client, world.personas.manager)
    assert "2 new applications to review" in html
    assert f'href="{pipeline}?status=applied"' in html
    assert "1 application under review to decide" in html
    assert "1 mentor screening interview to book" in html
    assert f'href="{pipeline}?role=mentor"' in html
    assert "1 line-manager approval overdue" in html
    assert f'href="{pipeline}?status=needs_line_manager"' in html
    assert "Matching round 7 is ready for review" in html
    assert reverse("round_detail", args=[matching_round.pk]) in html
    # The test world's kick-off in ten days has 20 places, one taken.
    assert "Kick-off on" in html
    assert "has 19 free places" in html
    assert reverse("programme_events", args=[programme.pk]) in html
    assert "closes on" in html
    # Pairs A and B of the test world have had check-ins; the new pair has not.
    assert "1 pair without a follow-up from the programme team" in html
    assert reverse("pair_health", args=[programme.pk]) in html


def test_a_line_manager_approval_still_within_its_days_is_not_overdue(
    client: Any, world: World
) -> None:
    _participant(world.programme, "mentee", "needs_line_manager", line_manager_decision="pending")
    assert "line-manager approval overdue" not in _dashboard(client, world.personas.manager)


def test_quiet_pairs_and_pairs_at_risk_are_counted(client: Any, world: World) -> None:
    programme = _programme(world, "Quiet cohort", world.personas.manager)
    Pair.objects.create(
        programme=programme,
        mentee=_participant(programme, "mentee", "active"),
        mentor=_participant(programme, "mentor", "active"),
        started_at=timezone.now() - dt.timedelta(days=100),
    )
    html = _dashboard(client, world.personas.manager)
    assert "1 pair at risk" in html
    assert "1 pair has not met for 30 days" in html
    assert "1 pair needs help" in html
    assert reverse("pair_health", args=[programme.pk]) in html


def test_a_manager_with_nothing_to_do_gets_a_friendly_empty_state(client: Any, db: None) -> None:
    from conftest import make_personas

    personas = make_personas()
    Programme.objects.create(organisation=personas.organisation, name="Fresh start")
    html = _dashboard(client, personas.manager)
    assert "All caught up" in html
    assert "Fresh start" in html
    assert "No participants yet." in html


# People data for organisation admins --------------------------------------------------------


def test_a_failed_last_import_is_flagged_with_a_link_to_it(client: Any, world: World) -> None:
    org = world.personas.organisation
    done = ImportRun.objects.create(
        organisation=org,
        file_name="march.csv",
        status=ImportStatus.DONE,
        finished_at=timezone.now(),
    )
    failed = ImportRun.objects.create(
        organisation=org, file_name="april.csv", status=ImportStatus.FAILED
    )
    html = _dashboard(client, world.personas.org_admin)
    assert "did not go through" in html
    assert reverse("people_import_run", args=["acme", failed.pk]) in html
    assert reverse("people_import_run", args=["acme", done.pk]) in html
    assert "Never imported" not in html
    # A programme manager does not look after the HR data.
    assert "did not go through" not in _dashboard(client, world.personas.manager)


def test_pending_invitations_count_members_who_never_signed_in(world: World) -> None:
    org = world.personas.organisation
    for n in range(3):
        user = User.objects.create_user(email=f"new{n}@test.example", password=None)
        Membership.objects.create(user=user, organisation=org, role=Role.MENTEE)
    before = staff_work(world.personas.org_admin, org, [Role.ORG_ADMIN]).admin.pending_invitations
    User.objects.filter(email="new0@test.example").update(last_login=timezone.now())
    after = staff_work(world.personas.org_admin, org, [Role.ORG_ADMIN]).admin.pending_invitations
    assert before - after == 1
    assert after >= 2


# Cost ---------------------------------------------------------------------------------------


def _more(world: World, programmes: int) -> None:
    """More programmes for the manager, each with pairs, applicants, a round and an event."""
    for _ in range(programmes):
        programme = _programme(world, f"Cohort {next(_serial)}", world.personas.manager)
        programme.sponsors.add(world.personas.manager)
        for _ in range(3):
            Pair.objects.create(
                programme=programme,
                mentee=_participant(programme, "mentee", "active"),
                mentor=_participant(programme, "mentor", "active"),
                started_at=timezone.now() - dt.timedelta(days=50),
            )
            _participant(programme, "mentor", "applied")
        MatchingRound.objects.create(programme=programme, number=41, status=RoundStatus.DONE)


# The health check and the outcome report read each programme on their own; everything else
# is read once for all programmes.
PER_PROGRAMME = 25


def test_the_dashboard_costs_a_bounded_number_of_queries(
    client: Any, world: World, django_assert_max_num_queries: Any
) -> None:
    client.force_login(world.personas.manager)
    _more(world, 1)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("dashboard"))
    _more(world, 3)
    with django_assert_max_num_queries(len(few) + 3 * PER_PROGRAMME):
        response = client.get(reverse("dashboard"))
    assert response.content.decode().count("Matching round 41 is ready for review") == 4
    # More pairs and applicants in the same programmes cost nothing more.
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("dashboard"))
    for programme in Programme.objects.filter(name__startswith="Cohort"):
        for _ in range(4):
            Pair.objects.create(
                programme=programme,
                mentee=_participant(programme, "mentee", "active"),
                mentor=_participant(programme, "mentor", "active"),
            )
            _participant(programme, "mentee", "applied")
    with django_assert_max_num_queries(len(before)):
        client.get(reverse("dashboard"))


def test_the_staff_work_speaks_danish(client: Any, world: World) -> None:
    User.objects.filter(pk=world.personas.org_admin.pk).update(language="da")
    _participant(world.programme, "mentee", "applied")
    html = _dashboard(client, world.personas.org_admin)
    assert "Venter på dig nu" in html
    assert "1 ny ansøgning at behandle" in html
    assert "Personer og medlemmer" in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_staff_work_passes_axe_and_fits_a_phone(live_server: Any, browser: Any) -> None:
    from conftest import ensure_shipped_libraries, log_in
    from tests.pages import PHONE, problems_on

    ensure_shipped_libraries()
    world = build_world()
    _participant(world.programme, "mentee", "applied")
    _programme(
        world, "Ledelsesudviklingsprogrammet for nyudnævnte afdelingsledere", world.personas.manager
    )
    ImportRun.objects.create(
        organisation=world.personas.organisation,
        file_name="a-very-long-file-name-from-the-hr-system-export-2027.csv",
        status=ImportStatus.FAILED,
    )
    problems: list[str] = []
    for who in ("manager", "org_admin", "sponsor"):
        context = browser.new_context(viewport=PHONE, locale="en-GB")
        page = context.new_page()
        log_in(page, live_server.url, getattr(world.personas, who).email)
        assert page.get_by_role("heading", name=SPONSOR if who == "sponsor" else NEEDS).count()
        problems += [f"{who}: {problem}" for problem in problems_on(page, PHONE)]
        context.close()
    assert problems == [], "\n".join(problems)
