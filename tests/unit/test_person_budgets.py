"""Each person's cost budget per minute: a token bucket on a clock the test moves."""

import pytest

from schema.limits.budgets import Charge, PersonBudgets, RateLimited


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def budgets(per_minute: int = 600, **kwargs) -> tuple[PersonBudgets, Clock]:
    clock = Clock()
    return PersonBudgets(per_minute, clock=clock, **kwargs), clock


def test_a_charge_takes_its_cost_and_says_what_remains():
    people, _ = budgets()

    charge = people.take("ada", 100, budget=500)

    assert charge == Charge(requested=100, budget=500, per_minute=600, remaining=500, resets_in=10)
    assert charge.report() == {
        "requested": 100,
        "budget": 500,
        "budgetPerMinute": 600,
        "remaining": 500,
        "resetsIn": 10,
    }


def test_a_spent_budget_refuses_with_the_seconds_to_wait_and_takes_nothing():
    # given a person who spent all but 50 (the budget refills 10 a second)
    people, clock = budgets()
    people.take("ada", 550, budget=600)

    # when an operation costing 100 comes
    with pytest.raises(RateLimited) as refused:
        people.take("ada", 100, budget=600)

    # then it is refused, with what remains and when to retry
    assert refused.value.extensions == {"code": "RATE_LIMITED", "cost": 100, "remaining": 50, "retryAfter": 5}
    # and nothing was taken: five seconds later it fits
    clock.now += 5
    assert people.take("ada", 100, budget=600).remaining == 0


def test_each_person_has_their_own_budget():
    people, _ = budgets()
    people.take("ada", 600, budget=600)

    assert people.take("bob", 600, budget=600).remaining == 0


def test_the_budget_refills_up_to_a_minute_s_worth():
    people, clock = budgets()
    people.take("ada", 600, budget=600)

    clock.now += 3600

    assert people.take("ada", 1, budget=600).remaining == 599


def test_an_operation_dearer_than_a_minute_runs_on_a_full_budget_and_empties_it():
    people, clock = budgets(per_minute=60)

    assert people.take("ada", 100, budget=1000).remaining == 0
    with pytest.raises(RateLimited):
        people.take("ada", 100, budget=1000)
    clock.now += 60
    assert people.take("ada", 100, budget=1000).remaining == 0


def test_the_least_recently_charged_person_is_forgotten_first():
    people, _ = budgets(people=2)
    for person in ("ada", "bob", "ada", "cy"):
        people.take(person, 10, budget=600)

    assert list(people.buckets) == ["ada", "cy"]
