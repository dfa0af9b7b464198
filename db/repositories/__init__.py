"""Repositories: load and save aggregates on the unit of work's connection."""
