// Fast batches of sparse feature vectors (SPEC.md, "Features"). At the paper's sizes only ~1/64 of
// the entries are active, so drawing one random number per entry would waste almost all the work.
// Instead each feature walks down the batch by geometric skips — the number of inactive rows before
// its next active one is floor(log U / log(1 - p)), U uniform in (0, 1] — which makes the rows of a
// feature independent Bernoulli(p) draws at a cost of O(N + batch + active entries).
//
// Walking one feature at a time down the row-major buffer jumps ~64 rows (128 KiB) per write; once
// the buffer outgrows the cache (batch 8192: 16 MiB) that walk measured 4.6 ms a batch against 3.4
// for this one, which interleaves the walks row by row: each feature waits in the bucket of the row
// of its next activation (a linked list through `next`, as a feature is due in one row at a time)
// and rows are visited in order, so writes move forward through memory.

import type { Rng } from './rng.js';

export class FeatureSampler {
  private readonly n: number;
  /** The features that can be active (p > 0), and 1 / log(1 - p) for each (0 where p = 1). */
  private readonly features: Int32Array;
  private readonly invLogQ: Float64Array;
  /** Bucket lists: head[row] is the first feature due at that row (-1: none), next[j] the one after j. */
  private head = new Int32Array(0);
  private readonly next: Int32Array;
  /** The buffer written last, and the flat indices written into it, to clear exactly those. */
  private buffer: Float32Array | null = null;
  private written = new Int32Array(1024);
  private count = 0;

  constructor(
    probs: Float64Array,
    private readonly rng: Rng,
  ) {
    this.n = probs.length;
    this.next = new Int32Array(this.n);
    this.invLogQ = new Float64Array(this.n);
    const features: number[] = [];
    for (let j = 0; j < this.n; j++) {
      const p = probs[j];
      if (!(p >= 0 && p <= 1)) throw new RangeError(`probability ${j} must be in [0, 1], got ${p}`);
      if (p === 0) continue;
      features.push(j);
      this.invLogQ[j] = p === 1 ? 0 : 1 / Math.log1p(-p);
    }
    this.features = Int32Array.from(features);
  }

  /**
   * Fills the first batch × N entries of `v` (row-major) with a fresh batch. The sampler owns `v`
   * from its first call on: later calls clear only the entries the previous call wrote, not the
   * whole buffer (at N = 512, eps = 1/64 a fill(0) measured 0.05 ms at batch 1024 and 0.65 ms at
   * 8192, 15-20% of the sampling; bench/sampler-bench.ts prints both), so the caller must not write
   * into `v` and must give each sampler its own buffer. A buffer other than the last one is cleared
   * in full first.
   */
  sample(v: Float32Array, batch: number): void {
    this.clear(v, batch);
    this.scatter(v, batch, 1);
  }

  /**
   * The abs task's input: v = v1 - v2 for two independent batches drawn from these probabilities
   * (the caller builds them with eps / 2). v1 is drawn in full before v2, from the same Rng.
   * Entries active in both hold v1 - v2; all values lie in (-1, 1). Same buffer contract as `sample`.
   */
  sampleDifference(v: Float32Array, batch: number): void {
    this.clear(v, batch);
    this.scatter(v, batch, 1);
    this.scatter(v, batch, -1);
  }

  private clear(v: Float32Array, batch: number): void {
    if (!Number.isInteger(batch) || batch < 0)
      throw new RangeError(`batch must be a non-negative integer, got ${batch}`);
    if (v.length < batch * this.n) throw new RangeError(`buffer holds ${v.length} floats, need ${batch * this.n}`);
    if (v !== this.buffer) {
      v.fill(0);
      this.buffer = v;
    } else {
      const written = this.written;
      for (let i = 0; i < this.count; i++) v[written[i]] = 0;
    }
    this.count = 0;
  }

  /** Rows (0 for p = 1) to skip before a feature's next activation. */
  private gap(j: number): number {
    const inv = this.invLogQ[j];
    return inv === 0 ? 0 : Math.floor(Math.log(1 - this.rng.float()) * inv);
  }

  /** Adds sign × U[0, 1) at every active entry; adding (not assigning) makes v1 - v2 come out right. */
  private scatter(v: Float32Array, batch: number, sign: number): void {
    const { n, features, next, rng } = this;
    if (this.head.length < batch) this.head = new Int32Array(batch);
    const head = this.head.fill(-1, 0, batch);
    for (let f = 0; f < features.length; f++) {
      const j = features[f];
      const row = this.gap(j);
      if (row < batch) {
        next[j] = head[row];
        head[row] = j;
      }
    }
    let written = this.written;
    let count = this.count;
    for (let row = 0; row < batch; row++) {
      const base = row * n;
      for (let j = head[row]; j !== -1;) {
        const after = next[j];
        v[base + j] += sign * rng.float();
        if (count === written.length) {
          const grown = new Int32Array(2 * count);
          grown.set(written);
          written = grown;
        }
        written[count++] = base + j;
        const due = row + 1 + this.gap(j);
        if (due < batch) {
          next[j] = head[due];
          head[due] = j;
        }
        j = after;
      }
    }
    this.written = written;
    this.count = count;
  }
}
