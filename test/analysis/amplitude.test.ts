import { describe, expect, it } from 'vitest';
import {
  AMPLITUDE_FEATURES,
  AMPLITUDE_POINTS,
  amplitudeFeatures,
  amplitudeOptions,
} from '../../src/analysis/amplitude.js';

describe('the features amplitude responses are summarised over', () => {
  it('are all N features when N is at most 64', () => {
    expect(AMPLITUDE_FEATURES).toBe(64);
    expect(amplitudeFeatures(5)).toEqual([0, 1, 2, 3, 4]);
    expect(amplitudeFeatures(64)).toEqual(Array.from({ length: 64 }, (_, j) => j));
  });

  it('are 64 evenly spaced features, the first and the last included, above that', () => {
    const f = amplitudeFeatures(512);
    expect(f).toHaveLength(64);
    expect(f[0]).toBe(0);
    expect(f[63]).toBe(511);
    // Steps of 511 / 63 = 8.11, rounded: 0, 8, 16, 24, 32, 41, ...
    expect(f.slice(0, 6)).toEqual([0, 8, 16, 24, 32, 41]);
    expect(new Set(f).size).toBe(64);
    expect(amplitudeFeatures(65)).toEqual([...Array.from({ length: 63 }, (_, i) => Math.round((i * 64) / 63)), 64]);
    expect(amplitudeFeatures(10, 4)).toEqual([0, 3, 6, 9]);
  });

  it('are measured at 51 amplitudes, 0, 0.02, ..., 1', () => {
    expect(AMPLITUDE_POINTS).toBe(51);
    expect(amplitudeOptions(128)).toEqual({ amplitudeFeatures: amplitudeFeatures(128), amplitudes: 51 });
  });
});
