"""The Executive dashboard pack (seeds 000-002): schema, demo data, payload."""

PACK_NAME = "executive"
TITLE = "Executive"
