"""The process: settings, app factory, auth, HTTP surface and the `tandem` CLI."""
