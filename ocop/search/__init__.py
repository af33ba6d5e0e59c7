"""Vietnamese full-text search over the public catalogue (SQLite FTS5 or PostgreSQL pg_trgm)."""
