"""The checks a document passes before anything runs, the same for every transport, in the order
that keeps each refusal cheap:

1. depth and aliases, from the document's shape (one linear walk, kept per document);
2. the cost, from the shape's plan and this run's variables, against the budget;
3. graphql-core's rules (and strawberry's), kept per document. One of them,
   OverlappingFieldsCanBeMerged, grows with the square of the fields sharing a response name:
   graphql-core stops it at a complexity budget, set here below its default so a hostile
   document costs a fraction of a second, not seconds (Relay-style documents use a few thousand);
4. the person's budget per minute (schema.limits.budgets), when there is one (signed out: the
   client address's).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from graphql import DocumentNode, GraphQLError, GraphQLSchema

from compat import limit_overlapping_fields, validate_document
from schema.compiled.cache import CACHE_BYTES, ENTRY_BYTES, Lru
from schema.errors import ApiError
from schema.limits.budgets import Charge, PersonBudgets, RateLimited
from schema.limits.shape import DocumentShape, document_shape

# graphql-core reads it when a validation starts (500,000 by default: about 1.5 s here).
limit_overlapping_fields(100_000)


class QueryTooComplex(ApiError):
    def __init__(self, cost: int, budget: int):
        super().__init__(
            f"This operation may cost {cost}, more than the {budget} one operation may: "
            "ask for smaller pages, fewer aliases or less nesting.",
            "QUERY_TOO_COMPLEX",
        )
        self.extensions.update(cost=cost, budget=budget)


class DocumentLimits:
    def __init__(self, *, max_depth: int, max_aliases: int, max_cost: int, documents: int = 256):
        self.max_depth, self.max_aliases, self.max_cost = max_depth, max_aliases, max_cost
        # Both keyed by the document's text; what they hold is small beside it (a shape is a few
        # numbers per operation and fragment, the errors a few lines), so the text is the weight.
        self.shapes: Lru[str, DocumentShape] = Lru(entries=documents, max_bytes=CACHE_BYTES, weigh=_text_bytes)
        self.validated: Lru[tuple[str, tuple[Any, ...]], list[GraphQLError]] = Lru(
            entries=documents, max_bytes=CACHE_BYTES, weigh=lambda key, _: _text_bytes(key[0], None)
        )

    def shape(self, schema: GraphQLSchema, query: str | None, document: DocumentNode) -> DocumentShape:
        if query is None:
            return document_shape(schema, document)
        return self.shapes.get(query, lambda: document_shape(schema, document))

    def check(
        self,
        schema: GraphQLSchema,
        query: str | None,
        document: DocumentNode,
        *,
        operation_name: str | None,
        variables: dict[str, Any] | None,
        rules: Collection[Any],
    ) -> tuple[list[GraphQLError], int | None]:
        """The errors that refuse this run (none: it may run), and its cost when known."""
        errors, cost = self.limit_errors(schema, query, document, operation_name=operation_name, variables=variables)
        if errors:
            return errors, cost
        return self.rule_errors(schema, query, document, tuple(rules)), cost

    def limit_errors(
        self,
        schema: GraphQLSchema,
        query: str | None,
        document: DocumentNode,
        *,
        operation_name: str | None,
        variables: dict[str, Any] | None,
    ) -> tuple[list[GraphQLError], int | None]:
        """Steps 1 and 2: all a document validated before needs checking again (its cost depends on
        the variables)."""
        shape = self.shape(schema, query, document)
        errors = self.shape_errors(shape)
        if errors:
            return errors, None
        operation = shape.operation(operation_name)
        cost = operation.cost(variables) if operation is not None else None
        if cost is not None and cost > self.max_cost:
            return [QueryTooComplex(cost, self.max_cost)], cost
        return [], cost

    def shape_errors(self, shape: DocumentShape) -> list[GraphQLError]:
        errors = [
            GraphQLError(f"'{o.name or 'anonymous'}' exceeds maximum operation depth of {self.max_depth}")
            for o in shape.operations
            if o.depth > self.max_depth
        ]
        if shape.aliases > self.max_aliases:
            errors.append(GraphQLError(f"{shape.aliases} aliases found. Allowed: {self.max_aliases}"))
        return errors

    def rule_errors(
        self, schema: GraphQLSchema, query: str | None, document: DocumentNode, rules: tuple[Any, ...]
    ) -> list[GraphQLError]:
        if query is None:
            return validate_document(schema, document, rules)
        return self.validated.get((query, rules), lambda: validate_document(schema, document, rules))

    def charge(self, cost: int, *, budgets: PersonBudgets | None, person: Any) -> Charge:
        """What the answer reports; raises RateLimited when the person's budget is spent."""
        if budgets is None or person is None:
            return Charge(cost, self.max_cost)
        return budgets.take(person, cost, budget=self.max_cost)

    def charge_once(self, cost: int, context: Any) -> tuple[Charge, list[GraphQLError]]:
        """Step 4 for an operation's context (its viewer and the process's budgets): charged once,
        however many paths the operation tries (context.cost); the refusal, if any."""
        charged = getattr(context, "cost", None)
        if charged is not None:
            return charged, []
        try:
            charge = self.charge(cost, budgets=getattr(context, "budgets", None), person=_payer(context))
        except RateLimited as refusal:
            return refusal.charge, [refusal]
        if hasattr(context, "cost"):
            context.cost = charge
        return charge, []


def _text_bytes(text: str, _: object) -> int:
    return ENTRY_BYTES + 2 * len(text)


def _payer(context: Any) -> Any:
    """Whose budget pays: the viewer's, or (signed out, over HTTP) the client address's, since
    introspection, open to anyone, can cost as much as any read."""
    viewer = getattr(context, "viewer", None)
    if viewer is not None:
        return viewer.id
    client = getattr(getattr(context, "request", None), "client", None)
    return ("address", client.host) if client is not None else None
