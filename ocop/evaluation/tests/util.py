"""Helpers for the dossier tests: a complete dossier in a few calls, on the real criteria sheets."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.core.files.base import ContentFile

from ocop.certificates.models import Certificate
from ocop.evaluation import actions, sheets
from ocop.evaluation.models import Dossier
from ocop.lib import clock
from ocop.registry.models import Evidence, Producer

FORM01 = {
    "producer_name": "HTX Persona A",
    "representative": "Nguyễn Văn Đại Diện",
    "position": "Giám đốc",
    "address": "Thôn 1, Xã Lục Ngạn, Bắc Ninh",
    "phone": "0912345678",
    "email": "htx@example.vn",
    "product_name": "Vải thiều A",
    "place": "Lục Ngạn",
    "commitment": True,
}
FORM02 = {
    "organisation_type": "Hợp tác xã",
    "address": "Thôn 1, Xã Lục Ngạn, Bắc Ninh",
    "phone": "0912345678",
    "email": "",
    "representative": "Nguyễn Văn Đại Diện",
    "rep_gender": "",
    "rep_ethnicity": "",
    "founded_on": "2015-03-02",
    "registration_number": "",
    "product_description": "Vải thiều tươi, đóng hộp 2 kg, TCCS 01:2024.",
    "has_business_registration": True,
    "quality_declared": True,
    "food_safety_certificate": True,
    "production_certificate": False,
    "ip_trademark": True,
    "ip_collective": False,
    "ip_patent": False,
    "ip_design": False,
    "ip_copyright": False,
    "ip_other": "",
    "history": "Thành lập năm 2015 từ tổ hợp tác trồng vải.",
    "structure": "Ban giám đốc, ban kiểm soát, 25 thành viên.",
    "production": "Vùng trồng 40 ha đạt VietGAP, sơ chế tại nhà xưởng của HTX.",
    "quality_changes": "Bao bì mới, tem truy xuất nguồn gốc.",
    "markets": "Hà Nội, Bắc Ninh, xuất khẩu Nhật Bản.",
    "results": "Doanh thu 12 tỷ đồng, lợi nhuận 1,2 tỷ đồng.",
    "evidence_notes": "",
    "changes_since_recognition": "",
    "plan": "Mở rộng vùng trồng lên 60 ha.",
}


def evidence(producer: Producer, doc_type: str, title: str = "", *, expires_on: dt.date | None = None) -> Evidence:
    content = f"%PDF-1.4\n% {producer.pk} {doc_type} {title}\n".encode()
    doc = Evidence(
        producer=producer,
        doc_type=doc_type,
        title=title or doc_type,
        original_name=f"{doc_type}.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        expires_on=expires_on,
    )
    doc.file.save(f"{doc_type}.pdf", ContentFile(content), save=False)
    doc.save()
    return doc


def best_selections(dossier: Dossier) -> dict[str, str]:
    """The top option of every criterion (a 5★ self-assessment)."""
    sheet = sheets.sheet_for(dossier)
    return {c.code: max(c.options, key=lambda o: o.points).id for c in sheet.criteria}


def lowest_selections(dossier: Dossier) -> dict[str, str]:
    sheet = sheets.sheet_for(dossier)
    return {c.code: min(c.options, key=lambda o: o.points).id for c in sheet.criteria}


def open_draft(world: Any, kind: str = "first") -> Dossier:
    return actions.open_dossier(world.product_a, kind, actor=world.user("producer_a"))


def complete(dossier: Dossier, world: Any, **form02: Any) -> Dossier:
    """Fill both forms, pick the required evidence and self-score every criterion."""
    producer = dossier.producer
    docs = [
        evidence(producer, "business_registration", "Giấy chứng nhận đăng ký HTX"),
        evidence(producer, "food_safety", "Giấy chứng nhận ATTP", expires_on=clock.today() + dt.timedelta(days=400)),
    ]
    actor = world.user("producer_a")
    actions.save_forms(dossier, form01=FORM01, form02={**FORM02, **form02}, evidence=docs, actor=actor)
    actions.save_self_assessment(dossier, best_selections(dossier), actor=actor)
    dossier.refresh_from_db()
    return dossier


def submitted(world: Any) -> Dossier:
    dossier = complete(open_draft(world), world)
    actions.submit(dossier, actor=world.user("producer_a"))
    dossier.refresh_from_db()
    return dossier


def certificate(product: Any, *, star: int = 3, expires_in_days: int = 500) -> Certificate:
    expires = clock.today() + dt.timedelta(days=expires_in_days)
    return Certificate.objects.create(
        product=product,
        star=star,
        number=f"CN-{product.pk}-{star}",
        issued_on=clock.add_months(expires, -36),
        expires_on=expires,
    )


REPORT = {
    "raw_materials": "100% vải thiều trồng tại xã.",
    "local_labour": "25 lao động địa phương, có bảo hiểm.",
    "idea_origin": "Sản phẩm truyền thống của địa phương.",
    "local_identity": "Giống vải thiều Lục Ngạn, kinh nghiệm canh tác lâu đời.",
    "other_remarks": "",
}
