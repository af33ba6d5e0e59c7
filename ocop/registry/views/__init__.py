"""Registry pages. Each view checks access through ocop.registry.querysets and calls ocop.registry.actions."""

from ocop.registry.views.evidence import (
    evidence_create,
    evidence_detail,
    evidence_download,
    evidence_edit,
    evidence_list,
)
from ocop.registry.views.photos import photo, photo_delete, photo_thumb, photo_upload
from ocop.registry.views.producers import (
    producer_create,
    producer_detail,
    producer_edit,
    producer_list,
    producer_verify,
)
from ocop.registry.views.products import (
    product_assign_code,
    product_create,
    product_detail,
    product_edit,
    product_list,
)

__all__ = [
    "evidence_create",
    "evidence_detail",
    "evidence_download",
    "evidence_edit",
    "evidence_list",
    "photo",
    "photo_delete",
    "photo_thumb",
    "photo_upload",
    "producer_create",
    "producer_detail",
    "producer_edit",
    "producer_list",
    "producer_verify",
    "product_assign_code",
    "product_create",
    "product_detail",
    "product_edit",
    "product_list",
]
