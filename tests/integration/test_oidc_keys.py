"""A provider's keys as Tandem fetches them (api.oidc.provider), from a real provider on loopback:
rotation picked up, refetches for unknown `kid`s rate-limited, cached keys kept while the
provider's JWKS endpoint is down."""

from __future__ import annotations

import pytest

from api.oidc.fetch import ProviderClient, ProviderUnreachable
from api.oidc.provider import Provider
from tests.support.oidc.provider import OpenIdProvider

COOLDOWN = 30.0


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def provider():
    with OpenIdProvider(audience="tandem-api") as running:
        yield running


@pytest.fixture
async def client():
    client = ProviderClient()
    yield client
    await client.aclose()


def tandem_view(provider: OpenIdProvider, client: ProviderClient, clock: Clock) -> Provider:
    return Provider(provider.issuer, client=client, cooldown=COOLDOWN, clock=clock)


async def signing_key(view: Provider, kid: str | None, alg: str = "RS256"):
    return await view.signing_key(kid, key_type="RSA", alg=alg)


async def test_a_rotated_key_is_picked_up_once_the_cooldown_has_passed(provider, client):
    clock = Clock()
    view = tandem_view(provider, client, clock)
    first = provider.keys.signer
    assert (await signing_key(view, first.kid)).kid == first.kid
    # when the provider rotates within the cooldown of the last fetch
    rotated = provider.keys.rotate("RS256")
    assert await signing_key(view, rotated.kid) is None
    # then the new key counts once the cooldown has passed, and the old one still does
    clock.now += COOLDOWN
    assert (await signing_key(view, rotated.kid)).kid == rotated.kid
    assert (await signing_key(view, first.kid)).kid == first.kid
    assert provider.jwks_requests == 2


async def test_made_up_kids_fetch_the_key_set_at_most_once_per_cooldown(provider, client):
    clock = Clock()
    view = tandem_view(provider, client, clock)
    await signing_key(view, provider.keys.signer.kid)
    for n in range(20):
        assert await signing_key(view, f"made-up-{n}") is None
    assert provider.jwks_requests == 1
    clock.now += COOLDOWN
    for n in range(20):
        assert await signing_key(view, f"made-up-again-{n}") is None
    assert provider.jwks_requests == 2


async def test_cached_keys_keep_working_while_the_jwks_endpoint_is_down(provider, client):
    clock = Clock()
    view = tandem_view(provider, client, clock)
    known = provider.keys.signer
    await signing_key(view, known.kid)
    provider.jwks_down = True
    clock.now += 3600  # past the cooldown and the keys' age: a refresh is tried, and fails
    unknown = provider.keys.rotate("RS256")
    assert await signing_key(view, unknown.kid) is None  # fails closed
    assert (await signing_key(view, known.kid)).kid == known.kid
    assert provider.jwks_requests == 2


async def test_a_key_for_another_algorithm_is_not_used(provider, client):
    view = tandem_view(provider, client, Clock())
    rsa = provider.keys.signer
    assert await view.signing_key(rsa.kid, key_type="EC", alg="ES256") is None
    assert await view.signing_key(rsa.kid, key_type="RSA", alg="PS256") is None  # the key says RS256


async def test_a_discovery_document_for_another_issuer_is_refused(provider, client):
    view = Provider(provider.issuer + "/", client=client, cooldown=0)  # not the issuer the document names
    with pytest.raises(ProviderUnreachable):
        await view.metadata()
    assert await signing_key(view, provider.keys.signer.kid) is None
