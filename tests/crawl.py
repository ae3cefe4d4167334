"""Every URL of the product, filled in with every object a test world holds.

Used by the whole-product guards: each persona requests every page, htmx fragment and
download it could reach by any id, so nothing is left out because no link led to it.
"""

from __future__ import annotations

import inspect
import io
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

# Patterns no guard requests: Django's own admin (tested by Django) and the password-reset
# link, whose token only the e-mail carries.
SKIPPED = {"password_reset_confirm", None}


# Frozen, and what it reads of a view's source is read once: the guards ask for each
# route's source thousands of times.
@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    callback: Callable[..., Any]
    converters: tuple[str, ...]

    @cached_property
    def source(self) -> str:
        view = inspect.unwrap(self.callback)
        try:
            return inspect.getsource(view)
        except (OSError, TypeError):
            return ""

    @cached_property
    def accepts_get(self) -> bool:
        view_class = getattr(self.callback, "view_class", None)
        if view_class is not None:
            return "get" in view_class.http_method_names and hasattr(view_class, "get")
        # Views decorated with require_POST answer 405 to everything else.
        return "require_POST" not in _decorators(self.callback)

    @cached_property
    def has_fragments(self) -> bool:
        return "HX-Request" in self.source or "request.htmx" in self.source

    @cached_property
    def query_names(self) -> list[str]:
        """The query parameters the view reads, itself or through a form of request.GET."""
        names = set(re.findall(r'request\.GET\.get\("(\w+)"', self.source))
        view_globals = getattr(inspect.unwrap(self.callback), "__globals__", {})
        for called in re.findall(r"(\w+)\([^()]*request\.GET", self.source):
            target = view_globals.get(called)
            forms = [target]
            if inspect.isfunction(target):
                # A helper that reads the query through a form of its own.
                helper = inspect.getsource(target)
                forms = [target.__globals__.get(n) for n in re.findall(r"(\w+Form)\(", helper)]
            for form in forms:
                if inspect.isclass(form) and hasattr(form, "base_fields"):
                    names |= set(form.base_fields)
                    names |= set(re.findall(r'self\.fields\["(\w+)"\]', inspect.getsource(form)))
        return sorted(names)


def _decorators(callback: Callable[..., Any]) -> str:
    try:
        module_source = inspect.getsource(inspect.getmodule(inspect.unwrap(callback)))  # type: ignore[arg-type]
    except (OSError, TypeError):
        return ""
    name = inspect.unwrap(callback).__name__
    match = re.search(rf"((?:@[^\n]+\n)+)def {name}\(", module_source)
    return match.group(1) if match else ""


def routes() -> list[Route]:
    found: list[Route] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.app_name == "admin":
                    continue
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern) and entry.name not in SKIPPED:
                found.append(
                    Route(
                        name=entry.name or "",
                        pattern=prefix + str(entry.pattern),
                        callback=entry.callback,
                        converters=tuple(entry.pattern.regex.groupindex),
                    )
                )

    walk(get_resolver().url_patterns, "")
    return found


