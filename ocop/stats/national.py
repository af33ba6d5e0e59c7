"""A national-scale test data set for the statistics benchmark: 34 provinces, five years of OCOP history.

`generate(Scale(...))` fills an empty (throw-away) database with producers, products, certificates, evaluation
dossiers, rounds, councils, members' scorings and their criterion scores, deterministically from a seed:

- producers of every kind in the 34 present-day provinces; about 40 % registered under a legacy commune (the
  map before 1 July 2025) with the present-day commune an office would have set, as the demo does;
- products across the 26 product sets, with valid GTINs or none, OCOP codes `(T)-(X)-(STT)-(year)` given at
  first recognition (the communes' code serials are raised to match);
- two provincial rounds a year (and the central rounds for 5★), each with its council; a recognised dossier per
  certificate, re-evaluations 36 months later, upgrades, some certificates revoked, expired or extended, and
  proposals for 5★; dossiers at every other stage (draft to scored), some past their commune deadline, in the
  round under way;
- criterion scores (`ScoreEntry`) of the council members for the most recent evaluations, chosen on the real
  criteria sheets so that every member's total falls in the band of the evaluation's result. Only the current
  rulebook has its sheets as data, so every round is scored on those; older evaluations beyond the number of
  scores asked for keep their result (average, star) without the members' scorings.

Not generated: dossier timelines (StatusChange), frozen versions and commune reports, evidence files,
inspections, conflict declarations, and the traceability and stamp data.

It writes straight to the tables (bulk inserts with explicit keys, COPY on PostgreSQL): the audit log is
bypassed on purpose. That is only acceptable because the data is fake and the database is thrown away, so
`generate` refuses a database that already holds registry data (or a production setting) unless forced.
Generated producers carry `registration_number` starting with `MARK`, generated rounds a `plan_reference`
starting with it: that is how a generated registry is told apart from a real one.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import json
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TextIO

from django.conf import settings
from django.db import connection, models, transaction

MARK = "TEST-NAT"


class NationalDataError(RuntimeError):
    """The database is not one the generator may write to, or reference data is missing."""


@dataclass(frozen=True)
class Scale:
    producers: int = 10_000
    products: int = 20_000
    dossiers: int = 60_000
    scores: int = 1_000_000
    years: int = 5
    seed: int = 2026


@dataclass
class Summary:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())

    def lines(self) -> list[str]:
        out = [f"{name:<22} {count:>10,}" for name, count in self.counts.items()]
        out.append("")
        out += [f"{step:<22} {sec:10.2f} s" for step, sec in self.seconds.items()]
        out.append(f"{'total':<22} {self.total_seconds:10.2f} s")
        return out


# --- Guard ------------------------------------------------------------------------------------------------
def registry_rows() -> dict[str, tuple[int, int]]:
    """(generated, other) row counts of the registry tables the generator writes to."""
    from ocop.certificates.models import Certificate
    from ocop.councils.models import Round
    from ocop.evaluation.models import Dossier
    from ocop.registry.models import Producer, Product

    def split(qs: models.QuerySet, mark: models.Q) -> tuple[int, int]:
        ours = qs.filter(mark).count()
        return ours, qs.count() - ours

    return {
        "producers": split(Producer.objects.all(), models.Q(registration_number__startswith=MARK)),
        "products": split(Product.objects.all(), models.Q(producer__registration_number__startswith=MARK)),
        "certificates": split(
            Certificate.objects.all(), models.Q(product__producer__registration_number__startswith=MARK)
        ),
        "dossiers": split(Dossier.objects.all(), models.Q(producer__registration_number__startswith=MARK)),
        "rounds": split(Round.objects.all(), models.Q(plan_reference__startswith=MARK)),
    }


def check_database(force: bool = False) -> None:
    """Raise NationalDataError unless the database is one the generator may fill."""
    if force:
        return
    if getattr(settings, "PRODUCTION", False):
        raise NationalDataError("refusing to write a test data set with OCOP_PRODUCTION=true")
    rows = registry_rows()
    other = {name: n for name, (_ours, n) in rows.items() if n}
    if other:
        listed = ", ".join(f"{n} {name}" for name, n in other.items())
        raise NationalDataError(
            f"the database holds registry data that this generator did not write ({listed}): "
            "it only fills a throw-away database (use --force to write anyway)"
        )
    if any(ours for ours, _n in rows.values()):
        raise NationalDataError("the database already holds a generated data set: start from a fresh database")


# --- Writing ----------------------------------------------------------------------------------------------
class _Writer:
    """Inserts rows with explicit primary keys: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self) -> None:
        connection.ensure_connection()
        self.vendor = connection.vendor
        self.models: list[type[models.Model]] = []
        if self.vendor == "sqlite":
            # 128 MB of page cache: the indexes of the large tables are built in memory, not re-read from disk.
            connection.connection.execute("PRAGMA cache_size=-131072")

    def next_id(self, model: type[models.Model]) -> int:
        top = model._default_manager.aggregate(m=models.Max("pk"))["m"]
        return (top or 0) + 1

    @functools.lru_cache(maxsize=20_000)  # noqa: B019 - one writer per run; few distinct instants
    def ts(self, value: dt.datetime) -> str:
        utc = value.astimezone(dt.UTC)
        if self.vendor == "postgresql":
            return utc.isoformat(" ")
        return utc.replace(tzinfo=None).isoformat(" ")

    def _value(self, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return self.ts(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, (dict, list)):
            return json.dumps(value)
        return value

    def insert(
        self,
        model: type[models.Model],
        names: Sequence[str],
        rows: Iterable[Sequence[Any]],
        constants: dict[str, Any] | None = None,
    ) -> int:
        """Insert `rows` (values in the order of `names`, already adapted) plus constant columns.

        Every concrete column must be given, as a name or a constant, unless the field has a default or
        accepts NULL: a forgotten NOT NULL column fails here, not in the database.
        """
        meta = model._meta
        constants = dict(constants or {})
        given = set(names) | set(constants)
        for f in meta.concrete_fields:
            if f.attname in given or f.primary_key:
                continue  # a primary key not given is numbered by the database
            default = f.get_default()
            if default is None and not f.null:
                raise NationalDataError(f"{meta.label}.{f.attname}: no value given")
            constants[f.attname] = default
        col_names = [_column(meta, n) for n in names] + [_column(meta, n) for n in constants]
        tail = tuple(self._value(v) for v in constants.values())
        table = connection.ops.quote_name(meta.db_table)
        cols = ", ".join(connection.ops.quote_name(c) for c in col_names)
        count = 0

        def full() -> Iterator[tuple[Any, ...]]:
            nonlocal count
            for row in rows:
                count += 1
                yield (*row, *tail) if tail else tuple(row)

        if self.vendor == "postgresql":
            with connection.connection.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in full():
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(col_names))
            # Table and column names come from the models' metadata, never from input.
            sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"  # noqa: S608
            connection.connection.executemany(sql, full())
        if model not in self.models:
            self.models.append(model)
        return count

    def reset_sequences(self) -> None:
        from django.core.management.color import no_style

        sql = connection.ops.sequence_reset_sql(no_style(), self.models)
        if sql:
            with connection.cursor() as cur:
                for statement in sql:
                    cur.execute(statement)


