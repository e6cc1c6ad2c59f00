// `npm run bench`: the full training step (sampling, forward, backward, LAMB, records) at the
// paper's size, N=512, m=64, k=1024, for batch 2^8, 2^10 and 2^13, beside the PyTorch oracle
// measured in the same invocation; then where a step spends its time. Writes the figures into
// docs/benchmarks.md. `--quick` runs shorter (less stable) measurements.
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import path from 'node:path';
import { parseRunConfig } from '../src/config/schema.js';
import { oracleAvailable, runOracle } from './oracle.js';
import { replaceSection } from './report-file.js';
import { profileStep } from './step-profile.js';

const FLOP_PER_SAMPLE = 3.54e6;
const THREADS = 2;
const quick = process.argv.includes('--quick');
const root = path.resolve(import.meta.dirname, '../..');

interface Row {
  log2B: number;
  samplesPerSecond: number;
  peakMb: number;
  oracle?: number;
}

// About 2^20 samples a measurement for the engine (2^18 with --quick), 2^18 for the oracle.
const log2Samples = quick ? 18 : 20;
const rows: Row[] = [];
const withOracle = oracleAvailable();
if (!withOracle) console.log('oracle: /usr/bin/python3 has no torch (apt-get install python3-torch libopenblas0-pthread); engine figures only');

for (const log2B of [8, 10, 13]) {
  const cfg = { log2_batch_size: log2B, log2_training_steps: Math.max(3, log2Samples - log2B), learning_rate: 0.003 };
  const out = JSON.parse(execFileSync(process.execPath, [path.join(root, 'dist/bench/train-one.js'), JSON.stringify(cfg), String(THREADS)], { encoding: 'utf8' }));
  const row: Row = { log2B, samplesPerSecond: out.samples_per_second, peakMb: out.peak_rss_mb };
  if (withOracle) row.oracle = runOracle(parseRunConfig({ ...cfg, log2_training_steps: Math.max(3, 18 - log2B) })).samples_per_second;
  rows.push(row);
  console.log(
    `batch 2^${log2B}: ${row.samplesPerSecond.toFixed(0)} samples/s, ${((row.samplesPerSecond * FLOP_PER_SAMPLE) / 1e9).toFixed(1)} GFLOP/s, peak ${row.peakMb.toFixed(0)} MB` +
      (row.oracle ? `; oracle ${row.oracle.toFixed(0)} samples/s, ratio ${(row.samplesPerSecond / row.oracle).toFixed(2)}` : ''),
  );
}

const profile = await profileStep(parseRunConfig({ log2_batch_size: 10 }), THREADS, 128);
const total = profile.byOp.reduce((a, [, ms]) => a + ms, 0);
console.log(`step at batch 2^10: ${profile.runMs.toFixed(2)} ms through session.run, sampler ${profile.samplerMs.toFixed(3)} ms`);
for (const [op, ms] of profile.byOp.slice(0, 10)) console.log(`  ${op.padEnd(16)} ${ms.toFixed(3)} ms`);

const table = [
  '| batch | samples/s | GFLOP/s | peak memory | oracle samples/s | ratio |',
  '|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| 2^${r.log2B} | ${r.samplesPerSecond.toFixed(0)} | ${((r.samplesPerSecond * FLOP_PER_SAMPLE) / 1e9).toFixed(1)} | ${r.peakMb.toFixed(0)} MB | ${r.oracle?.toFixed(0) ?? 'n/a'} | ${r.oracle ? (r.samplesPerSecond / r.oracle).toFixed(2) : 'n/a'} |`,
  ),
];
const ops = [
  '| where | ms per step | share of kernel time |',
  '|---|---|---|',
  ...profile.byOp.filter(([, ms]) => ms >= 0.01).map(([op, ms]) => `| ${op} | ${ms.toFixed(3)} | ${((100 * ms) / total).toFixed(1)}% |`),
  `| sampler (JavaScript, outside ORT) | ${profile.samplerMs.toFixed(3)} | - |`,
];
replaceSection(
  path.join(root, 'docs/benchmarks.md'),
  'bench:engine',
  `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench${quick ? ' -- --quick' : ''}\` on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${THREADS} ORT threads; N=512, m=64, k=1024, decoder, ReLU, LAMB. Samples/s covers the whole training loop (sampling, forward, backward, LAMB, bias decay, loss and snapshot records), 2^${log2Samples} samples a measurement; the oracle is \`torch_reference.py\` with its default threading, 2^18 samples, in the same invocation. GFLOP/s counts 3.54 MFLOP a sample. Peak memory is the training process's maximum resident set.

${table.join('\n')}

Where one step at batch 2^10 spends its time (ORT's profiler, kernel time per operator type, summed over the step's nodes; ${profile.runMs.toFixed(2)} ms a step through \`session.run\` without the profiler):

${ops.join('\n')}`,
);
console.log('wrote docs/benchmarks.md');
