"""Groups, which are units, following RFC 7644's examples of members added and removed."""

from __future__ import annotations

from mentora.people.models import OrgUnit, Person

GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def _patch(*operations):
    return {"schemas": [PATCH], "Operations": list(operations)}


def test_it_creates_a_group_with_members_as_a_unit(scim) -> None:
    boss, junior = scim.personas.people["boss"], scim.personas.people["junior"]
    response = scim.call(
        "POST",
        "Groups",
        {
            "schemas": [GROUP],
            "displayName": "Tour Guides",
            "members": [{"value": str(boss.pk)}, {"value": str(junior.pk)}],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    unit = OrgUnit.objects.get(pk=body["id"], organisation=scim.personas.organisation)
    assert unit.name == "Tour Guides" and unit.parent is None
    assert set(unit.people.values_list("pk", flat=True)) == {boss.pk, junior.pk}
    assert sorted(m["value"] for m in body["members"]) == sorted([str(boss.pk), str(junior.pk)])
    taken = scim.call("POST", "Groups", {"schemas": [GROUP], "displayName": "Tour Guides"})
    assert taken.status_code == 409 and taken.json()["scimType"] == "uniqueness"


def test_patch_adds_removes_and_replaces_members_as_in_the_rfc(scim) -> None:
    boss, lead, junior = (scim.personas.people[k] for k in ("boss", "lead", "junior"))
    group_id = scim.call("POST", "Groups", {"schemas": [GROUP], "displayName": "Guides"}).json()[
        "id"
    ]
    unit = OrgUnit.objects.get(pk=group_id)
    # RFC 7644, section 3.5.2.1: add members.
    added = scim.call(
        "PATCH",
        f"Groups/{group_id}",
        _patch(
            {
                "op": "add",
                "path": "members",
                "value": [{"display": "Bo", "value": str(boss.pk)}, {"value": str(lead.pk)}],
            }
        ),
    )
    assert added.status_code == 200, added.content
    assert set(unit.people.values_list("pk", flat=True)) == {boss.pk, lead.pk}
    # Section 3.5.2.2: remove one member by a filter; they stay in the directory.
    removed = scim.call(
        "PATCH",
        f"Groups/{group_id}",
        _patch({"op": "remove", "path": f'members[value eq "{boss.pk}"]'}),
    )
    assert removed.status_code == 200
    assert list(unit.people.values_list("pk", flat=True)) == [lead.pk]
    boss.refresh_from_db()
    assert boss.org_unit is None
    # Section 3.5.2.3: replace all members, and the name.
    replaced = scim.call(
        "PATCH",
        f"Groups/{group_id}",
        _patch(
            {"op": "replace", "path": "members", "value": [{"value": str(junior.pk)}]},
            {"op": "replace", "value": {"displayName": "Guides of Tours"}},
        ),
    )
    assert replaced.status_code == 200
    unit.refresh_from_db()
    assert unit.name == "Guides of Tours"
    assert list(unit.people.values_list("pk", flat=True)) == [junior.pk]
    everyone = scim.call("PATCH", f"Groups/{group_id}", _patch({"op": "remove", "path": "members"}))
    assert everyone.status_code == 200 and not unit.people.exists()


def test_put_replaces_a_group_and_etags_apply(scim) -> None:
    junior = scim.personas.people["junior"]
    created = scim.call("POST", "Groups", {"schemas": [GROUP], "displayName": "Guides"})
    group_id, etag = created.json()["id"], created["ETag"]
    put = scim.call(
        "PUT",
        f"Groups/{group_id}",
        {"schemas": [GROUP], "displayName": "Renamed", "members": [{"value": str(junior.pk)}]},
        **{"If-Match": etag},
    )
    assert put.status_code == 200, put.content
    stale = scim.call(
        "PUT",
        f"Groups/{group_id}",
        {"schemas": [GROUP], "displayName": "Stale"},
        **{"If-Match": etag},
    )
    assert stale.status_code == 412
    assert OrgUnit.objects.get(pk=group_id).name == "Renamed"


def test_a_member_from_another_organisation_is_refused(scim) -> None:
    from conftest import make_person

    stranger = make_person(scim.personas.other_organisation, "O1", "Oda", "Other")
    response = scim.call(
        "POST",
        "Groups",
        {"schemas": [GROUP], "displayName": "Mixed", "members": [{"value": str(stranger.pk)}]},
    )
    assert response.status_code == 400 and response.json()["scimType"] == "invalidValue"
    assert not OrgUnit.objects.filter(name="Mixed").exists()


def test_groups_are_filtered_by_display_name_and_listed_without_members(scim) -> None:
    tech = OrgUnit.objects.get(name="Tech")
    body = scim.call("GET", 'Groups?filter=displayName eq "tech"&excludedAttributes=members').json()
    assert [g["id"] for g in body["Resources"]] == [str(tech.pk)]
    assert "members" not in body["Resources"][0]
    with_members = scim.call("GET", f"Groups/{tech.pk}").json()
    assert with_members["members"] == [
        {"value": str(scim.personas.people["boss"].pk), "display": "Bo Boss", "type": "User"}
    ]


def test_deleting_a_group_keeps_its_people(scim) -> None:
    boss = scim.personas.people["boss"]
    tech = OrgUnit.objects.get(name="Tech")
    # A unit with units under it is refused, and nothing changes.
    refused = scim.call("DELETE", f"Groups/{tech.pk}")
    assert refused.status_code == 400 and OrgUnit.objects.filter(pk=tech.pk).exists()
    apps = OrgUnit.objects.get(name="Apps")
    assert scim.call("DELETE", f"Groups/{apps.pk}").status_code == 204
    assert not OrgUnit.objects.filter(pk=apps.pk).exists()
    assert Person.objects.filter(pk=scim.personas.people["junior"].pk, org_unit=None).exists()
    assert Person.objects.filter(pk=boss.pk).exists()
