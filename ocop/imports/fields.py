"""The columns an import understands, and guessing them from a sheet's headers.

One table serves the import (which column holds what), the mapping form (its
labels) and the export (its headers, in the same order), so an exported file
imports back without touching the mapping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ocop.imports.models import ImportKind
from ocop.lib.text import fold


@dataclass(frozen=True)
class Field:
    key: str
    label: str | Promise  # shown on the mapping form
    # The header the export writes. Exported files keep the Vietnamese layout
    # of provincial lists whatever the interface language, so a file looks the
    # same whoever downloaded it.
    header: str
    synonyms: tuple[str, ...] = ()
    required: bool = False


def _f(key: str, label: Promise, header: str, synonyms: str, required: bool = False) -> Field:
    # Synonyms are written as Vietnamese or English headers and folded here, so
    # "Mã số thuế", "MA SO THUE" and "ma so thue" all count.
    words = tuple(norm(s) for s in synonyms.split("|") if s.strip())
    return Field(key, label, header, (norm(header), *words), required)


def norm(text: str) -> str:
    """A header folded for comparison: no marks, no case, punctuation as spaces."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(text)).split())


# --- Fields shared by both kinds: who the producer is and where -----------------------------
_TAX = "mã số thuế|mst|mã số doanh nghiệp|mã số dn|số đkkd|mã số đkkd|số đăng ký kinh doanh|tax code|tax id"
_PRODUCER_NAME = (
    "tên chủ thể|chủ thể|chủ thể ocop|tên chủ thể ocop|tên tổ chức|tên đơn vị|đơn vị|tên cơ sở|cơ sở sản xuất|"
    "tên htx|tên doanh nghiệp|tên chủ thể sản xuất|producer|producer name"
)
_KIND = "loại hình|loại hình chủ thể|loại hình tổ chức|hình thức tổ chức|loại chủ thể|producer type|producer kind|kind"
_COMMUNE = "xã|phường|xã phường|xã phường thị trấn|xã thị trấn|địa bàn xã|commune|ward|commune ward"
_DISTRICT = "huyện|quận huyện|huyện cũ|huyện thị xã thành phố|huyện thị|district|former district"
_PROVINCE = "tỉnh|tỉnh cũ|tỉnh thành phố|tỉnh thành|province|former province"
_CURRENT = "xã phường mới|xã mới|phường mới|xã phường hiện nay|present day commune|current commune"

PRODUCER_FIELDS: tuple[Field, ...] = (
    _f("name", _("Producer name"), "Tên chủ thể", _PRODUCER_NAME + "|name|tên", required=True),
    _f("kind", _("Type of producer"), "Loại hình chủ thể", _KIND + "|type"),
    _f("tax_code", _("Tax code"), "Mã số thuế", _TAX),
    _f("commune", _("Commune (as registered)"), "Xã/phường", _COMMUNE, required=True),
    _f("district", _("District (before July 2025)"), "Huyện (cũ)", _DISTRICT),
    _f("province", _("Province (current or former)"), "Tỉnh", _PROVINCE),
    _f("current_commune", _("Present-day commune"), "Xã/phường hiện nay", _CURRENT),
    _f("street", _("Street address"), "Địa chỉ", "địa chỉ chi tiết|thôn xóm|số nhà đường|address|street"),
    _f("phone", _("Phone"), "Điện thoại", "số điện thoại|sđt|đt|phone|telephone"),
    _f("email", _("E-mail"), "Email", "e-mail|thư điện tử"),
    _f("website", _("Website"), "Website", "trang web|trang thông tin điện tử|web"),
    _f(
        "rep_name",
        _("Legal representative"),
        "Người đại diện",
        "đại diện|người đại diện theo pháp luật|họ tên người đại diện|representative|legal representative",
    ),
    _f("rep_position", _("Representative's position"), "Chức vụ", "chức danh|position"),
    _f("rep_gender", _("Representative's gender"), "Giới tính", "gender"),
    _f("rep_ethnicity", _("Representative's ethnicity"), "Dân tộc", "ethnicity"),
    _f(
        "rep_id_number",
        _("Representative's ID number"),
        "Số CCCD người đại diện",
        "số cccd|cccd|số cmnd|cmnd|căn cước công dân|số căn cước|số định danh|id number",
    ),
    _f("status", _("Status"), "Trạng thái", "tình trạng|status"),
)

