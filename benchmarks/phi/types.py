#!/usr/bin/env python3
"""Type agreement of detections with gold spans: of the gold PHI spans a detection overlaps, how
many the detection that overlaps them most gives the same coarse type. The type is what a
placeholder ([LOCATION_2]) or surrogate says to a reader; eval_phi.py scores coverage only.

Usage: types.py GOLD.jsonl PRED.jsonl [-v]
Coarse types: a person, a place, a date, an age, a phone or fax number, and every other identifier
number (MRN, account, licence, device...) as one; e-mail, URL and IP each alone. Gold types of
other schemas (PhysioNet's HCPName, Presidio's STREET_ADDRESS) map onto them; gold spans of types
outside these (ORGANIZATION, TITLE, DateYear) are not scored.
-v prints the confusions with the gold text and the detected text (only on synthetic gold).
"""
import collections, json, sys

COARSE = {}
for coarse, names in {
    "person": "NAME HCPName RelativeProxyName PTName PTNameInitial PERSON",
    "place": "LOCATION Location STREET_ADDRESS GPE ZIP_CODE",
    "date": "DATE Date DATE_TIME",
    "age": "AGE Age",
    "phone": "PHONE FAX Phone PHONE_NUMBER",
    "number": "ID MRN HEALTH_PLAN ACCOUNT LICENSE VEHICLE DEVICE BIOMETRIC SSN CREDIT_CARD US_SSN US_DRIVER_LICENSE IBAN_CODE",
    "email": "EMAIL EMAIL_ADDRESS",
    "url": "URL DOMAIN_NAME",
    "ip": "IP IP_ADDRESS",
}.items():
    for n in names.split():
        COARSE[n] = coarse

gold = {str(g["id"]): g for g in map(json.loads, open(sys.argv[1]))}
pred = {str(p["id"]): p.get("spans", []) for p in (json.loads(l) for l in open(sys.argv[2]) if l.strip())}
agree = total = 0
confusions = collections.Counter()
examples = collections.defaultdict(list)
for gid, g in gold.items():
    for gs in g["spans"]:
        want = COARSE.get(gs["type"])
        if want is None:
            continue
        best, overlap = None, 0
        for p in pred.get(gid, []):
            o = min(p["end"], gs["end"]) - max(p["start"], gs["start"])
            if o > overlap:
                best, overlap = p, o
        if best is None:
            continue  # a miss: eval_phi.py's business
        total += 1
        got = COARSE.get(best["type"], best["type"])
        if got == want:
            agree += 1
        else:
            confusions[(want, got)] += 1
            if len(examples[(want, got)]) < 4:
                t = g["text"]
                examples[(want, got)].append((t[gs["start"]:gs["end"]], t[best["start"]:best["end"]]))
print(f"type agreement {agree / total if total else 0:.4f} ({agree} of {total} gold spans found)")
for (want, got), n in confusions.most_common(10):
    print(f"  gold {want:7s} found as {got:7s} {n}", examples[(want, got)] if "-v" in sys.argv else "")
