// Pieces shared by the figure definitions: titles with the scale caption, the colour rule for swept
// values, number formats and the common config.
import type { TopLevelSpec } from 'vega-lite';
import { fieldLabel } from './labels.js';
import type { FigureOptions, SweepValue } from './types.js';

/** A piece of a Vega-Lite spec under construction (the top level is typed as TopLevelSpec). */
export type Spec = Record<string, unknown>;

export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/**
 * Vega expression formatting a number label like formatNumber: integers as they are, tiny
 * magnitudes in exponent form, otherwise 3 significant digits.
 */
export const NUMBER_LABEL_EXPR =
  "datum.value == 0 ? '0' : (datum.value == floor(datum.value) && abs(datum.value) < 1e6) ? format(datum.value, 'd')" +
  " : (abs(datum.value) < 0.001 || abs(datum.value) >= 1e6) ? replace(format(datum.value, '.2~e'), '+', '')" +
  " : format(datum.value, '.3~r')";

/** The title block: the figure's title with the scale caption (and any notes) as its subtitle. */
export function titleBlock(opts: FigureOptions, defaultTitle: string, notes: string[] = []): Spec {
  if (!opts.scale || !opts.scale.trim()) throw new Error('a figure needs its scale caption (FigureOptions.scale)');
  const caption = `scale: ${opts.scale}`;
  return {
    text: opts.title ?? defaultTitle,
    subtitle: notes.length ? [caption, ...notes] : caption,
    anchor: 'start',
    fontSize: 15,
    subtitleFontSize: 12,
    subtitleColor: '#555',
    offset: 12,
  };
}

/** Config shared by all figures: white background, readable fonts. */
export const CONFIG: Spec = {
  background: 'white',
  padding: 8,
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', grid: true, gridOpacity: 0.5 },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' },
  header: { labelFontSize: 12, titleFontSize: 12 },
  view: { stroke: '#888' },
  concat: { spacing: 24 },
};

/**
 * Wraps a composed spec as a top-level spec with the schema, title and config. `notes` are extra
 * subtitle lines below the scale caption.
 */
export function topLevel(opts: FigureOptions, defaultTitle: string, body: Spec, notes: string[] = []): TopLevelSpec {
  if ('title' in body) throw new Error('topLevel: the body must not carry its own title');
  return {
    $schema: SCHEMA,
    title: titleBlock(opts, defaultTitle, notes),
    ...body,
    config: CONFIG,
  } as unknown as TopLevelSpec;
}

/** Fields whose values are categories even when they are numbers. */
const CATEGORICAL_FIELDS = new Set(['seed', 'nonlinearity', 'sample_kind', 'task', 'optimizer', 'schedule', 'threads']);

export type ColorScaleKind = 'log' | 'linear' | 'nominal';

/**
 * How swept values are coloured: categories (strings, categorical fields such as seed, or a single
 * value) get nominal colours; log-spaced numbers (isLogSpaced: all positive and max / min >= 100,
 * or >= 10 and more evenly spaced in log) a log scale; other numbers a linear scale.
 */
export function colorScaleKind(field: string, values: readonly SweepValue[]): ColorScaleKind {
  if (CATEGORICAL_FIELDS.has(field)) return 'nominal';
  if (!values.every((v) => typeof v === 'number' && Number.isFinite(v))) return 'nominal';
  const nums = values as number[];
  if (new Set(nums).size < 2) return 'nominal';
  return isLogSpaced(nums) ? 'log' : 'linear';
}

/**
 * Whether values are best shown on a log scale: all positive and either max / min >= 100, or
 * max / min >= 10 with at least 3 distinct values spaced more evenly in log than in linear terms
 * (the learning rates 0.001 ... 0.03 of Table 1, eps = 2^-1 ... 2^-5).
 */
export function isLogSpaced(values: readonly number[]): boolean {
  if (values.length === 0 || !values.every((v) => v > 0 && Number.isFinite(v))) return false;
  const ratio = Math.max(...values) / Math.min(...values);
  if (ratio >= 100) return true;
  if (ratio < 10) return false;
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  if (sorted.length < 3) return false;
  return spacingSpread(sorted.map(Math.log)) < spacingSpread(sorted);
}

/** Coefficient of variation of the gaps between sorted values (0 = evenly spaced). */
function spacingSpread(sorted: readonly number[]): number {
  const gaps = sorted.slice(1).map((v, i) => v - sorted[i]!);
  const mean = gaps.reduce((s, g) => s + g, 0) / gaps.length;
  const variance = gaps.reduce((s, g) => s + (g - mean) ** 2, 0) / gaps.length;
  return Math.sqrt(variance) / mean;
}

/** The data value of a swept value in a given colour kind: categories become strings. */
export function colorDatum(kind: ColorScaleKind, value: SweepValue): SweepValue {
  return kind === 'nominal' ? String(value) : value;
}

/** Swept values in plotting order: numbers ascending, then strings in first-seen order. */
export function orderedValues(values: readonly SweepValue[]): SweepValue[] {
  const seen = [...new Set(values)];
  const nums = seen.filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
  const strs = seen.filter((v) => typeof v !== 'number');
  return [...nums, ...strs];
}

/** Continuous colours for lines: viridis without its pale yellow end, which is hard to see on white. */
const LINE_SCHEME = { name: 'viridis', extent: [0, 0.88] };

/**
 * The colour encoding of the swept value (data field `value`), with a legend titled by the
 * field's label; the legend lists the swept values when there are few of them.
 */
export function sweepColorEncoding(field: string, values: readonly SweepValue[], label?: string): Spec {
  const kind = colorScaleKind(field, values);
  const title = label ?? fieldLabel(field);
  const distinct = orderedValues(values);
  if (kind === 'nominal') {
    return {
      field: 'value',
      type: 'nominal',
      scale: { domain: distinct.map(String), scheme: distinct.length <= 10 ? 'tableau10' : 'category20' },
      legend: { title },
    };
  }
  // Few values: a symbol legend listing each one; many: a colour bar.
  const legend: Spec =
    distinct.length <= 8
      ? { title, type: 'symbol', values: distinct, labelExpr: NUMBER_LABEL_EXPR, symbolStrokeWidth: 3, symbolOpacity: 1 }
      : { title, type: 'gradient', labelExpr: NUMBER_LABEL_EXPR, gradientLength: 160 };
  return {
    field: 'value',
    type: 'quantitative',
    scale: { type: kind, scheme: LINE_SCHEME, ...(kind === 'linear' ? { zero: false, nice: false } : {}) },
    legend,
  };
}

/** A quantitative axis of swept values: log when log-spaced, with the values as ticks when few. */
export function sweepAxisScale(values: readonly number[]): { scale: Spec; axis: Spec } {
  const log = isLogSpaced(values);
  const distinct = [...new Set(values)].sort((a, b) => a - b);
  const axis: Spec = { labelExpr: NUMBER_LABEL_EXPR };
  if (distinct.length <= 12) axis.values = distinct;
  return { scale: log ? { type: 'log', nice: false, padding: 12 } : { zero: false, nice: false, padding: 12 }, axis };
}
