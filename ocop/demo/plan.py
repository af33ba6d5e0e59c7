"""The demo data set as plain data: Bắc Giang's OCOP programme, as reported on 10 November 2022.

At the provincial workshop of 10 November 2022 Bắc Giang counted 180 products
of 3★ and more: 138 at 3★ and 42 at 4★, one of them — the Lục Ngạn lychee of
the Hồng Xuân cooperative — proposed for 5★ (recognised by the ministry in
2024). The plan rebuilds that programme with a few real products and many
plausible ones, then lets time run: about 60 % of the products were
re-evaluated every 36 months up to 2026 (some upgraded to 4★), the rest let
their certificates expire. Bắc Giang merged into Bắc Ninh on 1 July 2025, so
every producer names the legacy commune it was recorded under and a
present-day commune of Bắc Ninh (illustrative mapping in data/bac_giang.json).

Everything is drawn from one seeded `random.Random` and nothing here reads the
clock or the database, so the plan is the same on every run. `loader.py`
writes it to the database.
"""

from __future__ import annotations

import base64
import calendar
import datetime as dt
import json
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).parent / "data" / "bac_giang.json"

SEED = 20221110
SNAPSHOT_DAY = dt.date(2022, 11, 10)  # the provincial workshop
# The last day a demo certificate may be issued on: fixed, so every run on any
# later day yields the same data (and never a certificate dated in the future).
LAST_ISSUE_DAY = dt.date(2026, 11, 20)
MERGER_DAY = dt.date(2025, 7, 1)
# QĐ 148/2023 had the districts recognise 3★; the districts were abolished on 1/7/2025 and QĐ 1489/2025 gave
# that to the province from 6/7/2025. No demo decision is dated in between (see _decision_day).
AMENDMENT_DAY = dt.date(2025, 7, 6)
VALIDITY_MONTHS = 36
SHARE_REEVALUATED = 0.6
UPGRADE_CHANCE = 0.15

# Rulebook in force on a day (see BRIEF §4).
RULEBOOKS = (
    (dt.date(2026, 5, 22), "qd-26-2026"),
    (dt.date(2025, 7, 6), "qd-1489-2025"),
    (dt.date(2023, 2, 24), "qd-148-2023"),
    (dt.date(2019, 1, 1), "qd-1048-2019"),
)
# First recognitions, Dec 2019 – Oct 2022: the provincial decisions and how
# many products each recognised (the sum is the 180 of the workshop).
FIRST_ROUNDS = (
    (dt.date(2019, 12, 20), 8),
    (dt.date(2020, 4, 24), 6),
    (dt.date(2020, 7, 29), 8),
    (dt.date(2020, 9, 25), 7),
    (dt.date(2020, 12, 21), 12),
    (dt.date(2021, 3, 26), 8),
    (dt.date(2021, 6, 28), 12),
    (dt.date(2021, 9, 24), 10),
    (dt.date(2021, 12, 22), 18),
    (dt.date(2022, 3, 25), 14),
    (dt.date(2022, 5, 27), 16),
    (dt.date(2022, 7, 29), 18),
    (dt.date(2022, 9, 23), 20),
    (dt.date(2022, 10, 31), 23),
)
COUNT_3_STAR_2022 = 138
COUNT_4_STAR_2022 = 42

LYCHEE_4_STAR = (dt.date(2021, 12, 22), Decimal("88.00"))
LYCHEE_PROPOSAL_DAY = dt.date(2022, 10, 31)
LYCHEE_5_STAR = (dt.date(2024, 4, 26), Decimal("91.00"))
MINISTRY = "Bộ Nông nghiệp và Phát triển nông thôn"

DEMO_PASSWORD = "ocop-demo-2026"
# 20 bytes, hex, as django-otp stores TOTP keys ("OCOP demo TOTP key!!" in ASCII).
DEMO_TOTP_KEY = "4f434f502064656d6f20544f5450206b65792121"


