// Same-data replay: the engine's run with its exact embeddings, initial parameters and batches
// written to a folder, so that bench/replay_oracle.py can run the PyTorch oracle's update rule on
// identical inputs and compare step by step. Seeds draw different numbers in the two programs;
// this removes that difference and leaves only float32 rounding.
//
// Files (little-endian float32 unless stated): E, F (re-projector), W1, b1, W2 (initial),
// W1_<i>, b1_<i>, W2_<i> after every snapshot step i (the last is the final model), and the
// batches as the sparse list of their non-zero entries: v_index.bin (uint32, the flat index
// into T x B x N, ascending) and v_value.bin. Only ~eps of the entries are non-zero, so at
// T = 2^11, B = 2^8, N = 512 this is ~33 MB against ~1 GB dense. meta.json holds the
// configuration, the engine's losses and the snapshot steps.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { batchSize, trainingSteps, type RunConfig } from '../src/config/schema.js';
import { PARAM_NAMES } from '../src/graph/step.js';
import { CHUNK, chunkLength, type Params, type TrainResult } from '../src/train/loop.js';
import { train } from '../src/train/train.js';
import { RunInputs } from '../src/train/run-inputs.js';

export interface ReplayRun {
  /** The engine's run, as `train` returned it. */
  result: TrainResult;
  /** The parameters before the first step. */
  init: Params;
}

/** Draws what `train` draws, in the same order (RunInputs, chunk by chunk), then trains; writes
 * inputs and results to `dir` and returns the engine's run. */
export async function dumpReplay(cfg: RunConfig, dir: string, threads = 2): Promise<ReplayRun> {
  const inputs = new RunInputs(cfg);
  const T = trainingSteps(cfg);
  const B = batchSize(cfg);
  const N = cfg.N;
  if (T * B * N > 2 ** 32) throw new RangeError(`replay: T x B x N = ${T * B * N} does not fit a uint32 index`);
  const index: number[] = [];
  const value: number[] = [];
  const chunk = new Float32Array(CHUNK * B * N);
  for (let first = 0; first < T;) {
    const K = chunkLength(first, T);
    inputs.nextSamples(chunk, K * B);
    const offset = first * B * N;
    for (let i = 0; i < K * B * N; i++) {
      if (chunk[i] !== 0) {
        index.push(offset + i);
        value.push(chunk[i]!);
      }
    }
    first += K;
  }
  const result = await train(cfg, { threads });
  if (result.status !== 'finished')
    throw new Error(`replay: the engine's run diverged at step ${result.divergedAtStep}`);
  const write = (name: string, a: Float32Array | Uint32Array) => writeFileSync(path.join(dir, `${name}.bin`), a);
  write('E', inputs.embeddings.E);
  if (inputs.embeddings.F) write('F', inputs.embeddings.F);
  for (const p of PARAM_NAMES) {
    write(p, inputs.init[p]);
    for (const s of result.snapshots) write(`${p}_${s.step}`, s[p]);
  }
  write('v_index', Uint32Array.from(index));
  write('v_value', Float32Array.from(value));
  writeFileSync(
    path.join(dir, 'meta.json'),
    JSON.stringify({ config: cfg, losses: result.losses, snapshots: result.snapshots.map((s) => s.step) }),
  );
  return { result, init: inputs.init };
}
