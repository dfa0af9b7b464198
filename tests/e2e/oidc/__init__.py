"""OpenID Connect sign-in end to end: real providers on loopback, the real `tandem serve`."""
