// The harness every engine must pass: drive an engine (src/train/engine.ts) from a chosen state
// over a window of steps, run the float64 reference (reference.ts) over the same steps on the same
// batches, and measure how far apart the losses, the parameters and the optimiser state end up.
import { carriedTensors, type Embeddings } from '../../src/graph/step.js';
import { expect } from 'vitest';
import { outputSize, parseRunConfig, type RunConfig, type RunConfigInput } from '../../src/config/schema.js';
import type { CarriedState, Engine } from '../../src/train/engine.js';
import { chunkLength, LOSS_EVERY, type TrainResult } from '../../src/train/loop.js';
import { RunInputs } from '../../src/train/run-inputs.js';
import { referenceStep, type RefState } from './reference.js';

export type EngineFactory = (cfgs: RunConfig[], embeddings: Embeddings[]) => Promise<Engine>;

/** A small deterministic generator, so every case's data is fixed. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

const PARAMS = ['W1', 'b1', 'W2'] as const;

function shapes(cfg: RunConfig): Record<(typeof PARAMS)[number], number> {
  return { W1: cfg.k * cfg.m, b1: cfg.k, W2: outputSize(cfg) * cfg.k };
}

/** Embeddings with unit columns (any fixed matrices will do: the engine takes them as given). */
export function testEmbeddings(cfg: RunConfig, rand: () => number): Embeddings {
  const unit = () => {
    const E = Float32Array.from({ length: cfg.m * cfg.N }, () => rand() * 2 - 1);
    for (let j = 0; j < cfg.N; j++) {
      let n2 = 0;
      for (let i = 0; i < cfg.m; i++) n2 += E[i * cfg.N + j]! ** 2;
      for (let i = 0; i < cfg.m; i++) E[i * cfg.N + j] = E[i * cfg.N + j]! / Math.sqrt(n2);
    }
    return E;
  };
  return cfg.task === 're-projector' ? { E: unit(), F: unit() } : { E: unit() };
}

/**
 * A state mid-run: parameters at the scale of the initialisation plus the run's bias offset, and
 * (with `moments`) first moments of either sign and second moments spread over ten decades, so
 * that LAMB's 1e-6 and Adam's 1e-8 matter where a gradient is small.
 */
export function testState(cfg: RunConfig, rand: () => number, moments: boolean): RefState {
  const s = shapes(cfg);
  const uniform = (n: number, bound: number, offset = 0) =>
    Float64Array.from({ length: n }, () => Math.fround((rand() * 2 - 1) * bound + offset));
  const state: RefState = {
    W1: uniform(s.W1, 1 / Math.sqrt(cfg.m)),
    b1: uniform(s.b1, 0.5, cfg.initial_bias),
    W2: uniform(s.W2, 1 / Math.sqrt(cfg.k)),
  };
  if (cfg.optimizer === 'sgd') return state;
  const moment = (n: number, second: boolean) =>
    Float64Array.from({ length: n }, () =>
      !moments ? 0 : second ? Math.fround(10 ** (-12 + 10 * rand())) : Math.fround((rand() * 2 - 1) * 1e-3),
    );
  state.m = { W1: moment(s.W1, false), b1: moment(s.b1, false), W2: moment(s.W2, false) };
  state.v = { W1: moment(s.W1, true), b1: moment(s.b1, true), W2: moment(s.W2, true) };
  return state;
}

/** Sparse batches, B x N per step: entries active with probability 0.3, in [0, 1) (abs: (-1, 1)). */
export function testBatches(cfg: RunConfig, steps: number, rand: () => number): Float32Array {
  const B = 2 ** cfg.log2_batch_size;
  return Float32Array.from({ length: steps * B * cfg.N }, () =>
    rand() < 0.3 ? (cfg.task === 'abs' ? rand() * 2 - 1 : rand()) : 0,
  );
}

/** Carried tensor `name` (`W1`, `m_W1`, ...) of every run, stacked, in float64. */
function stacked(states: RefState[], name: string): Float64Array {
  const [kind, p] = name.includes('_')
    ? (name.split('_') as ['m' | 'v', (typeof PARAMS)[number]])
    : [undefined, name as (typeof PARAMS)[number]];
  const parts = states.map((s) => (kind ? s[kind]![p] : s[p]));
  const out = new Float64Array(parts.reduce((a, x) => a + x.length, 0));
  parts.reduce((at, x) => (out.set(x, at), at + x.length), 0);
  return out;
}

/** The runs' states as the engine's carried tensors (float32), runs stacked. */
export function toCarried(cfg: RunConfig, states: RefState[]): CarriedState {
  return Object.fromEntries(
    carriedTensors(cfg, states.length).map(({ name }) => [name, Float32Array.from(stacked(states, name))]),
  );
}

