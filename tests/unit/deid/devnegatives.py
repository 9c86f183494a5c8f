"""Hard negatives for the development corpus: number- and name-shaped strings that are not personal data.

Where a value could pass a validator by chance (an 18-digit order number with a valid ID check character,
a Luhn-valid 16-digit one), it is drawn again, so every negative here is unambiguous.
"""

from __future__ import annotations

import random

from tests.unit.deid.devvalues import BRANDS, HOTLINES, id_check_ok, luhn_ok


class Negatives:
    """Hard negatives: number- and name-shaped strings that are not personal data."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def _digits(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    def _unvalidated(self, n: int) -> str:
        while True:
            s = self.rng.choice("123456789") + self._digits(n - 1)
            if not luhn_ok(s) and not id_check_ok(s):
                return s

    def make(self, kind: str) -> str:
        rng = self.rng
        if kind == "tracking":
            r = rng.random()
            if r < 0.5:
                return rng.choice(["SF", "YT", "JT", "PG", "ZT", "YD"]) + self._digits(13)
            if r < 0.75:
                return "7" + rng.choice("3568") + self._digits(rng.choice((10, 11, 12)))
            return "JD" + rng.choice(["VA", "VB", "X"]) + self._digits(11)
        if kind == "order":
            r = rng.random()
            if r < 0.5:
                return f"2026{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}" + self._digits(
                    rng.choice((8, 10))
                )
            return self._unvalidated(rng.choice((16, 18, 19)))
        if kind == "amount":
            return rng.choice(
                [
                    f"¥{rng.randint(1, 999)}.{rng.randint(0, 99):02d}",
                    f"{rng.randint(1, 500)}元",
                    f"{rng.randint(1, 9)},{rng.randint(0, 999):03d}.00",
                    f"￥{rng.randint(10, 9999)}",
                ]
            )
        if kind == "date":
            y, m, d = rng.randint(2023, 2027), rng.randint(1, 12), rng.randint(1, 28)
            return rng.choice(
                [
                    f"{y}-{m:02d}-{d:02d}",
                    f"{m}月{d}日",
                    f"{y}年{m}月{d}日",
                    f"{y}{m:02d}{d:02d}",
                    f"{y}/{m}/{d}",
                ]
            )
        if kind == "time":
            return f"{rng.randint(7, 21)}:{rng.choice(['00', '15', '30', '45'])}"
        if kind == "pickup":
            return rng.choice(
                [
                    f"{rng.randint(1, 20)}-{rng.randint(1, 9)}-{rng.randint(1000, 6999)}",
                    self._digits(4),
                    self._digits(6),
                ]
            )
        if kind == "weight":
            return rng.choice(
                [
                    f"{rng.randint(1, 30)}.{rng.randint(0, 9)}kg",
                    f"{rng.randint(1, 50)}公斤",
                    f"{rng.randint(100, 999)}g",
                ]
            )
        if kind == "station":
            return rng.choice(
                [
                    f"0{rng.randint(10, 99)}-{rng.choice('ABPDKW')}{rng.choice('ABDKW')}"
                    f"-{rng.randint(1, 99):02d}",
                    f"{rng.randint(100, 999)}W-{rng.randint(1, 99)}",
                    f"{rng.randint(100, 999)}{rng.choice('ABCDW')}{rng.randint(1, 9)}",
                ]
            )
        if kind == "sku":
            return rng.choice(
                [
                    f"SKU{self._digits(8)}",
                    f"A{self._digits(7)}",
                    f"{rng.choice('XYZ')}{self._digits(6)}-{rng.randint(1, 9)}",
                ]
            )
        if kind == "vcode":
            return self._digits(rng.choice((4, 6)))
        if kind == "count":
            return f"{rng.randint(2, 30)}"
        if kind == "hotline":
            return rng.choice(HOTLINES)
        if kind == "brand":
            return rng.choice(BRANDS)
        raise ValueError(kind)
