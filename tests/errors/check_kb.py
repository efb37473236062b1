#!/usr/bin/python3
"""Checks the error knowledge base under data/errors/.

Run from anywhere with Debian's Python 3.11 (it has tomllib):
    /usr/bin/python3 tests/errors/check_kb.py [--verbose]

It checks what the C++ loader and matcher will rely on, so that a bad entry fails here and
not in a user's `trainctl explain`:
  - every file parses, has `family` (its file name) and `title`, and only known keys;
  - every entry has the required fields with the right types; ids are unique, snake_case;
  - every taxonomy id (data/errors/taxonomy_ids.txt) but `none` is covered exactly once, and
    every other id is documented in docs/errors.md;
  - every regex compiles with Python's `re` and stays inside the subset common to RE2 and
    Hyperscan (no lookaround, backreferences, possessive or atomic groups, named groups in
    `patterns`, inline flags other than (?i), \\Z, \\G, \\p, unbounded-looking `{`);
  - no pattern matches the empty line or spans lines;
  - every `{name}` in `cause` or a fix is a named group of one of the entry's `extract` regexes;
  - every example matches the entry (a pattern, and no `exclude`), every counterexample does not;
  - no example is outranked by a higher-priority entry, unless that entry is in `see_also`;
  - no entry matches any line of data/errors/clean_lines.txt (lines from healthy runs).
Exit status 0 when clean, 1 with one line per problem otherwise.
"""

import pathlib
import re
import sys
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[2]
KB_DIR = ROOT / "data" / "errors"
TAXONOMY_FILE = KB_DIR / "taxonomy_ids.txt"
CLEAN_FILE = KB_DIR / "clean_lines.txt"
DOC_FILE = ROOT / "docs" / "errors.md"

FILE_KEYS = {"family", "title", "error"}
ENTRY_REQUIRED = {"id", "title", "priority", "cause", "fixes", "examples"}
ENTRY_OPTIONAL = {"patterns", "patterns_nocase", "exclude", "extract", "counterexamples", "see_also"}
FIX_REQUIRED = {"title", "detail", "action"}
FIX_OPTIONAL = {"config_keys"}
ACTIONS = {"config", "command", "code", "environment", "hardware", "info"}
ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
PLACEHOLDER_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
MAX_REPEAT = 200  # bounded repeats above this blow up Hyperscan's automata
MIN_EXAMPLES = 2


class Problems:
    def __init__(self):
        self.items = []

    def add(self, where, message):
        self.items.append(f"{where}: {message}")


def scan_regex(rx, allow_named):
    """Returns a list of reasons `rx` leaves the RE2/Hyperscan common subset."""
    bad = []
    i, n = 0, len(rx)
    in_class = False
    while i < n:
        c = rx[i]
        if c == "\\":
            if i + 1 >= n:
                bad.append("trailing backslash")
                break
            e = rx[i + 1]
            if e.isdigit() and e != "0" and not in_class:
                bad.append(f"backreference \\{e}")
            if e in "ZGpPkgQE":
                bad.append(f"unsupported escape \\{e}")
            if e == "\n":
                bad.append("escaped newline")
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
            i += 1
            continue
        if c == "[":
            in_class = True
            i += 1
            if i < n and rx[i] == "^":
                i += 1
            if i < n and rx[i] == "]":  # a literal ] first in a class
                i += 1
            continue
        if c == "(":
            if rx.startswith("(?", i):
                rest = rx[i + 2:]
                if rest.startswith(":"):
                    pass
                elif rest.startswith("P<"):
                    if not allow_named:
                        bad.append("named group (?P<...>) outside `extract`")
                elif rest.startswith("i)"):
                    pass
                elif rest.startswith(("=", "!", "<=", "<!")):
                    bad.append("lookaround")
                elif rest.startswith(">"):
                    bad.append("atomic group")
                elif rest.startswith("("):
                    bad.append("conditional group")
                elif rest.startswith(("<", "'")):
                    bad.append("named group syntax other than (?P<name>...)")
                elif rest.startswith("#"):
                    bad.append("comment group")
                else:
                    bad.append(f"inline flag group (?{rest[:3]}...; only (?: and (?i) are allowed")
            i += 1
            continue
        if c in "*+?":
            if i + 1 < n and rx[i + 1] == "+":
                bad.append("possessive quantifier")
            i += 1
            continue
        if c == "{":
            m = re.match(r"\{(\d+)(,(\d*))?\}", rx[i:])
            if not m:
                bad.append("literal `{` must be escaped as \\{")
                i += 1
                continue
            lo = int(m.group(1))
            hi = m.group(3)
            if lo > MAX_REPEAT or (hi and int(hi) > MAX_REPEAT):
                bad.append(f"bounded repeat over {MAX_REPEAT}")
            i += len(m.group(0))
            if i < n and rx[i] == "+":
                bad.append("possessive quantifier")
            continue
        if c == "}":
            bad.append("literal `}` must be escaped as \\}")
        if c == "\n":
            bad.append("newline inside a pattern")
        i += 1
    if in_class:
        bad.append("unterminated character class")
    return bad


