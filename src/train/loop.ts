// The training loop, top to bottom: embeddings and initial parameters from each run's one seeded
// generator, then for each chunk of steps fresh batches (unless the engine draws its own), one
// engine call (forward, backward, update, bias decay for every step of the chunk), and the records
// SPEC.md asks for. It knows engines only by their interface, so it runs in a browser as in Node;
// train.ts gives it Node's engines.
import { batchSize, trainingSteps, type RunConfig } from '../config/schema.js';
import { PARAM_NAMES, type Embeddings } from '../graph/step.js';
import type { CarriedState, Engine } from './engine.js';
import type { Params } from './init.js';
import { RunInputs } from './run-inputs.js';

export type { Params } from './init.js';

/** Data loss is recorded every this many steps (SPEC.md). */
export const LOSS_EVERY = 16;

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

/** One run's records so far: the arrays its result will hold, growing as training goes. */
export interface RunRecords {
  readonly losses: { readonly steps: readonly number[]; readonly loss: readonly number[] };
  readonly snapshots: readonly Snapshot[];
  readonly divergedAtStep?: number;
  /** Steps trained so far. */
  readonly stepsRun: number;
  /** The run's fixed embeddings, which the analysis of a snapshot needs. */
  readonly embeddings: Embeddings;
}

export interface TrainHooks {
  onProgress?: (p: Progress) => void;
  /**
   * Called after every chunk with each run's records and a reader of every run's current
   * parameters; the loop waits for it before the next chunk, so a page can draw between chunks,
   * pause (resolve later) or stop (throw).
   */
  afterChunk?: (runs: readonly RunRecords[], current: () => Promise<Params[]>) => void | Promise<void>;
}

/** Makes the engine for a group of runs; `lengths` are the chunk lengths the loop will ask for. */
export type EngineFactory = (cfgs: RunConfig[], embeddings: Embeddings[], lengths: Set<number>) => Promise<Engine>;

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

/** One run's side of a vectorised loop: its inputs, records and outcome. */
class RunState implements RunRecords {
  readonly inputs: RunInputs;
  readonly losses = { steps: [] as number[], loss: [] as number[] };
  readonly snapshots: Snapshot[] = [];
  divergedAtStep?: number;
  /** Parameters when the run stopped: after the last step, or after the chunk where it diverged. */
  params?: Params;
  stepsRun = 0;

  constructor(readonly cfg: RunConfig) {
    this.inputs = new RunInputs(cfg);
  }

  get embeddings(): Embeddings {
    return this.inputs.embeddings;
  }

  get running(): boolean {
    return this.params === undefined;
  }
}

/**
 * Trains runs that share `graphKey` side by side on the engine `engineFactory` makes, each with its
 * own seed, data, parameters, optimiser state, schedule, decay and regularisation: the results
 * equal training them one by one. A run that diverges stops recording; the others go on.
 */
export async function trainWith(
  cfgs: RunConfig[],
  engineFactory: EngineFactory,
  hooks: TrainHooks = {},
): Promise<TrainResult[]> {
  const cfg = cfgs[0]!;
  const R = cfgs.length;
  const B = batchSize(cfg);
  const T = trainingSteps(cfg);
  const runs = cfgs.map((c) => new RunState(c));
  const lengths = new Set<number>();
  for (let first = 0; first < T; first += chunkLength(first, T)) lengths.add(chunkLength(first, T));
  const engine = await engineFactory(
    cfgs,
    runs.map((r) => r.inputs.embeddings),
    lengths,
  );
  const runParams = (state: CarriedState, i: number): Params => {
    return Object.fromEntries(
      PARAM_NAMES.map((p) => {
        const size = state[p]!.length / R;
        return [p, state[p]!.slice(i * size, (i + 1) * size)];
      }),
    ) as Params;
  };
  // Each run's chunk of samples is one contiguous block that only its own sampler writes (none when
  // the engine draws its own: at the paper's batch a dense chunk of 16 runs would be 4 GiB).
  const v = engine.drawsSamples ? undefined : new Float32Array(R * CHUNK * B * cfg.N);
  const blocks = runs.map((_, i) => v?.subarray(i * CHUNK * B * cfg.N, (i + 1) * CHUNK * B * cfg.N));
  let start = 0;
  try {
    // Parameters start at each run's initial values (stacked along the run axis), moments at zero.
    engine.write(
      Object.fromEntries(
        PARAM_NAMES.map((p) => {
          const size = runs[0]!.inputs.init[p].length;
          const data = new Float32Array(R * size);
          runs.forEach((r, i) => data.set(r.inputs.init[p], i * size));
          return [p, data];
        }),
      ),
    );
    start = performance.now();
    for (let first = 0; first < T && runs.some((r) => r.running);) {
      const K = chunkLength(first, T);
      runs.forEach((r, i) => {
        if (r.running && blocks[i]) r.inputs.nextSamples(blocks[i], K * B);
      });
      // With K < CHUNK a run's block is still CHUNK batches long: the engine reads R x K x B x N
      // from the front, so compact the blocks when the chunk is short.
      const input = !v || K === CHUNK ? v : compactBlocks(v, R, K * B * cfg.N, CHUNK * B * cfg.N);
      const chunkLosses = await engine.run(first, K, input);
      first += K;
      // The carried tensors, read back once per chunk when a run snapshots or stops.
      let state: CarriedState | undefined;
      for (const [i, r] of runs.entries()) {
        if (!r.running) continue;
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
        if (r.divergedAtStep === undefined && isSnapshotStep(first - 1)) {
          r.snapshots.push({ step: first - 1, ...runParams((state ??= await engine.read()), i) });
        }
        if (r.divergedAtStep !== undefined || first === T) r.params = runParams((state ??= await engine.read()), i);
      }
      // Progress follows the first run still training (they all advance together).
      const lead = runs.find((r) => r.running) ?? runs[0]!;
      hooks.onProgress?.({ step: first, steps: T, loss: lead.losses.loss.at(-1)! });
      if (hooks.afterChunk) {
        await hooks.afterChunk(runs, async () => {
          const now = await engine.read();
          return runs.map((_, i) => runParams(now, i));
        });
      }
    }
  } finally {
    await engine.release();
  }
  const seconds = (performance.now() - start) / 1000;
  return runs.map((r) => ({
    status: r.divergedAtStep === undefined ? 'finished' : 'diverged',
    divergedAtStep: r.divergedAtStep,
    losses: r.losses,
    snapshots: r.snapshots,
    embeddings: r.inputs.embeddings,
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
