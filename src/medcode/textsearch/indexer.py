"""Build the search tables inside the store (called by the store build, in its transaction).

Tables (all prefixed ``search_``):

* ``search_doc``: one row per searchable item. ICD-10-CM 7th-character extensions are
  collapsed into their parent (``S72.001`` lists A..S in ``ext``) so a query such as
  "fracture femur" sees one row per fracture site, not sixteen encounter variants; a query
  that names the encounter ("initial", "sequela") gets the extension code itself.
* ``search_fts``: a contentless FTS5 index over pre-stemmed text (columns title, terms, ext).
* ``search_vocab`` / ``search_gram``: the surface words of the index with their document
  frequency, and their trigrams, for typo correction and prefix completion.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator

from medcode.textsearch.display import Displayer
from medcode.textsearch.rank import default_child, line_masks, static_cost
from medcode.textsearch.tokens import content_words, grams, marked_stems, stems

SEARCH_SQL = """
DROP TABLE IF EXISTS search_doc;
DROP TABLE IF EXISTS search_fts;
DROP TABLE IF EXISTS search_vocab;
DROP TABLE IF EXISTS search_gram;
DROP TABLE IF EXISTS search_extdef;
CREATE TABLE search_doc (
    id INTEGER PRIMARY KEY,
    system TEXT NOT NULL,
    code TEXT NOT NULL,          -- dotless, as in codes
    display TEXT NOT NULL,       -- the system's display form (E11.9)
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    billable_mask INTEGER NOT NULL,
    node_mask INTEGER NOT NULL,
    leaf INTEGER NOT NULL,       -- 1: a billable code, or a code completed by a 7th character
    tstems TEXT NOT NULL,        -- marked title stems (see tokens.marked_stems)
    terms TEXT NOT NULL,         -- "label<TAB>text" lines: inclusion term, includes, long desc.
    ext TEXT,                    -- JSON {"d": search_extdef.id, "c": [[chr, bmask, nmask], ...]}
    dflt TEXT,                   -- a header's default code (its "unspecified" leaf), dotless
    cost REAL NOT NULL,          -- static rank: rowids follow it
    iterms TEXT NOT NULL DEFAULT '', -- index paths leading here ("drug table<TAB>..." lines)
    tmark TEXT NOT NULL DEFAULT '',  -- per line of terms: its text's marked stems (the
    imark TEXT NOT NULL DEFAULT '',  -- same for iterms): ranking never stems at query time
    tmask BLOB,                  -- rank.line_masks of the term lines (NULL: none), and of
    jmask BLOB                   -- the term and index lines (NULL: no index lines): read
);                               -- whole, a fresh process ranks at once at full speed
CREATE UNIQUE INDEX search_doc_key ON search_doc (system, code);
CREATE TABLE search_extdef (id INTEGER PRIMARY KEY, meanings TEXT NOT NULL); -- {chr: meaning}
CREATE VIRTUAL TABLE search_fts USING fts5 (
    title, terms, ext, content='', tokenize='unicode61 remove_diacritics 2'
);
CREATE TABLE search_vocab (
    word TEXT PRIMARY KEY, stem TEXT NOT NULL, df INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX search_vocab_stem ON search_vocab (stem);
CREATE TABLE search_gram (
    gram TEXT NOT NULL, word TEXT NOT NULL, PRIMARY KEY (gram, word)
) WITHOUT ROWID;
"""

_SKIP_KINDS = frozenset({"chapter"})
#: notes indexed as alternative wordings of a code, with the label a hit shows
_TERM_KINDS = {"inclusion_terms": "inclusion term", "includes": "includes"}


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type IN ('table','view') AND name = ?",
                        (name,)).fetchone() is not None


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}


def _notes_by_code(conn: sqlite3.Connection) -> dict[tuple[str, str], list[str]]:
    """(system, code) -> ["inclusion term\tText", "includes\tText", ...]."""
    out: dict[tuple[str, str], list[str]] = {}
    if not _has_table(conn, "notes"):
        return out
    marks = ",".join("?" * len(_TERM_KINDS))
    for system, code, kind, text in conn.execute(
            f"SELECT system, code, kind, text FROM notes WHERE kind IN ({marks}) "
            "ORDER BY system, code, kind DESC, seq", tuple(_TERM_KINDS)):
        text = " ".join(text.split())
        if text:
            out.setdefault((system, code), []).append(f"{_TERM_KINDS[kind]}\t{text}")
    return out


#: other wordings of a system's codes kept in importers' own tables:
#: system -> (table, [(column, label), ...]); columns are checked at build time
WORDINGS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "HCPCS": ("hcpcs_code", [("long_description", "long description"),
                             ("short_description", "short description")]),
    "CPT": ("cpt_descriptor", [("long", "long descriptor"), ("medium", "medium descriptor"),
                               ("short", "short descriptor")]),
}


def _wordings(conn: sqlite3.Connection) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(system, code) -> [(label, text), ...] from the tables in WORDINGS that exist."""
    out: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for system, (table, wanted) in WORDINGS.items():
        if not _has_table(conn, table):
            continue
        have = _columns(conn, table)
        cols = [(c, label) for c, label in wanted if c in have]
        if "code" not in have or not cols:
            continue
        select = ", ".join(f'"{c}"' for c, _ in cols)
        for code, *texts in conn.execute(f'SELECT code, {select} FROM "{table}"'):
            lines = [(label, " ".join(str(t).split())) for (_c, label), t in zip(cols, texts)
                     if t and str(t).strip()]
            if code and lines:
                out[(system, str(code).upper())] = lines
    return out


#: how an index line reads in search (label shown in ``matched``) and its column wording
INDEX_LABELS = {"index": "index", "drug": "drug table", "neoplasm": "neoplasm table",
                "external": "external cause index"}
INDEX_COLUMNS = {
    "poisoning, accidental (unintentional)": "poisoning (accidental) (unintentional)",
    "malignant primary": "malignant (primary)",
    "in situ": "carcinoma in situ",
    "unspecified behavior": "(unspecified behavior)",
}


def _index_lines(conn: sqlite3.Connection) -> dict[tuple[str, str], list[str]]:
    """(ICD-10-CM, code) -> ["drug table\tAcetaminophen > poisoning (accidental) ...", ...]
    from ``index_entries`` (the Alphabetic Index and its tables), when the store has it.
    Nonessential modifiers are kept in parentheses: they match loosely, like a title's."""
    out: dict[tuple[str, str], list[str]] = {}
    if not _has_table(conn, "index_entries"):
        return out
    sees = _see_references(conn)
    for tbl, path, nemod, col, target in conn.execute(
            "SELECT tbl, path, nemod, col, target FROM index_entries WHERE target IS NOT NULL "
            "ORDER BY length(path), id"):
        parts = path.split(" > ")
        mods = nemod.split(" | ")
        texts = [" > ".join(f"{p} {m}".strip() if m else p for p, m in zip(parts, mods))]
        # "Aleve: see Naproxen": the Naproxen rows read "Aleve" too (the entry itself only:
        # lending the alias to every entry under the target adds more noise than finds)
        texts += sees.get((tbl, path.lower()), [])
        lines = out.setdefault(("ICD-10-CM", target), [])
        for text in texts:
            if col:
                text += " > " + INDEX_COLUMNS.get(col, col)
            line = f"{INDEX_LABELS.get(tbl, tbl)}\t{' '.join(text.split())}"
            if line not in lines:
                lines.append(line)
    return out


def _see_references(conn: sqlite3.Connection) -> dict[tuple[str, str], list[str]]:
    """(table, lower-case path of a "see" target) -> the paths that refer to it: the
    index's cross-references (a brand to its generic, "occupant, bicycle" to "pedal
    cyclist"), so a code is found by the words of an entry that only points to it."""
    out: dict[tuple[str, str], list[str]] = {}
    for tbl, path, nemod, see in conn.execute(
            "SELECT tbl, path, nemod, see FROM index_entries WHERE see IS NOT NULL AND "
            "target IS NULL ORDER BY id"):
        key = " > ".join(p.strip() for p in see.split(",")).lower()
        parts = path.split(" > ")
        mods = nemod.split(" | ")
        text = " > ".join(f"{p} {m}".strip() if m else p for p, m in zip(parts, mods))
        out.setdefault((tbl, key), []).append(text)
    return out


def _extensions(conn: sqlite3.Connection) -> dict[tuple[str, str], list[list]]:
    """Parent -> [[7th chr, meaning, billable_mask, node_mask], ...] from extension rows."""
    out: dict[tuple[str, str], list[list]] = {}
    rows = conn.execute("SELECT e.system, e.parent, e.code, e.title, e.billable_mask, "
                        "e.node_mask, p.title FROM codes e JOIN codes p ON p.system = e.system "
                        "AND p.code = e.parent WHERE e.kind = 'extension' "
                        "ORDER BY e.system, e.parent, e.code")
    for system, parent, code, title, bmask, nmask, ptitle in rows:
        prefix = ptitle + ", "
        meaning = title.removeprefix(prefix)
        out.setdefault((system, parent), []).append([code[-1], meaning, bmask, nmask])
    return out


def _docs(conn: sqlite3.Connection) -> Iterator[tuple]:
    notes = _notes_by_code(conn)
    index = _index_lines(conn)
    wordings = _wordings(conn)
    exts = _extensions(conn)
    show = Displayer()
    seen: set[str] = set()
    for system, code, title, kind, bmask, nmask in conn.execute(
            "SELECT system, code, title, kind, billable_mask, node_mask FROM codes "
            "WHERE kind != 'extension' ORDER BY system, code"):
        if kind in _SKIP_KINDS:
            continue
        seen.add(system)
        shown = show(system, code, kind)
        terms = list(notes.get((system, code), ()))
        said = {title.strip().lower()}
        for label, text in wordings.get((system, code), ()):
            if text.lower() not in said:  # the title already is one of them
                said.add(text.lower())
                terms.append(f"{label}\t{text}")
        ext = exts.get((system, code))
        leaf = 1 if (bmask or ext) else 0
        yield system, code, shown, title, kind, bmask, nmask, leaf, terms, ext, \
            index.get((system, code), [])
    # a system only in its importer's table (no rows in codes): index it anyway, valid always
    for (system, code), lines in sorted(wordings.items()):
        if system not in seen:
            extra = [f"{label}\t{text}" for label, text in lines[1:]]
            yield system, code, code, lines[0][1], "code", -1, -1, 1, extra, None, []


def build_index(conn: sqlite3.Connection) -> dict[str, dict]:
    """Fill the search tables from ``codes``/``notes`` (and ``hcpcs_code`` when present)."""
    # statement by statement: executescript would commit the caller's open transaction
    for statement in SEARCH_SQL.split(";"):
        if statement.strip():
            conn.execute(statement)
    vocab: Counter[str] = Counter()
    per_system: Counter[str] = Counter()
    extdefs: dict[str, int] = {}
    docs: list[list] = []
    for system, code, shown, title, kind, bmask, nmask, leaf, terms, ext, ilines in _docs(conn):
        tmarked = marked_stems(title, pcs=system == "ICD-10-PCS")
        tplain = [s.lstrip("~!") for s in tmarked]
        term_texts = [t.partition("\t")[2] for t in terms + ilines]
        term_stems = [s for t in term_texts for s in stems(t)]
        ext_stems: list[str] = []
        if ext:
            have = set(tplain)
            for _chr, meaning, _b, _n in ext:
                for s in stems(meaning):
                    if s not in have:
                        have.add(s)
                        ext_stems.append(s)
        words = set(content_words(title))
        for t in term_texts:
            words.update(content_words(t))
        if ext:
            for e in ext:
                words.update(content_words(e[1]))
        if system not in ("ICD-10", "ICD-11"):   # WHO words must not change US spelling help
            vocab.update(words)
        per_system[system] += 1
        tjoined, ijoined = "\n".join(terms), "\n".join(ilines)
        tmark, imark = _line_marks(terms), _line_marks(ilines)
        docs.append([static_cost(tmarked, bool(leaf), kind, system), system, code, shown, title,
                     kind, bmask, nmask, leaf, " ".join(tmarked), tjoined,
                     _ext_json(ext, extdefs) if ext else None, None,
                     (" ".join(tplain), " ".join(term_stems), " ".join(ext_stems)),
                     ijoined, tmark, imark,
                     line_masks(tmark) if tjoined else None,
                     line_masks(tmark + "\n" + imark if tjoined else imark) if ijoined else None])
    _set_defaults(conn, docs)
    # rowid order = static order: an FTS scan in rowid order meets the plainest titles first
    docs.sort(key=lambda d: (d[0], d[1], d[2]))
    conn.executemany("INSERT INTO search_doc VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                     ((i, *d[1:13], round(d[0], 3), *d[14:19]) for i, d in enumerate(docs, 1)))
    conn.executemany("INSERT INTO search_fts (rowid, title, terms, ext) VALUES (?,?,?,?)",
                     ((i, *d[13]) for i, d in enumerate(docs, 1)))
    conn.executemany("INSERT INTO search_extdef VALUES (?, ?)",
                     ((i, key) for key, i in extdefs.items()))
    conn.execute("INSERT INTO search_fts (search_fts) VALUES ('optimize')")
    _fill_vocab(conn, vocab)
    from medcode.textsearch.synonyms import compile_into
    compile_into(conn)
    return {"search": {"docs": len(docs), "words": len(vocab),
                       **{f"docs {s}": n for s, n in sorted(per_system.items())}}}


def _line_marks(lines: list[str]) -> str:
    """The marked stems of each "label<TAB>text" line's text, one line each, split as the
    search splits the joined lines (rank.py reads them instead of stemming per query)."""
    return "\n".join(" ".join(marked_stems(line.partition("\t")[2]))
                     for line in "\n".join(lines).split("\n")) if lines else ""


def _set_defaults(conn: sqlite3.Connection, docs: list[list]) -> None:
    """Fill each header's default code: its billable "unspecified"/NOS descendant, if any."""
    by_key = {(d[1], d[2]): d for d in docs}
    children: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for system, code, parent in conn.execute(
            "SELECT system, code, parent FROM codes WHERE kind != 'extension' "
            "AND parent IS NOT NULL"):
        if (system, code) in by_key:
            children.setdefault((system, parent), []).append((system, code))
    for key, d in by_key.items():
        if d[8]:
            continue
        def node(k: tuple[str, str]) -> tuple[list[str], bool]:
            return by_key[k][9].split(), bool(by_key[k][8])
        found = default_child(key, node, children)
        if found is not None:
            d[12] = found[1]


def _ext_json(ext: list[list], extdefs: dict[str, int]) -> str:
    """Compact form of a parent's extensions: shared meanings stored once in search_extdef."""
    key = json.dumps({e[0]: e[1] for e in ext}, separators=(",", ":"))
    ref = extdefs.setdefault(key, len(extdefs) + 1)
    return json.dumps({"d": ref, "c": [[e[0], e[2], e[3]] for e in ext]}, separators=(",", ":"))


def _fill_vocab(conn: sqlite3.Connection, vocab: Counter[str]) -> None:
    from medcode.textsearch.stem import stem
    conn.executemany("INSERT INTO search_vocab VALUES (?,?,?)",
                     ((w, stem(w), n) for w, n in vocab.items()))
    conn.executemany("INSERT OR IGNORE INTO search_gram VALUES (?,?)",
                     _gram_rows(w for w in vocab if len(w) >= 4 and w.isalpha()))


def _gram_rows(words: Iterable[str]) -> Iterator[tuple[str, str]]:
    for w in words:
        for g in grams(w):
            yield g, w
