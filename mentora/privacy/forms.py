from __future__ import annotations

from mentora.core.forms import ModelForm
from mentora.privacy.models import PrivacySettings
from mentora.privacy.services import SETTINGS_FIELDS


class PrivacySettingsForm(ModelForm):
    class Meta:
        model = PrivacySettings
        fields = SETTINGS_FIELDS
