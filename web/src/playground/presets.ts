// Presets: each Table 1 batch (src/sweep/catalogue.ts) at a size the browser trains in seconds,
// with two values of the batch's swept variable as the two configurations to compare.
import { CATALOGUE, type Batch } from '../../../src/sweep/catalogue.js';
import { DEFAULTS, FIELDS, type FieldValues, type PlaygroundField } from './params.js';

/** The browser's size: N=128, m=32, k=256 for the paper's 512, 64, 1024 (k = 2048 -> 512). */
const SHRINK: Record<string, number> = { N: 4, m: 2, k: 4 };

/** The two values of a swept variable that a preset compares: a low and a high end of its range. */
const PAIRS: Record<string, [number, number]> = {
  learning_rate: [0.003, 0.03],
  initial_bias: [-1.1, 0.1],
  eps: [1 / 4, 1 / 32],
  k: [128 / 2, 128 * 2],
  reg: [1e-5, 1e-3],
  decay: [0.1, 0.001],
};

export interface Preset {
  name: string;
  /** What the batch varies, for the menu: "learning rate 0.003 vs 0.03". */
  compares: string;
  a: FieldValues;
  b: FieldValues;
}

function preset(batch: Batch): Preset {
  const fixed = batch.fixed as Record<string, number | string | undefined>;
  const a: FieldValues = { ...DEFAULTS };
  for (const { field } of FIELDS) {
    const v = fixed[field];
    if (v === undefined) continue;
    a[field] = String(field in SHRINK ? Number(v) / SHRINK[field]! : v);
  }
  const b = { ...a };
  batch.variables.forEach((v, i) => {
    const [low, high] = PAIRS[v.field]!;
    const field = v.field as PlaygroundField;
    a[field] = String(low);
    // The first swept variable is the one compared; any other stays at its low value.
    b[field] = String(i === 0 ? high : low);
  });
  const first = batch.variables[0]!.field;
  return {
    name: batch.name,
    compares: `${first.replace(/_/g, ' ')} ${a[first as PlaygroundField]} vs ${b[first as PlaygroundField]}`,
    a,
    b,
  };
}

export const PRESETS: readonly Preset[] = CATALOGUE.map(preset);
