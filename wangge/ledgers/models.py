"""Import and export jobs of Excel ledgers (台账), and saved column mappings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.core.jobs.models import Job
from wangge.regions.models import Region


class OnExisting(models.TextChoices):
    UPDATE = "update", _("Update them with the file's values")
    SKIP = "skip", _("Skip them, change nothing")
    STOP = "stop", _("Stop: import nothing if anyone already exists")


class OnInvalid(models.TextChoices):
    STOP = "stop", _("Import nothing while any row has an error")
    SKIP = "skip", _("Import the valid rows, leave out the rows with errors")


class ImportJob(Job):
    class State(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded: check the columns")
        CHECKING = "checking", _("Checking")
        CHECKED = "checked", _("Checked: ready to import")
        QUEUED = "queued", _("Waiting to import")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed: nothing was written")
        CANCELLED = "cancelled", _("Cancelled: nothing was written")

    ACTIVE = (State.CHECKING, State.QUEUED, State.RUNNING)

    kind = models.CharField(max_length=20, default="people")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("import into"))
    file_name = models.CharField(_("file"), max_length=200)
    file_sha256 = models.CharField(max_length=64)
    file_size = models.PositiveIntegerField(default=0)
    sheet = models.CharField(max_length=64, blank=True)
    data_start = models.PositiveIntegerField(default=1)
    labels = models.JSONField(default=list)
    mapping = models.JSONField(default=list)
    samples = models.JSONField(default=list, help_text="the first rows, long numbers masked, for the mapping page")
    on_existing = models.CharField(max_length=8, choices=OnExisting.choices, default=OnExisting.UPDATE)
    on_invalid = models.CharField(max_length=8, choices=OnInvalid.choices, default=OnInvalid.STOP)
    state = models.CharField(max_length=10, choices=State.choices, default=State.UPLOADED, db_index=True)
    counts = models.JSONField(default=dict)
    first_errors = models.JSONField(default=list)
    first_notes = models.JSONField(default=list)  # [row, text]: rows kept with a warning, lines left out
    first_updates = models.JSONField(default=list)  # [row, name, [[field, old, new, weighty]]]: what updates change
    excluded = models.JSONField(default=list)  # rows the user chose not to update, when confirming
    # the user ticked "also import the rows that have only a name" when confirming (else they are left out)
    include_name_only = models.BooleanField(default=False)
    result = models.JSONField(default=dict)
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta(Job.Meta):
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.state})"

    @property
    def invalid(self) -> int:
        return int(self.counts.get("invalid", 0))

    @property
    def existing(self) -> int:
        return int(self.counts.get("update", 0)) + int(self.counts.get("unchanged", 0))

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE


class MappingTemplate(models.Model):
    """A saved column mapping: next month's ledger with the same headers maps itself."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, default="people")
    name = models.CharField(_("template name"), max_length=64)
    mapping = models.JSONField(default=dict, help_text="normalised header → column key")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "kind", "name"], name="mappingtemplate_unique_name")]

    def __str__(self) -> str:
        return self.name


class ExportJob(Job):
    """A large export built in the background; the file is kept for a few days, then removed."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Building the file")
        DONE = "done", _("Ready to download")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=20, default="people")
    query = models.CharField(max_length=2000, blank=True)
    file_name = models.CharField(max_length=200)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    rows = models.PositiveIntegerField(default=0)
    full_values = models.BooleanField(default=False)

    class Meta(Job.Meta):
        pass

    def __str__(self) -> str:
        return self.file_name