def _column(meta: Any, attname: str) -> str:
    for f in meta.concrete_fields:
        if f.attname == attname:
            return f.column
    raise NationalDataError(f"{meta.label}: no column {attname}")


# --- Names ------------------------------------------------------------------------------------------------
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý")
MIDDLE_F = ("Thị", "Thị Thu", "Thị Minh", "Ngọc", "Thị Hồng")
MIDDLE_M = ("Văn", "Đức", "Minh", "Quang", "Hữu", "Công")
GIVEN_F = ("Lan", "Hoa", "Hương", "Mai", "Hạnh", "Thảo", "Ngân", "Yến", "Dung", "Trang")
GIVEN_M = ("Hùng", "Dũng", "Nam", "Sơn", "Tuấn", "Hải", "Long", "Thắng", "Bình", "Cường")
ETHNICITIES = ("Kinh",) * 8 + ("Tày", "Thái", "Mường", "Nùng", "H'Mông", "Khmer")
# (set number) → typical product names of that bộ sản phẩm.
NOUNS: dict[int, tuple[str, ...]] = {
    1: ("Vải thiều", "Bưởi", "Cam", "Nhãn", "Thanh long", "Rau an toàn"),
    2: ("Gà đồi", "Cá chép", "Trứng gà", "Bò tơ", "Tôm sú"),
    3: ("Gạo tám thơm", "Gạo nếp cái hoa vàng", "Gạo ST25", "Lạc nhân"),
    4: ("Mật ong rừng", "Mật ong hoa nhãn", "Mật mía"),
    5: ("Bánh mì", "Xôi gấc", "Bún chả"),
    6: ("Bánh đa", "Miến dong", "Bún khô", "Bánh chưng"),
    7: ("Vải sấy", "Mứt gừng", "Chuối sấy", "Tinh bột nghệ"),
    8: ("Giò chả", "Nem chua", "Chả cá", "Ruốc thịt"),
    9: ("Nước mắm", "Tương bần", "Mắm tôm"),
    10: ("Muối tôm", "Tỏi cô đơn", "Hạt tiêu"),
    11: ("Chè búp", "Chè Shan tuyết", "Trà xanh"),
    12: ("Trà hoa vàng", "Trà atiso", "Trà gừng"),
    13: ("Cà phê rang xay", "Cacao bột"),
    14: ("Rượu nếp", "Rượu ngô men lá"),
    15: ("Rượu vang sim", "Rượu mơ"),
    16: ("Nước khoáng", "Nước uống đóng chai"),
    17: ("Nước cốt gừng", "Nước ép chanh leo", "Sữa hạt"),
    18: ("Cao dược liệu", "Viên an thần"),
    19: ("Dầu gội thảo dược", "Xà phòng thảo mộc"),
    20: ("Tinh dầu sả", "Tinh dầu quế"),
    21: ("Mây tre đan", "Gốm", "Đồ gỗ mỹ nghệ"),
    22: ("Thổ cẩm", "Lụa tơ tằm"),
    23: ("Hoa lan", "Hoa đào"),
    24: ("Cây cảnh bonsai", "Quất cảnh"),
    25: ("Cá cảnh", "Chim cảnh"),
    26: ("Du lịch cộng đồng", "Điểm du lịch sinh thái"),
}
# Food and drinks make most of the programme; tourism (26) is made by associations mostly.
SET_WEIGHTS = {n: (6 if n <= 13 else 3 if n <= 20 else 2) for n in range(1, 26)}
KINDS = (
    ("cooperative", 35),
    ("coop_group", 8),
    ("enterprise", 25),
    ("farm", 4),
    ("household", 12),
    ("registered_household", 13),
    ("association", 3),
)
COOP_WORDS = ("Nông nghiệp", "Dịch vụ nông nghiệp", "Nông sản sạch", "Chế biến nông sản", "Sản xuất và thương mại")
REVOCATION_GROUNDS = ("criteria_not_met", "law_violation", "mark_misuse", "production_stopped")
OPEN_STATUSES = (
    ("draft", 15),
    ("submitted", 16),
    ("returned", 9),
    ("forwarded", 10),
    ("under_review", 10),
    ("in_council", 22),
    ("scored", 14),
    ("proposed_central", 4),
)
SCORERS = 5  # the chair and four members score; the secretary does not
BANDS = {5: (90, 101), 4: (70, 90), 3: (50, 70), 2: (30, 50)}


def _place(name: str) -> str:
    for prefix in ("Thị trấn ", "Phường ", "Xã ", "Đặc khu "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def _gtin13(rng: random.Random) -> str:
    from ocop.registry.validators import gtin_check_digit

    body = f"893{rng.randrange(10**9):09d}"
    return body + str(gtin_check_digit(body))


def _tax_code(rng: random.Random) -> str:
    from ocop.registry.validators import tax_code_check_digit

    while True:
        nine = f"{rng.randrange(10**8, 10**9):09d}"
        check = tax_code_check_digit(nine)
        if check is not None:
            return nine + str(check)


@functools.lru_cache(maxsize=20_000)
def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.timezone(dt.timedelta(hours=7)))


# --- Plan objects -----------------------------------------------------------------------------------------
@dataclass
class _Round:
    id: int
    level: str
    province_id: int | None
    year: int
    number: int
    proposals_by: dt.date
    ends_on: dt.date
    rulebook: str
    decision_date: dt.date
    decision_number: str
    body: str
    council_id: int = 0
    scorer_ids: list[int] = field(default_factory=list)  # CouncilMember ids of the scorers
    closer_user: int | None = None
    decision_id: int = 0
    recognised: list[tuple[int, int]] = field(default_factory=list)  # (evaluation id, certificate id)


