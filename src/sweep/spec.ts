// A sweep: fixed config fields, swept variables (a grid when several), and a scale. Its points are
// numbered in grid order; the number ties each point to its runs in the store, which is what lets
// the same command resume.
import { createHash } from 'node:crypto';
import { formatNumber } from '../figures/labels.js';
import { ConfigError, parseRunConfig, type RunConfig, type RunConfigInput } from '../config/schema.js';
import { firstIssue, sweepSpecSchema } from '../config/stored.js';
import { StoreError } from '../store/errors.js';
import type { SweepRow } from '../store/types.js';
import { log2BatchFor, type Scale } from './scale.js';
import type { Batch } from './catalogue.js';
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
    if (v.field in spec.fixed)
      throw new ConfigError(v.field, v.values.join(','), 'is fixed in this sweep and cannot be swept as well');
    if (v.field === 'log2_batch_size' || v.field === 'log2_training_steps') {
      throw new ConfigError(
        v.field,
        v.values.join(','),
        'is set by the scale (--scale, or the flag itself as a fixed value), not swept',
      );
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

/**
 * A specification read back from JSON (a plan file, a queued job, the store), its shape checked by
 * its schema (config/stored.ts) and its points by `sweepPoints`; `what` names it in the error. The
 * object itself is returned, not a copy: its key order is what the store compares.
 */
export function checkSweepSpec(raw: unknown, what: string): SweepSpec {
  const shape = sweepSpecSchema.safeParse(raw);
  if (!shape.success) throw new Error(`${what}: ${firstIssue(shape.error)}`);
  sweepPoints(raw as SweepSpec);
  return raw as SweepSpec;
}

/** A stored sweep's specification, checked; a StoreError naming the sweep if it is corrupt. */
export function storedSweepSpec(row: SweepRow): SweepSpec {
  try {
    return checkSweepSpec(row.spec, `sweep ${row.name}: its stored specification is corrupt`);
  } catch (e) {
    throw new StoreError((e as Error).message);
  }
}

/** A stable short digest of a specification, for derived names. */
export function specDigest(spec: Omit<SweepSpec, 'name'>): string {
  return createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 6);
}

/** Readable value for tables and names, to 6 significant digits: 0.001, -1.7, 0.015625, ReLU. */
export const formatSweepValue = (v: SweepValue): string => (typeof v === 'number' ? formatNumber(v, 6) : v);

/** A point's swept values as text: `learning_rate=0.003 seed=2` (`run` when nothing is swept). */
export const pointLabel = (p: Pick<SweepPoint, 'values'>): string =>
  Object.entries(p.values)
    .map(([k, v]) => `${k}=${formatSweepValue(v)}`)
    .join(' ') || 'run';

/**
 * A batch as a sweep. Extra fixed values and grid variables (say, seeds) may be added for fields
 * the batch leaves open; changing a field the batch fixes or sweeps would no longer be that batch.
 */
export function batchSpec(
  batch: Batch,
  scale: Scale,
  extraFixed: Record<string, unknown>,
  extraGrid: SweepVariable[],
): SweepSpec {
  const owned = new Set([...Object.keys(batch.fixed), ...batch.variables.map((v) => v.field)]);
  for (const [field, value] of Object.entries(extraFixed)) {
    if (owned.has(field))
      throw new ConfigError(field, value, `is set by batch ${batch.name}; batches fix ${[...owned].join(', ')}`);
  }
  for (const v of extraGrid) {
    if (owned.has(v.field))
      throw new ConfigError(
        v.field,
        v.values.map(formatSweepValue).join(','),
        `is set by batch ${batch.name} and cannot be swept in it`,
      );
  }
  const base = {
    batch: batch.name,
    fixed: { ...batch.fixed, ...extraFixed },
    variables: [...batch.variables, ...extraGrid],
    scale,
  };
  const scalePart = scale.name === 'custom' ? `b${scale.log2_batch_size}s${scale.log2_training_steps}` : scale.name;
  const extra = Object.keys(extraFixed).length || extraGrid.length || scale.constant_batch_times_k;
  return { name: `${batch.name}-${scalePart}${extra ? `-${specDigest(base)}` : ''}`, ...base };
}
