"""The store of values kept between requests (cxcenter.versioned)."""

import pytest
from django.core.cache import cache
from django.db import transaction

from cxcenter.versioned import VersionedStore

pytestmark = pytest.mark.django_db


class _Loads:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> int:
        self.count += 1
        return self.count


def test_a_value_is_loaded_once_until_it_is_invalidated() -> None:
    store, load = VersionedStore("test:versioned:a"), _Loads()
    assert [store.get("k", load), store.get("k", load)] == [1, 1]
    store.invalidate()
    assert store.get("k", load) == 2


def test_a_value_read_in_a_transaction_that_rolls_back_is_read_again() -> None:
    store, load = VersionedStore("test:versioned:b"), _Loads()
    with pytest.raises(RuntimeError), transaction.atomic():
        assert store.get("k", load) == 1
        assert store.get("k", load) == 1  # reused inside its own transaction
        raise RuntimeError
    assert store.get("k", load) == 2


def test_a_cleared_cache_does_not_revive_an_old_value() -> None:
    store, load = VersionedStore("test:versioned:c"), _Loads()
    store.get("k", load)
    cache.delete("test:versioned:c")
    assert store.get("k", load) == 2


def test_a_change_inside_a_pinned_block_is_seen_by_the_rest_of_it() -> None:
    store, load = VersionedStore("test:versioned:d"), _Loads()
    with store.pinned():
        assert store.get("k", load) == 1
        store.invalidate()
        assert store.get("k", load) == 2
