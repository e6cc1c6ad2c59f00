// Figure: the paper's bias decomposition. For a feature j at input amplitude a (input a e_j), the
// model's output for j, the same through the negative-bias neurons only and through the
// positive-bias neurons only, against the identity; one panel per run, each curve the mean over
// features with a 10th–90th percentile band.
import type { TopLevelSpec } from 'vega-lite';
import { NUMBER_LABEL_EXPR, topLevel, type Spec } from './common.js';
import type { FigureOptions, RunMark } from './types.js';

/** Over features, at each amplitude: the mean and the 10th / 90th percentiles. */
export interface AmplitudeCurve {
  mean: number[];
  lo: number[];
  hi: number[];
}

export interface AmplitudePanel {
  /** e.g. "learning rate = 0.03". */
  title: string;
  /** The input amplitudes, 0 to 1. */
  amplitude: number[];
  /** The full model's output for feature j at input a e_j. */
  full: AmplitudeCurve;
  /** The same through the neurons with b1 < 0 only. */
  negative_bias: AmplitudeCurve;
  /** The same through the neurons with b1 >= 0 only. */
  positive_bias: AmplitudeCurve;
  /** How many features the curves summarise. */
  features: number;
  mark?: RunMark;
}

export interface AmplitudeResponseInput extends FigureOptions {
  panels: readonly AmplitudePanel[];
  panelWidth?: number;
  panelHeight?: number;
}

/** One feature's response, as the analysis API's AmplitudeResponse (matched structurally). */
export interface FeatureAmplitudeResponse {
  amplitude: ArrayLike<number>;
  full: ArrayLike<number>;
  negative_bias: ArrayLike<number>;
  positive_bias: ArrayLike<number>;
}

const SERIES = [
  { key: 'full', label: 'full model', color: '#4c78a8' },
  { key: 'negative_bias', label: 'negative-bias neurons (b1 < 0)', color: '#e45756' },
  { key: 'positive_bias', label: 'positive-bias neurons (b1 ≥ 0)', color: '#54a24b' },
] as const;

const BAND = { lo: 0.1, hi: 0.9 };

/**
 * The p-quantile of ascending values by linear interpolation between closest ranks (numpy's
 * default): position h = (n - 1) p, value x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]).
 */
function quantile(sorted: readonly number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const i = Math.floor(h);
  const next = sorted[Math.min(i + 1, sorted.length - 1)]!;
  return sorted[i]! + (h - i) * (next - sorted[i]!);
}

/**
 * Summarises one response per feature into mean and 10th / 90th percentile curves (percentiles by
 * linear interpolation, see quantile). An amplitude where any feature's output is not finite (a
 * diverged model) gets NaN, which the figure leaves out. All responses must share the amplitudes.
 */
export function amplitudeCurves(
  responses: readonly FeatureAmplitudeResponse[],
): Pick<AmplitudePanel, 'amplitude' | 'full' | 'negative_bias' | 'positive_bias' | 'features'> {
  if (responses.length === 0) throw new Error('amplitudeCurves needs at least one response');
  const amplitude = Array.from(responses[0]!.amplitude);
  for (const r of responses) {
    const same = r.amplitude.length === amplitude.length && amplitude.every((a, i) => r.amplitude[i] === a);
    if (!same) throw new Error('amplitudeCurves: the responses must share their amplitudes');
    for (const s of SERIES) {
      if (r[s.key].length !== amplitude.length)
        throw new Error(`amplitudeCurves: ${s.key} has ${r[s.key].length} values, not ${amplitude.length}`);
    }
  }
  const curve = (key: (typeof SERIES)[number]['key']): AmplitudeCurve => {
    const out: AmplitudeCurve = { mean: [], lo: [], hi: [] };
    for (let i = 0; i < amplitude.length; i++) {
      const xs = responses.map((r) => r[key][i]!);
      if (!xs.every(Number.isFinite)) {
        out.mean.push(NaN);
        out.lo.push(NaN);
        out.hi.push(NaN);
        continue;
      }
      xs.sort((a, b) => a - b);
      out.mean.push(xs.reduce((s, x) => s + x, 0) / xs.length);
      out.lo.push(quantile(xs, BAND.lo));
      out.hi.push(quantile(xs, BAND.hi));
    }
    return out;
  };
  return {
    amplitude,
    full: curve('full'),
    negative_bias: curve('negative_bias'),
    positive_bias: curve('positive_bias'),
    features: responses.length,
  };
}

