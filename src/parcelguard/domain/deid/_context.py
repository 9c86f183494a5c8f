"""What the words around a number say about it: the cheapest way to keep hard negatives untouched.

In the delivery trade the same digit shapes mean different things: eleven digits after 手机 are a phone,
after 运单号 a tracking number. Validators (check digits, Luhn, allocated ranges) already reject most random
digits; the label in front of a number rejects the rest, and a unit after it (元, kg) marks amounts and
weights. A label only counts when it is the nearest thing before the number, so
"订单号123，电话13812345678" still yields the phone.
"""

from __future__ import annotations

import re

__all__ = [
    "CARD_CUE",
    "ID_CUE",
    "PASSPORT_CUE",
    "PHONE_CUE",
    "PLATE_CUE",
    "cue_before",
    "glued_to_code",
    "letter_prefix_ok",
    "vetoed",
]

_WINDOW = 24

_NEGATIVE_WORDS = """
运单 运单号 快递单号 物流单号 面单号 订单 订单号 订单编号 单号 退货单号 退款单号 寄回单号 换货单号 工单号
投诉单号 售后单号 交易单号 交易号 流水号 发票号 取件码 取货码 提货码 取件号 取货号 验证码 校验码 动态码
短信验证码 核销码 兑换码 优惠码 券码 会员号 会员卡号 积分 工号 柜号 格口 格口号 座位号 车次 航班 航班号
批次 批次号 批号 货号 型号 款号 商品编码 商品码 商品号 条码 条形码 序列号 串号 编号 编码 分拣码 三段码
站点码 站点编码 网点码 网点编号 网点编码 中转码 路由码 集包号 袋号 箱号 托盘号 库位 邮政编码 邮编 版本
金额 价格 运费 费用 总价 单价 实付 应付 合计 余额 重量 实重 计费重 体积 数量 件数 共 约 重 价 人民币
货架 货架号 货位 架号 层架 驿站 柜子 快递柜 丰巢 凭码
"""
_NEGATIVE_LATIN = """
tracking waybill order awb sku pickup pick-up code ref reference invoice item batch serial parcel package
shipment zip postcode amount total price weight model version rmb cny usd hkd
"""
# Labels of numbers that are not personal data. The text before a number is reversed and matched at its
# start, so one ``match`` call (no scan) reads backwards over a colon, 是/is, a tail such as 号码 or no.,
# and then the label.
_REVERSED_LABELS = sorted(
    (w[::-1] for w in _NEGATIVE_WORDS.split() + _NEGATIVE_LATIN.split()), key=len, reverse=True
)
_NEGATIVE_LABEL_REVERSED = re.compile(
    r"[\s:#]*(?:是|为|si(?![a-z]))?[\s:#]*(?:码号|号编|号|码|rebmun|\.?on|di|edoc|#)?[\s.]*"
    r"(?:(?P<label>" + "|".join(re.escape(w) for w in _REVERSED_LABELS) + r")(?![a-z])|[¥$€£])",
    re.IGNORECASE,
)
# Units right after a number: amounts, weights, sizes. Only unambiguous ones: 包 or 件 could start a word.
_UNIT_AFTER = re.compile(
    r" ?(?:元|块钱|rmb|cny|kg|公斤|千克|克|斤|吨|毫升|厘米|毫米|cm|mm|ml|%|lb|pcs)(?![A-Za-z])",
    re.IGNORECASE,
)

# Cue words (lower case: the text is lower-cased before the search, which lets ``re`` skip ahead on the
# words' first characters; IGNORECASE would make it try every position).
PHONE_CUE = re.compile(
    "电话|手机|号码|联系方式|来电|致电|回电|打给|拨打|座机|固话|热线|tel|phone|mobile|call|cell|"
    "联系|微信|whatsapp|短信|接听|咨询|客服"
)
ID_CUE = re.compile("身份证|证件|身份号|公民身份|id card|id no|id number|id|identity|居民身份|证号")
CARD_CUE = re.compile(
    "卡号|银行卡|借记卡|信用卡|储蓄卡|账号|帐号|账户|帐户|卡|银行|card|account|visa|mastercard|unionpay|银联"
)
PASSPORT_CUE = re.compile("护照|passport|旅行证件|出入境|签证")
PLATE_CUE = re.compile("车牌|牌照|车号|plate|车辆|司机|货车|面包车|轿车|车子|开车|停车")

_TRACKING_LETTERS = re.compile(r"[A-Z]{2,5}$")
_LETTERS_BEFORE = re.compile(r"[A-Za-z]+$")
_ALLOWED_LETTER_LABELS = frozenset(
    {"tel", "ph", "phone", "mobile", "mob", "cell", "m", "t", "no", "id", "idno", "number", "num", "card"}
)


def _negative_label_before(text: str, start: int) -> bool:
    return _NEGATIVE_LABEL_REVERSED.match(text[max(0, start - _WINDOW) : start][::-1]) is not None


def vetoed(text: str, start: int, end: int) -> bool:
    """True when the nearest label before ``text[start:end]`` or a unit after it says it is not personal."""
    return _negative_label_before(text, start) or _UNIT_AFTER.match(text, end) is not None


def cue_before(text: str, start: int, cue: re.Pattern[str], window: int = 16) -> bool:
    """True when ``cue`` (a lower-case pattern) occurs in the ``window`` characters before ``start``."""
    return cue.search(text[max(0, start - window) : start].lower()) is not None


def glued_to_code(text: str, start: int) -> bool:
    """True for a number that continues a code after a dash (220824-500227501001016, A12-3456)."""
    return start >= 2 and text[start - 1] == "-" and text[start - 2].isascii() and text[start - 2].isalnum()


def letter_prefix_ok(text: str, start: int) -> bool:
    """A number glued to letters is part of a code (SF1234..., JDVA...) unless the letters are a label."""
    if start == 0 or not text[start - 1].isascii() or not text[start - 1].isalpha():
        return True
    letters = _LETTERS_BEFORE.search(text, max(0, start - 12), start)
    if letters is None:
        return True
    word = letters.group()
    if word.lower() in _ALLOWED_LETTER_LABELS:
        return True
    return _TRACKING_LETTERS.search(word) is None and not word.isupper()
