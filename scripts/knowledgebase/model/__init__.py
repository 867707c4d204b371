"""Stage 2, the validated model: entry types from the JSON Schemas, entries checked against them."""
