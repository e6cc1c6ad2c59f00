// Sweep values as researchers write them: plain lists, or ranges that expand to SPEC.md's lists
// in one word: lin:-2:1:11 (11 evenly spaced from -2 to 1), log:1e-7:1e-1:7 (7 log-spaced),
// pow2:4:11 (2^4 ... 2^11), pow2:-1:-5:11 (2^x for 11 x evenly spaced from -1 to -5).
import { CONFIG_FIELDS, ConfigError, isNumericField, type ConfigField } from '../config/schema.js';
import { parseNumberFlag } from '../config/numbers.js';

export type SweepValue = number | string;

export interface SweepVariable {
  field: ConfigField;
  values: SweepValue[];
}

/** Rounds away float noise (lin:-2:1:11 gives -1.7, not -1.7000000000000002) to 12 significant digits. */
const tidy = (x: number): number => Number(x.toPrecision(12));

function evenly(a: number, b: number, n: number): number[] {
  return n === 1 ? [a] : Array.from({ length: n }, (_, i) => tidy(a + ((b - a) * i) / (n - 1)));
}

const RANGE = /^(lin|log|pow2):(.*)$/;

/** Expands one word of a value list: a number, a category, or a range. */
function expandWord(field: ConfigField, word: string): SweepValue[] {
  const numeric = isNumericField(field);
  const range = RANGE.exec(word);
  if (!range) return [numeric ? parseNumberFlag(field, word) : word];
  if (!numeric) throw new ConfigError(field, word, 'ranges are for numeric fields only');
  const [, kind, rest] = range;
  const parts = rest!.split(':').map((p) => parseNumberFlag(field, p));
  const usage = `expected lin:FROM:TO:COUNT, log:FROM:TO:COUNT, pow2:FROM:TO or pow2:FROM:TO:COUNT`;
  if (kind === 'pow2' && parts.length === 2) {
    const [a, b] = parts as [number, number];
    if (!Number.isInteger(a) || !Number.isInteger(b))
      throw new ConfigError(field, word, `pow2:FROM:TO needs integer exponents; ${usage}`);
    return evenly(a, b, Math.abs(b - a) + 1).map((x) => tidy(2 ** x));
  }
  if (parts.length !== 3) throw new ConfigError(field, word, usage);
  const [a, b, n] = parts as [number, number, number];
  if (!Number.isInteger(n) || n < 1)
    throw new ConfigError(field, word, `the count must be a positive integer; ${usage}`);
  switch (kind) {
    case 'lin':
      return evenly(a, b, n);
    case 'pow2':
      return evenly(a, b, n).map((x) => tidy(2 ** x));
    default:
      if (a <= 0 || b <= 0) throw new ConfigError(field, word, 'log-spaced ends must be positive');
      return evenly(Math.log10(a), Math.log10(b), n).map((x) => tidy(10 ** x));
  }
}

export function sweepField(name: string): ConfigField {
  if (!(CONFIG_FIELDS as string[]).includes(name))
    throw new ConfigError(name, name, `not a config field; sweepable: ${CONFIG_FIELDS.join(', ')}`);
  return name as ConfigField;
}

/** A variable from its name and words; values may also be comma-separated within a word. */
export function parseVariable(name: string, words: string[]): SweepVariable {
  const field = sweepField(name);
  const values = words
    .flatMap((w) => w.split(','))
    .filter((w) => w !== '')
    .flatMap((w) => expandWord(field, w));
  if (values.length === 0) throw new ConfigError(field, '', 'a sweep needs at least one value');
  return { field, values };
}

/** Every combination of the variables' values, the first variable outermost. */
export function expandGrid(variables: SweepVariable[]): Record<string, SweepValue>[] {
  return variables.reduce<Record<string, SweepValue>[]>(
    (points, v) => points.flatMap((p) => v.values.map((value) => ({ ...p, [v.field]: value }))),
    [{}],
  );
}
