from typing import Any

from mentora.accounts.management.base import OrganisationFileCommand
from mentora.accounts.models import Organisation
from mentora.surveys.services import instrument_import


class Command(OrganisationFileCommand):
    help = (
        "Load a licensed instrument (JSON with licence metadata and questions) that only "
        "the named organisation will see. It never ships with Mentora."
    )

    def load(self, organisation: Organisation, data: Any, options: dict[str, Any]) -> str:
        instrument = instrument_import(organisation=organisation, data=data, actor=None)
        return f"Loaded {instrument.name} ({instrument.questions.count()} questions)."
