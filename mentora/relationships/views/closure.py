"""Closing a pair: each side's part, the certificates, and stories."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentora.core.confirm import confirmed
from mentora.core.messages import attempt, submit, valid
from mentora.programmes import access as programme_access
from mentora.relationships import access
from mentora.relationships.forms import (
    ClosureForm,
    StoryForm,
)
from mentora.relationships.models import Closure, Continuation, Story, StoryStatus
from mentora.relationships.services import closure as closure_services
from mentora.relationships.services import workspace


@login_required
def pair_close(request: HttpRequest, pair_id: int) -> HttpResponse:

    pair = access.access_workspace(request.user, pair_id)
    side = workspace.pair_side(pair, request.user)
    closure = Closure.objects.filter(pair=pair).first()
    if request.method == "POST":
        form = ClosureForm(request.POST)
        # The form's problems first: the tick is asked for once the answers are right.
        if valid(request, form) and confirmed(request):
            attempt(
                request,
                closure_services.closure_submit,
                pair=pair,
                actor=request.user,
                success=_("Thank you. Your part of the closing is saved."),
                **form.cleaned_data,
            )
        return redirect("pair_close", pair_id=pair.pk)
    other_side = "mentor" if side == "mentee" else "mentee"
    return render(
        request,
        "relationships/close.html",
        {
            "pair": pair,
            "side": side,
            "closure": closure,
            "continuations": Continuation.choices,
            "mine_done": bool(closure and getattr(closure, f"{side}_done_at")),
            "refusals": pair.closure_refusals() if pair.is_active else [],
            "thanks_to_me": getattr(closure, f"{other_side}_thanks", "") if closure else "",
            "my_reflection": getattr(closure, f"{side}_reflection", "") if closure else "",
        },
    )


@login_required
def certificate(request: HttpRequest, pair_id: int) -> HttpResponse:
    pair = access.access_workspace(request.user, pair_id)
    side = workspace.pair_side(pair, request.user)
    closure = getattr(pair, "closure", None)
    if side is None or closure is None or not closure.is_complete:
        raise Http404
    response = HttpResponse(
        closure_services.certificate_pdf(pair=pair, side=side), content_type="application/pdf"
    )
    response["Content-Disposition"] = 'attachment; filename="mentora-certificate.pdf"'
    return response


@login_required
@require_POST
def story_submit(request: HttpRequest, pair_id: int) -> HttpResponse:
    pair = access.access_workspace(request.user, pair_id)
    submit(
        request,
        StoryForm(request.POST),
        closure_services.story_submit,
        pair=pair,
        actor=request.user,
        success=_("Thank you. The programme manager reads your story first."),
    )
    return redirect("pair_close", pair_id=pair.pk)


@login_required
def programme_stories(request: HttpRequest, programme_id: int) -> HttpResponse:

    programme = access.access_programme_stories(request.user, programme_id)
    manages = programme_access.can_manage_programme(request.user, programme)
    stories = Story.objects.filter(pair__programme=programme).select_related("author")
    return render(
        request,
        "relationships/stories.html",
        {
            "programme": programme,
            "published": stories.filter(status=StoryStatus.APPROVED),
            # Waiting stories are for the team to decide on, except about their own pairs.
            "pending": (
                stories.filter(status=StoryStatus.PENDING).not_about_pairs_of(request.user)
                if manages
                else []
            ),
        },
    )


@login_required
@require_POST
def story_decide(request: HttpRequest, story_id: int) -> HttpResponse:
    story = access.access_story(request.user, story_id)
    if confirmed(request):
        closure_services.story_decide(
            story=story, actor=request.user, approve=request.POST.get("decision") == "approve"
        )
    return redirect("programme_stories", programme_id=story.pair.programme_id)