def totp_key_base32(hex_key: str = DEMO_TOTP_KEY) -> str:
    """The key as an authenticator app expects it when typed in."""
    return base64.b32encode(bytes.fromhex(hex_key)).decode("ascii").rstrip("=")


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    full_name: str
    scope: str
    # Where the account applies: a province or commune name, or a producer name.
    province: str = ""
    commune: str = ""
    producer: str = ""


LYCHEE_PRODUCER = "HTX Nông nghiệp Hồng Xuân"
CHICKEN_PRODUCER = "HTX Chăn nuôi và Dịch vụ Đồng Tâm"
COMMUNE_OF_DEMO = "Xã Lục Ngạn"
# Where the Hồng Xuân cooperative is today (it was recorded under Phường Hồng Giang, Thị xã Chũ).
LYCHEE_COMMUNE = "Phường Chũ"
PROVINCE_OF_DEMO = "Bắc Ninh"

DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("demo_admin", "admin", "Trần Minh Quân", "whole platform"),
    DemoLogin("demo_central", "central", "Lê Thị Thu Hà", "whole country (read)"),
    DemoLogin("demo_bacninh", "province", "Nguyễn Thị Lan", "province Bắc Ninh", province=PROVINCE_OF_DEMO),
    DemoLogin("demo_lucngan", "commune", "Hoàng Văn Nam", "Xã Lục Ngạn, Bắc Ninh", commune=COMMUNE_OF_DEMO),
    # The commune of the Hồng Xuân cooperative (demo_hongxuan): it checks that producer's dossiers.
    DemoLogin("demo_chu", "commune", "Phạm Thị Hương", "Phường Chũ, Bắc Ninh", commune=LYCHEE_COMMUNE),
    DemoLogin("demo_council", "council", "Đỗ Thị Mai", "council, province Bắc Ninh", province=PROVINCE_OF_DEMO),
    DemoLogin("demo_hongxuan", "producer", "Lê Văn Hòa", LYCHEE_PRODUCER, producer=LYCHEE_PRODUCER),
    DemoLogin("demo_dongtam", "producer", "Nguyễn Văn Thắng", CHICKEN_PRODUCER, producer=CHICKEN_PRODUCER),
)


# --- The plan: pure data, built without the database ------------------------------------
@dataclass
class CertificatePlan:
    star: int
    score: Decimal
    issued_on: dt.date
    expires_on: dt.date
    issuing_body: str
    rulebook: str
    decision_number: str = ""
    number: str = ""


@dataclass
class ProductPlan:
    name: str
    set_number: int
    description: str
    story: str = ""
    status: str = "active"
    certificates: list[CertificatePlan] = field(default_factory=list)
    proposal_star: int | None = None


@dataclass
class ProducerPlan:
    name: str
    kind: str
    district: str  # legacy district name; "" for a producer registered on the present-day map
    commune: str  # legacy commune name, or the present-day commune when district is ""
    current_commune: str
    tax_code: str
    registration_number: str
    founded_on: dt.date | None
    street: str
    phone: str
    members_count: int | None
    workers_count: int | None
    rep_name: str
    rep_position: str
    rep_gender: str
    rep_ethnicity: str
    rep_id_number: str
    status: str = "verified"
    products: list[ProductPlan] = field(default_factory=list)


@dataclass
class Plan:
    producers: list[ProducerPlan]

    def products(self) -> Iterable[tuple[ProducerPlan, ProductPlan]]:
        for producer in self.producers:
            for product in producer.products:
                yield producer, product


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def rulebook_on(day: dt.date) -> str:
    for start, name in RULEBOOKS:
        if day >= start:
            return name
    raise ValueError(f"no OCOP rulebook before {day}")


def _short(unit_name: str) -> str:
    for prefix in ("Thị trấn ", "Thị xã ", "Thành phố ", "Phường ", "Huyện ", "Xã "):
        if unit_name.startswith(prefix):
            return unit_name[len(prefix) :]
    return unit_name


def _district_body(district: str) -> str:
    """The district people's committee, which recognised 3★ from Feb 2023 to June 2025."""
    # Chũ was part of Lục Ngạn district until it became a town shortly before the merger.
    if district == "Thị xã Chũ":
        return "UBND huyện Lục Ngạn"
    kind, _, name = district.partition(" ")
    if kind == "Thị":  # Thị xã
        kind, name = "thị xã", name.removeprefix("xã ")
    elif kind == "Thành":  # Thành phố
        kind, name = "thành phố", name.removeprefix("phố ")
    else:
        kind = kind.lower()
    return f"UBND {kind} {name}"


