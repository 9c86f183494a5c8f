"""Synthetic PII values and hard negatives for the de-identification corpus.

The vocabulary here (surnames, given names, roads, estates, villages) is written for this benchmark and kept
apart from the detector's lexicons on purpose: a corpus built from the detector's own word lists would
only measure how well it remembers them. Only the administrative-division table is shared, because place
names are facts, not vocabulary choices. Every checksum-bearing value is valid (GB 11643, Luhn, allocated
mobile ranges), so a miss points at the detector, not at the data.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from functools import cache
from typing import TypeVar

from parcelguard.domain.pii.divisions import Division, division_table

T = TypeVar("T")
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _w(text: str) -> tuple[str, ...]:
    return tuple(text.split())


SURNAMES = tuple(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚"
    "卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
RARE_SURNAMES = tuple(
    "单路常康伍易柳樊左甘柴祝殷尚岳齐庞颜倪施牛洪庄关葛焦俞詹鲁翟骆苗邢纪宁安卜滕裴景霍时全冉晏车管闵包"
    "司连费邬凌桂奚艾聂瞿商游温穆巩郁荣蒲谷乔华宫房屈耿符"
)
COMPOUND = _w(
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 令狐 端木 南宫 独孤 呼延 申屠 钟离"
)
GIVEN = tuple(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚华建国红玉梅婷雪晨宇浩轩涵欣怡博泽诺思雨佳俊鹏飞志鑫春海云斌"
    "健丹蕾慧颖倩阳亮成宁东林莉嘉昊然睿瑶子梓一若沐依可晓小立天文永秀兰凤英桂德福荣金胜利长振兴旭昕琪璐萱"
    "妍彤悦语锦铭宏凯峰辰逸航晗卓远清安乐美新秋宝家淑珍洁琴燕翠兵波辉毅彬帆柏恒昌霖楠菲薇"
)
MINORITY_PARTS = _w(
    "阿不都 热依拉 买买提 帕提古丽 艾尔肯 阿依努尔 努尔兰 吐尔洪 米热古丽 艾则孜 伊力哈木 巴哈古丽"
)
TIBETAN_MONGOLIAN = _w("次仁卓玛 扎西顿珠 格桑梅朵 巴特尔 其木格 乌日娜 达瓦次仁 尼玛拉姆")
EN_FIRST = _w(
    "Michael Sarah Daniel Olivia Kevin Jessica Thomas Emily Robert Grace William Hannah Andrew Laura Brian "
    "Rachel Steven Megan Mark Nicole Eric Amy Paul Helen Tony Lucy Jack Alice George Kate"
)
EN_LAST = _w(
    "Williams Jones Davis Wilson Anderson Taylor Moore Jackson White Harris Clark Lewis Robinson Hall Allen "
    "King Wright Scott Green Baker Adams Nelson Carter Mitchell Roberts Turner Parker Evans Collins Stewart "
    "Murphy Cooper Bailey Kelly Howard Watson Brooks Bennett Hughes Fisher O'Brien McDonald"
)
PINYIN_SURNAMES = _w(
    "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Gao Lin Luo Ouyang"
)
PINYIN_GIVEN = _w(
    "Wei Fang Lei Jing Qiang Xiaoming Jiayi Haoran Yuting Zihan Xinyi Junjie Mingyu Shuang Tingting Zhiqiang "
    "Yifan Chenxi Hao Min"
)

MOBILE_SEGMENTS = tuple(
    [f"13{d}" for d in range(10)]
    + [
        "145",
        "147",
        "150",
        "151",
        "152",
        "153",
        "155",
        "156",
        "157",
        "158",
        "159",
        "162",
        "165",
        "166",
        "167",
    ]
    + ["170", "171", "172", "173", "175", "176", "177", "178", *(f"18{d}" for d in range(10))]
    + ["190", "191", "192", "193", "195", "196", "197", "198", "199"]
)
AREA_CODES = _w(
    "010 020 021 022 023 024 025 027 028 029 0755 0571 0512 0731 0591 0871 0531 0532 0311 0351 0371 0551 "
    "0791 0851 0898 0931 0951 0991 0769 0757 0574 0577"
)
ROAD_STEMS = _w(
    "建国 复兴 淮海 南京 长安 深南 滨海 天府 望京 学院 华山 泰山 黄山 延安 北京 上海 湖南 东门 西湖 "
    "文三 教工 莫干山 古墩 江南 沿江 环城 工业 商业 站前 车站 公园 金沙 桂花 梧桐 香樟 银杏 玉兰 芙蓉 "
    "牡丹 凤鸣 九龙 新港 海岸 湖滨 江滨 兴隆 宝安 龙华 科苑 高新 软件 创业 华林 东湖 雄楚 珞喻 八一 "
    "五一 红星 白云 金湖 太白 雁塔"
)
ROAD_DIRS = ("", "", "", "", "东", "西", "南", "北", "中")
ROAD_SUFFIXES = _w("路 路 路 路 大道 街 大街 巷 一路 二路 三路 环路")
ESTATE_BRANDS = _w("万科 碧桂园 保利 绿地 恒大 华润 中海 金地 融创 招商 世茂 龙光 新城 远洋 首开")
ESTATE_STEMS = _w(
    "金域 蓝湾 翡翠 城市花语 御景 天悦 锦园 和府 星河 湾畔 水岸 东方 明月 香山 桃源 丽景 盛世 紫薇 玫瑰 "
    "梅园 竹园 枫丹 云杉 观澜 君悦 名门"
)
ESTATE_TYPES = _w("花园 小区 家园 公寓 苑 新村 雅苑 城 府 湾 里 名邸 大厦 广场 国际 天地")
TOWN_STEMS = _w("石桥 柳树 白沙 新集 马庄 黄土坡 清水 河口 杨柳 东关 王家 李家 陈家 青山 双河 三合 龙泉 太和")
VILLAGE_STEMS = _w("王家庄 东王庄 前进 红旗 杨树湾 刘家沟 大石头 小河 北坨 张村 后营 西沟 三里屯 五里铺 桥头")
COMPANIES = _w("创新科技 远航贸易 华信网络 佳禾食品 博睿教育 天成物流 启明软件 宏达机械")
EN_PLACES = (
    ("Nanshan District", "Shenzhen", "Guangdong", "518000"),
    ("Futian District", "Shenzhen", "Guangdong", "518000"),
    ("Chaoyang District", "Beijing", "", "100020"),
    ("Haidian District", "Beijing", "", "100080"),
    ("Pudong New Area", "Shanghai", "", "200120"),
    ("Xuhui District", "Shanghai", "", "200030"),
    ("Xihu District", "Hangzhou", "Zhejiang", "310012"),
    ("Tianhe District", "Guangzhou", "Guangdong", "510620"),
    ("Jinjiang District", "Chengdu", "Sichuan", "610021"),
    ("Wuchang District", "Wuhan", "Hubei", "430061"),
    ("Gulou District", "Nanjing", "Jiangsu", "210008"),
    ("Yanta District", "Xi'an", "Shaanxi", "710061"),
    ("Siming District", "Xiamen", "Fujian", "361001"),
    ("Yuelu District", "Changsha", "Hunan", "410006"),
)
EN_ROADS = _w(
    "Zhongshan Jianguo Renmin Jiefang Huaihai Keyuan Shennan Tianfu Wenyi Gudun Binhai Xueyuan Yan'an"
)
EN_WEST_STREETS = _w("Oak Maple Cedar Pine Elm Lake Hill Park Sunset Washington Lincoln Madison")
EN_WEST_TOWNS = (("Springfield", "IL", "62704"), ("Austin", "TX", "78701"), ("Portland", "OR", "97205"))
EMAIL_DOMAINS = _w(
    "qq.com 163.com 126.com gmail.com outlook.com sina.com foxmail.com yahoo.com hotmail.com 139.com"
)
PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
CARD_PREFIXES = _w("622202 621700 622848 621483 622588 621226 622700 623058 625911 621799")
BRANDS_LIKE_NAMES = _w("李宁 王老吉 周大福 张小泉 马应龙 杨国福")
HOTLINES = _w("95338 95311 95546 95554 95543 95320 950616")

# The word lists a detector could end up memorising; ``vocab_alt.ALT_VOCAB`` swaps all of them.
MAIN_VOCAB: dict[str, tuple[str, ...]] = {
    "GIVEN": GIVEN,
    "RARE_SURNAMES": RARE_SURNAMES,
    "MINORITY_PARTS": MINORITY_PARTS,
    "TIBETAN_MONGOLIAN": TIBETAN_MONGOLIAN,
    "EN_FIRST": EN_FIRST,
    "EN_LAST": EN_LAST,
    "PINYIN_SURNAMES": PINYIN_SURNAMES,
    "PINYIN_GIVEN": PINYIN_GIVEN,
    "ROAD_STEMS": ROAD_STEMS,
    "ESTATE_BRANDS": ESTATE_BRANDS,
    "ESTATE_STEMS": ESTATE_STEMS,
    "ESTATE_TYPES": ESTATE_TYPES,
    "TOWN_STEMS": TOWN_STEMS,
    "VILLAGE_STEMS": VILLAGE_STEMS,
    "COMPANIES": COMPANIES,
    "EN_ROADS": EN_ROADS,
}

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_check_char(first17: str) -> str:
    """GB 11643 check character, computed here so the corpus does not trust the code under test."""
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def luhn_digit(body: str) -> str:
    """The digit that makes ``body + digit`` Luhn-valid."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str((10 - total % 10) % 10)


