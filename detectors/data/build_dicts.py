#!/usr/bin/env python3
"""Rebuild the embedded dictionaries from ../../../shared/data/dictionaries (see ATTRIBUTION.md).

Usage: python3 build_dicts.py SRC_DIR   (SRC_DIR = the shared dictionaries folder)
Writes first.txt.gz, last.txt.gz, common.txt.gz, wordlike.txt.gz (names that are also words)
(one lower-case term per line, sorted) and
streets.txt (suffixes, abbreviations, secondary designators, common street names: kind<TAB>term).
"""
import csv, gzip, json, os, sys

src = sys.argv[1]
def load_json(name):
    return set(k.strip().lower() for k in json.load(open(os.path.join(src, "philter", name))) if k.strip())
def load_csv(name, col=0):
    with open(os.path.join(src, "us", name), encoding="utf-8-sig") as f:
        r = csv.reader(f); next(r)
        return set(row[col].strip().lower() for row in r if row and row[col].strip())

first = load_json("firstnames_minus_fps.json") | load_csv("2010_SSA_baby_names.csv")
last = load_json("lastnames_minus_fps.json") | load_csv("2010_Census_Surnames.csv")
common = load_json("whitelist_plus_fps_091718_nonames.json")
def write(name, terms):
    # mtime=0 keeps the output byte-identical across rebuilds.
    with gzip.GzipFile(name, "wb", compresslevel=9, mtime=0) as f:
        f.write(("\n".join(sorted(terms)) + "\n").encode())
write("first.txt.gz", first); write("last.txt.gz", last); write("common.txt.gz", common)

# Names that are also English words: Philter removed them from its whitelist, so recover them when at
# least two inflected forms of the name are in the whitelist ("bill": bills, billed; "grant": grants, granted).
def wordlike(w):
    if len(w) < 3:
        return False
    v = [w + x for x in ("s", "es", "ed", "ing", "ly", "er", "ers", "ness", "ful", "less")]
    if w.endswith("y"):
        v += [w[:-1] + "ies", w[:-1] + "ied"]
    if w.endswith("e"):
        v += [w[:-1] + "ing", w + "d"]
    return sum(x in common for x in v) >= 2
write("wordlike.txt.gz", {w for w in (first | last) - common if wordlike(w)})
with open("streets.txt", "w") as f:
    rows = []
    with open(os.path.join(src, "us", "2017_USPS_Street_Suffixes.csv"), encoding="utf-8-sig") as g:
        r = csv.reader(g); next(r)
        for row in r:
            for t in row[:2]:
                if t.strip(): rows.append(("suffix", t.strip().lower()))
    with open(os.path.join(src, "us", "2017_USPS_Secondary_Designators.csv"), encoding="utf-8-sig") as g:
        r = csv.reader(g); next(r)
        for row in r:
            for t in row[:2]:
                if t.strip(): rows.append(("unit", t.strip().lower()))
    for t in load_csv("1993_Census_Common_Street_Names.csv"):
        rows.append(("street", t))
    for k, t in sorted(set(rows)):
        f.write(f"{k}\t{t}\n")
