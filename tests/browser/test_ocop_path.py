"""The whole path of an OCOP product on the demo province, in the browser, each person in their own browser.

The Hồng Xuân cooperative (demo_hongxuan) puts its dried lychee forward for a first evaluation: it adds its
food-safety certificate to its evidence library, fills Mẫu 01 and Mẫu 02, picks its evidence, self-scores
and sees the projected star and what the next star would take, and submits. The officer of its commune
(demo_chu) writes Mẫu 03 and forwards the dossier. The provincial office (demo_bacninh) sets up an extra
round, composes a council of five chaired by demo_council and puts the dossier before it. The five score;
one member's totals are too far from the others', so the chair cannot close until that member files a
correction. The chair closes, the office records the decision and the certificate is issued. The producer
downloads the certificate; its QR code, read from the PDF, opens the public page: valid. 33 months later
the daily jobs have run and the re-evaluation reminder is in the producer's inbox; 36 months and a day
after issue the public page says the certificate has expired.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
from collections.abc import Iterator
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.urls import reverse

from ocop.accounts.models import User
from ocop.certificates.models import Certificate
from ocop.councils.models import Evaluation, Scoring
from ocop.councils.tests.util import council_user, lowered
from ocop.demo import loader, plan
from ocop.evaluation.models import Dossier, DossierStatus
from ocop.geo.models import AdminUnit
from ocop.lib import clock as platform_clock
from ocop.registry.models import Evidence, Product
from ocop.rules.rulebooks import get_rulebook
from ocop.rules.sheets import Sheet
from ocop.testing import PERSONA_PASSWORD
from tests.browser.helpers import log_in, new_page, pdf_file, qr_url_in_pdf, submit

pytestmark = pytest.mark.django_db(transaction=True)

PRODUCT = "Vải thiều sấy khô Hồng Xuân"  # a draft of the demo's lychee cooperative
SELF_SCORE_LOST = 15  # the producer's self-scoring: 85 points, 4★, five points short of 5★
MEMBER_LOST = 15  # chair and three members: 85
OUTLIER_LOST = 28  # the fifth member first: 72, 13 points from the others (10 allowed)
CORRECTED_LOST = 17  # … and after the council's discussion: 83


@pytest.fixture
def demo(reference_data) -> None:
    loader.load()


@pytest.fixture
def person(browser, live_server) -> Iterator:
    """person("demo_chu") → a page logged in as that account in a browser of its own; None → anonymous.

    Each person logs in once and keeps their browser, as people at their own desks do; this also
    keeps a TOTP code from being used twice in the same 30 seconds.
    """
    pages: dict[str | None, object] = {}

    def open_as(username: str | None, password: str = plan.DEMO_PASSWORD):  # type: ignore[no-untyped-def]
        if username not in pages:
            page = new_page(browser, live_server.url)
            if username is not None:
                log_in(page, username, password)
            pages[username] = page
        return pages[username]

    yield open_as
    for page in pages.values():
        page.context.close()  # type: ignore[attr-defined]


def _choose(page, name: str, selections: dict[str, str | None]) -> None:
    """Tick one radio button per criterion: `name` is the prefix of the radio group ("c-", "score-")."""
    for code, option in selections.items():
        page.locator(f'input[type=radio][name="{name}{code}"][value="{option}"]').check()


def _score(page, evaluation: Evaluation, selections: dict[str, str | None]) -> None:
    """A council member finds the dossier on their list, declares no conflict and scores every criterion."""
    page.goto(reverse("councils:round_list"))
    page.locator("#h-todo + ul a", has_text=PRODUCT).click()
    page.wait_for_url(f"**{reverse('councils:score', args=[evaluation.pk])}")
    page.get_by_label("Tôi không có xung đột lợi ích", exact=False).check()
    submit(page, reverse("councils:declare", args=[evaluation.pk]))
    page.wait_for_url(f"**{reverse('councils:score', args=[evaluation.pk])}")
    _choose(page, "score-", selections)
    submit(page, 'textarea[name="comment-1.1"]')
    page.wait_for_url(f"**{evaluation.get_absolute_url()}")


def test_a_product_from_its_dossier_to_an_expired_certificate(demo, person, clock, tmp_path):
    if not shutil.which("pdftoppm") or not shutil.which("zbarimg"):
        pytest.fail("pdftoppm or zbarimg missing: run `make system-deps`")
    today = clock.today()
    product = Product.objects.get(name=PRODUCT)
    bac_ninh = AdminUnit.objects.current().provinces().get(name="Bắc Ninh")
    members = [council_user(None, f"m{i}", province=bac_ninh) for i in range(1, 5)]

    # --- 1. The producer: evidence, product, dossier, self-scoring, submission ---------------------------
    producer = person("demo_hongxuan")
    producer.goto(reverse("registry:evidence_create"))
    producer.set_input_files("#id_file", pdf_file(tmp_path, "attp.pdf"))
    producer.select_option("#id_doc_type", value="food_safety")
    producer.fill("#id_title", "Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm – xưởng sấy")
    producer.fill("#id_issuer", "Sở Nông nghiệp và Môi trường Bắc Ninh")
    producer.fill("#id_issued_on", (today - dt.timedelta(days=30)).isoformat())
    producer.fill("#id_expires_on", (today + dt.timedelta(days=3 * 365)).isoformat())
    producer.get_by_label(PRODUCT).check()
    submit(producer, "#id_doc_type")
    producer.wait_for_url("**/evidence/*/")
    food_safety = Evidence.objects.get(producer=product.producer, doc_type="food_safety")
    registration = Evidence.objects.get(producer=product.producer, doc_type="business_registration")

    # The product was a draft: the producer puts it in production before filing.
    producer.goto(reverse("registry:product_edit", args=[product.pk]))
    producer.select_option("#id_status", value="active")
    submit(producer, "#id_status")
    producer.wait_for_url(f"**{product.get_absolute_url()}")

    producer.goto(reverse("evaluation:dossier_list"))
    producer.get_by_role("link", name="Mở hồ sơ").first.click()
    producer.wait_for_url(f"**{reverse('evaluation:dossier_create')}")
    producer.select_option("#id_product", value=str(product.pk))
    producer.check('input[name="kind"][value="first"]')
    submit(producer, "#id_product")
    producer.wait_for_url("**/dossiers/*/edit/")
    dossier = Dossier.objects.get(product=product)
    sheet: Sheet = get_rulebook(dossier.rulebook).sheet(dossier.sheet)

    # Mẫu 01 and Mẫu 02: what the producer's profile did not fill in already.
    fields = {
        "f01-position": "Giám đốc",
        "f01-place": "Chũ",
        "f02-product_description": "Vải thiều sấy khô nguyên quả, túi 500 g, TCCS 02:2026/HX.",
        "f02-history": "Thành lập năm 2009 từ tổ hợp tác trồng vải Hồng Giang.",
        "f02-structure": "Ban giám đốc, ban kiểm soát, 42 thành viên.",
        "f02-production": "Vải tươi VietGAP của thành viên, sấy lò than hoa tại xưởng của HTX.",
        "f02-quality_changes": "Bao bì mới có tem truy xuất nguồn gốc điện tử.",
        "f02-markets": "Hà Nội, Bắc Ninh, chợ đầu mối Long Biên, sàn thương mại điện tử.",
        "f02-results": "Doanh thu 4,2 tỷ đồng, lợi nhuận 520 triệu đồng.",
        "f02-plan": "Mở rộng xưởng sấy, xuất khẩu sang Trung Quốc.",
    }
    for name, value in fields.items():
        if not producer.locator(f"#id_{name}").input_value():
            producer.fill(f"#id_{name}", value)
    producer.check("#id_f01-commitment")
    for document in (registration, food_safety):
        producer.check(f'input[name="ev-evidence"][value="{document.pk}"]')
    producer.locator("main form button[name=next][value=score]").click()
    producer.wait_for_url(f"**{reverse('evaluation:self_assessment', args=[dossier.pk])}")

    _choose(producer, "c-", lowered(sheet, SELF_SCORE_LOST))
    producer.locator("main form .actions button[type=submit]").click()
    producer.wait_for_load_state()
    projection = producer.locator(".projection")
    assert "85" in projection.locator(".projection-figure").inner_text()
    assert "4★" in projection.locator(".projection-figure").inner_text()
    # The gap to the next star: its heading, the points missing, and a plan of criteria to raise.
    assert "Cần gì để đạt 5★" in projection.inner_text()
    assert projection.locator("ol li").count() >= 1
    dossier.refresh_from_db()
    assert len(dossier.self_assessment) == len(sheet.criteria)

    producer.goto(dossier.get_absolute_url())
    submit(producer, reverse("evaluation:dossier_submit", args=[dossier.pk]))
    producer.wait_for_url(f"**{dossier.get_absolute_url()}")
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUBMITTED
    assert dossier.commune.name == "Phường Chũ"
    assert {e["id"] for e in dossier.versions.get().evidence_hashes} == {registration.pk, food_safety.pk}

    # --- 2. The commune: Mẫu 03 and forwarding -----------------------------------------------------------
    commune = person("demo_chu")
    commune.goto(reverse("evaluation:commune_queue"))
    commune.get_by_role("link", name=dossier.registration_number).click()
    commune.wait_for_url(f"**{dossier.get_absolute_url()}")
    commune.locator(f'a[href="{reverse("evaluation:commune_report", args=[dossier.pk])}"]').click()
    commune.wait_for_url(f"**{reverse('evaluation:commune_report', args=[dossier.pk])}")
    commune.fill("#id_raw_materials", "Vải thiều tươi của các hộ thành viên tại phường, vùng trồng VietGAP 35 ha.")
    commune.fill("#id_local_labour", "18 lao động địa phương, có hợp đồng và bảo hiểm xã hội.")
    commune.fill("#id_idea_origin", "Sản phẩm truyền thống, sấy lò than hoa theo kinh nghiệm của địa phương.")
    commune.fill("#id_local_identity", "Giống vải thiều Lục Ngạn (Thanh Hà), chỉ dẫn địa lý vải thiều Lục Ngạn.")
    submit(commune, reverse("evaluation:commune_report", args=[dossier.pk]))
    commune.wait_for_url(f"**{reverse('evaluation:commune_report', args=[dossier.pk])}")
    commune.check('input[name="decision"][value="forward"]')
    submit(commune, reverse("evaluation:commune_decide", args=[dossier.pk]))
    commune.wait_for_url(f"**{dossier.get_absolute_url()}")
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.FORWARDED

    # --- 3. The provincial office: a round, its council of five, the dossier ------------------------------
    office = person("demo_bacninh")
    office.goto(reverse("councils:round_list"))
    office.get_by_role("link", name="Đợt mới").click()
    office.wait_for_url(f"**{reverse('councils:round_create')}")
    ends_on = today + dt.timedelta(days=60)
    office.fill("#id_year", str(ends_on.year))
    office.fill("#id_number", "3")
    office.fill("#id_proposals_by", (today + dt.timedelta(days=20)).isoformat())
    office.fill("#id_ends_on", ends_on.isoformat())
    office.fill("#id_plan_reference", "Kế hoạch 215/KH-UBND đánh giá bổ sung")
    submit(office, "#id_plan_reference")
    office.wait_for_url("**/rounds/*/council/")
    chair = User.objects.get(username="demo_council")
    office.fill("#id_established_by", "1850/QĐ-UBND")
    office.select_option("#id_chair", value=str(chair.pk))
    office.select_option("#id_secretary", value=str(User.objects.get(username="demo_bacninh").pk))
    for member in members:
        office.check(f'input[name="members"][value="{member.pk}"]')
    submit(office, "#id_chair")
    office.wait_for_url("**/rounds/*/")
    office.check(f'input[name="dossiers"][value="{dossier.pk}"]')
    office.locator("#h-add ~ form button[type=submit]").click()
    office.wait_for_load_state()
    evaluation = Evaluation.objects.get(dossier=dossier)
    assert office.get_by_role("link", name=str(dossier)).count() == 1

    # --- 4. The council: five scorings, one too far from the others ----------------------------------------
    chair_page = person("demo_council")
    _score(chair_page, evaluation, lowered(sheet, MEMBER_LOST))
    for member in members[:3]:
        _score(person(member.username, PERSONA_PASSWORD), evaluation, lowered(sheet, MEMBER_LOST))
    outlier = person(members[3].username, PERSONA_PASSWORD)
    _score(outlier, evaluation, lowered(sheet, OUTLIER_LOST))
    assert sorted(Scoring.objects.filter(evaluation=evaluation).values_list("total", flat=True)) == [
        Decimal(72),
        *[Decimal(85)] * 4,
    ]

    # The chair sees the result blocked and where members disagree; closing is refused.
    chair_page.goto(evaluation.get_absolute_url())
    assert chair_page.locator("table.disagreements td.low").count() >= 1
    assert "13" in chair_page.locator("ul.checks li.bad").inner_text()
    submit(chair_page, reverse("councils:close", args=[evaluation.pk]))
    chair_page.wait_for_load_state()
    assert chair_page.locator("[role=alert]").count() >= 1
    evaluation.refresh_from_db()
    assert not evaluation.is_closed

    # After the discussion the fifth member corrects the scoring, with the reason.
    outlier.goto(evaluation.get_absolute_url())
    outlier.get_by_role("link", name="Điều chỉnh phiếu chấm của tôi").click()
    outlier.wait_for_url(f"**{reverse('councils:correct', args=[evaluation.pk])}")
    _choose(outlier, "score-", lowered(sheet, CORRECTED_LOST))
    outlier.fill("#id_reason", "Sau thảo luận của Hội đồng: đã xem lại phiếu kiểm nghiệm và hồ sơ vùng nguyên liệu.")
    submit(outlier, "#id_reason")
    outlier.wait_for_url(f"**{evaluation.get_absolute_url()}")

    # The chair closes: mean 84.6 points, 4★, awaiting the chairman's decision.
    chair_page.goto(evaluation.get_absolute_url())
    assert chair_page.locator("ul.checks li.bad").count() == 0
    submit(chair_page, reverse("councils:close", args=[evaluation.pk]))
    chair_page.wait_for_url(f"**{evaluation.get_absolute_url()}")
    assert chair_page.locator(".page-head .badge-ok").count() == 1
    evaluation.refresh_from_db()
    assert evaluation.is_closed and evaluation.final_star == 4 and evaluation.average == Decimal("84.60")
    assert "84,6" in chair_page.locator("main").inner_text() or "84.6" in chair_page.locator("main").inner_text()

    # --- 5. The decision and the certificate ------------------------------------------------------------------
    office.goto(evaluation.get_absolute_url())
    office.fill("#id_number", "1932/QĐ-UBND")
    office.fill("#id_signer", "Phó Chủ tịch UBND tỉnh Bắc Ninh")
    submit(office, reverse("councils:decide", args=[evaluation.pk]))
    office.wait_for_url(f"**{evaluation.get_absolute_url()}")
    certificate = Certificate.objects.get(product=product)
    assert (certificate.star, certificate.issued_on) == (4, today)
    assert certificate.expires_on == platform_clock.add_months(today, 36)
    assert office.get_by_role("link", name=f"Giấy chứng nhận {certificate.number}").count() == 1

    # The producer downloads the PDF from the product page; its QR code opens the public page: valid.
    producer.goto(product.get_absolute_url())
    producer.get_by_role("link", name=certificate.number).click()
    producer.wait_for_url(f"**{certificate.get_absolute_url()}")
    href = producer.get_by_role("link", name="Tải giấy chứng nhận (PDF)").get_attribute("href")
    pdf = producer.request.get(href)
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    url = qr_url_in_pdf(pdf.body(), tmp_path)
    assert urlsplit(url).path == reverse("certificates:verify", args=[certificate.verify_token])
    public = person(None)
    public.goto(url)
    assert "còn hiệu lực" in public.locator(".verdict").inner_text().lower()
    assert PRODUCT in public.locator("#h-product").inner_text()

    # --- 6. 33 months later: the daily jobs ran, the reminder is waiting --------------------------------------
    clock.to(platform_clock.add_months(certificate.issued_on, 33))
    call_command("scheduler", "--once", stdout=io.StringIO())  # what cron (or the scheduler's loop) runs daily
    producer.goto(reverse("front:dashboard"))
    assert certificate.number in producer.locator("main").inner_text()  # among the certificates expiring soon
    producer.locator(".nav-inbox").click()
    producer.wait_for_url(f"**{reverse('notifications:inbox')}")
    reminder = producer.locator(".inbox-item", has_text=f"Đánh giá lại {PRODUCT}")
    assert reminder.count() == 1
    reminder.get_by_role("button", name="Mở", exact=True).click()
    producer.wait_for_url(f"**{certificate.get_absolute_url()}")
    assert "Sắp hết hạn" in producer.locator(".status-banner").inner_text()

    # --- 7. 36 months and a day after issue: expired on the public page ---------------------------------------
    clock.to(certificate.expires_on + dt.timedelta(days=1))
    public.goto(url)
    assert "đã hết hạn" in public.locator(".verdict").inner_text().lower()
