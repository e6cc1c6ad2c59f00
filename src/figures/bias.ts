// Figure: each run's biases in heat-map order (x = sorted neuron index, y = bias), one line per
// run coloured by the swept value, with a dashed rule at x = N and a dotted rule per run at its
// monosemantic count (its monosemantic neurons come first in heat-map order). A few runs have
// biases far from the rest (down to -40 where most lie within ±2), so the y range is robust.
import type { TopLevelSpec } from 'vega-lite';
import {
  colorDatum,
  colorScaleKind,
  markDashEncoding,
  markNotes,
  sweepColorEncoding,
  topLevel,
  type Spec,
} from './common.js';
import { formatNumber, MEASURE_LABELS, fieldLabel } from './labels.js';
import type { FigureOptions, RunMark, SweepValue, SweptField } from './types.js';

export interface BiasRun {
  value: SweepValue;
  /** Distinguishes runs that share a swept value; defaults to the run's index. */
  id?: string;
  /** b1 of the (final) snapshot, in heat-map order. */
  biases: ArrayLike<number>;
  /** The run's number of monosemantic neurons: a dotted rule in its colour marks x = mono. */
  mono?: number;
  /** How the run ended: a diverged run is drawn dashed, one that never learned dotted. */
  mark?: RunMark;
}

export interface BiasPlotInput extends FigureOptions {
  /** The swept field; leave out for a single run or unrelated runs. */
  sweep?: SweptField;
  runs: readonly BiasRun[];
  /** The number of features: a vertical rule marks x = N. */
  N: number;
  width?: number;
  height?: number;
}

export interface BiasRange {
  /** The y domain: the 0.5th to the 99.5th percentile, widened to include 0, padded by 5%. */
  domain: [number, number];
  /** How many (finite) biases lie outside the domain, and the lowest and highest of those. */
  outside: number;
  lowest?: number;
  highest?: number;
}

/**
 * A y range that fits the bulk of the biases: from the 0.5th to the 99.5th percentile of all of
 * them (ranks rounded outwards, so fewer than 200 values are never cut), always including 0, padded
 * by 5% of its span on each side. Non-finite biases are ignored. `fitted` (default: all runs) are
 * the runs the range is fitted to; `outside` counts the biases of every run.
 */
export function biasRange(runs: readonly ArrayLike<number>[], fitted: readonly ArrayLike<number>[] = runs): BiasRange {
  const finite = (rs: readonly ArrayLike<number>[]) =>
    Float64Array.from(rs.flatMap((b) => Array.from(b).filter(Number.isFinite))).sort();
  const all = finite(runs);
  const fit = finite(fitted);
  if (fit.length === 0) return { domain: [-1, 1], outside: 0 };
  const lo = Math.min(0, fit[Math.floor(0.005 * (fit.length - 1))]!);
  const hi = Math.max(0, fit[Math.ceil(0.995 * (fit.length - 1))]!);
  const pad = 0.05 * (hi - lo);
  const domain: [number, number] = hi > lo ? [lo - pad, hi + pad] : [-1, 1];
  const below = all.filter((b) => b < domain[0]);
  const above = all.filter((b) => b > domain[1]);
  return {
    domain,
    outside: below.length + above.length,
    ...(below.length ? { lowest: all[0]! } : {}),
    ...(above.length ? { highest: all[all.length - 1]! } : {}),
  };
}

/** "3 biases outside the range not shown (lowest −40.2, highest 25)", or nothing when none are. */
export function biasRangeNote(r: BiasRange): string[] {
  if (r.outside === 0) return [];
  // The axis labels print minus signs as U+2212; so does the note.
  const fmt = (v: number) => formatNumber(v).replace('-', '−');
  const extremes = [
    r.lowest !== undefined ? `lowest ${fmt(r.lowest)}` : '',
    r.highest !== undefined ? `highest ${fmt(r.highest)}` : '',
  ].filter(Boolean);
  return [`${r.outside} ${r.outside === 1 ? 'bias' : 'biases'} outside the range not shown (${extremes.join(', ')})`];
}

