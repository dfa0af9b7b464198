"""Command handlers: `async with uow: load; act; commit` — one function per command."""
