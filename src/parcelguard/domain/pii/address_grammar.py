"""The grammar of the part of a Chinese address below the administrative divisions.

After province, city and district come, in this order and each optional: town or sub-district (镇 乡 街道),
road and house number (建设路88号, 123弄4号), village and group (幸福村3组), community or estate (阳光花园,
科技大厦), and building, unit, floor and room (3号楼2单元1201室, 3栋1802, B座1703, 5-2-1201). Each piece
ends in a closed set of suffix words, which is what makes the grammar cheap: one compiled alternation,
matched piece by piece from where the divisions end.

Names before a suffix are runs of Han characters that are not function words (的 了 在 ...), so "放在家里"
never becomes a road called 在家里.

Customers type loosely, and the grammar takes what they type as a shape, not as a list of places: homophones
for the building word (3撞, B懂), # and dashes between levels (5#1单元, 3-2-501), letters with digits
(B座1097, A区), numbered roads (新兴1路), bare house and room numbers after a road or estate (闻川路1722,
产业园1207). Everyday words that end like a place are not places (线路, 频道, 古镇, 城乡, 农村信用社).

This is the one list of road words and household suffixes: the order parser (:mod:`.address`), the
free-text finder (:mod:`.address_finder`), the label gate and the division table all build on it.
"""

from __future__ import annotations

import re

__all__ = [
    "ADDRESS_LABEL",
    "ADDRESS_VERB",
    "ANCHORS",
    "ANCHOR_NEEDS_DIGIT",
    "COMPONENT",
    "EMPLOYER_CUE",
    "GOVERNMENT",
    "HIGHWAY",
    "HOUSEHOLD",
    "HOUSE_NUMBER",
    "LEFT_STOP",
    "LEFT_STOP_WORDS",
    "NAME_CHAR",
    "NOT_ESTATE",
    "NOT_ROAD",
    "ORGANISATION",
    "POSITION",
    "REST_OF_FIELD",
    "ROAD_WORDS",
    "ROOM_ANCHOR",
    "STREET_CHARS",
    "TAIL",
]

# Function words and trade verbs that cannot be part of a place name.
_NOT_PLACE = (
    "的了着是在我你他她它们这那哪与及或就也还把被从往到给让叫说请要吗呢吧啊呀哦嗯想不没很又已您寄送取递裹"
)


def _han_class_without(excluded: str) -> str:
    """A character class of the main CJK block minus ``excluded``, as ranges (fast in ``re``)."""
    points = sorted({ord(ch) for ch in excluded})
    ranges: list[str] = []
    low = 0x4E00
    for cp in points:
        if cp > low:
            ranges.append(f"{chr(low)}-{chr(cp - 1)}")
        low = cp + 1
    ranges.append(f"{chr(low)}-\u9fff")
    return "[" + "".join(ranges) + "]"


NAME_CHAR = _han_class_without(_NOT_PLACE)
_N = NAME_CHAR
_NUM = "[0-9]+"
_CN_NUM = "[一二三四五六七八九十百零〇两]+"


def _alt(words: str) -> str:
    """A flat alternation of literal words, longest first, so ``re`` can skip to their first characters."""
    return "(?:" + "|".join(sorted(words.split(), key=len, reverse=True)) + ")"


