"""The people picker: the directory search behind it, who may use it, and its widget."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django import forms
from django.urls import reverse

from conftest import MANAGERS_ONLY, PERSONAS, make_person
from mentora.core.forms import ModelChoiceField, ModelMultipleChoiceField
from mentora.people.models import OrgUnit, OrgUnitKind, Person
from mentora.people.widgets import SEARCH_RESULTS, PeoplePicker, PersonPicker

pytestmark = pytest.mark.django_db


def _search(client: Any, q: str, slug: str = "acme") -> Any:
    return client.get(reverse("people_search", args=[slug]), {"q": q})


def _names(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [result["name"] for result in response.json()["results"]]


@pytest.fixture
def staff(personas: Any, client_for: Any) -> Any:
    """The search as Acme's programme manager, with a few more people in the directory."""
    acme = personas.organisation
    finance = OrgUnit.objects.create(organisation=acme, name="Finance", kind=OrgUnitKind.TEAM)
    make_person(
        acme,
        "F-100",
        "Åsa",
        "Lindqvist",
        email="asa.lindqvist@acme.example",
        job_title="Controller",
        org_unit=finance,
    )
    make_person(acme, "F-101", "Anders", "Lund", email="al@acme.example")
    make_person(acme, "F-102", "Lars", "Lundgren", leave_date=dt.date(2026, 1, 31))
    make_person(personas.other_organisation, "F-103", "Lina", "Lund")
    return client_for(personas.manager)


def test_the_search_matches_the_beginning_of_names_whatever_the_case(staff: Any) -> None:
    assert _names(_search(staff, "lund")) == ["Anders Lund"]
    assert _names(_search(staff, "LIND")) == ["Åsa Lindqvist"]
    # Only beginnings: "und" is inside "Lund", which is not what someone types.
    assert _names(_search(staff, "und")) == []


def test_the_search_matches_e_mail_employee_id_and_unit(staff: Any) -> None:
    assert _names(_search(staff, "asa.lind")) == ["Åsa Lindqvist"]
    assert _names(_search(staff, "f-101")) == ["Anders Lund"]
    assert _names(_search(staff, "finan")) == ["Åsa Lindqvist"]
    # Team Apps holds Lena Lead and Jo Junior.
    assert _names(_search(staff, "apps")) == ["Jo Junior", "Lena Lead"]


def test_every_word_narrows_the_search(staff: Any) -> None:
    assert _names(_search(staff, "apps jo")) == ["Jo Junior"]
    assert _names(_search(staff, "apps anders")) == []


def test_a_name_is_found_by_how_each_of_its_words_begins(staff: Any, personas: Any) -> None:
    acme = Person.objects.filter(organisation=personas.organisation)
    assert [p.full_name for p in acme.named("anders LU")] == ["Anders Lund"]
    assert [p.full_name for p in acme.named("lund")] == ["Anders Lund", "Lars Lundgren"]
    # Names only: not what is inside them, nor an e-mail address, an employee id or a unit.
    for text in ("und", "asa.lind", "f-101", "finan"):
        assert not acme.named(text).exists(), text


def test_each_result_says_what_tells_people_apart(staff: Any) -> None:
    (result,) = _search(staff, "lindq").json()["results"]
    person = Person.objects.get(employee_id="F-100")
    assert result == {
        "id": person.pk,
        "name": "Åsa Lindqvist",
        "job_title": "Controller",
        "unit": "Finance",
        "organisation": "Acme Energy",
        "label": "Åsa Lindqvist (Acme Energy · Finance · Controller)",
    }


def test_people_who_left_and_people_of_other_organisations_are_not_found(staff: Any) -> None:
    assert "Lars Lundgren" not in _names(_search(staff, "lund"))
    assert "Lina Lund" not in _names(_search(staff, "lina"))


def test_the_search_gives_twenty_people_at_most_and_says_there_are_more(
    personas: Any, client_for: Any
) -> None:
    for number in range(SEARCH_RESULTS + 5):
        make_person(personas.organisation, f"S{number:03}", "Sam", f"Smith{number:03}")
    answer = _search(client_for(personas.manager), "sam").json()
    assert len(answer["results"]) == SEARCH_RESULTS == 20
    assert answer["more"] is True
    assert answer["results"][0]["name"] == "Sam Smith000"
    few = _search(client_for(personas.manager), "smith00").json()
    assert len(few["results"]) == 10 and few["more"] is False


