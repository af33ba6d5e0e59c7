"""The trade app's part of the demo (called by ocop.demo.loader.load inside its transaction).

An upcoming OCOP trade fair in Bắc Ninh with a few of the province's products registered, and three buyers'
inquiries about the Lục Ngạn lychee of the Hồng Xuân cooperative, one of them answered. Buyers' contacts are
invented (example.vn addresses, made-up numbers). No notification or e-mail is sent.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

FAIR_TITLE = "Hội chợ OCOP và nông sản đặc trưng Bắc Ninh"
LYCHEE = ("HTX Nông nghiệp Hồng Xuân", "Vải thiều Lục Ngạn")
CHICKEN = ("HTX Chăn nuôi và Dịch vụ Đồng Tâm", "Gà đồi Yên Thế")
OTHER_PARTICIPANTS = 3

INQUIRIES: list[dict[str, Any]] = [
    {
        "days_ago": 12,
        "buyer_type": "supermarket",
        "organisation": "Chuỗi siêu thị Sao Việt (demo)",
        "contact_name": "Trần Thu Mua",
        "email": "thumua@saoviet.example.vn",
        "phone": "",
        "quantity": 5,
        "unit": "tonne",
        "destination": "Thành phố Hà Nội",
        "message": "Chúng tôi cần vải thiều tươi đóng hộp 2 kg cho mùa vụ tới, giao tại kho Hà Nội. "
        "Xin báo giá và chứng nhận VietGAP.",
        "answer": "Cảm ơn quý siêu thị. HTX có thể cung cấp 5 tấn vải thiều VietGAP đóng hộp 2 kg từ đầu mùa; "
        "chúng tôi sẽ gửi báo giá và bản sao chứng nhận qua e-mail.",
        "answer_after_hours": 20,
    },
    {
        "days_ago": 5,
        "buyer_type": "exporter",
        "organisation": "Công ty Xuất nhập khẩu Nông sản Phương Nam (demo)",
        "contact_name": "Nguyễn Minh Xuất",
        "email": "xuatkhau@phuongnam.example.vn",
        "phone": "02990001111",
        "quantity": 20,
        "unit": "tonne",
        "destination": None,
        "message": "Chúng tôi tìm nguồn vải thiều đạt chuẩn xuất khẩu sang Nhật Bản. HTX có mã số vùng trồng chưa?",
    },
    {
        "days_ago": 2,
        "buyer_type": "sales_point",
        "organisation": "Điểm bán OCOP Hoàn Kiếm (demo)",
        "contact_name": "Lê Thị Bán",
        "email": "",
        "phone": "02990002222",
        "quantity": 200,
        "unit": "box",
        "destination": "Thành phố Hà Nội",
        "message": "Điểm bán muốn nhập vải thiều sấy khô đóng hộp để bán quanh năm.",
    },
]


def _products(today: dt.date) -> tuple[Any, Any, list[Any]]:
    from ocop.catalogue.querysets import public_products
    from ocop.registry.models import Product

    def named(pair: tuple[str, str]) -> Any:
        return Product.objects.filter(producer__name=pair[0], name=pair[1]).select_related("producer").first()

    lychee, chicken = named(LYCHEE), named(CHICKEN)
    others = list(
        public_products(today)
        .filter(province__name="Bắc Ninh", best_star__isnull=False)
        .exclude(pk__in=[p.pk for p in (lychee, chicken) if p is not None])
        .order_by("-best_star", "name")[:OTHER_PARTICIPANTS]
    )
    return lychee, chicken, others


def _fair(today: dt.date, created: dict[str, int]) -> Any:
    from ocop.accounts.models import User
    from ocop.geo.models import AdminUnit
    from ocop.trade.models import EventKind, EventStatus, TradeEvent

    event = TradeEvent.objects.filter(title=FAIR_TITLE).first()
    if event is not None:
        return event
    bac_ninh = AdminUnit.objects.current().provinces().get(name="Bắc Ninh")
    event = TradeEvent.objects.create(
        title=FAIR_TITLE,
        kind=EventKind.TRADE_FAIR,
        province=bac_ninh,
        venue="Quảng trường 3/2, phường Bắc Giang",
        starts_on=today + dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=34),
        registration_deadline=today + dt.timedelta(days=20),
        description="Năm ngày giới thiệu và kết nối tiêu thụ sản phẩm OCOP của tỉnh Bắc Ninh với các nhà phân phối, "
        "siêu thị và doanh nghiệp xuất khẩu.",
        status=EventStatus.PUBLISHED,
        published_at=timezone.now(),
        created_by=User.objects.filter(username="demo_bacninh").first(),
    )
    created["trade_events"] = created.get("trade_events", 0) + 1
    return event


def _registrations(event: Any, products: list[Any], created: dict[str, int]) -> None:
    from ocop.accounts.models import User
    from ocop.trade.models import Registration, RegistrationStatus

    office = User.objects.filter(username="demo_bacninh").first()
    for index, product in enumerate(products):
        if Registration.objects.filter(event=event, product=product).exists():
            continue
        # The last one still waits for the office's decision.
        accepted = index < len(products) - 1
        Registration.objects.create(
            event=event,
            product=product,
            status=RegistrationStatus.ACCEPTED if accepted else RegistrationStatus.PENDING,
            decided_by=office if accepted else None,
            decided_at=timezone.now() if accepted else None,
        )
        created["trade_registrations"] = created.get("trade_registrations", 0) + 1


def _inquiries(lychee: Any, today: dt.date, created: dict[str, int]) -> None:
    from ocop.accounts.models import User
    from ocop.geo.models import AdminUnit
    from ocop.trade.models import Inquiry, InquiryStatus, Reply

    provinces = {u.name: u for u in AdminUnit.objects.current().provinces()}
    answerer = User.objects.filter(username="demo_hongxuan").first()
    noon = dt.time(10, 30)
    for spec in INQUIRIES:
        contact = {"email": spec["email"], "phone": spec["phone"]}
        if Inquiry.objects.filter(product=lychee, contact_name=spec["contact_name"], **contact).exists():
            continue
        at = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=spec["days_ago"]), noon))
        answered = at + dt.timedelta(hours=spec["answer_after_hours"]) if "answer" in spec else None
        inquiry = Inquiry.objects.create(
            product=lychee,
            buyer_type=spec["buyer_type"],
            organisation=spec["organisation"],
            contact_name=spec["contact_name"],
            quantity=spec["quantity"],
            unit=spec["unit"],
            destination=provinces.get(spec["destination"]) if spec["destination"] else None,
            message=spec["message"],
            status=InquiryStatus.ANSWERED if answered else InquiryStatus.NEW,
            created_at=at,
            first_answered_at=answered,
            last_activity_at=answered or at,
            **contact,
        )
        if answered:
            Reply.objects.create(
                inquiry=inquiry, author=answerer, body=spec["answer"], created_at=answered, emailed_at=answered
            )
        created["trade_inquiries"] = created.get("trade_inquiries", 0) + 1


def load(*, created: dict[str, int], today: dt.date) -> None:
    """Idempotent: creates what is missing, counts new rows in `created`."""
    lychee, chicken, others = _products(today)
    if lychee is None:
        return
    event = _fair(today, created)
    _registrations(event, [p for p in (lychee, chicken, *others) if p is not None], created)
    _inquiries(lychee, today, created)
