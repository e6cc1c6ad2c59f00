// The sampling kernel: draws sparse feature vectors straight into the engine's list layout
// (sparse-batch.ts). Every feature of every sample gets its own Bernoulli(p_j) test, so the law is
// exactly SPEC.md's "Features" for any p_j (equal or power-law) with no host data per step.
//
// Random numbers: Philox4x32-10 keyed by (run seed, SAMPLER_KEY) with counter (step, sample b,
// feature block j / 4, purpose), so a run's samples depend on its seed, the step and b alone, not
// on the group it trains in. One call gives the four features of a block a draw each; purposes are
// the Bernoulli draw and the values of the first sample, then (abs only) of the second. A 24-bit
// uniform u < p_j (as f32) activates a feature: the frequency is p_j to within 2^-24.
//
// Layout: T threads per sample (T = ceil(N / 4) rounded up to a power of two, at most 128), a
// 128-thread workgroup holding 128 / T samples; thread `lane` takes blocks lane, lane + T, ...
// Per sample the work is ceil(N / 4) Philox calls for the Bernoulli draws plus one per block that
// has an active feature (both doubled under abs), a segmented Hillis–Steele prefix sum of the
// threads' active counts in workgroup memory (log2 T steps) to place each feature in the list in
// ascending order, and one write per listed feature. At N = 512: 128 threads, 128 Philox calls
// (~8 more for values at eps = 1/64), 7 scan steps, one sweep.
import { PHILOX_WGSL } from './philox.js';

export const WORKGROUP_SIZE = 128;
/** Key word 1: separates the sampler's stream from any other Philox use of a run's seed. */
export const SAMPLER_KEY = 0x5350_4152; // "SPAR"
/** Counter word 3 of each draw. */
export const PURPOSE = { draw: 0, value: 1, draw2: 2, value2: 3 } as const;

export interface SampleShape {
  N: number;
  runs: number;
  batch: number;
  capacity: number;
  /** The abs task: v = v1 - v2 from two independent draws, zeros dropped. */
  abs: boolean;
}

/** Philox calls per draw of a sample: one per four features. */
export const featureBlocks = (N: number): number => Math.ceil(N / 4);

/** Threads per sample for N features: a power of two, so samples tile a workgroup exactly. */
export function threadsPerSample(N: number): number {
  let t = 1;
  while (t < featureBlocks(N) && t < WORKGROUP_SIZE) t *= 2;
  return t;
}

/**
 * WGSL for one group of runs. Bindings: 0 uniform {first step, samples in this dispatch}, 1 seeds
 * (u32 per run), 2 probabilities (run-major, each run's N padded with zeros to 4 * blocks(N)),
 * 3 count, 4 index, 5 value, 6 overflow.
 * Workgroups are numbered x + y * num_workgroups.x so a 2-D grid can exceed one dimension's limit.
 */
export function sampleKernel(shape: SampleShape): string {
  const { N, runs, batch, capacity, abs } = shape;
  const T = threadsPerSample(N);
  const blocks = featureBlocks(N);
  return /* wgsl */ `${PHILOX_WGSL}
const N = ${N}u;
const RUNS = ${runs}u;
const BATCH = ${batch}u;
const CAPACITY = ${capacity}u;
const T = ${T}u;
const SAMPLES_PER_GROUP = ${WORKGROUP_SIZE / T}u;
const BLOCKS = ${blocks}u;
const SWEEPS = ${Math.ceil(blocks / T)}u;
const ABS = ${abs};

struct Params { first: u32, samples: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> seeds: array<u32>;
@group(0) @binding(2) var<storage, read> probs: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> count: array<u32>;
@group(0) @binding(4) var<storage, read_write> index: array<u32>;
@group(0) @binding(5) var<storage, read_write> value: array<f32>;
@group(0) @binding(6) var<storage, read_write> overflow: atomic<u32>;

var<workgroup> scan: array<u32, ${WORKGROUP_SIZE}>;

struct Draw { on: vec4<bool>, value: vec4<f32> }

// One Bernoulli draw of a block's four features, and their values where active (a second Philox
// call, made only when needed). Padding features past N have p = 0 and never activate.
fn draw(c: vec3<u32>, purposes: vec2<u32>, key: vec2<u32>, p: vec4<f32>) -> Draw {
  var d: Draw;
  d.on = philox_unit(philox4x32_10(vec4<u32>(c, purposes.x), key)) < p;
  if (any(d.on)) {
    let values = philox_unit(philox4x32_10(vec4<u32>(c, purposes.y), key));
    d.value = select(vec4<f32>(0.0), values, d.on);
  }
  return d;
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(
  @builtin(workgroup_id) group: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(local_invocation_index) tid: u32,
) {
  let lane = tid % T;
  let first_lane = tid - lane;
  let s = (group.x + group.y * groups.x) * SAMPLES_PER_GROUP + tid / T;
  let live = s < params.samples;
  let b = s % BATCH;
  let run = (s / BATCH) % RUNS;
  let step = params.first + s / (BATCH * RUNS);
  let key = vec2<u32>(seeds[run], ${SAMPLER_KEY}u);
  var listed = 0u;
  for (var sweep = 0u; sweep < SWEEPS; sweep++) {
    let block = sweep * T + lane;
    var on = vec4<bool>(false);
    var v = vec4<f32>(0.0);
    if (live && block < BLOCKS) {
      let p = probs[run * BLOCKS + block];
      let c = vec3<u32>(step, b, block);
      let d1 = draw(c, vec2<u32>(${PURPOSE.draw}u, ${PURPOSE.value}u), key, p);
      on = d1.on;
      v = d1.value;
      if (ABS) {
        let d2 = draw(c, vec2<u32>(${PURPOSE.draw2}u, ${PURPOSE.value2}u), key, p);
        v -= d2.value;
        // A feature active in both draws with equal values sums to 0: not listed.
        on = (on | d2.on) & (v != vec4<f32>(0.0));
      }
    }
    let mine = u32(on.x) + u32(on.y) + u32(on.z) + u32(on.w);
    // Inclusive prefix sum over the sample's T lanes (barriers stay in uniform control flow).
    scan[tid] = mine;
    workgroupBarrier();
    for (var d = 1u; d < T; d <<= 1u) {
      var add = 0u;
      if (lane >= d) {
        add = scan[tid - d];
      }
      workgroupBarrier();
      scan[tid] += add;
      workgroupBarrier();
    }
    var slot = listed + scan[tid] - mine;
    listed += scan[first_lane + T - 1u];
    workgroupBarrier();
    for (var i = 0u; i < 4u; i++) {
      if (on[i] && slot < CAPACITY) {
        index[s * CAPACITY + slot] = 4u * block + i;
        value[s * CAPACITY + slot] = v[i];
      }
      slot += u32(on[i]);
    }
  }
  if (live && lane == 0u) {
    count[s] = min(listed, CAPACITY);
    if (listed > CAPACITY) {
      atomicAdd(&overflow, 1u);
    }
  }
}
`;
}