_ROAD_WORDS = "大道 大街 胡同 支路 横路 辅路 环路 公路 国道 省道 路 巷 弄"
ROAD_WORDS = tuple(_ROAD_WORDS.split())
"""Words that end a road's name. 街, 道 and 里 also end one, but only in context (街 not in 街道)."""
_ROAD = "(?:" + _alt(_ROAD_WORDS)[3:-1] + "|街(?!道)|里(?=[0-9])|道(?=[0-9])|段(?=[0-9]+号))"
# Characters that turn a place name into a street, village or house number (朝阳路, 长安街, 南山村).
# Only one-character words and 胡 (胡同): 大 or 公 would stop 广东|大学城 or 深圳|公司 too.
STREET_CHARS = frozenset("".join(w for w in ROAD_WORDS if len(w) == 1) + "胡街道里村镇乡号桥")
# What a bare number after a road must not be followed by to be its house number (中山路100米 is a distance,
# 建设路3路车 a bus route, 解放路1.5公里 a distance).
_NOT_HOUSE_AFTER = (
    "[0-9%~]|[.,][0-9]|米|元|块|个|家|公里|千米|km|路|号线|次|年|月|日|天|岁|人|多|余|万|亿|辆|条|台|件|分|"
    "秒|小时|克|斤|吨|平|届|期|周|名|位|所|座|场|项|种|班|趟|站|公交|套|集|频"
)
_HOUSE = (
    rf"(?:[甲乙丙丁]?{_NUM}(?:(?:-{{1,2}}|之){_NUM})?(?:号院|号(?!楼)|弄|栋|幢)|{_CN_NUM}号(?!楼)"
    rf"|(?<=[路街巷弄道段])[0-9]{{2,5}}(?:-{{1,2}}{_NUM})?(?!{_NOT_HOUSE_AFTER}))"
)
_TOWN_WORDS = (
    "街道办事处 街道办 街道 镇 乡 开发区 经开区 高新区 工业园区 工业园 工业区 经济区 管委会 农场 林场 牧场"
)
_TOWN = _alt(_TOWN_WORDS)
_VILLAGE_WORDS = "村委会 村民委员会 居委会 社区 村 屯 嘎查 寨 庄"
_VILLAGE = _alt(_VILLAGE_WORDS)
_ESTATE_WORDS = (
    "小区 花园 家园 公寓 大厦 广场 中心 新村 新城 名苑 雅苑 华庭 山庄 别墅 公馆 天地 国际 家属院 大院 宿舍楼 "
    "宿舍 教学楼 实验楼 办公楼 综合楼 写字楼 科技园 产业园 软件园 创业园 孵化园 园区 市场 商城 商场 商厦 "
    "大楼 校区 大学 学院 医院 中学 小学 幼儿园 酒店 宾馆 饭店 名邸 基地 "
    "苑 府 城 园 庭 湾 阁 居 墅 院 坊 里 楼 邸"
)
_ESTATE = _alt(_ESTATE_WORDS)
# 栋 and 幢 as typed, with the homophone typos customers make (3撞, 5懂).
_BUILDING_WORD = "(?:栋|幢|撞|懂)"
_BUILDING_HEAD = rf"(?:[A-Za-z]?{_NUM}(?:-[A-Za-z0-9]+)?|{_CN_NUM}|[A-Za-z])"
# 5-2-1201 (building-unit-room) or 12-301; never four digits first (a date).
# Never 1-2 alone (a score); 63-12 and 5-2-1201 are rooms.
_ROOM_DASH = "(?:[0-9]{1,3}-[0-9]{1,4}-[0-9]{1,5}|[0-9]{2,3}-[0-9]{1,4}|[0-9]-[0-9]{2,4})"
_UNIT_SUFFIX = _alt(
    "号楼 号院 号馆 号门 号铺 号库 号 栋 幢 撞 懂 座 单元 层 楼 室 房间 房 户 门 组 铺 期 区 排 弄 巷 队 社 "
    "舍 #楼 # F f"
)


# A house number: 88号, 甲1号, 12-3号, 123弄4号, or a lane 123弄; 88号楼 is a building, not a house number.
HOUSE_NUMBER = re.compile(r"(?:[0-9]+弄)?[甲乙丙丁]?[0-9]+(?:[-之][0-9]+)?号(?!楼|馆|门|铺|库)院?|[0-9]+弄")
# The household part of an address, each piece as written: building (3号楼, 5栋, B座), unit (2单元),
# floor (12层, 12楼, 12F, Hong Kong's 12/F) and room (1201室, or the bare number after a building, unit or
# floor: 12F-1208),
# and the dash forms building-unit-room (5-2-1201) and building-room (12-301).
HOUSEHOLD = re.compile(
    rf"(?P<building>[A-Za-z]?{_NUM}[A-Za-z]?(?:号楼|{_BUILDING_WORD}|座|号馆|#楼?)|(?<![A-Za-z])[A-Za-z](?:座|{_BUILDING_WORD})"
    rf"|{_CN_NUM}(?:号楼|{_BUILDING_WORD}|座))"
    rf"|(?P<unit>(?:{_NUM}|{_CN_NUM})单元)"
    rf"|(?P<floor>(?:{_NUM}|{_CN_NUM})(?:层|楼)|(?<![0-9A-Za-z]){_NUM}/?[Ff](?![A-Za-z]))"
    rf"|(?P<room>[A-Za-z]?{_NUM}(?:室|房间|房|户)|(?:(?<=[栋幢撞懂座元层楼])|(?<=[0-9][Ff]-)|(?<=[0-9]/[Ff]-))[A-Za-z]?{_NUM}(?![0-9]))"
    r"|(?P<dash>(?<![0-9-])(?P<d1>[0-9]{1,3})-(?P<d2>[0-9]{1,4})(?:-(?P<d3>[0-9]{1,5}))?(?![0-9-]))"
)


