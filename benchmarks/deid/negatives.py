"""Hard negatives: delivery-domain strings that look like PII to a careless pattern but are not personal data.

Tracking and order numbers are long digit runs, pickup codes look like ``5-2-1201`` room numbers, dates hide
in 8-digit runs, brand names look like person names. Where a value could pass a PII validator by chance (an
18- or 19-digit order number can be Luhn-valid or carry a valid ID check character), it is made to fail,
so every negative here is unambiguous and a hit on it is a real false positive.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from values import BRANDS_LIKE_NAMES, FULLWIDTH, HOTLINES, id_check_char, luhn_ok

_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
_STATION_CITIES = (
    "杭州",
    "深圳",
    "广州",
    "上海",
    "北京",
    "武汉",
    "成都",
    "郑州",
    "义乌",
    "嘉兴",
    "华南",
    "华东",
)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class Negatives:
    """Seeded generator of hard negatives; ``make(kind)`` returns the text of one negative of that kind."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._kinds: dict[str, Callable[[], str]] = {
            "tracking": self.tracking,
            "order": self.order,
            "amount": self.amount,
            "date": self.date,
            "time": self.time,
            "datetime": self.datetime,
            "pickup": self.pickup,
            "weight": self.weight,
            "station": self.station,
            "vcode": lambda: self._digits(self.rng.choice((4, 6, 6))),
            "sku": self.sku,
            "count": self.count,
            "hotline": lambda: self.rng.choice(HOTLINES),
            "brand": lambda: self.rng.choice(BRANDS_LIKE_NAMES),
            "en_order": self.en_order,
            "en_amount": self.en_amount,
            "en_date": self.en_date,
            "en_weight": lambda: (
                f"{self.rng.randint(1, 30)}.{self.rng.randint(0, 9)} {self.rng.choice(('kg', 'lb'))}"
            ),
        }

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(self._kinds)

    def make(self, kind: str) -> str:
        return self._kinds[kind]()

    def _digits(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    def _unvalidated(self, n: int) -> str:
        """n random digits that are neither Luhn-valid nor (for 18 digits) a valid ID check character."""
        while True:
            s = self.rng.choice("23456789") + self._digits(n - 1)
            if luhn_ok(s) or (n == 18 and id_check_char(s[:17]) == s[17]):
                continue
            return s

    def tracking(self) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.55:
            return rng.choice(("SF", "YT", "JT", "PG")) + self._digits(13)
        if r < 0.72:
            return "7" + rng.choice("3568") + self._digits(rng.choice((10, 11)))
        if r < 0.8:
            return "43" + self._digits(11)
        if r < 0.88:
            return "JDVA" + self._digits(11)
        serial = self._digits(8)
        check = 11 - sum(int(c) * w for c, w in zip(serial, _S10_WEIGHTS, strict=True)) % 11
        check = {10: 0, 11: 5}.get(check, check)
        return f"E{rng.choice('ABCEM')}{serial}{check}CN"

    def order(self) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.4:
            return self._unvalidated(rng.choice((18, 19)))
        if r < 0.55:
            return self._unvalidated(12)
        if r < 0.7:
            day = f"{rng.randint(22, 25)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
            return f"{day}-{self._unvalidated(15)}"
        if r < 0.85:
            return f"DD2024{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{self._digits(6)}"
        return f"XS{self._digits(4)}-{rng.choice('ABCDEFGH')}{self._digits(5)}"

    def amount(self) -> str:
        rng = self.rng
        yuan = rng.choice((rng.randint(1, 99), rng.randint(100, 999), rng.randint(1000, 99999)))
        cents = rng.choice(("", ".00", f".{rng.randint(1, 99):02d}", ".5"))
        grouped = f"{yuan:,}" if yuan >= 1000 and rng.random() < 0.6 else str(yuan)
        return rng.choice(
            (
                f"¥{grouped}{cents}",
                f"￥{grouped}{cents}",
                f"{grouped}{cents}元",
                f"{yuan}元",
                f"RMB {grouped}{cents}",
            )
        )

    def date(self) -> str:
        rng = self.rng
        y, m, d = rng.randint(2022, 2025), rng.randint(1, 12), rng.randint(1, 28)
        return rng.choice(
            (
                f"{y}-{m:02d}-{d:02d}",
                f"{y}/{m}/{d}",
                f"{y}年{m}月{d}日",
                f"{m}月{d}日",
                f"{m}月{d}号",
                f"{y}{m:02d}{d:02d}",
                f"{m:02d}-{d:02d}",
            )
        )

    def time(self) -> str:
        rng = self.rng
        h, mi = rng.randint(0, 23), rng.randint(0, 59)
        return rng.choice(
            (
                f"{h:02d}:{mi:02d}",
                f"{h}:{mi:02d}",
                f"下午{rng.randint(1, 6)}点",
                f"上午{rng.randint(8, 11)}点半",
            )
        )

    def datetime(self) -> str:
        rng = self.rng
        return f"{rng.randint(2023, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} " + (
            f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
        )

    def pickup(self) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.6:
            return f"{rng.randint(1, 20)}-{rng.randint(1, 6)}-{rng.randint(1001, 9999)}"
        if r < 0.8:
            return f"{rng.choice('ABCDEF')}{rng.randint(1, 30)}-{rng.randint(1000, 9999)}"
        return self._digits(8) if r < 0.9 else self._digits(6).translate(FULLWIDTH)

    def weight(self) -> str:
        rng = self.rng
        return rng.choice(
            (
                f"{rng.randint(1, 30)}.{rng.randint(0, 9)}kg",
                f"{rng.randint(1, 20)}公斤",
                f"{rng.randint(50, 950)}g",
                f"{rng.randint(1, 40)}斤",
                f"{rng.randint(1, 30)}.{rng.randint(0, 9)} KG",
            )
        )

    def station(self) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.3:
            city = rng.choice(("755", "571", "020", "021", "010", "027"))
            return f"{city}{rng.choice('WABCK')}{rng.choice('FHJLT')}"
        if r < 0.55:
            grid = f"{rng.choice('ABCDK')}{rng.randint(1, 40):02d}"
            return f"{rng.randint(100, 999)}-{grid}-{rng.randint(1, 99):02d}"
        if r < 0.7:
            return (
                f"{rng.randint(100, 999)} {rng.choice('ABCDEFG')}{rng.randint(10, 99)} {rng.randint(10, 99)}"
            )
        return rng.choice(_STATION_CITIES) + rng.choice(("转运中心", "分拨中心", "集散中心", "中转场"))

    def sku(self) -> str:
        rng = self.rng
        letters = "ABCDEFGHKMNPRSTXZ"
        return rng.choice(
            (
                f"{rng.choice(letters)}{rng.randint(1, 9)}{rng.choice(letters)}{rng.randint(1, 9)}-"
                f"{rng.choice(letters)}{rng.randint(10, 99)}-{rng.choice(('S', 'M', 'L', 'XL', 'XXL'))}",
                f"HM-{rng.randint(2022, 2025)}-{rng.randint(1, 9999):04d}",
                "10" + self._digits(10),
                f"SKU{self._digits(8)}",
            )
        )

    def count(self) -> str:
        rng = self.rng
        n = rng.randint(1, 20)
        return rng.choice((f"{n}件", f"{n}箱", f"{n}个包裹", f"{n}单", f"{n}袋"))

    def en_order(self) -> str:
        rng = self.rng
        return rng.choice(
            (
                f"{rng.randint(100, 999)}-{self._digits(7)}-{self._digits(7)}",
                f"INV-{rng.randint(2022, 2025)}-{self._digits(5)}",
                f"#{rng.randint(100000, 999999)}",
            )
        )

    def en_amount(self) -> str:
        rng = self.rng
        v = f"{rng.randint(1, 3000):,}.{rng.randint(0, 99):02d}"
        return rng.choice((f"${v}", f"USD {v}", f"CNY {v}", f"€{v}"))

    def en_date(self) -> str:
        rng = self.rng
        m, d, y = rng.randint(1, 12), rng.randint(1, 28), rng.randint(2022, 2025)
        return rng.choice(
            (
                f"{_MONTHS[m - 1]} {d}, {y}",
                f"{d:02d}/{m:02d}/{y}",
                f"{y}-{m:02d}-{d:02d}",
                f"{d} {_MONTHS[m - 1]} {y}",
            )
        )
