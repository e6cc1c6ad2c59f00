// The GPU sampler against independent computations: a CPU Philox4x32-10 (BigInt products, checked
// against Random123's known answers), exact lists rebuilt from it, and the sampling law of SPEC.md
// within 5 standard errors (a correct sampler lands outside with probability ~6e-7 per check).
// Runs on SwiftShader where there is no GPU, so sizes are small: N = 64 for the statistics.
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseRunConfig, type RunConfig } from '../../src/config/schema.js';
import { featureProbabilities } from '../../src/features/distributions.js';
import { requestGpuDevice } from '../../src/gpu/device.js';
import { PHILOX_WGSL } from '../../src/gpu/kernels/philox.js';
import { PURPOSE, SAMPLER_KEY } from '../../src/gpu/kernels/sample.js';
import { nodeGpu } from '../../src/gpu/node-gpu.js';
import { GpuSampler } from '../../src/gpu/sampler.js';

const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
let device: GPUDevice;

beforeAll(async () => {
  if (existsSync(SWIFTSHADER)) process.env.VK_ICD_FILENAMES ??= SWIFTSHADER;
  device = await requestGpuDevice(nodeGpu()); // throws, failing the file, when no adapter exists
});

const cfg = (o: Record<string, unknown>): RunConfig => parseRunConfig({ N: 64, log2_batch_size: 8, ...o });

/** Philox4x32-10 as Random123 defines it, with exact 64-bit products from BigInt. */
function philox(counter: readonly number[], key: readonly number[]): number[] {
  let [c0, c1, c2, c3] = counter.map(BigInt) as [bigint, bigint, bigint, bigint];
  let [k0, k1] = key.map(BigInt) as [bigint, bigint];
  const mask = 0xffffffffn;
  for (let round = 0; round < 10; round++) {
    if (round > 0) [k0, k1] = [(k0 + 0x9e3779b9n) & mask, (k1 + 0xbb67ae85n) & mask];
    const p0 = 0xd2511f53n * c0;
    const p1 = 0xcd9e8d57n * c2;
    [c0, c1, c2, c3] = [(p1 >> 32n) ^ c1 ^ k0, p1 & mask, (p0 >> 32n) ^ c3 ^ k1, p0 & mask];
  }
  return [c0, c1, c2, c3].map(Number);
}
const unit = (x: number): number => (x >>> 8) / 2 ** 24;

/** Errors Dawn reports asynchronously (a shader that fails to compile) fail the caller. */
async function checked<T>(work: () => Promise<T>): Promise<T> {
  device.pushErrorScope('validation');
  const out = await work();
  const error = await device.popErrorScope();
  if (error) throw new Error(error.message);
  return out;
}

async function read(buffer: GPUBuffer, bytes = buffer.size): Promise<ArrayBuffer> {
  const staging = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, 0, staging, 0, bytes);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = staging.getMappedRange().slice(0);
  staging.destroy();
  return out;
}

/** A chunk read back: lists of R runs x K steps x B samples in the layout of sparse-batch.ts. */
class Chunk {
  constructor(
    readonly R: number,
    readonly B: number,
    readonly K: number,
    readonly capacity: number,
    readonly count: Uint32Array,
    readonly index: Uint32Array,
    readonly value: Float32Array,
    readonly overflow: number,
  ) {}

  list(r: number, j: number, b: number): { index: number[]; value: number[] } {
    const s = (j * this.R + r) * this.B + b;
    const at = s * this.capacity;
    const end = at + this.count[s]!;
    return { index: [...this.index.subarray(at, end)], value: [...this.value.subarray(at, end)] };
  }
}

type Outputs = Pick<GpuSampler, 'count' | 'index' | 'value' | 'overflow'>;

async function chunkOf(sampler: Outputs, cfgs: RunConfig[], capacity: number, K: number): Promise<Chunk> {
  const B = 2 ** cfgs[0]!.log2_batch_size;
  const samples = K * cfgs.length * B;
  const [count, index, value, overflow] = await Promise.all([
    read(sampler.count, 4 * samples),
    read(sampler.index, 4 * samples * capacity),
    read(sampler.value, 4 * samples * capacity),
    read(sampler.overflow),
  ]);
  const u32 = (a: ArrayBuffer) => new Uint32Array(a);
  return new Chunk(cfgs.length, B, K, capacity, u32(count), u32(index), new Float32Array(value), u32(overflow)[0]!);
}

