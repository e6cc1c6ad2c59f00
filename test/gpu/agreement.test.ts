// The WebGPU engine with its own sampler against the CPU engine with its own: different random
// streams, so the runs agree in distribution, not number by number. Five seeds of a configuration
// that learns (final loss about 0.45 of the zero-output loss); the final loss, the mean bias and the
// monosemantic count of the two engines agree within the seeds' spread. On SwiftShader (a CPU
// Vulkan) this is small; `npm run bench:gpu` repeats it at the paper's sizes on a real GPU.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { monosemanticity } from '../../src/analysis/cpu.js';
import { zeroOutputLoss } from '../../src/analysis/loss.js';
import { parseRunConfig } from '../../src/config/schema.js';
import { trainTogether } from '../../src/train/train.js';

const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (existsSync(SWIFTSHADER)) process.env.VK_ICD_FILENAMES ??= SWIFTSHADER;

const BASE = {
  N: 16,
  m: 4,
  k: 64,
  eps: 1 / 8,
  log2_batch_size: 6,
  log2_training_steps: 9,
  learning_rate: 0.03,
  initial_bias: -0.5,
  decay: 0.03,
};
const SEEDS = [1, 2, 3, 4, 5];

interface Measures {
  loss: number[];
  bias: number[];
  mono: number[];
}

async function measures(device: 'cpu' | 'webgpu'): Promise<Measures> {
  const cfgs = SEEDS.map((seed) => parseRunConfig({ ...BASE, seed }));
  const results = await trainTogether(cfgs, { threads: 1, device });
  const out: Measures = { loss: [], bias: [], mono: [] };
  for (const [i, r] of results.entries()) {
    expect(r.status).toBe('finished');
    const m = await monosemanticity(cfgs[i]!, r.params, r.embeddings.E, { threads: 1 });
    out.loss.push(r.losses.loss.slice(-8).reduce((a, b) => a + b, 0) / 8);
    out.bias.push(m.mean_bias);
    out.mono.push(m.monosemantic_neurons);
  }
  return out;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: number[]) => xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1);
/** Standard error of the difference of two means (Welch). */
const seDiff = (a: number[], b: number[]) => Math.sqrt(variance(a) / a.length + variance(b) / b.length);

describe('the WebGPU engine with its own sampler against the CPU engine', () => {
  it('five seeds: final loss, mean bias and monosemantic count agree within the seeds spread', async () => {
    const cpu = await measures('cpu');
    const gpu = await measures('webgpu');
    // A configuration that learns: both well below the loss of a model that outputs zero.
    const zero = zeroOutputLoss(parseRunConfig(BASE));
    expect(mean(cpu.loss)).toBeLessThan(0.6 * zero);
    expect(mean(gpu.loss)).toBeLessThan(0.6 * zero);
    for (const key of ['loss', 'bias'] as const) {
      expect(Math.abs(mean(gpu[key]) - mean(cpu[key])), key).toBeLessThan(4 * seDiff(gpu[key], cpu[key]));
    }
    // Counts are small integers: a spread of zero still allows one neuron either way.
    expect(Math.abs(mean(gpu.mono) - mean(cpu.mono))).toBeLessThanOrEqual(Math.max(1, 4 * seDiff(gpu.mono, cpu.mono)));
  }, 180_000);
});
