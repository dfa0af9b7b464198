"""Live updates: subscriptions fed by the event broker."""
