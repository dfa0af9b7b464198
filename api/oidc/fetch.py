"""The provider's endpoints over HTTP: asynchronous, with a timeout, answers capped in size."""

from __future__ import annotations

import json
from typing import Any

import httpx

TIMEOUT_SECONDS = 5.0
# Discovery documents and key sets are a few KB; a provider that sends megabytes is broken.
MAX_ANSWER_BYTES = 256 * 1024


class ProviderUnreachable(Exception):
    """No usable answer: connection refused, timeout, not JSON, too large."""


class ProviderClient:
    def __init__(self, *, timeout: float = TIMEOUT_SECONDS):
        self._http = httpx.AsyncClient(timeout=timeout, follow_redirects=False, headers={"Accept": "application/json"})

    async def get(self, url: str, *, bearer: str | None = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {bearer}"} if bearer is not None else None
        return await self._exchange("GET", url, headers=headers)

    async def post_form(self, url: str, form: dict[str, str], *, auth: tuple[str, str]) -> tuple[int, Any]:
        return await self._exchange("POST", url, data=form, auth=auth)

    async def get_json_object(self, url: str) -> dict[str, Any]:
        """A document that must be there: anything but a 200 with a JSON object is unreachable."""
        status, answer = await self.get(url)
        if status != 200 or not isinstance(answer, dict):
            raise ProviderUnreachable(f"{url} answered {status}")
        return answer

    async def _exchange(self, method: str, url: str, **kwargs: Any) -> tuple[int, Any]:
        """(status, parsed JSON or None)."""
        try:
            async with self._http.stream(method, url, **kwargs) as response:
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_ANSWER_BYTES:
                        raise ProviderUnreachable(f"{url} answered more than {MAX_ANSWER_BYTES} bytes")
                status = response.status_code
        except httpx.HTTPError as error:
            raise ProviderUnreachable(f"{url}: {type(error).__name__}") from None
        try:
            return status, json.loads(body) if body else None
        except ValueError:
            return status, None

    async def aclose(self) -> None:
        await self._http.aclose()