def _firsts(words: str) -> str:
    """A lookahead on the first characters of ``words``: a lazy name loop tests it before the alternation."""
    return "(?=[" + "".join(sorted({w[0] for w in words.split()})) + "])"


# Words ending in 镇 or 乡 that name no town (古镇, 城镇, 冰镇, 家乡, 城乡): never a town's suffix here.
_NOT_TOWN_HERE = "(?!(?<=[古冰城乡小重村])镇)(?!(?<=[城家老故下他异同])乡)"
_NAMED_CHAR = f"(?:{_N}|[A-Za-z])"
_NAMED_GUARD = "(?=[ 0-9A-Za-z一二三四五六七八九十百零〇两])"
_ROAD_FIRSTS = _firsts(_ROAD_WORDS + " 街 里 道")
# One piece of an address; the named group says which. Each lazy name loop checks the first character of
# its suffix words before trying them, which keeps ``re`` from running every alternation at every step.
COMPONENT = re.compile(
    r"[ _]?(?:"
    rf"(?P<unit>(?![0-9]{{3,}}期)(?:{_BUILDING_HEAD}[A-Za-z]?)(?:{_UNIT_SUFFIX})(?:之{_NUM})?"
    r"|[东西南北中](?:校区|区)|[东西南北]院)"
    rf"|(?P<room>{_ROOM_DASH}(?:室|号|房)?(?![0-9-])|(?<=[栋幢撞懂座元楼号层门舍#F])[A-Za-z]?[0-9]{{2,5}}[A-Za-z]?(?![0-9A-Za-z])"
    rf"|(?<=区)[A-Za-z]?[0-9]{{2,5}}[A-Za-z]?(?![0-9A-Za-z]|{_NOT_HOUSE_AFTER})"
    r"|(?<=[楼层])[A-Z](?![A-Za-z]))"
    rf"|(?P<town>{_N}{{1,8}}?{_firsts(_TOWN_WORDS)}{_NOT_TOWN_HERE}{_TOWN})"
    rf"|(?P<road>{_N}{{1,8}}?(?:[0-9]{{1,3}}号?)?{_ROAD_FIRSTS}{_ROAD}(?:[东西南北中](?:段|路)?)?(?:(?:{_NUM}|{_CN_NUM})段)?(?:{_HOUSE})?"
    r"|[GSX]?[0-9]{2,3}(?:国道|省道|县道))"
    rf"|(?P<village>{_N}{{1,6}}?{_firsts(_VILLAGE_WORDS)}(?!(?<=[农乡用])村|村镇银行){_VILLAGE}(?:(?:{_NUM}|{_CN_NUM})(?:组|队|社|号(?!楼)))?(?!{_ESTATE}))"
    rf"|(?P<estate>{_N}(?:{_N}|[0-9]){{0,9}}?{_firsts(_ESTATE_WORDS)}{_ESTATE}(?:{_ESTATE})?"
    rf"(?:(?:{_NUM}|{_CN_NUM})期)?(?:[A-Za-z]{{0,2}}[0-9]{{3,5}}[A-Za-z]?(?![0-9A-Za-z]|{_NOT_HOUSE_AFTER})|{_ROOM_DASH}(?![0-9-]))?)"
    rf"|(?P<cross>(?<=[路街道巷])[与和]{_N}{{1,8}}?{_ROAD_FIRSTS}{_ROAD}(?:交叉口|交汇处|交界处|十字路口|路口)?)"
    rf"|(?P<named>{_NAMED_CHAR}{{1,12}}?{_NAMED_GUARD}"
    rf"(?=[ _]?(?:{_BUILDING_HEAD}(?:号楼|{_BUILDING_WORD[3:-1]}|座|单元|号|舍|区|期)"
    rf"|{_ROOM_DASH}|{_NUM}(?:组|队|社))))"
    r"|(?P<landmark>(?:旁边|旁|对面|附近|隔壁|东侧|西侧|南侧|北侧|东门|西门|南门|北门|正门|后门|侧门|门口|门卫室?|"
    r"大门|一楼|楼下|大堂|前台|收发室|传达室|驿站|快递柜|丰巢柜?|村委会|居委会|村部|大队部|"
    r"[东西][南北]角|[东西南北]角)(?![0-9]))"
    r")"
)

