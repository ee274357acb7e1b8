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
import { FormatError, type FormatContext, type FormatModule, type Probe } from './format';
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

export const pickleFile: FormatModule = {
  id: 'pickle',
  async detect(source: ByteSource, probe: Probe) {
    if (isNpy(probe.head) || strongPickleStart(probe.head)) return true;
    if (!weakPickleStart(probe.head)) return false;
    const scan = scanPickle(await source.read(0, Math.min(source.size, WEAK_PROBE_BYTES)), { maxPickles: 1 });
    return !scan.error && scan.pickles >= 1;
  },
  async open(source: ByteSource, ctx: FormatContext): Promise<OpenedModel> {
    const bytes = await readBounded(source);
    const cut = source.size > bytes.length ? ` (first ${bytes.length} of ${source.size} bytes read)` : '';
    if (isNpy(bytes)) {
      ctx.progress('reading the .npy header');
      const info = parseNpy(bytes);
      if (info.error && !info.descr) throw new FormatError(`unreadable .npy: ${info.error.message}`, info.error.offset);
      const pickles: EmbeddedPickle[] = info.pickle
        ? [{ document: source.name, location: '', container: 'npy-object', offset: info.dataOffset ?? 0, scan: info.pickle }]
        : [];
      return {
        format: 'pickle',
        formatDetail: `NumPy .npy array (dtype ${JSON.stringify(info.descr)}, shape ${JSON.stringify(info.shape)}${info.objectDtype ? ', object dtype: the data is a pickle' : ''})${cut}`,
        documents: [],
        meta: { writer: {} },
        containerFacts: npyFacts(source.name, info, source.size),
        pickles,
      };
    }
    ctx.progress('reading pickle opcodes');
    const legacy = hasLegacyTorchMagic(bytes);
    const scan = legacy ? scanLegacyTorchStream(bytes) : scanPickle(bytes);
    if (scan.error && scan.globals.length === 0 && scan.pickles === 0) {
      throw new FormatError(`unreadable pickle: ${scan.error.message}`, scan.error.offset);
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
    };
  },
};