@dataclass
class _Cert:
    id: int
    product: int
    star: int
    issued_on: dt.date
    expires_on: dt.date
    round: _Round
    score: Decimal = Decimal(0)
    revoked_on: dt.date | None = None
    extended_until: dt.date | None = None
    evaluation: _Eval | None = None  # the evaluation that decided it


@dataclass
class _Eval:
    id: int
    round: _Round
    dossier: int
    sheet: int
    status: str  # scoring | closed
    outcome: str
    star: int | None  # the result (band star) when closed; the target of the scores otherwise
    proposal: int | None = None
    average: Decimal | None = None
    scorings: list[tuple[int, list[int]]] = field(default_factory=list)  # (member id, option index per criterion)


class _Generator:
    def __init__(self, scale: Scale, today: dt.date, writer: _Writer, out: Callable[[str], None]) -> None:
        self.scale = scale
        self.today = today
        self.w = writer
        self.rng = random.Random(scale.seed)
        self.out = out
        self.summary = Summary()
        self._t = time.perf_counter()

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.summary.seconds[step] = now - self._t
        self._t = now
        self.out(f"  {step:<22} {self.summary.seconds[step]:8.2f} s")

    # -- reference data --
    def load_reference(self) -> None:
        from ocop.geo.models import AdminUnit
        from ocop.registry.models import ProductSet
        from ocop.rules.rulebooks import current_rulebook

        self.provinces = list(AdminUnit.objects.current().provinces().order_by("code").values("id", "code", "name"))
        if len(self.provinces) != 34:
            raise NationalDataError("the present-day map is not loaded: run `manage.py load_reference` first")
        self.current = defaultdict(list)
        self.unit_code: dict[int, str] = {}
        self.unit_name: dict[int, str] = {}
        for uid, code, name, prov in (
            AdminUnit.objects.current().communes().values_list("id", "code", "name", "province_id")
        ):
            self.current[prov].append(uid)
            self.unit_code[uid] = code
            self.unit_name[uid] = name
        self.legacy = defaultdict(list)
        for uid, name, succ in AdminUnit.objects.legacy().communes().values_list("id", "name", "successor_province_id"):
            if succ:
                self.legacy[succ].append(uid)
                self.unit_name[uid] = name
        sets = {n: pk for pk, n in ProductSet.objects.values_list("pk", "number")}
        if len(sets) < 26:
            raise NationalDataError("the product taxonomy is not loaded: run `manage.py load_reference` first")
        self.set_id = sets
        self.rulebook = current_rulebook()
        # Per sheet: [(criterion code, [(points, option id)] sorted by points)].
        self.sheets: dict[int, list[tuple[str, list[tuple[int, str]]]]] = {}
        self.points: dict[int, list[list[int]]] = {}  # the same, points only
        for sheet in self.rulebook.sheets:
            crits = [(c.code, sorted((o.points, o.id) for o in c.options)) for c in sheet.criteria]
            for number in sheet.product_sets:
                self.sheets[number] = crits
                self.points[number] = [[p for p, _id in options] for _code, options in crits]

    # -- people --
    def person(self) -> tuple[str, str]:
        rng = self.rng
        if rng.random() < 0.5:
            return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_F)} {rng.choice(GIVEN_F)}", "female"
        return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_M)} {rng.choice(GIVEN_M)}", "male"

    def council_users(self) -> None:
        """Six council people per province and six at the centre (chair, secretary, four members)."""
        from django.contrib.auth.hashers import make_password

        from ocop.accounts.models import Role, User

        wanted: list[tuple[str, int | None]] = []
        for prov in self.provinces:
            wanted += [(f"nat_{prov['code']}_{k}", prov["id"]) for k in range(6)]
        wanted += [(f"nat_tw_{k}", None) for k in range(6)]
        existing = dict(User.objects.filter(username__in=[u for u, _ in wanted]).values_list("username", "pk"))
        unusable = make_password(None)
        new = []
        for username, prov in wanted:
            if username in existing:
                continue
            name, _gender = self.person()
            new.append(
                User(
                    username=username,
                    password=unusable,
                    full_name=name,
                    role=Role.COUNCIL if prov else Role.CENTRAL,
                    province_id=prov,
                )
            )
        User.objects.bulk_create(new)
        ids = dict(User.objects.filter(username__in=[u for u, _ in wanted]).values_list("username", "pk"))
        self.people: dict[int | None, list[int]] = defaultdict(list)
        for username, prov in wanted:
            self.people[prov].append(ids[username])
        self.summary.counts["council users"] = len(new)

    # -- producers and products --
    def producers(self) -> None:
        from ocop.lib.text import fold
        from ocop.registry.models import Producer

        rng, n = self.rng, self.scale.producers
        start = self.w.next_id(Producer)
        weights = [rng.uniform(0.4, 2.0) for _ in self.provinces]
        kinds, kind_w = zip(*KINDS, strict=True)
        history_start = dt.date(self.today.year - self.scale.years + 1, 1, 1)
        self.producer_rows: list[tuple[int, str, int, int | None, int]] = []  # id, kind, province, commune, status
        rows = []
        for i in range(n):
            pid = start + i
            # Every province has producers; beyond the first 34, larger provinces get more.
            prov = self.provinces[i] if i < len(self.provinces) else rng.choices(self.provinces, weights)[0]
            current = rng.choice(self.current[prov["id"]])
            legacy = self.legacy.get(prov["id"])
            commune = rng.choice(legacy) if legacy and rng.random() < 0.4 else current
            kind = rng.choices(kinds, kind_w)[0]
            place = _place(self.unit_name[commune])
            rep, gender = self.person()
            if kind == "cooperative":
                name = f"HTX {rng.choice(COOP_WORDS)} {place}"
            elif kind == "coop_group":
                name = f"Tổ hợp tác {rng.choice(COOP_WORDS).lower()} {place}"
            elif kind == "enterprise":
                name = f"{rng.choice(('Công ty TNHH', 'Công ty cổ phần'))} {rng.choice(COOP_WORDS)} {place}"
            elif kind == "farm":
                name = f"Trang trại {rep.split()[-1]} {place}"
            elif kind == "association":
                name = f"Hội du lịch cộng đồng {place}"
            else:
                name = f"{'Hộ kinh doanh' if kind == 'registered_household' else 'Hộ sản xuất'} {rep}"
            if kind in ("household", "registered_household"):
                tax = f"{int(prov['code']):03d}{rng.randrange(10**9):09d}" if rng.random() < 0.6 else ""
            else:
                tax = _tax_code(rng)
            status = rng.choices(("verified", "pending", "suspended", "rejected"), (92, 5, 2, 1))[0]
            founded = history_start - dt.timedelta(days=rng.randint(200, 7000))
            created = _at(history_start - dt.timedelta(days=rng.randint(1, 700)))
            rows.append(
                (
                    pid,
                    name,
                    fold(name),
                    kind,
                    tax,
                    f"{MARK}-{self.scale.seed}-{i + 1:06d}",
                    founded.isoformat(),
                    commune,
                    current,
                    prov["id"],
                    f"Thôn {rng.randint(1, 12)}",
                    f"09{rng.randrange(10**8):08d}",
                    rng.randint(7, 120) if kind in ("cooperative", "coop_group", "association") else None,
                    rng.randint(2, 80),
                    rep,
                    "Giám đốc" if kind in ("cooperative", "enterprise") else "Chủ hộ",
                    gender,
                    rng.choice(ETHNICITIES),
                    f"{int(prov['code']):03d}{rng.randrange(10**9):09d}",
                    status,
                    self.w.ts(created + dt.timedelta(days=30)) if status == "verified" else None,
                    self.w.ts(created),
                    self.w.ts(created),
                )
            )
            self.producer_rows.append((pid, kind, prov["id"], current, status))
        names = (
            "id name folded_name kind tax_code registration_number founded_on commune_id current_commune_id "
            "province_id street phone members_count workers_count rep_name rep_position rep_gender rep_ethnicity "
            "rep_id_number status verified_at created_at updated_at"
        ).split()
        self.w.insert(Producer, names, rows)
        self.summary.counts["producers"] = n
        self.province_code = {p["id"]: p["code"] for p in self.provinces}
        self.province_name = {p["id"]: p["name"] for p in self.provinces}

    def products(self) -> None:
        rng, n = self.rng, self.scale.products
        from ocop.registry.models import Product

        start = self.w.next_id(Product)
        set_numbers = list(SET_WEIGHTS)
        set_w = list(SET_WEIGHTS.values())
        producers = self.producer_rows
        # (id, set number, province, commune, producer status, producer kind, producer id): every producer
        # makes at least one product.
        self.product_rows: list[tuple[int, int, int, int, str, str, int]] = []
        for i in range(n):
            producer, kind, prov, commune, status = producers[i] if i < len(producers) else rng.choice(producers)
            if kind == "association" or rng.random() < 0.02:
                number = 26
            else:
                number = rng.choices(set_numbers, set_w)[0]
            self.product_rows.append((start + i, number, prov, commune, status, kind, producer))
        self.product_start = start

    # -- history --
    def rounds(self) -> None:
        from ocop.councils.models import Council, CouncilMember, Round
        from ocop.rules.rulebooks import rulebook_for

        rng = self.rng
        years = range(self.today.year - self.scale.years + 1, self.today.year + 1)
        existing = {
            (r["level"], r["province_id"], r["year"], r["number"]): r["id"]
            for r in Round.objects.filter(year__in=list(years)).values("id", "level", "province_id", "year", "number")
        }
        councils = dict(Council.objects.filter(round_id__in=list(existing.values())).values_list("round_id", "pk"))
        next_round, next_council = self.w.next_id(Round), self.w.next_id(Council)
        next_member = self.w.next_id(CouncilMember)
        round_rows, council_rows, member_rows = [], [], []
        self.province_rounds: dict[int, list[_Round]] = defaultdict(list)
        self.central_rounds: list[_Round] = []
        seq = 0
        specs = [(prov["id"], "province") for prov in self.provinces] + [(None, "central")]
        for prov, level in specs:
            for year in years:
                for regular in self.rulebook.rounds_at(level):
                    proposals_by, ends_on = regular.dates(year)
                    seq += 1
                    book = rulebook_for(proposals_by) or self.rulebook
                    decision_date = ends_on - dt.timedelta(days=rng.randint(0, 10))
                    if level == "province":
                        number = f"{seq}/QĐ-UBND-{year}"
                        body = f"Ủy ban nhân dân {self.province_name[prov]}"
                    else:
                        number = f"{seq}/QĐ-BNNMT-{year}"
                        body = "Bộ Nông nghiệp và Môi trường"
                    key = (level, prov, year, regular.number)
                    rid = existing.get(key)
                    if rid is None:
                        rid = next_round
                        next_round += 1
                        round_rows.append(
                            (
                                rid,
                                level,
                                prov,
                                year,
                                regular.number,
                                book.code,
                                proposals_by.isoformat(),
                                ends_on.isoformat(),
                                f"{MARK} (seed {self.scale.seed})",
                                self.w.ts(_at(proposals_by - dt.timedelta(days=60))),
                            )
                        )
                    r = _Round(
                        rid,
                        level,
                        prov,
                        year,
                        regular.number,
                        proposals_by,
                        ends_on,
                        book.code,
                        decision_date,
                        number,
                        body,
                    )
                    cid = councils.get(rid)
                    functions = ("chair", "secretary", "member", "member", "member", "member")
                    if cid is None:
                        cid = next_council
                        next_council += 1
                        council_rows.append((cid, rid, level, f"{seq}/QĐ-HĐ", self.w.ts(_at(proposals_by))))
                    else:
                        functions = ("member",) * 5 + ("advisory",)  # the existing council keeps its chair
                    r.council_id = cid
                    for user, function in zip(self.people[prov], functions, strict=True):
                        member_rows.append((next_member, cid, user, function, self.w.ts(_at(proposals_by))))
                        if function in ("chair", "member") and len(r.scorer_ids) < SCORERS:
                            r.scorer_ids.append(next_member)
                        if function == "chair" or (r.closer_user is None and function == "member"):
                            r.closer_user = user
                        next_member += 1
                    if level == "province":
                        self.province_rounds[prov].append(r)
                    else:
                        self.central_rounds.append(r)
        for rounds in (*self.province_rounds.values(), self.central_rounds):
            rounds.sort(key=lambda r: r.ends_on)
        self.w.insert(
            Round,
            "id level province_id year number rulebook proposals_by ends_on plan_reference created_at".split(),
            round_rows,
        )
        self.w.insert(Council, "id round_id level established_by created_at".split(), council_rows)
        self.w.insert(CouncilMember, "id council_id user_id function added_at".split(), member_rows)
        self.summary.counts["rounds"] = len(round_rows)
        self.summary.counts["council members"] = len(member_rows)

    def central_after(self, province_round: _Round) -> _Round | None:
        return next((r for r in self.central_rounds if r.proposals_by >= province_round.ends_on), None)

    def history(self) -> None:
        """Certificates, dossiers, evaluations and proposals, product by product."""
        from ocop.certificates.models import Certificate, Proposal
        from ocop.councils.models import Evaluation
        from ocop.evaluation.models import Dossier
        from ocop.lib.clock import add_months

        rng, today = self.rng, self.today
        cert_id, dossier_id = self.w.next_id(Certificate), self.w.next_id(Dossier)
        eval_id, proposal_id = self.w.next_id(Evaluation), self.w.next_id(Proposal)
        self.certs: list[_Cert] = []
        # (id, product, producer, commune, province, kind, certificate, rulebook, sheet, status, submitted,
        # commune deadline, forwarded, created)
        self.dossiers: list[tuple] = []
        self.evals: list[_Eval] = []
        self.proposals: list[tuple] = []
        self.open_product: set[int] = set()
        self.latest_cert: dict[int, _Cert] = {}
        budget = self.scale.dossiers
        recognised_share = 0.62
        chain_budget = int(budget * 0.5)

        def new_dossier(product, kind, status, rnd: _Round | None, *, cert: _Cert | None = None, day=None) -> int:
            nonlocal dossier_id
            pid, number, prov, commune = product[:4]
            did = dossier_id
            dossier_id += 1
            if rnd is not None and rnd.ends_on >= today and status in ("draft", "submitted", "returned"):
                # Still at the commune in the round under way: filed in the last weeks, some past the deadline.
                created = today - dt.timedelta(days=rng.randint(3, 45))
            elif rnd is not None:
                created = rnd.proposals_by - dt.timedelta(days=rng.randint(20, 110))
            else:
                created = day
            created = min(created, today)
            submitted = created + dt.timedelta(days=rng.randint(1, 12)) if status != "draft" else None
            if submitted is not None and submitted > today:
                submitted = today
            deadline = submitted + dt.timedelta(days=21) if submitted else None
            forwarded = None
            if status not in ("draft", "submitted", "returned", "withdrawn") and submitted:
                forwarded = min(submitted + dt.timedelta(days=rng.randint(5, 20)), today)
            self.dossiers.append(
                (
                    did,
                    pid,
                    product[6],
                    commune,
                    prov,
                    kind,
                    cert.id if cert else None,
                    (rnd.rulebook if rnd else self.rulebook.code),
                    number,
                    status,
                    submitted,
                    deadline,
                    forwarded,
                    created,
                )
            )
            if status not in ("recognised", "not_recognised", "withdrawn"):
                self.open_product.add(pid)
            return did

        def new_eval(rnd: _Round, did: int, number: int, status: str, outcome: str, star: int | None) -> _Eval:
            nonlocal eval_id
            ev = _Eval(eval_id, rnd, did, number, status, outcome, star)
            eval_id += 1
            self.evals.append(ev)
            return ev

        def new_proposal(pid: int, rnd: _Round) -> int:
            nonlocal proposal_id
            self.proposals.append(
                (
                    proposal_id,
                    pid,
                    5,
                    rnd.decision_date.isoformat(),
                    f"Hội đồng đánh giá, phân hạng sản phẩm OCOP {self.province_name[rnd.province_id]}",
                )
            )
            proposal_id += 1
            return proposal_id - 1

        def recognise(product, rnd: _Round, star: int, kind: str, previous: _Cert | None) -> _Cert | None:
            """A dossier recognised at `rnd` (through the central round for 5★); None while still pending."""
            nonlocal cert_id
            pid, number = product[0], product[1]
            deciding = rnd
            if star == 5:
                central = self.central_after(rnd)
                did = new_dossier(product, kind, "recognised", rnd, cert=previous)
                ev = new_eval(rnd, did, number, "closed", "proposed_central", 5)
                ev.proposal = new_proposal(pid, rnd)
                if central is None or central.ends_on >= today:
                    # Still before the central council: the dossier waits there.
                    self.dossiers[-1] = (*self.dossiers[-1][:9], "proposed_central", *self.dossiers[-1][10:])
                    self.open_product.add(pid)
                    return None
                ev = new_eval(central, did, number, "closed", "recognised", 5)
                deciding = central
            else:
                did = new_dossier(product, kind, "recognised", rnd, cert=previous)
                ev = new_eval(rnd, did, number, "closed", "recognised", star)
            issued = deciding.decision_date
            cert = _Cert(cert_id, pid, star, issued, add_months(issued, 36), deciding, evaluation=ev)
            cert_id += 1
            deciding.recognised.append((self.evals[-1].id, cert.id))
            self.certs.append(cert)
            self.latest_cert[pid] = cert
            return cert

        products = list(self.product_rows)
        rng.shuffle(products)
        chained = 0
        for product in products:
            pid, _number, prov, _commune, producer_status, *_rest = product
            if producer_status != "verified" or rng.random() > recognised_share or chained >= chain_budget:
                continue
            rounds = [r for r in self.province_rounds[prov] if r.ends_on < today]
            if not rounds:
                continue
            rnd = rng.choices(rounds, [i + 2 for i in range(len(rounds))])[0]
            star = rng.choices((3, 4, 5), (70, 27, 3))[0]
            before = len(self.dossiers)
            cert = recognise(product, rnd, star, "first", None)
            while cert is not None:
                if rng.random() < 0.03:
                    span = (min(cert.expires_on, today) - cert.issued_on).days
                    if span > 60:
                        cert.revoked_on = cert.issued_on + dt.timedelta(days=rng.randint(60, span))
                        break
                window_opens = cert.expires_on - dt.timedelta(days=180)
                if window_opens > today:
                    break  # in force, re-evaluation not due yet
                following = next(
                    (
                        r
                        for r in self.province_rounds[prov]
                        if window_opens <= r.ends_on <= cert.expires_on + dt.timedelta(days=45)
                    ),
                    None,
                )
                if following is None or rng.random() > 0.72:
                    # Not re-evaluated (yet): it expires, or an office extends it under the transition rule,
                    # more often when the expiry is recent (the decision is still awaited).
                    recent = cert.expires_on >= today - dt.timedelta(days=180)
                    if cert.expires_on < today and rng.random() < (0.6 if recent else 0.12):
                        # A recent one is still extended today: its decision is awaited.
                        low = min(180, max(30, (today - cert.expires_on).days + 1)) if recent else 30
                        cert.extended_until = cert.expires_on + dt.timedelta(days=rng.randint(low, 180))
                    break
                if following.ends_on >= today:
                    # Re-evaluation under way in the current round.
                    status = rng.choices(("submitted", "forwarded", "under_review", "in_council", "scored"))[0]
                    did = new_dossier(product, "reevaluation", status, following, cert=cert)
                    if status in ("in_council", "scored"):
                        new_eval(
                            following,
                            did,
                            product[1],
                            "scoring" if status == "in_council" else "closed",
                            "" if status == "in_council" else "awaiting_decision",
                            cert.star,
                        )
                    break
                change = rng.random()
                new_star, kind = cert.star, "reevaluation"
                if change < 0.12 and cert.star < 5:
                    new_star, kind = cert.star + 1, "upgrade"
                elif change < 0.17 and cert.star > 3:
                    new_star = cert.star - 1
                previous = cert
                cert = recognise(product, following, new_star, kind, previous)
                if cert is not None and cert.issued_on > previous.expires_on + dt.timedelta(days=1):
                    # Kept in force until the late decision (transition rule).
                    previous.extended_until = cert.issued_on - dt.timedelta(days=1)
            chained += len(self.dossiers) - before

        # The rest of the dossiers: not recognised, withdrawn, and open at every stage in the current round.
        current_round: dict[int, _Round | None] = {
            prov: next((r for r in rounds if r.ends_on >= today), None) for prov, rounds in self.province_rounds.items()
        }
        history_start = dt.date(today.year - self.scale.years + 1, 1, 1)
        open_names, open_w = zip(*OPEN_STATUSES, strict=True)
        free = [p for p in products if p[0] not in self.open_product]
        rng.shuffle(free)
        while len(self.dossiers) < budget:
            product = rng.choice(products)
            pid, number, prov = product[:3]
            pick = rng.random()
            rnd_now = current_round.get(prov)
            if pick < 0.45 and free and rnd_now is not None:
                product = free.pop()
                pid, number, prov = product[:3]
                rnd_now = current_round.get(prov)
                if rnd_now is None:
                    continue
                status = rng.choices(open_names, open_w)[0]
                cert = self.latest_cert.get(pid)
                kind = "first" if cert is None else "upgrade"
                if status == "proposed_central":
                    if kind == "upgrade" and cert.star == 5:
                        status = "scored"
                    did = new_dossier(product, kind, status, rnd_now, cert=cert)
                    if status == "proposed_central":
                        ev = new_eval(rnd_now, did, number, "closed", "proposed_central", 5)
                        ev.proposal = new_proposal(pid, rnd_now)
                    else:
                        new_eval(rnd_now, did, number, "closed", "awaiting_decision", 5)
                    continue
                did = new_dossier(product, kind, status, rnd_now, cert=cert)
                if status == "in_council":
                    new_eval(rnd_now, did, number, "scoring", "", rng.choices((3, 4), (70, 30))[0])
                elif status == "scored":
                    new_eval(rnd_now, did, number, "closed", "awaiting_decision", rng.choices((3, 4), (70, 30))[0])
                continue
            past = [r for r in self.province_rounds[prov] if r.ends_on < today]
            cert = self.latest_cert.get(pid)
            kind = "first" if cert is None else "upgrade"
            if pick < 0.72 and past:
                rnd = rng.choice(past)
                did = new_dossier(product, kind, "not_recognised", rnd, cert=cert)
                new_eval(rnd, did, number, "closed", "not_recognised", 2)
            else:
                day = history_start + dt.timedelta(days=rng.randint(0, max(1, (today - history_start).days - 30)))
                new_dossier(product, kind, "withdrawn", None, cert=cert, day=day)

        # Revoked certificates' owners sometimes stopped making the product.
        self.discontinued = {c.product for c in self.certs if c.revoked_on and rng.random() < 0.5}
        self.summary.counts["certificates"] = len(self.certs)
        self.summary.counts["dossiers"] = len(self.dossiers)
        self.summary.counts["evaluations"] = len(self.evals)
        self.summary.counts["proposals"] = len(self.proposals)

    # -- criterion scores --
    def scores(self) -> None:
        """Members' scorings for the most recent evaluations until the number of criterion scores is reached."""
        rng = self.rng
        remaining = self.scale.scores
        closed = sorted(
            (e for e in self.evals if e.status == "closed"), key=lambda e: (-e.round.ends_on.toordinal(), e.id)
        )
        open_ = [e for e in self.evals if e.status == "scoring"]
        for ev in closed:
            size = len(self.sheets[ev.sheet]) * SCORERS
            if remaining < size:
                break
            for member in ev.round.scorer_ids:
                ev.scorings.append((member, self.pick(ev.sheet, ev.star or 3)))
            remaining -= size
        # Councils of the current round are half-way: some members have scored.
        for ev in open_:
            for member in ev.round.scorer_ids[: rng.randint(0, SCORERS)]:
                size = len(self.sheets[ev.sheet])
                if remaining <= 0:
                    break
                chosen = self.pick(ev.sheet, ev.star or 3)
                if remaining < size:
                    chosen = chosen[:remaining]  # the last scoring read in so far
                ev.scorings.append((member, chosen))
                remaining -= len(chosen)
        self.summary.counts["score entries"] = self.scale.scores - remaining

    def pick(self, sheet: int, star: int) -> list[int]:
        """Option indexes, one per criterion of the sheet, whose points add up inside the band of `star`.

        Each criterion starts near the same share of its maximum (a member's overall view of the product),
        with some noise; then single options are moved up or down until the total lies in the band.
        """
        rng = self.rng
        crits = self.points[sheet]
        low, high = BANDS[star]
        target = rng.uniform(low, min(high, 100.5) - 0.5)
        chosen = []
        total = 0
        for points in crits:
            want = points[-1] * target / 100 + rng.uniform(-1.0, 1.0)
            i = bisect.bisect_left(points, want)
            if i == len(points) or (i > 0 and want - points[i - 1] <= points[i] - want):
                i -= 1
            chosen.append(i)
            total += points[i]
        n = len(crits)
        while total < low:
            up = [k for k in range(n) if chosen[k] < len(crits[k]) - 1]
            if not up:
                break
            k = rng.choice(up)
            total += crits[k][chosen[k] + 1] - crits[k][chosen[k]]
            chosen[k] += 1
        while total >= high:
            down = [k for k in range(n) if chosen[k] > 0]
            if not down:
                break
            k = rng.choice(down)
            total -= crits[k][chosen[k]] - crits[k][chosen[k] - 1]
            chosen[k] -= 1
        return chosen

    # -- writing the history --
    def write_history(self) -> None:
        from ocop.certificates.models import Certificate, Proposal, Revocation
        from ocop.councils.models import Decision, Evaluation, ScoreEntry, Scoring
        from ocop.evaluation.models import Dossier, RegistrationSerial
        from ocop.lib.text import fold
        from ocop.registry.models import Product, ProductCodeSerial

        rng, w = self.rng, self.w
        # Scorings first (their totals give the evaluations' averages), then the evaluations and entries.
        scoring_rows = []
        next_scoring = w.next_id(Scoring)
        scoring_ids: list[tuple[int, _Eval, list[int]]] = []
        for ev in self.evals:
            totals = []
            crits = self.sheets[ev.sheet]
            for member, chosen in ev.scorings:
                total = sum(crits[i][1][k][0] for i, k in enumerate(chosen))
                totals.append(total)
                at = _at(ev.round.ends_on - dt.timedelta(days=rng.randint(3, 20)), 14)
                scoring_rows.append((next_scoring, ev.id, member, total, w.ts(at)))
                scoring_ids.append((next_scoring, ev, chosen))
                next_scoring += 1
            if ev.status == "closed":
                if totals and len(totals) == SCORERS:
                    ev.average = (Decimal(sum(totals)) / len(totals)).quantize(Decimal("0.01"))
                else:
                    low, high = BANDS[ev.star or 2]
                    ev.average = Decimal(rng.randint(low * 100, min(high, 100) * 100 - 1)) / 100
        # Product codes, numbered per present-day commune and year of first recognition.
        first: dict[int, _Cert] = {}
        for c in sorted(self.certs, key=lambda c: (c.issued_on, c.id)):
            first.setdefault(c.product, c)
        serials: dict[tuple[int, int], int] = dict(
            ((commune, year), last)
            for commune, year, last in ProductCodeSerial.objects.values_list("commune_id", "year", "last_serial")
        )
        known_serials = set(serials)
        codes: dict[int, str] = {}
        by_id = {p[0]: p for p in self.product_rows}
        for pid, c in sorted(first.items(), key=lambda kv: (kv[1].issued_on, kv[0])):
            _pid, _n, prov, commune, *_rest = by_id[pid]
            key = (commune, c.issued_on.year)
            serials[key] = serials.get(key, 0) + 1
            codes[pid] = (
                f"{self.province_code[prov].zfill(2)}-{self.unit_code[commune].zfill(5)}-"
                f"{serials[key]:03d}-{c.issued_on.year:04d}"
            )
        with_history = {d[1] for d in self.dossiers}
        rows = []
        for pid, number, prov, commune, producer_status, _kind, producer in self.product_rows:
            name = f"{rng.choice(NOUNS[number])} {_place(self.unit_name[commune])}"
            if pid in self.discontinued:
                status = "discontinued"
            elif pid in first or (producer_status == "verified" and pid in with_history):
                status = "active"
            else:
                status = rng.choices(("draft", "active"), (40, 60))[0]
            created = _at(dt.date(self.today.year - self.scale.years, 1, 1) + dt.timedelta(days=rng.randint(0, 360)))
            rows.append(
                (
                    pid,
                    producer,
                    name,
                    fold(name),
                    self.set_id[number],
                    codes.get(pid),
                    _gtin13(rng) if rng.random() < 0.45 else "",
                    status,
                    prov,
                    commune,
                    w.ts(created),
                    w.ts(created),
                )
            )
        w.insert(
            Product,
            "id producer_id name folded_name product_set_id code gtin status province_id current_commune_id "
            "created_at updated_at".split(),
            rows,
            {"description": "", "story": "", "specifications": ""},
        )
        self.summary.counts["products"] = len(rows)
        new_serials = [(c, y, n) for (c, y), n in serials.items() if (c, y) not in known_serials]
        for (c, y), n in serials.items():
            if (c, y) in known_serials:
                ProductCodeSerial.objects.filter(commune_id=c, year=y, last_serial__lt=n).update(last_serial=n)
        w.insert(ProductCodeSerial, "commune_id year last_serial".split(), new_serials)
        self.lap("products")

        cert_rows = []
        revocations = []
        next_rev = w.next_id(Revocation)
        for c in self.certs:
            token = rng.getrandbits(96).to_bytes(12, "big").hex()
            cert_rows.append(
                (
                    c.id,
                    c.product,
                    c.star,
                    str(c.evaluation.average if c.evaluation else c.score),
                    f"{MARK}-{c.id}",
                    c.round.decision_number,
                    c.round.decision_date.isoformat(),
                    c.round.body,
                    c.issued_on.isoformat(),
                    c.expires_on.isoformat(),
                    c.revoked_on.isoformat() if c.revoked_on else None,
                    "Thu hồi theo kết luận kiểm tra" if c.revoked_on else "",
                    c.extended_until.isoformat() if c.extended_until else None,
                    "Chờ quyết định đánh giá lại" if c.extended_until else "",
                    c.round.rulebook,
                    token,
                    w.ts(_at(c.issued_on)),
                )
            )
            if c.revoked_on:
                finding = c.revoked_on - dt.timedelta(days=rng.randint(3, 15))
                revocations.append(
                    (
                        next_rev,
                        c.id,
                        rng.choice(REVOCATION_GROUNDS),
                        finding.isoformat(),
                        f"{next_rev}/QĐ-THU-HOI",
                        c.revoked_on.isoformat(),
                        w.ts(_at(c.revoked_on)),
                    )
                )
                next_rev += 1
        w.insert(
            Certificate,
            "id product_id star score number decision_number decision_date issuing_body issued_on expires_on "
            "revoked_on revocation_reason extended_until extension_reason rulebook verify_token created_at".split(),
            cert_rows,
            {"source": "import"},
        )
        w.insert(
            Revocation,
            "id certificate_id ground finding_date decision_number decision_date created_at".split(),
            revocations,
            {"details": ""},
        )
        w.insert(Proposal, "id product_id star proposed_on proposed_by".split(), self.proposals, {"note": ""})
        self.summary.counts["revocations"] = len(revocations)
        self.lap("certificates")

        # Dossiers, with their registration numbers per commune and year.
        reg_serials: dict[tuple[int, int], int] = dict(
            ((c, y), n) for c, y, n in RegistrationSerial.objects.values_list("commune_id", "year", "last_serial")
        )
        known_reg = set(reg_serials)
        rows = []
        for (
            did,
            pid,
            producer,
            commune,
            prov,
            kind,
            cert,
            rulebook,
            sheet,
            status,
            submitted,
            deadline,
            forwarded,
            created,
        ) in self.dossiers:
            number = ""
            if submitted:
                key = (commune, submitted.year)
                reg_serials[key] = reg_serials.get(key, 0) + 1
                number = f"{reg_serials[key]}/PĐK-{self.province_code[prov]}-{self.unit_code[commune]}-{submitted.year}"
            rows.append(
                (
                    did,
                    pid,
                    producer,
                    commune,
                    prov,
                    kind,
                    cert,
                    rulebook,
                    sheet,
                    status,
                    number,
                    w.ts(_at(submitted, 10)) if submitted else None,
                    deadline.isoformat() if deadline else None,
                    w.ts(_at(forwarded, 15)) if forwarded else None,
                    "Bổ sung giấy chứng nhận an toàn thực phẩm còn hiệu lực." if status == "returned" else "",
                    w.ts(_at(created, 8)),
                    w.ts(_at(submitted or created, 16)),
                )
            )
        w.insert(
            Dossier,
            "id product_id producer_id commune_id province_id kind certificate_id rulebook sheet status "
            "registration_number submitted_at commune_deadline forwarded_at return_reasons created_at "
            "updated_at".split(),
            rows,
            {"form01": {}, "form02": {}, "self_assessment": {}, "samples_count": 2},
        )
        w.insert(
            RegistrationSerial,
            "commune_id year last_serial".split(),
            [(c, y, n) for (c, y), n in reg_serials.items() if (c, y) not in known_reg],
        )
        for (c, y), n in reg_serials.items():
            if (c, y) in known_reg:
                RegistrationSerial.objects.filter(commune_id=c, year=y, last_serial__lt=n).update(last_serial=n)
        self.lap("dossiers")

        w.insert(
            Scoring,
            "id evaluation_id member_id total created_at".split(),
            scoring_rows,
            {"reason": "", "is_current": True, "supersedes_id": None},
        )
        eval_rows = []
        for ev in self.evals:
            closed = ev.status == "closed"
            star = ev.star if closed else None
            eval_rows.append(
                (
                    ev.id,
                    ev.round.id,
                    ev.dossier,
                    ev.round.rulebook,
                    ev.sheet,
                    ev.status,
                    str(ev.average) if closed else None,
                    star,
                    star,
                    ev.proposal,
                    ev.outcome,
                    ev.round.closer_user if closed else None,
                    w.ts(_at(ev.round.ends_on - dt.timedelta(days=2), 17)) if closed else None,
                    w.ts(_at(ev.round.proposals_by, 9)),
                )
            )
        w.insert(
            Evaluation,
            "id round_id dossier_id rulebook sheet status average band_star final_star proposal_id outcome "
            "closed_by_id closed_at added_at".split(),
            eval_rows,
            {"written_opinions": False, "eligible": True, "reasons": [], "knockouts": []},
        )
        self.summary.counts["scorings"] = len(scoring_rows)
        self.lap("evaluations")

        def entries() -> Iterator[tuple[int, str, str, int]]:
            for sid, ev, chosen in scoring_ids:
                crits = self.sheets[ev.sheet]
                for i, k in enumerate(chosen):
                    code, options = crits[i]
                    points, option = options[k]
                    yield (sid, code, option, points)

        w.insert(ScoreEntry, "scoring_id criterion option points".split(), entries(), {"comment": ""})
        self.lap("score entries")

        # One recognition decision per round that recognised anything.
        next_decision = w.next_id(Decision)
        existing = set(Decision.objects.values_list("body", "number"))
        decision_rows, link_evals, link_certs = [], [], []
        for rnd in [r for rounds in self.province_rounds.values() for r in rounds] + self.central_rounds:
            if not rnd.recognised or (rnd.body, rnd.decision_number) in existing:
                continue
            decision_rows.append(
                (
                    next_decision,
                    rnd.level,
                    rnd.province_id,
                    rnd.decision_number,
                    rnd.decision_date.isoformat(),
                    "Chủ tịch" if rnd.level == "province" else "Bộ trưởng",
                    rnd.body,
                    w.ts(_at(rnd.decision_date)),
                )
            )
            link_evals += [(next_decision, e) for e, _c in rnd.recognised]
            link_certs += [(next_decision, c) for _e, c in rnd.recognised]
            next_decision += 1
        w.insert(Decision, "id level province_id number date signer body created_at".split(), decision_rows)
        w.insert(Decision.evaluations.through, ["decision_id", "evaluation_id"], link_evals, {})
        w.insert(Decision.certificates.through, ["decision_id", "certificate_id"], link_certs, {})
        self.summary.counts["decisions"] = len(decision_rows)