/** Steps first .. first + K - 1 of every run, drawn on the GPU (`times` times, each submitted alone). */
async function draw(cfgs: RunConfig[], K: number, first = 0, capacity = 64, times = 1): Promise<Chunk> {
  return checked(async () => {
    const sampler = GpuSampler.create(device, cfgs, capacity, K);
    for (let i = 0; i < times; i++) {
      const encoder = device.createCommandEncoder();
      sampler.encode(encoder, first, K);
      device.queue.submit([encoder.finish()]);
    }
    const chunk = await chunkOf(sampler, cfgs, capacity, K);
    sampler.destroy();
    return chunk;
  });
}

/** The list of one sample rebuilt on the CPU from the stream kernels/sample.ts documents. */
function referenceList(c: RunConfig, step: number, b: number): { index: number[]; value: number[] } {
  const abs = c.task === 'abs';
  const p = featureProbabilities(c.N, abs ? c.eps / 2 : c.eps, c.sample_kind);
  const draws: [number, number, number][] = [[PURPOSE.draw, PURPOSE.value, 1]];
  if (abs) draws.push([PURPOSE.draw2, PURPOSE.value2, -1]);
  const out = { index: [] as number[], value: [] as number[] };
  for (let j = 0; j < c.N; j++) {
    const at = (purpose: number) => unit(philox([step, b, j >> 2, purpose], [c.seed, SAMPLER_KEY])[j & 3]!);
    let on = false;
    let v = 0;
    for (const [bernoulli, val, sign] of draws) {
      if (at(bernoulli) < Math.fround(p[j]!)) {
        on = true;
        v += sign * at(val);
      }
    }
    if (on && (!abs || v !== 0)) {
      out.index.push(j);
      out.value.push(v);
    }
  }
  return out;
}

/** Lists ascending without duplicates, within capacity, values on the 2^-24 grid in range. */
function expectWellFormed(chunk: Chunk, N: number, abs: boolean): void {
  let bad = 0;
  for (let s = 0; s < chunk.count.length; s++) {
    const n = chunk.count[s]!;
    if (n > chunk.capacity) bad++;
    for (let i = 0; i < Math.min(n, chunk.capacity); i++) {
      const j = chunk.index[s * chunk.capacity + i]!;
      const v = chunk.value[s * chunk.capacity + i]!;
      if (j >= N || (i > 0 && j <= chunk.index[s * chunk.capacity + i - 1]!)) bad++;
      if (!Number.isInteger(v * 2 ** 24) || v >= 1 || v < (abs ? -1 : 0) || (abs && v === 0)) bad++;
    }
  }
  expect(bad).toBe(0);
}

/** Per run: how often each feature is listed, sums of v, |v|, v^2 over all (sample, feature). */
function tally(chunk: Chunk, N: number, r: number) {
  const listed = new Float64Array(N);
  let sum = 0;
  let abs = 0;
  let sq = 0;
  let positive = 0;
  for (let j = 0; j < chunk.K; j++) {
    for (let b = 0; b < chunk.B; b++) {
      const l = chunk.list(r, j, b);
      l.index.forEach((f, i) => {
        const v = l.value[i]!;
        listed[f]++;
        sum += v;
        abs += Math.abs(v);
        sq += v * v;
        if (v > 0) positive++;
      });
    }
  }
  const total = listed.reduce((a, x) => a + x, 0);
  return { listed, total, sum, abs, sq, positive, samples: chunk.K * chunk.B };
}

/** Features active in sample (r1, j1, b) and in (r2, j2, b) alike, over all b, and the pairs seen. */
function coincidences(chunk: Chunk, [r1, j1]: [number, number], [r2, j2]: [number, number], N: number) {
  let both = 0;
  for (let b = 0; b < chunk.B; b++) {
    const a = new Set(chunk.list(r1, j1, b).index);
    for (const f of chunk.list(r2, j2, b).index) if (a.has(f)) both++;
  }
  return { both, pairs: chunk.B * N };
}