def issuing_body(day: dt.date, star: int, district: str) -> str:
    if star == 5:
        return MINISTRY
    if day >= MERGER_DAY:
        return "UBND tỉnh Bắc Ninh"
    if day >= dt.date(2023, 2, 24) and star == 3:
        return _district_body(district)
    return "UBND tỉnh Bắc Giang"


def _score(rng: random.Random, star: int) -> Decimal:
    low, high = {3: (500, 699), 4: (700, 899), 5: (900, 960)}[star]
    return Decimal(rng.randint(low, high)) / 10


def _tax_code(rng: random.Random, prefix: str, used: set[str]) -> str:
    from ocop.registry.validators import tax_code_check_digit

    while True:
        body = prefix + "".join(str(rng.randint(0, 9)) for _ in range(9 - len(prefix)))
        check = tax_code_check_digit(body)
        if check is not None and body + str(check) not in used:
            used.add(body + str(check))
            return body + str(check)


class _People:
    def __init__(self, rng: random.Random, data: dict[str, Any]) -> None:
        self.rng = rng
        self.data = data

    def person(self) -> tuple[str, str]:
        """A full name and its gender."""
        rng, p = self.rng, self.data
        gender = "female" if rng.random() < 0.35 else "male"
        suffix = "female" if gender == "female" else "male"
        name = f"{rng.choice(p['family'])} {rng.choice(p['middle_' + suffix])} {rng.choice(p['given_' + suffix])}"
        return name, gender

    def gender_of(self, name: str) -> str:
        return "female" if " Thị " in f" {name} " else "male"

    def id_number(self, gender: str) -> str:
        # 12-digit citizen ID: province of birth (024 Bắc Giang), century/gender digit, year, serial.
        year = self.rng.randint(1962, 1992)
        return f"024{0 if gender == 'male' else 1}{year % 100:02d}{self.rng.randint(0, 999999):06d}"

    def phone(self) -> str:
        return f"0{self.rng.choice(['912', '983', '968', '368', '866', '904', '945'])}{self.rng.randint(0, 999999):06d}"

    def ethnicity(self, district: str) -> str:
        if district in ("Huyện Sơn Động", "Huyện Yên Thế", "Huyện Lục Ngạn") and self.rng.random() < 0.25:
            return self.rng.choice(self.data["ethnic_minorities"])
        return "Kinh"


KIND_WEIGHTS = (
    ("cooperative", 55),
    ("coop_group", 10),
    ("enterprise", 15),
    ("registered_household", 12),
    ("household", 8),
)
POSITIONS = {
    "cooperative": "Giám đốc",
    "coop_group": "Tổ trưởng",
    "enterprise": "Giám đốc",
    "registered_household": "Chủ hộ kinh doanh",
    "household": "Chủ hộ",
}
QUALIFIERS = ("VietGAP", "hữu cơ", "sạch", "truyền thống", "đặc sản", "loại 1", "xanh")


def _weighted(rng: random.Random, items: list[Any], weights: list[int]) -> Any:
    return rng.choices(items, weights=weights, k=1)[0]


