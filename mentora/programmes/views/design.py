"""The programme's design pages: the list, creating and editing a programme, its matching
policy, the organisations taking part, copying for the next cohort, and the health check."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from mentora.core.confirm import run_confirmed
from mentora.core.messages import attempt, run_on_form
from mentora.core.tables import DESC, Column, filtered, sort_table
from mentora.programmes import access
from mentora.programmes.forms import (
    NewProgrammeForm,
    PartnerForm,
    PolicyForm,
    ProgrammeFilterForm,
    ProgrammeForm,
    TouchpointForm,
)
from mentora.programmes.health import failure_reasons, launch_questions
from mentora.programmes.models import Programme
from mentora.programmes.services import design as design_services
from mentora.programmes.views.common import _page, _posted


def _warn_about_duration(request: HttpRequest, programme: Programme) -> None:
    if programme.duration_warning():
        messages.warning(
            request,
            _(
                "Most programmes last 6 to 18 months; pairs are usually saturated after "
                "10 to 12. Check the dates."
            ),
        )


PROGRAMME_COLUMNS = [
    Column("name", gettext_lazy("Name"), order=("name",)),
    Column("organisation", gettext_lazy("Organisation"), order=("organisation__name",)),
    Column("kind", gettext_lazy("Kind"), order=("kind",)),
    Column("dates", gettext_lazy("Dates"), order=("start_date", "end_date")),
]


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    form = ProgrammeFilterForm(request.GET)
    programmes = filtered(
        access.programmes_for(request.user).select_related("organisation"),
        form,
        search=("name", "organisation__name"),
        exact=("kind",),
    )
    table = sort_table(
        request,
        programmes,
        PROGRAMME_COLUMNS,
        default="dates",
        default_direction=DESC,
        per_page=25,
    )
    return render(
        request,
        "programmes/programme_list.html",
        {
            "table": table,
            "form": form,
            "can_create": access.organisations_for_new_programmes(request.user).exists(),
        },
    )


@login_required
def programme_create(request: HttpRequest) -> HttpResponse:
    organisations = access.organisations_for_new_programmes(request.user).order_by("name")
    if not organisations.exists():
        raise PermissionDenied
    form = NewProgrammeForm(_posted(request), organisations=organisations)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "organisation"}
        programme = run_on_form(
            form,
            design_services.programme_create,
            organisation=form.cleaned_data["organisation"],
            actor=request.user,
            **values,
        )
        if programme is not None:
            messages.success(request, _("The programme was created."))
            _warn_about_duration(request, programme)
            return redirect("programme_detail", programme.pk)
    return render(request, "programmes/programme_new.html", {"form": form})


@login_required
def programme_detail(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = access.access_programme(request.user, programme_id)
    return _page(
        request,
        "programmes/programme_detail.html",
        programme,
        touchpoints=programme.touchpoints.all(),
        contributions=programme.contributions.select_related("organisation"),
        touchpoint_form=TouchpointForm(),
        partner_form=PartnerForm(),
        counts=programme.participants.counts_by_status(),
    )


def _edit_page(
    request: HttpRequest,
    programme: Programme,
    *,
    form: ProgrammeForm | None = None,
    policy_form: PolicyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The design page: the programme's form and its matching policy's, either as posted."""
    if form is None:
        form = ProgrammeForm(instance=programme, organisation=programme.organisation)
    if policy_form is None:
        policy_form = PolicyForm(policy=programme.matching_policy)
    return _page(
        request,
        "programmes/programme_edit.html",
        programme,
        form=form,
        policy_form=policy_form,
        http_status=status,
    )


@login_required
def programme_edit(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = access.access_programme(request.user, programme_id, write=True)
    form = ProgrammeForm(_posted(request), instance=programme, organisation=programme.organisation)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        sponsors, managers = data.pop("sponsors"), data.pop("managers")
        # The form edited a copy of the instance; the service applies and audits the change.
        fresh = Programme.objects.get(pk=programme.pk)
        if run_on_form(
            form,
            design_services.programme_update,
            programme=fresh,
            actor=request.user,
            sponsors=sponsors,
            managers=managers,
            **data,
        ):
            messages.success(request, _("The design was saved."))
            _warn_about_duration(request, fresh)
            return redirect("programme_detail", programme.pk)
    return _edit_page(request, programme, form=form)


@login_required
@require_POST
def programme_policy(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = access.access_programme(request.user, programme_id, write=True)
    form = PolicyForm(request.POST, policy=programme.matching_policy)
    if form.is_valid():
        saved = run_on_form(
            form,
            design_services.programme_set_policy,
            programme=programme,
            policy=form.to_policy(),
            actor=request.user,
        )
        if saved is not None:
            messages.success(request, _("The matching policy was saved."))
            return redirect("programme_edit", programme.pk)
    return _edit_page(request, programme, policy_form=form, status=400)


@login_required
@require_POST
def programme_organisation_add(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = access.access_programme(request.user, programme_id, write=True)
    form = PartnerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the organisation's name or short name."))
        return redirect("programme_detail", programme.pk)
    data = form.cleaned_data
    named = access.partner_organisations_named(request.user, programme, data["organisation"])
    if not named:
        messages.error(request, _("No other organisation has that name or short name."))
        return redirect("programme_detail", programme.pk)
    if len(named) > 1:
        messages.error(
            request, _("Several organisations have that name: give the short name instead.")
        )
        return redirect("programme_detail", programme.pk)
    partner = named[0]
    contributions = [
        (c.organisation, c.contributes_mentors, c.contributes_mentees)
        for c in programme.contributions.select_related("organisation")
        if c.organisation_id != partner.pk
    ]
    contributions.append((partner, data["contributes_mentors"], data["contributes_mentees"]))
    attempt(
        request,
        design_services.programme_set_organisations,
        programme=programme,
        contributions=contributions,
        actor=request.user,
        success=_("The organisation takes part in the programme."),
    )
    return redirect("programme_detail", programme.pk)


@login_required
@require_POST
def programme_organisation_remove(
    request: HttpRequest, programme_id: int, contribution_id: int
) -> HttpResponse:
    programme = access.access_programme(request.user, programme_id, write=True)
    contributions = list(programme.contributions.select_related("organisation"))
    if contribution_id not in {c.pk for c in contributions}:
        raise Http404
    run_confirmed(
        request,
        design_services.programme_set_organisations,
        programme=programme,
        contributions=[
            (c.organisation, c.contributes_mentors, c.contributes_mentees)
            for c in contributions
            if c.pk != contribution_id
        ],
        actor=request.user,
        success=_("The organisation no longer takes part in the programme."),
    )
    return redirect("programme_detail", programme.pk)


@login_required
@require_POST
def programme_copy(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = access.access_programme(request.user, programme_id, write=True)
    copy = design_services.programme_copy(programme=programme, actor=request.user)
    messages.success(request, _("The programme was copied for the next cohort."))
    return redirect("programme_edit", copy.pk)


@login_required
def programme_health(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = access.access_programme(request.user, programme_id)
    return _page(
        request,
        "programmes/programme_health.html",
        programme,
        reasons=failure_reasons(programme),
        questions=launch_questions(programme),
    )
