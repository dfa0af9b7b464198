"""The GraphQL schema: strawberry types, queries, mutations and loaders, split per domain."""
