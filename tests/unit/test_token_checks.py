"""Bearer tokens: a verified token is remembered, yet answers exactly as a fresh check would."""
import time
from datetime import datetime, timedelta, timezone

import jwt
import pytest

from api.auth import ALGORITHM, AUDIENCE, AuthError, mint_token, person_id_from_token

SECRET = "k" * 32


def _token(seconds: float) -> str:
    now = datetime.now(timezone.utc)
    return jwt.encode({"sub": "7", "aud": AUDIENCE, "iat": now, "exp": now + timedelta(seconds=seconds)},
                      SECRET, algorithm=ALGORITHM)


def test_a_remembered_token_is_refused_once_it_expires():
    # given a token with a second to live, accepted (and remembered)
    token = _token(1)
    assert person_id_from_token(token, secret=SECRET) == 7

    # when it has expired
    time.sleep(1.2)

    # then it is refused with the same message as any expired token
    with pytest.raises(AuthError) as remembered:
        person_id_from_token(token, secret=SECRET)
    with pytest.raises(AuthError) as fresh:
        person_id_from_token(_token(-5), secret=SECRET)
    assert str(remembered.value) == str(fresh.value) == "Invalid token: Signature has expired"


def test_a_remembered_token_is_still_checked_against_the_secret():
    token = mint_token(person_id=7, email="a@example.com", secret=SECRET, hours=1)
    assert person_id_from_token(token, secret=SECRET) == 7

    with pytest.raises(AuthError):
        person_id_from_token(token, secret="another secret, another server " * 2)
    assert person_id_from_token(token, secret=SECRET) == 7
