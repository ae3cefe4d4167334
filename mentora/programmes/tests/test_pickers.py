"""People pickers in the programme's forms: inviting people found in the directory, and
choosing sponsors and managers; a forged or foreign choice is refused by the form."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from conftest import make_person
from mentora.people.models import Person
from mentora.programmes.forms import InviteForm, ProgrammeForm
from mentora.programmes.models import Participant

pytestmark = pytest.mark.django_db


def _invite(client: Any, setup: Any, data: dict[str, Any]) -> Any:
    url = reverse("participant_invite", args=[setup.programme.pk])
    return client.post(url, {"role": "mentee", **data}, follow=True)


def test_the_invitation_form_searches_the_programmes_directory(client_for: Any, setup: Any) -> None:
    page = client_for(setup.personas.manager).get(
        reverse("programme_pipeline", args=[setup.programme.pk])
    )
    html = page.content.decode()
    search = reverse("people_search", args=[setup.personas.organisation.slug])
    assert f'data-picker-url="{search}"' in html
    assert 'data-picker="search"' in html and 'name="chosen"' in html
    # The directory is searched, never listed: nobody is an option before being chosen.
    assert "Hanne Hronly" not in html


def test_people_chosen_in_the_picker_are_invited(client_for: Any, setup: Any) -> None:
    junior = setup.personas.people["junior"]
    hanne = Person.objects.get(employee_id="E5")
    response = _invite(client_for(setup.personas.manager), setup, {"chosen": [junior.pk, hanne.pk]})
    invited = Participant.objects.filter(programme=setup.programme)
    assert {p.person_id for p in invited} == {junior.pk, hanne.pk}
    assert "2 invitation(s) sent." in response.content.decode()


def test_a_person_of_another_organisation_cannot_be_forged_into_the_invitation(
    client_for: Any, setup: Any
) -> None:
    stranger = make_person(setup.personas.other_organisation, "X1", "Sly", "Stranger")
    response = _invite(client_for(setup.personas.manager), setup, {"chosen": [stranger.pk]})
    assert not Participant.objects.filter(programme=setup.programme).exists()
    assert "Check the invitation form." in response.content.decode()
    form = InviteForm(
        {"role": "mentee", "chosen": [stranger.pk]}, organisation=setup.personas.organisation
    )
    assert not form.is_valid() and "chosen" in form.errors


def test_the_invitation_still_needs_someone(setup: Any) -> None:
    form = InviteForm({"role": "mentee"}, organisation=setup.personas.organisation)
    assert not form.is_valid()
    assert "Name at least one person or choose a CSV file." in form.non_field_errors()


def test_sponsors_and_managers_are_picked_among_the_members(setup: Any) -> None:
    p = setup.personas
    form = ProgrammeForm(instance=setup.programme, organisation=p.organisation)
    html = str(form["sponsors"])
    assert 'data-picker="options"' in html and "multiple" in html
    assert f'value="{p.sponsor.pk}" selected' in html
    assert f'value="{p.outsider.pk}"' not in html


def test_a_sponsor_from_outside_the_organisation_is_refused(setup: Any) -> None:
    p = setup.personas
    form = ProgrammeForm(
        {"sponsors": [p.outsider.pk], "managers": [p.manager.pk]},
        instance=setup.programme,
        organisation=p.organisation,
    )
    assert not form.is_valid()
    assert "sponsors" in form.errors and "managers" not in form.errors