def luhn_ok(number: str) -> bool:
    return luhn_digit(number[:-1]) == number[-1]


@cache
def _leaves() -> tuple[Division, ...]:
    return tuple(d for d in division_table().leaves() if d.code[:2] not in {"71", "81", "82"})


@cache
def _lineage(code: str) -> tuple[Division, ...]:
    table = division_table()
    leaf = table.by_code(code)
    assert leaf is not None
    out: list[Division] = []
    for d in (*table.ancestors(leaf), leaf):
        if not out or out[-1].name != d.name:
            out.append(d)
    return tuple(out)


class Values:
    """One seeded source of synthetic values; every method returns the exact text to put in the corpus."""

    def __init__(self, rng: random.Random, vocab: Mapping[str, tuple[str, ...]] | None = None) -> None:
        self.rng = rng
        self.vocab = {**MAIN_VOCAB, **(vocab or {})}

    def _any(self, key: str) -> str:
        return self.rng.choice(self.vocab[key])

    def _p(self, p: float) -> bool:
        return self.rng.random() < p

    def _digits(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    # ---- PERSON -------------------------------------------------------------------------------------
    def surname(self) -> str:
        r = self.rng.random()
        if r < 0.08:
            return self.rng.choice(COMPOUND)
        return self.rng.choice(self.vocab["RARE_SURNAMES"] if r < 0.25 else SURNAMES)

    def name(self) -> str:
        """Han names mostly; compound surnames, one-char given names, minority names with a dot."""
        r = self.rng.random()
        if r < 0.05:
            sep = self.rng.choice("··•")
            return f"{self._any('MINORITY_PARTS')}{sep}{self._any('MINORITY_PARTS')}"
        if r < 0.07:
            return self.rng.choice(self.vocab["TIBETAN_MONGOLIAN"])
        given = self.rng.choice(self.vocab["GIVEN"]) + (
            "" if self._p(0.3) else self.rng.choice(self.vocab["GIVEN"])
        )
        return self.surname() + given

    def en_name(self) -> str:
        """Western or pinyin names as they appear in English and mixed texts."""
        rng = self.rng
        r = rng.random()
        if r < 0.45:
            return f"{rng.choice(self.vocab['EN_FIRST'])} {rng.choice(self.vocab['EN_LAST'])}"
        if r < 0.55:
            return f"{self._any('EN_FIRST')} {rng.choice('ABCDEHJKLMRST')}. {self._any('EN_LAST')}"
        sur, given = rng.choice(self.vocab["PINYIN_SURNAMES"]), rng.choice(self.vocab["PINYIN_GIVEN"])
        if r < 0.8:
            return f"{sur} {given}"
        if r < 0.9:
            return f"{given} {sur}"
        return f"{sur.upper()} {given}"

    def en_last(self) -> str:
        return self.rng.choice(self.vocab["EN_LAST"] + self.vocab["PINYIN_SURNAMES"])

    # ---- PHONE --------------------------------------------------------------------------------------
    def mobile_digits(self) -> str:
        return self.rng.choice(MOBILE_SEGMENTS) + self._digits(8)

    def mobile(self) -> str:
        """An allocated mobile number in one of the spellings people type."""
        d = self.mobile_digits()
        a, b, c = d[:3], d[3:7], d[7:]
        forms: list[tuple[float, Callable[[], str]]] = [
            (0.52, lambda: d),
            (0.08, lambda: f"+86 {a} {b} {c}"),
            (0.05, lambda: f"+86{d}" if self._p(0.5) else f"+86-{d}"),
            (0.04, lambda: f"86-{d}"),
            (0.04, lambda: f"0086 {d}" if self._p(0.5) else f"0086-{d}"),
            (0.08, lambda: f"{a} {b} {c}"),
            (0.07, lambda: f"{a}-{b}-{c}"),
            (0.07, lambda: d.translate(FULLWIDTH)),
            (0.03, lambda: f"(+86){d}"),
            (0.02, lambda: f"{a} {b}{c}"),
        ]
        return self._pick(forms)

    def landline(self) -> str:
        """Area code + local number; extensions are left to the template (they are not part of the span)."""
        area = self.rng.choice(AREA_CODES)
        local = self.rng.choice("2345678") + self._digits(7 if len(area) == 3 or self._p(0.8) else 6)
        forms: list[tuple[float, Callable[[], str]]] = [
            (0.45, lambda: f"{area}-{local}"),
            (0.15, lambda: f"({area}){local[:4]}-{local[4:]}" if len(local) == 8 else f"({area}){local}"),
            (0.08, lambda: f"（{area}）{local}"),
            (0.15, lambda: f"{area} {local}"),
            (0.07, lambda: f"{area} {local[: len(local) - 4]} {local[-4:]}"),
            (0.05, lambda: f"+86 {area[1:]} {local}"),
            (0.05, lambda: f"{area}{local}"),
        ]
        return self._pick(forms)

    # ---- CN_ID, BANK_CARD, PASSPORT, LICENSE_PLATE, IP, EMAIL ----------------------------------------------
    def resident_id(self) -> str:
        """A GB 11643-valid number with a real county code and a real birth date."""
        rng = self.rng
        born = date.fromordinal(rng.randint(date(1940, 1, 1).toordinal(), date(2006, 12, 31).toordinal()))
        first17 = f"{rng.choice(_leaves()).code}{born:%Y%m%d}{rng.randrange(1000):03d}"
        full = first17 + id_check_char(first17)
        r = rng.random()
        if full.endswith("X") and r < 0.4:
            return full[:-1] + "x"
        if r < 0.08:
            return f"{full[:6]} {full[6:14]} {full[14:]}"
        return full.translate(FULLWIDTH) if r < 0.12 else full

    def bank_card(self) -> str:
        """Luhn-valid UnionPay (16/19 digits), Visa or Mastercard numbers, plain or grouped."""
        rng = self.rng
        r = rng.random()
        if r < 0.65:
            length, prefix = rng.choice((16, 19, 19)), rng.choice(CARD_PREFIXES)
        elif r < 0.85:
            length, prefix = 16, "4" + self._digits(5)
        else:
            length, prefix = 16, f"5{rng.randint(1, 5)}" + self._digits(4)
        body = prefix + self._digits(length - 1 - len(prefix))
        card = body + luhn_digit(body)
        g = rng.random()
        if g < 0.3:
            return " ".join(card[i : i + 4] for i in range(0, length, 4))
        if g < 0.38 and length == 16:
            return "-".join(card[i : i + 4] for i in range(0, 16, 4))
        if g < 0.42:
            return card.translate(FULLWIDTH)
        return card

    def passport(self) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.55:
            return "E" + self._digits(8)
        if r < 0.8:
            return "E" + rng.choice("ABCDEFGHJKLMN") + self._digits(7)
        return "G" + self._digits(8)

    def plate(self) -> str:
        """Ordinary (5 characters, at most two letters) and new-energy (D/F + 5 digits) plates."""
        rng = self.rng
        head = rng.choice(PLATE_PROVINCES) + rng.choice("ABCDEFGH" if self._p(0.8) else PLATE_LETTERS)
        if self._p(0.3):
            tail = rng.choice("DF") + self._digits(5) if self._p(0.8) else self._digits(5) + rng.choice("DF")
        else:
            chars = [rng.choice("0123456789") for _ in range(5)]
            for i in rng.sample(range(5), rng.choice((0, 1, 1, 2))):
                chars[i] = rng.choice(PLATE_LETTERS)
            tail = "".join(chars)
        sep = self._pick([(0.6, lambda: ""), (0.28, lambda: "·"), (0.08, lambda: " "), (0.04, lambda: "-")])
        return head + sep + tail

    def ip(self) -> str:
        rng = self.rng
        if self._p(0.75):
            first = rng.choice([o for o in range(1, 224) if o not in (10, 127)])
            return f"{first}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randint(1, 254)}"
        groups = [f"{rng.randrange(0x10000):x}" for _ in range(8)]
        groups[0] = rng.choice(("2408", "240e", "2409", "2001"))
        if self._p(0.6):
            return ":".join(groups[:4]) + "::" + groups[7]
        return ":".join(groups)

    def email(self) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.3:
            local = str(rng.randint(10_000, 3_999_999_999))
            return f"{local}@qq.com"
        if r < 0.7:
            local = (
                rng.choice(self.vocab["PINYIN_SURNAMES"]).lower()
                + rng.choice(self.vocab["PINYIN_GIVEN"]).lower()
            )
            local += rng.choice(
                ("", str(rng.randint(1, 99)), str(rng.randint(1970, 2005)), "_" + self._digits(3))
            )
        else:
            local = f"{self._any('EN_FIRST').lower()}{rng.choice('._')}{self._any('EN_LAST').lower()}"
            local = local.replace("'", "")
        domain = (
            rng.choice(EMAIL_DOMAINS)
            if self._p(0.85)
            else rng.choice(("example-shop.cn", "corp.example.com"))
        )
        return f"{local}@{domain}"

    # ---- ADDRESS ------------------------------------------------------------------------------------
    def region(self, leaf: Division | None = None) -> str:
        """A real division path in one of the spellings people use: full, without province, short forms."""
        rng = self.rng
        lineage = _lineage((leaf or rng.choice(_leaves())).code)

        def short(d: Division) -> str:
            return d.short_name or d.name

        full = [d.name for d in lineage]
        options = [
            "".join(full),
            "".join(full[1:]) or full[0],
            short(lineage[0]) + "".join(full[1:]),
            "".join(short(d) for d in lineage[:-1]) + full[-1],
            " ".join(full),
        ]
        if len(lineage) == 3:
            options.append(full[-1] if lineage[-1].name.endswith("区") else full[-2] + full[-1])
        return rng.choice(options)

    def road(self) -> str:
        rng = self.rng
        road = rng.choice(self.vocab["ROAD_STEMS"]) + rng.choice(ROAD_DIRS) + rng.choice(ROAD_SUFFIXES)
        n = rng.randint(1, 1999)
        return road + self._pick(
            [
                (0.75, lambda: f"{n}号"),
                (0.1, lambda: f"{n}-{rng.randint(1, 9)}号"),
                (0.15, lambda: f"{n}号院"),
            ]
        )

    def estate(self) -> str:
        rng = self.rng
        stem = rng.choice(self.vocab["ESTATE_STEMS"]) + rng.choice(self.vocab["ESTATE_TYPES"])
        if self._p(0.4):
            stem = rng.choice(self.vocab["ESTATE_BRANDS"]) + stem
        if self._p(0.1):
            stem += rng.choice(("一期", "二期", "三期", "东区", "北区"))
        return stem

    def unit(self) -> str:
        """Building/unit/room in the many ways people write it."""
        rng = self.rng
        b, u, f, r = rng.randint(1, 40), rng.randint(1, 6), rng.randint(1, 33), rng.randint(1, 8)
        room = f"{f}{r:02d}"
        forms: list[tuple[float, Callable[[], str]]] = [
            (0.22, lambda: f"{b}栋{u}单元{room}"),
            (0.18, lambda: f"{b}号楼{u}单元{room}室"),
            (0.15, lambda: f"{b}-{u}-{room}"),
            (0.08, lambda: f"{rng.choice('ABCDE')}座{room}"),
            (0.08, lambda: f"{b}幢{room}室"),
            (0.07, lambda: f"{b}栋{room}"),
            (0.06, lambda: f"{b}号楼{u}门{room}"),
            (0.06, lambda: f"{b}栋{rng.choice('AB')}{room}"),
            (0.05, lambda: f"{u}单元{room}室"),
            (0.05, lambda: f"{b}号{f}楼"),
        ]
        return self._pick(forms)

    def address(self) -> str:
        """A Chinese address at a random granularity, from town level down to the room."""
        rng = self.rng
        sep = " " if self._p(0.12) else ""
        forms: list[tuple[float, Callable[[], list[str]]]] = [
            (0.28, lambda: [self.region(), self.road(), self.estate() + self.unit()]),
            (0.12, lambda: [self.region(), self.road()]),
            (0.14, lambda: [self.region(), self.estate() + self.unit()]),
            (0.12, lambda: [self.road(), self.estate() + self.unit()]),
            (0.05, lambda: [self.estate() + self.unit()]),
            (0.1, self._village),
            (
                0.04,
                lambda: [self.region(), rng.choice(self.vocab["TOWN_STEMS"]) + rng.choice(("街道", "镇"))],
            ),
            (0.06, self._lane),
            (
                0.05,
                lambda: [
                    self.region(),
                    self.road(),
                    f"{rng.choice(self.vocab['COMPANIES'])}大厦{rng.randint(2, 30)}楼",
                ],
            ),
            (
                0.04,
                lambda: [self.region(), rng.choice(("理工", "师范", "财经", "农业")) + "大学" + self._dorm()],
            ),
        ]
        text = sep.join(self._pick(forms))
        return text.translate(FULLWIDTH) if self._p(0.06) else text

    def _village(self) -> list[str]:
        rng = self.rng
        town = rng.choice(self.vocab["TOWN_STEMS"]) + rng.choice(("镇", "乡"))
        village = rng.choice(self.vocab["VILLAGE_STEMS"])
        if village[-1] != "村" and (village[-1] not in "庄湾沟屯铺营" or self._p(0.5)):
            village += "村"
        tail = self._pick(
            [
                (0.4, lambda: f"{rng.randint(1, 12)}组{rng.randint(1, 99)}号"),
                (0.3, lambda: f"{rng.randint(1, 300)}号"),
                (0.3, lambda: "村委会旁" if self._p(0.5) else f"{rng.randint(1, 8)}队"),
            ]
        )
        return [self.region(), town + village + tail]

    def _lane(self) -> list[str]:
        rng = self.rng
        if self._p(0.5):
            road = rng.choice(self.vocab["ROAD_STEMS"]) + rng.choice(("路", "街"))
            lane = f"{rng.randint(1, 1999)}弄{rng.randint(1, 120)}号{rng.randint(1, 6)}0{rng.randint(1, 4)}室"
            return [self.region(), road + lane]
        return [self.region(), f"{rng.choice(self.vocab['ROAD_STEMS'])}胡同{rng.randint(1, 80)}号"]

    def _dorm(self) -> str:
        rng = self.rng
        campus = rng.choice(("东区", "西区", "南校区"))
        return f"{campus}{rng.randint(1, 20)}舍{rng.randint(1, 6)}{rng.randint(1, 40):02d}"

    def en_address(self) -> str:
        """English-style Chinese addresses, and now and then a western one (international parcels)."""
        rng = self.rng
        if self._p(0.15):
            town, state, zipc = rng.choice(EN_WEST_TOWNS)
            kind = rng.choice(("Street", "Avenue", "St.", "Ave", "Road"))
            return f"{rng.randint(10, 9999)} {rng.choice(EN_WEST_STREETS)} {kind}, {town}, {state} {zipc}"
        district, city, province, post = rng.choice(EN_PLACES)
        road = f"{rng.choice(self.vocab['EN_ROADS'])} {rng.choice(('Road', 'Rd.', 'Street', 'Avenue', 'Rd'))}"
        number = rng.choice((f"No. {rng.randint(1, 999)}, {road}", f"{rng.randint(1, 999)} {road}"))
        room = rng.choice(
            (
                f"Room {rng.randint(1, 33)}{rng.randint(1, 8):02d}, Unit {rng.randint(1, 6)}, "
                f"Building {rng.randint(1, 30)}, ",
                f"Rm {rng.randint(1, 33)}0{rng.randint(1, 8)}, Bldg {rng.randint(1, 30)}, ",
                f"Apt {rng.randint(1, 33)}0{rng.randint(1, 8)}, ",
                "",
            )
        )
        tail = ", ".join(p for p in (district, city, province) if p)
        return f"{room}{number}, {tail}" + (f" {post}" if self._p(0.4) else "")

    def _pick(self, forms: Sequence[tuple[float, Callable[[], T]]]) -> T:
        """Weighted choice among ways of spelling a value; weights need not sum to one."""
        r = self.rng.random() * sum(w for w, _ in forms)
        for weight, make in forms:
            r -= weight
            if r < 0:
                return make()
        return forms[-1][1]()
