"""Set-based read queries for the API. Visibility rules live in db.read.visibility."""
