// The WebGPU engine (our WGSL kernels) against the float64 reference, through the harness every
// engine passes (test/engine/harness.ts): every task x activation x optimiser with two runs side
// by side, one step at the start, one mid-run and 32 steps across step 1024; whole runs through the
// training loop; larger shapes, where the products span several tiles, load vec4s and split the
// batch into K-slices; runs trained together against each trained alone; and samples drawn on the
// GPU against the same samples handed over. Here it runs on SwiftShader, a CPU Vulkan: no GPU
// needed, but slow, so the shapes are small.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRunConfig, type RunConfigInput } from '../../src/config/schema.js';
import { requestGpuDevice } from '../../src/gpu/device.js';
import { nodeGpu } from '../../src/gpu/node-gpu.js';
import { GpuSampler } from '../../src/gpu/sampler.js';
import { sparseCapacity } from '../../src/gpu/sparse-batch.js';
import { WgslEngine } from '../../src/gpu/wgsl-engine.js';
import { train, trainTogether, type TrainOptions } from '../../src/train/train.js';
import {
  caseConfigs,
  caseWindow,
  compareWindow,
  ENGINE_CASES,
  type EngineFactory,
  expectReferenceRun,
  expectWithin,
  lcg,
  ONE_STEP,
  testEmbeddings,
  testState,
  toCarried,
  WHOLE_RUNS,
  wholeRunConfig,
  WINDOW,
} from '../engine/harness.js';

const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (existsSync(SWIFTSHADER)) process.env.VK_ICD_FILENAMES ??= SWIFTSHADER;
// No adapter is a failure here, not a skip: this file is the engine's only check.
const device = await requestGpuDevice(nodeGpu());

/** Engines on the file's one device (pipelines are cached per device, so cases with the same shapes
 * compile once), on the samples they are given; WGSL and validation errors fail the case. */
const wgsl: EngineFactory = async (cfgs, embeddings) => {
  device.pushErrorScope('validation');
  const engine = await WgslEngine.create(device, cfgs, embeddings, { drawSamples: false });
  const error = await device.popErrorScope();
  if (error) throw new Error(`WebGPU validation: ${error.message}`);
  return engine;
};
const viaLoop: TrainOptions = { threads: 1, engine: (cfgs, embeddings) => wgsl(cfgs, embeddings) };

describe('the WebGPU engine against the float64 reference', () => {
  it.each(ENGINE_CASES)('$task, $nonlinearity, $optimizer', async ({ task, nonlinearity, optimizer }) => {
    const cfgs = caseConfigs(task, nonlinearity, optimizer);
    const window = (first: number, steps: number, moments: boolean) => caseWindow(wgsl, cfgs, first, steps, moments);
    expectWithin(await window(0, 1, false), ONE_STEP[optimizer]);
    expectWithin(await window(1023, 1, true), ONE_STEP[optimizer]);
    expectWithin(await window(1008, 32, true), WINDOW[optimizer]);
  });

  // Production tile shapes: 128 x 128 tiles (256 threads, 8 x 8 each) with ragged edges, vec4 loads
  // (m = 8), dW1 and dW2 in two K-slices, db1 from two row tiles; then 64-wide and 32-wide tiles
  // next to 128-high ones, and the re-projector's dense target.
  it.each([
    { task: 'decoder', nonlinearity: 'GeLU', optimizer: 'lamb', N: 136, k: 132, log2_batch_size: 8 },
    { task: 're-projector', nonlinearity: 'ReLU', optimizer: 'adamw', N: 40, k: 72, log2_batch_size: 7 },
  ] as const)('larger shapes: $task, $nonlinearity, $optimizer, N = $N, k = $k', async (input) => {
    const cfgs = [0.01, 0.004].map((learning_rate, i) =>
      parseRunConfig({
        m: 8,
        eps: 0.3,
        log2_training_steps: 11,
        reg: 0.01 * i,
        initial_bias: -0.1,
        learning_rate,
        ...input,
      }),
    );
    // Zero moments: with the matrix's second moments down to 1e-12, LAMB's u = m / (sqrt v + 1e-6)
    // turns the float32 rounding of sums this long into ~1e-5 (the CPU engine's too: 9e-6 in W2).
    const rand = lcg(5);
    const states = cfgs.map((c) => testState(c, rand, false));
    expectWithin(
      await compareWindow(wgsl, cfgs, states, { first: 1022, steps: 3, chunk: 2, seed: 6 }),
      ONE_STEP[input.optimizer],
    );
  });
});

describe('whole runs through the training loop against the reference', () => {
  it.each(WHOLE_RUNS)(
    '$task, $nonlinearity: the loss of every 16th step before its update, and every snapshot',
    async (input) => {
      const cfg = wholeRunConfig(input);
      expectReferenceRun(cfg, await train(cfg, viaLoop));
    },
  );
});

describe('runs trained together', () => {
  it('equal each run trained alone, to the bit', async () => {
    const shared: RunConfigInput = {
      N: 24,
      m: 8,
      k: 20,
      eps: 0.1,
      log2_batch_size: 6,
      log2_training_steps: 5,
      task: 'abs',
      nonlinearity: 'GeLU',
    };
    const cfgs = [
      { learning_rate: 0.01, decay: 0.03, initial_bias: -0.2, reg: 0.01, seed: 1 },
      { learning_rate: 0.003, decay: 0.1, initial_bias: 0.1, seed: 2 },
    ].map((r) => parseRunConfig({ ...shared, ...r }));
    const together = await trainTogether(cfgs, viaLoop);
    for (const [i, cfg] of cfgs.entries()) {
      const alone = await train(cfg, viaLoop);
      expect(together[i]!.losses).toEqual(alone.losses);
      expect(together[i]!.params).toEqual(alone.params);
    }
  });
});

