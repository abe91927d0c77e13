"""Reporting a post, a comment or a profile (or a direct message, or a story): `/report/<kind>/<id>/`.

One view, one template. HTMX requests get the `report-dialog` partial (a dialog appended to the
page); everything else gets the full page, so the form works without JavaScript.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import render

from instaclone.errors import add_to_form
from instaclone.htmx import back_url, login_required_htmx

from .models import Report
from .moderation import ModerationError, report_create, report_open_get, report_target_get, target_author

KIND_LABELS = {"post": "post", "comment": "comment", "user": "account"}
KIND_LABELS = {**KIND_LABELS, "message": "message"}  # a direct message (social.messages)
KIND_LABELS = {**KIND_LABELS, "story": "story"}  # a story (posts.stories)


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        choices=Report.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a reason.", "invalid_choice": "Choose one of the reasons."},
    )
    text = forms.CharField(
        label="Tell us more", required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
    )

    def clean(self):
        data = super().clean()
        if data.get("reason") == Report.Reason.OTHER and not (data.get("text") or "").strip():
            self.add_error("text", "Tell us what is wrong.")
        return data


def _render(request, context, status=200):
    if request.htmx:
        # Inline errors in the dialog answer htmx with 200, like every other fragment here: htmx
        # swaps only 2xx by default, and in DEBUG django-htmx's error handler replaces the whole
        # page with any 400 answer. 429 keeps its status (the dialog opts in to swap it).
        return render(request, "social/report.html#report-dialog", context, status=200 if status == 400 else status)
    return render(request, "social/report.html", context, status=status)


@login_required_htmx
def report(request, kind, pk):
    if request.method not in ("GET", "HEAD", "POST"):
        from django.http import HttpResponseNotAllowed

        return HttpResponseNotAllowed(["GET", "POST"])
    target = report_target_get(viewer=request.user, kind=kind, pk=pk)
    context = {
        "kind": kind,
        "kind_label": KIND_LABELS[kind],
        "target": target,
        "target_author": target_author(target),
        "back": back_url(request, default=(target.post if kind == "comment" else target).get_absolute_url()),
    }
    if target_author(target).pk == request.user.pk:
        context["refused"] = "You can't report yourself or your own posts and comments."
        return _render(request, context, status=400)

    if request.method != "POST":
        existing = report_open_get(reporter=request.user, target=target)
        if existing is not None:
            return _render(request, {**context, "done": True, "report": existing, "repeat": True})
        return _render(request, {**context, "form": ReportForm()})

    form = ReportForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            result = report_create(
                reporter=request.user, target=target,
                reason=form.cleaned_data["reason"], text=form.cleaned_data["text"],
            )
        except ValidationError as exc:
            add_to_form(form, exc)
        except ModerationError as exc:
            add_to_form(form, exc)
            status = exc.status
        else:
            return _render(request, {**context, "done": True, "report": result.report, "repeat": not result.created})
    return _render(request, {**context, "form": form}, status=status)
