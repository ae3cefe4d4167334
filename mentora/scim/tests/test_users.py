"""Users through the SCIM API, following the examples of RFC 7644 (sections 3.3 to 3.12)."""

from __future__ import annotations

from django.utils import timezone

from conftest import audited
from mentora.people.models import Person
from mentora.scim.protocol import ERROR_SCHEMA, LIST_SCHEMA, MEDIA_TYPE
from mentora.scim.resources import ENTERPRISE_SCHEMA, USER_SCHEMA

PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

# RFC 7644, section 3.3: "Creating Resources".
BJENSEN = {
    "schemas": [USER_SCHEMA],
    "userName": "bjensen",
    "externalId": "bjensen",
    "name": {
        "formatted": "Ms. Barbara J Jensen III",
        "familyName": "Jensen",
        "givenName": "Barbara",
    },
}


def create(scim, **extra):
    response = scim.call("POST", "Users", {**BJENSEN, **extra})
    assert response.status_code == 201, response.content
    return response


def test_it_creates_a_user_as_in_the_rfc(scim) -> None:
    response = create(scim)
    body = response.json()
    assert response["Content-Type"] == MEDIA_TYPE
    person = Person.objects.get(pk=body["id"])
    assert (person.first_name, person.last_name, person.employee_id) == (
        "Barbara",
        "Jensen",
        "bjensen",
    )
    assert person.organisation == scim.personas.organisation
    assert person.scim.user_name == "bjensen" and person.scim.external_id == "bjensen"
    assert body["userName"] == "bjensen" and body["active"] is True
    assert body["meta"]["location"].endswith(f"/scim/v2/acme/Users/{person.pk}")
    assert response["Location"] == body["meta"]["location"]
    assert response["ETag"] == body["meta"]["version"]
    assert audited("people.person.create") == [str(person.pk)]


def test_it_refuses_a_second_user_with_the_same_user_name(scim) -> None:
    create(scim)
    response = scim.call("POST", "Users", {**BJENSEN, "userName": "BJensen", "externalId": "x"})
    assert response.status_code == 409
    body = response.json()
    assert body["schemas"] == [ERROR_SCHEMA]
    assert body["status"] == "409" and body["scimType"] == "uniqueness"
    assert Person.objects.filter(scim__isnull=False).count() == 1


def test_it_refuses_a_user_without_a_user_name_in_the_error_format(scim) -> None:
    response = scim.call("POST", "Users", {"schemas": [USER_SCHEMA], "name": {"givenName": "A"}})
    assert response.status_code == 400
    body = response.json()
    assert body["scimType"] == "invalidValue" and "userName" in body["detail"]
    assert not Person.objects.filter(first_name="A").exists()


def test_it_refuses_a_body_that_is_not_json(scim) -> None:
    response = scim.client.post(
        "/scim/v2/acme/Users",
        "{not json",
        content_type=MEDIA_TYPE,
        HTTP_AUTHORIZATION=f"Bearer {scim.secret}",
    )
    assert response.status_code == 400 and response.json()["scimType"] == "invalidSyntax"


def test_it_finds_a_user_by_user_name(scim) -> None:
    person_id = create(scim).json()["id"]
    create(
        scim, userName="other", externalId="other", **{ENTERPRISE_SCHEMA: {"employeeNumber": "X9"}}
    )
    response = scim.call("GET", 'Users?filter=userName eq "BJENSEN"')
    body = response.json()
    assert body["schemas"] == [LIST_SCHEMA]
    assert body["totalResults"] == 1 and [r["id"] for r in body["Resources"]] == [person_id]
    empty = scim.call("GET", 'Users?filter=userName eq "nobody"').json()
    assert empty["totalResults"] == 0 and empty["Resources"] == []


def test_a_person_from_the_hr_import_is_found_by_their_email_address(scim) -> None:
    boss = scim.personas.people["boss"]
    boss.email = "bo.boss@acme.example"
    boss.save()
    found = scim.call("GET", 'Users?filter=userName eq "Bo.Boss@acme.example"').json()
    assert [r["id"] for r in found["Resources"]] == [str(boss.pk)]


def test_it_refuses_a_filter_it_does_not_support(scim) -> None:
    response = scim.call("GET", 'Users?filter=title co "x"')
    assert response.status_code == 400 and response.json()["scimType"] == "invalidFilter"


