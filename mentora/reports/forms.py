from django import forms
from django.utils.translation import gettext_lazy as _


class BenchmarkUploadForm(forms.Form):
    source = forms.CharField(label=_("Source"), max_length=200)
    file = forms.FileField(label=_("Benchmark export (JSON)"))
