"""Scoped querysets: a read of scoped data that forgot to say whose scope it is fails loudly.

A model whose rows belong to regions uses `ScopedQuerySet.as_manager()` as `objects`. Its
queries raise `ScopeNotApplied` when evaluated unless `.for_user(user)` (the normal path for
anything shown to a person) or `.unscoped(reason)` (services and system jobs that act on rows
they already reached through a scoped read) was called first.
"""

from __future__ import annotations

from typing import Any, Self

from django.db import models


class ScopeNotApplied(RuntimeError):
    pass


class ScopedQuerySet(models.QuerySet):  # type: ignore[type-arg]
    _scope_applied: bool = False

    def _clone(self) -> Self:
        clone = super()._clone()  # type: ignore[misc]
        clone._scope_applied = self._scope_applied
        return clone

    def _check_scope(self) -> None:
        if not self._scope_applied:
            raise ScopeNotApplied(
                f"Query on {self.model.__name__} without a scope: call .for_user(user) or .unscoped(reason)."
            )

    # What a subclass provides: the filter for one user's scope.
    def scope_filter(self, user: Any) -> models.Q:
        raise NotImplementedError

    def for_user(self, user: Any) -> Self:
        clone = self.filter(self.scope_filter(user))
        clone._scope_applied = True
        return clone

    def unscoped(self, reason: str) -> Self:
        assert reason, "say why this read ignores scope"
        clone = self._chain()  # type: ignore[attr-defined]
        clone._scope_applied = True
        return clone

    def _fetch_all(self) -> None:
        if self._result_cache is None:
            self._check_scope()
        super()._fetch_all()

    def count(self) -> int:
        self._check_scope()
        return super().count()

    def exists(self) -> bool:
        self._check_scope()
        return super().exists()

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self._check_scope()
        return super().aggregate(*args, **kwargs)

    def iterator(self, chunk_size: int | None = None) -> Any:
        self._check_scope()
        return super().iterator(chunk_size=chunk_size)

    def update(self, **kwargs: Any) -> int:
        self._check_scope()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        self._check_scope()
        return super().delete()
