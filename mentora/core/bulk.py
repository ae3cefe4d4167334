"""One way to act on many rows of a list at once: a preview, then one transaction.

A list page posts the ids of the chosen rows and an action. The server parses the ids
through a form whose choices are limited to the rows the user may act on, so a foreign
or forged id refuses the whole request and nothing is written. It then builds a preview:
for each chosen row, what will happen or why it will be skipped. Confirming applies the
action through the single-row service, row by row, in one transaction, so every rule,
e-mail and audit entry is the one the single action has. A refusal by the service skips
that row with its reason; any other failure rolls the whole batch back.

A reversible batch may offer an undo: what it needs is kept in the session (only ids),
never in the page, and the undo checks the current state before it restores anything.

A list's two views, each after its own access check, hand the rest to `show_preview` and
`run_batch`: they parse the choice (or go back to the list with its problems), then draw
the preview or apply the batch, report it and keep what its undo needs.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from mentora.core.confirm import confirmed
from mentora.core.forms import ModelMultipleChoiceField
from mentora.core.messages import valid

# The most rows one batch may touch: a page of a list.
MAX_ITEMS = 100
# The session key under which the last reversible batch waits for an undo.
UNDO_KEY = "bulk_undo"


class BulkForm(forms.Form):
    """The chosen rows and the action; `queryset` holds the rows the user may act on."""

    # The list page draws its own checkboxes (each labelled with a name) and its own choice
    # of action; the preview page carries both on, unseen, to the confirmation.
    ids = ModelMultipleChoiceField(
        label=_("Chosen"),
        queryset=None,
        widget=forms.MultipleHiddenInput,
        error_messages={
            "required": _("Choose at least one person from the list."),
            "invalid_choice": _(
                "Nothing was changed: one of the chosen people is not on this list."
            ),
            "invalid_pk_value": _(
                "Nothing was changed: one of the chosen people is not on this list."
            ),
        },
    )
    action = forms.ChoiceField(label=_("Action"), widget=forms.HiddenInput)
    # A list of other things than people says so in its refusals.
    id_errors: dict[str, Any] = {}
    too_many: Any = _("Choose at most %(n)s people at a time.")

    def __init__(
        self,
        data: Any = None,
        *,
        queryset: QuerySet[Any],
        actions: Sequence[tuple[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        self.fields["ids"].queryset = queryset  # type: ignore[attr-defined]
        self.fields["ids"].error_messages.update(self.id_errors)
        if actions is None:
            # A page with one action of its own needs no choice of action.
            del self.fields["action"]
        else:
            self.fields["action"].choices = actions  # type: ignore[attr-defined]

    def clean_ids(self) -> Any:
        chosen = self.cleaned_data["ids"]
        if len(chosen) > MAX_ITEMS:
            raise ValidationError(self.too_many, params={"n": MAX_ITEMS})
        return chosen


@dataclass(frozen=True)
class BulkItem:
    """One chosen row: who it is, and what will happen to it or why it is skipped."""

    obj: Any
    label: str
    outcome: str
    ok: bool


@dataclass
class BulkPreview:
    items: list[BulkItem]

    @property
    def ready(self) -> list[BulkItem]:
        return [item for item in self.items if item.ok]

    @property
    def skipped(self) -> list[BulkItem]:
        return [item for item in self.items if not item.ok]


def bulk_preview(
    objects: Iterable[Any], *, label: Callable[[Any], str], check: Callable[[Any], str]
) -> BulkPreview:
    """For each object, what `check` says will happen, or the reason it raised for skipping."""
    items = []
    for obj in objects:
        try:
            items.append(BulkItem(obj, label(obj), check(obj), True))
        except ValidationError as error:
            items.append(BulkItem(obj, label(obj), " ".join(error.messages), False))
    return BulkPreview(items)


@dataclass
class BulkOutcome:
    done: list[tuple[Any, Any]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


@transaction.atomic
def bulk_apply(preview: BulkPreview, apply: Callable[[Any], Any]) -> BulkOutcome:
    """Apply to every row the preview found ready, in one transaction.

    The single-row services are atomic themselves, so a refusal (a ValidationError) undoes
    only its own row, which is reported as skipped; any other error undoes the batch.
    """
    outcome = BulkOutcome(skipped=[(item.label, item.outcome) for item in preview.skipped])
    for item in preview.ready:
        try:
            outcome.done.append((item.obj, apply(item.obj)))
        except ValidationError as error:
            outcome.skipped.append((item.label, " ".join(error.messages)))
    return outcome


def bulk_report(
    request: HttpRequest,
    outcome: BulkOutcome,
    *,
    done: Callable[[int], str],
    undo_url: str = "",
    undo_items: list[Any] | None = None,
) -> None:
    """Tell the user how the batch went: "7 moved", then "1 skipped: who: why".

    With `undo_url`, the success message carries an Undo button, and `undo_items` (ids
    only) wait in the session for it.
    """
    # Only the last batch can be taken back: any other forgets the one before.
    request.session.pop(UNDO_KEY, None)
    if outcome.done:
        if undo_url and undo_items:
            request.session[UNDO_KEY] = {
                "key": uuid.uuid4().hex,
                "url": undo_url,
                "items": undo_items,
            }
            messages.success(request, done(len(outcome.done)), extra_tags="undo")
        else:
            messages.success(request, done(len(outcome.done)))
    if outcome.skipped:
        reasons = "; ".join(f"{who}: {why}" for who, why in outcome.skipped)
        messages.warning(
            request,
            ngettext(
                "%(n)s skipped: %(reasons)s", "%(n)s skipped: %(reasons)s", len(outcome.skipped)
            )
            % {"n": len(outcome.skipped), "reasons": reasons},
        )
    if not outcome.done and not outcome.skipped:
        messages.info(request, gettext("Nothing was changed."))


def show_preview(
    request: HttpRequest,
    form: BulkForm | None,
    *,
    back: str,
    preview: Callable[[Any], BulkPreview],
    page: Callable[..., HttpResponse],
    hidden: Callable[[Any], Iterable[str]] = lambda form: (),
    context: Callable[[Any], dict[str, Any]] = lambda form: {},
) -> HttpResponse:
    """The preview of a batch: the chosen rows parsed through `form` (None: already refused,
    with a message), or back to the list at `back` with the problems shown.

    The fields `hidden` names are carried on, unseen, to the confirmation; `page` draws the
    preview from the form, the preview and what `context` adds for the valid form.
    """
    if form is None or not valid(request, form):
        return redirect(back)
    for name in hidden(form):
        form.fields[name].widget = forms.HiddenInput()
    return page(form=form, preview=preview(form), **context(form))


def run_batch(
    request: HttpRequest,
    form: BulkForm | None,
    *,
    back: str,
    preview: Callable[[Any], BulkPreview],
    apply: Callable[[Any], Callable[[Any], Any]],
    done: Callable[[Any, BulkOutcome], str],
    undo_url: Callable[[Any], str] = lambda form: "",
    undo_item: Callable[[Any, Any], Any] = lambda obj, result: result,
) -> HttpResponse:
    """Apply a batch, report it and go back to the list at `back`.

    `apply(form)` is the single-row service for the parsed choice, `done(form, outcome)` the
    success message. A batch with an `undo_url` (for its choice) can be taken back, and keeps
    `undo_item(row, result)` of each row for it; any other needs the confirmation's tick.
    """
    if form is None or not valid(request, form):
        return redirect(back)
    url = undo_url(form)
    if not url and not confirmed(request):
        return redirect(back)
    outcome = bulk_apply(preview(form), apply(form))
    bulk_report(
        request,
        outcome,
        done=lambda n: done(form, outcome),
        undo_url=url,
        undo_items=[undo_item(obj, result) for obj, result in outcome.done],
    )
    return redirect(back)


class UndoForm(forms.Form):
    key = forms.CharField(max_length=32)


def undo_take(request: HttpRequest, url: str) -> list[Any] | None:
    """The ids the last batch left for an undo at `url`, once: None (with a message) when
    the undo is stale, already used, or meant for another page."""
    form = UndoForm(request.POST)
    waiting = request.session.get(UNDO_KEY)
    if (
        not form.is_valid()
        or not isinstance(waiting, dict)
        or waiting.get("key") != form.cleaned_data["key"]
        or waiting.get("url") != url
    ):
        messages.error(
            request, gettext("There is nothing to undo: only the last change can be undone, once.")
        )
        return None
    del request.session[UNDO_KEY]
    items: list[Any] = waiting["items"]
    return items
