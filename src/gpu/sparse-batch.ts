// How the WebGPU engine holds a chunk's samples: each sample as a list of its active features, so
// the first layer sums a few columns of E (N·eps ≈ 8 of 512 at the paper's sizes) and nothing dense
// crosses to the GPU. The GPU sampler writes this layout; the test hook builds it from the CPU
// sampler's dense batches (`sparsifyChunk`).
//
// Layout for R runs, K steps, B samples and capacity C: sample b of run r at step j of the chunk is
// s = (j·R + r)·B + b, so one step's samples of every run are contiguous; `count[s]` active
// features, listed at `index[s·C + i]` (u32 feature, ascending) and `value[s·C + i]` (f32),
// i < count[s]. The abs task lists v = v1 − v2, so values lie in (−1, 1).
import { type RunConfig } from '../config/schema.js';
import { featureProbabilities } from '../features/distributions.js';

export interface SparseBatch {
  capacity: number;
  count: Uint32Array;
  index: Uint32Array;
  value: Float32Array;
}

/** Standard deviations above the mean count a list must hold: a sample overflows with probability
 * below 1e-15 (a Chernoff bound for sums of Bernoullis), and the engine still checks. */
const SIGMAS = 10;

/**
 * Slots per sample for these runs: the largest over the runs of the mean active count plus SIGMAS
 * standard deviations (plus a margin for small means), at most N. Under abs a feature is listed
 * when either of the two draws at eps / 2 activates it.
 */
export function sparseCapacity(cfgs: RunConfig[]): number {
  let capacity = 1;
  for (const c of cfgs) {
    const p = featureProbabilities(c.N, c.task === 'abs' ? c.eps / 2 : c.eps, c.sample_kind);
    let mean = 0;
    let variance = 0;
    for (const pj of p) {
      const q = c.task === 'abs' ? 1 - (1 - pj) ** 2 : pj;
      mean += q;
      variance += q * (1 - q);
    }
    capacity = Math.max(capacity, Math.min(c.N, Math.ceil(mean + SIGMAS * Math.sqrt(variance) + 8)));
  }
  return capacity;
}

/**
 * The lists of a chunk given densely as the training loop draws it: R x K x B x N, each run's K
 * batches back to back (run-major), reordered to the step-major layout above. Each sample may have
 * at most `capacity` active features.
 */
export function sparsifyChunk(
  v: Float32Array,
  R: number,
  K: number,
  B: number,
  N: number,
  capacity: number,
): SparseBatch {
  const samples = R * K * B;
  const count = new Uint32Array(samples);
  const index = new Uint32Array(samples * capacity);
  const value = new Float32Array(samples * capacity);
  for (let r = 0; r < R; r++) {
    for (let j = 0; j < K; j++) {
      for (let b = 0; b < B; b++) {
        const row = ((r * K + j) * B + b) * N;
        const s = (j * R + r) * B + b;
        let c = 0;
        for (let f = 0; f < N; f++) {
          const x = v[row + f]!;
          if (x === 0) continue;
          if (c === capacity)
            throw new RangeError(`a sample of run ${r} at step ${j} has more than ${capacity} active features`);
          index[s * capacity + c] = f;
          value[s * capacity + c] = x;
          c++;
        }
        count[s] = c;
      }
    }
  }
  return { capacity, count, index, value };
}
