// Figure: loss against monosemanticity over the runs of many sweeps (every batch of Table 1), one
// panel a sweep with every other sweep's runs in grey behind it. Tasks and feature distributions
// have losses of different sizes, so the loss is shown as a fraction of the zero-output loss (the
// loss of a model that outputs 0): 1 is a model that learned nothing, on every panel alike.
import type { TopLevelSpec } from 'vega-lite';
import { NUMBER_LABEL_EXPR, topLevel, type Spec } from './common.js';
import { MEASURE_LABELS } from './labels.js';
import type { FigureOptions, RunMark } from './types.js';

export interface OverviewRun {
  /** The panel it belongs to: its batch (or sweep). */
  panel: string;
  /** The value it was run at, as printed ("0.03", "-1.1"); runs sharing it (seeds) share a label. */
  value: string;
  /** Its place along the panel's line: the swept value when it is a number, else its rank. */
  order: number;
  /** The loss (mean of the last 64 records) divided by the zero-output loss. */
  loss_fraction: number;
  mono_per_feature: number;
  mark: RunMark;
  id: string;
}

export interface OverviewPanel {
  panel: string;
  /** What the panel's runs sweep, e.g. "learning rate". */
  swept: string;
  /** Whether its values lie along one line (a single numeric field), which the panel then draws. */
  ordered: boolean;
}

export interface LossVsMonoOverviewInput extends FigureOptions {
  /** The panels in reading order. */
  panels: readonly OverviewPanel[];
  runs: readonly OverviewRun[];
  columns?: number;
}

const OWN = '#1f5fa8';
const OTHERS = '#c4c4c4';

/** One panel per batch: its runs joined in swept order and labelled with their values. */
export function lossVsMonoOverview(input: LossVsMonoOverviewInput): TopLevelSpec {
  const drawable = (r: OverviewRun) =>
    r.mark !== 'diverged' && Number.isFinite(r.loss_fraction) && Number.isFinite(r.mono_per_feature);
  const runs = input.runs.filter(drawable);
  if (runs.length === 0) throw new Error('lossVsMonoOverview needs at least one run that did not diverge');
  const left = input.runs.length - runs.length;
  const panels = input.panels.filter((p) => runs.some((r) => r.panel === p.panel));
  // Two lines (split by the header's labelExpr), so that a long name does not widen its column.
  const title = (p: OverviewPanel) => `${p.panel}|${p.swept}`;

  // Each panel holds every run: its own in colour, the rest in grey (facets only see their rows).
  const rows = panels.flatMap((p) =>
    runs.map((r) => ({
      kind: 'run',
      panel: title(p),
      own: r.panel === p.panel,
      x: r.loss_fraction,
      y: r.mono_per_feature,
      open: r.mark === 'never-learned',
      value: r.value,
      id: r.id,
    })),
  );
  // The line and labels go through the mean over the runs sharing a value (seeds).
  const means = panels.flatMap((p) => {
    const byValue = new Map<string, OverviewRun[]>();
    for (const r of runs.filter((r) => r.panel === p.panel)) byValue.set(r.value, [...(byValue.get(r.value) ?? []), r]);
    const mean = (rs: OverviewRun[], f: (r: OverviewRun) => number) => rs.reduce((s, r) => s + f(r), 0) / rs.length;
    const points = [...byValue.entries()]
      .map(([value, rs]) => ({
        kind: 'mean',
        panel: title(p),
        line: p.ordered,
        value,
        order: rs[0]!.order,
        x: mean(rs, (r) => r.loss_fraction),
        y: mean(rs, (r) => r.mono_per_feature),
      }))
      .sort((a, b) => a.order - b.order);
    // Labels on the two ends of the sweep (when it has an order) and on its most monosemantic
    // value; more would overlap.
    const best = points.reduce((a, b) => (b.y > a.y ? b : a));
    const labelled = new Set(p.ordered ? [points[0], points[points.length - 1], best] : [best]);
    return points.map((q) => ({ ...q, label: labelled.has(q) ? q.value : '' }));
  });

  const xMax = Math.max(1.05, ...runs.map((r) => r.loss_fraction)) * 1.03;
  const yMax = Math.max(0.1, ...runs.map((r) => r.mono_per_feature)) * 1.08;
  const x = {
    field: 'x',
    type: 'quantitative',
    scale: { domain: [0, xMax], nice: false },
    axis: { title: 'loss (last 64) / zero-output loss', labelExpr: NUMBER_LABEL_EXPR, tickCount: 4 },
  };
  const y = {
    field: 'y',
    type: 'quantitative',
    scale: { domain: [0, yMax], nice: false },
    axis: { title: MEASURE_LABELS.monoPerFeature, labelExpr: NUMBER_LABEL_EXPR, tickCount: 4 },
  };
  const tooltip = [
    { field: 'panel', type: 'nominal', title: 'batch' },
    { field: 'value', type: 'nominal', title: 'value' },
    { field: 'x', type: 'quantitative', title: 'loss / zero-output loss', format: '.3~g' },
    { field: 'y', type: 'quantitative', title: 'mono / N', format: '.3~g' },
    { field: 'id', type: 'nominal', title: 'run' },
  ];
  const point = (filter: string, color: string, filled: boolean, size: number): Spec => ({
    transform: [{ filter: `datum.kind == 'run' && ${filter}` }],
    mark: { type: 'point', filled, size, color, strokeWidth: 1.4, opacity: 0.95 },
    encoding: { x, y, tooltip },
  });
  const spec: Spec = {
    width: 200,
    height: 150,
    layer: [
      // x = 1: the zero-output loss, where a run learned nothing.
      {
        transform: [{ aggregate: [{ op: 'count', as: 'n' }] }],
        mark: { type: 'rule', strokeDash: [4, 3], color: '#999' },
        encoding: { x: { datum: 1, scale: x.scale } },
      },
      point('!datum.own', OTHERS, true, 14),
      {
        transform: [{ filter: "datum.kind == 'mean' && datum.line" }],
        mark: { type: 'line', color: OWN, strokeWidth: 1.2, opacity: 0.7 },
        encoding: { x, y, order: { field: 'order', type: 'quantitative' } },
      },
      point('datum.own && !datum.open', OWN, true, 34),
      point('datum.own && datum.open', OWN, false, 34),
      {
        transform: [{ filter: "datum.kind == 'mean'" }],
        mark: { type: 'text', align: 'left', dx: 5, dy: -5, fontSize: 10, color: '#222' },
        encoding: { x, y, text: { field: 'label' } },
      },
    ],
  };
  const notes = [
    'grey: the runs of every other panel; line: the mean over the runs (seeds) at each swept value, in order',
    'labels: the lowest and highest swept value and the most monosemantic one (only that one on a grid)',
    'dashed: the zero-output loss (a model that outputs 0); open: never learned',
    ...(left ? [`${left} diverged run${left === 1 ? '' : 's'} left out`] : []),
  ];
  return topLevel(
    input,
    'Loss against monosemanticity, every run',
    {
      data: { values: [...rows, ...means] },
      facet: {
        field: 'panel',
        type: 'nominal',
        sort: panels.map(title),
        header: {
          title: null,
          labelAnchor: 'start',
          labelFontSize: 12,
          labelExpr: "split(datum.label, '|')",
        },
      },
      columns: input.columns ?? 4,
      spec,
      resolve: { scale: { x: 'shared', y: 'shared' } },
    },
    notes,
  );
}