def compile_checked(rx, where, problems, *, nocase=False, allow_named=False, need_named=False):
    if not isinstance(rx, str) or not rx:
        problems.add(where, "regex must be a non-empty string")
        return None
    for reason in scan_regex(rx, allow_named):
        problems.add(where, f"{reason}: {rx!r}")
    try:
        compiled = re.compile(rx, re.IGNORECASE if nocase else 0)
    except re.error as err:
        problems.add(where, f"does not compile ({err}): {rx!r}")
        return None
    if need_named and not compiled.groupindex:
        problems.add(where, f"extract regex has no named group: {rx!r}")
    if not need_named and compiled.search(""):
        problems.add(where, f"matches the empty line: {rx!r}")
    return compiled


def string_list(entry, key, where, problems, *, required=False):
    value = entry.get(key)
    if value is None:
        if required:
            problems.add(where, f"missing `{key}`")
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.add(where, f"`{key}` must be a list of strings")
        return []
    return value


class Entry:
    def __init__(self, data, file_name):
        self.data = data
        self.file = file_name
        self.id = data.get("id", "?")
        self.priority = data.get("priority", 0)
        self.patterns = []
        self.excludes = []
        self.extract_groups = set()

    def matches(self, line):
        if not any(p.search(line) for p in self.patterns):
            return False
        return not any(x.search(line) for x in self.excludes)


def check_entry(data, file_name, problems):
    where = f"{file_name}: entry {data.get('id', '?')!r}"
    entry = Entry(data, file_name)
    keys = set(data)
    for k in ENTRY_REQUIRED - keys:
        problems.add(where, f"missing `{k}`")
    for k in keys - ENTRY_REQUIRED - ENTRY_OPTIONAL:
        problems.add(where, f"unknown key `{k}`")
    if not isinstance(data.get("id"), str) or not ID_RE.match(data.get("id", "")):
        problems.add(where, "`id` must be snake_case")
    if not isinstance(data.get("title"), str) or not data.get("title", "").strip():
        problems.add(where, "`title` must be a non-empty string")
    pr = data.get("priority")
    if not isinstance(pr, int) or isinstance(pr, bool) or not 0 <= pr <= 100:
        problems.add(where, "`priority` must be an integer 0..100")
        entry.priority = 0
    cause = data.get("cause")
    if not isinstance(cause, str) or len(cause.strip()) < 40:
        problems.add(where, "`cause` must be a paragraph")
        cause = ""

    for rx in string_list(data, "patterns", where, problems):
        c = compile_checked(rx, f"{where} patterns", problems)
        if c:
            entry.patterns.append(c)
    for rx in string_list(data, "patterns_nocase", where, problems):
        c = compile_checked(rx, f"{where} patterns_nocase", problems, nocase=True)
        if c:
            entry.patterns.append(c)
    if not data.get("patterns") and not data.get("patterns_nocase"):
        problems.add(where, "needs at least one of `patterns`, `patterns_nocase`")
    for rx in string_list(data, "exclude", where, problems):
        c = compile_checked(rx, f"{where} exclude", problems)
        if c:
            entry.excludes.append(c)
    for rx in string_list(data, "extract", where, problems):
        c = compile_checked(rx, f"{where} extract", problems, allow_named=True, need_named=True)
        if c:
            entry.extract_groups.update(c.groupindex)

    texts = [("cause", cause)]
    fixes = data.get("fixes")
    if not isinstance(fixes, list) or not fixes:
        problems.add(where, "`fixes` must be a non-empty array of tables")
        fixes = []
    for n, fix in enumerate(fixes, 1):
        fwhere = f"{where} fix {n}"
        if not isinstance(fix, dict):
            problems.add(fwhere, "must be a table")
            continue
        for k in FIX_REQUIRED - set(fix):
            problems.add(fwhere, f"missing `{k}`")
        for k in set(fix) - FIX_REQUIRED - FIX_OPTIONAL:
            problems.add(fwhere, f"unknown key `{k}`")
        for k in ("title", "detail"):
            if k in fix and (not isinstance(fix[k], str) or not fix[k].strip()):
                problems.add(fwhere, f"`{k}` must be a non-empty string")
            elif k in fix:
                texts.append((f"fix {n} {k}", fix[k]))
        if fix.get("action") not in ACTIONS:
            problems.add(fwhere, f"`action` must be one of {sorted(ACTIONS)}")
        if "config_keys" in fix:
            ck = fix["config_keys"]
            if not isinstance(ck, list) or not ck or not all(isinstance(x, str) and x for x in ck):
                problems.add(fwhere, "`config_keys` must be a non-empty list of strings")
    for label, text in texts:
        for name in PLACEHOLDER_RE.findall(text):
            if name not in entry.extract_groups:
                problems.add(where, f"{label} uses {{{name}}}, which no `extract` regex captures")

    examples = string_list(data, "examples", where, problems, required=True)
    if len(examples) < MIN_EXAMPLES:
        problems.add(where, f"needs at least {MIN_EXAMPLES} examples")
    for ex in examples:
        if "\n" in ex:
            problems.add(where, f"example spans lines: {ex!r}")
        elif not entry.matches(ex):
            problems.add(where, f"example does not match: {ex!r}")
    for ex in string_list(data, "counterexamples", where, problems):
        if entry.matches(ex):
            problems.add(where, f"counterexample matches: {ex!r}")
    string_list(data, "see_also", where, problems)
    return entry


