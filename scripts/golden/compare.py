#!/usr/bin/env python3
"""Compares two golden JSON files case by case (same ids): which fields differ. Usage: compare.py A.json B.json"""
import json
import sys

a, b = (json.load(open(p)) for p in sys.argv[1:3])
bi = {c['id']: c for c in b['cases']}
same = 0
for c in a['cases']:
    d = bi.get(c['id'])
    if d is None:
        continue
    diff = [k for k in c if k in d and c[k] != d[k]]
    if diff:
        print(c['id'], diff)
    else:
        same += 1
print('identical cases: %d of %d common' % (same, len([c for c in a['cases'] if c['id'] in bi])))
