"""Render the outcome report of a programme with 10,000 survey responses, as a page and a PDF.

Usage:  .venv/bin/python benchmarks/report.py [--responses 10000]
        [--database postgres://postgres@127.0.0.1:5432/mentora_bench_report]

A PostgreSQL database named is dropped and created afresh (a sqlite:/// URL is used as
it is, after migrating). Half of the participants are mentees, half mentors; each answers
the built-in start and end surveys, so the responses are half start, half end, with about
fifteen answers each. Everyone has HR dates and there are as many colleagues outside the
programme for the retention comparison. The page is timed as a manager opens it in a
running server (modules already loaded by one small report first); the PDF likewise.
The page's charts are images the browser fetches beside it, each drawn on its own
request: their times are printed too, the slowest as chart_seconds.
The last line printed is JSON:
{"responses": n, "page_seconds": s, "chart_seconds": s, "pdf_seconds": s}.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import time

from harness import add_database_argument, start_django


def _build(responses: int) -> tuple[int, int]:
    """The big programme and a small one for warming up; returns their ids."""
    from django.utils import timezone

    from mentora.accounts.models import Organisation, User
    from mentora.people.models import Person
    from mentora.programmes.models import Participant, Programme
    from mentora.surveys.models import (
        Answer,
        Instrument,
        Invitation,
        Response,
        Survey,
        pseudonymous_key,
    )

    rng = random.Random(7)
    organisation = Organisation.objects.create(name="Bench A/S", slug="bench")
    start = timezone.localdate() - dt.timedelta(days=700)

    def programme_with(people: int, name: str) -> int:
        programme = Programme.objects.create(
            organisation=organisation,
            name=name,
            start_date=start,
            end_date=start + dt.timedelta(days=300),
        )
        offset = Person.objects.count()
        users = User.objects.bulk_create(
            User(email=f"b{offset + i}@bench.example", full_name=f"B {i}", password="!")
            for i in range(people)
        )

        def hire(i: int) -> dt.date:
            return start - dt.timedelta(days=rng.randint(30, 3000))

        def leave() -> dt.date | None:
            return start + dt.timedelta(days=rng.randint(1, 690)) if rng.random() < 0.2 else None

        def staff(prefix: str, first_name: str, with_users: bool) -> list[Person]:
            return Person.objects.bulk_create(
                Person(
                    organisation=organisation,
                    employee_id=f"{prefix}{offset + i}",
                    first_name=first_name,
                    last_name=str(i),
                    level=2 if i % 2 else 7,
                    hire_date=hire(i),
                    leave_date=leave(),
                    user=users[i] if with_users else None,
                )
                for i in range(people)
            )

        persons = staff("P", "B", with_users=True)
        # As many colleagues outside the programme, for the retention comparison.
        staff("C", "C", with_users=False)
        participants = Participant.objects.bulk_create(
            Participant(
                programme=programme,
                person=persons[i],
                user=users[i],
                role="mentee" if i % 2 else "mentor",
                status="completed",
            )
            for i in range(people)
        )
        # They joined before the programme started and took part from its first day, as
        # retention's intention-to-treat rule reads from their records.
        joined = timezone.now() - dt.timedelta(days=730)
        Participant.objects.filter(programme=programme).update(
            created_at=joined, status_changed_at=joined
        )
        opened = timezone.now() - dt.timedelta(days=400)
        for wave in ("start", "end"):
            instrument = Instrument.objects.get(source="builtin", slug=f"mentora-{wave}")
            questions = list(instrument.questions.all())
            survey = Survey.objects.create(
                programme=programme,
                instrument=instrument,
                wave=wave,
                roles=["mentor", "mentee"],
                opens_at=opened,
                closes_at=opened + dt.timedelta(days=20),
                sent_at=opened,
            )
            Invitation.objects.bulk_create(
                Invitation(
                    survey=survey,
                    user=p.user,
                    person=p.person,
                    participant=p,
                    role=p.role,
                    sent_at=opened,
                    answered_at=opened,
                )
                for p in participants
            )
            rows = Response.objects.bulk_create(
                Response(
                    survey=survey,
                    key=pseudonymous_key(programme.pk, p.person_id),
                    role=p.role,
                )
                for p in participants
            )
            answers = []
            for response in rows:
                for q in questions:
                    if response.role not in q.audience:
                        continue
                    if q.kind == "scale_1_5":
                        answers.append(
                            Answer(response=response, question=q, number=rng.randint(1, 5))
                        )
                    elif q.kind == "nps":
                        answers.append(
                            Answer(response=response, question=q, number=rng.randint(0, 10))
                        )
                    elif q.kind in ("single", "multiple"):
                        answers.append(
                            Answer(response=response, question=q, choices=[q.choices[0]["value"]])
                        )
                    else:
                        answers.append(Answer(response=response, question=q, text="Words"))
            Answer.objects.bulk_create(answers, batch_size=5000)
        return programme.pk

    small = programme_with(20, "Warm-up")
    big = programme_with(responses // 2, "Ten thousand")
    return small, big


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=10_000)
    add_database_argument(parser, "mentora_bench_report")
    args = parser.parse_args()
    start_django(args.database)
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    from mentora.accounts.models import User
    from mentora.surveys.models import Response

    small, big = _build(args.responses)
    admin = User.objects.create_user(email="bench-admin@bench.example", password="x")
    admin.is_superuser = admin.is_staff = True
    admin.save()
    client = Client()
    client.force_login(admin)
    assert client.get(f"/programmes/{small}/report/").status_code == 200
    assert client.get(f"/programmes/{small}/report.pdf").status_code == 200

    began = time.perf_counter()
    page = client.get(f"/programmes/{big}/report/")
    page_seconds = time.perf_counter() - began
    assert page.status_code == 200 and b"Log-rank" in page.content
    chart_seconds = []
    for url in re.findall(rb'<img src="(/programmes/[^"]+\.svg)"', page.content):
        began = time.perf_counter()
        chart = client.get(url.decode())
        chart_seconds.append(time.perf_counter() - began)
        assert chart.status_code == 200
    assert chart_seconds, "the page links no chart"
    began = time.perf_counter()
    pdf = client.get(f"/programmes/{big}/report.pdf")
    pdf_seconds = time.perf_counter() - began
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    responses = Response.objects.filter(survey__programme_id=big).count()
    charts = ", ".join(f"{seconds:.2f}" for seconds in chart_seconds)
    print(f"page {page_seconds:.2f} s, charts {charts} s, PDF {pdf_seconds:.2f} s")
    print(
        json.dumps(
            {
                "responses": responses,
                "page_seconds": round(page_seconds, 3),
                "chart_seconds": round(max(chart_seconds), 3),
                "pdf_seconds": round(pdf_seconds, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