const within5se = (observed: number, expected: number, variance: number, n: number) =>
  expect(Math.abs(observed - expected)).toBeLessThanOrEqual(5 * Math.sqrt(variance / n));

describe('Philox4x32-10', () => {
  it("matches Random123's known-answer vectors on the CPU", () => {
    const hex = (s: string) => s.split(' ').map((w) => parseInt(w, 16));
    const kat = [
      ['00000000 00000000 00000000 00000000', '00000000 00000000', '6627e8d5 e169c58d bc57ac4c 9b00dbd8'],
      ['ffffffff ffffffff ffffffff ffffffff', 'ffffffff ffffffff', '408f276d 41c83b0e a20bc7c6 6d5451fd'],
      ['243f6a88 85a308d3 13198a2e 03707344', 'a4093822 299f31d0', 'd16cfe09 94fdcceb 5001e420 24126ea1'],
    ];
    for (const [counter, key, out] of kat) expect(philox(hex(counter!), hex(key!))).toEqual(hex(out!));
  });

  it('in WGSL equals the CPU one on 4096 counters and keys, and maps words to [0, 1) by the top 24 bits', async () => {
    const n = 4096;
    let x = 12345;
    const word = () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0);
    // Counter then key per case, mixing random words with all-zero and all-one ones (carry paths).
    const input = Uint32Array.from({ length: 8 * n }, (_, i) => (i < 64 ? 0 : i < 128 ? 0xffffffff : word()));
    const code = `${PHILOX_WGSL}
@group(0) @binding(0) var<storage, read> input: array<vec4<u32>>;
@group(0) @binding(1) var<storage, read_write> output: array<vec4<u32>>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let r = philox4x32_10(input[2u * id.x], input[2u * id.x + 1u].xy);
  output[2u * id.x] = r;
  output[2u * id.x + 1u] = bitcast<vec4<u32>>(philox_unit(r));
}`;
    const out = await checked(async () => {
      const size = input.byteLength;
      const buffer = (usage: number) => device.createBuffer({ size, usage: GPUBufferUsage.STORAGE | usage });
      const [src, dst] = [buffer(GPUBufferUsage.COPY_DST), buffer(GPUBufferUsage.COPY_SRC)];
      device.queue.writeBuffer(src, 0, input);
      const module = device.createShaderModule({ code });
      const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module } });
      const group = device.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: [src, dst].map((buffer, binding) => ({ binding, resource: { buffer } })),
      });
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(n / 64);
      pass.end();
      device.queue.submit([encoder.finish()]);
      return read(dst);
    });
    const words = new Uint32Array(out);
    const floats = new Float32Array(out);
    let mismatches = 0;
    for (let i = 0; i < n; i++) {
      const expected = philox([...input.subarray(8 * i, 8 * i + 4)], [...input.subarray(8 * i + 4, 8 * i + 6)]);
      for (let w = 0; w < 4; w++) {
        if (words[8 * i + w] !== expected[w] || floats[8 * i + 4 + w] !== unit(expected[w]!)) mismatches++;
      }
    }
    expect(mismatches).toBe(0);
  });
});

