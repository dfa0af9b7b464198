"""Bearer tokens: a verified token is remembered, yet answers exactly as a fresh check would."""
import time
from datetime import datetime, timedelta, timezone

import jwt
import pytest

from api.auth import ALGORITHM, AUDIENCE, AuthError, RecentPeople, mint_token, person_id_from_token
from domain.people import Person, Role

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
    people = [Person(id=i, name=f"P{i}", email=f"p{i}@example.com", role=Role.REQUESTER, department_id=None)
              for i in range(3)]
    for person in people:
        recent.put(person)
    assert recent.get(0) is None
    assert recent.get(1) is people[1] and recent.get(2) is people[2]