def build_plan(data: dict[str, Any] | None = None) -> Plan:
    """The whole demo as plain data. Same input, same plan: nothing here reads the clock or the database."""
    data = data or read_data()
    rng = random.Random(SEED)
    people = _People(rng, data["people"])
    used_products: set[str] = {n["product"] for n in data["named"]}
    used_producers: set[str] = {n["producer"] for n in data["named"]}
    used_tax: set[str] = set()
    districts = {d["legacy"]: d for d in data["districts"]}
    producers: list[ProducerPlan] = []

    def producer_plan(name: str, kind: str, district: str, commune: str, rep: tuple[str, str, str] | None):
        rep_name, rep_gender = (rep[0], rep[2]) if rep else people.person()
        if kind in ("household", "registered_household"):
            # A household business is named after its head, who represents it.
            rep_name = name.removeprefix("Hộ kinh doanh ").removeprefix("Hộ sản xuất ")
            rep_gender = people.gender_of(rep_name)
        position = rep[1] if rep else POSITIONS[kind]
        organisation = kind in ("cooperative", "enterprise")
        tax = _tax_code(rng, "2400" if organisation else "8", used_tax) if kind != "coop_group" else ""
        founded = dt.date(rng.randint(2006, 2018), rng.randint(1, 12), rng.randint(1, 28))
        current = districts[district]["communes"][commune] if district else commune
        return ProducerPlan(
            name=name,
            kind=kind,
            district=district,
            commune=commune,
            current_commune=current,
            tax_code=tax,
            # Since 2015 the registration number of an enterprise or cooperative is its tax code.
            registration_number=tax if organisation else "",
            founded_on=founded,
            street=rng.choice(data["people"]["villages"]),
            phone=people.phone(),
            members_count=rng.randint(7, 60) if kind in ("cooperative", "coop_group") else None,
            workers_count=rng.randint(3, 45),
            rep_name=rep_name,
            rep_position=position,
            rep_gender=rep_gender,
            rep_ethnicity=people.ethnicity(district),
            rep_id_number=people.id_number(rep_gender),
        )

    # Named products first, each with its producer.
    named_by_key: dict[str, ProductPlan] = {}
    for spec in data["named"]:
        producer = producer_plan(spec["producer"], spec["kind"], spec["district"], spec["commune"], tuple(spec["rep"]))
        product = ProductPlan(spec["product"], spec["set"], spec["description"], spec["story"])
        producer.products.append(product)
        producers.append(producer)
        named_by_key[spec["key"]] = product

    # Then the plausible others, district by district.
    for district in data["districts"]:
        named_here = sum(1 for n in data["named"] if n["district"] == district["legacy"])
        remaining = district["products_count"] - named_here
        communes = list(district["communes"])
        templates = district["products"]
        while remaining > 0:
            commune = rng.choice(communes)
            place = _short(commune)
            kind = _weighted(rng, [k for k, _ in KIND_WEIGHTS], [w for _, w in KIND_WEIGHTS])
            count = min(remaining, _weighted(rng, [1, 2, 3], [60, 30, 10]))
            remaining -= count
            chosen = []
            bases = []
            for _ in range(count):
                base, set_number, _weight = _weighted(rng, templates, [t[2] for t in templates])
                bases.append(base)
                name = f"{base} {place}"
                while name in used_products:
                    name = f"{base} {place} {rng.choice(QUALIFIERS)}"
                used_products.add(name)
                description = (
                    f"{base} sản xuất tại {place} ({district['short']}, tỉnh Bắc Giang cũ, nay thuộc tỉnh Bắc Ninh)."
                )
                chosen.append(ProductPlan(name, set_number, description))
            thing = bases[0]
            name = _producer_name(rng, kind, thing, place, people)
            tries = 0
            while name in used_producers:
                tries += 1
                village = rng.choice(data["people"]["villages"]).removeprefix("Thôn ")
                name = _producer_name(rng, kind, thing, place if tries < 8 else f"{village} {place}", people)
            used_producers.add(name)
            producer = producer_plan(name, kind, district["legacy"], commune, None)
            producer.products.extend(chosen)
            producers.append(producer)

    recognised = [product for producer in producers for product in producer.products]
    if len(recognised) != COUNT_3_STAR_2022 + COUNT_4_STAR_2022:
        raise ValueError(f"the district counts add up to {len(recognised)} products, not 180")
    _plan_certificates(rng, data, producers, named_by_key)
    _add_drafts_and_pending(producers, producer_plan, used_products)
    return Plan(producers)


