"""Pages printed as PDF files: WeasyPrint renders a template with a stylesheet of its own."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from weasyprint import CSS, HTML

# The stylesheet of every printed report (the outcome report, the standards evidence pack,
# a round's fairness report).
REPORT_STYLESHEET = "reports/report_pdf.css"


def render_pdf(template: str, context: dict[str, Any], *, stylesheet: str) -> bytes:
    """The template as a PDF. The stylesheet (a template too) is handed to WeasyPrint, not
    embedded, so no template carries a style past the content security policy."""
    html = render_to_string(template, context)
    css = CSS(string=render_to_string(stylesheet))
    return bytes(HTML(string=html).write_pdf(stylesheets=[css]))
