// Which features the amplitude-response figures summarise: a response per feature costs
// k x amplitudes floats, so figures take an evenly spaced sample of features, not all N.
import type { AnalyseOptions } from './snapshot.js';

/** At most this many features, evenly spaced over 0 .. N-1. */
export const AMPLITUDE_FEATURES = 64;
/** Amplitudes 0, 0.02, ..., 1. */
export const AMPLITUDE_POINTS = 51;

/** `count` features evenly spaced over 0 .. N-1 (all of them when N <= count). */
export function amplitudeFeatures(N: number, count = AMPLITUDE_FEATURES): number[] {
  if (N <= count) return Array.from({ length: N }, (_, j) => j);
  return Array.from({ length: count }, (_, i) => Math.round((i * (N - 1)) / (count - 1)));
}

/** The analysis options that compute the figures' amplitude responses. */
export function amplitudeOptions(N: number): Pick<AnalyseOptions, 'amplitudeFeatures' | 'amplitudes'> {
  return { amplitudeFeatures: amplitudeFeatures(N), amplitudes: AMPLITUDE_POINTS };
}
