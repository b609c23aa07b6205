"""The REST API under /api/ (DRF): the same services and scoping gate as the pages, OpenAPI 3 schema,
per-organisation API tokens."""