describe('GpuSampler', () => {
  it('writes exactly the lists of the documented stream, over layouts, tasks and the u32 step range', async () => {
    const abs = { task: 'abs', log2_batch_size: 1 };
    const power = { sample_kind: 'power_law' };
    const two = (N: number, eps: number, seed: number, o: object) => [
      cfg({ N, eps, seed, ...o }),
      cfg({ N, eps: 2 * eps, seed: seed + 1, ...o, ...power }),
    ];
    const groups: [RunConfig[], number, number][] = [
      // 16 threads a sample, 8 samples a workgroup straddling runs; N not a multiple of 4.
      [two(61, 1 / 8, 1, { log2_batch_size: 2 }), 0xfffffffd, 3],
      // 128 threads, one sweep (the paper's N) and two sweeps.
      [two(512, 1 / 64, 3, { log2_batch_size: 1 }), 7, 2],
      [two(600, 1 / 4, 5, abs), 0, 2],
      // Features 0..6 are active in both draws (p clips to 1); at step 2282, sample 0, feature 3 draws
      // equal values (found by searching the stream), so v = 0 and it must not be listed.
      [[cfg({ eps: 1, sample_kind: 'power_law', seed: 41, ...abs })], 2282, 1],
    ];
    for (const [cfgs, first, K] of groups) {
      const chunk = await draw(cfgs, K, first, cfgs[0]!.N);
      expect(chunk.overflow).toBe(0);
      for (const [r, c] of cfgs.entries()) {
        for (let j = 0; j < K; j++) {
          for (let b = 0; b < chunk.B; b++) expect(chunk.list(r, j, b)).toEqual(referenceList(c, first + j, b));
        }
      }
    }
    expect(referenceList(groups[3]![0][0]!, 2282, 0).index.slice(0, 6)).toEqual([0, 1, 2, 4, 5, 6]);
  });

  // One group with runs that differ in eps, kind and seed: 16384 samples a run.
  const mixed = [
    cfg({ eps: 1 / 8, seed: 11, log2_batch_size: 10 }),
    cfg({ eps: 1 / 16, sample_kind: 'power_law', seed: 12, log2_batch_size: 10 }),
    cfg({ eps: 1 / 8, seed: 13, log2_batch_size: 10 }),
  ];
  let chunk: Chunk;
  beforeAll(async () => {
    chunk = await draw(mixed, 16, 1000);
  });

  it('activates each feature with frequency p_j, values uniform in [0, 1), counts averaging sum p_j', () => {
    expectWellFormed(chunk, 64, false);
    for (const [r, c] of mixed.entries()) {
      const p = featureProbabilities(c.N, c.eps, c.sample_kind);
      const t = tally(chunk, c.N, r);
      for (let j = 0; j < c.N; j++) within5se(t.listed[j]! / t.samples, p[j]!, p[j]! * (1 - p[j]!), t.samples);
      if (c.sample_kind === 'power_law') expect(t.listed[0]).toBe(t.samples); // p_1 clips to 1
      const mean = p.reduce((a, x) => a + x, 0);
      within5se(
        t.total / t.samples,
        mean,
        p.reduce((a, x) => a + x * (1 - x), 0),
        t.samples,
      );
      within5se(t.sum / t.total, 1 / 2, 1 / 12, t.total);
      within5se(t.sq / t.total - (t.sum / t.total) ** 2, 1 / 12, 1 / 180, t.total); // Var(U^2) = 1/180
    }
  });

  it('draws runs of different seeds independently, and every step afresh', () => {
    // Same eps in runs 0 and 2: a feature active in both (same step and b) with probability p^2.
    const p = 1 / 8;
    for (const [x, y] of [
      [
        [0, 5],
        [2, 5],
      ],
      [
        [0, 5],
        [0, 6],
      ],
      [
        [2, 0],
        [2, 15],
      ],
    ] as [number, number][][]) {
      const { both, pairs } = coincidences(chunk, x!, y!, 64);
      within5se(both / pairs, p * p, p * p * (1 - p * p), pairs);
    }
  });

  it('abs: lists v1 - v2 of two draws at eps / 2, nonzero with probability 1 - (1 - p)^2 and symmetric', async () => {
    const cfgs = [
      cfg({ eps: 1 / 4, seed: 21, task: 'abs', log2_batch_size: 10 }),
      cfg({ eps: 1 / 8, sample_kind: 'power_law', seed: 22, task: 'abs', log2_batch_size: 10 }),
    ];
    const abs = await draw(cfgs, 16);
    expectWellFormed(abs, 64, true);
    for (const [r, c] of cfgs.entries()) {
      const q = featureProbabilities(c.N, c.eps / 2, c.sample_kind);
      const t = tally(abs, c.N, r);
      for (let j = 0; j < c.N; j++) {
        const listed = 1 - (1 - q[j]!) ** 2;
        within5se(t.listed[j]! / t.samples, listed, listed * (1 - listed), t.samples);
      }
      // Over all (sample, feature) entries: v = aA - bB, so E v = 0, E v^2 = 2q/3 - q^2/2 and
      // E|v| = q(1 - q) + q^2 / 3 (E|a - b| = 1/3); the variances bound each by its second moment.
      const entries = t.samples * c.N;
      const sum = (f: (x: number) => number) => q.reduce((a, x) => a + f(x), 0) / c.N;
      const second = sum((x) => (2 * x) / 3 - (x * x) / 2);
      within5se(t.sum / entries, 0, second, entries);
      within5se(
        t.sq / entries,
        second,
        sum((x) => (2 * x) / 5),
        entries,
      ); // E v^4 <= 2q/5
      within5se(
        t.abs / entries,
        sum((x) => x * (1 - x) + (x * x) / 3),
        second,
        entries,
      );
      within5se(t.positive / t.total, 1 / 2, 1 / 4, t.total);
    }
  });

  it('gives a seed the same lists in any group and at any run index; encodes may share a submit', async () => {
    const own = cfg({ eps: 1 / 16, seed: 5 });
    const alone = await draw([own, cfg({ eps: 1 / 8, sample_kind: 'power_law', seed: 6 })], 4);
    const others = [cfg({ eps: 1 / 4, seed: 7 }), cfg({ eps: 1 / 2, sample_kind: 'power_law', seed: 8 }), own];
    // Two encodes with different `first` recorded before one submit, each chunk copied out between.
    const [late, early] = await checked(async () => {
      const sampler = GpuSampler.create(device, others, 64, 2);
      const encoder = device.createCommandEncoder();
      const copies = [2, 0].map((first) => {
        sampler.encode(encoder, first, 2);
        return [sampler.count, sampler.index, sampler.value].map((src) => {
          const dst = device.createBuffer({ size: src.size, usage: GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
          encoder.copyBufferToBuffer(src, 0, dst, 0, src.size);
          return dst;
        });
      });
      device.queue.submit([encoder.finish()]);
      const chunks = [];
      for (const [count, index, value] of copies) {
        const outputs = { count: count!, index: index!, value: value!, overflow: sampler.overflow };
        chunks.push(await chunkOf(outputs, others, 64, 2));
      }
      sampler.destroy();
      return chunks;
    });
    for (const [chunk, offset] of [
      [late!, 2],
      [early!, 0],
    ] as const) {
      for (let j = 0; j < 2; j++) {
        for (let b = 0; b < 256; b++) expect(chunk.list(2, j, b)).toEqual(alone.list(0, j + offset, b));
      }
    }
    expect(alone.list(0, 0, 0)).not.toEqual(alone.list(0, 1, 0));
  });

  it('cuts a list at capacity, keeping its lowest features, and counts each cut sample in overflow', async () => {
    const cfgs = [cfg({ eps: 1 / 2, seed: 31 }), cfg({ eps: 1 / 64, seed: 32 })];
    const full = await draw(cfgs, 2, 0, 64);
    const cut = await draw(cfgs, 2, 0, 30, 2);
    let over = 0;
    for (let s = 0; s < full.count.length; s++) {
      if (full.count[s]! > 30) over++;
      expect(cut.count[s]).toBe(Math.min(30, full.count[s]!));
    }
    expect(over).toBeGreaterThan(10); // Binomial(64, 1/2) > 30 in ~60% of the eps = 1/2 samples
    expect(cut.overflow).toBe(2 * over); // the two encodes add up: the sampler never resets it
    for (let r = 0; r < 2; r++) {
      for (let b = 0; b < full.B; b++) {
        const whole = full.list(r, 1, b);
        expect(cut.list(r, 1, b)).toEqual({ index: whole.index.slice(0, 30), value: whole.value.slice(0, 30) });
      }
    }
  });

  it('refuses runs that do not share N, task and batch size, and chunks beyond maxSteps', () => {
    const base = cfg({});
    for (const other of [{ N: 32 }, { task: 'abs' }, { log2_batch_size: 4 }]) {
      expect(() => GpuSampler.create(device, [base, cfg(other)], 8, 1)).toThrow(RangeError);
    }
    const sampler = GpuSampler.create(device, [base], 8, 2);
    expect(() => sampler.encode(device.createCommandEncoder(), 0, 3)).toThrow(RangeError);
    expect(() => sampler.encode(device.createCommandEncoder(), 2 ** 32 - 1, 2)).toThrow(RangeError);
    sampler.destroy();
  });
});
