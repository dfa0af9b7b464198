"""schema.graphql is the contract clients build against: it must match the code."""

from schema.export import SDL_PATH
from schema.schema import sdl


def test_committed_sdl_matches_the_code():
    assert SDL_PATH.read_text() == sdl(), "schema.graphql drifted: run `python -m schema.export` and commit it"


def test_contract_names_are_present():
    text = sdl()
    for name in (
        "interface Node",
        "type PageInfo",
        "type Request implements Node",
        "type RequestConnection",
        "type UserError",
        "requestTransition(input: RequestTransitionInput!): RequestPayload!",
        "commentAdd(input: CommentAddInput!): CommentPayload!",
        "nodes(ids: [ID!]!): [Node]!",
    ):
        assert name in text, name