# Where an address without divisions announces itself: a road with a house number, an estate, village or
# town followed by a building, or a building followed by a unit or room. Each pattern starts with literal
# words or digits, which keeps the scan fast; ROOM_ANCHOR must also follow a Han character (阳光1003-5-1604).
ANCHORS = (
    re.compile(rf"{_ROAD}(?:[东西南北中]段?)?(?:{_NUM}段)?{_HOUSE}"),
    re.compile(
        _alt(_ESTATE_WORDS + " " + _VILLAGE_WORDS + " " + _TOWN_WORDS)
        + rf"(?:{_NUM}期)? ?{_BUILDING_HEAD}(?:号楼|号院|栋|幢|撞|懂|座|单元|组|号|区|期|-|#|队|社)"
    ),
    # The digits are possessive (3.11+): inside a long number ``re`` must not retry every shorter prefix;
    # and the number is taken from its first digit only, or each digit of a long run would read the rest
    # of the run again (a 20,000-digit text: 0.13 s, 100,000 digits: 3 s).
    re.compile(
        rf"(?<![0-9])[0-9]++(?:(?:号楼|栋|幢|撞|懂|座)(?:(?:{_NUM}|{_CN_NUM}|[A-Za-z])(?:单元|层|楼|室|号|门)"
        r"|[0-9]{3,5}(?![0-9]))|号[0-9]{3,5}(?:室|房)|单元[0-9]{3,5}(?![0-9]))"
    ),
    # Each pattern below starts with a literal, so ``re`` skips to it; lookbehinds check what precedes.
    re.compile(r"(?<=[A-Z东西南北中])座(?:[0-9]{3,5}(?![0-9])|[0-9]{1,3}(?:楼|层|F))"),
    # A house number right after a place name (溪坦村溪南1189号, 下沙幸福桥468号); never after a date or
    # a count word (3月15号, 第12号, 桌号18号), nor a building or a document (88号楼, 265号文).
    re.compile(
        r"(?<=[\u4e00-\u9fff])(?<![月日年第期周天节后前号码位排座桌床个])[0-9]{2,5}号(?![楼院线文令0-9])"
    ),
    # A numbered part of an estate, then a room (二区744号, 3排12号, 5楼201室).
    re.compile(r"(?<=[区排期层楼])[0-9]{2,5}(?:号|室)"),
    # Two roads and where they cross (文二西路与紫荆港路交叉口).
    re.compile(rf"(?<=[路街道巷])[与和]{_N}{{1,8}}?{_ROAD_FIRSTS}{_ROAD}"),
    # A town or sub-district with more after it (柳市镇东岸村, 良渚街道文化村): the parse decides whether
    # what follows makes an address.
    re.compile(
        _alt(" ".join(w for w in _TOWN_WORDS.split() if w not in ("镇", "乡")))[:-1]
        + rf"|镇(?<![古冰城乡小重村]镇)|乡(?<![城家老故下他异同]乡))(?={_N})"
    ),
    # An estate or building with a room or floor number right after it (产业园1207, 大厦11楼, 天际63-12).
    re.compile(
        _alt(_ESTATE_WORDS)
        + rf"(?:[A-Za-z]?[0-9]{{3,5}}[A-Za-z]?(?![0-9A-Za-z]|{_NOT_HOUSE_AFTER})|{_ROOM_DASH}(?![0-9-])"
        + rf"|{_NUM}(?:楼|层|F))"
    ),
)
# Which anchors can match only where an ASCII digit is: most text has none, and then they are skipped.
ANCHOR_NEEDS_DIGIT = (False, False, True, True, True, True, False, False, True)
ROOM_ANCHOR = re.compile(
    rf"(?<![0-9-])[1-9][0-9]{{0,2}}-(?:[0-9]{{1,3}}-[0-9]{{2,5}}|[0-9]{{3,5}})(?![0-9:-]|{_NOT_HOUSE_AFTER})"
)

