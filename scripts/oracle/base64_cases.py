"""Writes tests/fixtures/base64-python.json: how CPython's loaders decode base64 text (Keras func_load:
codecs.decode(code.encode('ascii'), 'base64') -> binascii.a2b_base64, non-strict), for junk characters, early
or misplaced padding and bad lengths. Written with 3.11; CPython 2.7.18, 3.6, 3.9, 3.12 and 3.13 decode every
case in it identically (checked when it was made).
    ~/.pyenv/versions/3.11.7/bin/python scripts/oracle/base64_cases.py > tests/fixtures/base64-python.json
"""
import base64, binascii, codecs, json, random, sys

random.seed(20261128)
valid = [base64.b64encode(bytes(random.randrange(256) for _ in range(n))).decode() for n in (1, 2, 3, 4, 5, 16, 31, 64)]
code_like = base64.b64encode(b'\xe3\x01\x00\x00\x00' + bytes(range(40))).decode()
cases = []
for v in valid + [code_like]:
    cases.append(v)
    cases.append(v.rstrip('='))                        # padding removed
    cases.append('!!' + v)                             # leading junk
    cases.append(v[:3] + '@' + v[3:])                  # junk inside
    cases.append(' \n'.join(v[i:i + 4] for i in range(0, len(v), 4)))  # whitespace between groups
    cases.append(v + 'AAAA')                           # data after the padding
    cases.append(v[:2] + '=' + v[2:])                  # '=' early in a group
    cases.append(v + '=')                              # extra padding
    junky = ''.join(c + random.choice(['', '', '.', '-', '_', '#', '*', '\t']) for c in v)
    cases.append(junky)
cases += ['', '=', '==', 'A', 'AB', 'ABC', 'A=B=C=D=', 'AB=CD', 'AB==CD', 'ABC=D', '====AAAA', 'AAAA====BBBB', '4wEA@AAA', '..4w..EA..']

out = []
for c in cases:
    try:
        r = codecs.decode(c.encode('ascii'), 'base64')
        out.append({'text': c, 'hex': binascii.hexlify(r).decode()})
    except (binascii.Error, ValueError) as e:
        out.append({'text': c, 'error': type(e).__name__})
json.dump({'python': sys.version.split()[0], 'cases': out}, sys.stdout, indent=1)
sys.stdout.write('\n')
