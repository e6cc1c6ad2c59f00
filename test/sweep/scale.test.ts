// Named scales: what each preset is, how flags override it, and how a run's scale is named back.
import { describe, expect, it } from 'vitest';
import { log2BatchFor, resolveScale, runScaleOf, scaleLabel } from '../../src/sweep/scale.js';

describe('scales', () => {
  it('laptop, long and paper are batch 2^10 x 2^13, 2^10 x 2^16 and 2^13 x 2^17', () => {
    expect(scaleLabel(resolveScale('laptop', {}))).toBe('laptop (batch 2^10, 2^13 steps)');
    expect(scaleLabel(resolveScale('long', {}))).toBe('long (batch 2^10, 2^16 steps)');
    expect(scaleLabel(resolveScale('paper', {}))).toBe('paper (batch 2^13, 2^17 steps)');
  });

  it('an override makes the scale custom; a bad name is a ConfigError naming the scales', () => {
    expect(resolveScale('long', { log2_training_steps: 14 })).toMatchObject({
      name: 'custom',
      log2_training_steps: 14,
    });
    expect(() => resolveScale('huge', {})).toThrow(/--scale: "huge" .*smoke, laptop, long, paper/);
  });

  it('batch x k = 2^23 for k sweeps when asked', () => {
    expect(log2BatchFor(resolveScale('paper', {}, true), 1024)).toBe(13);
    expect(log2BatchFor(resolveScale('paper', {}, true), 16)).toBe(19);
  });

  it('names a run by the preset its batch and steps match', () => {
    expect(scaleLabel(runScaleOf({ log2_batch_size: 10, log2_training_steps: 16 }))).toBe(
      'long (batch 2^10, 2^16 steps)',
    );
    expect(runScaleOf({ log2_batch_size: 10, log2_training_steps: 15 }).name).toBe('custom');
  });
});
