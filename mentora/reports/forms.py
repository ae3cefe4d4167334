from django import forms
from django.utils.translation import gettext_lazy as _

from mentora.core.forms import JsonFileField


class BenchmarkUploadForm(forms.Form):
    source = forms.CharField(label=_("Source"), max_length=200)
    file = JsonFileField(label=_("Benchmark export (JSON)"))
