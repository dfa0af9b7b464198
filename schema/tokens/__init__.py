"""API tokens: personal access tokens and service accounts' tokens."""
