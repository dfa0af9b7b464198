"""Cursors written in SQL are db.read.pages' cursors, whatever their key: a timestamp, an integer,
or a text, which json.dumps writes ASCII-only (\\uXXXX past '~', a surrogate pair past U+FFFF)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, DateTime, Integer, Text, column, select, values

from db.read.pages import encode_cursor
from schema.compiled.connections import cursor_json

NAMES = [
    "",
    "Laptops",
    'Quote " and back\\slash / ~',
    "Ünïcödé — naïve café ✓",
    "Tab\tnew line\ncarriage\rbell\x07 form\x0c back\x08 DEL\x7f",
    "🚀 rocket, 𝄞 clef, 😀",
    "日本語のサービス",
]


async def _cursors(engine, key_type: type, keys: list) -> list[str]:
    sql_type = {str: Text, int: BigInteger, datetime: DateTime(timezone=True)}[key_type]
    rows = values(column("n", Integer), column("key", sql_type), name="keys").data(
        [(n, key) for n, key in enumerate(keys)]
    )
    async with engine.connect() as conn:
        got = await conn.execute(
            select(rows.c.n, cursor_json(rows.c.key, rows.c.n, key_type=key_type)).order_by(rows.c.n)
        )
        return [cursor for _, cursor in got]


async def test_text_keys_are_written_as_json_dumps_writes_them(engine):
    # given names needing every kind of escape (as rows: a constant would be folded)
    # when PostgreSQL writes their cursors
    cursors = await _cursors(engine, str, NAMES)
    # then each is the cursor db.read.pages makes of it
    assert cursors == [encode_cursor(name, n) for n, name in enumerate(NAMES)]


async def test_timestamp_and_integer_keys_are_written_as_before(engine):
    moments = [datetime(2026, 1, 5, 9, tzinfo=UTC), datetime(2026, 1, 5, 9, 0, 1, 25, tzinfo=UTC)]
    numbers = [0, 7, -3, 2**62]

    assert await _cursors(engine, datetime, moments) == [encode_cursor(m, n) for n, m in enumerate(moments)]
    assert await _cursors(engine, int, numbers) == [encode_cursor(k, n) for n, k in enumerate(numbers)]
