// Times one sweep through the CLI in a throw-away store: wall time and the samples its runs trained.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const bin = path.resolve(import.meta.dirname, '../../bin/toymodels.js');

export function timeSweep(args: string[]): { seconds: number; samples: number } {
  const store = mkdtempSync(path.join(tmpdir(), 'toymodels-sweep-bench-'));
  try {
    const start = performance.now();
    const out = JSON.parse(execFileSync(process.execPath, [bin, ...args, '--store', store, '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    const seconds = (performance.now() - start) / 1000;
    const samples = out.runs.reduce((n: number, r: { config: { log2_batch_size: number; log2_training_steps: number } }) => n + 2 ** (r.config.log2_batch_size + r.config.log2_training_steps), 0);
    return { seconds, samples };
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
}
