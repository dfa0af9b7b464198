"""/metrics in-process: switched off, guarded by a token, and its operation names capped."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

from api.app import create_app
from api.metrics import MAX_NAME_LENGTH, MAX_NAMES
from api.settings import Settings


def _client(database_url: str, **settings) -> httpx.AsyncClient:
    app = create_app(Settings(database_url=database_url, tandem_secret="x" * 32, **settings))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://tandem.test")


def _query_names(text: str) -> dict[str, float]:
    return {
        sample.labels["name"]: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "tandem_operations_total" and sample.labels["type"] == "query"
    }


async def test_metrics_can_be_switched_off(database_url):
    async with _client(database_url, tandem_metrics=False) as client:
        await client.post("/graphql", json={"query": "{ __typename }"})
        response = await client.get("/metrics")
    assert response.status_code == 404


async def test_with_a_token_only_its_bearer_reads_the_metrics(database_url):
    async with _client(database_url, tandem_metrics_token="scrape-me") as client:
        missing = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer scrape-you"})
        right = await client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
    assert missing.status_code == wrong.status_code == 401
    assert "tandem_" not in missing.text + wrong.text
    assert right.status_code == 200
    assert "tandem_db_pool_connections_in_use" in right.text


async def test_client_chosen_names_are_capped(database_url):
    async with _client(database_url) as client:
        # given more distinct operation names than a process labels, and one too long to be a label
        for i in range(MAX_NAMES + 5):
            response = await client.post("/graphql", json={"query": f"query Name{i} {{ __typename }}"})
            assert response.status_code == 200
        long_name = "N" * (MAX_NAME_LENGTH + 1)
        await client.post("/graphql", json={"query": f"query {long_name} {{ __typename }}"})
        # and names seen before, seen again
        await client.post("/graphql", json={"query": "query Name0 { __typename }"})
        await client.post("/graphql", json={"query": "{ __typename }"})
        names = _query_names((await client.get("/metrics")).text)

    # then the first MAX_NAMES names are labels, the rest count as "other"
    assert len(names) == MAX_NAMES + 2  # and "other", and "anonymous", for the unnamed one
    assert names["Name0"] == 2
    assert names["other"] == 6
    assert names["anonymous"] == 1
    assert long_name not in names
    assert f"Name{MAX_NAMES}" not in names
