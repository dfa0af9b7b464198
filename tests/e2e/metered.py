"""Reading a real server's /metrics, as Prometheus would."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(base_url: str, *, headers: dict[str, str] | None = None) -> Samples:
    response = httpx.get(f"{base_url}/metrics", headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, metric: str, /, **labels: str) -> float | None:
    return samples.get((metric, tuple(sorted(labels.items()))))


def labelled(samples: Samples, name: str, label: str) -> set[str]:
    """Every value `label` takes in the samples of `name`."""
    return {dict(key)[label] for (sample, key) in samples if sample == name and label in dict(key)}


def until(base_url: str, holds: Callable[[Samples], bool], *, timeout: float = 15) -> Samples:
    """Scrape until `holds` (gauges of several processes are copied every second)."""
    deadline = time.monotonic() + timeout
    while True:
        samples = scrape(base_url)
        if holds(samples) or time.monotonic() > deadline:
            return samples
        time.sleep(0.1)
