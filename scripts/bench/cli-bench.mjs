// (c) CLI wall time and peak RSS per input: `scan <file> --json` through the freshly bundled CLI, under
// /usr/bin/time (wall clock and max RSS of the whole process, h5wasm included). Median of --runs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** One run: { wallS, maxRssKiB, code, summary }. Falls back to the child's own numbers without /usr/bin/time. */
export function runOnce(runner, args) {
  const useTime = existsSync('/usr/bin/time');
  const dir = mkdtempSync(path.join(tmpdir(), 'lambdalens-bench-'));
  const timeFile = path.join(dir, 'time.txt');
  const started = performance.now();
  const child = useTime
    ? spawnSync('/usr/bin/time', ['-f', '%e %M', '-o', timeFile, process.execPath, runner, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 })
    : spawnSync(process.execPath, [runner, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const wallJs = (performance.now() - started) / 1000;
  let line;
  try {
    line = JSON.parse(child.stdout.trim().split('\n').pop());
  } catch {
    line = { code: child.status, summary: { unparsed: child.stdout.slice(0, 200), err: child.stderr.slice(0, 400) } };
  }
  let wallS = wallJs;
  let maxRssKiB = line.maxRssKiB;
  if (useTime && existsSync(timeFile)) {
    const [e, m] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    if (Number.isFinite(e)) wallS = e;
    if (Number.isFinite(m)) maxRssKiB = m;
  }
  rmSync(dir, { recursive: true, force: true });
  return { wallS, maxRssKiB, code: line.code, summary: line.summary, inProcessMs: line.ms };
}

export function benchFile(runner, file, { runs = 5, hash = true } = {}) {
  const args = ['scan', file, '--json', ...(hash ? [] : ['--no-hash'])];
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(runOnce(runner, args));
  return {
    file,
    hash,
    runs,
    wallS: median(samples.map((s) => s.wallS)),
    wallMinS: Math.min(...samples.map((s) => s.wallS)),
    maxRssMiB: median(samples.map((s) => s.maxRssKiB)) / 1024,
    verdict: samples[0].summary?.[0]?.verdict ?? 'unknown',
    findings: samples[0].summary?.[0]?.findings,
    error: samples[0].summary?.[0]?.error ?? (Array.isArray(samples[0].summary) ? undefined : JSON.stringify(samples[0].summary)),
  };
}
