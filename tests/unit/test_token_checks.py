"""Bearer tokens: a verified token is remembered, yet answers exactly as a fresh check would; a bad
token is refused with a fixed message for its kind of failure, never the JWT library's text."""

import base64
import json
import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from api.auth import ALGORITHM, AUDIENCE, AuthError, RecentPeople, mint_token, person_id_from_token
from domain.people import Person, Role

SECRET = "k" * 32


def _token(seconds: float) -> str:
    now = datetime.now(UTC)
    return jwt.encode(
        {"sub": "7", "aud": AUDIENCE, "iat": now, "exp": now + timedelta(seconds=seconds)}, SECRET, algorithm=ALGORITHM
    )


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
    assert str(remembered.value) == str(fresh.value) == "Invalid token: it has expired; get a new one."


def test_a_remembered_token_is_still_checked_against_the_secret():
    token = mint_token(person_id=7, email="a@example.com", secret=SECRET, hours=1)
    assert person_id_from_token(token, secret=SECRET) == 7

    with pytest.raises(AuthError):
        person_id_from_token(token, secret="another secret, another server " * 2)
    assert person_id_from_token(token, secret=SECRET) == 7


def test_a_person_read_for_a_token_is_kept_one_second_then_read_again():
    # given a person read at t=0 (a clock the test moves)
    now = [100.0]
    recent = RecentPeople(seconds=1.0, size=2, clock=lambda: now[0])
    ada = Person(id=7, name="Ada", email="ada@example.com", role=Role.AGENT, department_id=1)
    recent.put(ada)

    # then it is served within the second, and not after it
    now[0] = 101.0
    assert recent.get(7) is ada
    now[0] = 101.01
    assert recent.get(7) is None


def test_recent_people_keep_only_the_latest_few():
    recent = RecentPeople(seconds=60, size=2)
    people = [
        Person(id=i, name=f"P{i}", email=f"p{i}@example.com", role=Role.REQUESTER, department_id=None) for i in range(3)
    ]
    for person in people:
        recent.put(person)
    assert recent.get(0) is None
    assert recent.get(1) is people[1] and recent.get(2) is people[2]


def _signed(claims: dict, *, secret: str = SECRET, algorithm: str = ALGORITHM) -> str:
    now = datetime.now(UTC)
    defaults = {"sub": "7", "aud": AUDIENCE, "iat": now, "exp": now + timedelta(hours=1)}
    return jwt.encode({k: v for k, v in {**defaults, **claims}.items() if v is not None}, secret, algorithm=algorithm)


def _segment(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _with_header(raw_header: bytes) -> str:
    """A token whose header segment is `raw_header`, the rest taken from a good token."""
    _, payload, signature = _signed({}).split(".")
    return f"{_segment(raw_header)}.{payload}.{signature}"


EXPIRED = "Invalid token: it has expired; get a new one."
FORGED = "Invalid token: the signature does not match; it was not minted by this server."
AUDIENCE_REFUSED = "Invalid token: it is not meant for Tandem (audience)."
MALFORMED = "Invalid token: it is not a well-formed JWT."
NOT_A_PERSON = "Invalid token: its subject (sub) is not a person's id."
NEVER_EXPIRES = "Invalid token: it has no expiry (exp); Tandem accepts only tokens that expire."


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (_signed({"exp": datetime.now(UTC) - timedelta(minutes=1)}), EXPIRED),
        (_signed({}, secret="another server's secret, also 32 bytes"), FORGED),
        (_signed({"aud": "someone-else"}), AUDIENCE_REFUSED),
        (_signed({"aud": None}), AUDIENCE_REFUSED),
        (_signed({"nbf": datetime.now(UTC) + timedelta(hours=1)}), "Invalid token: it is not valid yet."),
        (_signed({}, secret=SECRET * 2, algorithm="HS512"), "Invalid token: it must be signed with HS256."),
        (_with_header(b'{"alg":"none","typ":"JWT"}'), "Invalid token: it must be signed with HS256."),
        (_with_header(b'{"alg": "\xe9"}'), MALFORMED),
        (_with_header(b"[1, 2]"), MALFORMED),
        ("not.a.jwt", MALFORMED),
        ("garbage", MALFORMED),
        (_signed({"exp": None}), NEVER_EXPIRES),
        (_signed({"sub": None}), "Invalid token: it names no person (sub)."),
        (_signed({"sub": str(2**63)}), NOT_A_PERSON),
        (_signed({"sub": "9" * 5000}), NOT_A_PERSON),
        (_signed({"sub": "ada"}), NOT_A_PERSON),
        (_signed({"sub": "0"}), NOT_A_PERSON),
        (_signed({"sub": "-7"}), NOT_A_PERSON),
        (_signed({"sub": " 7"}), NOT_A_PERSON),
        (_signed({"sub": "7_0"}), NOT_A_PERSON),
        (_signed({"sub": "\u0667"}), NOT_A_PERSON),  # an Arabic-Indic 7: int() would take it
        (_signed({"sub": 7}), NOT_A_PERSON),
    ],
)
def test_each_kind_of_bad_token_gets_its_fixed_message(token, message):
    with pytest.raises(AuthError) as refused:
        person_id_from_token(token, secret=SECRET)

    assert str(refused.value) == message


def test_a_library_message_never_reaches_the_client():
    # given a header segment that is not UTF-8: PyJWT says "Invalid header string: 'utf-8' codec can't decode ..."
    token = _with_header(b'{"alg": "\xe9"}')

    with pytest.raises(AuthError) as refused:
        person_id_from_token(token, secret=SECRET)

    assert "codec" not in str(refused.value) and "utf-8" not in str(refused.value)


def test_the_largest_person_id_is_accepted():
    assert person_id_from_token(_signed({"sub": str(2**63 - 1)}), secret=SECRET) == 2**63 - 1


def test_minted_tokens_always_expire():
    token = mint_token(person_id=7, email="a@example.com", secret=SECRET, hours=2)

    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert claims["exp"] - claims["iat"] == 2 * 3600