def _producer_name(rng: random.Random, kind: str, thing: str, place: str, people: _People) -> str:
    lower = thing[0].lower() + thing[1:]
    if kind == "cooperative":
        return rng.choice(
            [
                f"HTX Nông nghiệp {place}",
                f"HTX Dịch vụ nông nghiệp {place}",
                f"HTX {thing} {place}",
                f"HTX Sản xuất và Tiêu thụ {lower} {place}",
                f"HTX Dịch vụ tổng hợp {place}",
                f"HTX Nông nghiệp xanh {place}",
            ]
        )
    if kind == "coop_group":
        return rng.choice([f"THT {thing} {place}", f"THT Sản xuất {lower} {place}"])
    if kind == "enterprise":
        return rng.choice(
            [
                f"Công ty TNHH {thing} {place}",
                f"Công ty TNHH Nông sản {place}",
                f"Công ty CP Thực phẩm {place}",
                f"Công ty TNHH Thương mại và Dịch vụ {place}",
            ]
        )
    if kind == "registered_household":
        return f"Hộ kinh doanh {people.person()[0]}"
    return f"Hộ sản xuất {people.person()[0]}"


def _plan_certificates(
    rng: random.Random, data: dict[str, Any], producers: list[ProducerPlan], named: dict[str, ProductPlan]
) -> None:
    by_product = {id(p): producer for producer in producers for p in producer.products}
    named_specs = {spec["key"]: spec for spec in data["named"]}
    lychee = named["lychee"]
    others = [p for producer in producers for p in producer.products if p is not lychee]

    # Stars in 2022: the named ones as given, then 4★ drawn among the rest.
    stars: dict[int, int] = {id(named[k]): spec["star_2022"] for k, spec in named_specs.items()}
    named_ids = set(stars)
    plain = [p for p in others if id(p) not in named_ids]
    wanted_4 = COUNT_4_STAR_2022 - sum(1 for s in stars.values() if s == 4)
    four = {id(p) for p in rng.sample(plain, wanted_4)}
    for p in plain:
        stars[id(p)] = 4 if id(p) in four else 3

    # Rounds: fixed ones for the named products that have one, the rest shuffled.
    slots = [day for day, count in FIRST_ROUNDS for _ in range(count)]
    fixed = {id(lychee): LYCHEE_4_STAR[0]}
    for key, spec in named_specs.items():
        if "round" in spec:
            fixed[id(named[key])] = dt.date.fromisoformat(spec["round"])
    for day in fixed.values():
        slots.remove(day)
    rng.shuffle(slots)
    first_day = dict(fixed)
    for p in [p for p in others if id(p) not in fixed]:
        first_day[id(p)] = slots.pop()

    # Who is re-evaluated: every named product, and others up to 60 %.
    keep = round(SHARE_REEVALUATED * len(others))
    named_others = [p for p in others if id(p) in named_ids]
    alive = {id(p) for p in named_others} | {id(p) for p in rng.sample(plain, keep - len(named_others))}
    upgrade_named = {id(named[k]) for k, spec in named_specs.items() if spec.get("upgrade")}

    for product in [lychee, *others]:
        district = by_product[id(product)].district
        day = first_day[id(product)]
        star = stars[id(product)]
        score = LYCHEE_4_STAR[1] if product is lychee else _score(rng, star)
        cert = _certificate(day, star, score, district)
        product.certificates.append(cert)
        if product is lychee:
            product.proposal_star = 5
            five_day, five_score = LYCHEE_5_STAR
            product.certificates.append(_certificate(five_day, 5, five_score, district))
            continue
        if id(product) not in alive:
            continue
        first_reevaluation = True
        while True:
            # The new decision comes a little after the old certificate ends.
            day = _decision_day(cert.expires_on + dt.timedelta(days=rng.randint(5, 75)))
            if day > LAST_ISSUE_DAY:
                break
            upgrade = star == 3 and (
                rng.random() < UPGRADE_CHANCE or (first_reevaluation and id(product) in upgrade_named)
            )
            star = 4 if upgrade else star
            cert = _certificate(day, star, _score(rng, star), district)
            product.certificates.append(cert)
            first_reevaluation = False

    _number_certificates(rng, producers)


def _working_day(day: dt.date) -> dt.date:
    """Decisions are signed on working days: a Saturday or Sunday moves to the Monday."""
    return day + dt.timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


