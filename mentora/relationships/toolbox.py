"""Mentora's own library of conversation tools, in English and Danish.

Loaded by a data migration (and safe to load again: tools are matched on their code).
Programmes may add their own tools or their own versions of these.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mentora.relationships.models import Tool

LIBRARY: list[dict[str, Any]] = [
    {
        "code": "role-coach",
        "kind": "role",
        "phase": "any",
        "position": 10,
        "title_en": "The coach",
        "title_da": "Coachen",
        "body_en": "Ask more than you tell. Help the mentee find their own answer: What have you "
        "tried? What would you do if you could not fail? What is the first small step?",
        "body_da": "Spørg mere, end du fortæller. Hjælp mentee med at finde sit eget svar: Hvad "
        "har du prøvet? Hvad ville du gøre, hvis du ikke kunne fejle? Hvad er det første lille "
        "skridt?",
    },
    {
        "code": "role-adviser",
        "kind": "role",
        "phase": "any",
        "position": 20,
        "title_en": "The adviser",
        "title_da": "Rådgiveren",
        "body_en": "Share what you know when the mentee asks for it, and say where your experience "
        "ends. Offer options rather than one right answer.",
        "body_da": "Del det, du ved, når mentee beder om det, og sig, hvor din erfaring slutter. "
        "Giv muligheder frem for ét rigtigt svar.",
    },
    {
        "code": "role-sparring",
        "kind": "role",
        "phase": "any",
        "position": 30,
        "title_en": "The sparring partner",
        "title_da": "Sparringspartneren",
        "body_en": "Test the mentee's ideas kindly but seriously: What speaks against it? Who will "
        "disagree, and why? What would make you change your mind?",
        "body_da": "Afprøv mentees idéer venligt, men seriøst: Hvad taler imod? Hvem vil være "
        "uenig, og hvorfor? Hvad ville få dig til at skifte mening?",
    },
    {
        "code": "role-storyteller",
        "kind": "role",
        "phase": "any",
        "position": 40,
        "title_en": "The storyteller",
        "title_da": "Fortælleren",
        "body_en": "Tell a short story from your own career, including what went wrong, and end "
        "with a question the mentee can take home.",
        "body_da": "Fortæl en kort historie fra din egen karriere, også om det, der gik galt, og "
        "slut med et spørgsmål, mentee kan tage med hjem.",
    },
    {
        "code": "role-networker",
        "kind": "role",
        "phase": "any",
        "position": 50,
        "title_en": "The networker",
        "title_da": "Netværkeren",
        "body_en": "Think together about who the mentee should meet. Offer one introduction and "
        "agree who writes the first message.",
        "body_da": "Tænk sammen over, hvem mentee bør møde. Tilbyd én introduktion, og aftal, hvem "
        "der skriver den første besked.",
    },
    {
        "code": "questions-start",
        "kind": "questions",
        "phase": "start",
        "position": 60,
        "title_en": "Questions for getting started",
        "title_da": "Spørgsmål til at komme i gang",
        "body_en": "What made you say yes to this programme? What would make it worth your time? "
        "How do you like to receive feedback? What should we never do in our meetings?",
        "body_da": "Hvad fik dig til at sige ja til forløbet? Hvad ville gøre det din tid værd? "
        "Hvordan vil du helst have feedback? Hvad skal vi aldrig gøre på vores møder?",
    },
    {
        "code": "questions-middle",
        "kind": "questions",
        "phase": "middle",
        "position": 70,
        "title_en": "Questions for the middle, when topics run out",
        "title_da": "Spørgsmål til midtvejs, når emnerne slipper op",
        "body_en": "What has changed since we started? Which of your learning themes has moved "
        "least, and why? What are you avoiding? What would you like to try before we finish?",
        "body_da": "Hvad har ændret sig, siden vi begyndte? Hvilket af dine læringstemaer har "
        "flyttet sig mindst, og hvorfor? Hvad undgår du? Hvad vil du prøve, før vi slutter?",
    },
    {
        "code": "questions-end",
        "kind": "questions",
        "phase": "end",
        "position": 80,
        "title_en": "Questions for closing",
        "title_da": "Spørgsmål til afslutningen",
        "body_en": "What are you taking with you? What will you do differently in six months? "
        "What should happen between us after the programme?",
        "body_da": "Hvad tager du med dig? Hvad vil du gøre anderledes om et halvt år? Hvad skal "
        "der ske mellem os efter forløbet?",
    },
    {
        "code": "agenda-first",
        "kind": "agenda",
        "phase": "start",
        "position": 90,
        "title_en": "Agenda for the first meeting",
        "title_da": "Dagsorden til det første møde",
        "body_en": "1. Getting to know each other. 2. Expectations, both ways. 3. The mentee's "
        "learning themes. 4. The agreement: how often, how, confidentiality, end date. "
        "5. Date of the next meeting.",
        "body_da": "1. Lær hinanden at kende. 2. Forventninger begge veje. 3. Mentees "
        "læringstemaer. 4. Aftalen: hvor ofte, hvordan, fortrolighed, slutdato. 5. Dato for næste "
        "møde.",
    },
    {
        "code": "agenda-regular",
        "kind": "agenda",
        "phase": "any",
        "position": 100,
        "title_en": "Agenda for an ordinary meeting",
        "title_da": "Dagsorden til et almindeligt møde",
        "body_en": "1. Since last time: homework and news. 2. Today's topic, chosen by the mentee. "
        "3. What the mentee takes away. 4. A short evaluation of the meeting. 5. Next date.",
        "body_da": "1. Siden sidst: hjemmeopgave og nyt. 2. Dagens emne, valgt af mentee. 3. Hvad "
        "mentee tager med sig. 4. En kort evaluering af mødet. 5. Næste dato.",
    },
    {
        "code": "agenda-closing",
        "kind": "agenda",
        "phase": "end",
        "position": 110,
        "title_en": "Agenda for the closing meeting",
        "title_da": "Dagsorden til det afsluttende møde",
        "body_en": "1. Looking back at the learning themes. 2. Feedback both ways. 3. Thanks. "
        "4. What happens next: stay in touch, a few more sessions, or a clean end.",
        "body_da": "1. Tilbageblik på læringstemaerne. 2. Feedback begge veje. 3. Tak. 4. Hvad "
        "sker der nu: holde kontakten, et par ekstra møder eller en klar afslutning.",
    },
]


def load_library(tool_model: Any) -> int:
    """Create or refresh the library tools (programme-less); returns how many there are."""
    for item in LIBRARY:
        tool_model.objects.update_or_create(programme=None, code=item["code"], defaults=item)
    return len(LIBRARY)


def phase_of(elapsed: float) -> str:
    """The phase of a pair from the share of its agreed time that has passed."""
    if elapsed < 0.25:
        return "start"
    if elapsed < 0.75:
        return "middle"
    return "end"


def toolboxes_for(programme_ids: Iterable[int]) -> dict[int, list[Any]]:
    """Each programme's toolbox, in two queries however many programmes: the library plus
    the programme's own tools, where a programme's version replaces the library tool it is
    based on."""
    ids = set(programme_ids)
    library = list(Tool.objects.filter(programme__isnull=True))
    own: dict[int | None, list[Any]] = {pk: [] for pk in ids}
    for tool in Tool.objects.filter(programme_id__in=ids):
        own[tool.programme_id].append(tool)
    toolboxes = {}
    for pk in ids:
        tools = own[pk]
        replaced = {t.replaces_id for t in tools if t.replaces_id}
        toolboxes[pk] = sorted(
            [t for t in library if t.pk not in replaced] + tools, key=lambda t: (t.position, t.pk)
        )
    return toolboxes


def in_phase(tools: list[Any], phase: str) -> list[Any]:
    """The tools for a pair in `phase`, and those for any time."""
    return [t for t in tools if t.phase in (phase, "any")]


def tools_for(programme: Any, phase: str | None = None) -> list[Any]:
    """The programme's toolbox (see `toolboxes_for`), for `phase` if given."""
    tools = toolboxes_for([programme.pk])[programme.pk]
    return tools if phase is None else in_phase(tools, phase)