@pytest.mark.parametrize("q", ["", "   "])
def test_a_search_without_words_finds_nobody(staff: Any, q: str) -> None:
    assert _search(staff, q).json() == {"results": [], "more": False}
    assert staff.get(reverse("people_search", args=["acme"])).json()["results"] == []


def test_a_search_too_long_is_refused_with_a_reason(staff: Any) -> None:
    response = _search(staff, "x" * 101)
    assert response.status_code == 400
    assert "at most 100 characters" in response.json()["error"]
    assert _names(_search(staff, "lund" + " " * 96)) == ["Anders Lund"]


def test_a_search_with_characters_of_a_like_pattern_finds_them_literally(staff: Any) -> None:
    assert _names(_search(staff, "%")) == []
    assert _names(_search(staff, "_")) == []


@pytest.mark.parametrize("who", PERSONAS)
def test_only_those_who_run_the_organisations_mentoring_may_search(
    personas: Any, client_for: Any, who: str
) -> None:
    response = _search(client_for(personas.all()[who]), "jo")
    assert response.status_code == MANAGERS_ONLY[who]
    if response.status_code == 200:
        assert "Jo Junior" in _names(response)
    else:
        assert b"Junior" not in response.content


def test_a_mentee_cannot_read_the_directory_through_the_search(
    personas: Any, client_for: Any
) -> None:
    client = client_for(personas.mentee)
    for q in ("a", "b", "e", "j", "l", "bo", "lena"):
        response = _search(client, q)
        assert response.status_code == 403
        assert b"Lead" not in response.content and b"Boss" not in response.content


def test_an_anonymous_visitor_is_sent_to_log_in(client: Any, personas: Any) -> None:
    response = _search(client, "jo")
    assert response.status_code == 302
    assert "/login" in response["Location"] or "login" in response["Location"]


def test_an_outsider_learns_nothing_of_the_organisation(personas: Any, client_for: Any) -> None:
    response = _search(client_for(personas.outsider), "jo")
    assert response.status_code == 404
    assert _search(client_for(personas.outsider), "jo", slug="no-such").status_code == 404


class _Form(forms.Form):
    one = ModelChoiceField(queryset=Person.objects.none(), widget=PersonPicker)
    many = ModelMultipleChoiceField(
        queryset=Person.objects.none(), required=False, widget=PeoplePicker(search_url="/s/")
    )

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = Person.objects.filter(organisation=organisation)
        self.fields["one"].queryset = people  # type: ignore[attr-defined]
        self.fields["many"].queryset = people  # type: ignore[attr-defined]


def test_the_widget_is_a_plain_select_marked_for_the_script(personas: Any) -> None:
    html = str(_Form(organisation=personas.organisation)["one"])
    assert html.startswith("<select")
    assert 'data-picker="options"' in html and "hidden" not in html
    # Every person of the field is an option, so the page works without the script.
    for person in personas.people.values():
        assert f'value="{person.pk}"' in html


def test_a_searching_widget_renders_only_whom_was_chosen(
    personas: Any, django_assert_max_num_queries: Any
) -> None:
    chosen = personas.people["lead"]
    form = _Form({"many": [str(chosen.pk)]}, organisation=personas.organisation)
    with django_assert_max_num_queries(2):
        html = str(form["many"])
    assert 'data-picker="search"' in html and 'data-picker-url="/s/"' in html
    assert "multiple" in html and " hidden" in html
    assert html.count("<option") == 1
    assert f'<option value="{chosen.pk}" selected>' in html


def test_a_searching_widget_with_nothing_chosen_renders_no_option(personas: Any) -> None:
    html = str(_Form(organisation=personas.organisation)["many"])
    assert "<option" not in html


def test_the_field_refuses_a_person_of_another_organisation(personas: Any) -> None:
    stranger = make_person(personas.other_organisation, "X1", "Sly", "Stranger")
    acme = personas.organisation
    refused = _Form({"one": str(stranger.pk), "many": [str(stranger.pk)]}, organisation=acme)
    assert not refused.is_valid()
    assert set(refused.errors) == {"one", "many"}
    forged = _Form({"one": "1 OR 1=1", "many": ["²"]}, organisation=acme)
    assert not forged.is_valid() and set(forged.errors) == {"one", "many"}
    boss = personas.people["boss"]
    accepted = _Form({"one": str(boss.pk), "many": [str(boss.pk)]}, organisation=acme)
    assert accepted.is_valid(), accepted.errors
    assert accepted.cleaned_data["one"] == boss
