"""A first provisioning run, as an identity provider makes it: look each user up, create them
with their manager, fill the units, then read everyone back page by page. (The same run
with 10,000 users is `benchmarks/scim.py`.)"""

from __future__ import annotations

from mentora.core.models import AuditEntry
from mentora.people.models import Person

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
USERS = 80


def test_a_provisioning_run_builds_the_directory_and_its_reporting_lines(scim) -> None:
    ids: list[str] = []
    for number in range(USERS):
        user_name = f"p{number}@acme.example"
        assert (
            scim.call("GET", f'Users?filter=userName eq "{user_name}"').json()["totalResults"] == 0
        )
        enterprise: dict = {"employeeNumber": f"P{number}"}
        if ids:
            # Everyone reports to the person created (number - 1) // 4 before: a tree of fours.
            enterprise["manager"] = {"value": ids[(number - 1) // 4]}
        response = scim.call(
            "POST",
            "Users",
            {
                "schemas": [USER, ENTERPRISE],
                "userName": user_name,
                "name": {"givenName": f"P{number}", "familyName": "Person"},
                "emails": [{"value": user_name, "primary": True}],
                ENTERPRISE: enterprise,
            },
        )
        assert response.status_code == 201, response.content
        ids.append(response.json()["id"])
    group = scim.call(
        "POST",
        "Groups",
        {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "All"},
    ).json()
    members = [{"value": pk} for pk in ids]
    patched = scim.call(
        "PATCH",
        f"Groups/{group['id']}",
        {"schemas": [PATCH], "Operations": [{"op": "add", "path": "members", "value": members}]},
    )
    assert patched.status_code == 200

    provisioned = Person.objects.filter(pk__in=ids).select_related("manager")
    assert provisioned.count() == USERS
    assert {p.org_unit_id for p in provisioned} == {int(group["id"])}
    by_number = {int(p.employee_id[1:]): p for p in provisioned}
    assert all(by_number[n].manager == by_number[(n - 1) // 4] for n in range(1, USERS))
    assert len(by_number[USERS - 1].management_chain()) == 3  # 79 -> 19 -> 4 -> 0
    assert AuditEntry.objects.filter(action="people.person.create").count() == USERS

    seen: list[str] = []
    index = 1
    while True:
        page = scim.call("GET", f"Users?startIndex={index}&count=50").json()
        seen += [r["id"] for r in page["Resources"]]
        index += 50
        if index > page["totalResults"]:
            break
    assert set(ids) <= set(seen) and len(seen) == len(set(seen)) == page["totalResults"]
