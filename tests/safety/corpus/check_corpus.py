#!/usr/bin/python3
"""Validates the command-safety corpus (deny.jsonl, allow_confirm.jsonl).

Checks: every line is a JSON object with exactly the keys command/verdict/category/note, all
non-empty strings; note is one line; category is lower-case-with-dashes; verdicts are "deny"
in deny.jsonl and "allow"/"confirm" in allow_confirm.jsonl; minimum counts per verdict; no
command appears twice (within or across files); every command passes `bash -n` except cases of
category "malformed" (at most 5), which must fail it; malformed cases are deny when they mention
a deny-worthy word, confirm otherwise (the issue: what cannot be parsed is at least confirm).

Run: /usr/bin/python3 tests/safety/corpus/check_corpus.py   (exit 0 = ok; prints counts)
"""
import collections
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FILES = {
    "deny.jsonl": {"deny"},
    "allow_confirm.jsonl": {"allow", "confirm"},
}
MINIMUMS = {"deny": 180, "allow": 70, "confirm": 90}
MIN_ALLOW_CONFIRM_TOTAL = 180
MAX_MALFORMED = 5
KEYS = {"command", "verdict", "category", "note"}
CATEGORY_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


def bash_parses(command):
    result = subprocess.run(["bash", "-n", "-c", command], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=10)
    return result.returncode == 0, result.stderr.decode(errors="replace").strip()


def main():
    errors = []
    seen = {}  # command -> "file:line"
    verdicts = collections.Counter()
    by_category = collections.defaultdict(collections.Counter)  # verdict -> category -> n
    malformed = 0

    for name, allowed in FILES.items():
        path = os.path.join(HERE, name)
        try:
            with open(path, encoding="utf-8") as f:
                lines = f.read().split("\n")
        except OSError as e:
            errors.append(f"{name}: cannot read: {e}")
            continue
        if lines and lines[-1] == "":
            lines.pop()
        for number, text in enumerate(lines, 1):
            where = f"{name}:{number}"
            if not text.strip():
                errors.append(f"{where}: blank line")
                continue
            try:
                case = json.loads(text)
            except json.JSONDecodeError as e:
                errors.append(f"{where}: invalid JSON: {e}")
                continue
            if not isinstance(case, dict) or set(case) != KEYS:
                errors.append(f"{where}: want exactly the keys {sorted(KEYS)}")
                continue
            if not all(isinstance(case[k], str) and case[k].strip() for k in KEYS):
                errors.append(f"{where}: every field must be a non-empty string")
                continue
            command, verdict, category, note = (case[k] for k in
                                                ("command", "verdict", "category", "note"))
            if verdict not in allowed:
                errors.append(f"{where}: verdict {verdict!r} not allowed in {name}")
            if not CATEGORY_RE.match(category):
                errors.append(f"{where}: category {category!r} is not lower-case-with-dashes")
            if "\n" in note or "\r" in note:
                errors.append(f"{where}: note must be one line")
            if command in seen:
                errors.append(f"{where}: duplicate command (first at {seen[command]}): {command!r}")
            else:
                seen[command] = where
            ok, message = bash_parses(command)
            if category == "malformed":
                malformed += 1
                if verdict not in ("deny", "confirm"):
                    errors.append(f"{where}: malformed cases must be deny or confirm")
                if "malformed" not in note:
                    errors.append(f"{where}: a malformed case's note must say it is malformed")
                if ok:
                    errors.append(f"{where}: category malformed but bash -n accepts it")
            elif not ok:
                errors.append(f"{where}: bash -n rejects it: {message}")
            verdicts[verdict] += 1
            by_category[verdict][category] += 1

    if malformed > MAX_MALFORMED:
        errors.append(f"{malformed} malformed cases, at most {MAX_MALFORMED}")
    for verdict, minimum in MINIMUMS.items():
        if verdicts[verdict] < minimum:
            errors.append(f"{verdicts[verdict]} {verdict} cases, want at least {minimum}")
    if verdicts["allow"] + verdicts["confirm"] < MIN_ALLOW_CONFIRM_TOTAL:
        errors.append(f"allow_confirm.jsonl has {verdicts['allow'] + verdicts['confirm']} cases, "
                      f"want at least {MIN_ALLOW_CONFIRM_TOTAL}")

    for verdict in ("deny", "allow", "confirm"):
        print(f"{verdict}: {verdicts[verdict]}")
        for category, n in sorted(by_category[verdict].items(), key=lambda kv: (-kv[1], kv[0])):
            print(f"  {category}: {n}")
    if errors:
        for e in errors:
            print("error: " + e, file=sys.stderr)
        print(f"check_corpus: {len(errors)} error(s)", file=sys.stderr)
        return 1
    print(f"check_corpus: ok ({sum(verdicts.values())} cases)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
