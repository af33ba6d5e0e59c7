"""Checking and cleaning uploaded files: product photos and evidence documents.

Nothing here trusts the file name or the content type the browser sends: the
type is read from the bytes. Every refusal is a ValidationError with a
translated message, raised before anything is stored.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

# A 40-megapixel photo is already far more than a catalogue needs; anything
# larger is refused before its pixels are decoded. Pillow itself warns above
# MAX_IMAGE_PIXELS and raises above twice that: we turn the warning into a
# refusal too (see _open_image).
PHOTO_MAX_PIXELS = 40_000_000
Image.MAX_IMAGE_PIXELS = PHOTO_MAX_PIXELS
THUMBNAIL_MAX_SIDE = 400

# Pillow format name → (content type, file extension, save options).
PHOTO_FORMATS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "JPEG": ("image/jpeg", "jpg", {"quality": 88, "optimize": True}),
    "PNG": ("image/png", "png", {"optimize": True}),
    "WEBP": ("image/webp", "webp", {"quality": 85, "method": 4}),
}


@dataclass(frozen=True)
class CleanPhoto:
    content: bytes
    content_type: str
    extension: str
    width: int
    height: int
    sha256: str
    thumbnail: bytes


def _read_limited(upload: Any, limit: int) -> bytes:
    """All bytes of `upload`, refusing it as soon as it grows past `limit`."""
    if getattr(upload, "size", None) is not None and upload.size > limit:
        raise _too_large(limit)
    parts: list[bytes] = []
    total = 0
    for chunk in upload.chunks():
        total += len(chunk)
        if total > limit:
            raise _too_large(limit)
        parts.append(chunk)
    return b"".join(parts)


def _too_large(limit: int) -> ValidationError:
    return ValidationError(
        _("The file is too large: the limit is %(limit)s.") % {"limit": filesizeformat(limit)}, code="too_large"
    )


def _not_a_photo() -> ValidationError:
    return ValidationError(
        _("This file is not a photo we accept: upload a JPEG, PNG or WebP image."), code="photo_type"
    )


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        _("The image is too large: at most %(mp)s megapixels. Please resize it before uploading.")
        % {"mp": PHOTO_MAX_PIXELS // 1_000_000},
        code="photo_pixels",
    )


def _open_image(data: bytes) -> Image.Image:
    """Open and fully decode an image of an accepted format, or refuse it."""
    with warnings.catch_warnings():
        # Above MAX_IMAGE_PIXELS Pillow only warns; a warning here is a refusal.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            if image.format not in PHOTO_FORMATS:
                raise _not_a_photo()
            if image.width * image.height > PHOTO_MAX_PIXELS:
                raise _too_many_pixels()
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels() from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            # Not an image, a truncated one, or one Pillow cannot decode.
            raise _not_a_photo() from None
    return image


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert to sRGB when the file carries a colour profile.

    The profile is dropped with the rest of the metadata, so the pixels have to
    be in sRGB first or photos from phones (Display P3) would lose colour.
    """
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        target = ImageCms.createProfile("sRGB")
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(image, source, target, outputMode=mode) or image
    except (ImageCms.PyCMSError, OSError, ValueError):
        # A broken profile: keep the pixels as they are rather than refuse the photo.
        return image


def _normalise_mode(image: Image.Image, fmt: str) -> Image.Image:
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    if fmt == "JPEG":
        return image if image.mode in ("RGB", "L") else image.convert("RGB")
    if image.mode in ("RGB", "RGBA") or (fmt == "PNG" and image.mode in ("L", "LA")):
        return image
    return image.convert("RGBA" if has_alpha else "RGB")


def _thumbnail(image: Image.Image) -> bytes:
    thumb = image.copy()
    thumb.thumbnail((THUMBNAIL_MAX_SIDE, THUMBNAIL_MAX_SIDE), Image.Resampling.LANCZOS)
    if thumb.mode in ("RGBA", "LA"):
        background = Image.new("RGB", thumb.size, (255, 255, 255))
        background.paste(thumb, mask=thumb.getchannel("A"))
        thumb = background
    elif thumb.mode != "RGB":
        thumb = thumb.convert("RGB")
    out = io.BytesIO()
    thumb.save(out, "JPEG", quality=82, optimize=True)
    return out.getvalue()


def clean_photo(upload: Any) -> CleanPhoto:
    """Check a product photo and re-encode it without any metadata.

    Accepts JPEG, PNG and WebP (sniffed by Pillow), at most MAX_PHOTO_BYTES and
    PHOTO_MAX_PIXELS. The EXIF orientation is applied to the pixels, then the
    image is saved anew from its pixels only, which drops EXIF (GPS position,
    camera serial), XMP, ICC profile and comments. Animated images keep their
    first frame.
    """
    data = _read_limited(upload, settings.MAX_PHOTO_BYTES)
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    image = _open_image(data)
    fmt = image.format or ""
    content_type, extension, options = PHOTO_FORMATS[fmt]
    try:
        image = ImageOps.exif_transpose(image) or image
    except (OSError, ValueError, SyntaxError, KeyError, TypeError):
        # Unreadable EXIF: the orientation cannot be applied, the photo is still usable.
        pass
    image = _to_srgb(image)
    try:
        image = _normalise_mode(image, fmt)
    except (OSError, ValueError):
        raise _not_a_photo() from None
    clean = image.copy()
    # `info` carries what the encoder would write back (comment, ICC, EXIF,
    # XMP); an empty one leaves nothing but pixels.
    clean.info = {}
    out = io.BytesIO()
    clean.save(out, fmt, **options)
    content = out.getvalue()
    return CleanPhoto(
        content=content,
        content_type=content_type,
        extension=extension,
        width=clean.width,
        height=clean.height,
        sha256=hashlib.sha256(content).hexdigest(),
        thumbnail=_thumbnail(clean),
    )


