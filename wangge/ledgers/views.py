"""Ledger pages: upload, map and check, confirm and watch, download reports, templates and exports. Thin."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wangge.core.decorators import capability_required
from wangge.core.models import User
from wangge.core.roles import Cap
from wangge.core.xlsx import xlsx_response
from wangge.ledgers import files, reports, services
from wangge.ledgers.forms import OptionsForm, TemplateForm, UploadForm
from wangge.ledgers.models import ExportJob, ImportJob, MappingTemplate
from wangge.ledgers.readers import LedgerError
from wangge.regions.models import Level, Region
from wangge.regions.selectors import regions_visible

RECENT = 20


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _regions(user: User) -> QuerySet[Region]:
    return (
        regions_visible(user=user)
        .filter(level__in=[Level.COMMUNITY, Level.GRID, Level.MICROGRID], is_active=True)
        .order_by("path")
    )


def _templates(user: User) -> QuerySet[MappingTemplate]:
    return MappingTemplate.objects.filter(user=user, kind="people")


def _job(request: HttpRequest, job_id: Any) -> ImportJob:
    """One of the user's own imports; anyone else's answers 404."""
    return get_object_or_404(ImportJob.objects.select_related("region"), pk=job_id, user=_user(request))


@capability_required(Cap.EDIT_REGISTRY)
def imports_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    regions = _regions(user)
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        regions=regions,
        templates=_templates(user),
        initial={"region": regions.first()},
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.import_upload(
                actor=user,
                region=form.cleaned_data["region"],
                file_name=upload.name,
                data=upload.read(),
                template=form.cleaned_data["template"],
            )
        except LedgerError as exc:
            form.add_error("file", str(exc))
        except PermissionDenied:
            form.add_error("region", _("You cannot import into this region."))
        else:
            return redirect("ledgers:import", job.pk)
    jobs = ImportJob.objects.filter(user=user).select_related("region")[:RECENT]
    exports = ExportJob.objects.filter(user=user)[:5]
    return render(
        request, "ledgers/imports.html", {"form": form, "jobs": jobs, "exports": exports, "templates": _templates(user)}
    )


def _field_choices() -> list[tuple[str, str]]:
    schema = services.schema_for("people")
    return [("", _("— not imported —")), *((c.key, c.header) for c in schema.columns)]


def _columns(job: ImportJob) -> list[dict[str, Any]]:
    return [
        {
            "index": index,
            "label": label,
            "key": job.mapping[index] if index < len(job.mapping) else "",
            "samples": [row[index] if index < len(row) else "" for row in job.samples],
        }
        for index, label in enumerate(job.labels)
    ]


@capability_required(Cap.EDIT_REGISTRY)
def import_view(request: HttpRequest, job_id: Any) -> HttpResponse:
    job = _job(request, job_id)
    options = OptionsForm(initial={"on_existing": job.on_existing, "on_invalid": job.on_invalid})
    refusal = services._refusal(job, job.counts) if job.state == ImportJob.State.CHECKED else ""
    context = {
        "job": job,
        "State": ImportJob.State,
        "columns": _columns(job),
        "choices": _field_choices(),
        "options": options,
        "template_form": TemplateForm(),
        "refusal": refusal,
        "progress": files.progress(job.pk),
        "has_report": job.invalid > 0 and job.state in (ImportJob.State.CHECKED, ImportJob.State.DONE),
        "editable": job.state in (ImportJob.State.UPLOADED, ImportJob.State.CHECKED, ImportJob.State.FAILED),
    }
    return render(request, "ledgers/import.html", context)


@capability_required(Cap.EDIT_REGISTRY)
@require_POST
def import_check_view(request: HttpRequest, job_id: Any) -> HttpResponse:
    """Save the mapping and the choices, then check every row."""
    job = _job(request, job_id)
    options = OptionsForm(request.POST)
    mapping = [request.POST.get(f"col-{index}", "") for index in range(len(job.labels))]
    try:
        if not options.is_valid():
            raise LedgerError(_("Choose what to do with existing people and with rows with errors."), code="options")
        services.import_set_mapping(
            actor=_user(request),
            job=job,
            mapping=mapping,
            on_existing=options.cleaned_data["on_existing"],
            on_invalid=options.cleaned_data["on_invalid"],
        )
        services.import_check(actor=_user(request), job=job)
    except LedgerError as exc:
        messages.error(request, str(exc))
    return redirect("ledgers:import", job.pk)


@capability_required(Cap.EDIT_REGISTRY)
@require_POST
def import_confirm_view(request: HttpRequest, job_id: Any) -> HttpResponse:
    job = _job(request, job_id)
    try:
        services.import_confirm(actor=_user(request), job=job)
    except LedgerError as exc:
        messages.error(request, str(exc))
    return redirect("ledgers:import", job.pk)


@capability_required(Cap.EDIT_REGISTRY)
@require_POST
def import_cancel_view(request: HttpRequest, job_id: Any) -> HttpResponse:
    job = _job(request, job_id)
    try:
        services.import_cancel(actor=_user(request), job=job)
    except LedgerError as exc:
        messages.error(request, str(exc))
    else:
        messages.info(request, _("Cancelling: nothing of this file will be written."))
    return redirect("ledgers:import", job.pk)


@capability_required(Cap.EDIT_REGISTRY)
def import_progress_view(request: HttpRequest, job_id: Any) -> HttpResponse:
    """The progress bar, polled by the page; once the job stops, the page reloads itself."""
    job = _job(request, job_id)
    response = render(request, "ledgers/_progress.html", {"job": job, "progress": files.progress(job.pk)})
    if not job.is_active and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@capability_required(Cap.EDIT_REGISTRY)
def import_report_view(request: HttpRequest, job_id: Any) -> HttpResponse:
    job = _job(request, job_id)
    content = services.job_report(job)
    if content is None:
        raise Http404
    stem = job.file_name.rsplit(".", 1)[0]
    return xlsx_response(f"{stem}-错误行.xlsx", content)


@capability_required(Cap.EDIT_REGISTRY)
@require_POST
def import_template_save_view(request: HttpRequest, job_id: Any) -> HttpResponse:
    job = _job(request, job_id)
    form = TemplateForm(request.POST)
    try:
        if not form.is_valid():
            raise LedgerError(_("Give the template a name."), code="template_name")
        template = services.template_save(actor=_user(request), job=job, name=form.cleaned_data["name"])
    except LedgerError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Template “%(name)s” saved.") % {"name": template.name})
    return redirect("ledgers:import", job.pk)


@capability_required(Cap.EDIT_REGISTRY)
def blank_template_view(request: HttpRequest) -> HttpResponse:
    return xlsx_response("人口台账模板.xlsx", reports.blank_template(services.schema_for("people")))


@capability_required(Cap.EXPORT_LISTS)
def export_view(request: HttpRequest, job_id: Any) -> HttpResponse:
    job = get_object_or_404(ExportJob, pk=job_id, user=_user(request))
    if request.GET.get("download") and job.state == ExportJob.State.DONE:
        content = files.load_export(job.pk)
        if content is None:
            raise Http404
        return xlsx_response(job.file_name, content)
    template = "ledgers/_export.html" if request.headers.get("HX-Request") else "ledgers/export.html"
    return render(request, template, {"job": job})
