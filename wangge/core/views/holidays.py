"""The holiday calendar (official holidays and make-up working days)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.core import holidays
from wangge.core.decorators import capability_required
from wangge.core.forms import validation_text
from wangge.core.models import Holiday, User
from wangge.core.roles import Cap


def _calendar_year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year
    return year if 1990 <= year <= 2100 else timezone.localdate().year


def _calendar_action(request: HttpRequest, actor: User, year: int) -> HttpResponse | None:
    """The page's buttons other than preview: load from the library, import, mark complete, reopen, delete."""
    action = request.POST.get("action")
    back = redirect(f"{request.path}?year={year}")
    if action == "load":
        added = holidays.holidays_load(actor=actor, year=year)
        if added is None:
            messages.error(
                request, _("The holiday library has no data for %(year)s: enter its days here.") % {"year": year}
            )
        else:
            messages.success(request, _("%(count)s day(s) added.") % {"count": added})
        return back
    if action == "import":
        try:
            preview = holidays.holidays_import(
                actor=actor, year=year, text=request.POST.get("text", ""), complete=bool(request.POST.get("complete"))
            )
        except ValidationError as exc:
            messages.error(request, validation_text(exc))
        else:
            messages.success(
                request,
                _("%(year)s imported: %(added)s added, %(changed)s changed, %(removed)s removed.")
                % {
                    "year": year,
                    "added": len(preview.added),
                    "changed": len(preview.changed),
                    "removed": len(preview.removed),
                },
            )
        return back
    if action in ("complete", "reopen"):
        try:
            if action == "complete":
                holidays.holiday_year_complete(actor=actor, year=year)
            else:
                holidays.holiday_year_reopen(actor=actor, year=year)
        except ValidationError as exc:
            messages.error(request, validation_text(exc))
        return back
    if action == "delete":
        holiday = get_object_or_404(Holiday, pk=request.POST.get("holiday", "").strip() or 0)
        holidays.holiday_delete(actor=actor, holiday=holiday)
        messages.success(request, _("Deleted."))
        return redirect(f"{request.path}?year={holiday.date.year}")
    return None


@capability_required(Cap.MANAGE_CALENDAR)
def holidays_view(request: HttpRequest) -> HttpResponse:
    """One year of the calendar: paste the year's notice (preview, then import), mark it complete,
    load it from chinesecalendar, or add, change and delete a single day."""
    year = _calendar_year(request)
    actor = request.user
    assert isinstance(actor, User)
    if request.method == "POST":
        response = _calendar_action(request, actor, year)
        if response is not None:
            return response
    form = holidays.HolidayForm(request.POST if request.POST.get("action") == "set" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            holidays.holiday_set(actor=actor, day=data["date"], kind=data["kind"], name=data["name"])
        except ValidationError as exc:
            form.add_error(None, validation_text(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect(f"{request.path}?year={data['date'].year}")
    previewing = request.method == "POST" and request.POST.get("action") == "preview"
    text = request.POST.get("text", "") if previewing else ""
    context = {
        "year": year,
        "days": Holiday.objects.filter(date__year=year),
        "form": form,
        "missing": holidays.missing_years([year]),
        "complete": year in holidays.complete_years([year]),
        "years": [year - 1, year, year + 1],
        "text": text,
        "preview": holidays.year_preview(year=year, text=text) if previewing else None,
    }
    return render(request, "core/holidays.html", context)