/** A GPU buffer's contents. */
async function download(buffer: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
  const staging = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, 0, staging, 0, bytes);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const data = staging.getMappedRange().slice(0);
  staging.destroy();
  return data;
}

describe('samples drawn on the GPU', () => {
  it('train as the same samples handed over', async () => {
    const cfgs = [1, 2].map((seed) =>
      parseRunConfig({ N: 64, m: 8, k: 24, eps: 0.1, log2_batch_size: 5, task: 'abs', seed, reg: 0.01 * seed }),
    );
    const [R, K, B, N, first] = [cfgs.length, 4, 32, 64, 40];
    const rand = lcg(7);
    const embeddings = cfgs.map((c) => testEmbeddings(c, rand));
    const state = toCarried(
      cfgs[0]!,
      cfgs.map((c) => testState(c, rand, false)),
    );
    const drawing = await WgslEngine.create(device, cfgs, embeddings);
    expect(drawing.drawsSamples).toBe(true);
    drawing.write(state);
    const drawn = await drawing.run(first, K);
    const drawnState = await drawing.read();
    await drawing.release();
    // The same draws (a run's samples depend on its seed and the step only), as the loop's dense chunk.
    const capacity = sparseCapacity(cfgs);
    const sampler = GpuSampler.create(device, cfgs, capacity, K);
    const encoder = device.createCommandEncoder();
    sampler.encode(encoder, first, K);
    device.queue.submit([encoder.finish()]);
    const count = new Uint32Array(await download(sampler.count, K * R * B * 4));
    const index = new Uint32Array(await download(sampler.index, K * R * B * capacity * 4));
    const value = new Float32Array(await download(sampler.value, K * R * B * capacity * 4));
    sampler.destroy();
    expect(Math.max(...count)).toBeGreaterThan(0);
    const v = new Float32Array(R * K * B * N);
    for (let j = 0; j < K; j++)
      for (let r = 0; r < R; r++)
        for (let b = 0; b < B; b++) {
          const s = (j * R + r) * B + b;
          for (let c = 0; c < count[s]!; c++)
            v[((r * K + j) * B + b) * N + index[s * capacity + c]!] = value[s * capacity + c]!;
        }
    const given = await wgsl(cfgs, embeddings);
    given.write(state);
    expect(drawn).toEqual(await given.run(first, K, v));
    expect(drawnState).toEqual(await given.read());
    expect(drawn.every(Number.isFinite)).toBe(true);
    await given.release();
  });
});

describe('the kernel profile (the roofline of bench:gpu)', () => {
  it('times every step kernel and counts its work from the shapes', async () => {
    const cfg = parseRunConfig({ N: 24, m: 8, k: 40, log2_batch_size: 5, log2_training_steps: 4, seed: 2 });
    const engine = await WgslEngine.create(
      device,
      [cfg, { ...cfg, seed: 3 }],
      [testEmbeddings(cfg, lcg(1)), testEmbeddings(cfg, lcg(2))],
    );
    try {
      await engine.run(0, 4);
      const kernels = await engine.profileKernels(3);
      expect(kernels.map((k) => k.name)).toEqual([
        'first layer x = E v',
        'forward h = f(W1 x + b1)',
        'output y = W2 h, loss, dy',
        "backward dz = f'(z) W2^T dy, db1",
        'dW2 = dy^T h',
        'dW1 = dz^T x',
        'LAMB norms',
        'LAMB update',
      ]);
      for (const k of kernels) expect(k.seconds, k.name).toBeGreaterThan(0);
      // Two runs of batch 32: forward 2 B k m, output and backward 2 B N k, the gradients the same.
      const flops = Object.fromEntries(kernels.map((k) => [k.name, k.flops]));
      expect(flops['forward h = f(W1 x + b1)']).toBe(2 * 2 * 32 * 40 * 8);
      expect(flops['output y = W2 h, loss, dy']).toBe(2 * 2 * 32 * 24 * 40);
      expect(flops['dW2 = dy^T h']).toBe(2 * 2 * 32 * 24 * 40);
      expect(flops['dW1 = dz^T x']).toBe(2 * 2 * 32 * 40 * 8);
    } finally {
      await engine.release();
    }
  });
});

describe('divergence', () => {
  const tiny = { N: 16, m: 6, k: 10, log2_batch_size: 4, log2_training_steps: 7, optimizer: 'sgd' } as const;
  const onGpu: TrainOptions = { threads: 1, engine: (c, e) => WgslEngine.create(device, c, e) };

  it('a run whose loss turns NaN stops within 16 steps and is reported diverged; its companion goes on', async () => {
    const cfg = parseRunConfig({ ...tiny, nonlinearity: 'SoLU' });
    const [bad, good] = await trainTogether(
      [
        { ...cfg, learning_rate: 1e3 },
        { ...cfg, learning_rate: 0.01, seed: 1 },
      ],
      onGpu,
    );
    expect(bad!.status).toBe('diverged');
    expect(bad!.losses.loss.every(Number.isFinite)).toBe(true);
    expect(bad!.losses.steps.at(-1) ?? -1).toBeLessThan(bad!.divergedAtStep!);
    expect(good!.status).toBe('finished');
    expect(good!.losses.steps).toHaveLength(2 ** 7 / 16);
  });

  it('GeLU of huge pre-activations stays finite, as on the CPU (no NaN from exp of -inf)', async () => {
    const cfg = parseRunConfig({ ...tiny, nonlinearity: 'GeLU', learning_rate: 1e3 });
    expect((await train(cfg, { threads: 1 })).status).toBe('finished');
    expect((await train(cfg, onGpu)).status).toBe('finished');
  });
});
