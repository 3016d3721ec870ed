"""Ledger pages: upload, map and check, confirm and watch, download reports, templates and exports. Thin.

Every kind of ledger (wangge.ledgers.kinds) goes through the same pages; the kind says who may use them.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.forms import ChoiceField
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from wangge.core.audit import audit_record
from wangge.core.decorators import capability_required
from wangge.core.jobs import files
from wangge.core.jobs.heartbeat import is_interrupted
from wangge.core.jobs.services import JobError, job_restart
from wangge.core.models import User
from wangge.core.roles import Cap
from wangge.core.xlsx import xlsx_response
from wangge.ledgers import reports, services
from wangge.ledgers.forms import OptionsForm, TemplateForm, UploadForm
from wangge.ledgers.kinds import LedgerKind, UnknownKindError, front_kind, kind_for
from wangge.ledgers.models import ExportJob, ImportJob, MappingTemplate, OnExisting
from wangge.ledgers.readers import LedgerError

RECENT = 20
JobView = Callable[[HttpRequest, ImportJob, LedgerKind], HttpResponse]


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _kind(request: HttpRequest, key: str) -> LedgerKind:
    """The kind named in the URL (404 if there is none), if the user may import it (else 403)."""
    try:
        kind = kind_for(key)
    except UnknownKindError:
        raise Http404 from None
    if not kind.may_import(_user(request)):
        raise PermissionDenied
    return kind


def _templates(user: User, kind: LedgerKind) -> QuerySet[MappingTemplate]:
    return MappingTemplate.objects.filter(user=user, kind=kind.key)


def _job_view(*, post: bool = False) -> Callable[[JobView], Callable[..., HttpResponse]]:
    """A page of one import: signed in; a kind the user may import (else 403); POST only if `post` (else 405);
    the user's own import (anyone else's answers 404)."""

    def decorator(view: JobView) -> Callable[..., HttpResponse]:
        @login_required
        @functools.wraps(view)
        def wrapper(request: HttpRequest, job_id: Any) -> HttpResponse:
            job = ImportJob.objects.select_related("region").filter(pk=job_id).first()
            if job is None:
                raise Http404
            kind = _kind(request, job.kind)
            if post and request.method != "POST":
                return HttpResponseNotAllowed(["POST"])
            if job.user_id != _user(request).pk:
                raise Http404
            return view(request, job, kind)

        return wrapper

    return decorator


@login_required
def imports_view(request: HttpRequest, kind: str = "") -> HttpResponse:
    user = _user(request)
    ledger = _kind(request, kind or front_kind().key)
    regions = ledger.regions(user)
    chosen = request.GET.get("region", "")
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        regions=regions,
        templates=_templates(user, ledger),
        initial={
            "region": (regions.filter(pk=chosen).first() if chosen.isascii() and chosen.isdigit() else None)
            or regions.first()
        },
    )
    form.fields["region"].help_text = ledger.upload_help
    form.fields["file"].widget.attrs["accept"] = ledger.accept
    if ledger.file_help:
        form.fields["file"].help_text = ledger.file_help
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.import_upload(
                actor=user,
                region=form.cleaned_data["region"],
                file_name=upload.name,
                data=upload.read(),
                kind=ledger.key,
                template=form.cleaned_data["template"],
            )
        except LedgerError as exc:
            form.add_error("file", str(exc))
        except PermissionDenied:
            form.add_error("region", _("You cannot import into this region."))
        else:
            return redirect("ledgers:import", job.pk)
    jobs = ImportJob.objects.filter(user=user, kind=ledger.key).select_related("region")[:RECENT]
    # the user's large exports are listed on the pages' front (where the people import is)
    exports = ExportJob.objects.filter(user=user)[:5] if ledger.front else ExportJob.objects.none()
    context = {
        "kind": ledger,
        "form": form,
        "jobs": jobs,
        "interrupted_ids": {job.pk for job in jobs if job.is_active and is_interrupted(job)},
        "exports": exports,
        "templates": _templates(user, ledger),
        "template_url": reverse("ledgers:template")
        if ledger.front
        else reverse("ledgers:kind_template", args=[ledger.key]),
    }
    return render(request, "ledgers/imports.html", context)


def _field_choices(kind: LedgerKind) -> list[tuple[str, str]]:
    schema = kind.schema()
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


@_job_view()
def import_view(request: HttpRequest, job: ImportJob, kind: LedgerKind) -> HttpResponse:
    options = OptionsForm(initial={"on_existing": job.on_existing, "on_invalid": job.on_invalid})
    existing = options.fields["on_existing"]
    assert isinstance(existing, ChoiceField)
    existing.label = kind.existing_label
    if kind.existing_stop_label:
        existing.choices = [
            (value, kind.existing_stop_label if value == OnExisting.STOP else label)
            for value, label in OnExisting.choices
        ]
    refusal = services._refusal(job, job.counts) if job.state == ImportJob.State.CHECKED else ""
    interrupted = is_interrupted(job)
    context = {
        "job": job,
        "interrupted": interrupted,
        "interrupted_ids": {job.pk} if interrupted else set(),
        "kind": kind,
        "result": [(job.result.get(item.key, 0), item.label) for item in kind.result_items],
        "done_link": kind.done_link(job) if job.state == ImportJob.State.DONE else None,
        "done_extra": kind.done_extra(job) if job.state == ImportJob.State.DONE else None,
        "imports_url": _imports_url(kind),
        "State": ImportJob.State,
        "columns": _columns(job),
        "choices": _field_choices(kind),
        "options": options,
        "template_form": TemplateForm(),
        "refusal": refusal,
        "earlier": services.earlier_import(job),
        "progress": files.progress(job.pk),
        "has_report": job.invalid > 0 and job.state in (ImportJob.State.CHECKED, ImportJob.State.DONE),
        "editable": job.state in (ImportJob.State.UPLOADED, ImportJob.State.CHECKED, ImportJob.State.FAILED),
    }
    return render(request, "ledgers/import.html", context)


@_job_view(post=True)
def import_check_view(request: HttpRequest, job: ImportJob, kind: LedgerKind) -> HttpResponse:
    """Save the mapping and the choices, then check every row."""
    options = OptionsForm(request.POST)
    mapping = [request.POST.get(f"col-{index}", "") for index in range(len(job.labels))]
    try:
        if not options.is_valid():
            raise LedgerError(
                _("Choose what to do with rows that already exist and with rows with errors."), code="options"
            )
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


@_job_view(post=True)
def import_confirm_view(request: HttpRequest, job: ImportJob, kind: LedgerKind) -> HttpResponse:
    try:
        exclude = [int(n) for n in request.POST.getlist("exclude") if n.isascii() and n.isdigit()]
        services.import_confirm(
            actor=_user(request),
            job=job,
            exclude=exclude,
            include_name_only=request.POST.get("include_name_only") == "on",
        )
    except LedgerError as exc:
        messages.error(request, str(exc))
    return redirect("ledgers:import", job.pk)


@_job_view(post=True)
def import_cancel_view(request: HttpRequest, job: ImportJob, kind: LedgerKind) -> HttpResponse:
    try:
        services.import_cancel(actor=_user(request), job=job)
    except LedgerError as exc:
        messages.error(request, str(exc))
    else:
        messages.info(request, _("Cancelling: nothing of this file will be written."))
    return redirect("ledgers:import", job.pk)


@_job_view(post=True)
def import_restart_view(request: HttpRequest, job: ImportJob, kind: LedgerKind) -> HttpResponse:
    kind.check_access(_user(request), job.region)  # still allowed to import there (a scope may have changed)
    try:
        job_restart(actor=_user(request), job=job)
    except JobError as exc:
        messages.error(request, str(exc))
    else:
        messages.info(request, _("Started again: nothing had been written, so the whole file is done once more."))
    return redirect("ledgers:import", job.pk)


@_job_view()
def import_progress_view(request: HttpRequest, job: ImportJob, kind: LedgerKind) -> HttpResponse:
    """The progress bar, polled by the page; once the job stops, or its worker did, the page reloads itself."""
    response = render(request, "ledgers/_progress.html", {"job": job, "progress": files.progress(job.pk)})
    if (not job.is_active or is_interrupted(job)) and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@_job_view()
def import_report_view(request: HttpRequest, job: ImportJob, kind: LedgerKind) -> HttpResponse:
    content = services.job_report(job)
    if content is None:
        raise Http404
    stem = job.file_name.rsplit(".", 1)[0]
    return xlsx_response(f"{stem}-错误行.xlsx", content)


@_job_view()
def import_slips_view(request: HttpRequest, job: ImportJob, kind: LedgerKind) -> HttpResponse:
    """What the import hands over once (new accounts' one-time passwords), on a page to print; gone once shown."""
    stored = files.take(job.pk, "slips")
    slips = json.loads(stored) if stored is not None else None
    if slips is not None:
        with transaction.atomic():
            audit_record(actor=_user(request), action="ledger.slips", obj=job, detail={"slips": len(slips)})
    context = {"job": job, "slips": slips, "login_url": request.build_absolute_uri(reverse("core:login"))}
    response = render(request, "ledgers/slips.html", context)
    response["Cache-Control"] = "no-store"
    return response


@_job_view(post=True)
def import_template_save_view(request: HttpRequest, job: ImportJob, kind: LedgerKind) -> HttpResponse:
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


@login_required
def blank_template_view(request: HttpRequest, kind: str = "") -> HttpResponse:
    schema = _kind(request, kind or front_kind().key).schema()
    return xlsx_response(f"{schema.title}模板.xlsx", reports.blank_template(schema))


def _imports_url(kind: LedgerKind) -> str:
    return reverse("ledgers:imports") if kind.front else reverse("ledgers:kind_imports", args=[kind.key])


@capability_required(Cap.EXPORT_LISTS)
def export_view(request: HttpRequest, job_id: Any) -> HttpResponse:
    job = get_object_or_404(ExportJob, pk=job_id, user=_user(request))
    if request.GET.get("download") and job.state == ExportJob.State.DONE:
        content = files.load(job.pk, "export")
        if content is None:
            raise Http404
        return xlsx_response(job.file_name, content)
    template = "ledgers/_export.html" if request.headers.get("HX-Request") else "ledgers/export.html"
    context = {"job": job, "progress": files.progress(job.pk), "interrupted": is_interrupted(job)}
    return render(request, template, context)


@capability_required(Cap.EXPORT_LISTS)
def export_restart_view(request: HttpRequest, job_id: Any) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    job = get_object_or_404(ExportJob, pk=job_id, user=_user(request))
    try:
        job_restart(actor=_user(request), job=job)
    except JobError as exc:
        messages.error(request, str(exc))
    return redirect("ledgers:export", job.pk)
