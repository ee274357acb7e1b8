/**
 * A fuzz worker process: receives (format, index) or a file, regenerates the input deterministically, scans it
 * and answers with the outcome and its memory. The parent enforces the time bound by killing this process.
 */
import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { generateInput, type FuzzFormat } from './campaign';
import { holdsPayload, loadCorpus, type Corpus } from './corpus';
import { scanBytes } from './target';

export type ChildRequest = { id: number; seed: number; format: FuzzFormat; index: number } | { id: number; file: string };

export interface ChildReply {
  id: number;
  outcome: string;
  verdict?: string;
  message?: string;
  reason?: string;
  ms: number;
  bytes: number;
  rss: number;
  /** The input still holds a seed payload byte for byte (fail-open oracle: it must not be clean). */
  holdsPayload?: boolean;
}

export function serveChild(root: string): void {
  let corpus: Corpus | undefined;
  const send = (m: ChildReply | { ready: true }) => process.send?.(m);
  const onFatal = (e: unknown) => {
    // An error escaping the scan's promise chain (a stray async throw): report it as a crash, then die.
    process.stderr.write(`uncaught: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(70);
  };
  process.on('uncaughtException', onFatal);
  process.on('unhandledRejection', onFatal);
  process.on('message', async (req: ChildRequest) => {
    corpus ??= loadCorpus(root);
    let bytes: Uint8Array;
    let name: string;
    if ('file' in req) {
      bytes = new Uint8Array(readFileSync(req.file));
      name = req.file;
    } else {
      const input = generateInput(corpus, req.seed, req.format, req.index);
      bytes = input.bytes;
      name = input.name;
    }
    // The parent's time bound starts now: generating a big input is not the scanner's time.
    // Garbage from generating a big input is not the scanner's memory either.
    if (bytes.length > 8_000_000 || process.memoryUsage().rss > 768 * 1024 * 1024) (globalThis as { gc?: () => void }).gc?.();
    process.send?.({ id: req.id, generated: true });
    const r = await scanBytes(bytes, name, (stage) => process.send?.({ id: req.id, stage }));
    send({ id: req.id, outcome: r.outcome, verdict: r.verdict, message: r.message?.slice(0, 500), reason: r.reason, ms: r.ms, bytes: bytes.length, rss: process.memoryUsage().rss, holdsPayload: holdsPayload(corpus, bytes) });
  });
  send({ ready: true });
}

/** The same service in a worker thread (the in-test smoke run terminates the thread on a hang). */
export function serveThread(root: string, light: boolean): void {
  const port = parentPort;
  if (!port) throw new Error('serveThread outside a worker thread');
  const corpus = loadCorpus(root);
  port.on('message', async (req: { id: number; seed: number; format: FuzzFormat; index: number }) => {
    const input = generateInput(corpus, req.seed, req.format, req.index, { light });
    port.postMessage({ id: req.id, generated: true });
    const r = await scanBytes(input.bytes, input.name, (stage) => port.postMessage({ id: req.id, stage }));
    port.postMessage({ id: req.id, outcome: r.outcome, verdict: r.verdict, message: r.message?.slice(0, 500), reason: r.reason, ms: r.ms, bytes: input.bytes.length, recipe: input.recipe.join(' '), holdsPayload: holdsPayload(corpus, input.bytes) });
  });
  port.postMessage({ ready: true });
}