export interface Divergence {
  /** Largest |engine - reference| over the window's losses, relative to the largest reference loss. */
  loss: number;
  /** Per carried tensor: largest |engine - reference| relative to the largest |reference|. */
  tensors: Record<string, number>;
}

/** Largest |a - ref| relative to the largest |ref| (Infinity where a holds a NaN). */
export const relDiff = (a: ArrayLike<number>, ref: ArrayLike<number>) => {
  let d = 0;
  let scale = 0;
  for (let j = 0; j < ref.length; j++) {
    d = Math.max(d, Math.abs(a[j]! - ref[j]!));
    scale = Math.max(scale, Math.abs(ref[j]!));
  }
  // NaN (a broken engine) must count as a difference, not slip through a comparison.
  return Number.isNaN(d) ? Infinity : scale === 0 ? d : d / scale;
};

/**
 * Runs steps first .. first + steps - 1 of `cfgs` (one engine, runs side by side) from `states` in
 * chunks of at most `chunk` steps, and the reference over the same steps, and returns how far apart
 * they are. Each run gets its own batches.
 */
export async function compareWindow(
  factory: EngineFactory,
  cfgs: RunConfig[],
  states: RefState[],
  opts: { first: number; steps: number; chunk: number; seed: number },
): Promise<Divergence> {
  const cfg = cfgs[0]!;
  const R = cfgs.length;
  const B = 2 ** cfg.log2_batch_size;
  const rand = lcg(opts.seed);
  const embeddings = cfgs.map((c) => testEmbeddings(c, rand));
  const batches = cfgs.map((c) => testBatches(c, opts.steps, rand));
  const embeddings64 = embeddings.map((e) => ({ E: Float64Array.from(e.E), F: e.F && Float64Array.from(e.F) }));
  const engine = await factory(cfgs, embeddings);
  const engineLoss: number[] = [];
  const refLoss: number[] = [];
  let ref = states;
  try {
    engine.write(toCarried(cfg, states));
    for (let done = 0; done < opts.steps;) {
      const K = Math.min(opts.chunk, opts.steps - done);
      const rows = K * B * cfg.N;
      const v = new Float32Array(R * rows);
      batches.forEach((b, r) => v.set(b.subarray(done * B * cfg.N, done * B * cfg.N + rows), r * rows));
      const losses = await engine.run(opts.first + done, K, v);
      for (let j = 0; j < K; j++) {
        ref = ref.map((s, r) => {
          const batch = Float64Array.from(batches[r]!.subarray((done + j) * B * cfg.N, (done + j + 1) * B * cfg.N));
          const out = referenceStep(cfgs[r]!, s, embeddings64[r]!.E, embeddings64[r]!.F, batch, opts.first + done + j);
          refLoss.push(out.loss);
          engineLoss.push(losses[j * R + r]!);
          return out.state;
        });
      }
      done += K;
    }
    const got = await engine.read();
    const tensors: Record<string, number> = {};
    for (const { name } of carriedTensors(cfg, R)) tensors[name] = relDiff(got[name]!, stacked(ref, name));
    return { loss: relDiff(engineLoss, refLoss), tensors };
  } finally {
    await engine.release();
  }
}

/**
 * One window of a harness case: `steps` steps from step `first` of `cfgs`, from a test state (with
 * moments when `moments`), on `factory`'s engine against the reference; each window's state,
 * embeddings and batches follow from `first` alone.
 */
export function caseWindow(factory: EngineFactory, cfgs: RunConfig[], first: number, steps: number, moments: boolean) {
  const rand = lcg(first + 1);
  const states = cfgs.map((c) => testState(c, rand, moments));
  return compareWindow(factory, cfgs, states, { first, steps, chunk: 16, seed: first + 2 });
}

/** The reference over a whole run on the run's own data, chunk by chunk as the loop draws it. */
export function referenceRun(cfg: RunConfig) {
  const inputs = new RunInputs(cfg);
  const T = 2 ** cfg.log2_training_steps;
  const B = 2 ** cfg.log2_batch_size;
  const f64 = (a: Float32Array) => Float64Array.from(a);
  const { W1, b1, W2 } = inputs.init;
  const zero = (a: Float32Array) => new Float64Array(a.length);
  const zeros = () => ({ W1: zero(W1), b1: zero(b1), W2: zero(W2) });
  let state: RefState = { W1: f64(W1), b1: f64(b1), W2: f64(W2), m: zeros(), v: zeros() };
  const E = f64(inputs.embeddings.E);
  const F = inputs.embeddings.F && f64(inputs.embeddings.F);
  const v = new Float32Array(16 * B * cfg.N);
  const losses: number[] = [];
  const snapshots = new Map<number, RefState>();
  for (let first = 0; first < T;) {
    const K = chunkLength(first, T);
    inputs.nextSamples(v, K * B);
    for (let j = 0; j < K; j++) {
      const batch = Float64Array.from(v.subarray(j * B * cfg.N, (j + 1) * B * cfg.N));
      const out = referenceStep(cfg, state, E, F, batch, first + j);
      losses.push(out.loss);
      state = out.state;
      snapshots.set(first + j, state);
    }
    first += K;
  }
  return { losses, snapshots };
}

