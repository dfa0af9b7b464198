"""The OpenID Connect settings, read and checked at start-up (api.oidc.config)."""

import pytest

from api.oidc.config import OidcConfig, OidcSettingsError
from api.settings import Settings
from domain.identities import RoleRule
from domain.people import Role


def settings(**values) -> Settings:
    return Settings(_env_file=None, **values)


def test_no_issuer_means_no_openid_connect():
    assert OidcConfig.from_settings(settings()) is None


def test_the_settings_are_read():
    config = OidcConfig.from_settings(
        settings(
            tandem_oidc_issuer=" https://a.example , https://b.example/realms/x ,",
            tandem_oidc_audience="tandem-api",
            tandem_oidc_opaque_issuers="https://a.example",
            tandem_oidc_client_id="tandem",
            tandem_oidc_client_secret="s",
            tandem_oidc_roles='{"admins": "ADMIN", "it": "AGENT:it"}',
            tandem_oidc_provision=False,
            tandem_oidc_leeway=60,
        )
    )
    assert config.issuers == ("https://a.example", "https://b.example/realms/x")
    assert config.opaque_issuers == ("https://a.example",)
    assert config.client_credentials == ("tandem", "s")
    assert config.roles.assign(["it"]) == RoleRule(Role.AGENT, "it")
    assert (config.provision, config.leeway, config.audience) == (False, 60, "tandem-api")


@pytest.mark.parametrize(
    "values, complaint",
    [
        ({"tandem_oidc_issuer": "https://a.example"}, "TANDEM_OIDC_AUDIENCE"),
        ({"tandem_oidc_issuer": "a.example", "tandem_oidc_audience": "x"}, "not an http"),
        (
            {
                "tandem_oidc_issuer": "https://a.example",
                "tandem_oidc_audience": "x",
                "tandem_oidc_opaque_issuers": "https://b.example",
            },
            "TANDEM_OIDC_OPAQUE_ISSUERS",
        ),
        (
            {"tandem_oidc_issuer": "https://a.example", "tandem_oidc_audience": "x", "tandem_oidc_roles": "{nope"},
            "TANDEM_OIDC_ROLES",
        ),
        (
            {"tandem_oidc_issuer": "https://a.example", "tandem_oidc_audience": "x", "tandem_oidc_roles": '["ADMIN"]'},
            "TANDEM_OIDC_ROLES",
        ),
        (
            {
                "tandem_oidc_issuer": "https://a.example",
                "tandem_oidc_audience": "x",
                "tandem_oidc_roles": '{"g": "AGENT"}',
            },
            "TANDEM_OIDC_ROLES",
        ),
    ],
)
def test_settings_that_cannot_work_stop_the_start(values, complaint):
    with pytest.raises(OidcSettingsError, match=complaint):
        OidcConfig.from_settings(settings(**values))


def test_clock_skew_is_at_most_a_minute():
    with pytest.raises(ValueError):
        settings(tandem_oidc_leeway=61)