def id_pools() -> dict[str, list[Any]]:
    """Every id a URL may carry, taken from what the database holds."""
    from mentora.accounts.models import Membership, Organisation
    from mentora.api.models import ApiToken
    from mentora.events.models import Event, EventRegistration
    from mentora.notifications.models import Notification
    from mentora.people.models import ImportRun, OrgUnit, Person
    from mentora.privacy.models import Consent
    from mentora.programmes.models import (
        Guest,
        Participant,
        Programme,
        ProgrammeGoal,
        ProgrammeOrganisation,
        Question,
        Touchpoint,
    )
    from mentora.relationships.checkin_links import checkin_token
    from mentora.relationships.models import (
        ExpertConnection,
        FlashBooking,
        FlashSlot,
        Goal,
        Meeting,
        Pair,
        Pause,
        Story,
    )
    from mentora.rounds.models import Introduction, MatchingRound, Proposal
    from mentora.scim.models import ScimToken
    from mentora.subject_requests.models import SubjectRequest
    from mentora.surveys.models import Invitation, Survey
    from mentora.surveys.models import Question as SurveyQuestion
    from mentora.webhooks.models import Webhook
    from tests.world import CALENDAR_TOKENS

    def pks(model: Any) -> list[int]:
        rows = model.objects.all() if isinstance(model, type) else model
        return list(rows.order_by("pk").values_list("pk", flat=True))

    return {
        "slug": list(Organisation.objects.values_list("slug", flat=True)),
        "programme_id": pks(Programme),
        "participant_id": pks(Participant),
        "person_id": pks(Person),
        "membership_id": pks(Membership),
        "run_id": pks(ImportRun),
        "unit_id": pks(OrgUnit),
        # API tokens and SCIM tokens share the parameter name: every route tries both.
        "token_id": pks(ScimToken) + pks(ApiToken),
        "contribution_id": pks(ProgrammeOrganisation),
        "touchpoint_id": pks(Touchpoint),
        "event_id": pks(Event),
        "question_id": pks(Question),
        "registration_id": pks(EventRegistration),
        "round_id": pks(MatchingRound),
        "proposal_id": pks(Proposal),
        "pair_id": pks(Pair),
        "introduction_id": pks(Introduction),
        "goal_id": pks(Goal),
        # A programme's goals share the parameter's name with the pairs' goals.
        "goal_id:programme_goal_edit": pks(ProgrammeGoal),
        "goal_id:programme_goal_delete": pks(ProgrammeGoal),
        "meeting_id": pks(Meeting),
        "pause_id": pks(Pause),
        "story_id": pks(Story),
        "connection_id": pks(ExpertConnection),
        "slot_id": pks(FlashSlot),
        "booking_id": pks(FlashBooking),
        "survey_id": pks(Survey),
        # The programme's own survey questions share the parameter's name too.
        "question_id:survey_question_edit": pks(
            SurveyQuestion.objects.filter(instrument__source="programme")
        ),
        "question_id:survey_question_move": pks(
            SurveyQuestion.objects.filter(instrument__source="programme")
        ),
        "invitation_id": pks(Invitation),
        "notification_id": pks(Notification),
        "webhook_id": pks(Webhook),
        "consent_id": pks(Consent),
        "fmt": ["csv", "xlsx"],
        "fmt:subject_request_download": ["json", "pdf"],
        "request_id": pks(SubjectRequest),
        "token:programme_apply_link": list(
            Programme.objects.values_list("application_token", flat=True)
        ),
        "token:programme_guest_apply": list(
            Programme.objects.values_list("application_token", flat=True)
        ),
        "guest_id": pks(Guest),
        "token:guest_accept": list(Guest.objects.values_list("token", flat=True)),
        "token:survey_answer": list(Invitation.objects.values_list("token", flat=True)),
        # Calendar links are stored hashed: the world keeps the tokens it made.
        "token:calendar_feed": [*CALENDAR_TOKENS, "revoked-or-never-made"],
        # The signed "Did you meet?" link of each member of each pair, for each meeting.
        "token:checkin_link": [
            checkin_token(meeting, member)
            for meeting in Meeting.objects.select_related("pair__mentee", "pair__mentor")
            for member in (meeting.pair.mentee, meeting.pair.mentor)
        ],
        # The mentee and mentor a round's check compares: every mentee with every mentor of
        # their own programme, and two pairs that cannot be matched (roles swapped, and
        # people of two programmes), rather than every participant with every other.
        "?mentee&mentor": _pairs_to_compare(Participant),
        # Query parameters, by name.
        "?mentee": pks(Participant),
        "?mentor": pks(Participant),
        "?with": pks(MatchingRound),
        "?q": ["wrote", "a"],
        "?page": ["2"],
    }


def _pairs_to_compare(participants: Any) -> list[tuple[int, int]]:
    rows = list(participants.objects.order_by("pk").values_list("pk", "programme_id", "role"))
    mentees = [row for row in rows if row[2] == "mentee"]
    mentors = [row for row in rows if row[2] == "mentor"]
    pairs = [(a[0], b[0]) for a in mentees for b in mentors if a[1] == b[1]]
    if pairs:
        pairs.append(pairs[0][::-1])
    pairs += [(a[0], b[0]) for a in mentees[:1] for b in mentors if a[1] != b[1]][:1]
    return pairs


def _fill(pattern: str, values: dict[str, Any]) -> str:
    path = pattern
    for name, value in values.items():
        path = re.sub(rf"\(\?P<{name}>[^)]*\)", str(value), path)
        path = re.sub(rf"<(?:\w+:)?{name}>", str(value), path)
    return "/" + path.lstrip("^").rstrip("$").replace("\\.", ".")


def urls(route: Route, pools: dict[str, list[Any]]) -> Iterator[str]:
    """Every URL of `route` over the pools, with each query parameter the view reads."""
    choices = [pools.get(f"{name}:{route.name}", pools.get(name, [])) for name in route.converters]
    for combination in itertools.product(*choices):
        path = _fill(route.pattern, dict(zip(route.converters, combination, strict=True)))
        yield path
        names = route.query_names
        if {"mentee", "mentor"} <= set(names):
            for mentee, mentor in pools["?mentee&mentor"]:
                yield f"{path}?mentee={mentee}&mentor={mentor}"
        for name in names:
            for value in pools.get(f"?{name}", ["1"]):
                yield f"{path}?{name}={value}"


def readable_text(response: Any) -> str:
    """What a person could read in a response, whatever its format."""
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "pdf" in content_type:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(body))
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    if "spreadsheetml" in content_type:
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(body), read_only=True)
        cells = [sheet.title for sheet in workbook.worksheets]
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows(values_only=True):
                cells += [str(value) for value in row if value is not None]
        return "\n".join(cells)
    return body.decode("utf-8", errors="replace")


def page_title(text: str) -> str:
    match = re.search(r"<title>(.*?)</title>", text, re.S)
    return match.group(1) if match else ""