// The matrix every engine passes (ort-engine.test.ts, test/gpu/engine.test.ts): two runs side by side
// with their own learning rate, schedule, L1, bias offset and bias decay, at T = 2^11 so that a
// window across step 1024 sees the paper's schedule restart and the bias decay end.
const SHARED = { N: 16, m: 6, k: 10, log2_batch_size: 3, log2_training_steps: 11, weight_decay: 0.05 };
const RUNS: RunConfigInput[] = [
  { learning_rate: 0.01, decay: 0.03, initial_bias: -0.3, reg: 0.02 },
  { learning_rate: 0.004, decay: 0.1, initial_bias: 0.2, reg: 0.005, schedule: 'cosine', warmup_steps: 1030 },
];
// Float32 against float64. Seen for LAMB and SGD: <= 7e-7 after one step and <= 1e-6 after 32;
// for Adam <= 2.5e-5 and <= 2.3e-4: its update divides by sqrt(v), and the state's v goes down to 1e-12.
export const ONE_STEP = { lamb: 1e-5, sgd: 1e-5, adam: 1e-4, adamw: 1e-4 };
export const WINDOW = { lamb: 1e-5, sgd: 1e-5, adam: 1e-3, adamw: 1e-3 };

/** Every task x activation x optimiser. */
export const ENGINE_CASES = (['decoder', 're-projector', 'abs'] as const).flatMap((task) =>
  (['ReLU', 'GeLU', 'SoLU'] as const).flatMap((nonlinearity) =>
    (['lamb', 'adam', 'adamw', 'sgd'] as const).map((optimizer) => ({ task, nonlinearity, optimizer })),
  ),
);

export function expectWithin(d: Divergence, tol: number) {
  expect(d.loss, 'loss').toBeLessThan(tol);
  for (const [name, diff] of Object.entries(d.tensors)) expect(diff, name).toBeLessThan(tol);
}

/** The matrix's two runs for one case. */
export function caseConfigs(
  task: RunConfig['task'],
  nonlinearity: RunConfig['nonlinearity'],
  optimizer: RunConfig['optimizer'],
): RunConfig[] {
  return RUNS.map((r) => parseRunConfig({ ...SHARED, ...r, task, nonlinearity, optimizer }));
}

/** Whole runs through the training loop: each task once, with the loop's own data. */
export const WHOLE_RUNS = [
  { task: 'decoder', nonlinearity: 'ReLU', decay: 0.03, initial_bias: -0.2, reg: 0.01 },
  { task: 're-projector', nonlinearity: 'GeLU', decay: 0.1, initial_bias: 0.1 },
  { task: 'abs', nonlinearity: 'SoLU', reg: 0.003, sample_kind: 'power_law' },
] as const;

const WHOLE_RUN = { N: 24, m: 6, k: 12, eps: 0.2, log2_batch_size: 4, log2_training_steps: 6, learning_rate: 0.01 };
export const wholeRunConfig = (input: RunConfigInput): RunConfig => parseRunConfig({ ...WHOLE_RUN, seed: 3, ...input });

/** A trained run against the reference on the same data: the loss of every 16th step before its
 * update, and every snapshot. */
export function expectReferenceRun(cfg: RunConfig, got: TrainResult): void {
  const want = referenceRun(cfg);
  const T = 2 ** cfg.log2_training_steps;
  expect(got.losses.steps).toEqual(Array.from({ length: T / LOSS_EVERY }, (_, i) => i * LOSS_EVERY));
  expect(
    relDiff(
      got.losses.loss,
      got.losses.steps.map((i) => want.losses[i]!),
    ),
  ).toBeLessThan(1e-5);
  const snapshotSteps = Array.from({ length: cfg.log2_training_steps + 1 }, (_, i) => 2 ** i - 1);
  expect(got.snapshots.map((s) => s.step)).toEqual(snapshotSteps);
  for (const s of got.snapshots) {
    const ref = want.snapshots.get(s.step)!;
    for (const p of PARAMS) expect(relDiff(s[p], ref[p]), `${p} after step ${s.step}`).toBeLessThan(1e-5);
  }
}
