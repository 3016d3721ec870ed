"""The residence permit (居住证 / 暂住证) number: imported under its usual headers, stored encrypted, shown masked
on the card, in the export (same column name as the import) and in the API, and changed by a later file."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from tests.conftest import Tree, api_token, sign_in
from tests.ledgers import builders
from wangge.core.models import HistoryEntry, User
from wangge.core.roles import Role
from wangge.ledgers.models import ImportJob
from wangge.people import services as people_services
from wangge.people.models import Person

PERMIT = "420100202400123456"


def _xlsx_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        return book.read("xl/sharedStrings.xml").decode()


@pytest.mark.parametrize("header", ["居住证号", "暂住证号", "居住证编号"])
def test_a_permit_column_imports_encrypted_and_shows_masked_everywhere(
    header: str,
    tree: Tree,
    make_user: Callable[..., User],
    run_import: Callable[..., ImportJob],
    new_id: Callable[..., str],
) -> None:
    worker = make_user(Role.GRID_WORKER)
    rows = [["姓名", "身份证号码", header, "户籍地"], ["王磊", new_id(date(1990, 1, 1), "M"), PERMIT, "河南省信阳市"]]
    job = run_import(worker, tree.grid_a1, builders.xlsx(rows))
    assert job.state == ImportJob.State.DONE, (job.message, job.first_errors)
    person = Person.all_objects.get(name="王磊")
    assert PERMIT not in person.residence_permit_enc and person.residence_permit_masked == "420***********3456"
    assert people_services.reveal_value(person, "residence_permit") == PERMIT

    client = sign_in(Client(), worker)
    card = client.get(f"/people/{person.pk}/").content.decode()
    assert "420***********3456" in card and PERMIT not in card
    exported = _xlsx_text(client.get("/people/export.xlsx").content)
    assert "居住证号" in exported and "420***********3456" in exported and PERMIT not in exported
    api = Client(HTTP_AUTHORIZATION=f"Bearer {api_token(worker)}")
    assert api.get(f"/api/v1/people/{person.pk}").json()["residence_permit_masked"] == "420***********3456"


def test_a_bad_permit_number_is_refused_on_its_row(
    tree: Tree, make_user: Callable[..., User], run_import: Callable[..., ImportJob], new_id: Callable[..., str]
) -> None:
    worker = make_user(Role.GRID_WORKER)
    rows = [["姓名", "身份证号码", "居住证号"], ["王磊", new_id(), "12"]]
    with translation.override("zh-hans"):
        job = run_import(worker, tree.grid_a1, builders.xlsx(rows))
    assert job.state == ImportJob.State.CHECKED and dict(job.first_errors)[2].startswith("居住证号：居住证号不正确")
    assert not Person.all_objects.exists()


def test_a_later_file_changes_the_permit_with_history_and_the_preview_shows_it_masked(
    tree: Tree, make_user: Callable[..., User], run_import: Callable[..., ImportJob], new_id: Callable[..., str]
) -> None:
    worker = make_user(Role.GRID_WORKER)
    number = new_id(date(1990, 1, 1), "M")
    person = people_services.person_create(actor=worker, region=tree.grid_a1, name="王磊", id_number=number)
    rows = [["姓名", "身份证号码", "暂住证号"], ["王磊", number, PERMIT]]
    job = run_import(worker, tree.grid_a1, builders.xlsx(rows), confirm=False)
    assert job.first_updates == [[2, "王磊", [["居住证号", "—", "420***********3456", False]]]]
    again = run_import(worker, tree.grid_a1, builders.xlsx(rows))
    assert again.state == ImportJob.State.DONE and again.result["updated"] == 1
    person.refresh_from_db()
    assert people_services.reveal_value(person, "residence_permit") == PERMIT
    change = HistoryEntry.objects.filter(object_type="people.person", object_id=person.pk, action="update").latest("at")
    assert change.changes["residence_permit"] == ["", "420***********3456"]
    same = run_import(worker, tree.grid_a1, builders.xlsx(rows), confirm=False)
    assert same.counts["unchanged"] == 1


def test_the_service_cleans_the_number_and_refuses_nonsense(tree: Tree) -> None:
    person = people_services.person_create(
        actor=None, region=tree.grid_a1, name="王磊", residence_permit=" 4201 00ab12 "
    )
    assert people_services.reveal_value(person, "residence_permit") == "420100AB12"
    with pytest.raises(ValidationError):
        people_services.person_update(actor=None, person=person, residence_permit="京A·12345")


def test_the_card_shows_the_permit_in_full_only_with_the_permission_a_reason_and_an_audit_row(
    tree: Tree, make_user: Callable[..., User]
) -> None:
    from wangge.core.models import AuditEvent
    from wangge.core.services import user_set_capabilities

    person = people_services.person_create(actor=None, region=tree.grid_a1, name="王磊", residence_permit=PERMIT)
    worker = make_user(Role.GRID_WORKER)
    url = f"/people/{person.pk}/reveal/"
    plain = sign_in(Client(), worker)
    assert plain.post(url, {"field": "residence_permit", "reason": "核对居住证"}).status_code == 403
    user_set_capabilities(actor=make_user(Role.SYSTEM_ADMIN), user=worker, capabilities={"core.reveal_sensitive"})
    revealer = sign_in(Client(), User.objects.get(pk=worker.pk))
    card = revealer.get(f"/people/{person.pk}/").content.decode()
    assert 'data-testid="reveal-residence_permit"' in card and PERMIT not in card
    shown = revealer.post(url, {"field": "residence_permit", "reason": "核对居住证"}, headers={"HX-Request": "true"})
    assert PERMIT in shown.content.decode()
    assert AuditEvent.objects.get(action="reveal.residence_permit").detail.count("核对居住证") == 1
