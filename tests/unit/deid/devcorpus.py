"""The detector's development corpus: templates of delivery-domain texts with exact gold spans, and a scorer.

Templates are split in two by index: the detector is tuned on the DEV templates only, and the HOLDOUT
templates (every third one) measure how well that generalises. Slots: ``{NAME}`` and friends insert a
PII value and record its span, ``{~kind}`` inserts a hard negative, ``[a|b]`` picks one alternative.

The scorer uses the matching rule of the project's benchmark: a gold entity is found when a prediction of
its type covers at least half of it; a prediction is correct when it overlaps a gold entity of its type;
"uncovered" is the share of gold PII characters (whitespace excluded) covered by no prediction at all.

    .venv/bin/python -m tests.unit.deid.devcorpus [--n 3000] [--seed 7] [--split holdout] [--errors 10]
"""

from __future__ import annotations

import argparse
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from tests.unit.deid.devnegatives import Negatives
from tests.unit.deid.devvalues import Values

# (class, template). "$A" is an agent label, "$U" a customer label.
TEMPLATES: tuple[tuple[str, str], ...] = (
    (
        "chat",
        "$U：你好，我的快递{~tracking}到哪了？收件人{NAME}，电话{MOBILE}\n$A：您好，已为您查询，预计{~date}送达",
    ),
    ("chat", "$A：请提供收件人姓名和手机号\n$U：{NAME}，{MOBILE}，地址是{ADDR}"),
    ("chat", "$U：我要改地址，改到{ADDR}，联系人还是{NAME}\n$A：好的，运费需补{~amount}"),
    ("chat", "$U：快递员{NAME}一直不接电话，{PHONE}打了好几次\n$A：抱歉，已反馈网点{~station}"),
    ("chat", "$A：{SNAME}[先生|女士]您好，您的包裹重{~weight}，取件码{~pickup}，请到驿站领取"),
    ("chat", "$U：我是{NAME}，身份证号{ID}，帮我查下实名信息\n$A：已核实，谢谢"),
    ("chat", "$U：退款打到我卡上吧，{BANK}卡号{CARD}，户名{NAME}\n$A：好的，{~amount}将在3个工作日内退回"),
    ("chat", "$U：帮我寄个件给我朋友{NAME}，他住{ADDR}，手机{MOBILE}"),
    ("chat", "$A：您好{SNAME}[先生|女士|小姐]，订单号{~order}已发货，请保持{MOBILE}畅通"),
    ("chat", "$U：我邮箱是{EMAIL}，把电子发票发过来\n$A：好的，金额{~amount}"),
    ("chat", "$U：[麻烦|请]送到{ADDR}，放门口就行\n$A：好的，验证码{~vcode}请勿泄露"),
    ("chat", "$U：{NAME}是我老婆，她的电话是{MOBILE}，让快递员直接打给她"),
    ("chat", "$A：请问是{NAME}本人吗？您有一个到付件{~amount}\n$U：是的"),
    ("chat", "$U：收件人写错了，应该是{NAME}不是{NAME}\n$A：已修改"),
    ("chat", "$U：座机{LANDLINE}转{~count}，找{SNAME}经理签收"),
    ("remark", "派件备注：{NAME} {MOBILE} {ADDR}，{~time}前送达"),
    ("remark", "[已签收|已妥投]，签收人：{NAME}，[本人签收|家人代收]，{~date} {~time}"),
    ("remark", "电话{PHONE}无人接听，{SNAME}[先生|女士]要求{~date}再派，已放{~station}"),
    ("remark", "收派员{NAME}({MOBILE})于{~time}揽收，重量{~weight}，运单{~tracking}"),
    ("remark", "客户{NAME}要求放[快递柜|驿站]，取件码{~pickup}，联系电话{MOBILE}"),
    ("remark", "地址不详，{ADDR}附近找不到，联系{PHONE}未接通"),
    ("remark", "[司机|师傅]{NAME}开{PLATE}来取件，共{~count}件，{~weight}"),
    ("remark", "{NAME}，{MOBILE}，{ADDR}，[易碎品|生鲜]轻放"),
    ("remark", "转寄至{ADDR}，收件人{NAME}，原单号{~tracking}"),
    ("remark", "[门卫|前台]代收，{SNAME}[师傅|老师]已确认，分拣码{~station}"),
    (
        "complaint",
        "我叫{NAME}，手机{MOBILE}，{~date}寄的件{~tracking}到现在没到，你们快递员{SNAME}师傅态度很差",
    ),
    (
        "complaint",
        "投诉：快递员把我的包裹放在{ADDR}门口丢了，价值{~amount}，我的电话{MOBILE}，请{NAME}主管回电",
    ),
    ("complaint", "本人{NAME}，身份证{ID}，{~date}在你们网点寄件被多收了{~amount}"),
    ("complaint", "快递员私自把我的信息给别人，我的地址{ADDR}和电话{PHONE}都被泄露了"),
    (
        "complaint",
        "{~date}我下单{~order}，[商家|卖家]发了{~brand}的鞋，快递员{NAME}说已经送到{ADDR}了，根本没有",
    ),
    ("complaint", "车牌号{PLATE}的快递车堵在我家门口，[司机|驾驶员]叫{NAME}，电话{MOBILE}"),
    ("complaint", "客服{NAME}答应{~date}回复，到现在没消息，热线{~hotline}也打不通"),
    ("complaint", "我在{ADDR}住，你们{SNAME}[师傅|经理]天天不送上门，电话{MOBILE}"),
    ("record", "姓名：{NAME}\n身份证号：{ID}\n手机：{MOBILE}\n地址：{ADDR}"),
    ("record", "寄件人：{NAME}  证件号码：{ID}  联系电话：{PHONE}  寄件地址：{ADDR}"),
    ("record", "{NAME},{ID},{MOBILE},{ADDR}"),
    ("record", "实名登记 | {NAME} | {ID} | {MOBILE}"),
    ("record", "姓名：{NAME} 护照号码：{PASSPORT} 电话：{MOBILE} 国籍：中国"),
    ("record", "车辆登记：车牌{PLATE}，车主{NAME}，联系电话{PHONE}"),
    ("record", "收件人信息：{NAME}/{MOBILE}/{ADDR}"),
    ("record", "旧身份证号{LEGACY_ID}，姓名{NAME}，已更换为{ID}"),
    ("record", "登录IP：{IP}，账号邮箱{EMAIL}，手机{MOBILE}"),
    ("record", "寄件人{NAME}，{MOBILE}；收件人{NAME}，{MOBILE}；内件：[书籍|衣服|文件]，保价{~amount}"),
    ("order", "【{~brand}旗舰店】您的订单{~order}已发货，{~tracking}，收货人{NAME}，{MOBILE}"),
    ("order", "订单备注：请送到{ADDR}，{SNAME}[先生|女士]收，电话{MOBILE}，SKU {~sku}"),
    ("order", "[顺丰|中通|圆通]快递：您的快件{~tracking}已到{ADDR}，请凭取件码{~pickup}领取，咨询{~hotline}"),
    ("order", "发票抬头：{NAME}，邮箱{EMAIL}，金额{~amount}，{~date}开具"),
    ("order", "退货信息：退回{ADDR}，{NAME}收，{PHONE}，退货单号{~tracking}"),
    ("order", "收货人:{NAME} 手机号:{MOBILE} 所在地区:{ADDR} 订单号:{~order}"),
    ("mixed", "Hi {ENAME}, your parcel {~tracking} will arrive on {~date}. Contact: {MOBILE}"),
    ("mixed", "Dear Mr. {ELAST}, please confirm the delivery address: {EADDR}. Tel {PHONE}"),
    ("mixed", "收件人 Recipient：{ENAME}，电话 Tel：{MOBILE}，地址 Address：{ADDR}"),
    ("mixed", "Sender: {ENAME}, Email: {EMAIL}, Passport No.: {PASSPORT}"),
    (
        "mixed",
        "Customer {ENAME} ({EMAIL}) complained that order {~order} weighed {~weight} "
        "but was charged {~amount}",
    ),
    ("mixed", "Courier {ENAME} called {PHONE} at {~time}, nobody answered, parcel left at {EADDR}"),
    ("mixed", "客户{NAME}的邮箱{EMAIL}，IP地址{IP}，多次下单异常"),
    ("mixed", "Ship to: {ENAME}, {EADDR}, phone {PHONE}"),
    ("mixed", "我的英文名是{ENAME}，护照{PASSPORT}，visa card {CARD}"),
    ("chat", "$U：请问{~date}能送到吗？我{~time}之后在家，{ADDR}\n$A：可以，运费{~amount}"),
    ("remark", "[联系|通知]{NAME}下楼取件，手机尾号不对，实际号码{MOBILE}"),
    ("complaint", "{NAME}和{NAME}都说没收到，地址都是{ADDR}，客服电话{~hotline}"),
    ("record", "联系人：{NAME}（{MOBILE}），备用联系人：{NAME}（{LANDLINE}）"),
    ("chat", "$U：帮忙查下{~date}从{ADDR}寄出的件，寄件人{SNAME}[先生|女士]，{~count}件"),
    ("order", "您好{NAME}，您在{~brand}购买的商品已由{SNAME}师傅配送，电话{MOBILE}，请注意查收"),
    ("remark", "客户在{ADDR}，{NAME}，{~weight}，到付{~amount}，{~time}后可派"),
    ("mixed", "{ENAME} ordered {~count} items, IP {IP}, card ending {~vcode}, email {EMAIL}"),
    ("chat", "$U：我叫{NAME}，车牌{PLATE}，来取{~count}件货\n$A：请出示取件码{~pickup}"),
    ("complaint", "藏族同胞{NONAME}反映，寄往{ADDR}的包裹丢失，联系电话{MOBILE}"),
    ("record", "收件人：{NONAME}，手机：{MOBILE}，地址：{ADDR}"),
    ("noise", "今天周末，高速堵车，方便的话明天再送，单号{~tracking}"),
    ("noise", "上海发货，【杭州转运中心】已到件，{~date} {~time}发往下一站，运单号{~tracking}"),
    ("noise", "单元门禁坏了，放3楼就行，谢谢师傅"),
    ("noise", "买了{~brand}的鞋和华为Mate60，合计{~amount}，重量{~weight}"),
    ("noise", "路上堵车，东西明天到，何时方便签收？回复1确认，取件码{~pickup}"),
    ("noise", "于是我就去了快递点，向前走100米右转，高楼下面就是驿站"),
    ("noise", "周一到周五9:00-18:00营业，周末休息，咨询{~hotline}"),
    ("noise", "万一丢了怎么办？高价值物品请保价，保价费{~amount}"),
    ("noise", "江苏发往北京的件都延误了，预计{~date}恢复，站点{~station}"),
    ("noise", "阳光很好，放阳台就行，订单{~order}"),
    ("noise", "单号{~tracking}，订单{~order}，取件码{~pickup}，验证码{~vcode}"),
    ("noise", "SKU {~sku}，颜色：白色，尺码XL，数量{~count}，单价{~amount}"),
    ("noise", "{~date} {~time} 【{~brand}】已揽收，分拣码{~station}，重量{~weight}"),
    ("noise", "常用地址已更新，方便下次使用，金额{~amount}已退回"),
    ("noise", "石家庄到郑州的干线车辆{~station}已发车，共{~count}件"),
    ("noise", "包裹破损，里面的文件都湿了，价值{~amount}，{~date}寄出"),
    ("noise", "Your order {~order} has shipped via SF Express, total {~amount}, weight {~weight}"),
    ("noise", "Hong Kong warehouse received {~count} parcels on {~date}, tracking {~tracking}"),
    ("noise", "Please call our hotline {~hotline} between 9:00 and 18:00, code {~vcode}"),
    ("noise", "{SNAME}[先生|女士]说周末不在家，{MOBILE}，放[门卫|快递柜]，取件码{~pickup}"),
    ("noise", "明天下午{~time}前送到就行，金额{~amount}，单号{~tracking}，高层电梯坏了"),
    ("noise", "文件袋{~count}个，方向朝上，易碎，运费{~amount}，向东走到路口"),
    ("noise", "订单号：{~order}\n下单时间：{~date} {~time}\n实付：{~amount}\n商品编码：{~sku}"),
    ("noise", "快递到了吗？我在单位，下班6点后回家，单号{~tracking}，谢谢"),
    ("record", "持卡人{NAME}，[借记卡|信用卡]{CARD}，开户行{BANK}"),
    ("record", "出境件申报：{ENAME}，passport {PASSPORT}，电话{PHONE}"),
    ("chat", "$U：理赔款请打到{CARD}，[户名|开户名]{NAME}\n$A：好的，{~date}前到账"),
    ("complaint", "[货车|面包车]{PLATE}每天堵在{ADDR}门口，我是业主{NAME}，{MOBILE}"),
    ("mixed", "Refund to card {CARD} (holder {ENAME}), passport {PASSPORT} for customs"),
    ("record", "护照号 {PASSPORT}，姓名{NAME}，国籍中国，出生日期{~date}"),
    ("order", "[信用卡|银行卡]尾号{~vcode}已扣款{~amount}，如非本人操作请联系{NAME}，{PHONE}"),
    ("remark", "司机{SNAME}师傅，车牌{PLATE}，{~time}到{ADDR}提货"),
    ("chat", "$U：我的身份证是{ID}，护照是{PASSPORT}，卡号{CARD}，帮我一起登记"),
)
AGENT_LABELS = ("客服", "坐席", "小助手", "Agent", "客服小美")
CUSTOMER_LABELS = ("顾客", "用户", "客户", "买家", "User")
BANKS = ("工商银行", "招商银行", "建设银行", "农业银行", "中国银行")
NEGATIVE_KINDS = [
    "tracking",
    "order",
    "amount",
    "date",
    "time",
    "pickup",
    "weight",
    "station",
    "sku",
    "vcode",
    "count",
    "hotline",
    "brand",
]
TYPES = ("PERSON", "PHONE", "CN_ID", "ADDRESS", "EMAIL", "BANK_CARD", "PASSPORT", "LICENSE_PLATE", "IP")

