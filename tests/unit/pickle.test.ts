import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyGlobal } from '../../src/core/pickle/globals';
import { OPCODES, PickleError, decodeOp } from '../../src/core/pickle/opcodes';
import { type PickleScan, scanPickle } from '../../src/core/pickle/scan';
import { hasLegacyTorchMagic, scanLegacyTorchStream, scanTorchZipMembers } from '../../src/core/pickle/torch-pickles';
import { zipMembers } from '../fixtures/pickle/zip-members';

const FIX = fileURLToPath(new URL('../fixtures/pickle/', import.meta.url));
const CORPUS = fileURLToPath(new URL('../../../shared/corpus/files/', import.meta.url));
const haveCorpus = existsSync(`${CORPUS}ps-malicious0.pkl`);
if (!haveCorpus) console.warn(`[pickle tests] ${CORPUS} is absent: picklescan corpus tests are skipped`);

const fixture = (name: string) => new Uint8Array(readFileSync(FIX + name));
const corpus = (name: string) => new Uint8Array(readFileSync(CORPUS + name));
const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const dangerous = (s: PickleScan) => s.globals.filter((g) => g.class === 'dangerous').map((g) => `${g.module}.${g.name}`);
const names = (s: PickleScan) => [...new Set(s.globals.map((g) => `${g.module}.${g.name}`))].sort();

describe('opcode reader vs CPython pickletools', () => {
  const oracle = JSON.parse(readFileSync(`${FIX}opcodes.json`, 'utf8')) as Record<string, [string, number][]>;
  it.each(Object.keys(oracle))('%s decodes to the same opcodes at the same offsets', (name) => {
    const data = fixture(name);
    const ops: [string, number][] = [];
    let pos = 0;
    for (;;) {
      const op = decodeOp(data, pos);
      ops.push([op.info.name, op.offset]);
      pos = op.end;
      if (op.info.name === 'STOP') break;
    }
    expect(ops).toEqual(oracle[name]);
    expect(pos).toBe(data.length);
  });

  it('knows every opcode of protocols 0-5 once', () => {
    const known = OPCODES.filter((o) => o !== undefined);
    expect(known).toHaveLength(68);
    expect(new Set(known.map((o) => o?.name)).size).toBe(68);
    expect(Math.max(...known.map((o) => o?.proto ?? 0))).toBe(5);
  });
});

describe('scanner on CPython-written pickles (oracle: Unpickler.find_class)', () => {
  const found = JSON.parse(readFileSync(`${FIX}globals.json`, 'utf8')) as Record<string, [string, string][]>;
  it.each(Object.keys(found))('%s lists exactly the globals CPython imports', (name) => {
    const scan = scanPickle(fixture(name));
    expect(scan.error).toBeUndefined();
    expect(scan.trailing).toBeUndefined();
    expect(scan.pickles).toBe(1);
    expect(names(scan)).toEqual(found[name].map(([m, n]) => `${m}.${n}`).sort());
    const proto = Number(/p(\d)/.exec(name)?.[1]);
    expect(scan.protocol).toBe(proto >= 2 ? proto : 0);
    expect(dangerous(scan)).toEqual([]);
    expect(scan.globals.find((g) => g.module === 'collections')?.class).toBe('safe');
    expect(scan.globals.find((g) => g.module === '__main__')?.class).toBe('unknown');
  });

  it.each(['payload-p0.pkl', 'payload-p2.pkl'])('%s: the __reduce__ payload is a dangerous call with its argument', (name) => {
    const scan = scanPickle(fixture(name));
    expect(dangerous(scan)).toEqual([process.platform === 'win32' ? 'nt.system' : 'posix.system']);
    expect(scan.globals[0].severity).toBe('critical');
    expect(scan.calls).toEqual([expect.objectContaining({ opcode: 'REDUCE', target: scan.globals[0] && { module: scan.globals[0].module, name: 'system' }, stringArgs: ['echo fixture'] })]);
  });
});

