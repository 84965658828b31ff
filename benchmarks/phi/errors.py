#!/usr/bin/env python3
"""Show detection errors in context (development aid; prints record text, so use only on synthetic gold).

Usage: errors.py GOLD.jsonl PRED.jsonl [fn|fp] [TYPE]
Prints each missed gold token (fn) or false-positive token (fp) with 40 characters either side,
using the token rule of eval_phi.py.
"""
import json, re, sys

TOK = re.compile(r"[^\W_]+", re.UNICODE)
NEUTRAL = {"DateYear", "ORGANIZATION", "TITLE", "PREFIX", "NRP"}
gold = [json.loads(l) for l in open(sys.argv[1])]
pred = {str(r["id"]): r.get("spans", []) for r in (json.loads(l) for l in open(sys.argv[2]) if l.strip())}
mode = sys.argv[3] if len(sys.argv) > 3 else "fn"
only = sys.argv[4] if len(sys.argv) > 4 else None
for g in gold:
    P = pred.get(g["id"], [])
    t = g["text"]
    for m in TOK.finditer(t):
        s, e = m.span()
        gt = [x["type"] for x in g["spans"] if x["start"] < e and s < x["end"]]
        hit = [x["type"] for x in P if x["start"] < e and s < x["end"]]
        scored = [x for x in gt if x not in NEUTRAL]
        if mode == "fn" and scored and not hit and (not only or scored[0] == only):
            print(f"{g['id']:>6} {scored[0]:15s} {t[max(0,s-40):s]!r:>45} [{m.group()}] {t[e:e+40]!r}")
        if mode == "fp" and hit and not gt and (not only or hit[0] == only):
            print(f"{g['id']:>6} {hit[0]:15s} {t[max(0,s-40):s]!r:>45} [{m.group()}] {t[e:e+40]!r}")
