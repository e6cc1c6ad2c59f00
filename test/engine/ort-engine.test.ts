// The CPU engine (ONNX graphs on ORT) against the float64 reference of SPEC.md, through the
// harness every engine must pass: every task x activation x optimiser, two runs side by side with
// their own learning rate, schedule, L1, bias offset and bias decay; one step at the start (zero
// moments), one step mid-run, and 32 steps across step 1024, where the paper's schedule restarts
// and, at T = 2^11, bias decay ends. Then whole runs through the training loop, which adds the
// data, the records and the snapshots.
import { describe, expect, it } from 'vitest';
import { parseRunConfig, type RunConfigInput } from '../../src/config/schema.js';
import { OrtEngine } from '../../src/train/ort-engine.js';
import { chunkLength, LOSS_EVERY, train } from '../../src/train/loop.js';
import { RunInputs } from '../../src/train/run-inputs.js';
import { compareWindow, lcg, relDiff, testState, type Divergence } from './harness.js';
import { referenceStep, type RefState } from './reference.js';

const SHARED = { N: 16, m: 6, k: 10, log2_batch_size: 3, log2_training_steps: 11, weight_decay: 0.05 };
const RUNS: RunConfigInput[] = [
  { learning_rate: 0.01, decay: 0.03, initial_bias: -0.3, reg: 0.02 },
  { learning_rate: 0.004, decay: 0.1, initial_bias: 0.2, reg: 0.005, schedule: 'cosine', warmup_steps: 1030 },
];
// Float32 against float64. Seen for LAMB and SGD: <= 7e-7 after one step and <= 1e-6 after 32;
// for Adam <= 2.5e-5 and <= 2.3e-4: its update divides by sqrt(v), and the state's v goes down to 1e-12.
const ONE_STEP = { lamb: 1e-5, sgd: 1e-5, adam: 1e-4, adamw: 1e-4 };
const WINDOW = { lamb: 1e-5, sgd: 1e-5, adam: 1e-3, adamw: 1e-3 };

const cases = (['decoder', 're-projector', 'abs'] as const).flatMap((task) =>
  (['ReLU', 'GeLU', 'SoLU'] as const).flatMap((nonlinearity) => (['lamb', 'adam', 'adamw', 'sgd'] as const).map((optimizer) => ({ task, nonlinearity, optimizer }))),
);

function expectWithin(d: Divergence, tol: number) {
  expect(d.loss, 'loss').toBeLessThan(tol);
  for (const [name, diff] of Object.entries(d.tensors)) expect(diff, name).toBeLessThan(tol);
}

describe('the CPU engine against the float64 reference', () => {
  it.each(cases)('$task, $nonlinearity, $optimizer', async ({ task, nonlinearity, optimizer }) => {
    const cfgs = RUNS.map((r) => parseRunConfig({ ...SHARED, ...r, task, nonlinearity, optimizer }));
    const window = async (first: number, steps: number, moments: boolean, loop: 'scan' | 'unrolled' = 'scan') => {
      const rand = lcg(first + 1);
      const states = cfgs.map((c) => testState(c, rand, moments));
      return compareWindow((c, e) => OrtEngine.create(c, e, { device: 'cpu', threads: 1, loop }), cfgs, states, { first, steps, chunk: 16, seed: first + 2 });
    };
    expectWithin(await window(0, 1, false), ONE_STEP[optimizer]);
    expectWithin(await window(1023, 1, true), ONE_STEP[optimizer]);
    expectWithin(await window(1008, 32, true), WINDOW[optimizer]);
    expectWithin(await window(1008, 32, true, 'unrolled'), WINDOW[optimizer]);
  });
});

/** The reference over a whole run on the run's own data, chunk by chunk as the loop draws it. */
function referenceRun(cfg: ReturnType<typeof parseRunConfig>) {
  const inputs = new RunInputs(cfg);
  const T = 2 ** cfg.log2_training_steps;
  const B = 2 ** cfg.log2_batch_size;
  const f64 = (a: Float32Array) => Float64Array.from(a);
  const zeros = () => ({ W1: new Float64Array(inputs.init.W1.length), b1: new Float64Array(cfg.k), W2: new Float64Array(inputs.init.W2.length) });
  let state: RefState = { W1: f64(inputs.init.W1), b1: f64(inputs.init.b1), W2: f64(inputs.init.W2), m: zeros(), v: zeros() };
  const E = f64(inputs.embeddings.E);
  const F = inputs.embeddings.F && f64(inputs.embeddings.F);
  const v = new Float32Array(16 * B * cfg.N);
  const losses: number[] = [];
  const snapshots = new Map<number, RefState>();
  for (let first = 0; first < T; ) {
    const K = chunkLength(first, T);
    inputs.nextSamples(v, K * B);
    for (let j = 0; j < K; j++) {
      const out = referenceStep(cfg, state, E, F, Float64Array.from(v.subarray(j * B * cfg.N, (j + 1) * B * cfg.N)), first + j);
      losses.push(out.loss);
      state = out.state;
      snapshots.set(first + j, state);
    }
    first += K;
  }
  return { losses, snapshots };
}

describe('whole runs through the training loop against the reference', () => {
  it.each([
    { task: 'decoder', nonlinearity: 'ReLU', decay: 0.03, initial_bias: -0.2, reg: 0.01 },
    { task: 're-projector', nonlinearity: 'GeLU', decay: 0.1, initial_bias: 0.1 },
    { task: 'abs', nonlinearity: 'SoLU', reg: 0.003, sample_kind: 'power_law' },
  ] as const)('$task, $nonlinearity: the loss of every 16th step before its update, and every snapshot', async (input) => {
    const cfg = parseRunConfig({ N: 24, m: 6, k: 12, eps: 0.2, log2_batch_size: 4, log2_training_steps: 6, learning_rate: 0.01, seed: 3, ...input });
    const got = await train(cfg, { threads: 1 });
    const want = referenceRun(cfg);
    const T = 2 ** cfg.log2_training_steps;
    expect(got.losses.steps).toEqual(Array.from({ length: T / LOSS_EVERY }, (_, i) => i * LOSS_EVERY));
    expect(relDiff(got.losses.loss, got.losses.steps.map((i) => want.losses[i]!))).toBeLessThan(1e-5);
    expect(got.snapshots.map((s) => s.step)).toEqual([0, 1, 3, 7, 15, 31, 63]);
    for (const s of got.snapshots) {
      const ref = want.snapshots.get(s.step)!;
      for (const p of ['W1', 'b1', 'W2'] as const) expect(relDiff(s[p], ref[p]), `${p} after step ${s.step}`).toBeLessThan(1e-5);
    }
  });
});
