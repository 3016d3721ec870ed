"""The fields every background job has; each feature's job model extends `Job` and adds its own."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Job(models.Model):
    """A piece of work a worker does in the background for a user.

    The subclass redefines `state` with its choices (a `TextChoices`) and registers its states with
    `wangge.core.jobs.registry.register`.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Times the job was queued again after its worker died mid-way (by the sweep or the owner's restart);
    # a worker keeps the value it started with and writes its result only while it is still the same.
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["-created_at"]
