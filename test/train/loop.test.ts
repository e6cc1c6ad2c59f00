import { describe, expect, it } from 'vitest';
import { parseRunConfig } from '../../src/config/schema.js';
import { chunkLength } from '../../src/train/loop.js';
import { train } from '../../src/train/train.js';

const small = { N: 64, m: 16, k: 128, log2_batch_size: 7, log2_training_steps: 8, learning_rate: 0.01 };

describe('training loop', () => {
  it('chunks end at snapshot steps and every 16 steps', () => {
    const starts: number[] = [];
    for (let first = 0; first < 64; first += chunkLength(first, 64)) starts.push(first);
    expect(starts).toEqual([0, 1, 2, 4, 8, 16, 32, 48]);
    expect(chunkLength(0, 1)).toBe(1);
  });

  it('records the loss every 16 steps and snapshots after steps 2^n - 1', async () => {
    const r = await train(parseRunConfig(small), { threads: 1 });
    expect(r.status).toBe('finished');
    expect(r.losses.steps).toEqual(Array.from({ length: 16 }, (_, i) => i * 16));
    expect(r.snapshots.map((s) => s.step)).toEqual([0, 1, 3, 7, 15, 31, 63, 127, 255]);
    expect(r.snapshots.at(-1)!.W2).toEqual(r.params.W2);
  });

  it('lowers the loss on a short decoder run', async () => {
    const { losses } = await train(parseRunConfig(small), { threads: 2 });
    const last = losses.loss.slice(-4).reduce((a, b) => a + b) / 4;
    expect(last).toBeLessThan(0.7 * losses.loss[0]!);
  });

  it.each(['decoder', 're-projector', 'abs'] as const)(
    'is deterministic for a seed and thread count (%s)',
    async (task) => {
      const cfg = parseRunConfig({ ...small, task, log2_training_steps: 6, seed: 5 });
      const [a, b] = [await train(cfg, { threads: 2 }), await train(cfg, { threads: 2 })];
      expect(Float32Array.from(a.losses.loss)).toEqual(Float32Array.from(b.losses.loss));
      expect(a.params.W1).toEqual(b.params.W1);
      const other = await train(parseRunConfig({ ...cfg, seed: 6 }), { threads: 2 });
      expect(other.losses.loss).not.toEqual(a.losses.loss);
    },
  );

  it('stops a diverging run within 16 steps and says where', async () => {
    const cfg = parseRunConfig({ ...small, optimizer: 'sgd', learning_rate: 1e4, schedule: 'constant' });
    const r = await train(cfg, { threads: 1 });
    expect(r.status).toBe('diverged');
    expect(r.divergedAtStep).toBeGreaterThan(0);
    expect(r.losses.steps.at(-1) ?? 0).toBeLessThanOrEqual(r.divergedAtStep!);
    expect(r.divergedAtStep! - (r.losses.steps.at(-1) ?? 0)).toBeLessThanOrEqual(16);
  });

  it.each(['adam', 'adamw', 'sgd'] as const)('trains with %s', async (optimizer) => {
    const r = await train(
      parseRunConfig({
        ...small,
        optimizer,
        learning_rate: optimizer === 'sgd' ? 0.01 : 0.003,
        log2_training_steps: 7,
      }),
      { threads: 2 },
    );
    expect(r.status).toBe('finished');
    expect(r.losses.loss.at(-1)!).toBeLessThan(r.losses.loss[0]!);
  });
});
