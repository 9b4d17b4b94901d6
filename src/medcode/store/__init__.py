"""The compiled SQLite store: build (atomic), open read-only, query."""
