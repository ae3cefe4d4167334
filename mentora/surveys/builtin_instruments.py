"""Mentora's own instrument library, in English and Danish.

Every question here was written for Mentora; none is taken from a published instrument.
The same item code with the same wording in several instruments (for example the career
confidence items at the start and the end) is what lets a report measure change and
compare programmes. Loaded by a data migration through :func:`load_builtin_instruments`,
which is idempotent and may also be run again after the library grows.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps as live_apps
from django.utils.translation import gettext_lazy as _

LICENCE = {
    "licence_name": "CC BY 4.0",
    "licence_holder": "Mentora",
    "licence_url": "https://creativecommons.org/licenses/by/4.0/",
    "may_redistribute": True,
}

MENTEE = ["mentee"]
MENTOR = ["mentor"]
PAIR = ["mentee", "mentor"]
LINE = ["line_manager"]
EVERYONE = ["mentee", "mentor", "line_manager"]


def _q(
    code: str,
    kind: str,
    en: str,
    da: str,
    audience: list[str],
    construct: str = "",
    choices: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    return {
        "code": code,
        "kind": kind,
        "text_en": en,
        "text_da": da,
        "audience": audience,
        "construct": construct,
        "choices": choices or [],
    }


# Asked at the start and again at the end, so the change can be measured per person.
CAREER_CONFIDENCE = [
    _q(
        "CC1",
        "scale_1_5",
        "I feel sure about my next step at work.",
        "Jeg føler mig sikker på mit næste skridt i arbejdslivet.",
        MENTEE,
        "career_confidence",
    ),
    _q(
        "CC2",
        "scale_1_5",
        "I know people I can ask for advice about my development.",
        "Jeg kender folk, jeg kan spørge til råds om min udvikling.",
        MENTEE,
        "career_confidence",
    ),
    _q(
        "CC3",
        "scale_1_5",
        "I trust myself to handle the hard parts of my job.",
        "Jeg stoler på, at jeg kan klare de svære dele af mit arbejde.",
        MENTEE,
        "career_confidence",
    ),
]

RELATIONSHIP = [
    _q(
        "RQ1",
        "scale_1_5",
        "We meet as often as we agreed.",
        "Vi mødes så ofte, som vi aftalte.",
        PAIR,
        "relationship_quality",
    ),
    _q(
        "RQ2",
        "scale_1_5",
        "I can speak openly with my mentoring partner.",
        "Jeg kan tale åbent med min mentorpartner.",
        PAIR,
        "relationship_quality",
    ),
    _q(
        "RQ3",
        "scale_1_5",
        "Our conversations are worth the time they take.",
        "Vores samtaler er den tid værd, de tager.",
        PAIR,
        "relationship_quality",
    ),
]

# Asked midway on its own, and at the end with the rest of the programme's design.
MANAGER_HELPED = _q(
    "PD2",
    "scale_1_5",
    "The programme manager helped when I needed it.",
    "Programlederen hjalp, når jeg havde brug for det.",
    PAIR,
    "programme_design",
)
DESIGN = [
    _q(
        "PD1",
        "scale_1_5",
        "The preparation made it clear what was expected of me.",
        "Forberedelsen gjorde det klart, hvad der blev forventet af mig.",
        PAIR,
        "programme_design",
    ),
    MANAGER_HELPED,
    _q(
        "PD3",
        "scale_1_5",
        "The programme's length and rhythm suited me.",
        "Programmets længde og rytme passede mig.",
        PAIR,
        "programme_design",
    ),
]

STAY_IN_TOUCH = [
    {"value": "yes", "en": "Yes", "da": "Ja"},
    {"value": "maybe", "en": "Maybe", "da": "Måske"},
    {"value": "no", "en": "No", "da": "Nej"},
]
VALUABLE_PARTS = [
    {"value": "meetings", "en": "The one-to-one meetings", "da": "De personlige møder"},
    {"value": "workshops", "en": "The workshops", "da": "Workshopperne"},
    {"value": "network", "en": "The new network", "da": "Det nye netværk"},
    {"value": "materials", "en": "The materials and tools", "da": "Materialerne og værktøjerne"},
]

LIBRARY: list[dict[str, Any]] = [
    {
        "slug": "mentora-start",
        "name": "Mentora: start of the programme",
        "wave": "start",
        "questions": [
            _q(
                "RD1",
                "scale_1_5",
                "I know what I want to get out of this programme.",
                "Jeg ved, hvad jeg vil have ud af dette program.",
                PAIR,
                "readiness",
            ),
            _q(
                "RD2",
                "scale_1_5",
                "I can make time for regular meetings.",
                "Jeg kan finde tid til faste møder.",
                PAIR,
                "readiness",
            ),
            _q(
                "RD3",
                "scale_1_5",
                "My line manager backs my taking part.",
                "Min nærmeste leder bakker op om, at jeg deltager.",
                PAIR,
                "readiness",
            ),
            *CAREER_CONFIDENCE,
            _q(
                "EX1",
                "text",
                "What do you hope the programme will change for you?",
                "Hvad håber du, at programmet vil ændre for dig?",
                PAIR,
            ),
            _q(
                "LM1",
                "scale_1_5",
                "I know what my team member wants to learn.",
                "Jeg ved, hvad min medarbejder ønsker at lære.",
                LINE,
                "line_manager_involvement",
            ),
            _q(
                "LM2",
                "scale_1_5",
                "I have agreed with my team member how I will follow the programme.",
                "Jeg har aftalt med min medarbejder, hvordan jeg følger programmet.",
                LINE,
                "line_manager_involvement",
            ),
        ],
    },
    {
        "slug": "mentora-midway",
        "name": "Mentora: midway",
        "wave": "midway",
        "questions": [
            *RELATIONSHIP,
            MANAGER_HELPED,
            _q(
                "MW1",
                "text",
                "What would make the second half of the programme better?",
                "Hvad ville gøre programmets anden halvdel bedre?",
                PAIR,
            ),
        ],
    },
    {
        "slug": "mentora-end",
        "name": "Mentora: end of the programme",
        "wave": "end",
        "questions": [
            *RELATIONSHIP,
            *CAREER_CONFIDENCE,
            _q(
                "CS1",
                "scale_1_5",
                "My mentor helped me see options for my career.",
                "Min mentor hjalp mig med at se muligheder i min karriere.",
                MENTEE,
                "career_support",
            ),
            _q(
                "CS2",
                "scale_1_5",
                "My mentor helped me meet people who matter for my work.",
                "Min mentor hjalp mig med at møde folk, der betyder noget for mit arbejde.",
                MENTEE,
                "career_support",
            ),
            _q(
                "CS3",
                "scale_1_5",
                "My mentor gave me feedback I could use.",
                "Min mentor gav mig feedback, jeg kunne bruge.",
                MENTEE,
                "career_support",
            ),
            _q(
                "PS1",
                "scale_1_5",
                "My mentor encouraged me when things were difficult.",
                "Min mentor opmuntrede mig, når det var svært.",
                MENTEE,
                "psychosocial_support",
            ),
            _q(
                "PS2",
                "scale_1_5",
                "I could share doubts with my mentor without worry.",
                "Jeg kunne dele min tvivl med min mentor uden bekymring.",
                MENTEE,
                "psychosocial_support",
            ),
            _q(
                "PS3",
                "scale_1_5",
                "I feel more confident at work than before the programme.",
                "Jeg føler mig mere sikker på arbejdet end før programmet.",
                MENTEE,
                "psychosocial_support",
            ),
            _q(
                "ML1",
                "scale_1_5",
                "Being a mentor taught me something about my own leadership.",
                "At være mentor lærte mig noget om min egen ledelse.",
                MENTOR,
                "mentor_learning",
            ),
            _q(
                "ML2",
                "scale_1_5",
                "I understand colleagues in other parts of the organisation better.",
                "Jeg forstår kolleger i andre dele af organisationen bedre.",
                MENTOR,
                "mentor_learning",
            ),
            *DESIGN,
            _q(
                "GL1",
                "scale_1_5",
                "I reached the goals I set at the start.",
                "Jeg nåede de mål, jeg satte mig i starten.",
                PAIR,
                "goals",
            ),
            _q(
                "LN1",
                "text",
                "What is the most important thing you learned?",
                "Hvad er det vigtigste, du har lært?",
                PAIR,
            ),
            _q(
                "ST1",
                "single",
                "Will you stay in touch with your mentoring partner?",
                "Vil du holde kontakten med din mentorpartner?",
                PAIR,
                choices=STAY_IN_TOUCH,
            ),
            _q(
                "VP1",
                "multiple",
                "Which parts of the programme were most valuable?",
                "Hvilke dele af programmet var mest værdifulde?",
                PAIR,
                choices=VALUABLE_PARTS,
            ),
            _q(
                "LM3",
                "scale_1_5",
                "I followed my team member's learning themes during the programme.",
                "Jeg fulgte min medarbejders læringstemaer under programmet.",
                LINE,
                "line_manager_involvement",
            ),
            _q(
                "LM4",
                "scale_1_5",
                "I see my team member grow in their role.",
                "Jeg ser min medarbejder vokse i sin rolle.",
                LINE,
                "line_manager_involvement",
            ),
            _q(
                "NPS",
                "nps",
                "How likely are you to recommend this programme to a colleague?",
                "Hvor sandsynligt er det, at du vil anbefale dette program til en kollega?",
                EVERYONE,
            ),
        ],
    },
]


def load_builtin_instruments(apps: Any = None) -> int:
    """Create or update the built-in instruments; returns how many questions were written.

    Takes the historical app registry when called from a migration.
    """
    if apps is None:
        apps = live_apps
    instrument_model = apps.get_model("surveys", "Instrument")
    question_model = apps.get_model("surveys", "Question")
    written = 0
    for spec in LIBRARY:
        instrument, _ = instrument_model.objects.update_or_create(
            slug=spec["slug"],
            source="builtin",
            defaults={
                "name": spec["name"],
                "wave": spec["wave"],
                "languages": ["en", "da"],
                **LICENCE,
            },
        )
        for position, question in enumerate(spec["questions"], start=1):
            question_model.objects.update_or_create(
                instrument=instrument,
                code=question["code"],
                defaults={
                    **{k: v for k, v in question.items() if k != "code"},
                    "position": position,
                },
            )
            written += 1
    return written


def _scale_names() -> dict[str, Any]:
    return {
        "readiness": _("Readiness"),
        "career_confidence": _("Career confidence"),
        "relationship_quality": _("Relationship quality"),
        "programme_design": _("Programme design and support"),
        "career_support": _("Career support"),
        "psychosocial_support": _("Psychosocial support"),
        "mentor_learning": _("What mentors learned"),
        "goals": _("Goals reached"),
        "line_manager_involvement": _("Line manager's involvement"),
    }


def scale_name(construct: str) -> str:
    """A scale's name in the current language; an organisation's own scales keep their code."""
    return str(_scale_names().get(construct, construct.replace("_", " ")))
