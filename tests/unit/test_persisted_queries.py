"""The persisted-query store: hash checks and its bounds (no server needed)."""

import hashlib

import pytest

from api.persisted_queries import PersistedQueries, PersistedQueryError


def sha(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def ext(document: str) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha(document)}}


def register(store: PersistedQueries, document: str) -> None:
    assert store.resolve(document, ext(document)) == document


def is_stored(store: PersistedQueries, document: str) -> bool:
    try:
        return store.resolve(None, ext(document)) == document
    except PersistedQueryError as error:
        assert error.code == "PERSISTED_QUERY_NOT_FOUND"
        return False


def test_without_the_extension_the_query_passes_through():
    store = PersistedQueries()

    assert store.resolve("{ a }", None) == "{ a }"
    assert store.resolve("{ a }", {"other": 1}) == "{ a }"
    assert len(store) == 0


def test_the_least_recently_used_document_goes_first_when_full():
    # given a full store whose oldest entry was just used
    store = PersistedQueries(max_documents=2)
    register(store, "{ a }")
    register(store, "{ b }")
    assert is_stored(store, "{ a }")

    # when a third document comes
    register(store, "{ c }")

    # then the one unused the longest made room
    assert [is_stored(store, d) for d in ("{ a }", "{ b }", "{ c }")] == [True, False, True]


def test_the_store_is_bounded_in_characters_too():
    store = PersistedQueries(max_documents=100, max_characters=25)
    register(store, "{ aaaaaaaaaa }")  # 14 characters
    register(store, "{ bbbbbbbbbb }")  # 28 in all: over the budget

    assert [is_stored(store, "{ aaaaaaaaaa }"), is_stored(store, "{ bbbbbbbbbb }")] == [False, True]


def test_a_document_larger_than_the_whole_budget_runs_but_is_not_kept():
    store = PersistedQueries(max_characters=10)
    document = "{ a_long_field_name }"

    assert store.resolve(document, ext(document)) == document
    assert not is_stored(store, document)


def test_an_uppercase_hash_names_the_same_document():
    store = PersistedQueries()
    register(store, "{ a }")

    upper = {"persistedQuery": {"version": 1, "sha256Hash": sha("{ a }").upper()}}
    assert store.resolve(None, upper) == "{ a }"


@pytest.mark.parametrize(
    "extension, code",
    [
        ({"persistedQuery": {"version": 2, "sha256Hash": sha("{ a }")}}, "PERSISTED_QUERY_VERSION_NOT_SUPPORTED"),
        ({"persistedQuery": "yes"}, "PERSISTED_QUERY_VERSION_NOT_SUPPORTED"),
        ({"persistedQuery": {"version": 1, "sha256Hash": 42}}, "PERSISTED_QUERY_BAD_HASH"),
        ({"persistedQuery": {"version": 1, "sha256Hash": sha("{ b }")}}, "PERSISTED_QUERY_HASH_MISMATCH"),
    ],
)
def test_bad_extensions_are_refused_and_store_nothing(extension, code):
    store = PersistedQueries()

    with pytest.raises(PersistedQueryError) as refused:
        store.resolve("{ a }", extension)

    assert refused.value.code == code
    assert len(store) == 0
