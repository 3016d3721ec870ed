"""Account administration: the list of accounts and the account form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from wangge.core import selectors, services
from wangge.core.decorators import capability_required
from wangge.core.forms import UserForm, validation_text
from wangge.core.models import User
from wangge.core.roles import Cap


@capability_required(Cap.MANAGE_USERS)
def users_view(request: HttpRequest) -> HttpResponse:
    users = selectors.user_list(actor=request.user)  # type: ignore[arg-type]
    query = request.GET.get("q", "").strip()
    if query:
        users = users.filter(username__icontains=query) | users.filter(full_name__icontains=query)
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "core/users.html", {"page": page, "q": query})


@capability_required(Cap.MANAGE_USERS)
def user_edit_view(request: HttpRequest, user_id: int | None = None) -> HttpResponse:
    actor = request.user
    assert isinstance(actor, User)
    target = selectors.user_get(actor=actor, user_id=user_id) if user_id else None  # type: ignore[arg-type]
    initial = {}
    if target is not None:
        initial = {
            "username": target.username,
            "full_name": target.full_name,
            "phone": target.phone,
            "department": target.department,
            "roles": sorted(target.role_set),
            "capabilities": sorted(target.explicit_capabilities),
            "is_active": target.is_active,
        }
    form = UserForm(request.POST or None, initial=initial)
    if target is not None:
        form.fields["username"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            target = services.user_save(
                actor=actor,
                user=target,
                username=data["username"],
                password=data["password"],
                full_name=data["full_name"],
                phone=data["phone"],
                department=data["department"],
                roles=set(data["roles"]),
                capabilities=set(data["capabilities"]),
                is_active=data["is_active"],
            )
        except ValidationError as exc:
            form.add_error(None, validation_text(exc))
        else:
            messages.success(request, _("Account %(name)s saved.") % {"name": target.username})
            return redirect("core:users")
    return render(request, "core/user_edit.html", {"form": form, "target": target})
