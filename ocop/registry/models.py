"""The registry: producers (chủ thể OCOP), their products and evidence library."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ocop.lib import clock
from ocop.lib.text import fold
from ocop.registry.querysets import EvidenceQuerySet as _ScopedEvidenceQuerySet
from ocop.registry.querysets import ProducerQuerySet, ProductPhotoQuerySet, ProductQuerySet
from ocop.registry.validators import validate_gtin, validate_tax_code


# --- Taxonomy (QĐ 26/2026 Phụ lục I), loaded from data, never typed in code ----------
class ProductCategory(models.Model):
    """Sản phẩm: the six top-level kinds (food, drinks, herbal, crafts, ornamental, tourism)."""

    rulebook = models.CharField(max_length=30, default="qd-26-2026")
    number = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=10)  # roman numeral as printed: I … VI
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["rulebook", "number"]
        constraints = [models.UniqueConstraint(fields=["rulebook", "number"], name="category_unique_number")]
        verbose_name = _("product category")

    def __str__(self) -> str:
        return self.name


class ProductGroup(models.Model):
    """Nhóm: 17 groups under the six categories."""

    category = models.ForeignKey(ProductCategory, on_delete=models.PROTECT, related_name="groups")
    number = models.PositiveSmallIntegerField()  # as printed inside its category
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["category__number", "number"]
        constraints = [models.UniqueConstraint(fields=["category", "number"], name="group_unique_number")]
        verbose_name = _("product group")

    def __str__(self) -> str:
        return self.name


class ProductSet(models.Model):
    """Bộ sản phẩm: 26 sets, each scored on its own criteria sheet (Phụ lục II)."""

    group = models.ForeignKey(ProductGroup, on_delete=models.PROTECT, related_name="sets")
    number = models.PositiveSmallIntegerField()  # sheet number 1 … 26 in Phụ lục II
    name = models.CharField(_("name"), max_length=250)
    name_en = models.CharField(max_length=250, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["group", "number"], name="set_unique_number")]
        verbose_name = _("product set")

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"

    @property
    def category(self) -> ProductCategory:
        return self.group.category


# --- Producers -------------------------------------------------------------------------
class ProducerKind(models.TextChoices):
    # QĐ 26/2026 Điều 2.3
    COOPERATIVE = "cooperative", _("Cooperative (HTX)")
    COOPERATIVE_GROUP = "coop_group", _("Cooperative group (THT)")
    ENTERPRISE = "enterprise", _("Small or medium enterprise")
    FARM = "farm", _("Farm")
    PRODUCTION_HOUSEHOLD = "household", _("Production household")
    REGISTERED_HOUSEHOLD = "registered_household", _("Household with business registration")
    # Tourism products only.
    ASSOCIATION = "association", _("Association or equivalent organisation (tourism)")


class ProducerStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting verification")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")


class Producer(models.Model):
    name = models.CharField(_("name"), max_length=250)
    kind = models.CharField(_("type of producer"), max_length=30, choices=ProducerKind.choices)
    tax_code = models.CharField(
        _("tax code / business registration number"),
        max_length=14,
        blank=True,
        validators=[validate_tax_code],
        help_text=_(
            "10 digits (or 10 digits and a 3-digit branch suffix), or the 12-digit personal ID of a household business."
        ),
    )
    registration_number = models.CharField(_("registration certificate number"), max_length=50, blank=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)

    # The address as entered: the unit the record was made under, which may be
    # a legacy commune, and the present-day commune that now holds it.
    commune = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("commune (as registered)")
    )
    current_commune = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("present-day commune"),
    )
    # Present-day province: the scope key for provincial offices, kept on the
    # row so that a province's queryset is one indexed filter.
    province = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("province"), editable=False
    )
    street = models.CharField(_("street address"), max_length=250, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    members_count = models.PositiveIntegerField(_("members"), null=True, blank=True)
    workers_count = models.PositiveIntegerField(_("workers"), null=True, blank=True)

    # Legal representative: personal data (Law 91/2025), never shown publicly.
    rep_name = models.CharField(_("legal representative"), max_length=150, blank=True)
    rep_position = models.CharField(_("position"), max_length=100, blank=True)
    rep_gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    rep_ethnicity = models.CharField(_("ethnicity"), max_length=50, blank=True)
    rep_id_number = models.CharField(_("ID number"), max_length=12, blank=True)

    status = models.CharField(
        _("status"), max_length=20, choices=ProducerStatus.choices, default=ProducerStatus.PENDING
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status_note = models.CharField(_("note on status"), max_length=500, blank=True)

    folded_name = models.CharField(max_length=250, editable=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProducerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("producer")
        verbose_name_plural = _("producers")
        indexes = [models.Index(fields=["province", "status"]), models.Index(fields=["tax_code"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:producer_detail", args=[self.pk])

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.folded_name = fold(self.name)
        self.province_id = self.commune.successor_province_id
        # A record made under the present-day map is looked after by the
        # commune it names; a legacy record keeps whatever present-day commune
        # an office has set (none of the maps says which one it became).
        if self.commune.is_current:
            self.current_commune_id = self.commune_id
        super().save(*args, **kwargs)

    @property
    def is_verified(self) -> bool:
        return self.status == ProducerStatus.VERIFIED

    @property
    def scope_commune_id(self) -> int | None:
        """The present-day commune whose officer looks after this producer."""
        return self.current_commune_id


# --- Products ----------------------------------------------------------------------------
class ProductStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    DISCONTINUED = "discontinued", _("Discontinued")


class Product(models.Model):
    producer = models.ForeignKey(
        Producer, on_delete=models.PROTECT, related_name="products", verbose_name=_("producer")
    )
    name = models.CharField(_("product name"), max_length=250)
    product_set = models.ForeignKey(
        ProductSet, on_delete=models.PROTECT, related_name="products", verbose_name=_("product set (bộ sản phẩm)")
    )
    # (T)-(X)-(STT)-(year), QĐ 26/2026: assigned at evaluation or imported.
    code = models.CharField(_("OCOP product code"), max_length=40, null=True, blank=True, unique=True)
    gtin = models.CharField(_("GTIN (barcode)"), max_length=14, blank=True, validators=[validate_gtin])
    description = models.TextField(_("description"), blank=True)
    story = models.TextField(_("product story"), blank=True)
    specifications = models.TextField(_("specifications"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ProductStatus.choices, default=ProductStatus.DRAFT)
    # Denormalised scope keys (copied from the producer) so querysets filter on
    # one table.
    province = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+", editable=False)
    current_commune = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, related_name="+", null=True, editable=False
    )
    folded_name = models.CharField(max_length=250, editable=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        indexes = [models.Index(fields=["province", "status"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:product_detail", args=[self.pk])

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.folded_name = fold(self.name)
        self.province_id = self.producer.province_id
        self.current_commune_id = self.producer.current_commune_id
        super().save(*args, **kwargs)


class ProductCodeSerial(models.Model):
    """The serial (STT) a commune keeps for product codes, per evaluation year."""

    commune = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["commune", "year"], name="serial_unique_commune_year")]


def photo_path(instance: ProductPhoto, filename: str) -> str:
    return f"photos/{instance.product_id}/{instance.sha256[:32]}.{filename.rsplit('.', 1)[-1]}"


def thumb_path(instance: ProductPhoto, filename: str) -> str:
    return f"photos/{instance.product_id}/thumb-{instance.sha256[:32]}.jpg"


class ProductPhoto(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to=photo_path)
    thumbnail = models.FileField(upload_to=thumb_path)
    content_type = models.CharField(max_length=50)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProductPhotoQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("product photo")
        verbose_name_plural = _("product photos")

    def __str__(self) -> str:
        return self.caption or f"{self.product_id}/{self.sha256[:12]}"


# --- Evidence library ----------------------------------------------------------------------
class EvidenceType(models.TextChoices):
    # The evidence list of Mẫu 02 (QĐ 26/2026 Phụ lục III).
    BUSINESS_REGISTRATION = "business_registration", _("Business registration")
    FOOD_SAFETY = "food_safety", _("Food-safety / production-condition certificate")
    RAW_MATERIAL = "raw_material", _("Raw-material origin, linkage contracts, invoices")
    ENVIRONMENT = "environment", _("Environmental dossier")
    LOCAL_LABOUR = "local_labour", _("Local labour list with social insurance")
    FINANCIAL = "financial", _("Cooperative grading or financial statements")
    INTELLECTUAL_PROPERTY = "intellectual_property", _("Intellectual property (trademark, geographical indication)")
    DISTRIBUTION = "distribution", _("Distribution and export contracts")
    TRADE_PROMOTION = "trade_promotion", _("Trade-promotion evidence")
    PROMOTION_MATERIAL = "promotion_material", _("Website and promotion material")
    PRODUCT_STORY = "product_story", _("Product story material")
    QUALITY_DECLARATION = "quality_declaration", _("Quality declaration")
    TEST_REPORT = "test_report", _("Test report")
    BARCODE_TRACEABILITY = "barcode_traceability", _("Barcodes and traceability stamps")
    QUALITY_MANAGEMENT = (
        "quality_management",
        _("Quality-management certificate (VietGAP, GlobalGAP, organic, ISO 22000, HACCP…)"),
    )
    AWARD = "award", _("Award")
    OTHER = "other", _("Other")


def evidence_path(instance: Evidence, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"evidence/{instance.producer_id}/{instance.sha256}.{ext}"


class EvidenceQuerySet(_ScopedEvidenceQuerySet):
    def expiring(self, within_days: int | None = None) -> EvidenceQuerySet:
        days = within_days if within_days is not None else settings.EVIDENCE_EXPIRY_WARNING_DAYS
        today = clock.today()
        return self.filter(expires_on__isnull=False, expires_on__lte=today + timezone.timedelta(days=days))


class Evidence(models.Model):
    producer = models.ForeignKey(Producer, on_delete=models.PROTECT, related_name="evidence")
    doc_type = models.CharField(_("document type"), max_length=40, choices=EvidenceType.choices)
    title = models.CharField(_("title"), max_length=250)
    issuer = models.CharField(_("issued by"), max_length=250, blank=True)
    number = models.CharField(_("document number"), max_length=100, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=evidence_path)
    original_name = models.CharField(max_length=250)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    products = models.ManyToManyField(Product, related_name="evidence", blank=True, verbose_name=_("products"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("evidence document")
        verbose_name_plural = _("evidence documents")
        # Expiry flags and the "expiring soon" filter read by producer and date.
        indexes = [models.Index(fields=["producer", "expires_on"], name="evidence_producer_expiry")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("registry:evidence_detail", args=[self.pk])

    @property
    def is_expired(self) -> bool:
        return self.expires_on is not None and self.expires_on < clock.today()

    @property
    def is_expiring(self) -> bool:
        if self.expires_on is None:
            return False
        limit = clock.today() + timezone.timedelta(days=settings.EVIDENCE_EXPIRY_WARNING_DAYS)
        return self.expires_on <= limit
