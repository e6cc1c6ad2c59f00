import { describe, expect, it } from 'vitest';
import { parseRunConfig } from '../../src/config/schema.js';
import { biasScale, learningRate } from '../../src/train/schedule.js';

describe('paper schedule: CosineAnnealingLR(T_max=512) stepped every step', () => {
  const cfg = parseRunConfig({ learning_rate: 0.01, log2_training_steps: 12 });
  it.each([
    [0, 0.01], // full rate
    [256, 0.005], // half way down
    [512, 0], // zero at T_max
    [768, 0.005], // climbing back
    [1024, 0.01], // one full period
  ])('step %i gives %f', (step, expected) => {
    expect(learningRate(cfg, step)).toBeCloseTo(expected, 15);
  });
});

describe('other schedules', () => {
  it('cosine decays once over the whole run', () => {
    const cfg = parseRunConfig({ learning_rate: 0.01, log2_training_steps: 11, schedule: 'cosine' });
    expect(learningRate(cfg, 0)).toBeCloseTo(0.01, 15);
    expect(learningRate(cfg, 512)).toBeCloseTo((0.01 * (1 + Math.SQRT1_2)) / 2, 15);
    expect(learningRate(cfg, 1024)).toBeCloseTo(0.005, 15);
  });
  it('constant stays put', () => {
    const cfg = parseRunConfig({ learning_rate: 0.01, schedule: 'constant' });
    expect(learningRate(cfg, 512)).toBe(0.01);
  });
  it('linear warm-up scales the first steps', () => {
    const cfg = parseRunConfig({ learning_rate: 0.01, schedule: 'constant', warmup_steps: 4 });
    expect([0, 1, 2, 3, 4].map((i) => learningRate(cfg, i))).toEqual([0.0025, 0.005, 0.0075, 0.01, 0.01]);
  });
});

describe('bias decay', () => {
  it('uses the base rate in the first half only', () => {
    const cfg = parseRunConfig({ learning_rate: 0.01, decay: 0.03, log2_training_steps: 4 });
    expect(biasScale(cfg, 0)).toBeCloseTo(1 - 0.0003, 15);
    expect(biasScale(cfg, 7)).toBeCloseTo(1 - 0.0003, 15);
    expect(biasScale(cfg, 8)).toBe(1);
  });
});
