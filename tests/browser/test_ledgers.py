"""Importing a ledger in a real browser: upload, fix the mapping, read the preview, confirm, watch, find.

The task queue is replaced by a list: the test plays the worker, so the page is seen waiting with
its progress bar and then updating itself when the work is done, as it does with a real worker.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import region_id
from tests.ledgers import builders

pytestmark = pytest.mark.browser


@pytest.fixture
def queue(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    from wangge.ledgers import services

    queued: list[tuple[str, str]] = []
    monkeypatch.setattr(services, "_enqueue", lambda what, job_id: queued.append((what, job_id)))
    return queued


def _work(queue: list[tuple[str, str]]) -> None:
    """What the worker would do with the queued tasks."""
    from wangge.ledgers import services

    while queue:
        what, job_id = queue.pop(0)
        (services.run_check if what == "check" else services.run_import)(job_id)


def _upload(page: Page, demo: str, ledger: Path) -> None:
    """The ledger page's upload form: the file into 第八网格."""
    page.goto(f"{demo}/ledgers/")
    form = page.locator("form[data-testid=upload-form]")
    form.locator("select[name=region]").select_option(str(region_id("第八网格")))
    form.locator("input[name=file]").set_input_files(str(ledger))
    form.locator("button[type=submit]").click()


def test_import_a_ledger_and_find_the_people(
    page: Page, sign_in: Callable[..., None], demo: str, queue: list[tuple[str, str]], tmp_path: Path
) -> None:
    from wangge.core.idcard import check_char

    first = "42120219470815003"
    second = "42120219520101004"
    rows = [
        ["居民", "身份证号码", "联系电话", "与户主关系", "户号"],
        ["导入甲", first + check_char(first), "13871509999", "户主", "DR-1"],
        ["导入乙", second + check_char(second), "", "配偶", "DR-1"],
    ]
    ledger = tmp_path / "第八网格新增人口.xlsx"
    ledger.write_bytes(builders.xlsx(rows, title="第八网格新增人口台账"))

    sign_in(page, "grid8")
    _upload(page, demo, ledger)

    # the mapping: 居民 was not recognised; the user says it is the name
    mapping = page.locator("form[data-testid=mapping]")
    expect(mapping).to_be_visible()
    expect(mapping.locator("select[name=col-0]")).to_have_value("")
    expect(mapping.locator("select[name=col-1]")).to_have_value("id_number")
    mapping.locator("select[name=col-0]").select_option("name")
    page.locator("[data-testid=check]").click()

    # checking in the background: the page shows its progress and updates itself
    expect(page.locator("[data-testid=progress]")).to_be_visible()
    _work(queue)
    preview = page.locator("[data-testid=preview]")
    expect(preview).to_be_visible(timeout=10_000)
    expect(page.locator("[data-testid=count-new] .fs-3")).to_have_text("2")
    expect(page.locator("[data-testid=count-invalid] .fs-3")).to_have_text("0")

    page.locator("[data-testid=confirm]").click()
    expect(page.locator("[data-testid=progress]")).to_be_visible()
    _work(queue)
    expect(page.locator("[data-testid=result]")).to_be_visible(timeout=10_000)

    page.locator("[data-testid=done-link]").click()
    expect(page.locator("[data-testid=people]")).to_contain_text("导入甲")
    expect(page.locator("[data-testid=people]")).to_contain_text("导入乙")

    from wangge.people.models import Person

    head = Person.all_objects.get(name="导入甲")
    assert head.birth_date == date(1947, 8, 15) and head.identity_color == "red"
    assert head.source_state == "entered"


def test_the_rows_with_errors_download_as_a_report_built_on_the_first_click(
    page: Page, sign_in: Callable[..., None], demo: str, queue: list[tuple[str, str]], tmp_path: Path
) -> None:
    import io
    import os

    import python_calamine

    from wangge.core.idcard import check_char
    from wangge.core.jobs import files
    from wangge.ledgers.models import ImportJob

    good = "42120219610203005"
    bad = "42120219620304006"
    wrong = "0" if check_char(bad) != "0" else "1"  # a typo in the check digit
    rows = [
        ["姓名", "身份证号码", "联系电话"],
        ["对的人", good + check_char(good), "13871508888"],
        ["错号人", bad + wrong, ""],
    ]
    ledger = tmp_path / "第八网格核对.xlsx"
    ledger.write_bytes(builders.xlsx(rows))

    sign_in(page, "grid8")
    _upload(page, demo, ledger)
    expect(page.locator("form[data-testid=mapping]")).to_be_visible()
    page.locator("[data-testid=check]").click()
    _work(queue)
    expect(page.locator("[data-testid=preview]")).to_be_visible(timeout=10_000)
    expect(page.locator("[data-testid=count-invalid] .fs-3")).to_have_text("1")
    errors = page.locator("[data-testid=errors] tbody tr")
    expect(errors).to_have_count(1)
    expect(errors.first.locator("td").first).to_have_text("3")  # the row number, as the sheet shows it
    expect(errors.first).to_contain_text("证件号码")
    folder = os.environ.get("WANGGE_SHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / "ledger-preview-with-errors.png"), full_page=True)

    job = ImportJob.objects.get(file_name=ledger.name)
    assert files.load(job.pk, "report") is None  # not built by the check
    with page.expect_download() as download:
        page.locator("[data-testid=report]").click()
    report = Path(download.value.path()).read_bytes()
    sheet = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(report)).get_sheet_by_index(0).to_python()
    assert [row[0] for row in sheet[1:]] == ["错号人"] and "证件号码" in sheet[1][-1]
    assert download.value.suggested_filename == "第八网格核对-错误行.xlsx"
    assert files.load(job.pk, "report") is not None  # kept for the next download