def load_taxonomy(problems):
    ids = []
    for line in TAXONOMY_FILE.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            ids.append(line)
    if len(set(ids)) != len(ids):
        problems.add(TAXONOMY_FILE.name, "duplicate ids")
    return ids


def documented_new_ids():
    if not DOC_FILE.exists():
        return set()
    ids = set()
    for line in DOC_FILE.read_text().splitlines():
        m = re.match(r"^\|\s*`([a-z0-9_]+)`\s*\|", line)
        if m:
            ids.add(m.group(1))
    return ids


def main(argv):
    verbose = "--verbose" in argv
    problems = Problems()
    taxonomy = load_taxonomy(problems)
    entries = []
    families = set()
    files = sorted(KB_DIR.glob("*.toml"))
    if not files:
        problems.add(str(KB_DIR), "no .toml files")
    for path in files:
        try:
            doc = tomllib.loads(path.read_text())
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            problems.add(path.name, f"does not parse: {err}")
            continue
        for k in set(doc) - FILE_KEYS:
            problems.add(path.name, f"unknown top-level key `{k}`")
        family = doc.get("family")
        if family != path.stem:
            problems.add(path.name, f"`family` must be {path.stem!r} (the file name), got {family!r}")
        if family in families:
            problems.add(path.name, f"family {family!r} repeated")
        families.add(family)
        if not isinstance(doc.get("title"), str) or not doc.get("title"):
            problems.add(path.name, "missing `title`")
        errs = doc.get("error")
        if not isinstance(errs, list) or not errs:
            problems.add(path.name, "no [[error]] entries")
            continue
        for data in errs:
            if not isinstance(data, dict):
                problems.add(path.name, "[[error]] must be a table")
                continue
            entries.append(check_entry(data, path.name, problems))

    by_id = {}
    for e in entries:
        if e.id in by_id:
            problems.add(e.file, f"id {e.id!r} also defined in {by_id[e.id].file}")
        by_id.setdefault(e.id, e)
    if "none" in by_id:
        problems.add(by_id["none"].file, "`none` means no error and must not be an entry")
    for tid in taxonomy:
        if tid != "none" and tid not in by_id:
            problems.add(TAXONOMY_FILE.name, f"taxonomy id {tid!r} is not covered")
    documented = documented_new_ids()
    for e in entries:
        if e.id not in taxonomy and e.id not in documented:
            problems.add(e.file, f"new id {e.id!r} is not documented in docs/errors.md")
        for other in string_list(e.data, "see_also", f"{e.file}: entry {e.id!r}", Problems()):
            if other not in by_id:
                problems.add(e.file, f"entry {e.id!r} see_also names unknown id {other!r}")

    # Ranking: an example must come out first among the entries that match it.
    for e in entries:
        allowed = set(e.data.get("see_also", []) or [])
        for ex in e.data.get("examples", []) or []:
            if not isinstance(ex, str):
                continue
            for o in entries:
                if o is e or o.priority <= e.priority or o.id in allowed:
                    continue
                if o.matches(ex):
                    problems.add(e.file, f"example of {e.id!r} is outranked by {o.id!r} "
                                 f"({o.priority} > {e.priority}); fix a pattern or add see_also: {ex!r}")

    # Healthy-run lines must produce no finding.
    if CLEAN_FILE.exists():
        clean = [l for l in CLEAN_FILE.read_text().splitlines() if l.strip() and not l.startswith("#")]
        for line in clean:
            for e in entries:
                if e.matches(line):
                    problems.add(e.file, f"entry {e.id!r} matches a clean line: {line!r}")
    else:
        problems.add(CLEAN_FILE.name, "missing")

    if verbose:
        counts = {}
        for e in entries:
            counts[e.file] = counts.get(e.file, 0) + 1
        for f, n in sorted(counts.items()):
            print(f"{f}: {n} entries")
        new = sorted(e.id for e in entries if e.id not in taxonomy)
        print(f"{len(entries)} entries, {len(new)} new ids: {', '.join(new)}")
    if problems.items:
        for p in problems.items:
            print(p)
        print(f"{len(problems.items)} problem(s)")
        return 1
    print(f"knowledge base OK: {len(entries)} entries in {len(files)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