# Labels before an address: what follows is an address even when the grammar knows little of it.
ADDRESS_LABEL = re.compile(
    _alt(
        "收货地址 收件地址 寄件地址 发货地址 送货地址 退货地址 换货地址 详细地址 家庭住址 家庭地址 "
        "单位地址 公司地址 现住址 户籍地址 户籍地 住址 地址 address Address ADDRESS addr Addr"
    )
    + r"\s*(?:是|为|在)?\s*[:]?\s*"
)
# Verbs before a place: what follows may be an address, if the grammar finds a number or a street in it.
ADDRESS_VERB = re.compile(
    _alt("住在 家住 住 送到 送至 寄到 寄至 寄往 派送到 派送至 放到 放在 发往 位于 来自 搬到 改到 改成 改为")
    + r"\s*"
)

# The rest of a labelled address field, up to the next separator or field label.
REST_OF_FIELD = re.compile(
    rf"(?:{NAME_CHAR}|[0-9A-Za-z#\-()])*?(?=[\s,，。;；!！?？:、\n]|电话|手机|联系|收件人|姓名|邮编|备注|$)"
)

# Words that end whatever follows an address: contact details, remarks, times and courtesies; and 等
# (等了一天, 公司等9家), but not in 高等专科学校.
_TAIL_STOP_WORDS = (
    "电话 联系 联电 电联 收件人 收货人 姓名 邮编 备注 谢谢 麻烦 辛苦 快递员 尽快 今天 明天 后天 "
    "上午 下午 晚上 中午 周末 工作日 时间 送货 送到 送来 送出 派送 签收 代收 收到 取件 发出 发货 退回 "
    "转交 打电话 不在 不要 不用 不是 务必 "
    # what people do at an address, and what news says happened there
    "上班 下班 吃饭 上学 放学 开会 见面 集合 逛街 看病 就诊 举行 举办 召开 发生 出现 表示 认为 宣布 进行 "
    "开展 成立 推出 获悉 显示 附近的"
)
# 手机 ends it before a number (手机13800138000, 手机号), not in a shop's name (手机店, 手机专卖店).
_TAIL_STOP = f"(?:{_alt(_TAIL_STOP_WORDS)}|手机(?=号|[0-9 :])|等(?![级专学院高]))"
# Function words that end what follows an address; fewer than in a name (自在城, 快递部, 奶吧 are places).
_TAIL_CHAR = _han_class_without(
    "的了是我你他她它们这那哪吗呢啊呀哦嗯您请把被让叫要想没很又已及或与也还从给寄"
)
_TAIL_PIECE = (
    rf"(?:{_TAIL_CHAR}|[A-Za-z]|[0-9]{{1,8}}(?![0-9]|{_NOT_HOUSE_AFTER}|[盒箱包瓶袋份支只斤双套张本]|单(?!元))|[-#]"
    r"|[0-9]{1,2}路(?!公交|车|汽车|线)|(?<=[0-9号])、(?=[0-9])|(?<=[0-9])/(?=[0-9])"
    r"|(?<=[东西南北])[0-9]{1,4}(?:米|公里)|[(（][^()（）0-9,]{1,12}[)）])"
)
# What may follow the last piece the grammar knows, up to a clear boundary (a separator, a function word, a
# number longer than 8 digits such as a mobile, a measure after a number, or a remark): the name of a shop,
# firm or building (游方箱包, 金乐染织有限公司), household details typed loosely (8一5室, 9A26号, 二楼6,
# 4/1268, 143号、52号, and 5一6一1443, which folding turns into 51611443) and directions (往北300米).
# A blank (or the underscore some forms put for one) is crossed only before a number (西园一路 48号).
TAIL = re.compile(rf"(?:(?!{_TAIL_STOP})(?:{_TAIL_PIECE}|[ _](?=[0-9]))){{0,24}}")

