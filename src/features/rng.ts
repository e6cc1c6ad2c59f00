// The project's one seeded generator: xoshiro128** (Blackman & Vigna) on four 32-bit words, seeded
// through splitmix32. Pure 32-bit integer math (Math.imul, shifts) keeps it fast in V8 and the
// sequence identical on every platform, so a run's seed reproduces its batches bit for bit.

const TWO_POW_MINUS_32 = 2 ** -32;

export class Rng {
  /** xoshiro's four words; an Int32Array keeps them unboxed (~1.5x faster than number fields). */
  private readonly s = new Int32Array(4);
  /** Box–Muller yields normals in pairs; the second one waits here (NaN when none waits). */
  private spare = NaN;

  /** `seed` is an integer in [0, 2^32), the range the run configuration allows. */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`Rng seed must be an integer in [0, 2^32), got ${seed}`);
    }
    // splitmix32: its output function is a bijection and its four inputs differ, so at most one
    // word can be zero: the all-zero state, xoshiro's only forbidden one, cannot occur.
    let x = seed | 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) | 0;
      let z = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      this.s[i] = z ^ (z >>> 16);
    }
  }

  /** Uniform integer in [0, 2^32). */
  uint32(): number {
    const s = this.s;
    const s0 = s[0];
    const s1 = s[1];
    const s2 = s[2] ^ s0;
    const s3 = s[3] ^ s1;
    const r = Math.imul(s1, 5);
    const result = Math.imul((r << 7) | (r >>> 25), 9);
    s[0] = s0 ^ s3;
    s[1] = s1 ^ s2;
    s[2] = s2 ^ (s1 << 9);
    s[3] = (s3 << 11) | (s3 >>> 21);
    return result >>> 0;
  }

  /** Uniform in [0, 1) on a grid of 2^-32; the largest value is 1 - 2^-32, never 1. */
  float(): number {
    return this.uint32() * TWO_POW_MINUS_32;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.float();
  }

  /** Standard normal (Box–Muller); the spare of each pair is part of the state, so it is deterministic. */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const z = this.spare;
      this.spare = NaN;
      return z;
    }
    const r = Math.sqrt(-2 * Math.log(1 - this.float())); // 1 - float() is in (0, 1]: log is finite
    const theta = 2 * Math.PI * this.float();
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }
}