PRODUCT_FIELDS: tuple[Field, ...] = (
    _f("producer_tax_code", _("Producer's tax code"), "Mã số thuế", _TAX),
    _f("producer_name", _("Producer name"), "Tên chủ thể", _PRODUCER_NAME),
    _f("producer_kind", _("Type of producer"), "Loại hình chủ thể", _KIND),
    _f("commune", _("Producer's commune"), "Xã/phường", _COMMUNE),
    _f("district", _("District (before July 2025)"), "Huyện (cũ)", _DISTRICT),
    _f("province", _("Province (current or former)"), "Tỉnh", _PROVINCE),
    _f("current_commune", _("Present-day commune"), "Xã/phường hiện nay", _CURRENT),
    _f(
        "name",
        _("Product name"),
        "Tên sản phẩm",
        "sản phẩm|tên sản phẩm ocop|sản phẩm ocop|product|product name|name",
        required=True,
    ),
    _f(
        "product_set",
        _("Product set"),
        "Bộ sản phẩm",
        "bộ sản phẩm ocop|bộ|bộ tiêu chí|số bộ|product set|set",
        required=True,
    ),
    _f("code", _("OCOP product code"), "Mã sản phẩm OCOP", "mã sản phẩm|mã ocop|mã số sản phẩm|product code|ocop code"),
    _f("gtin", _("GTIN (barcode)"), "Mã vạch (GTIN)", "mã vạch|gtin|barcode|ean|mã vạch gtin"),
    _f("description", _("Description"), "Mô tả", "mô tả sản phẩm|description"),
    _f("status", _("Product status"), "Trạng thái sản phẩm", "trạng thái|tình trạng|status|product status"),
    _f("star", _("Stars"), "Hạng sao", "số sao|sao|xếp hạng|hạng|hạng sao ocop|star|stars|rating"),
    _f("score", _("Score"), "Điểm", "tổng điểm|điểm đánh giá|điểm số|score|points"),
    _f(
        "certificate_number",
        _("Certificate number"),
        "Số giấy chứng nhận",
        "số gcn|giấy chứng nhận|số giấy chứng nhận ocop|certificate number|certificate no",
    ),
    _f(
        "decision_number",
        _("Decision number"),
        "Số quyết định",
        "số qđ|quyết định|quyết định công nhận|số quyết định công nhận|decision number|decision",
    ),
    _f("decision_date", _("Decision date"), "Ngày quyết định", "ngày qđ|ngày ban hành quyết định|decision date"),
    _f("issuing_body", _("Issuing body"), "Cơ quan cấp", "cơ quan ban hành|đơn vị cấp|nơi cấp|issuing body|issued by"),
    _f(
        "issued_on",
        _("Issued on"),
        "Ngày cấp",
        "ngày cấp giấy chứng nhận|ngày công nhận|ngày cấp gcn|issued on|issue date|date of issue",
    ),
    _f(
        "expires_on",
        _("Expires on"),
        "Ngày hết hạn",
        "hết hạn|có hiệu lực đến|hiệu lực đến|ngày hết hiệu lực|expires on|expiry date|valid until",
    ),
)

FIELDS: dict[str, tuple[Field, ...]] = {ImportKind.PRODUCERS: PRODUCER_FIELDS, ImportKind.PRODUCTS: PRODUCT_FIELDS}

# Producer columns that identify the producer of a product row; at least one must be mapped.
PRODUCER_REFERENCE = ("producer_tax_code", "producer_name")

# Columns a spreadsheet carries that never map to anything.
_IGNORED = {"stt", "tt", "so tt", "so thu tu", "ghi chu", "no", "note", "notes"}


def fields_for(kind: str) -> tuple[Field, ...]:
    return FIELDS[kind]


def guess_mapping(kind: str, headers: list[str]) -> dict[str, str]:
    """field key → header, guessed from synonyms; each header used at most once.

    An exact synonym beats a header that merely contains one ("Ngày quyết
    định" contains "quyết định" but is the decision date), and a longer
    contained synonym beats a shorter one.
    """
    candidates: list[tuple[int, int, str, str]] = []  # (score, -column, field, header)
    for column, header in enumerate(headers):
        text = norm(header)
        if not text or text in _IGNORED:
            continue
        padded = f" {text} "
        for field in fields_for(kind):
            best = 0
            for synonym in field.synonyms:
                if text == synonym:
                    best = max(best, 1000 + len(synonym))
                elif len(synonym) >= 4 and f" {synonym} " in padded:
                    best = max(best, len(synonym))
            if best:
                candidates.append((best, -column, field.key, header))
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for _score, _column, key, header in sorted(candidates, reverse=True):
        if key in mapping or header in used:
            continue
        mapping[key] = header
        used.add(header)
    return mapping
