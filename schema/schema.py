"""The one schema: queries, mutations and subscriptions from every domain."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry
from strawberry.extensions import DisableIntrospection, MaxTokensLimiter
from strawberry.tools import merge_types

from schema.catalog.mutations import CatalogMutations
from schema.catalog.queries import CatalogQueries
from schema.compiled.compiler import Compiler
from schema.compiled.extension import CompiledReads, DirectlyRunMutations
from schema.compiled.mutations import DirectMutations
from schema.documents import DOCUMENTS, CachedDocuments, document_cache
from schema.events.subscriptions import EventSubscriptions
from schema.extensions import CodedErrors, CodedSchema
from schema.goals.mutations import GoalMutations
from schema.goals.queries import GoalQueries
from schema.goals.subscriptions import GoalSubscriptions
from schema.journeys.mutations import JourneyMutations
from schema.journeys.queries import JourneyQueries
from schema.journeys.subscriptions import JourneySubscriptions
from schema.limits.checks import DocumentLimits
from schema.limits.extension import CheckedOperations
from schema.nodes import NodeQueries
from schema.organisation.mutations import OrganisationMutations
from schema.organisation.people import PeopleMutations
from schema.organisation.queries import OrganisationQueries
from schema.organisation.subscriptions import OrganisationSubscriptions
from schema.requests.mutations import RequestMutations
from schema.requests.queries import RequestQueries
from schema.scalars import SCALAR_OVERRIDES, refuse_nul_in_strings
from schema.tokens.mutations import ApiTokenMutations
from schema.tokens.queries import ApiTokenQueries

Query = merge_types(
    "Query",
    (NodeQueries, OrganisationQueries, CatalogQueries, RequestQueries, GoalQueries, JourneyQueries, ApiTokenQueries),
)
Mutation = merge_types(
    "Mutation",
    (
        OrganisationMutations,
        CatalogMutations,
        RequestMutations,
        GoalMutations,
        JourneyMutations,
        PeopleMutations,
        ApiTokenMutations,
    ),
)
Subscription = merge_types(
    "Subscription", (EventSubscriptions, OrganisationSubscriptions, GoalSubscriptions, JourneySubscriptions)
)


@dataclass(frozen=True)
class Limits:
    documents: DocumentLimits
    max_tokens: int


def build_schema(
    *,
    introspection: bool = True,
    max_depth: int = 12,
    max_aliases: int = 30,
    max_tokens: int = 5000,
    max_cost: int = 100_000,
    compiled_reads: bool = True,
    direct_mutations: bool = True,
) -> strawberry.Schema:
    # Depth, aliases, cost and validation, each document checked once (schema.limits.checks).
    limits = DocumentLimits(max_depth=max_depth, max_aliases=max_aliases, max_cost=max_cost, documents=DOCUMENTS)
    documents = document_cache()
    # Factories, not instances: strawberry builds a fresh extension per operation.
    extensions = [
        CodedErrors,
        lambda: MaxTokensLimiter(max_token_count=max_tokens),
        # Documents kept parsed per process (bounded in bytes): the documents of the portals and apps
        # (repeated, or sent as persisted-query hashes) are not parsed again.
        lambda: CachedDocuments(documents),
        lambda: CheckedOperations(limits),
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    compiler = Compiler() if compiled_reads else None
    if compiler is not None:
        # Last: it runs after parsing and validation, and only answers what it fully covers.
        extensions.append(lambda: CompiledReads(compiler))
    direct = DirectMutations() if direct_mutations else None
    if direct is not None:
        extensions.append(lambda: DirectlyRunMutations(direct))
    refuse_nul_in_strings()
    schema = CodedSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        scalar_overrides=SCALAR_OVERRIDES,
    )
    # The websocket endpoint and the HTTP view's shortcut (answer_validated) check with the same limits.
    schema.tandem_limits = Limits(documents=limits, max_tokens=max_tokens)
    # The HTTP view answers documents validated once straight through these
    # (schema.compiled.extension.answer_validated).
    schema.tandem_compiler = compiler
    schema.tandem_direct = direct
    schema.tandem_documents = documents
    return schema


def sdl() -> str:
    """The SDL as committed in schema.graphql."""
    return build_schema().as_str() + "\n"
