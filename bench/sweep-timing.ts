// Times one sweep command as a user runs it, into a fresh store: wall time from start to its JSON
// summary (process and session start-up included), and the samples its runs trained.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const bin = path.resolve(import.meta.dirname, '../../bin/toymodels.js');

export function timeSweep(args: string[]): { seconds: number; samples: number } {
  const store = mkdtempSync(path.join(tmpdir(), 'toymodels-sweep-bench-'));
  const start = performance.now();
  const out = JSON.parse(
    execFileSync(process.execPath, [bin, ...args, '--store', store, '--json'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  rmSync(store, { recursive: true, force: true });
  const samples = out.runs.reduce(
    (n: number, r: { config: { log2_batch_size: number; log2_training_steps: number } }) =>
      n + 2 ** (r.config.log2_batch_size + r.config.log2_training_steps),
    0,
  );
  return { seconds, samples };
}