def _decision_day(day: dt.date) -> dt.date:
    """The day a re-evaluation decision is signed: a working day, never while no level could recognise 3★.

    Between the merger and QĐ 1489/2025 the rulebook in force still named the
    abolished districts as the certifying level of 3★; the demo's province
    waits for the amendment rather than sign under a level that no longer existed.
    """
    if MERGER_DAY <= day < AMENDMENT_DAY:
        day = AMENDMENT_DAY
    return _working_day(day)


def _certificate(day: dt.date, star: int, score: Decimal, district: str) -> CertificatePlan:
    return CertificatePlan(
        star=star,
        score=score,
        issued_on=day,
        expires_on=add_months(day, VALIDITY_MONTHS),
        issuing_body=issuing_body(day, star, district),
        rulebook=rulebook_on(day),
    )


def _number_certificates(rng: random.Random, producers: list[ProducerPlan]) -> None:
    """Decision and certificate numbers, in order of issue: one decision per body and day."""
    certs = [c for producer in producers for product in producer.products for c in product.certificates]
    order = sorted(range(len(certs)), key=lambda i: (certs[i].issued_on, i))
    decisions: dict[tuple[str, dt.date], str] = {}
    numbers_used: set[tuple[str, int, str]] = set()
    serials: dict[tuple[str, int], int] = {}
    for i in order:
        cert = certs[i]
        key = (cert.issuing_body, cert.issued_on)
        if key not in decisions:
            suffix = "QĐ-BNN-VPĐP" if cert.issuing_body == MINISTRY else "QĐ-UBND"
            # A body numbers its decisions once per year: no number twice in a year.
            number = f"{rng.randint(120, 3400)}/{suffix}"
            while (cert.issuing_body, cert.issued_on.year, number) in numbers_used:
                number = f"{rng.randint(120, 3400)}/{suffix}"
            numbers_used.add((cert.issuing_body, cert.issued_on.year, number))
            decisions[key] = number
        cert.decision_number = decisions[key]
        if cert.issuing_body == MINISTRY:
            prefix = "TW"
        elif cert.issued_on >= MERGER_DAY:
            prefix = "BN"
        else:
            prefix = "BG"
        serial_key = (prefix, cert.issued_on.year)
        serials[serial_key] = serials.get(serial_key, 0) + 1
        cert.number = f"{prefix}-OCOP-{cert.issued_on.year}-{serials[serial_key]:04d}"


def _add_drafts_and_pending(producers: list[ProducerPlan], producer_plan: Any, used: set[str]) -> None:
    by_name = {p.name: p for p in producers}
    drafts = {
        LYCHEE_PRODUCER: ("Vải thiều sấy khô Hồng Xuân", 7, "Vải thiều sấy khô nguyên quả, sấy bằng lò than hoa."),
        CHICKEN_PRODUCER: (
            "Gà đồi ủ muối lá chanh Đồng Tâm",
            8,
            "Gà đồi Yên Thế ủ muối hạt và lá chanh, hút chân không.",
        ),
    }
    for producer_name, (name, set_number, description) in drafts.items():
        by_name[producer_name].products.append(ProductPlan(name, set_number, description, status="draft"))
        used.add(name)
    # Registered on the platform after the merger, on the present-day map: the
    # commune officer of Xã Lục Ngạn has them to verify.
    pending = (
        ("HTX Nông sản sạch Phì Điền", "cooperative", ("Vải thiều sấy lạnh Phì Điền", 7)),
        ("THT Cam đường canh Tân Hoa", "coop_group", ("Cam đường canh Tân Hoa", 1)),
        ("Hộ kinh doanh Giáp Thị Hằng", "registered_household", ("Mật ong hoa vải nhà Hằng", 4)),
    )
    for name, kind, (product, set_number) in pending:
        producer = producer_plan(name, kind, "", COMMUNE_OF_DEMO, None)
        producer.status = "pending"
        producer.products.append(ProductPlan(product, set_number, f"{product}, sản phẩm đăng ký mới.", status="draft"))
        used.add(product)
        producers.append(producer)


def read_data(path: Path = DATA_FILE) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))