/** MANIFEST.tsv rows for the picklescan files, as expectations. */
const corpusRows: { file: string; dangerous: string[]; check?: (s: PickleScan) => void }[] = [
  { file: 'ps-malicious0.pkl', dangerous: ['__builtin__.compile', '__builtin__.eval', '__builtin__.getattr', '__builtin__.apply'], check: (s) => expect(s.calls.some((c) => c.stringArgs.some((a) => a.includes('/etc/passwd')))).toBe(true) },
  { file: 'ps-malicious1-v0.pkl', dangerous: ['__builtin__.eval'] },
  { file: 'ps-malicious1-v3.pkl', dangerous: ['builtins.eval'], check: (s) => expect(s.globals[0].opcode).toBe('GLOBAL') },
  { file: 'ps-malicious1-v4.pkl', dangerous: ['builtins.eval'], check: (s) => expect(s.globals[0].opcode).toBe('STACK_GLOBAL') },
  { file: 'ps-malicious2-v4.pkl', dangerous: ['posix.system'] },
  { file: 'ps-malicious3.pkl', dangerous: ['httplib.HTTPSConnection'], check: (s) => expect(s.globals[0].severity).toBe('high') },
  { file: 'ps-malicious4.pickle', dangerous: ['requests.api.get'], check: (s) => expect(s.calls[0].stringArgs).toEqual(['https://github.com']) },
  { file: 'ps-malicious7.pkl', dangerous: ['socket.create_connection'] },
  { file: 'ps-malicious8.pkl', dangerous: ['subprocess.run'] },
  { file: 'ps-malicious12.pkl', dangerous: ['operator.attrgetter', 'builtins.__import__'] },
  { file: 'ps-malicious13a.pkl', dangerous: ['pickle.loads'], check: (s) => expect(names(s)).toContain('_codecs.encode') },
  { file: 'ps-malicious14.pkl', dangerous: ['runpy._run_code'] },
  { file: 'ps-malicious15a.pkl', dangerous: ['__builtin__.getattr', 'bdb.Bdb'] },
  { file: 'ps-malicious16.pkl', dangerous: ['pip.main'] },
  { file: 'ps-malicious17.pkl', dangerous: ['torch._inductor.codecache.compile_file'] },
  { file: 'ps-malicious18.pkl', dangerous: ['pydoc.pipepager'] },
  { file: 'ps-malicious19.pkl', dangerous: ['functools.partial', 'torch.serialization.load'] },
  { file: 'ps-malicious20.pkl', dangerous: ['venv.create'] },
  {
    file: 'ps-invalid-bytes-memo.pkl',
    dangerous: ['os.system'],
    check: (s) => {
      // Module/name come through PUT/GET; the decoy torch.LongStorage strings are never imported.
      expect(names(s)).toEqual(['os.system']);
      expect(s.calls[0]).toMatchObject({ opcode: 'REDUCE', target: { module: 'os', name: 'system' }, stringArgs: ['cat flag.txt'] });
      expect(s.pickles).toBe(1);
      expect(s.trailing).toMatchObject({ offset: 73, length: 4 });
      expect(s.error).toBeUndefined();
    },
  },
  {
    file: 'ps-malicious6-multi.pkl',
    dangerous: ['requests.api.get'],
    check: (s) => {
      expect(s.pickles).toBe(2);
      expect(s.globals[0].pickleIndex).toBe(1);
    },
  },
  {
    file: 'ps-sys-module-override.pkl',
    dangerous: ['builtins.eval'],
    check: (s) => {
      // BUILD on the torch._utils module rewrites _rebuild_tensor; later lookups return "builtins" and "eval".
      expect(s.calls.filter((c) => c.setsAttributes?.includes('_rebuild_tensor'))).toHaveLength(2);
      expect(s.calls.at(-1)).toMatchObject({ opcode: 'REDUCE', target: { module: 'builtins', name: 'eval' } });
      expect(s.globals.filter((g) => g.module.startsWith('torch')).every((g) => g.class === 'unknown')).toBe(true);
    },
  },
  { file: 'ps-benign0-v4.pkl', dangerous: [], check: (s) => expect(s.globals).toEqual([]) },
];

