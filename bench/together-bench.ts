// `npm run bench:together`: does training a sweep's runs side by side in one step graph pay on the
// CPU? The same six-run sweep (LR1's learning rates, short runs) at several k, one run after
// another, one run per core, and runs together in one graph. Writes docs/benchmarks.md.
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { replaceSection } from './report-file.js';
import { timeSweep } from './sweep-timing.js';

const root = path.resolve(import.meta.dirname, '../..');
const cores = availableParallelism();
const steps = Number(process.env.BENCH_LOG2_STEPS ?? 8);
const ks = (process.env.BENCH_KS ?? '64,256,1024').split(',').map(Number);

const layouts = [
  { name: 'one after another', jobs: 1, threads: cores, together: 1 },
  { name: 'one run per core', jobs: cores, threads: 1, together: 1 },
  { name: 'all six together', jobs: 1, threads: cores, together: 6 },
  { name: `${6 / cores} together per core`, jobs: cores, threads: 1, together: 6 / cores },
].filter((l) => Number.isInteger(l.together));

const lines = [
  `| k | ${layouts.map((l) => `${l.name} (${l.jobs} x ${l.threads}, ${l.together})`).join(' | ')} |`,
  `|---|${layouts.map(() => '---').join('|')}|`,
];
for (const k of ks) {
  const cells: string[] = [];
  let base = 0;
  for (const l of layouts) {
    const args = [
      'sweep',
      '--grid',
      'learning_rate=0.001,0.003,0.005,0.007,0.01,0.03',
      '--k',
      String(k),
      '--log2_batch_size',
      '10',
      '--log2_training_steps',
      String(steps),
    ];
    const r = timeSweep([
      ...args,
      '--jobs',
      String(l.jobs),
      '--threads',
      String(l.threads),
      '--together',
      String(l.together),
    ]);
    const rate = r.samples / r.seconds;
    base ||= rate;
    console.log(`k=${k} ${l.name}: ${r.seconds.toFixed(1)} s, ${rate.toFixed(0)} samples/s`);
    cells.push(`${rate.toFixed(0)} (${(rate / base).toFixed(2)}x)`);
  }
  lines.push(`| ${k} | ${cells.join(' | ')} |`);
}
replaceSection(
  path.join(root, 'docs/benchmarks.md'),
  'bench:together',
  `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench:together\` on ${cores} cores (CPU): LR1's six learning rates at N=512, m=64, batch 2^10, 2^${steps} steps a run, for several k. Total samples/s of the whole sweep, wall time including process and session start-up (ratio to one run after another). Columns: layout (processes x ORT threads, runs per graph).

${lines.join('\n')}`,
);
