/**
 * Pickle-bearing files as their own format (THREATS.md §E.2): raw pickles (protocol 2–5 by their PROTO
 * magic, protocol 0/1 by a successful opcode scan), legacy `torch.save` streams and `.npy` arrays. The
 * pickle itself is only read opcode by opcode (pickle/scan.ts); nothing is ever unpickled.
 * PyTorch zips are handled by the zip module (keras-zip.ts), which hands their `.pkl` members here.
 */
import type { ByteSource } from '../io/byte-source';
import type { EmbeddedPickle, OpenedModel } from '../keras/model';
import { scanPickle } from '../pickle/scan';
import { hasLegacyTorchMagic, scanLegacyTorchStream } from '../pickle/torch-pickles';
import type { SkippedPart } from '../coverage';
import { FormatError, notInspected, type FormatContext, type FormatModule, type Probe } from './format';
import { isNpy, parseNpy } from './npy';
import { npyFacts } from './npz';

/** Whole pickle files are read up to this size (raw tensor data after a legacy torch stream is not needed). */
export const MAX_PICKLE_BYTES = 256 * 1024 * 1024;
/** A weak (protocol 0/1) candidate is confirmed by scanning at most this much. */
const WEAK_PROBE_BYTES = 1024 * 1024;

/**
 * First byte of a protocol 0/1 pickle: any opcode those protocols start with (MARK, EMPTY_LIST/DICT/TUPLE, GLOBAL,
 * UNICODE, STRING, INT, …). Only a hint: the caller confirms by scanning opcodes up to the first STOP.
 */
function weakPickleStart(head: Uint8Array): boolean {
  return head.length >= 2 && '(]})cVSILFNKJMUXTGPh'.includes(String.fromCharCode(head[0]));
}

/** Protocol 2–5 pickles start with PROTO n. */
function strongPickleStart(head: Uint8Array): boolean {
  return head[0] === 0x80 && head[1] >= 2 && head[1] <= 5;
}

export async function readBounded(source: ByteSource, limit = MAX_PICKLE_BYTES): Promise<Uint8Array> {
  return source.read(0, Math.min(source.size, limit));
}

const PICKLE_READERS = ['pickle.load', 'torch.load', 'joblib.load', 'numpy.load(allow_pickle=True)'];

/** Detected: a `.npy` array or a pickle stream (confirmed by scanning up to its STOP when the protocol is 0/1). */
export const pickleFile: FormatModule<'npy' | 'pickle'> = {
  container: 'pickle',
  produces: ['npy-object-array', 'npy-declared-size'],
  async detect(source: ByteSource, probe: Probe) {
    if (isNpy(probe.head)) return 'npy';
    if (strongPickleStart(probe.head)) return 'pickle';
    if (!weakPickleStart(probe.head)) return null;
    const scan = scanPickle(await source.read(0, Math.min(source.size, WEAK_PROBE_BYTES)), { maxPickles: 1 });
    return !scan.error && scan.pickles >= 1 ? 'pickle' : null;
  },
  async open(source: ByteSource, detected: 'npy' | 'pickle', ctx: FormatContext): Promise<OpenedModel> {
    const bytes = await readBounded(source);
    const cutAt = source.size > bytes.length ? bytes.length : null;
    const cut = cutAt !== null ? ` (first ${bytes.length} of ${source.size} bytes read)` : '';
    const tooLarge = (what: string): SkippedPart =>
      notInspected(source.name, 'pickle', 'too-large', `${what} does not end within the first ${bytes.length} bytes, so the rest was not read`, PICKLE_READERS);
    if (detected === 'npy') {
      ctx.progress('reading the .npy header');
      const info = parseNpy(bytes);
      if (info.error && !info.descr) throw new FormatError('damaged', `unreadable .npy: ${info.error.message}`, { offset: info.error.offset });
      const pickles: EmbeddedPickle[] = info.pickle
        ? [{ document: source.name, location: '', container: 'npy-object', offset: info.dataOffset ?? 0, scan: info.pickle }]
        : [];
      const pickleCut = info.objectDtype && cutAt !== null && (info.pickle?.pickles ?? 0) === 0;
      return {
        format: 'pickle',
        formatDetail: `NumPy .npy array (dtype ${JSON.stringify(info.descr)}, shape ${JSON.stringify(info.shape)}${info.objectDtype ? ', object dtype: the data is a pickle' : ''})${cut}`,
        documents: [],
        meta: { writer: {} },
        containerFacts: npyFacts(source.name, info, source.size, false),
        pickles,
        skipped: pickleCut ? [tooLarge('the object array’s pickle')] : [],
      };
    }
    ctx.progress('reading pickle opcodes');
    const legacy = hasLegacyTorchMagic(bytes);
    const scan = legacy ? scanLegacyTorchStream(bytes) : scanPickle(bytes);
    // Cut short by our read limit, a pickle without STOP is not damaged: the rest was simply not read.
    const incomplete = cutAt !== null && scan.pickles === 0;
    if (scan.error && scan.globals.length === 0 && scan.pickles === 0 && !incomplete) {
      throw new FormatError('damaged', `unreadable pickle: ${scan.error.message}`, { offset: scan.error.offset });
    }
    const what = legacy ? 'legacy PyTorch file (torch.save before 1.6, pickle stream)' : `Python pickle (protocol ${scan.protocol})`;
    const count = scan.pickles > 1 ? `, ${scan.pickles} concatenated pickles` : '';
    return {
      format: 'pickle',
      formatDetail: `${what}${count}${cut}`,
      documents: [],
      meta: { writer: {} },
      containerFacts: [],
      pickles: [{ document: source.name, location: '', container: legacy ? 'torch-legacy' : 'pickle', offset: 0, scan }],
      skipped: incomplete ? [tooLarge('the first pickle')] : [],
    };
  },
};
