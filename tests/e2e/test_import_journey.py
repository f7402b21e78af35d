"""Issue 21: a shop owner imports customers from a CSV in the browser (upload, match
columns, check the rows, import, report), follows a running import's progress bar and
stops it; in Thai and in English. Screenshots of each step go to test-artifacts/."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from samphan.accounts.models import Role
from samphan.customers import services
from samphan.customers.imports.jobs import import_job_create, import_job_run
from samphan.customers.models import Customer, ImportJob, ImportMapping
from tests.e2e.conftest import screenshot
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = """ชื่อ-นามสกุล,เบอร์มือถือ,อีเมล,วันเกิด,ไอดี,จังหวัด
นางสาวสมหญิง ใจดี,081-234-5678,somying@example.com,15 ม.ค. 2530,somying.line,เชียงใหม่
นายวิชัย กล้าหาญ,0899999999,wichai@@example.com,31/02/2531,,กรุงเทพมหานคร
คุณแอน,02-123-4567,ann@example.com,1/3/1990,ann99,ภูเก็ต
Somchai Jaidee,0812223333,,23/05/2526,,ขอนแก่น
"""
WORDS = {
    "th": {"next": "ถัดไป: จับคู่คอลัมน์", "check": "ถัดไป: ตรวจสอบแถว", "import": "นำเข้า 4 แถว",
           "done": "นำเข้าเสร็จแล้ว", "stop": "หยุดการนำเข้า", "stopped": "หยุดการนำเข้าแล้ว",
           "bad_date": "ไม่ใช่วันที่"},
    "en": {"next": "Next: match columns", "check": "Next: check the rows", "import": "Import 4 rows",
           "done": "Import finished", "stop": "Stop the import", "stopped": "Import stopped",
           "bad_date": "is not a date"},
}  # fmt: skip


@pytest.mark.parametrize("language", ["th", "en"])
def test_a_shop_owner_imports_customers_from_a_csv(live_server, page: Page, tmp_path, language):
    base = live_server.url
    words = WORDS[language]
    suffix = "" if language == "th" else "-en"
    boss = UserFactory(username="boss", role=Role.MANAGER, password="boss-pass-123",
                       language=language)  # fmt: skip
    services.customer_create(actor=boss, fields={"first_name": "สมชาย", "last_name": "ใจดี"},
                             contact_points=[{"kind": "mobile", "value": "0812223333"}])  # fmt: skip
    file = tmp_path / "ลูกค้าหน้าร้าน.csv"
    file.write_text(CSV, encoding="utf-8")
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "boss")
    page.fill("input[name=password]", "boss-pass-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")

    # 1. From the customer list to the upload.
    page.goto(f"{base}/customers/")
    page.locator(".page-head a[href='/customers/import/']").click()
    page.set_input_files("input[name=file]", str(file))
    page.get_by_role("button", name=words["next"]).click()

    # 2. Match the columns: the proposed fields are chosen; the LINE column is not.
    expect(page.locator("select[name=col_0]")).to_have_value("full_name")
    expect(page.locator("select[name=col_4]")).to_have_value("")
    page.select_option("select[name=col_4]", "line")
    page.check("input[name=policy][value=fill]")
    page.fill("input[name=save_as]", "ไฟล์หน้าร้าน")
    screenshot(page, f"import-mapping{suffix}")
    page.get_by_role("button", name=words["check"]).click()

    # 3. Check: the problems beside their cells, nothing written yet.
    bad = page.locator(".import-cell-bad")
    expect(bad.first).to_be_visible()
    expect(page.locator(".import-preview")).to_contain_text(words["bad_date"])
    expect(page.locator(".import-row-fill")).to_have_count(1)
    assert Customer.objects.count() == 1 and not ImportJob.objects.exists()
    assert ImportMapping.objects.filter(name="ไฟล์หน้าร้าน").exists()
    screenshot(page, f"import-preview{suffix}")

    # 4–5. Import: the worker runs it; the report counts every row.
    page.get_by_role("button", name=words["import"]).click()
    expect(page.locator("#import-progress h2")).to_have_text(words["done"])
    job = ImportJob.objects.get()
    assert (job.created_count, job.updated_count, job.failed_count) == (2, 1, 1)
    failed = page.locator(".import-failed tbody tr")
    expect(failed).to_have_count(1)
    expect(failed).to_contain_text("3")  # its line in the file
    csv = page.request.get(base + (page.locator("a[download]").get_attribute("href") or ""))
    assert csv.status == 200 and "wichai@@example.com" in csv.text()
    screenshot(page, f"import-report{suffix}")
    assert Customer.objects.filter(first_name="สมหญิง", province="เชียงใหม่").exists()

    # A long import in progress: the bar, the estimate, and stopping it.
    big = "ชื่อ,มือถือ\n" + "".join(f"ลูกค้า{i},08{i:08d}\n" for i in range(60))
    running = import_job_create(actor=boss, data=big.encode(), file_name="ลูกค้าทั้งหมด.csv",
                                mapping={0: "first_name", 1: "mobile"}, enqueue=False)  # fmt: skip
    import_job_run(running, batch_size=20, max_batches=1)
    page.goto(f"{base}/customers/import/jobs/{running.pk}/")
    expect(page.locator("progress")).to_have_attribute("value", "33")
    screenshot(page, f"import-progress{suffix}")
    page.get_by_role("button", name=words["stop"]).click()
    expect(page.locator("#import-progress h2")).to_have_text(words["stopped"])
    running.refresh_from_db()
    assert running.status == ImportJob.Status.CANCELLED and running.done_rows == 20

    # The past imports, newest first, with their status.
    page.goto(f"{base}/customers/import/")
    expect(page.locator(".import-history tbody tr")).to_have_count(2)
    screenshot(page, f"import-upload{suffix}")
    assert Path(file).exists()
