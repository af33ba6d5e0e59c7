"""Product photos: type sniffing, limits, metadata stripping, thumbnails, scoped serving."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from PIL import Image

from ocop.registry import actions
from ocop.registry.models import ProductPhoto
from ocop.registry.tests.util import GPS_IFD, image_bytes, jpeg_bytes, png_header_only, upload


def post_photo(client, product, content: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    url = reverse("registry:photo_upload", args=[product.pk])
    return client.post(url, {"image": upload(name, content, content_type), "caption": "Quả vải"})


def stored(photo: ProductPhoto) -> bytes:
    with photo.image.open("rb") as handle:
        return handle.read()


def test_upload_jpeg_with_gps_strips_all_metadata(world, client_for):
    original = jpeg_bytes((200, 100), gps=True)
    source = Image.open(io.BytesIO(original))
    assert source.getexif().get_ifd(GPS_IFD), "the test photo must carry GPS data"
    assert b"private comment" in original and b"private xmp" in original

    response = post_photo(client_for("producer_a"), world.product_a, original)
    assert response.status_code == 302
    photo = ProductPhoto.objects.get(product=world.product_a)
    data = stored(photo)
    result = Image.open(io.BytesIO(data))
    assert result.format == "JPEG"
    assert not result.getexif(), "EXIF (GPS, camera) must be gone"
    assert "exif" not in result.info and "xmp" not in result.info and "icc_profile" not in result.info
    assert "comment" not in result.info
    for secret in (b"Exif", b"private comment", b"private xmp", b"CameraMaker"):
        assert secret not in data
    assert (photo.width, photo.height, photo.size) == (200, 100, len(data))
    import hashlib

    assert photo.sha256 == hashlib.sha256(data).hexdigest()
    assert photo.caption == "Quả vải"
    assert photo.image.name.endswith(".jpg")


def test_exif_orientation_is_applied_to_pixels(world):
    # Orientation 6 = rotate 90° clockwise to display: a 200×100 file shows as 100×200.
    photo = actions.add_photo(world.product_a, upload("p.jpg", jpeg_bytes((200, 100), orientation=6)))
    assert (photo.width, photo.height) == (100, 200)
    assert not Image.open(io.BytesIO(stored(photo))).getexif()


def test_thumbnail_is_a_small_jpeg(world):
    photo = actions.add_photo(world.product_a, upload("big.png", image_bytes("PNG", (1600, 900))))
    with photo.thumbnail.open("rb") as handle:
        thumb = Image.open(io.BytesIO(handle.read()))
    assert thumb.format == "JPEG"
    assert max(thumb.size) == 400 and thumb.size == (400, 225)


@pytest.mark.parametrize(
    ("fmt", "content_type", "ext"), [("PNG", "image/png", ".png"), ("WEBP", "image/webp", ".webp")]
)
def test_png_and_webp_are_accepted_and_keep_their_type(world, fmt, content_type, ext):
    photo = actions.add_photo(world.product_a, upload("x.bin", image_bytes(fmt)))
    assert photo.content_type == content_type
    assert photo.image.name.endswith(ext)


def test_real_type_wins_over_the_name(world):
    # A PNG named .jpg is stored as what it is.
    photo = actions.add_photo(world.product_a, upload("photo.jpg", image_bytes("PNG"), "image/jpeg"))
    assert photo.content_type == "image/png"


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("photo.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg"),
        ("photo.png", image_bytes("GIF"), "image/png"),
        ("photo.jpg", image_bytes("BMP"), "image/jpeg"),
        ("photo.jpg", jpeg_bytes()[:200], "image/jpeg"),  # truncated
        ("photo.jpg", b"%PDF-1.4 not a photo", "image/jpeg"),
    ],
    ids=["html-as-jpg", "gif-as-png", "bmp", "truncated", "pdf-as-jpg"],
)
def test_fake_or_unsupported_images_are_refused(world, client_for, name, content, content_type):
    response = post_photo(client_for("producer_a"), world.product_a, content, name, content_type)
    assert response.status_code == 200
    assert "JPEG, PNG" in response.content.decode()
    assert response.context["photo_form"].errors["image"]
    assert not ProductPhoto.objects.exists()


def test_oversized_file_is_refused(world, client_for, settings):
    settings.MAX_PHOTO_BYTES = 1000
    response = post_photo(client_for("producer_a"), world.product_a, jpeg_bytes((400, 400)))
    assert response.status_code == 200
    assert response.context["photo_form"].errors["image"][0].startswith("Tệp quá lớn") or "large" in str(
        response.context["photo_form"].errors["image"]
    )
    assert not ProductPhoto.objects.exists()


@pytest.mark.parametrize("size", [(7000, 7000), (20000, 20000)], ids=["over-limit", "over-twice-limit"])
def test_decompression_bombs_are_refused_before_decoding(world, client_for, size):
    bomb = png_header_only(*size)
    assert len(bomb) < 200
    response = post_photo(client_for("producer_a"), world.product_a, bomb, "bomb.png", "image/png")
    assert response.status_code == 200
    errors = response.context["photo_form"].errors["image"]
    assert "40" in errors[0]
    assert not ProductPhoto.objects.exists()


def test_same_photo_twice_is_refused(world):
    content = jpeg_bytes()
    actions.add_photo(world.product_a, upload("a.jpg", content))
    with pytest.raises(Exception) as caught:
        actions.add_photo(world.product_a, upload("b.jpg", content))
    assert caught.value.code == "photo_duplicate"
    assert ProductPhoto.objects.count() == 1


def test_photo_is_served_with_its_type_and_never_publicly(world, client_for, settings):
    photo = actions.add_photo(world.product_a, upload("a.jpg", jpeg_bytes()))
    response = client_for("commune").get(reverse("registry:photo", args=[photo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == stored(photo)
    thumb = client_for("producer_a").get(reverse("registry:photo_thumb", args=[photo.pk]))
    assert thumb["Content-Type"] == "image/jpeg"
    # The file is not under a static or public URL.
    assert not photo.image.name.startswith(("/", "static"))
    assert client_for("anonymous").get(reverse("registry:photo", args=[photo.pk])).status_code == 302
    assert client_for("producer_b").get(reverse("registry:photo", args=[photo.pk])).status_code == 404


def test_delete_removes_row_and_files(world, client_for, django_capture_on_commit_callbacks):
    photo = actions.add_photo(world.product_a, upload("a.jpg", jpeg_bytes()))
    storage, names = photo.image.storage, (photo.image.name, photo.thumbnail.name)
    assert all(storage.exists(n) for n in names)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("producer_a").post(reverse("registry:photo_delete", args=[photo.pk]))
    assert response.status_code == 302
    assert not ProductPhoto.objects.exists()
    assert not any(storage.exists(n) for n in names)


def test_product_page_shows_thumbnails_and_upload_form_to_writers_only(world, client_for):
    photo = actions.add_photo(world.product_a, upload("a.jpg", jpeg_bytes()), caption="Vải chín")
    url = reverse("registry:product_detail", args=[world.product_a.pk])
    page = client_for("producer_a").get(url).content.decode()
    assert reverse("registry:photo_thumb", args=[photo.pk]) in page
    assert 'alt="Vải chín"' in page
    assert reverse("registry:photo_upload", args=[world.product_a.pk]) in page
    central = client_for("central").get(url).content.decode()
    assert reverse("registry:photo_thumb", args=[photo.pk]) in central
    assert reverse("registry:photo_upload", args=[world.product_a.pk]) not in central
