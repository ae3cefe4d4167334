"""The demo organisation's data-protection settings: a retention schedule a Danish
employer might choose, and who answers for the data. Its consents are recorded as the
demo's participants, stories and recordings are made."""

from __future__ import annotations

from mentora.accounts.models import Organisation
from mentora.privacy.models import PrivacySettings
from mentora.privacy.services import privacy_settings_update


def seed_privacy(*, organisation: Organisation) -> None:
    # Once: a second run of the demo leaves the settings as they are.
    if PrivacySettings.objects.filter(organisation=organisation).exists():
        return
    privacy_settings_update(
        organisation=organisation,
        actor=None,
        pair_text_months=12,
        survey_text_months=6,
        leaver_years=2,
        audit_years=5,
        controller_name="Nordlys Energi A/S",
        controller_contact="Havnegade 1, 6700 Esbjerg · privacy@nordlys.example",
        dpo_contact="dpo@nordlys.example",
        processor_name="Mentora hosting",
        processor_contact="support@mentora.example",
        requests_contact="privacy@nordlys.example",
    )
