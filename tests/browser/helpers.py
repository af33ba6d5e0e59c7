"""Steps shared by the browser tests: logging in as a person would, reading a certificate's QR code."""

from __future__ import annotations

import io
import subprocess

from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image

from ocop.accounts.models import User
from ocop.testing import PERSONA_PASSWORD


def submit(page, target: str, button_text: str | None = None) -> None:
    """Click the submit button of a form in <main>.

    `target` is the form's action URL (starting with "/") or a CSS selector of
    a field inside the form (for forms that post to their own page).
    """
    selector = f'main form[action="{target}"]' if target.startswith("/") else f"main form:has({target})"
    button = page.locator(selector).locator("button[type=submit]")
    if button_text:
        button = button.filter(has_text=button_text)
    button.first.click()


def log_in(page, username: str, password: str = PERSONA_PASSWORD) -> None:
    page.goto(reverse("accounts:login"))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    submit(page, reverse("accounts:login"))
    page.wait_for_load_state()
    user = User.objects.get(username=username)
    if user.needs_second_factor:
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        page.wait_for_url("**" + reverse("accounts:otp_verify") + "**")
        page.fill("#id_code", f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}")
        submit(page, reverse("accounts:otp_verify"))
        page.wait_for_load_state()


def log_out(page) -> None:
    page.locator(f'header form[action="{reverse("accounts:logout")}"] button').click()
    page.wait_for_load_state()


def jpeg_file(tmp_path, name: str = "photo.jpg") -> str:
    path = tmp_path / name
    image = Image.new("RGB", (640, 480), (200, 40, 60))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    path.write_bytes(buffer.getvalue())
    return str(path)


def pdf_file(tmp_path, name: str = "chung-nhan.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )
    return str(path)


def new_page(browser, base_url: str):
    """A page in a browser context of its own (own cookies): another person at another computer.

    Same settings as the `page` fixture. The caller closes `page.context`.
    """
    context = browser.new_context(locale="vi-VN", base_url=base_url)
    context.set_default_timeout(15_000)
    return context.new_page()


def qr_codes_in_labels(pdf: bytes, tmp_path, *, labels: int, dpi: int = 300, **layout: float) -> list[str]:
    """The QR codes of the first `labels` labels of a stamp sheet (ocop.stamps.pdf.Layout, with `layout`'s
    changes), each label's cell cropped from the rendered page and read alone: zbarimg, given a whole page of
    44 codes, sometimes returns only a few of them."""
    from PIL import Image

    from ocop.stamps.pdf import Layout

    sheet = Layout(**layout)
    source = tmp_path / "labels.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(source), str(tmp_path / "labels")], check=True
    )
    px = dpi / 25.4
    cells = []
    with Image.open(tmp_path / "labels.png") as page:
        for index in range(labels):
            row, col = divmod(index, sheet.columns)
            left = (sheet.margin_left_mm + col * (sheet.label_width_mm + sheet.gap_x_mm)) * px
            top = (sheet.margin_top_mm + row * (sheet.label_height_mm + sheet.gap_y_mm)) * px
            box = (
                round(left),
                round(top),
                round(left + sheet.label_width_mm * px),
                round(top + sheet.label_height_mm * px),
            )
            cell = tmp_path / f"label-{index}.png"
            page.crop(box).save(cell)
            cells.append(str(cell))
    result = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", *cells], capture_output=True, text=True
    )
    return result.stdout.split()


def qr_url_in_pdf(pdf: bytes, tmp_path) -> str:
    """The text of the QR code printed on the first page of a PDF: rendered by pdftoppm, read by zbarimg."""
    source = tmp_path / "qr-source.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(source), str(tmp_path / "qr-page")], check=True)
    result = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(tmp_path / "qr-page.png")],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()
