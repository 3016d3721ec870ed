"""Shared fixtures: a small region tree, one account per role, signed-in clients."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from wangge.core import services as core_services
from wangge.core.models import User
from wangge.core.roles import Role
from wangge.regions import services as region_services
from wangge.regions.models import AssignmentRole, Region

PASSWORD = "Str0ng!Passw0rd"

# The demo loads a whole community (23,562 residents); tests load a twentieth of it.
os.environ.setdefault("WANGGE_DEMO_SCALE", "0.05")


@dataclass
class Tree:
    district: Region
    street_a: Region
    street_b: Region
    community_a: Region  # in street_a
    community_b: Region  # in street_b
    grid_a1: Region
    grid_a2: Region
    grid_b1: Region
    micro_a1: Region


@pytest.fixture
def tree(db: None) -> Tree:
    create = region_services.region_create
    district = create(actor=None, parent=None, name="测试区", area_code="421202")
    street_a = create(actor=None, parent=district, name="甲街道")
    street_b = create(actor=None, parent=district, name="乙街道")
    community_a = create(actor=None, parent=street_a, name="甲社区", community_code="421202001001")
    community_b = create(actor=None, parent=street_b, name="乙社区")
    grid_a1 = create(
        actor=None,
        parent=community_a,
        name="第一网格",
        grid_code="G-A1",
        declared_households=600,
        declared_population=2100,
    )
    grid_a2 = create(actor=None, parent=community_a, name="第二网格", grid_code="G-A2")
    grid_b1 = create(actor=None, parent=community_b, name="乙第一网格", grid_code="G-B1")
    micro_a1 = create(actor=None, parent=grid_a1, name="福源小区")
    region_services.assignment_create(
        actor=None, region=grid_a1, role=AssignmentRole.GRID_WORKER, name="刘平珍", phone="13871501108"
    )
    region_services.assignment_create(
        actor=None, region=grid_b1, role=AssignmentRole.GRID_WORKER, name="王秀英", phone="15971500001"
    )
    return Tree(district, street_a, street_b, community_a, community_b, grid_a1, grid_a2, grid_b1, micro_a1)


# Which scope each role gets in the fixtures.
ROLE_SCOPE = {
    Role.SYSTEM_ADMIN: "district",
    Role.SECURITY_ADMIN: None,
    Role.AUDITOR: None,
    Role.STREET_SUPERVISOR: "street_a",
    Role.COMMUNITY_STAFF: "community_a",
    Role.GRID_WORKER: "grid_a1",
    Role.DEPARTMENT_HANDLER: "street_a",
    Role.VOLUNTEER: None,
    Role.RESIDENT: None,
}


@pytest.fixture
def make_user(tree: Tree) -> Callable[..., User]:
    counter = {"n": 0}

    def make(role: str, scope: str | None = "default", username: str | None = None, **kwargs: object) -> User:
        counter["n"] += 1
        user = core_services.user_create(
            actor=None,
            username=username or f"{role}{counter['n']}",
            password=PASSWORD,
            roles={role},
            must_change_password=False,
            full_name=f"测试{counter['n']}",
            **kwargs,  # type: ignore[arg-type]
        )
        scope_name = ROLE_SCOPE.get(role) if scope == "default" else scope
        if scope_name:
            region_services.scope_set(actor=None, user=user, regions=[getattr(tree, scope_name)])
        return user

    return make


def sign_in(client: Client, user: User) -> Client:
    """Sign in as the console would: session stamped, second factor passed when required."""
    client.force_login(user)
    session = client.session
    session["wangge_login_at"] = time.time()
    if user.needs_two_factor:
        device = TOTPDevice.objects.filter(user=user).first() or TOTPDevice.objects.create(
            user=user, name="t", confirmed=True
        )
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def client_for(make_user: Callable[..., User]) -> Callable[..., Client]:
    def make(role: str, **kwargs: object) -> Client:
        user = make_user(role, **kwargs)
        client = sign_in(Client(), user)
        client.user = user  # type: ignore[attr-defined]
        return client

    return make


def api_token(user: User, name: str = "test") -> str:
    """A personal API token as the user would make it: with their second factor when they must use one."""
    from binascii import unhexlify

    from django_otp.oath import totp

    code = ""
    if user.needs_two_factor:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="t", confirmed=True
        )
        code = f"{totp(unhexlify(device.key), t0=device.t0, step=device.step, digits=device.digits):06d}"
    _token, raw = core_services.token_issue(actor=None, user=user, name=name, otp_code=code)
    return raw


@pytest.fixture
def restore_migrations() -> Iterator[None]:
    """A test that migrates the test database back and forth leaves it at the latest migrations, whatever happens.

    Migrating back to an app's old migration also unapplies every later migration that depends on it (of
    any app); migrating forward to that test's own target would leave those out for the tests after it.
    """
    yield
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