_ALTERNATIVE = re.compile(r"\[([^\[\]]*)\]")
_SLOT = re.compile(r"\{(~?[A-Z_a-z]+)\}")


@dataclass
class Example:
    text: str
    template: int
    entities: list[tuple[str, int, int]] = field(default_factory=list)
    negatives: list[tuple[str, int, int]] = field(default_factory=list)


def is_holdout(index: int) -> bool:
    """Every third template is never looked at while tuning."""
    return index % 3 == 2


class DevCorpus:
    """Seeded generator: the same seed gives the same examples."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.values = Values(self.rng)
        self.negatives = Negatives(self.rng)
        v = self.values
        self.slots: dict[str, tuple[str, Callable[[], str]]] = {
            "NAME": ("PERSON", v.name),
            "SNAME": ("PERSON", v.surname),
            "NONAME": ("PERSON", v.no_surname_name),
            "ENAME": ("PERSON", v.en_name),
            "ELAST": ("PERSON", v.en_last),
            "MOBILE": ("PHONE", v.mobile),
            "LANDLINE": ("PHONE", v.landline),
            "PHONE": ("PHONE", lambda: v.mobile() if v.p(0.7) else v.landline()),
            "ID": ("CN_ID", v.resident_id),
            "LEGACY_ID": ("CN_ID", v.legacy_id),
            "ADDR": ("ADDRESS", v.address),
            "EADDR": ("ADDRESS", v.en_address),
            "EMAIL": ("EMAIL", v.email),
            "CARD": ("BANK_CARD", v.bank_card),
            "PASSPORT": ("PASSPORT", v.passport),
            "PLATE": ("LICENSE_PLATE", v.plate),
            "IP": ("IP", v.ip),
        }

    def example(self, index: int) -> Example:
        rng = self.rng
        template = TEMPLATES[index][1]
        template = template.replace("$A", rng.choice(AGENT_LABELS)).replace("$U", rng.choice(CUSTOMER_LABELS))
        template = template.replace("{BANK}", rng.choice(BANKS))
        while (m := _ALTERNATIVE.search(template)) is not None:
            template = template[: m.start()] + rng.choice(m.group(1).split("|")) + template[m.end() :]
        if rng.random() < 0.15:
            template = template.replace("：", ":").replace("，", ", ")
        example = Example("", index)
        parts: list[str] = []
        pos = 0
        last = 0
        for m in _SLOT.finditer(template):
            literal = template[last : m.start()]
            parts.append(literal)
            pos += len(literal)
            slot = m.group(1)
            if slot.startswith("~"):
                value = self.negatives.make(slot[1:])
                example.negatives.append((slot[1:], pos, pos + len(value)))
            else:
                etype, make = self.slots[slot]
                value = make()
                example.entities.append((etype, pos, pos + len(value)))
            parts.append(value)
            pos += len(value)
            last = m.end()
        parts.append(template[last:])
        example.text = "".join(parts)
        return example

    def generate(self, n: int, split: str = "all") -> list[Example]:
        indexes = [
            i for i in range(len(TEMPLATES)) if split == "all" or (split == "holdout") == is_holdout(i)
        ]
        return [self.example(self.rng.choice(indexes)) for _ in range(n)]


Prediction = tuple[str, int, int]


def score(examples: Sequence[Example], predictions: Sequence[Sequence[Prediction]]) -> dict[str, object]:
    """Per-type precision and recall, uncovered PII share and hard-negative hits (see module docstring)."""
    gold_n: Counter[str] = Counter()
    found: Counter[str] = Counter()
    pred_n: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    pii_chars = uncovered = neg_hit = 0
    neg_kinds: Counter[str] = Counter()
    for example, preds in zip(examples, predictions, strict=True):
        covered = [False] * len(example.text)
        for _, start, end in preds:
            for i in range(start, end):
                covered[i] = True
        for etype, start, end in example.entities:
            gold_n[etype] += 1
            need = (end - start) / 2
            if any(p[0] == etype and min(end, p[2]) - max(start, p[1]) >= need for p in preds):
                found[etype] += 1
            for i in range(start, end):
                if not example.text[i].isspace():
                    pii_chars += 1
                    uncovered += not covered[i]
        for ptype, start, end in preds:
            pred_n[ptype] += 1
            if any(g[0] == ptype and min(end, g[2]) > max(start, g[1]) for g in example.entities):
                correct[ptype] += 1
        for kind, start, end in example.negatives:
            if any(covered[start:end]):
                neg_hit += 1
                neg_kinds[kind] += 1
    per_type = {
        t: {
            "gold": gold_n[t],
            "recall": found[t] / gold_n[t] if gold_n[t] else 1.0,
            "pred": pred_n[t],
            "precision": correct[t] / pred_n[t] if pred_n[t] else 1.0,
        }
        for t in TYPES
    }
    return {
        "types": per_type,
        "uncovered": uncovered / pii_chars if pii_chars else 0.0,
        "negatives_hit": neg_hit,
        "negative_kinds": dict(neg_kinds),
    }


def _errors(examples: Sequence[Example], predictions: Sequence[Sequence[Prediction]], limit: int) -> None:
    shown: Counter[str] = Counter()
    for example, preds in zip(examples, predictions, strict=True):
        text = example.text
        for etype, start, end in example.entities:
            need = (end - start) / 2
            hit = any(p[0] == etype and min(end, p[2]) - max(start, p[1]) >= need for p in preds)
            if not hit and shown["FN" + etype] < limit:
                shown["FN" + etype] += 1
                got = [(p[0], text[p[1] : p[2]]) for p in preds if min(end, p[2]) > max(start, p[1])]
                print(f"FN {etype:<13} {text[start:end]!r} got={got} | {text!r}")
        for ptype, start, end in preds:
            gold = any(g[0] == ptype and min(end, g[2]) > max(start, g[1]) for g in example.entities)
            if not gold and shown["FP" + ptype] < limit:
                shown["FP" + ptype] += 1
                print(f"FP {ptype:<13} {text[start:end]!r} | {text!r}")


def main() -> None:
    from parcelguard.domain.deid import Detector

    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--split", choices=("dev", "holdout", "all"), default="dev")
    parser.add_argument("--errors", type=int, default=0)
    args = parser.parse_args()
    examples = DevCorpus(args.seed).generate(args.n, args.split)
    detector = Detector()
    texts = [e.text for e in examples]
    t0 = time.process_time()
    results = detector.detect_many(texts)
    cpu = time.process_time() - t0
    predictions = [[(str(e.type), e.start, e.end) for e in found] for found in results]
    report = score(examples, predictions)
    print(f"{'type':<14}{'gold':>6}{'recall':>9}{'pred':>6}{'precision':>11}")
    types = report["types"]
    assert isinstance(types, dict)
    for t, row in types.items():
        print(f"{t:<14}{row['gold']:>6}{row['recall']:>9.4f}{row['pred']:>6}{row['precision']:>11.4f}")
    print(
        f"uncovered PII chars: {report['uncovered']:.4%}; negatives hit: {report['negatives_hit']} "
        f"{report['negative_kinds']}"
    )
    chars = sum(len(t) for t in texts)
    print(f"{len(texts) / cpu:,.0f} texts/s, {chars / cpu:,.0f} chars/s (avg {chars / len(texts):.0f} chars)")
    if args.errors:
        _errors(examples, predictions, args.errors)


if __name__ == "__main__":
    main()
