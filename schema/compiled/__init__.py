"""The compiled read path: a query whose fields are all SQL-backed runs as ONE SQL statement that
builds the JSON of the whole `data`, relayed to the client as text.

`planner` turns a validated document into a plan (cached by document and operation), `arguments`
binds the variables of each run, `statement` builds and caches the SQL (from `objects` and
`connections`, which reuse db.read's visibility predicates, filters, orders and keyset cursors)
and `extension` hooks it into execution. Anything the planner does not know falls back to
normal execution, so both paths answer the same.
"""
