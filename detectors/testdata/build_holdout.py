#!/usr/bin/env python3
"""Build holdout_gold.jsonl from the hand-written, inline-marked notes in holdout_notes.txt.

Usage: build_holdout.py [--check] [NOTES [OUT]]
Defaults: holdout_notes.txt and holdout_gold.jsonl next to this script. With --check nothing is written;
the exit status says whether OUT is what NOTES builds (for CI or a pre-commit check).

Input format (also documented at the top of the notes file):
  lines starting with "%%"         comments, skipped anywhere in the file
  "@@ <id> <free description>"    starts a note; its body runs to the next "@@" line or the end
  <TYPE>text</TYPE>               one gold span of TYPE around text; spans do not nest
Leading and trailing blank lines of a body are dropped; inner line breaks are kept.
Output: one JSON object a line, {"id","text","spans":[{"start","end","type"}]}, offsets in Unicode code
points (Python str indices), end exclusive.
Every error names the note id and the line, never the note's text.
"""
import json
import os
import re
import sys

TYPES = {
    "NAME", "LOCATION", "DATE", "DateYear", "AGE", "PHONE", "FAX", "EMAIL", "SSN", "MRN", "HEALTH_PLAN",
    "ACCOUNT", "LICENSE", "VEHICLE", "DEVICE", "URL", "IP", "BIOMETRIC", "ID", "ORGANIZATION",
}
# Anything shaped like a tag: a known type or a typo of one. "<5 mm" or "BP <90" are not tag-shaped.
TAG = re.compile(r"<(/?)([A-Za-z_]+)>")
ID_RE = re.compile(r"^h\d{3}$")


class MarkupError(Exception):
    pass


def parse_note(nid, body_lines, first_line):
    """Return (text, spans) for one note body; body_lines keep their line breaks."""
    raw = "".join(body_lines)
    # Drop blank lines at either end, remembering how many lines were dropped at the start for messages.
    stripped = raw.lstrip("\n")
    lead = len(raw) - len(stripped)
    raw = stripped.rstrip()
    text, spans, open_tag = [], [], None
    pos = 0  # code points emitted so far
    last = 0

    def where(i):
        return f"note {nid}, line {first_line + lead + raw.count(chr(10), 0, i)}"

    for m in TAG.finditer(raw):
        chunk = raw[last:m.start()]
        text.append(chunk)
        pos += len(chunk)
        last = m.end()
        closing, typ = m.group(1) == "/", m.group(2)
        if typ not in TYPES:
            raise MarkupError(f"{where(m.start())}: unknown tag type {typ!r}")
        if not closing:
            if open_tag is not None:
                raise MarkupError(f"{where(m.start())}: <{typ}> opened inside <{open_tag[0]}>")
            open_tag = (typ, pos, m.start())
            continue
        if open_tag is None or open_tag[0] != typ:
            raise MarkupError(f"{where(m.start())}: </{typ}> does not close an open <{typ}>")
        start = open_tag[1]
        if pos == start:
            raise MarkupError(f"{where(m.start())}: empty <{typ}> span")
        spans.append({"start": start, "end": pos, "type": typ})
        open_tag = None
    if open_tag is not None:
        raise MarkupError(f"{where(open_tag[2])}: <{open_tag[0]}> never closed")
    text.append(raw[last:])
    out = "".join(text)
    for s in spans:
        frag = out[s["start"]:s["end"]]
        if frag != frag.strip():
            raise MarkupError(f"note {nid}: a {s['type']} span at {s['start']} starts or ends with white space")
    # The markup must be gone entirely: no tag-shaped or half tag left (e.g. "<NAME" without ">").
    leftover = re.search(r"</?[A-Za-z_]+>|</?(%s)\b" % "|".join(sorted(TYPES)), out)
    if leftover:
        raise MarkupError(f"note {nid}: leftover markup at offset {leftover.start()}")
    return out, spans


def parse(path):
    notes, cur, seen = [], None, set()
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.startswith("%%"):
                continue
            if line.startswith("@@"):
                parts = line[2:].split(None, 1)
                if not parts or not ID_RE.match(parts[0]):
                    raise MarkupError(f"line {n}: a note header needs an id like h001")
                nid = parts[0]
                if nid in seen:
                    raise MarkupError(f"line {n}: duplicate note id {nid}")
                seen.add(nid)
                cur = (nid, [], n + 1)
                notes.append(cur)
                continue
            if cur is None:
                if line.strip():
                    raise MarkupError(f"line {n}: text before the first note header")
                continue
            cur[1].append(line)
    out = []
    for nid, lines, first in notes:
        text, spans = parse_note(nid, lines, first)
        if not text:
            raise MarkupError(f"note {nid}: empty note")
        out.append({"id": nid, "text": text, "spans": spans})
    return out


def render(records):
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def main(argv):
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    here = os.path.dirname(os.path.abspath(__file__))
    src = args[0] if args else os.path.join(here, "holdout_notes.txt")
    dst = args[1] if len(args) > 1 else os.path.join(here, "holdout_gold.jsonl")
    try:
        records = parse(src)
    except MarkupError as e:
        print(f"build_holdout: {e}", file=sys.stderr)
        return 1
    data = render(records)
    nspans = sum(len(r["spans"]) for r in records)
    if check:
        try:
            with open(dst, encoding="utf-8") as f:
                same = f.read() == data
        except FileNotFoundError:
            same = False
        print(f"build_holdout: {len(records)} notes, {nspans} spans, {dst} {'up to date' if same else 'STALE'}")
        return 0 if same else 1
    with open(dst, "w", encoding="utf-8") as f:
        f.write(data)
    print(f"build_holdout: wrote {len(records)} notes, {nspans} spans to {dst}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
