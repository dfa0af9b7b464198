"""Why a token is refused: one fixed sentence per kind, never a library's words. Details go to
the log (the token itself never does)."""

from __future__ import annotations

from api.auth import AuthError

MALFORMED = "The token is malformed."
ALGORITHM = "The token's signing algorithm is not accepted."
ISSUER = "The token's issuer is not accepted."
AUDIENCE = "The token is not meant for this service."
EXPIRED = "The token has expired."
NOT_YET_VALID = "The token is not valid yet."
MISSING_CLAIM = "The token lacks a required claim."
UNKNOWN_KEY = "The token's signing key is not known."
SIGNATURE = "The token's signature is not valid."
INACTIVE = "The token is not active."
UNVERIFIED_EMAIL = "The sign-in's email address is not verified."
NO_EMAIL = "The sign-in carries no usable email address."
NO_PERSON = "No Tandem person matches this sign-in."
MAY_NOT_SIGN_IN = "The person is deactivated, or a service account (which signs in only with API tokens)."
UNREACHABLE = "The identity provider could not be reached to check the token."


class Refused(AuthError):
    """A token refused for one of the reasons above; `detail` is for the log only."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.detail = detail
