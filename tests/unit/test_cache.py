"""The one cache class: least recently used first out, bounded in entries and in bytes."""

from schema.compiled.cache import Lru


def by_length() -> Lru[str, str]:
    return Lru(entries=10, max_bytes=100, max_entry_bytes=60, weigh=lambda key, value: len(key) + len(value))


def test_the_least_recently_used_entries_go_first_when_over_the_bytes():
    # given three entries of 30 bytes, the oldest just used
    cache = by_length()
    for key in ("a", "b", "c"):
        cache.put(key, key * 29)
    assert cache.peek("a") == "a" * 29

    # when a fourth goes over 100 bytes
    cache.put("d", "d" * 29)

    # then the one unused the longest made room, and the count follows
    assert list(cache.keys()) == ["c", "a", "d"]
    assert cache.bytes == 90


def test_an_entry_above_the_largest_kept_is_made_but_not_kept():
    cache = by_length()
    cache.put("small", "x" * 10)

    made = cache.get("large", lambda: "y" * 60)

    assert made == "y" * 60
    assert "large" not in cache and "small" in cache
    assert cache.bytes == 15


def test_the_entry_count_still_bounds_small_entries():
    cache = Lru(entries=2, max_bytes=1000, weigh=lambda key, value: 1)
    for key in range(3):
        cache.get(key, lambda: None)

    assert list(cache.keys()) == [1, 2]


def test_a_replaced_or_popped_entry_gives_its_bytes_back():
    cache = by_length()
    cache.put("a", "x" * 40)
    cache.put("a", "x" * 9)
    assert cache.bytes == 10

    assert cache.pop("a") == "x" * 9
    assert cache.bytes == 0 and len(cache) == 0
    assert cache.pop("a") is None


def test_a_stored_none_is_served_without_making_it_again():
    cache = Lru(entries=2, max_bytes=1000, weigh=lambda key, value: 1)
    made = []
    for _ in range(2):
        cache.get("unsupported", lambda: made.append(1))
    assert made == [1]


def test_clear_empties_entries_and_bytes():
    cache = Lru(entries=10, max_bytes=1000, weigh=lambda key, value: len(key) + len(value))
    cache.put("a", "xx")
    cache.put("b", "yyy")
    cache.clear()
    assert (len(cache), cache.bytes, cache.peek("a")) == (0, 0, None)