def test_it_pages_a_list_with_start_index_and_count(scim) -> None:
    for number in range(5):
        create(scim, userName=f"user{number}", externalId=f"u{number}")
    everyone = Person.objects.filter(organisation=scim.personas.organisation).count()
    body = scim.call("GET", "Users?startIndex=2&count=2").json()
    assert body["totalResults"] == everyone
    assert body["startIndex"] == 2 and body["itemsPerPage"] == 2
    ids = [int(r["id"]) for r in body["Resources"]]
    expected = list(
        Person.objects.filter(organisation=scim.personas.organisation)
        .order_by("pk")
        .values_list("pk", flat=True)[1:3]
    )
    assert ids == expected
    # A start below 1 is read as 1 and a count of 0 gives only the total (RFC 7644, 3.4.2.4).
    zero = scim.call("GET", "Users?startIndex=0&count=0").json()
    assert zero["startIndex"] == 1 and zero["Resources"] == [] and zero["totalResults"] == everyone
    bad = scim.call("GET", "Users?count=many")
    assert bad.status_code == 400 and bad.json()["schemas"] == [ERROR_SCHEMA]


def test_it_replaces_a_user_as_in_the_rfc(scim) -> None:
    person_id = create(scim).json()["id"]
    # RFC 7644, section 3.5.1.
    response = scim.call(
        "PUT",
        f"Users/{person_id}",
        {
            "schemas": [USER_SCHEMA],
            "id": person_id,
            "userName": "bjensen",
            "externalId": "bjensen",
            "name": {
                "formatted": "Ms. Barbara J Jensen III",
                "familyName": "Jensen",
                "givenName": "Babs",
            },
            "emails": [{"value": "bjensen@example.com"}, {"value": "babs@jensen.org"}],
        },
    )
    assert response.status_code == 200, response.content
    person = Person.objects.get(pk=person_id)
    assert person.first_name == "Babs" and person.email == "bjensen@example.com"
    assert response.json()["name"]["givenName"] == "Babs"


def test_patch_adds_replaces_and_removes_attributes(scim) -> None:
    person_id = create(scim).json()["id"]
    boss = scim.personas.people["boss"]
    operations = [
        {"op": "add", "path": "emails", "value": [{"value": "babs@jensen.org", "type": "work"}]},
        {"op": "replace", "path": "name.givenName", "value": "Babs"},
        {"op": "replace", "value": {"title": "Engineer", "nickName": "Babs"}},
        {"op": "add", "path": f"{ENTERPRISE_SCHEMA}:manager", "value": {"value": str(boss.pk)}},
        {"op": "replace", "path": f"{ENTERPRISE_SCHEMA}:employeeNumber", "value": "E77"},
    ]
    response = scim.call(
        "PATCH", f"Users/{person_id}", {"schemas": [PATCH], "Operations": operations}
    )
    assert response.status_code == 200, response.content
    person = Person.objects.get(pk=person_id)
    assert (person.first_name, person.email, person.job_title) == (
        "Babs",
        "babs@jensen.org",
        "Engineer",
    )
    assert (person.manager, person.employee_id) == (boss, "E77")

    removal = [
        {"op": "remove", "path": 'emails[type eq "work"]'},
        {"op": "remove", "path": "title"},
        {"op": "remove", "path": f"{ENTERPRISE_SCHEMA}:manager"},
    ]
    response = scim.call("PATCH", f"Users/{person_id}", {"schemas": [PATCH], "Operations": removal})
    assert response.status_code == 200, response.content
    person.refresh_from_db()
    assert (person.email, person.job_title, person.manager) == ("", "", None)


def test_patch_active_false_marks_the_person_as_left_and_keeps_them(scim) -> None:
    person_id = create(scim).json()["id"]
    # The way Entra ID deactivates: no path, and the value as a string.
    operations = [{"op": "Replace", "value": {"active": "False"}}]
    response = scim.call(
        "PATCH", f"Users/{person_id}", {"schemas": [PATCH], "Operations": operations}
    )
    assert response.status_code == 200 and response.json()["active"] is False
    person = Person.objects.get(pk=person_id)
    assert person.leave_date == timezone.localdate()
    again = [{"op": "replace", "path": "active", "value": True}]
    scim.call("PATCH", f"Users/{person_id}", {"schemas": [PATCH], "Operations": again})
    person.refresh_from_db()
    assert person.leave_date is None


def test_delete_marks_the_person_as_left_and_never_deletes_them(scim) -> None:
    person_id = create(scim).json()["id"]
    response = scim.call("DELETE", f"Users/{person_id}")
    assert response.status_code == 204
    person = Person.objects.get(pk=person_id)
    assert person.leave_date == timezone.localdate()
    assert scim.call("GET", f"Users/{person_id}").json()["active"] is False


def test_a_manager_that_makes_the_reporting_lines_loop_is_refused(scim) -> None:
    boss = scim.personas.people["boss"]
    junior = scim.personas.people["junior"]
    operations = [{"op": "add", "path": f"{ENTERPRISE_SCHEMA}:manager", "value": str(junior.pk)}]
    response = scim.call(
        "PATCH", f"Users/{boss.pk}", {"schemas": [PATCH], "Operations": operations}
    )
    assert response.status_code == 400 and response.json()["scimType"] == "invalidValue"
    boss.refresh_from_db()
    assert boss.manager is None


