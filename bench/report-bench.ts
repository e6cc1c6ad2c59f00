// `npm run bench:report`: the time `report` takes for a 6-run sweep shaped like a laptop-scale one
// (LR1: k=1024, N=512, 2^13 steps so 14 snapshots and 512 recorded losses a run; batch 2^4 keeps
// the training short, and the report's work does not depend on the batch size).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { replaceSection } from './report-file.js';

const root = path.resolve(import.meta.dirname, '../..');
const bin = path.join(root, 'bin/toymodels.js');
const store = mkdtempSync(path.join(tmpdir(), 'toymodels-report-bench-'));
const run = (args: string[]) =>
  execFileSync(process.execPath, [bin, ...args, '--store', store], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
run(['batch', 'LR1', '--log2_batch_size', '4', '--log2_training_steps', '13']);
const start = performance.now();
run(['report', 'LR1-b4s13', '--out', path.join(store, 'report')]);
const seconds = (performance.now() - start) / 1000;
rmSync(store, { recursive: true, force: true });
console.log(`report of a 6-run, 14-snapshot LR1 sweep (k=1024): ${seconds.toFixed(1)} s (target: under 30 s)`);
replaceSection(
  path.join(root, 'docs/benchmarks.md'),
  'bench:report',
  `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench:report\`: \`toymodels report\` for LR1 (6 runs, k=1024, N=512, 2^13 steps: 14 snapshots and 512 recorded losses a run, as at laptop scale; trained at batch 2^4, which the report does not depend on), whole command including start-up, every figure as SVG and PNG plus report.md: **${seconds.toFixed(1)} s** (target: under 30 s). All measures of one k=2048 snapshot: \`node dist/bench/analysis-bench.js\`.`,
);