describe.skipIf(!haveCorpus)('picklescan corpus (MANIFEST.tsv expectations)', () => {
  it('covers every ps-* pickle file listed in MANIFEST.tsv', () => {
    const manifest = readFileSync(`${CORPUS}../MANIFEST.tsv`, 'utf8');
    const listed = [...manifest.matchAll(/^files\/(ps-[^\t]+)\t/gm)].map((m) => m[1]);
    const handledElsewhere = ['ps-benign-legacy-pytorch.bin', 'ps-benign-new-pytorch.bin', 'ps-pytorch-magic-bypass.pt', 'ps-malicious1-zip.zip', 'ps-malicious1-0x1-zip.zip'];
    expect([...corpusRows.map((r) => r.file), ...handledElsewhere].sort()).toEqual(listed.sort());
  });

  it.each(corpusRows)('$file', ({ file, dangerous: expected, check }) => {
    const scan = scanPickle(corpus(file));
    expect(scan.error).toBeUndefined();
    expect(dangerous(scan)).toEqual(expected);
    check?.(scan);
  });

  it('legacy torch file: five pickles, standard magic, only safe globals', () => {
    const data = corpus('ps-benign-legacy-pytorch.bin');
    expect(hasLegacyTorchMagic(data)).toBe(true);
    const scan = scanLegacyTorchStream(data);
    expect(scan).toMatchObject({ legacyMagic: true, pickles: 5, protocol: 2 });
    expect(scan.error).toBeUndefined();
    expect(scan.trailing?.reason).toMatch(/stopped after 5 pickles/);
    expect(scan.globals.length).toBeGreaterThan(0);
    expect(scan.globals.every((g) => g.class === 'safe')).toBe(true);
  });

  it('legacy torch magic bypass: eval in the first pickle, system in the fifth', () => {
    const scan = scanLegacyTorchStream(corpus('ps-pytorch-magic-bypass.pt'));
    expect(scan.legacyMagic).toBe(false);
    expect(scan.globals.map((g) => [`${g.module}.${g.name}`, g.pickleIndex, g.class])).toEqual([
      ['__builtin__.eval', 0, 'dangerous'],
      ['posix.system', 4, 'dangerous'],
    ]);
    expect(scan.calls[0].stringArgs).toEqual(['0x1950A86A20F9469CFC6C']);
  });

  it('PyTorch zip: data.pkl holds only safe globals', () => {
    const members = zipMembers(corpus('ps-benign-new-pytorch.bin'));
    const scans = scanTorchZipMembers(members);
    expect(scans.map((s) => s.name)).toEqual(['archive/data.pkl']);
    const [s] = scans;
    expect(s.scan.error).toBeUndefined();
    expect(names(s.scan)).toEqual(['collections.OrderedDict', 'torch.FloatStorage', 'torch._utils._rebuild_tensor_v2']);
    expect(s.scan.globals.every((g) => g.class === 'safe')).toBe(true);
  });

  it.each([
    ['ps-malicious1-zip.zip', 'data.pkl'],
    ['ps-malicious1-0x1-zip.zip', 'model/config.pkl'],
  ])('%s: %s calls builtins.eval', (file, member) => {
    const scans = scanTorchZipMembers(zipMembers(corpus(file)));
    expect(scans.map((s) => s.name)).toEqual([member]);
    expect(dangerous(scans[0].scan)).toEqual(['builtins.eval']);
  });
});

