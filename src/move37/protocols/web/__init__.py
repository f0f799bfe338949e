"""The web play server (`move37 serve`): `server` (HTTP and JSON API), `session` (one game), `static/` (the page)."""
