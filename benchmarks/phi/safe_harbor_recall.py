#!/usr/bin/env python3
"""Recall on the Safe Harbor identifiers only: eval_phi.py's token rule, leaving out gold tokens that
Safe Harbor lets a release keep (so the engine is built not to flag them).

Usage: safe_harbor_recall.py GOLD.jsonl PRED.jsonl
Left out: tokens of AGE spans of 89 or less (or without a number), DATE/DATE_TIME spans that are only a
year, and words of country names (the engine's own country list, read from detectors/regions.go).
Prints the counts left out per reason and recall over the rest. Like eval_phi.py it prints no record text.
"""
import json, os, re, sys, collections

TOK = re.compile(r"[^\W_]+", re.UNICODE)
NEUTRAL = {"DateYear", "ORGANIZATION", "TITLE", "PREFIX", "NRP"}
src = open(os.path.join(os.path.dirname(__file__), "..", "..", "detectors", "regions.go"), encoding="utf-8").read()
COUNTRY = {w for name in re.findall(r'"([a-z ]+)"', re.search(r"countryNames = \[\]string\{(.*?)\}", src, re.S).group(1))
           for w in name.split() if w not in ("and", "of")}


def kept_by_safe_harbor(text, span, tok):
    body = text[span["start"]:span["end"]]
    if span["type"] == "AGE":
        nums = [int(n) for n in re.findall(r"\d+", body)]
        return "age <= 89" if not nums or max(nums) <= 89 else None
    if span["type"] in ("DATE", "DATE_TIME") and re.fullmatch(r"\s*(19|20)\d\d\s*", body):
        return "year alone"
    if tok.lower() in COUNTRY:
        return "country word"
    return None


gold = [json.loads(l) for l in open(sys.argv[1])]
pred = {}
for l in open(sys.argv[2]):
    if l.strip():
        r = json.loads(l)
        pred[str(r["id"])] = [(x["start"], x["end"]) for x in r.get("spans", [])]
tp = fn = 0
left = collections.Counter()
for g in gold:
    P = pred.get(g["id"], [])
    for m in TOK.finditer(g["text"]):
        s, e = m.span()
        gs = [x for x in g["spans"] if x["type"] not in NEUTRAL and x["start"] < e and s < x["end"]]
        if not gs:
            continue
        why = kept_by_safe_harbor(g["text"], gs[0], m.group())
        if why:
            left[why] += 1
            continue
        if any(a < e and s < b for a, b in P):
            tp += 1
        else:
            fn += 1
print("left out:", dict(left))
print(f"safe-harbor recall {tp / max(tp + fn, 1):.4f} tp {tp} fn {fn}")
