"""The one JSON API object: /api/v1/, OpenAPI at /api/v1/openapi.json."""

from ninja import NinjaAPI

api = NinjaAPI(title="持证 chizheng API", version="1", urls_namespace="api")
