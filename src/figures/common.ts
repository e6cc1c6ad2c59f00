// Pieces shared by the figure definitions: titles with the scale caption, the colour rule for swept
// values, number formats and the common config.
import type { TopLevelSpec } from 'vega-lite';
import { fieldLabel, formatValue } from './labels.js';
import type { FigureOptions, RunMark, SweepValue } from './types.js';

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

/** Above this many distinct numeric values the legend is a colour bar; up to it, a symbol per value. */
const MAX_SYMBOL_LEGEND = 16;

/**
 * The colour encoding of the swept value (data field `value`), with a legend titled by the
 * field's label. Up to 16 numbers get a symbol legend listing exactly the swept values, printed
 * as formatValue prints them (a colour bar's ticks would not say which runs there are); more get
 * a colour bar.
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
  const legend: Spec =
    distinct.length <= MAX_SYMBOL_LEGEND
      ? {
          title,
          type: 'symbol',
          values: distinct,
          labelExpr: valueLabelExpr(distinct),
          symbolStrokeWidth: 3,
          symbolOpacity: 1,
        }
      : { title, type: 'gradient', labelExpr: NUMBER_LABEL_EXPR, gradientLength: 160 };
  return {
    field: 'value',
    type: 'quantitative',
    scale: { type: kind, scheme: LINE_SCHEME, ...(kind === 'linear' ? { zero: false, nice: false } : {}) },
    legend,
  };
}

/**
 * A Vega expression printing each of `values` as formatValue does: a lookup rather than a Vega
 * format, whose minus sign and rounding differ from formatValue's.
 */
function valueLabelExpr(values: readonly SweepValue[]): string {
  return `${JSON.stringify(values.map(formatValue))}[indexof(${JSON.stringify(values)}, datum.value)]`;
}

/** A quantitative axis of swept values: log when log-spaced, with the values as ticks when few. */
export function sweepAxisScale(values: readonly number[]): { scale: Spec; axis: Spec } {
  const log = isLogSpaced(values);
  const distinct = [...new Set(values)].sort((a, b) => a - b);
  const axis: Spec = { labelExpr: NUMBER_LABEL_EXPR };
  if (distinct.length <= 12) axis.values = distinct;
  return { scale: log ? { type: 'log', nice: false, padding: 12 } : { zero: false, nice: false, padding: 12 }, axis };
}

/** Line dashes of the run marks: a diverged run dashed, one that never learned dotted. */
export const MARK_DASH: Record<RunMark, number[]> = { ok: [], diverged: [6, 3], 'never-learned': [1.5, 2.5] };

/** Line dashes by the data's `mark` field (MARK_DASH), explained in the subtitle rather than a legend. */
export function markDashEncoding(): Spec {
  const domain = Object.keys(MARK_DASH) as RunMark[];
  return { field: 'mark', type: 'nominal', scale: { domain, range: domain.map((m) => MARK_DASH[m]) }, legend: null };
}

/**
 * What the marks mean, as subtitle notes; empty when every run is `ok`. `drawn` overrides how a
 * figure draws a mark (default: diverged dashed, never learned dotted).
 */
export function markNotes(
  marks: readonly (RunMark | undefined)[],
  drawn: { diverged?: string; 'never-learned'?: string } = {},
): string[] {
  const notes: string[] = [];
  const count = (m: RunMark) => marks.filter((x) => x === m).length;
  if (count('diverged'))
    notes.push(
      `${drawn.diverged ?? 'dashed'}: diverged (${count('diverged')} run${count('diverged') > 1 ? 's' : ''}; drawn up to its divergence)`,
    );
  if (count('never-learned'))
    notes.push(
      `${drawn['never-learned'] ?? 'dotted'}: never learned, final loss within 5% of the zero-output loss (${count('never-learned')} run${count('never-learned') > 1 ? 's' : ''})`,
    );
  return notes;
}

/**
 * markNotes for scatter plots, which cannot draw a diverged run (its values are not finite): it
 * is left out and counted; a run that never learned is an open point.
 */
export function pointMarkNotes(marks: readonly (RunMark | undefined)[]): string[] {
  const diverged = marks.filter((m) => m === 'diverged').length;
  const left = diverged ? [`left out: ${diverged} diverged run${diverged > 1 ? 's' : ''} (values not finite)`] : [];
  return [
    ...left,
    ...markNotes(
      marks.filter((m) => m === 'never-learned'),
      { 'never-learned': 'open points' },
    ),
  ];
}
