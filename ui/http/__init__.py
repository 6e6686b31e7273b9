"""The HTTP side: the server (page and API on one app), the ``/api/v1`` routes, the
LibreTranslate-compatible routes, HTML text handling and the guards (keys, limits, CORS)."""