def test_a_patch_with_an_unknown_operation_is_refused(scim) -> None:
    person_id = create(scim).json()["id"]
    response = scim.call(
        "PATCH",
        f"Users/{person_id}",
        {"schemas": [PATCH], "Operations": [{"op": "move", "path": "title"}]},
    )
    assert response.status_code == 400 and response.json()["scimType"] == "invalidSyntax"
    no_target = scim.call(
        "PATCH", f"Users/{person_id}", {"schemas": [PATCH], "Operations": [{"op": "remove"}]}
    )
    assert no_target.status_code == 400 and no_target.json()["scimType"] == "noTarget"


def test_etags_guard_against_lost_updates(scim) -> None:
    created = create(scim)
    person_id, etag = created.json()["id"], created["ETag"]
    assert etag.startswith('W/"')
    # Unchanged: 304 to If-None-Match.
    assert scim.call("GET", f"Users/{person_id}", **{"If-None-Match": etag}).status_code == 304
    title = [{"op": "replace", "path": "title", "value": "Lead"}]
    changed = scim.call(
        "PATCH",
        f"Users/{person_id}",
        {"schemas": [PATCH], "Operations": title},
        **{"If-Match": etag},
    )
    assert changed.status_code == 200 and changed["ETag"] != etag
    # RFC 7644, section 3.14: a stale version is refused with 412 and changes nothing.
    stale = [{"op": "replace", "path": "title", "value": "Stale"}]
    response = scim.call(
        "PATCH",
        f"Users/{person_id}",
        {"schemas": [PATCH], "Operations": stale},
        **{"If-Match": etag},
    )
    assert response.status_code == 412 and response.json()["status"] == "412"
    assert Person.objects.get(pk=person_id).job_title == "Lead"
    assert scim.call("DELETE", f"Users/{person_id}", **{"If-Match": etag}).status_code == 412
    assert Person.objects.get(pk=person_id).leave_date is None


def test_a_missing_user_is_a_404_in_the_error_format(scim) -> None:
    for person_id in ("99999999", "not-a-number"):
        response = scim.call("GET", f"Users/{person_id}")
        assert response.status_code == 404
        assert response.json() == {
            "schemas": [ERROR_SCHEMA],
            "status": "404",
            "detail": "No such resource.",
        }


def test_the_discovery_endpoints_describe_the_api(scim) -> None:
    config = scim.call("GET", "ServiceProviderConfig").json()
    assert config["patch"]["supported"] and config["etag"]["supported"]
    assert config["filter"] == {"supported": True, "maxResults": 200}
    assert config["bulk"]["supported"] is False
    schemas = scim.call("GET", "Schemas").json()
    assert {s["id"] for s in schemas["Resources"]} == {
        USER_SCHEMA,
        ENTERPRISE_SCHEMA,
        "urn:ietf:params:scim:schemas:core:2.0:Group",
    }
    types = scim.call("GET", "ResourceTypes").json()
    assert [t["endpoint"] for t in types["Resources"]] == ["/Users", "/Groups"]


def test_hostile_filters_and_bodies_get_a_400_not_a_server_error(scim) -> None:
    for query in ('userName eq "a\\q"', 'userName eq "\\u12"', "userName eq", "x" * 1001):
        response = scim.call("GET", f"Users?filter={query}")
        assert response.status_code == 400, query
        assert response.json()["scimType"] in {"invalidFilter", "invalidValue"}
    nested = scim.client.post(
        "/scim/v2/acme/Users",
        "[" * 100_000,
        content_type=MEDIA_TYPE,
        HTTP_AUTHORIZATION=f"Bearer {scim.secret}",
    )
    assert nested.status_code == 400 and nested.json()["scimType"] == "invalidSyntax"
    person_id = create(scim).json()["id"]
    bad_path = [{"op": "remove", "path": 'emails[type eq "\\q"]'}]
    response = scim.call(
        "PATCH", f"Users/{person_id}", {"schemas": [PATCH], "Operations": bad_path}
    )
    assert response.status_code == 400 and response.json()["scimType"] == "invalidFilter"


def test_deactivating_a_user_tells_the_webhooks_that_asked_for_people_leaving(scim) -> None:
    from mentora.webhooks.models import Delivery, Webhook, WebhookEvent

    Webhook.objects.create(
        organisation=scim.personas.organisation,
        url="http://127.0.0.1:9/hook",
        events=[WebhookEvent.PERSON_LEFT],
    )
    person_id = create(scim).json()["id"]
    assert not Delivery.objects.exists()
    scim.call("DELETE", f"Users/{person_id}")
    [delivery] = Delivery.objects.all()
    assert delivery.event == WebhookEvent.PERSON_LEFT
    assert [p["person_id"] for p in delivery.payload["people"]] == [int(person_id)]
    # Deactivating someone who has already left tells nobody again.
    scim.call("DELETE", f"Users/{person_id}")
    assert Delivery.objects.count() == 1
