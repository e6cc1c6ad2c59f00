// Runs trained side by side in one step graph must equal the same runs trained one by one.
import { describe, expect, it } from 'vitest';
import { parseRunConfig, type RunConfigInput } from '../../src/config/schema.js';
import { DeviceError, ensureDevice } from '../../src/train/device.js';
import { type TrainResult } from '../../src/train/loop.js';
import { train, trainTogether } from '../../src/train/train.js';

const small = { N: 64, m: 16, k: 128, log2_batch_size: 6, log2_training_steps: 7 };

function expectSame(together: TrainResult, alone: TrainResult) {
  expect(together.status).toBe(alone.status);
  expect(together.divergedAtStep).toBe(alone.divergedAtStep);
  expect(together.losses.steps).toEqual(alone.losses.steps);
  // Same data, same parameters: the batched products compute each run exactly as a lone run.
  expect(Float32Array.from(together.losses.loss)).toEqual(Float32Array.from(alone.losses.loss));
  expect(together.snapshots.map((s) => s.step)).toEqual(alone.snapshots.map((s) => s.step));
  for (const p of ['W1', 'b1', 'W2'] as const) expect(together.params[p]).toEqual(alone.params[p]);
}

async function compare(inputs: RunConfigInput[]) {
  const cfgs = inputs.map((c) => parseRunConfig({ ...small, ...c }));
  const together = await trainTogether(cfgs, { threads: 1 });
  for (const [i, cfg] of cfgs.entries()) expectSame(together[i]!, await train(cfg, { threads: 1 }));
  return together;
}

describe('runs trained together in one graph', () => {
  it('equal the same runs one by one, each with its own seed, schedule, decay, bias, L1 and data', async () => {
    await compare([
      { seed: 1, learning_rate: 0.003, decay: 0, initial_bias: 0, reg: 0 },
      { seed: 2, learning_rate: 0.01, decay: 0.03, initial_bias: -1, reg: 0.01, eps: 1 / 16 },
      { seed: 3, learning_rate: 0.005, schedule: 'constant', sample_kind: 'power_law', reg: 0.001 },
    ]);
  });

  it.each([
    ['re-projector', 'GeLU', 'lamb'],
    ['abs', 'SoLU', 'adam'],
    ['decoder', 'ReLU', 'sgd'],
  ] as const)('equal them for the %s task with %s and %s', async (task, nonlinearity, optimizer) => {
    await compare([
      { task, nonlinearity, optimizer, seed: 4, learning_rate: 0.002, log2_training_steps: 5 },
      { task, nonlinearity, optimizer, seed: 5, learning_rate: 0.006, decay: 0.01, log2_training_steps: 5 },
    ]);
  });

  it('let a diverging run stop while the others go on', async () => {
    const [wild, calm] = await compare([
      { optimizer: 'sgd', schedule: 'constant', learning_rate: 1e4 },
      { optimizer: 'sgd', schedule: 'constant', learning_rate: 0.01 },
    ]);
    expect(wild!.status).toBe('diverged');
    expect(calm!.status).toBe('finished');
  });

  it("give the same results with each chunk's steps written out as with Scan", async () => {
    const cfgs = [
      parseRunConfig({ ...small, seed: 1, reg: 0.01 }),
      parseRunConfig({ ...small, seed: 2, decay: 0.03, initial_bias: -1 }),
    ];
    const scan = await trainTogether(cfgs, { threads: 1 });
    const unrolled = await trainTogether(cfgs, { threads: 1, stepLoop: 'unrolled' });
    scan.forEach((r, i) => expectSame(unrolled[i]!, r));
  });

  it('refuses runs whose shapes differ', async () => {
    const cfgs = [parseRunConfig(small), parseRunConfig({ ...small, k: 64 })];
    await expect(trainTogether(cfgs, { threads: 1 })).rejects.toThrow(/share their shapes/);
  });
});

describe('devices', () => {
  it('fails at once with one line when WebGPU has no adapter here', async () => {
    const cfg = parseRunConfig({ ...small, log2_training_steps: 4 });
    // A Vulkan loader pointed at no driver (the adapter is asked for in a child, which inherits it).
    const saved = process.env.VK_ICD_FILENAMES;
    process.env.VK_ICD_FILENAMES = '/nonexistent/icd.json';
    try {
      const e = await ensureDevice('webgpu').catch((x: unknown) => x);
      expect(e).toBeInstanceOf(DeviceError);
      expect((e as Error).message).toMatch(/^--device webgpu is not available here: [^\n]+; use --device cpu$/);
      await expect(train(cfg, { threads: 1, device: 'webgpu' })).rejects.toThrow(DeviceError);
    } finally {
      if (saved === undefined) delete process.env.VK_ICD_FILENAMES;
      else process.env.VK_ICD_FILENAMES = saved;
    }
  });
});
