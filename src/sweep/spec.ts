// A sweep: fixed config fields, swept variables (a grid when several), and a scale. Its points are
// numbered in grid order; the number ties each point to its runs in the store, which is what lets
// the same command resume.
import { createHash } from 'node:crypto';
import { ConfigError, parseRunConfig, type RunConfig, type RunConfigInput } from '../config/schema.js';
import { log2BatchFor, type Scale } from './scale.js';
import { expandGrid, type SweepValue, type SweepVariable } from './values.js';

export interface SweepSpec {
  name: string;
  /** The Table 1 batch it runs, if any. */
  batch?: string;
  fixed: RunConfigInput;
  variables: SweepVariable[];
  scale: Scale;
}

export interface SweepPoint {
  index: number;
  values: Record<string, SweepValue>;
  config: RunConfig;
}

/** Every point's full, validated config; a bad value is a ConfigError naming its field. */
export function sweepPoints(spec: SweepSpec): SweepPoint[] {
  const seen = new Set<string>();
  for (const v of spec.variables) {
    if (seen.has(v.field)) throw new ConfigError(v.field, v.field, 'is swept twice');
    seen.add(v.field);
    if (v.field in spec.fixed) throw new ConfigError(v.field, v.values.join(','), 'is fixed in this sweep and cannot be swept as well');
    if (v.field === 'log2_batch_size' || v.field === 'log2_training_steps') {
      throw new ConfigError(v.field, v.values.join(','), 'is set by the scale (--scale, or the flag itself as a fixed value), not swept');
    }
  }
  return expandGrid(spec.variables).map((values, index) => {
    const input = { ...spec.fixed, ...values } as Record<string, unknown>;
    const k = parseRunConfig(input).k;
    const config = parseRunConfig({
      ...input,
      log2_batch_size: log2BatchFor(spec.scale, k),
      log2_training_steps: spec.scale.log2_training_steps,
    });
    return { index, values, config };
  });
}

/** A stable short digest of a specification, for derived names. */
export function specDigest(spec: Omit<SweepSpec, 'name'>): string {
  return createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 6);
}

/** Readable value for tables and names: 0.001, -1.7, 0.0625, ReLU. */
export const formatValue = (v: SweepValue): string => (typeof v === 'number' ? String(Number(v.toPrecision(6))) : v);
