"""Mixed operations: a query whose root fields are partly compiled. The compiled root fields are
read in one statement (one text per root field, schema.compiled.statement), the others are
executed normally, as the same operation restricted to them (the plan's `rest` document: same
variables, context, viewer and dataloaders), and the two are merged into the `data` normal
execution would give for the whole operation:

- its keys in the order normal execution writes them (the plan's `keys`);
- the same errors: only the normally executed part can have any (the compiled part answers only
  what has none: schema.compiled.arguments.Fallback), with their messages, paths and locations
  (the nodes are the document's own);
- the same nulls: a null that reached a non-null root field nulls `data` entirely, as graphql-core
  does; a null below a root field stays in that field's value.

Without errors, `data` is JSON text: the compiled values spliced between the normal ones,
encoded as the HTTP view encodes them (json_text.encode). With errors, it is Python values (the
compiled texts read back: json.loads of what json.dumps would write gives it back), so the HTTP
view's rules that read `data` (a database failure's 503) read it as usual.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from graphql import ExecutionResult as GraphQLExecutionResult

from compat import execute_as_strawberry
from schema.compiled import json_text as j

if TYPE_CHECKING:
    from schema.compiled.planner import Plan


async def execute_rest(
    schema: Any, plan: Plan, *, context: Any, variables: dict[str, Any] | None, root_value: Any = None
) -> GraphQLExecutionResult:
    """The root fields the compiler left to normal execution, executed normally (`schema`: strawberry's)."""
    assert plan.rest is not None
    return await execute_as_strawberry(schema, plan.rest, context=context, variables=variables, root_value=root_value)


def merged_data(plan: Plan, compiled: tuple[str, ...], rest: GraphQLExecutionResult) -> str | dict[str, Any] | None:
    """The whole operation's `data`: JSON text, or Python values when there are errors, or None."""
    if rest.data is None:  # a null reached a non-null root field
        return None
    texts = dict(zip((f.key for f in plan.fields), compiled, strict=True))
    if rest.errors:
        return {key: json.loads(texts[key]) if key in texts else rest.data[key] for key in plan.keys}
    parts = []
    for key in plan.keys:
        value = texts[key] if key in texts else j.encode(rest.data[key])
        parts.append(f'"{key}":{value}')
    return "{" + ",".join(parts) + "}"
