"""Real OpenID providers for the tests, served on loopback, and a portal that signs people in."""
