"""OpenID Connect sign-in: Tandem as a resource server for one or more providers.

A JWT access token (RFC 9068) whose `iss` is a configured issuer is checked here, locally, with
the provider's published keys; an opaque one, with the provider's introspection or userinfo
endpoint. Either way the sign-in names a person by (issuer, subject): `sign_in.OidcSignIn`
is what `api.auth.viewer_from_header` asks.
"""