const MARK_TITLE_NOTE: Record<RunMark, string> = {
  ok: '',
  diverged: ' (diverged)',
  'never-learned': ' (never learned)',
};

/** The amplitude response of each run, one panel per run. */
export function amplitudeResponse(input: AmplitudeResponseInput): TopLevelSpec {
  if (input.panels.length === 0) throw new Error('amplitudeResponse needs at least one panel');
  const panelRows = input.panels.map((p) => {
    const rows: Record<string, unknown>[] = [];
    for (const s of SERIES) {
      const c = p[s.key];
      p.amplitude.forEach((a, i) => {
        const row = { amplitude: a, series: s.label, mean: c.mean[i]!, lo: c.lo[i]!, hi: c.hi[i]! };
        // A diverged model's outputs are not finite: leave them out rather than break the JSON.
        if ([a, row.mean, row.lo, row.hi].every(Number.isFinite)) rows.push(row);
      });
    }
    return rows;
  });
  // One y domain for all panels, so that they compare; it holds the identity's 0 and 1.
  const ys = panelRows.flat().flatMap((r) => [r.lo as number, r.hi as number, r.mean as number]);
  const domain = [Math.min(0, ...ys), Math.max(1, ...ys)];
  const x = {
    field: 'amplitude',
    type: 'quantitative',
    scale: { domain: [0, 1], nice: false },
    axis: { title: 'input amplitude a', labelExpr: NUMBER_LABEL_EXPR },
  };
  const y = {
    type: 'quantitative',
    scale: { domain },
    axis: { title: 'output for the feature', labelExpr: NUMBER_LABEL_EXPR },
  };
  const color = {
    field: 'series',
    type: 'nominal',
    scale: { domain: SERIES.map((s) => s.label), range: SERIES.map((s) => s.color) },
    // Full opacity: the legend would otherwise take the pale band's.
    legend: { title: 'output through', labelLimit: 0, symbolType: 'stroke', symbolStrokeWidth: 3, symbolOpacity: 1 },
  };
  const identity: Spec[] = [
    {
      data: {
        values: [
          { amplitude: 0, y: 0 },
          { amplitude: 1, y: 1 },
        ],
      },
      mark: { type: 'line', color: '#888', strokeDash: [5, 4], strokeWidth: 1.2 },
      encoding: { x, y: { ...y, field: 'y' } },
    },
    {
      data: { values: [{ amplitude: 1, y: 1, label: 'identity' }] },
      mark: { type: 'text', align: 'right', baseline: 'top', dx: -4, dy: 4, fontSize: 11, color: '#666' },
      encoding: { x, y: { ...y, field: 'y' }, text: { field: 'label' } },
    },
  ];
  const panels = input.panels.map((p, i) => ({
    title: { text: p.title + MARK_TITLE_NOTE[p.mark ?? 'ok'], fontSize: 13 },
    width: input.panelWidth ?? 240,
    height: input.panelHeight ?? 200,
    layer: [
      ...identity,
      {
        data: { values: panelRows[i] },
        layer: [
          {
            mark: { type: 'area', opacity: 0.18 },
            encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color },
          },
          {
            mark: { type: 'line', strokeWidth: 1.8 },
            encoding: {
              x,
              y: { ...y, field: 'mean' },
              color,
              tooltip: [
                { field: 'series', type: 'nominal', title: 'output through' },
                { field: 'amplitude', type: 'quantitative', title: 'a', format: '.3~f' },
                { field: 'mean', type: 'quantitative', title: 'mean', format: '.4~g' },
                { field: 'lo', type: 'quantitative', title: '10th percentile', format: '.4~g' },
                { field: 'hi', type: 'quantitative', title: '90th percentile', format: '.4~g' },
              ],
            },
          },
        ],
      },
    ],
  }));
  const counts = input.panels.map((p) => p.features);
  const [fewest, most] = [Math.min(...counts), Math.max(...counts)];
  const over = fewest === most ? `${most} feature${most === 1 ? '' : 's'}` : `${fewest}–${most} features`;
  return topLevel(
    input,
    'Amplitude response: output for a feature against its input amplitude',
    {
      // Rows of at most 3 panels keep each readable at the size shown.
      ...(panels.length <= 3 ? { hconcat: panels } : { concat: panels, columns: 3 }),
      resolve: { scale: { color: 'shared' }, legend: { color: 'shared' } },
    },
    [`mean over ${over}, band 10th–90th percentile`],
  );
}
