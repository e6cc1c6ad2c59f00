// The training loop, top to bottom: embeddings and initial parameters from the run's one seeded
// generator, then for each step a fresh batch, one ORT call (forward, backward, update, bias
// decay), and the records SPEC.md asks for.
import ort from 'onnxruntime-node';
import { batchSize, trainingSteps, type RunConfig } from '../config/schema.js';
import { featureProbabilities } from '../features/distributions.js';
import { randomEmbedding } from '../features/embedding.js';
import { Rng } from '../features/rng.js';
import { FeatureSampler } from '../features/sampler.js';
import { buildStepModel, carriedTensors, nextName, PARAM_NAMES, type Embeddings, type ParamName, type StepLoop } from '../graph/step.js';
import { createSession, type Device } from './device.js';
import { initialParams } from './init.js';
import { biasScale, learningRate } from './schedule.js';

/** Data loss is recorded every this many steps (SPEC.md). */
export const LOSS_EVERY = 16;

export type Params = Record<ParamName, Float32Array>;

export interface Snapshot extends Params {
  /** The step after which the parameters were taken: i with i + 1 a power of two. */
  step: number;
}

export interface Progress {
  /** Steps done. */
  step: number;
  steps: number;
  /** The latest recorded data loss. */
  loss: number;
}

export interface TrainOptions {
  /** ORT intra-op threads. */
  threads: number;
  device?: Device;
  /** How a chunk's steps are laid out in the graph (see `StepLoop`): by default Scan on the CPU,
   * unrolled on WebGPU. */
  stepLoop?: StepLoop['kind'];
  onProgress?: (p: Progress) => void;
}

export interface TrainResult {
  status: 'finished' | 'diverged';
  /** The step whose loss was NaN or infinite. */
  divergedAtStep?: number;
  losses: { steps: number[]; loss: number[] };
  snapshots: Snapshot[];
  embeddings: Embeddings;
  /** Parameters after the last step run. */
  params: Params;
  /** Training loop only (set-up excluded); runs trained together share it. */
  seconds: number;
  /** This run's own samples per second (runs trained together each count their own). */
  samplesPerSecond: number;
}

const isSnapshotStep = (i: number): boolean => ((i + 1) & i) === 0;

/** Steps per ORT call: a chunk ends at every snapshot step and every LOSS_EVERY steps, so a NaN
 * loss stops the run within LOSS_EVERY steps. */
export const CHUNK = LOSS_EVERY;

/** Length of the chunk that starts at step `first`: up to the next snapshot step or multiple of CHUNK. */
export function chunkLength(first: number, T: number): number {
  let end = first;
  while (end + 1 < T && (end + 1) % CHUNK !== 0 && !isSnapshotStep(end)) end++;
  return end - first + 1;
}

export function makeEmbeddings(cfg: RunConfig, rng: Rng): Embeddings {
  const E = randomEmbedding(cfg.N, cfg.m, rng);
  return cfg.task === 're-projector' ? { E, F: randomEmbedding(cfg.N, cfg.m, rng) } : { E };
}

/** One run's side of a vectorised loop: its generator, sampler, records and outcome. */
class RunState {
  readonly rng: Rng;
  readonly embeddings: Embeddings;
  readonly init: Params;
  readonly sampler: FeatureSampler;
  readonly losses = { steps: [] as number[], loss: [] as number[] };
  readonly snapshots: Snapshot[] = [];
  divergedAtStep?: number;
  /** Parameters when the run stopped: after the last step, or after the chunk where it diverged. */
  params?: Params;
  stepsRun = 0;

  constructor(readonly cfg: RunConfig) {
    this.rng = new Rng(cfg.seed);
    this.embeddings = makeEmbeddings(cfg, this.rng);
    this.init = initialParams(cfg, this.rng);
    // The abs task subtracts two samples of frequency eps / 2 (SPEC.md, Tasks).
    const eps = cfg.task === 'abs' ? cfg.eps / 2 : cfg.eps;
    this.sampler = new FeatureSampler(featureProbabilities(cfg.N, eps, cfg.sample_kind), this.rng);
  }

  get running(): boolean {
    return this.params === undefined;
  }
}

/** Trains one run. */
export async function train(cfg: RunConfig, opts: TrainOptions): Promise<TrainResult> {
  return (await trainTogether([cfg], opts))[0]!;
}

/**
 * Trains runs that share `graphKey` side by side in one graph, each with its own seed, data,
 * parameters, optimiser state, schedule, decay and regularisation: the results equal training
 * them one by one. A run that diverges stops recording; the others go on.
 */
