"""Number-shaped things of the delivery trade that are not personal data stay untouched."""

from __future__ import annotations

import pytest

from parcelguard.domain.deid import Detector


@pytest.mark.parametrize(
    "text",
    [
        "运单号SF1234567890123已签收",
        "YT1234567890123、JT1234567890123、PG1234567890123",
        "中通快递单号：75312345678901",
        "京东JDVA12345678901",
        "EMS单号EA123456785CN",
        "快递单号 13812345678 已揽收",
    ],
)
def test_tracking_numbers_are_untouched(detector: Detector, text: str) -> None:
    assert detector.detect(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "订单号20261123123456789",
        "订单编号：2026112300001234",
        "流水号 6222021234567890128",
        "order no. 13812345678",
    ],
)
def test_order_and_transaction_numbers_are_untouched(detector: Detector, text: str) -> None:
    assert detector.detect(text) == []


@pytest.mark.parametrize(
    "text", ["金额¥128.50", "运费12元", "合计3,280.00", "RMB 99", "$45.99", "￥13812345678"]
)
def test_amounts_are_untouched(detector: Detector, text: str) -> None:
    assert detector.detect(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-23 14:30 已揽收",
        "11月23日送达",
        "2026年11月23日下午3点",
        "20261123",
        "2026/11/23",
        "10:30-12:00配送",
    ],
)
def test_dates_and_times_are_untouched(detector: Detector, text: str) -> None:
    assert detector.detect(text) == []


@pytest.mark.parametrize(
    "text", ["取件码 8-3-2201", "取件码5231", "提货码：12-3-4567", "凭取件码8-3-2201到驿站领取"]
)
def test_pickup_codes_are_untouched_though_they_look_like_rooms(detector: Detector, text: str) -> None:
    assert detector.detect(text) == []


@pytest.mark.parametrize("text", ["重量2.5kg", "3公斤以内首重10元", "实重 500g", "体积30x20x15cm"])
def test_weights_and_sizes_are_untouched(detector: Detector, text: str) -> None:
    assert detector.detect(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "站点021-PD-03",
        "分拣码 755W-12",
        "网点编码：571-K12-03",
        "已到达【杭州转运中心】",
        "华南分拨中心已发出",
    ],
)
def test_station_and_routing_codes_are_untouched(detector: Detector, text: str) -> None:
    assert detector.detect(text) == []


@pytest.mark.parametrize(
    "text",
    ["SKU: A12345678", "商品编码 G12345678", "型号E12345678", "货号：粤B12345", "验证码382910", "共3件"],
)
def test_skus_verification_codes_and_counts_are_untouched(detector: Detector, text: str) -> None:
    assert detector.detect(text) == []


@pytest.mark.parametrize("text", ["买了李宁的鞋", "王老吉两箱", "周大福的首饰要保价", "钱大妈买的菜"])
def test_brands_that_look_like_names_are_untouched(detector: Detector, text: str) -> None:
    assert detector.detect(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "周末不派送，周一统一派送",
        "单元楼下有快递柜",
        "高速封路了，方便的话明天再送",
        "路口右转第二家就是",
        "东西收到了，金额不对",
        "何时能到？万一丢了怎么办",
        "由于天气原因延误，于是又打了一遍",
        "阳光很好，放阳台就行",
        "上海发货，杭州中转",
        "北京大学",
        "南京路步行街",
    ],
)
def test_words_made_of_surname_characters_and_bare_place_names_are_untouched(
    detector: Detector, text: str
) -> None:
    assert detector.detect(text) == []
