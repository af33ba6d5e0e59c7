"""The scan page in a real browser: the certificate banner, the signature checked again by the browser's own
WebCrypto, and the consumer's consented location turned into a province — two phones far apart raise an alert."""

from __future__ import annotations

from ocop.scans.models import Alert, AlertRule, Scan
from ocop.scans.tests.util import HA_NOI, HO_CHI_MINH, printed_path, stamped
from tests.browser.helpers import new_page


def _phone(browser, base_url: str, position: tuple[float, float]):
    page = new_page(browser, base_url)
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": position[0], "longitude": position[1]})
    return page


def test_signed_stamp_and_two_distant_provinces(world, browser, live_server, tmp_path):
    _batch, stamps = stamped(world.product_a, signed=True)
    path = printed_path(stamps[0])

    hanoi = _phone(browser, live_server.url, HA_NOI)
    hanoi.goto(path)
    assert hanoi.locator("#certificate-status").get_attribute("data-status") == "valid"
    assert "Còn hiệu lực" in hanoi.locator("#certificate-status").text_content()
    assert "Chữ ký hợp lệ" in hanoi.locator("#signature").inner_text()
    browser_check = hanoi.locator("#signature-browser")
    browser_check.filter(has_text="Đã kiểm tra lại").wait_for()
    assert browser_check.get_attribute("data-result") == "valid"
    assert "1" in hanoi.locator("#scan-count").inner_text()
    hanoi.screenshot(path=str(tmp_path / "scan-hanoi.png"), full_page=True)
    hanoi.get_by_role("button", name="Chia sẻ vị trí (chỉ lấy tỉnh/thành phố)").click()
    hanoi.locator("#place-status").filter(has_text="Hà Nội").wait_for()

    saigon = _phone(browser, live_server.url, HO_CHI_MINH)
    saigon.goto(path)
    assert "2" in saigon.locator("#scan-count").inner_text()
    assert "Hà Nội" in saigon.locator("#h-scans").locator("..").inner_text()  # first scanned in Hà Nội
    saigon.get_by_role("button", name="Chia sẻ vị trí (chỉ lấy tỉnh/thành phố)").click()
    saigon.locator("#place-status").filter(has_text="Hồ Chí Minh").wait_for()

    assert sorted(Scan.objects.values_list("province__code", flat=True)) == ["1", "79"]
    alert = Alert.objects.get(rule=AlertRule.IMPOSSIBLE_TRAVEL)
    assert alert.stamp_id == stamps[0].pk

    # A forged signature: the server and the browser both say so.
    forged = path[:-1] + ("A" if path[-1] != "A" else "B")
    saigon.goto(forged)
    assert "Chữ ký không hợp lệ" in saigon.locator("#signature").inner_text()
    saigon.locator("#signature-browser").filter(has_text="Đã kiểm tra lại").wait_for()
    assert saigon.locator("#signature-browser").get_attribute("data-result") == "bad_signature"
    hanoi.context.close()
    saigon.context.close()


def test_not_genuine_page_and_report(world, browser, live_server, tmp_path):
    stamped(world.product_a)
    page = new_page(browser, live_server.url)
    page.set_viewport_size({"width": 390, "height": 844})
    response = page.goto("/S/0000000000000000000A")
    assert response.status == 404
    assert "Không phải tem OCOP chính hãng" in page.locator("#verdict").text_content()
    page.screenshot(path=str(tmp_path / "not-genuine.png"), full_page=True)
    page.get_by_text("Phản ánh nghi hàng giả").click()
    page.get_by_label("Bạn thấy điều gì bất thường?").fill("Tem dán trên hộp vải không rõ nguồn gốc")
    page.get_by_role("button", name="Gửi phản ánh").click()
    page.get_by_text("Phản ánh đã được gửi").wait_for()
    assert Alert.objects.get(rule=AlertRule.CONSUMER_REPORT).message.startswith("Tem dán")
    page.context.close()