describe('scanner edge cases', () => {
  it('resolves the INST text form as an import and a call', () => {
    const scan = scanPickle(bytes("(S'ls -la'\nios\nsystem\n."));
    expect(scan.globals).toMatchObject([{ module: 'os', name: 'system', opcode: 'INST', class: 'dangerous', offset: 11 }]);
    expect(scan.calls).toMatchObject([{ opcode: 'INST', target: { module: 'os', name: 'system' }, stringArgs: ['ls -la'] }]);
  });

  it('resolves STACK_GLOBAL operands through MEMOIZE and LONG_BINGET, and OBJ/NEWOBJ targets', () => {
    const p = '\x80\x04\x8c\x02os\x94\x8c\x06system\x94(j\x00\x00\x00\x00j\x01\x00\x00\x00\x93\x8c\x02ido\x2e';
    const scan = scanPickle(bytes(p));
    expect(scan.error).toBeUndefined();
    expect(dangerous(scan)).toEqual(['os.system']);
    expect(scan.calls).toMatchObject([{ opcode: 'OBJ', target: { module: 'os', name: 'system' }, stringArgs: ['id'] }]);
    const newobj = scanPickle(bytes('\x80\x02cbuiltins\nset\n)\x81.'));
    expect(newobj.calls).toMatchObject([{ opcode: 'NEWOBJ', target: { module: 'builtins', name: 'set' } }]);
  });

  it('reports a computed STACK_GLOBAL as unresolved and dangerous', () => {
    const scan = scanPickle(bytes('\x80\x04K\x01\x8c\x01x\x93.'));
    expect(scan.globals).toMatchObject([{ unresolved: true, class: 'dangerous', name: 'x', module: '<computed>' }]);
  });

  it('reports EXT codes as unresolved', () => {
    const scan = scanPickle(bytes('\x80\x02\x82\x05)R.'));
    expect(scan.globals).toMatchObject([{ opcode: 'EXT1', unresolved: true, name: 'extension code 5' }]);
  });

  it('continues past STOP and keeps partial records of a broken second pickle', () => {
    const scan = scanPickle(bytes('N.\x80\x02cos\nsystem\nX'));
    expect(scan.pickles).toBe(1);
    expect(dangerous(scan)).toEqual(['os.system']);
    expect(scan.globals[0].pickleIndex).toBe(1);
    expect(scan.trailing).toMatchObject({ offset: 2 });
    expect(scan.error).toBeUndefined();
  });

  it('honours maxPickles', () => {
    const scan = scanPickle(bytes('N.N.cos\nsystem\n.'), { maxPickles: 2 });
    expect(scan.pickles).toBe(2);
    expect(scan.globals).toEqual([]);
    expect(scan.trailing?.reason).toMatch(/stopped after 2 pickles/);
  });

  it.each([
    ['empty data', '', /empty data/, 0],
    ['no STOP', 'N', /ended without STOP/, 1],
    ['invalid opcode', '\xff', /invalid opcode 0xff/, 0],
    ['stack underflow', 'NR.', /stack underflow/, 1],
    ['missing memo', 'h\x07.', /memo value 7 not found/, 0],
    ['unsupported protocol', '\x80\x06N.', /unsupported pickle protocol 6/, 0],
    ['MARK missing', 'Nt.', /could not find MARK/, 1],
    ['string past the end', 'X\xff\x00\x00\x00ab', /runs past the end/, 0],
    ['negative BINSTRING length', 'T\xff\xff\xff\xff.', /negative length/, 0],
    ['FRAME past the end', '\x95\xff\x00\x00\x00\x00\x00\x00\x00N.', /FRAME longer/, 0],
    ['GLOBAL without newline', 'cos\nsystem', /past the end/, 0],
  ])('%s → error with offset', (_label, data, message, offset) => {
    const scan = scanPickle(bytes(data));
    expect(scan.error?.message).toMatch(message);
    expect(scan.error?.offset).toBe(offset);
    expect(scan.pickles).toBe(0);
  });

  it('enforces opcode, stack, memo and string limits', () => {
    const many = bytes(`${'N'.repeat(100)}.`);
    expect(scanPickle(many, { limits: { maxOpcodes: 50 } }).error?.message).toMatch(/limit: more than 50 opcodes/);
    expect(scanPickle(many, { limits: { maxStackDepth: 10 } }).error?.message).toMatch(/limit: stack deeper than 10/);
    const memo = bytes(`N${'\x94'.repeat(1)}N\x94N\x94.`);
    expect(scanPickle(memo, { limits: { maxMemo: 2 } }).error?.message).toMatch(/memo larger than 2/);
    expect(scanPickle(bytes('\x8c\x05hello.'), { limits: { maxStringBytes: 4 } }).error?.message).toMatch(/exceeds the 4-byte limit/);
    const long = scanPickle(bytes(`\x8c\xc8${'a'.repeat(200)}0N.`), { limits: { maxDecodedChars: 10 } });
    expect(long.error).toBeUndefined();
  });

  it('classifies against the picklescan / ModelScan lists and the known-safe list', () => {
    const cases: [string, string, string, string][] = [
      ['os', 'system', 'dangerous', 'critical'],
      ['os.path', 'join', 'dangerous', 'critical'],
      ['builtins', 'getattr', 'dangerous', 'critical'],
      ['__builtin__', '__import__', 'dangerous', 'critical'],
      ['builtins', 'set', 'safe', 'info'],
      ['sklearn.datasets._openml', 'fetch_openml', 'unknown', 'medium'],
      ['webbrowser', 'open', 'dangerous', 'high'],
      ['requests.api', 'post', 'dangerous', 'high'],
      ['code', 'InteractiveInterpreter.runcode', 'dangerous', 'critical'],
      ['code', 'compile_command', 'unknown', 'medium'],
      ['functools', 'partial', 'dangerous', 'high'],
      ['functools', 'reduce', 'unknown', 'medium'],
      ['torch', 'FloatStorage', 'safe', 'info'],
      ['torch', 'load', 'unknown', 'medium'],
      ['torch._utils', '_rebuild_tensor_v2', 'safe', 'info'],
      ['numpy.core.multiarray', '_reconstruct', 'safe', 'info'],
      ['osx', 'system', 'unknown', 'medium'],
      ['collections', 'OrderedDict', 'safe', 'info'],
    ];
    for (const [m, n, cls, sev] of cases) expect([m, n, classifyGlobal(m, n)]).toMatchObject([m, n, { class: cls, severity: sev }]);
  });

  it('decodeOp throws only PickleError', () => {
    expect(() => decodeOp(bytes('J\x01'), 0)).toThrow(PickleError);
  });
});