/** The biases of each run in heat-map order, with a rule at x = N and one per run at its monosemantic count. */
export function biasPlot(input: BiasPlotInput): TopLevelSpec {
  if (input.runs.length === 0) throw new Error('biasPlot needs at least one run');
  const ids = input.runs.map((r, i) => r.id ?? String(i));
  const field = input.sweep?.field ?? 'run';
  const values: SweepValue[] = input.sweep ? input.runs.map((r) => r.value) : ids;
  const kind = input.sweep ? colorScaleKind(field, values) : 'nominal';
  const marks = input.runs.map((r) => r.mark ?? 'ok');
  const rows: Record<string, unknown>[] = [];
  input.runs.forEach((run, i) => {
    const value = colorDatum(kind, values[i]!);
    for (let n = 0; n < run.biases.length; n++) {
      const bias = run.biases[n]!;
      rows.push({ run: ids[i], value, mark: marks[i], neuron: n, bias: Number.isFinite(bias) ? bias : null });
    }
  });
  const single = !input.sweep && input.runs.length === 1;
  const color: Spec = single
    ? { value: '#4c78a8' }
    : sweepColorEncoding(field, values, input.sweep?.label ?? (input.sweep ? undefined : 'run'));
  // A diverged run's biases can be huge: the range fits the other runs, when there are others.
  const ranged = input.runs.some((r) => r.mark !== 'diverged')
    ? input.runs.filter((r) => r.mark !== 'diverged')
    : input.runs;
  const range = biasRange(
    input.runs.map((r) => r.biases),
    ranged.map((r) => r.biases),
  );
  // Drawn clipped; a value far outside is held near the plot, where a renderer can still draw it.
  const span = range.domain[1] - range.domain[0];
  for (const row of rows) {
    if (typeof row.bias === 'number')
      row.bias = Math.min(range.domain[1] + span, Math.max(range.domain[0] - span, row.bias));
  }
  const maxK = Math.max(...input.runs.map((r) => r.biases.length));
  const x: Spec = {
    field: 'neuron',
    type: 'quantitative',
    scale: { domain: [0, Math.max(maxK, input.N + 1)], nice: false, zero: true },
    axis: { title: MEASURE_LABELS.neuron, format: 'd', tickMinStep: 1 },
  };
  const line: Spec = {
    data: { values: rows },
    mark: { type: 'line', strokeWidth: 1, opacity: 0.85, clip: true },
    encoding: {
      x,
      y: {
        field: 'bias',
        type: 'quantitative',
        scale: { domain: range.domain, nice: false, zero: false },
        axis: { title: MEASURE_LABELS.bias },
      },
      color,
      detail: { field: 'run', type: 'nominal' },
      ...(marks.some((m) => m !== 'ok') ? { strokeDash: markDashEncoding() } : {}),
    },
  };
  const monoRows = input.runs.flatMap((run, i) =>
    run.mono === undefined
      ? []
      : [{ run: ids[i], value: colorDatum(kind, values[i]!), mono: run.mono, label: `mono = ${run.mono}` }],
  );
  const layer: Spec[] = [
    {
      data: { values: [{ x: 0 }] },
      mark: { type: 'rule', color: '#999', strokeWidth: 1 },
      encoding: { y: { datum: 0, type: 'quantitative' } },
    },
    line,
    nRule(input.N),
  ];
  if (monoRows.length) layer.push(monoRules(monoRows, color, single));
  const notes = [
    ...(monoRows.length && !single
      ? ["dotted rules: each run's number of monosemantic neurons, which come first in heat-map order"]
      : []),
    ...biasRangeNote(range),
    ...markNotes(marks),
  ];
  const body: Spec = { width: input.width ?? 460, height: input.height ?? 260, layer };
  const title = input.sweep
    ? `Biases in heat-map order: ${input.sweep.label ?? fieldLabel(input.sweep.field)} sweep`
    : 'Biases in heat-map order';
  return topLevel(input, title, body, notes);
}

/** The dashed rule at x = N, labelled above the plot. */
function nRule(N: number): Spec {
  return {
    data: { values: [{ x: N, label: `N = ${N}` }] },
    layer: [
      {
        mark: { type: 'rule', strokeDash: [4, 3], color: '#333', strokeWidth: 1.2 },
        encoding: { x: { field: 'x', type: 'quantitative' } },
      },
      {
        mark: { type: 'text', align: 'center', baseline: 'bottom', dy: -3, fontSize: 11, color: '#333' },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } },
      },
    ],
  };
}

/** A dotted rule at each run's monosemantic count, in the run's colour; labelled when there is one run. */
function monoRules(rows: Record<string, unknown>[], color: Spec, labelled: boolean): Spec {
  const x: Spec = { field: 'mono', type: 'quantitative' };
  const rule: Spec = {
    mark: { type: 'rule', strokeDash: [1.5, 2.5], strokeWidth: 1.5 },
    encoding: { x, color, detail: { field: 'run', type: 'nominal' } },
  };
  // One line above the N label, so the two never overlap however close mono is to N.
  const label: Spec = {
    mark: { type: 'text', align: 'center', baseline: 'bottom', dy: -17, fontSize: 11 },
    encoding: { x, y: { value: 0 }, text: { field: 'label' }, color },
  };
  return { data: { values: rows }, layer: labelled ? [rule, label] : [rule] };
}