# --- Evidence documents ------------------------------------------------------------------
@dataclass(frozen=True)
class EvidenceKind:
    content_type: str
    extension: str
    label: str


EVIDENCE_KINDS = {
    "pdf": EvidenceKind("application/pdf", "pdf", "PDF"),
    "jpeg": EvidenceKind("image/jpeg", "jpg", "JPEG"),
    "png": EvidenceKind("image/png", "png", "PNG"),
    "docx": EvidenceKind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", "Word"),
    "xlsx": EvidenceKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", "Excel"),
}

_OOXML_MAIN = {
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
}
_CONTENT_TYPE_RE = re.compile(rb'ContentType\s*=\s*"([^"]+)"')
# An Office package is a zip: bound what we are willing to look at in one.
_ZIP_MAX_MEMBERS = 10_000
_CONTENT_TYPES_MAX_BYTES = 1024 * 1024


@dataclass(frozen=True)
class CheckedEvidence:
    kind: str
    content_type: str
    extension: str
    size: int
    sha256: str


def _not_accepted() -> ValidationError:
    return ValidationError(
        _(
            "This type of file is not accepted: upload a PDF, a JPEG or PNG image, "
            "or a Word (.docx) or Excel (.xlsx) file."
        ),
        code="evidence_type",
    )


def _macro_refused() -> ValidationError:
    return ValidationError(
        _(
            "Office files with macros (.docm, .xlsm and similar) are not accepted. "
            "Save the document as .docx or .xlsx (or PDF) and upload it again."
        ),
        code="evidence_macro",
    )


def _office_kind(fileobj: IO[bytes]) -> str:
    """Which Office Open XML document a zip is, refusing macros and anything else."""
    try:
        with zipfile.ZipFile(fileobj) as package:
            members = package.infolist()
            if len(members) > _ZIP_MAX_MEMBERS:
                raise _not_accepted()
            names = {m.filename.lower(): m for m in members}
            if any(name.endswith(("vbaproject.bin", "vbadata.xml")) for name in names):
                raise _macro_refused()
            info = names.get("[content_types].xml")
            if info is None or info.file_size > _CONTENT_TYPES_MAX_BYTES:
                raise _not_accepted()
            # A regular expression rather than an XML parser: only the
            # ContentType attributes matter, and nothing in the file gets a
            # chance to expand entities.
            content_types = package.read(info)[:_CONTENT_TYPES_MAX_BYTES]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        raise _not_accepted() from None
    declared = _CONTENT_TYPE_RE.findall(content_types)
    if any(b"macroenabled" in ct.lower() or b"vba" in ct.lower() for ct in declared):
        raise _macro_refused()
    kinds = {_OOXML_MAIN[ct] for ct in declared if ct in _OOXML_MAIN}
    if len(kinds) != 1:
        raise _not_accepted()
    return kinds.pop()


def check_evidence_file(upload: Any) -> CheckedEvidence:
    """Check an evidence document's type from its bytes; SHA-256 and size are computed while reading.

    Accepted: PDF, JPEG, PNG, .docx and .xlsx. Refused: macro-enabled Office
    files, legacy binary Office files (which may carry macros), anything else
    whatever its name, and files over MAX_EVIDENCE_BYTES.
    """
    limit = settings.MAX_EVIDENCE_BYTES
    if getattr(upload, "size", None) is not None and upload.size > limit:
        raise _too_large(limit)
    digest = hashlib.sha256()
    size = 0
    head = b""
    for chunk in upload.chunks():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        digest.update(chunk)
        if len(head) < 16:
            head += chunk[: 16 - len(head)]
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")

    if head.startswith(b"%PDF-"):
        kind = "pdf"
    elif head.startswith(b"\xff\xd8\xff"):
        kind = "jpeg"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "png"
    elif head.startswith(b"PK\x03\x04"):
        upload.seek(0)
        kind = _office_kind(upload)
    elif head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        # Word 97–2003 / Excel 97–2003 (OLE2): may hold macros and cannot be
        # checked cheaply; the same content saved as .docx/.xlsx is accepted.
        raise ValidationError(
            _("Old Office formats (.doc, .xls) are not accepted: save the file as .docx, .xlsx or PDF."),
            code="evidence_legacy_office",
        )
    else:
        raise _not_accepted()
    upload.seek(0)
    info = EVIDENCE_KINDS[kind]
    return CheckedEvidence(
        kind=kind, content_type=info.content_type, extension=info.extension, size=size, sha256=digest.hexdigest()
    )


def safe_download_name(original: str, extension: str) -> str:
    """The name offered when downloading: the original stem with the extension of the real type."""
    stem = original.replace("\\", "/").rsplit("/", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    stem = "".join(ch for ch in stem if ch.isprintable() and ch not in '"<>:|?*').strip() or "document"
    return f"{stem[:120]}.{extension}"
