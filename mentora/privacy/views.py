"""Data-protection pages: the retention schedule, the privacy page, the record of
processing, one's consents and the export of one's pair texts."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentora.accounts.access import is_organisation_admin, organisations_for
from mentora.core.messages import attempt, submit
from mentora.core.pdf import REPORT_STYLESHEET, render_pdf
from mentora.privacy import access, datamap, services
from mentora.privacy.forms import PrivacySettingsForm
from mentora.privacy.models import PrivacySettings, RetentionRun
from mentora.relationships import access as pair_access
from mentora.relationships.services.feedback import feedback_visible_to
from mentora.relationships.services.workspace import pair_side


@login_required
def privacy_settings(request: HttpRequest, slug: str) -> HttpResponse:
    """The retention schedule and contacts: staff read them, organisation admins change
    them; both read the reports of the daily runs."""
    write = request.method == "POST"
    organisation = access.access_privacy_settings(request.user, slug, write=write)
    schedule = PrivacySettings.of(organisation)
    form = PrivacySettingsForm(request.POST or None, instance=schedule)
    if write and submit(
        request,
        form,
        services.privacy_settings_update,
        organisation=organisation,
        actor=request.user,
        success=_("The data-protection settings were saved."),
    ):
        return redirect("privacy_settings", slug=slug)
    return render(
        request,
        "privacy/settings.html",
        {
            "organisation": organisation,
            "form": form,
            "schedule": schedule,
            "can_change": is_organisation_admin(request.user, organisation),
            "runs": RetentionRun.objects.filter(organisation=organisation)[:20],
        },
    )


def _notice_context(organisation: object) -> dict[str, object]:
    schedule = PrivacySettings.of(organisation)
    return {
        "organisation": organisation,
        "schedule": schedule,
        "categories": datamap.categories(schedule),
        "measures": datamap.security_measures(),
        "today": timezone.localdate(),
    }


@login_required
def privacy_notice(request: HttpRequest, slug: str) -> HttpResponse:
    """What Mentora stores about the organisation's people, why, who sees it, how long."""
    organisation = access.access_privacy_notice(request.user, slug)
    return render(request, "privacy/notice.html", _notice_context(organisation))


@login_required
def processing_record_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    """The record of processing activities (GDPR Article 30), as a PDF to file."""
    organisation = access.access_processing_record(request.user, slug)
    pdf = render_pdf(
        "privacy/record_pdf.html", _notice_context(organisation), stylesheet=REPORT_STYLESHEET
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="record-of-processing.pdf"'
    return response


@login_required
def processing_record_markdown(request: HttpRequest, slug: str) -> HttpResponse:
    """The same record as Markdown, to paste into the organisation's own register."""
    organisation = access.access_processing_record(request.user, slug)
    text = render_to_string("privacy/record_md.txt", _notice_context(organisation))
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="record-of-processing.md"'
    return response


@login_required
def my_consents(request: HttpRequest) -> HttpResponse:
    """The consents one has given, to withdraw any of them, and one's organisations'
    privacy pages."""
    consents = services.consents_of(request.user)
    return render(
        request,
        "privacy/consents.html",
        {"consents": consents, "organisations": organisations_for(request.user)},
    )


@login_required
@require_POST
def consent_withdraw(request: HttpRequest, consent_id: int) -> HttpResponse:
    consent = access.access_consent(request.user, consent_id)
    attempt(
        request,
        services.consent_withdraw,
        consent=consent,
        actor=request.user,
        success=_("Your consent was withdrawn."),
    )
    return redirect("my_consents")


@login_required
def pair_texts_export(request: HttpRequest, pair_id: int) -> HttpResponse:
    """What a member of a pair may read of the pair's texts, as Markdown to keep."""
    pair = pair_access.access_workspace(request.user, pair_id)
    side = pair_side(pair, request.user)
    other = "mentor" if side == "mentee" else "mentee"
    closure = getattr(pair, "closure", None)
    text = render_to_string(
        "privacy/pair_texts_md.txt",
        {
            "pair": pair,
            "agreement": pair.latest_agreement(),
            "goals": pair.goals.all(),
            "meetings": [
                (meeting, getattr(meeting, f"{side}_reflection"))
                for meeting in pair.meetings.filter(cancelled_at__isnull=True)
            ],
            "feedback": feedback_visible_to(request.user, pair),
            "my_reflection": getattr(closure, f"{side}_reflection", "") if closure else "",
            "my_thanks": getattr(closure, f"{side}_thanks", "") if closure else "",
            "their_thanks": getattr(closure, f"{other}_thanks", "") if closure else "",
        },
    )
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-mentoring-texts.md"'
    return response
