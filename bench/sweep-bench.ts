// `npm run bench:sweep`: how a sweep should split 2 cores. Runs the same k=1024 sweep (LR1's
// learning rates, short runs) with each jobs x threads split and reports total samples/s; with
// `--laptop`, also the wall time of the whole LR1 batch at laptop scale. Writes docs/benchmarks.md.
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { replaceSection } from './report-file.js';
import { timeSweep } from './sweep-timing.js';

const root = path.resolve(import.meta.dirname, '../..');
const cores = availableParallelism();

const splits = [
  { jobs: 1, threads: cores },
  { jobs: cores, threads: 1 },
  ...(cores > 1 ? [{ jobs: 2, threads: cores }] : []),
];
const short = ['batch', 'LR1', '--log2_batch_size', '10', '--log2_training_steps', '9'];
const lines = ['| jobs x threads | wall time | total samples/s |', '|---|---|---|'];
for (const s of splits) {
  const r = timeSweep([...short, '--jobs', String(s.jobs), '--threads', String(s.threads)]);
  console.log(
    `${s.jobs} jobs x ${s.threads} threads: ${r.seconds.toFixed(1)} s, ${(r.samples / r.seconds).toFixed(0)} samples/s`,
  );
  lines.push(`| ${s.jobs} x ${s.threads} | ${r.seconds.toFixed(1)} s | ${(r.samples / r.seconds).toFixed(0)} |`);
}
let laptop = '';
if (process.argv.includes('--laptop')) {
  const r = timeSweep(['batch', 'LR1', '--scale', 'laptop']);
  laptop = `\n\nThe whole LR1 batch at laptop scale (6 runs, batch 2^10, 2^13 steps, default split): ${(r.seconds / 60).toFixed(1)} minutes, ${(r.samples / r.seconds).toFixed(0)} samples/s in total (\`npm run bench:sweep -- --laptop\`).`;
  console.log(laptop.trim());
}
replaceSection(
  path.join(root, 'docs/benchmarks.md'),
  'bench:sweep',
  `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench:sweep${laptop ? ' -- --laptop' : ''}\` on ${cores} cores: LR1 (k=1024, six learning rates) at batch 2^10, 2^9 steps a run, each jobs x threads split; wall time includes process and session start-up.

${lines.join('\n')}${laptop}`,
);
