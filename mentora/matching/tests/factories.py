"""Random but reproducible programmes for tests."""

from __future__ import annotations

import random

from mentora.matching.model import Person, Problem

THEMES = ("negotiation", "leadership", "strategy", "finance", "coaching", "data", "sales")
ORGS = ("Alpha", "Beta", "Gamma")
ZONES = ("Europe/Copenhagen", "Europe/London", "America/New_York", "Asia/Kolkata", "+05:30")


def programme(
    seed: int,
    *,
    n_mentees: int = 12,
    n_mentors: int = 8,
    preferences: bool = True,
    max_capacity: int = 3,
) -> Problem:
    rng = random.Random(seed)
    people: list[tuple[str, str]] = [("ceo", "")]
    managers = ["ceo"]
    for k in range(6):
        pid = f"boss{k}"
        people.append((pid, rng.choice(managers)))
        managers.append(pid)

    def person(pid: str, mentor: bool, others: list[str], bosses: list[str]) -> Person:
        prefs: tuple[str, ...] = ()
        if preferences and others and rng.random() < 0.8:
            prefs = tuple(rng.sample(others, k=min(len(others), rng.randint(1, 4))))
        excl: tuple[str, ...] = ()
        if others and rng.random() < 0.1:
            excl = (rng.choice(others),)
        return Person(
            id=pid,
            organisation=rng.choice(ORGS),
            team=f"t{rng.randint(0, 4)}",
            department=f"d{rng.randint(0, 3)}",
            division=f"v{rng.randint(0, 2)}",
            location=rng.choice(("Aarhus", "Oslo", "Pune")),
            timezone=rng.choice(ZONES),
            gender=rng.choice(("f", "m", "x")),
            level=float(rng.randint(1, 8)),
            languages=tuple(rng.sample(("da", "en", "no"), k=rng.randint(1, 2))),
            themes=tuple(rng.sample(THEMES, k=rng.randint(1, 3))),
            goals=rng.choice(("grow as a leader", "learn negotiation", "understand finance")),
            preferences=prefs,
            exclude=excl,
            capacity=rng.randint(0, max_capacity) if mentor else None,
            manager_id=rng.choice(bosses),
        )

    mentee_ids = [f"e{k}" for k in range(n_mentees)]
    mentor_ids = [f"m{k}" for k in range(n_mentors)]
    mentors = tuple(person(pid, True, mentee_ids, managers) for pid in mentor_ids)
    # Some mentees report to a mentor, so reporting lines matter.
    mentees = tuple(person(pid, False, mentor_ids, managers + mentor_ids[:2]) for pid in mentee_ids)
    people.extend((m.id, m.manager_id) for m in mentors)
    people.extend((e.id, e.manager_id) for e in mentees)
    return Problem(
        mentees=mentees, mentors=mentors, people=tuple(people), competitors=(("Alpha", "Gamma"),)
    )