describe('properties', () => {
  const seeds = ['rich-p0.pkl', 'rich-p2.pkl', 'rich-p4.pkl', 'rich-p5.pkl', 'payload-p2.pkl'].map(fixture);

  it('random bytes always give a record or a clear error, in bounded time', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (data) => {
        const t0 = performance.now();
        const scan = scanPickle(data);
        expect(scan.pickles).toBeGreaterThanOrEqual(0);
        if (scan.error) {
          expect(scan.error.offset).toBeGreaterThanOrEqual(0);
          expect(scan.error.offset).toBeLessThanOrEqual(data.length);
        }
        expect(performance.now() - t0).toBeLessThan(2000); // loose: CI machines are noisy; a hang is far beyond this
      }),
      { numRuns: 3000 },
    );
  });

  it('mutated real pickles always give a record, in bounded time', () => {
    fc.assert(
      fc.property(fc.nat({ max: seeds.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), (which, flips) => {
        const data = Uint8Array.from(seeds[which]);
        for (const [pos, val] of flips) data[pos % data.length] = val;
        const t0 = performance.now();
        const scan = scanPickle(data);
        expect(scan.globals.every((g) => ['dangerous', 'unknown', 'safe'].includes(g.class))).toBe(true);
        expect(performance.now() - t0).toBeLessThan(2000); // loose: CI machines are noisy; a hang is far beyond this
      }),
      { numRuns: 2000 },
    );
  });
});
