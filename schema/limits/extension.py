"""Validation, as strawberry runs operations: schema.limits.checks in place of strawberry's
ValidationCache and depth and alias limiters, then the person's budget per minute. The answer's
`extensions.cost` says what the operation cost and what remains."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from strawberry.extensions import SchemaExtension

from compat import graphql_schema
from schema.limits.budgets import Charge
from schema.limits.checks import DocumentLimits


class CheckedOperations(SchemaExtension):
    def __init__(self, limits: DocumentLimits):
        self.limits = limits
        self.charge: Charge | None = None

    def on_validate(self) -> Iterator[None]:
        ec = self.execution_context
        errors, cost = self.limits.check(
            graphql_schema(ec.schema),
            ec.query,
            ec.graphql_document,
            operation_name=ec.operation_name,
            variables=ec.variables,
            rules=ec.validation_rules,
        )
        if cost is not None:
            self.charge = Charge(cost, self.limits.max_cost)
            if not errors:
                self.charge, errors = self.limits.charge_once(cost, ec.context)
        # Set before strawberry's own validation, which then does not run (as ValidationCache).
        ec.pre_execution_errors = errors
        yield

    def get_results(self) -> dict[str, Any]:
        return {"cost": self.charge.report()} if self.charge is not None else {}
