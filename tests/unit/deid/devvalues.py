"""Synthetic PII values and hard negatives for the detector's development corpus.

The vocabulary here (given names, roads, estates, villages) is written separately from the detector's
lexicons on purpose: a corpus built from the detector's own word lists would only test its memory. People,
mobiles, ID numbers and some addresses come from :class:`SyntheticPeople`; cards, plates, passports,
e-mails and IPs are built here with their real validation rules (Luhn, GB 11643 ...).
"""

from __future__ import annotations

import random
from collections.abc import Callable

from parcelguard.domain.pii import SyntheticPeople, compute_check_char, division_table
from parcelguard.domain.pii.divisions import Division


def _words(text: str) -> list[str]:
    return text.split()


FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

# Surnames as a corpus writer would pick them: frequent ones, some that are also words, compound ones.
SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴"
)
TRICKY_SURNAMES = list("单路方高东金万何于向周常文安华龙钱江司柏凌宁阳易洪车")
COMPOUND = ["欧阳", "司马", "诸葛", "上官", "皇甫", "令狐", "慕容", "端木", "东方", "公孙", "南宫", "夏侯"]
GIVEN_TWO = _words(
    """
    子轩 浩宇 欣怡 雨涵 梓涵 一诺 宇轩 思远 俊杰 嘉怡 晓东 建华 秀兰 桂英 玉兰
    淑珍 德明 志强 海燕 丽娟 国庆 红梅 卫东 春花 美玲 伟民 文博 佳琪 雅琴 晨曦
    梦瑶 立新 振华 秋菊 晓燕 明辉 思彤 俊熙 婉清 天佑 若曦 紫萱 浩然 沐阳 嘉豪
    宏伟 丽萍 金凤 永强 家乐 诗涵 雨桐 子墨 一鸣 晓峰 建军 淑英 志明 海波 凤英
    翠花 长青 学军 光辉 亚楠 倩倩 婷婷 丹丹 磊磊 晶晶 鹏程 少华 惠敏 静怡 昊天
    宇航 欣然 可馨 铁柱 二妮 大勇 小红 小明 德华 润发 忠良 玉珍 秀英 凤霞 国强
    建国 爱华 新民 向阳 东升 春生 秋生
    """
)
GIVEN_ONE = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚辉鹏飞鑫婷雪琳颖倩阳亮宁楠浩博凯悦琪欣蕾晨航帆")
MINORITY = _words(
    """
    阿卜杜 热合曼 艾力 买买提 古丽 努尔 阿依 吐尔逊 迪丽 帕提古丽 依明
    """
)
NO_SURNAME = ["扎西多吉", "次仁卓玛", "巴特尔", "格桑", "达瓦", "其其格", "乌兰"]
EN_FIRST = _words(
    """
    John Mary James Linda David Emma Sophie
    Michael Sarah Kevin Jessica Tom Lucy Daniel
    Grace Oliver
    """
)
EN_LAST = _words(
    """
    Smith Johnson Brown Miller Garcia Walker
    Young Taylor Wilson Anderson Clark Lewis
    Baker Turner
    """
)
PINYIN = ["Zhang", "Wang", "Li", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu", "Xu", "Sun", "Ma"]
PINYIN_GIVEN = _words(
    """
    Wei Fang Na Min Jing Xiaoming Lei Jun Yang
    Hui Ying Jianguo
    """
)

ROADS = _words(
    """
    中关村 长安 淮海 解放 延安 南京 珠江 天河 滨海 银河 云龙 光华 劳动 工人
    前进 汉中 青云 金沙 玉泉 龙华 学院 科苑 华山 泰山 新港 海滨 沿江 桃源 梅林
    松柏 枫叶 丰收 民主 复兴 同德 宝山 石门 石榴
    """
)
ROAD_TYPES = ["路", "路", "路", "大道", "街", "大街", "巷", "北路", "南路", "东路", "西路", "中路"]
ESTATES = _words(
    """
    万科城 碧桂园 保利花园 恒大名都 金地格林 绿地世纪城 龙湖天街 翡翠湾 东方明珠苑
    世纪花园 桃花源小区 幸福家园 和谐小区 书香门第 滨江花园 紫金公寓 华润中心
    国贸大厦 望京SOHO 星河湾 中海御景 天鹅湖花园 锦江小区 新华里 建设新村
    教师公寓 职工宿舍 融创壹号院 招商雍景湾
    """
)
VILLAGES = _words(
    """
    王家 李庄 张湾 后营 前进 新河 石桥 柳树 大王庄 杨柳 红星 东风 沙河 黄土坡
    """
)
TOWNS = ["城关", "新塘", "石龙", "黄埔", "龙岗", "清溪", "长安", "虎门", "太平", "江口", "松江", "沙田"]
CAMPUS = ["清华大学", "复旦大学", "中山大学", "武汉大学", "浙江大学紫金港校区", "四川大学江安校区"]
EN_ROADS = ["Jianguo", "Keyuan", "Huaihai", "Nanjing West", "Zhongshan", "Binhai", "Renmin", "Jiefang"]
EN_PLACES = [
    ("Chaoyang", "Beijing", "", "100020"),
    ("Nanshan", "Shenzhen", "Guangdong", "518000"),
    ("Xuhui", "Shanghai", "", "200030"),
    ("Tianhe", "Guangzhou", "Guangdong", "510630"),
    ("Xihu", "Hangzhou", "Zhejiang", "310012"),
    ("Wuhou", "Chengdu", "Sichuan", "610041"),
]
PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
EMAIL_DOMAINS = _words(
    """
    qq.com 163.com 126.com gmail.com outlook.com
    sina.com foxmail.com corp.cn
    """
)
AREA_CODES = _words(
    """
    010 021 022 023 020 025 027 028 029 0571
    0755 0531 0871 0451
    """
)
HOTLINES = ["95338", "95311", "95546", "400-820-8820", "4008111111", "400 610 1234", "800-820-1234", "11183"]
BRANDS = ["李宁", "王老吉", "周大福", "周黑鸭", "张小泉", "马应龙", "钱大妈", "杨国福麻辣烫"]


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def id_check_ok(s: str) -> bool:
    return len(s) == 18 and s[:17].isdigit() and compute_check_char(s[:17]) == s[17]


class Values:
    """Seeded generator of PII values in the spellings people type."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.people = SyntheticPeople(rng.randrange(1 << 30))
        self._leaves = [d for d in division_table().leaves() if d.code[:2] not in ("71", "81", "82")]

    def p(self, prob: float) -> bool:
        return self.rng.random() < prob

    def digits(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    # ---- people --------------------------------------------------------------------------------------
    def surname(self) -> str:
        r = self.rng.random()
        if r < 0.1:
            return self.rng.choice(COMPOUND)
        if r < 0.25:
            return self.rng.choice(TRICKY_SURNAMES)
        return self.rng.choice(SURNAMES)

    def name(self) -> str:
        r = self.rng.random()
        if r < 0.04:
            return f"{self.rng.choice(MINORITY)}{self.rng.choice('··•')}{self.rng.choice(MINORITY)}"
        if r < 0.15:
            name = self.people.name()
            return name if not name.isascii() else self.surname() + "明"
        given = self.rng.choice(GIVEN_ONE) if self.p(0.3) else self.rng.choice(GIVEN_TWO)
        return self.surname() + given

    def no_surname_name(self) -> str:
        return self.rng.choice(NO_SURNAME)

    def en_name(self) -> str:
        if self.p(0.35):
            return f"{self.rng.choice(PINYIN)} {self.rng.choice(PINYIN_GIVEN)}"
        return f"{self.rng.choice(EN_FIRST)} {self.rng.choice(EN_LAST)}"

    def en_last(self) -> str:
        return self.rng.choice(EN_LAST + PINYIN)

    # ---- numbers -------------------------------------------------------------------------------------
    def mobile(self) -> str:
        d = self.people.mobile()
        a, b, c = d[:3], d[3:7], d[7:]
        forms: list[tuple[float, Callable[[], str]]] = [
            (0.5, lambda: d),
            (0.08, lambda: f"+86 {a} {b} {c}"),
            (0.06, lambda: f"+86{d}"),
            (0.04, lambda: f"+86-{d}"),
            (0.04, lambda: f"0086{d}"),
            (0.04, lambda: f"86-{d}"),
            (0.04, lambda: f"(+86){d}"),
            (0.07, lambda: f"{a} {b} {c}"),
            (0.06, lambda: f"{a}-{b}-{c}"),
            (0.07, lambda: d.translate(FULLWIDTH)),
        ]
        return self._pick(forms)

    def landline(self) -> str:
        area = self.rng.choice(AREA_CODES)
        local = self.rng.choice("2345678") + self.digits(7 if len(area) == 3 or self.p(0.7) else 6)
        forms: list[tuple[float, Callable[[], str]]] = [
            (0.45, lambda: f"{area}-{local}"),
            (0.15, lambda: f"({area}){local}"),
            (0.1, lambda: f"（{area}）{local}"),
            (0.12, lambda: f"{area} {local}"),
            (0.08, lambda: f"+86 {area[1:]} {local}"),
            (0.1, lambda: f"{area}{local}"),
        ]
        return self._pick(forms)

    def resident_id(self) -> str:
        value = self.people.resident_id()
        r = self.rng.random()
        if r < 0.1:
            return f"{value[:6]} {value[6:14]} {value[14:]}"
        if r < 0.18:
            return value.translate(FULLWIDTH)
        if r < 0.22 and value.endswith("X"):
            return value[:-1] + "x"
        return value

    def legacy_id(self) -> str:
        while True:
            leaf = self.rng.choice(self._leaves).code
            yy, mm, dd = self.rng.randint(30, 85), self.rng.randint(1, 12), self.rng.randint(1, 28)
            return f"{leaf}{yy:02d}{mm:02d}{dd:02d}{self.digits(3)}"

    def bank_card(self) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.6:
            body = (
                "62"
                + rng.choice(["2202", "2848", "2700", "1700", "2588", "5880", "1483"])
                + self.digits(rng.choice((9, 12)))
            )
        elif r < 0.8:
            body = "4" + self.digits(14)
        elif r < 0.95:
            body = "5" + rng.choice("12345") + self.digits(13)
        else:
            body = "3" + rng.choice("47") + self.digits(12)
        for check in "0123456789":
            if luhn_ok(body + check):
                card = body + check
                break
        if self.p(0.3):
            card = " ".join(card[i : i + 4] for i in range(0, len(card), 4))
        elif self.p(0.1):
            card = "-".join(card[i : i + 4] for i in range(0, len(card), 4))
        elif self.p(0.1):
            card = card.translate(FULLWIDTH)
        return card

    def email(self) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.35:
            local = str(rng.randint(10000, 9999999999))
        elif r < 0.7:
            local = (
                rng.choice(["zhang", "wang", "li", "liu", "chen", "yang"])
                + rng.choice(["wei", "fang", "na", "min", "_lei", ".jun", "xiaoming"])
                + (str(rng.randint(1, 2024)) if self.p(0.5) else "")
            )
        else:
            local = f"{rng.choice(EN_FIRST).lower()}.{rng.choice(EN_LAST).lower()}"
        return f"{local}@{rng.choice(EMAIL_DOMAINS)}"

    def ip(self) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.7:
            return ".".join(str(rng.randint(1, 254)) for _ in range(4))
        groups = [f"{rng.randint(0, 0xFFFF):x}" for _ in range(8)]
        if r < 0.85:
            return ":".join(groups)
        return f"2001:db8::{groups[0]}:{groups[1]}"

    def passport(self) -> str:
        r = self.rng.random()
        if r < 0.5:
            return "E" + self.digits(8)
        if r < 0.8:
            return "E" + self.rng.choice("ABCDEFGHJK") + self.digits(7)
        return "G" + self.digits(8)

    def plate(self) -> str:
        rng = self.rng
        head = rng.choice(PLATE_PROVINCES) + rng.choice(PLATE_LETTERS[:10])
        if self.p(0.25):
            tail = rng.choice("DF") + self.digits(5) if self.p(0.7) else self.digits(5) + rng.choice("DF")
        else:
            chars = list(self.digits(5))
            for i in rng.sample(range(5), rng.choice((0, 0, 1, 2))):
                chars[i] = rng.choice(PLATE_LETTERS)
            tail = "".join(chars)
        return head + rng.choice(["", "", "·", " ", "-"]) + tail

    # ---- addresses -----------------------------------------------------------------------------------
    def region(self) -> str:
        table = division_table()
        leaf: Division = self.rng.choice(self._leaves)
        lineage = [*table.ancestors(leaf), leaf]

        def short(d: Division) -> str:
            return d.short_name or d.name

        forms = [
            "".join(d.name for d in lineage),
            "".join(d.name for d in lineage[1:]) or leaf.name,
            "".join(short(d) for d in lineage[:-1]) + leaf.name,
            "".join(d.name for d in lineage[-2:]),
        ]
        region = self.rng.choice(forms)
        if region.startswith(lineage[0].name * 2):
            region = region[len(lineage[0].name) :]
        return region

    def road(self) -> str:
        number = (
            f"{self.rng.randint(1, 999)}号"
            if self.p(0.8)
            else f"{self.rng.randint(1, 500)}弄{self.rng.randint(1, 80)}号"
        )
        return self.rng.choice(ROADS) + self.rng.choice(ROAD_TYPES) + number

    def unit(self) -> str:
        rng = self.rng
        floor, room = rng.randint(1, 32), rng.randint(1, 8)
        forms = [
            f"{rng.randint(1, 30)}号楼{rng.randint(1, 6)}单元{floor}{room:02d}室",
            f"{rng.randint(1, 30)}栋{floor}{room:02d}",
            f"{rng.randint(1, 30)}幢{rng.randint(1, 4)}单元{floor}{room:02d}",
            f"{rng.choice('ABCD')}座{floor}{room:02d}室",
            f"{rng.randint(1, 30)}-{rng.randint(1, 6)}-{floor}{room:02d}",
            f"{rng.randint(1, 30)}栋{rng.randint(1, 6)}单元{floor}楼",
            f"{rng.randint(1, 20)}号{floor}{room:02d}房",
        ]
        return rng.choice(forms)

    def address(self) -> str:
        rng = self.rng
        sep = " " if self.p(0.12) else ""
        r = rng.random()
        if r < 0.15:
            text = self.people.address()[0]
        elif r < 0.4:
            text = sep.join([self.region(), self.road(), rng.choice(ESTATES) + self.unit()])
        elif r < 0.52:
            text = sep.join([self.region(), self.road()])
        elif r < 0.64:
            text = sep.join([self.region(), rng.choice(ESTATES) + self.unit()])
        elif r < 0.74:
            text = sep.join([self.road(), rng.choice(ESTATES) + self.unit()])
        elif r < 0.8:
            text = rng.choice(ESTATES) + self.unit()
        elif r < 0.88:
            village = rng.choice(VILLAGES) + "村"
            group = (
                f"{rng.randint(1, 12)}组{rng.randint(1, 99)}号" if self.p(0.7) else f"{rng.randint(1, 200)}号"
            )
            text = sep.join(
                [self.region(), rng.choice(TOWNS) + rng.choice(["镇", "乡", "街道"]), village + group]
            )
        elif r < 0.94:
            text = self.region() + rng.choice(CAMPUS) + f"{rng.randint(1, 40)}号楼{rng.randint(101, 640)}"
        else:
            text = self.region() + rng.choice(TOWNS) + rng.choice(["镇", "街道"])
        if self.p(0.08):
            text = text.translate(FULLWIDTH)
        return text

    def en_address(self) -> str:
        rng = self.rng
        district, city, province, post = rng.choice(EN_PLACES)
        road = f"{rng.choice(EN_ROADS)} {rng.choice(('Road', 'Rd.', 'Street', 'Avenue'))}"
        number = rng.choice((f"No. {rng.randint(1, 999)} {road}", f"{rng.randint(1, 999)} {road}"))
        room = rng.choice(("", f"Room {rng.randint(101, 3208)}, ", f"Flat {rng.randint(1, 30)}B, "))
        tail = f", {district} District, {city}" + (f", {province}" if province else "")
        if self.p(0.4):
            tail += f" {post}"
        return room + number + tail

    def _pick(self, forms: list[tuple[float, Callable[[], str]]]) -> str:
        r = self.rng.random() * sum(w for w, _ in forms)
        for weight, make in forms:
            r -= weight
            if r <= 0:
                return make()
        return forms[-1][1]()