def generate(
    scale: Scale | None = None,
    *,
    force: bool = False,
    stdout: TextIO | None = None,
    today: dt.date | None = None,
) -> Summary:
    """Fill the database with a national test data set; see the module's docstring. Refuses a real registry."""
    from ocop.lib import clock

    scale = scale or Scale()
    check_database(force)
    today = today or clock.today()
    if scale.products < scale.producers:
        raise NationalDataError("there must be at least as many products as producers")

    def out(line: str) -> None:
        if stdout is not None:
            stdout.write(line + "\n")
            stdout.flush()

    with transaction.atomic():
        writer = _Writer()
        gen = _Generator(scale, today, writer, out)
        gen.load_reference()
        gen.council_users()
        gen.lap("reference data")
        gen.producers()
        gen.lap("producers")
        gen.products()
        gen.rounds()
        gen.lap("rounds and councils")
        gen.history()
        gen.scores()
        gen.lap("history (in memory)")
        gen.write_history()
        writer.reset_sequences()
        gen.lap("decisions")
        # Written straight to the tables (no model signal): the statistics kept so far count none of it.
        from ocop.stats.cache import changed

        changed()
    # Fresh planner statistics, or the first queries on the new rows are planned for empty tables.
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in writer.models)
            cur.execute(f"ANALYZE {tables}")
        else:
            cur.execute("ANALYZE")
    gen.lap("analyze")
    return gen.summary
