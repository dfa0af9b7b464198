"""Tandem's domain model: pure Python, no framework, no database."""
