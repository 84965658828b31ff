#!/usr/bin/env python3
"""Build clinical_gold.jsonl from clinical_gold.txt.

Each note in clinical_gold.txt is separated by a line '---'. PHI is marked inline as {TYPE|text};
the output has the text without markup and spans in code-point offsets (eval_phi.py format).
Usage: python3 build_gold.py clinical_gold.txt > clinical_gold.jsonl
"""
import json, re, sys

MARK = re.compile(r"\{([A-Z_]+)\|([^{}]*)\}")
notes = open(sys.argv[1], encoding="utf-8").read().split("\n---\n")
for i, note in enumerate(notes):
    note = note.strip("\n")
    if not note:
        continue
    out, spans, pos = [], [], 0
    n = 0
    for m in MARK.finditer(note):
        out.append(note[pos:m.start()]); n += len(note[pos:m.start()])
        spans.append({"start": n, "end": n + len(m.group(2)), "type": m.group(1)})
        out.append(m.group(2)); n += len(m.group(2))
        pos = m.end()
    out.append(note[pos:])
    print(json.dumps({"id": f"c{i}", "text": "".join(out), "spans": spans}, ensure_ascii=False))