export async function trainTogether(cfgs: RunConfig[], opts: TrainOptions): Promise<TrainResult[]> {
  const cfg = cfgs[0]!;
  const R = cfgs.length;
  const B = batchSize(cfg);
  const T = trainingSteps(cfg);
  const runs = cfgs.map((c) => new RunState(c));
  const embeddings = runs.map((r) => r.embeddings);
  // One Scan model serves every chunk length; unrolled chunks need a model per length. ORT's
  // WebGPU provider has no Scan kernel, so there the steps are written out.
  const loop = opts.stepLoop ?? (opts.device === 'webgpu' ? 'unrolled' : 'scan');
  const lengths = new Set<number>();
  for (let first = 0; first < T; first += chunkLength(first, T)) lengths.add(chunkLength(first, T));
  const sessions = new Map<number, ort.InferenceSession>();
  const device = opts.device ?? 'cpu';

  // Carried tensors (parameters and optimiser state) live in ORT tensors; each step's outputs
  // become the next step's inputs as they are, with no copy through JavaScript arrays.
  const perRun = (shape: number[]) => shape.slice(1).reduce((a, b) => a * b, 1);
  let carried: Record<string, ort.Tensor> = Object.fromEntries(
    carriedTensors(cfg, R).map(({ name, shape }) => {
      const data = new Float32Array(R * perRun(shape));
      if (name in runs[0]!.init) runs.forEach((r, i) => data.set(r.init[name as ParamName], i * perRun(shape)));
      return [name, new ort.Tensor('float32', data, shape)];
    }),
  );
  const runParams = (i: number): Params =>
    Object.fromEntries(
      PARAM_NAMES.map((p) => {
        const size = perRun(carried[p]!.dims as number[]);
        return [p, (carried[p]!.data as Float32Array).slice(i * size, (i + 1) * size)];
      }),
    ) as Params;
  // Each run's chunk of samples is one contiguous block that only its own sampler writes.
  const v = new Float32Array(R * CHUNK * B * cfg.N);
  const blocks = runs.map((_, i) => v.subarray(i * CHUNK * B * cfg.N, (i + 1) * CHUNK * B * cfg.N));
  let start = 0;
  try {
    if (loop === 'scan') {
      const session = await createSession(buildStepModel(cfgs, embeddings), device, opts.threads);
      for (const K of lengths) sessions.set(K, session);
    } else {
      for (const K of lengths) sessions.set(K, await createSession(buildStepModel(cfgs, embeddings, { kind: 'unrolled', K }), device, opts.threads));
    }
    start = performance.now();
    for (let first = 0; first < T && runs.some((r) => r.running); ) {
      const K = chunkLength(first, T);
      runs.forEach((r, i) => {
        if (!r.running) return;
        // K batches of B rows are K * B independent rows: one sampler call fills the run's chunk.
        if (r.cfg.task === 'abs') r.sampler.sampleDifference(blocks[i]!, K * B);
        else r.sampler.sample(blocks[i]!, K * B);
      });
      // With K < CHUNK a run's block is still CHUNK batches long: the graph reads R x K x B x N
      // from the front, so compact the blocks when the chunk is short.
      const input = K === CHUNK ? v : compactBlocks(v, R, K * B * cfg.N, CHUNK * B * cfg.N);
      const perStep = (f: (c: RunConfig, i: number) => number) => {
        const out = new Float32Array(K * R);
        for (let j = 0; j < K; j++) cfgs.forEach((c, r) => (out[j * R + r] = f(c, first + j)));
        return new ort.Tensor('float32', out, [K, R]);
      };
      const out = await sessions.get(K)!.run({
        v: new ort.Tensor('float32', input.subarray(0, R * K * B * cfg.N), [R, K, B, cfg.N]),
        lr: perStep(learningRate),
        t: new ort.Tensor('float32', Float32Array.from({ length: K }, (_, j) => first + j + 1), [K]),
        bias_scale: perStep(biasScale),
        ...carried,
      });
      carried = Object.fromEntries(carriedTensors(cfg, R).map(({ name }) => [name, out[nextName(name)] as ort.Tensor]));
      const chunkLosses = out.loss!.data as Float32Array;
      first += K;
      runs.forEach((r, i) => {
        if (!r.running) return;
        for (let j = 0; j < K; j++) {
          const step = first - K + j;
          const loss = chunkLosses[j * R + i]!;
          if (!Number.isFinite(loss)) {
            r.divergedAtStep = step;
            break;
          }
          if (step % LOSS_EVERY === 0) {
            r.losses.steps.push(step);
            r.losses.loss.push(loss);
          }
        }
        r.stepsRun = first;
        if (r.divergedAtStep === undefined && isSnapshotStep(first - 1)) r.snapshots.push({ step: first - 1, ...runParams(i) });
        if (r.divergedAtStep !== undefined || first === T) r.params = runParams(i);
      });
      // Progress follows the first run still training (they all advance together).
      const lead = runs.find((r) => r.running) ?? runs[0]!;
      opts.onProgress?.({ step: first, steps: T, loss: lead.losses.loss.at(-1)! });
    }
  } finally {
    for (const session of new Set(sessions.values())) await session.release();
  }
  const seconds = (performance.now() - start) / 1000;
  return runs.map((r) => ({
    status: r.divergedAtStep === undefined ? 'finished' : 'diverged',
    divergedAtStep: r.divergedAtStep,
    losses: r.losses,
    snapshots: r.snapshots,
    embeddings: r.embeddings,
    params: r.params!,
    seconds,
    samplesPerSecond: (r.stepsRun * B) / seconds,
  }));
}

/** Moves R blocks of `used` floats, spaced `stride` apart, to the front of `v`, back to back. */
function compactBlocks(v: Float32Array, R: number, used: number, stride: number): Float32Array {
  const out = new Float32Array(R * used);
  for (let i = 0; i < R; i++) out.set(v.subarray(i * stride, i * stride + used), i * used);
  return out;
}