# Everyday words ending in a road word that name no road (线路 a route, 铁路 a railway, 频道 a channel, 街巷
# alone): a road piece whose road word follows one of these characters is no road.
NOT_ROAD = re.compile(
    "[线电思出走套退去生活销铁迷带让赶问回岔歧末绕领网航陆半]路|[频通车跑轨隧渠管赛知味坡过步报难]道"
)


# Organisations named after their place (江苏省高级人民法院, 北京市公安局, 深圳市福利彩票发行中心, 天津滨海
# 开元房地产开发有限公司): a division followed by one of these, with no street, village or number, is the
# organisation, not an address. Schools and hospitals are left out: people receive parcels there.
ORGANISATION = re.compile(
    rf"{NAME_CHAR}{{0,14}}?"
    + _alt(
        "人民政府 政府 党委 省委 市委 县委 区委 州委 人大 政协 法院 检察院 公安 派出所 监狱 看守所 局 厅 "
        "委员会 常委会 办公室 管委会 中心 公司 集团 股份 银行 支行 分行 研究所 研究院 科学院 社科院 设计院 "
        "协会 学会 商会 联社 联合会 基金会 总厂 电视台 电台 日报 报社 出版社 中院 分局 工商联 信用社 合作社 "
        "营业部 事务所 律师所"
    ).replace("委员会", "(?<![村居]民)委员会")  # a village committee (村民委员会) is a place
)

# Roles people hold at an employer (董事, 科员, 副主任, 任教): a place followed by one names the employer
# (青海省黄南州同仁县司法局科员, 深圳高速公路股份有限公司董事), not where anyone lives.
POSITION = re.compile(
    "副?"
    + _alt(
        "董事 理事 监事 经理 总监 主任 书记 委员 常委 科员 科长 处长 局长 厂长 部长 院长 校长 所长 会长 "
        "主席 秘书 律师 教师 工程师 会计师 顾问 专家 行长 队长 组长 站长 合伙人 干部 职员 研究员 教授 "
        "负责人 任教 插队 就读 任职 担任 挂职 总经理 董事长 会计 技术员 统计员 计统员 业务员 读书 工作"
    )
    .replace("委员", "委员(?!会)")  # 村民委员会 is a village committee, not a member of it
    .replace("工作", "工作(?![室站服])")  # 工作室 is a place
)
# Words before a school or employer that make it one (毕业于, 就读于): where someone studied or worked.
EMPLOYER_CUE = re.compile(
    _alt("毕业于 就读于 就职于 任职于 工作于 供职于 肄业于 毕业 就读 就职 任职 供职") + "$"
)
# Roads that are highways: no one lives on 盘山公路 or 318国道 without a number.
HIGHWAY = re.compile("(?:公路|国道|省道|高速)$")

# Characters where the name of a road or estate cannot start when walking back from its suffix.
LEFT_STOP = frozenset(_NOT_PLACE) | frozenset("址住至往于放号室任")
# Two-character words that stop it too: 收 starts 收件人 and 收货, but is part of 丰收路.
LEFT_STOP_WORDS = frozenset({"收件", "收货", "收到", "收好", "收下", "签收", "代收"})

# Estate-like names that are the carrier's own facilities, not anyone's address.
NOT_ESTATE = re.compile(
    r"(?:转运|分拨|集散|分拣|配送|客服|服务|处理|仓储|物流|调度|运营|快递|营业|数据|呼叫|售后|维修|"
    r"购物|商业|市中|中转)(?:中心|站|部|点|所)$|(?<![镇乡])政府$|法院$|检察院$"
)
# Government bodies named after their place (旬阳县人民法院, 渝中区建委): right after the divisions, before
# any street, they make the text about the body, not an address.
GOVERNMENT = re.compile(
    rf"{NAME_CHAR}{{0,8}}?(?:人民政府|政府|法院|检察院|中院|人大|政协|党委|[省市县区州党纪建经计卫教科政法]委(?!员))"
)
