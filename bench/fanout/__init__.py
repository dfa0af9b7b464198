"""Fan-out benchmark: one event to thousands of websocket subscribers (`python -m bench.fanout`)."""
