"""The compiled read path: a query whose fields are all SQL-backed runs as ONE SQL statement that
builds the JSON of the whole `data`, relayed to the client as text.

Each compiled field's SQL is declared once, in a table beside its strawberry type or resolver
(`COMPILED` in schema/<domain>/types.py, schema/requests/queries.py, schema/nodes.py), written with
the vocabulary of `sql` and `connections` (which reuse db.read's visibility predicates, filters,
orders and keyset cursors); `fields` gathers the tables at import. `planner` turns a validated
document into a plan of those fields (cached by document and operation), `arguments` binds the
variables of each run, `statement` builds and caches the SQL, and `extension` hooks it into
execution. A root field with anything the planner does not know below it is left to normal
execution, and `mixed` merges what normal execution answers for those root fields with the compiled
ones' texts; so both paths answer the same.
"""
