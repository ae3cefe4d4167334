from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from mentora.core.i18n import catalogue_gaps, catalogues, compile_catalogues


class Command(BaseCommand):
    help = (
        "Collect every translatable string from the code and templates, then fail if any "
        "has no Danish translation."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        # Re-collect first, so a string added without updating the catalogue is caught.
        call_command(
            "makemessages",
            locale=["da"],
            ignore_patterns=["var/*", "staticfiles/*", "benchmarks/*", "docs/*"],
            no_obsolete=True,
            # One line per message keeps the catalogue easy to review and to check.
            no_wrap=True,
            verbosity=0,
        )
        gaps = [gap for po in catalogues() for gap in catalogue_gaps(po)]
        if gaps:
            lines = [f"  {gap.catalogue}: {gap.problem}: {gap.msgid!r}" for gap in gaps]
            raise CommandError(
                f"{len(gaps)} message(s) lack a Danish translation:\n" + "\n".join(lines)
            )
        compile_catalogues()
        self.stdout.write(f"All messages are translated in {len(catalogues())} catalogue(s).")
