"""Provision 10,000 users through the SCIM API, as an identity provider does on its first
run: each user looked up by userName and then created (with the manager already sent),
then units filled through Groups, then the whole list read back page by page.

Usage:  .venv/bin/python benchmarks/scim.py [--users 10000]
        [--database postgres://postgres@127.0.0.1:5432/mentora_bench_scim]

The database named is dropped and created afresh. Requests go through Django's whole
request handling (middleware, token check, forms, services, audit) in this process, without
a network in between. The last line printed is JSON:
{"users": n, "seconds": s, "users_per_second": r, "group_seconds": s, "list_seconds": s}
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import time

from harness import add_database_argument, start_django

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
FIRST = ["Anna", "Mette", "Lars", "Mads", "Søren", "Priya", "Wei", "Omar", "Laura", "Kenji"]
LAST = ["Jensen", "Nielsen", "Hansen", "Berg", "Smith", "Patel", "Khan", "Chen", "Olsen"]


def machine() -> str:
    """The processor's model and how many cores this process may use."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            names = [
                line.split(":", 1)[1].strip() for line in info if line.startswith("model name")
            ]
        model = names[0] if names else model
    except OSError:
        pass
    return f"{len(os.sched_getaffinity(0))} cores, {model}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=10_000)
    add_database_argument(parser, "mentora_bench_scim")
    args = parser.parse_args()
    start_django(args.database)

    from django.test import Client

    from mentora.accounts.models import Membership, Organisation, Role, User
    from mentora.scim.services import token_create

    organisation = Organisation.objects.create(name="Bench Corp", slug="bench")
    admin = User.objects.create_user(email="admin@bench.example", password="x")
    Membership.objects.create(user=admin, organisation=organisation, role=Role.ORG_ADMIN)
    _token, secret = token_create(organisation=organisation, name="Bench", actor=admin)
    client = Client(HTTP_HOST="localhost")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    base = "/scim/v2/bench"

    def call(method: str, path: str, body: object = None) -> dict:
        data = "" if body is None else json.dumps(body)
        response = client.generic(
            method, base + path, data, content_type="application/scim+json", **auth
        )
        if response.status_code >= 300:
            raise SystemExit(f"{method} {path}: {response.status_code} {response.content!r}")
        return response.json()

    rng = random.Random(10_000)
    ids: list[str] = []
    started = time.perf_counter()
    for number in range(args.users):
        user_name = f"user{number:06d}@bench.example"
        found = call("GET", f'/Users?filter=userName eq "{user_name}"')
        assert found["totalResults"] == 0
        enterprise: dict[str, object] = {"employeeNumber": f"B{number:06d}"}
        # Everyone but the first reports to someone created before them.
        if ids:
            enterprise["manager"] = {"value": ids[rng.randrange(max(1, len(ids) // 10 + 1))]}
        created = call(
            "POST",
            "/Users",
            {
                "schemas": [USER, ENTERPRISE],
                "userName": user_name,
                "externalId": f"ext-{number}",
                "name": {"givenName": rng.choice(FIRST), "familyName": rng.choice(LAST)},
                "emails": [{"value": user_name, "type": "work", "primary": True}],
                "title": "Specialist",
                "active": True,
                ENTERPRISE: enterprise,
            },
        )
        ids.append(created["id"])
        if len(ids) % 1000 == 0:
            so_far = time.perf_counter() - started
            print(
                f"{len(ids)} users in {so_far:.1f} s: {len(ids) / so_far:.1f} per second",
                flush=True,
            )
    seconds = time.perf_counter() - started

    started = time.perf_counter()
    for start in range(0, len(ids), 500):
        group = call("POST", "/Groups", {"schemas": [GROUP], "displayName": f"Team {start}"})
        members = [{"value": pk} for pk in ids[start : start + 500]]
        call(
            "PATCH",
            f"/Groups/{group['id']}",
            {
                "schemas": [PATCH],
                "Operations": [{"op": "add", "path": "members", "value": members}],
            },
        )
    group_seconds = time.perf_counter() - started

    started = time.perf_counter()
    seen, index = 0, 1
    while True:
        page = call("GET", f"/Users?startIndex={index}&count=200")
        seen += len(page["Resources"])
        index += 200
        if index > page["totalResults"]:
            break
    list_seconds = time.perf_counter() - started
    assert seen == args.users, seen

    print(f"machine: {machine()}; database: {args.database.split(':')[0]}")
    print(f"{args.users} users looked up and created in {seconds:.1f} s")
    print(f"users per second: {args.users / seconds:.0f}")
    print(
        json.dumps(
            {
                "users": args.users,
                "seconds": round(seconds, 2),
                "users_per_second": round(args.users / seconds, 1),
                "group_seconds": round(group_seconds, 2),
                "list_seconds": round(list_seconds, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
