"""The store's core tables. Importers of other parts add their own (``SCHEMA_SQL``)."""

from __future__ import annotations

#: bump when a table changes shape; a store of another version is rebuilt
SCHEMA_VERSION = 6

CORE_SQL = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE sources (
    kind TEXT NOT NULL,          -- icd10cm-tabular, icd10cm-list, icd10pcs-list, hcpcs, ...
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    origin TEXT NOT NULL,        -- "package simple-icd-10-cm==1.5.0" or "import /path"
    release TEXT,
    rows INTEGER
);

-- one row per release of a code system; bit is the release's bit in codes.*_mask
CREATE TABLE releases (
    system TEXT NOT NULL,
    name TEXT NOT NULL,
    bit INTEGER NOT NULL,
    effective_from TEXT NOT NULL,
    effective_to TEXT,
    source TEXT NOT NULL,
    codes INTEGER NOT NULL DEFAULT 0,
    billable INTEGER NOT NULL DEFAULT 0,
    tabular INTEGER NOT NULL DEFAULT 0,  -- 1 when the release has full tabular content
    PRIMARY KEY (system, name)
);

-- every item of every release of every list-based system.
-- billable_mask: releases in which the code is a valid (billable) code;
-- node_mask: releases in which it exists at all (as a header or a code).
CREATE TABLE codes (
    system TEXT NOT NULL,
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent TEXT,
    depth INTEGER NOT NULL DEFAULT 0,
    billable_mask INTEGER NOT NULL DEFAULT 0,
    node_mask INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (system, code)
) WITHOUT ROWID;
CREATE INDEX codes_by_parent ON codes (system, parent);

-- a title of an older release when it differs from the newest one
CREATE TABLE titles (
    system TEXT NOT NULL, code TEXT NOT NULL, release TEXT NOT NULL, title TEXT NOT NULL,
    PRIMARY KEY (system, code, release)
) WITHOUT ROWID;

-- instructional notes a node carries itself (inherited ones are found by walking up)
CREATE TABLE notes (
    system TEXT NOT NULL, code TEXT NOT NULL, kind TEXT NOT NULL, seq INTEGER NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (system, code, kind, seq)
) WITHOUT ROWID;

-- ICD-10-PCS: the meaning of a character depends on the characters before it
CREATE TABLE pcs_axes (
    prefix TEXT NOT NULL, position INTEGER NOT NULL, value TEXT NOT NULL,
    meaning TEXT NOT NULL, source TEXT NOT NULL, definition TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (prefix, position, value)
) WITHOUT ROWID;

-- the user's licensed CPT descriptors (never shipped: only `medcode data import cpt`)
CREATE TABLE cpt_descriptor (
    code TEXT PRIMARY KEY, short TEXT, medium TEXT, long TEXT
) WITHOUT ROWID;

CREATE TABLE seven_chr (
    system TEXT NOT NULL, code TEXT NOT NULL, chr TEXT NOT NULL, meaning TEXT NOT NULL,
    PRIMARY KEY (system, code, chr)
) WITHOUT ROWID;
"""
