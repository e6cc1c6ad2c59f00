// The training loop, top to bottom: embeddings and initial parameters from the run's one seeded
// generator, then for each step a fresh batch, one ORT call (forward, backward, update, bias
// decay), and the records SPEC.md asks for.
import ort from 'onnxruntime-node';
import { batchSize, trainingSteps, type RunConfig } from '../config/schema.js';
import { featureProbabilities } from '../features/distributions.js';
import { randomEmbedding } from '../features/embedding.js';
import { Rng } from '../features/rng.js';
import { FeatureSampler } from '../features/sampler.js';
import { buildStepModel, carriedTensors, nextName, PARAM_NAMES, type Embeddings, type ParamName } from '../graph/step.js';
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
  /** Training loop only (set-up excluded). */
  seconds: number;
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

export async function train(cfg: RunConfig, opts: TrainOptions): Promise<TrainResult> {
  const B = batchSize(cfg);
  const T = trainingSteps(cfg);
  const rng = new Rng(cfg.seed);
  const embeddings = makeEmbeddings(cfg, rng);
  const init = initialParams(cfg, rng);
  // The abs task subtracts two samples of frequency eps / 2 (SPEC.md, Tasks).
  const sampler = new FeatureSampler(featureProbabilities(cfg.N, cfg.task === 'abs' ? cfg.eps / 2 : cfg.eps, cfg.sample_kind), rng);

  const session = await ort.InferenceSession.create(buildStepModel(cfg, embeddings), {
    intraOpNumThreads: opts.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });

  // Carried tensors (parameters and optimiser state) live in ORT tensors; each step's outputs
  // become the next step's inputs as they are, with no copy through JavaScript arrays.
  let carried: Record<string, ort.Tensor> = Object.fromEntries(
    carriedTensors(cfg).map(({ name, shape }) => {
      const data = name in init ? init[name as ParamName] : new Float32Array(shape.reduce((a, b) => a * b, 1));
      return [name, new ort.Tensor('float32', data, shape)];
    }),
  );
  const v = new Float32Array(CHUNK * B * cfg.N);
  const losses = { steps: [] as number[], loss: [] as number[] };
  const snapshots: Snapshot[] = [];
  let divergedAtStep: number | undefined;
  let stepsRun = 0;
  const start = performance.now();
  try {
    for (let first = 0; first < T && divergedAtStep === undefined; ) {
      const K = chunkLength(first, T);
      // K batches of B rows are K * B independent rows: one sampler call fills the whole chunk.
      if (cfg.task === 'abs') sampler.sampleDifference(v, K * B);
      else sampler.sample(v, K * B);
      const steps = Array.from({ length: K }, (_, j) => first + j);
      const out = await session.run({
        v: new ort.Tensor('float32', v.subarray(0, K * B * cfg.N), [K, B, cfg.N]),
        lr: new ort.Tensor('float32', Float32Array.from(steps, (i) => learningRate(cfg, i)), [K]),
        t: new ort.Tensor('float32', Float32Array.from(steps, (i) => i + 1), [K]),
        bias_scale: new ort.Tensor('float32', Float32Array.from(steps, (i) => biasScale(cfg, i)), [K]),
        ...carried,
      });
      const chunkLosses = out.loss!.data as Float32Array;
      for (let j = 0; j < K; j++) {
        const i = first + j;
        if (!Number.isFinite(chunkLosses[j]!)) {
          divergedAtStep = i;
          break;
        }
        if (i % LOSS_EVERY === 0) {
          losses.steps.push(i);
          losses.loss.push(chunkLosses[j]!);
        }
      }
      carried = Object.fromEntries(carriedTensors(cfg).map(({ name }) => [name, out[nextName(name)] as ort.Tensor]));
      first += K;
      stepsRun = first;
      if (divergedAtStep === undefined && isSnapshotStep(first - 1)) {
        // Each call returns fresh output buffers and ORT never writes its inputs: no copy needed.
        const data = (p: ParamName) => carried[p]!.data as Float32Array;
        snapshots.push({ step: first - 1, W1: data('W1'), b1: data('b1'), W2: data('W2') });
      }
      opts.onProgress?.({ step: first, steps: T, loss: losses.loss.at(-1)! });
    }
  } finally {
    await session.release();
  }
  const seconds = (performance.now() - start) / 1000;
  const params = Object.fromEntries(PARAM_NAMES.map((p) => [p, carried[p]!.data as Float32Array])) as Params;
  return {
    status: divergedAtStep === undefined ? 'finished' : 'diverged',
    divergedAtStep,
    losses,
    snapshots,
    embeddings,
    params,
    seconds,
    samplesPerSecond: (stepsRun * B) / seconds,
  };
}
