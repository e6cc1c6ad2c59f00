// `npm run fidelity`: the engine against the PyTorch oracle (../shared/reference/torch_reference.py)
// on one configuration per task (and a GeLU + L1 one), two ways, written to docs/fidelity.md:
// - same data: the engine's embeddings, initial parameters and batches replayed through the
//   oracle's LAMB, schedule and bias decay (bench/replay_oracle.py); losses and final parameters
//   must agree to float32 rounding;
// - five seeds each side, independently drawn: the engine's mean final data loss and mean bias
//   must fall within the oracle's spread over seeds (its range, widened by one standard deviation).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseRunConfig, type RunConfigInput } from '../src/config/schema.js';
import { finalDataLoss } from '../src/sweep/run.js';
import { oracleAvailable, runOracle } from './oracle.js';
import { replaceSection } from './report-file.js';
import { dumpReplay } from './replay.js';

const root = path.resolve(import.meta.dirname, '../..');
const SEEDS = [1, 2, 3, 4, 5];
const scale = { log2_batch_size: 8, log2_training_steps: 9 };
const CONFIGS: [string, RunConfigInput][] = [
  ['decoder, ReLU, lr 0.01, decay 0.03, bias -1', { task: 'decoder', learning_rate: 0.01, decay: 0.03, initial_bias: -1 }],
  ['decoder, GeLU, lr 0.01, L1 0.01', { task: 'decoder', nonlinearity: 'GeLU', learning_rate: 0.01, reg: 0.01 }],
  ['re-projector, ReLU, lr 0.01, decay 0.03, bias -1', { task: 're-projector', learning_rate: 0.01, decay: 0.03, initial_bias: -1 }],
  ['abs, ReLU, k 2048, lr 0.007, decay 0.03, bias -1', { task: 'abs', k: 2048, learning_rate: 0.007, decay: 0.03, initial_bias: -1 }],
];

if (!oracleAvailable()) {
  console.error('fidelity: needs /usr/bin/python3 with torch (apt-get install python3-torch libopenblas0-pthread)');
  process.exit(1);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
const within = (x: number, ref: number[]) => x >= Math.min(...ref) - sd(ref) && x <= Math.max(...ref) + sd(ref);
const fmt = (xs: number[]) => xs.map((x) => x.toFixed(4)).join(', ');

// Same data: 2^7 steps, where float32 rounding has had time to compound. Observed differences are
// around 1e-7; the bounds leave room for different summation orders in the matrix products.
const REPLAY_LOSS_TOLERANCE = 1e-4;
const REPLAY_PARAM_TOLERANCE = 1e-4;
const replayLines: string[] = [];
let allPass = true;
for (const [label, input] of CONFIGS) {
  const dir = mkdtempSync(path.join(tmpdir(), 'toymodels-replay-'));
  await dumpReplay(parseRunConfig({ ...input, log2_batch_size: 8, log2_training_steps: 7, seed: 1 }), dir);
  const r = JSON.parse(execFileSync('/usr/bin/python3', [path.join(root, 'bench/replay_oracle.py'), dir], { encoding: 'utf8' }));
  rmSync(dir, { recursive: true, force: true });
  const rel = (p: string) => r[`max_abs_diff_${p}`] / r[`max_abs_${p}`];
  const ok = r.max_loss_rel_diff <= REPLAY_LOSS_TOLERANCE && ['W1', 'b1', 'W2'].every((p) => rel(p) <= REPLAY_PARAM_TOLERANCE);
  allPass &&= ok;
  console.log(`${label}, same data: loss rel diff ${r.max_loss_rel_diff.toExponential(2)}, W1 ${rel('W1').toExponential(2)}, b1 ${rel('b1').toExponential(2)}, W2 ${rel('W2').toExponential(2)}`);
  replayLines.push(
    `| ${label} | ${r.max_loss_rel_diff.toExponential(1)} | ${rel('W1').toExponential(1)} | ${rel('b1').toExponential(1)} | ${rel('W2').toExponential(1)} | ${ok ? 'yes' : '**no**'} |`,
  );
}

const lines: string[] = [];
for (const [label, input] of CONFIGS) {
  const engine = { loss: [] as number[], bias: [] as number[], mono: [] as number[] };
  const oracle = { loss: [] as number[], bias: [] as number[], mono: [] as number[] };
  for (const seed of SEEDS) {
    const cfg = parseRunConfig({ ...input, ...scale, seed });
    const ours = JSON.parse(execFileSync(process.execPath, [path.join(root, 'dist/bench/train-one.js'), JSON.stringify(cfg), '2'], { encoding: 'utf8' }));
    engine.loss.push(finalDataLoss(ours.losses));
    engine.bias.push(ours.mean_bias);
    const ref = runOracle(cfg);
    oracle.loss.push(ref.final_loss_mean_last_8);
    oracle.bias.push(ref.mean_bias);
    console.log(`${label}, seed ${seed}: loss ${engine.loss.at(-1)!.toFixed(4)} vs ${ref.final_loss_mean_last_8.toFixed(4)}, mean bias ${engine.bias.at(-1)!.toFixed(4)} vs ${ref.mean_bias.toFixed(4)}`);
  }
  const lossOk = within(mean(engine.loss), oracle.loss);
  const biasOk = within(mean(engine.bias), oracle.bias);
  allPass &&= lossOk && biasOk;
  lines.push(
    `| ${label} | ${fmt(engine.loss)} | ${fmt(oracle.loss)} | ${lossOk ? 'yes' : '**no**'} | ${fmt(engine.bias)} | ${fmt(oracle.bias)} | ${biasOk ? 'yes' : '**no**'} |`,
  );
}

replaceSection(
  path.join(root, 'docs/fidelity.md'),
  'fidelity',
  `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run fidelity\`.

### Same data

The engine's own embeddings, initial parameters and batches, replayed through the oracle's LAMB, schedule and bias decay in PyTorch (\`bench/replay_oracle.py\`): batch 2^8, 2^7 steps, seed 1. Columns: the largest relative difference between the recorded losses, and the largest absolute difference in each final parameter tensor relative to that tensor's largest entry. Agreement means within ${REPLAY_LOSS_TOLERANCE} and ${REPLAY_PARAM_TOLERANCE} (float32 rounding; matrix products may sum in different orders).

| configuration | loss | W1 | b1 | W2 | agree |
|---|---|---|---|---|---|
${replayLines.join('\n')}

### Independent seeds

N=512, m=64, k=1024 unless stated, eps 1/64, equal features, LAMB with the paper's schedule, batch 2^${scale.log2_batch_size}, 2^${scale.log2_training_steps} steps, seeds ${SEEDS.join(', ')} on both sides (the engine and the oracle draw different random numbers from a seed, so runs agree in distribution, not sample by sample). Final data loss is the mean of the last 8 recorded losses. "Within" means the engine's mean over seeds lies inside the oracle's range over seeds widened by one standard deviation.

| configuration | engine final loss | oracle final loss | within | engine mean bias | oracle mean bias | within |
|---|---|---|---|---|---|---|
${lines.join('\n')}

Result: ${allPass ? 'every configuration agrees on the same data and lies within the oracle spread' : 'SOME CHECKS FAILED (see the tables)'}.`,
);
console.log(allPass ? 'fidelity: all within the oracle spread' : 'fidelity: some outside the oracle spread');
process.exit(allPass ? 0 : 1);
