"""Issue 9: the address-region cache, bounded and forgetting its least recently used prefixes, still gives
exactly what the resolver gives, whatever it has forgotten and however its length lists were rebuilt."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parcelguard.domain.pii import region
from parcelguard.domain.pii.region import clear_address_cache, resolve_address_region, resolve_region
from tests.unit.test_parse_speed_equivalence import _ANY, _TAILS, ADDRESS_LIKE


@pytest.fixture(autouse=True)
def _tiny_cache(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Three prefixes and six listed heads at most, so that every example forgets and rebuilds."""
    monkeypatch.setattr(region, "_CACHE_SIZE", 3)
    monkeypatch.setattr(region, "_LENGTHS_SIZE", 6)
    clear_address_cache()
    yield
    clear_address_cache()


@settings(max_examples=300, deadline=None)
@given(prefixes=st.lists(ADDRESS_LIKE, min_size=1, max_size=6), data=st.data())
def test_a_bounded_region_cache_equals_the_resolver(prefixes: list[str], data: st.DataObject) -> None:
    for _ in range(16):
        text = data.draw(st.sampled_from(prefixes)) + data.draw(_TAILS)
        assert resolve_address_region(text) == resolve_region(text)
        assert len(region._cache) <= region._CACHE_SIZE


@settings(max_examples=200, deadline=None)
@given(texts=st.lists(st.one_of(ADDRESS_LIKE, _ANY), max_size=12))
def test_a_bounded_region_cache_equals_the_resolver_on_any_text(texts: list[str]) -> None:
    for text in texts:
        assert resolve_address_region(text) == resolve_region(text)
        assert len(region._cache) <= region._CACHE_SIZE


def test_the_region_cache_forgets_the_least_recently_used_prefix() -> None:
    texts = ["北京市朝阳区建国路1号", "上海市浦东新区世纪大道2号", "广东省深圳市南山区科技园3号"]
    for text in texts:
        resolve_address_region(text)
    keys = list(region._cache)
    assert len(keys) == 3
    resolve_address_region(texts[0])  # a hit: now the most recently used
    resolve_address_region("江苏省南京市鼓楼区中山路4号")  # a miss: the least recently used goes
    assert keys[0] in region._cache
    assert keys[1] not in region._cache
    assert resolve_address_region(texts[1]) == resolve_region(texts[1])
