// `npm run fidelity`: the engine against the PyTorch oracle (../shared/reference/torch_reference.py)
// on one configuration per task, three seeds each, at a scale that runs in minutes. Writes
// docs/fidelity.md. The check: the engine's mean final data loss and mean bias over seeds fall
// within the oracle's spread over the same seeds (its range, widened by one standard deviation).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { parseRunConfig, type RunConfigInput } from '../src/config/schema.js';
import { finalDataLoss } from '../src/sweep/run.js';
import { oracleAvailable, runOracle } from './oracle.js';
import { replaceSection } from './report-file.js';

const root = path.resolve(import.meta.dirname, '../..');
const SEEDS = [1, 2, 3];
const scale = { log2_batch_size: 8, log2_training_steps: 10 };
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

const lines: string[] = [];
let allPass = true;
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
  `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run fidelity\`: N=512, m=64, k=1024 unless stated, eps 1/64, equal features, LAMB with the paper's schedule, batch 2^${scale.log2_batch_size}, 2^${scale.log2_training_steps} steps, seeds ${SEEDS.join(', ')} on both sides (the engine and the oracle draw different random numbers from a seed, so runs agree in distribution, not sample by sample). Final data loss is the mean of the last 8 recorded losses. "Within" means the engine's mean over seeds lies inside the oracle's range over seeds widened by one standard deviation.

| configuration | engine final loss | oracle final loss | within | engine mean bias | oracle mean bias | within |
|---|---|---|---|---|---|---|
${lines.join('\n')}

Result: ${allPass ? 'every configuration within the oracle spread' : 'SOME CONFIGURATIONS OUTSIDE THE ORACLE SPREAD'}.`,
);
console.log(allPass ? 'fidelity: all within the oracle spread' : 'fidelity: some outside the oracle spread');
process.exit(allPass ? 0 : 1);
