// Figure: final loss against monosemanticity, one point per run: the direct test of "more
// monosemantic at no cost in loss". Colour is the swept value, shape the sweep when points come
// from several; a dashed rule marks the loss of a model that outputs zero, where it is near the runs.
import type { TopLevelSpec } from 'vega-lite';
import {
  NUMBER_LABEL_EXPR,
  colorDatum,
  colorScaleKind,
  pointMarkNotes,
  sweepColorEncoding,
  topLevel,
  type Spec,
} from './common.js';
import { MEASURE_LABELS, fieldLabel, formatMetric } from './labels.js';
import type { FigureOptions, RunMark, SweepValue, SweptField } from './types.js';

export interface LossVsMonoPoint {
  value: SweepValue;
  /** The final data loss. */
  loss: number;
  /** Monosemantic neurons / N. */
  mono_per_feature: number;
  /** The sweep the run belongs to (e.g. "LR1"); several distinct sweeps get a shape each. */
  sweep?: string;
  id?: string;
  mark?: RunMark;
  /** Standard error of the loss: a horizontal bar of ± loss_se. */
  loss_se?: number;
}

export interface LossVsMonoInput extends FigureOptions {
  sweep: SweptField;
  points: readonly LossVsMonoPoint[];
  /** The loss of the zero-output model: a dashed rule marks it near the runs, a note far from them. */
  zeroOutputLoss?: number;
  /** The loss axis title, which says which loss (default "final loss"). */
  lossTitle?: string;
  width?: number;
  height?: number;
}

/** Final loss against # mono neurons / # features, one point per run. */
export function lossVsMono(input: LossVsMonoInput): TopLevelSpec {
  if (input.points.length === 0) throw new Error('lossVsMono needs at least one point');
  const { field } = input.sweep;
  const sweepTitle = input.sweep.label ?? fieldLabel(field);
  const lossTitle = input.lossTitle ?? `final ${MEASURE_LABELS.loss}`;
  // A run whose loss is not finite has no place on the axes: count it as diverged.
  const diverged = (p: LossVsMonoPoint) =>
    p.mark === 'diverged' || !Number.isFinite(p.loss) || !Number.isFinite(p.mono_per_feature);
  const marks = input.points.map((p) => (diverged(p) ? 'diverged' : p.mark));
  const drawn = input.points.filter((p) => !diverged(p));
  if (drawn.length === 0) throw new Error('lossVsMono: every run diverged, there is nothing to draw');
  // The legend lists the values on the plot; the note counts those left out.
  const values = drawn.map((p) => p.value);
  const kind = colorScaleKind(field, values);
  const sweeps = [...new Set(drawn.map((p) => p.sweep ?? ''))];
  const bySweep = sweeps.length > 1;

  const rows = input.points.flatMap((p, i) => {
    if (diverged(p)) return [];
    const se = p.loss_se !== undefined && Number.isFinite(p.loss_se) ? p.loss_se : undefined;
    return {
      value: colorDatum(kind, p.value),
      loss: p.loss,
      mono_per_feature: p.mono_per_feature,
      id: p.id ?? String(i),
      open: p.mark === 'never-learned',
      ...(bySweep ? { sweep: p.sweep ?? '' } : {}),
      ...(se !== undefined ? { loss_lo: p.loss - se, loss_hi: p.loss + se } : {}),
    };
  });
  const withBars = rows.filter((r) => r.loss_lo !== undefined);

  // Linear unless the losses (with their bars) span a factor of 100.
  const xs = [...rows.map((r) => r.loss), ...withBars.flatMap((r) => [r.loss_lo!, r.loss_hi!])];
  const [xMin, xMax] = [Math.min(...xs), Math.max(...xs)];
  const log = xMin > 0 && xMax / xMin >= 100;
  // The zero-output rule joins the axis when it lies within one span of the points (at least a
  // tenth of their loss) beyond them; farther off, as when every run learned, it would squeeze the
  // runs into a sliver of the axis, so a note gives its value instead.
  const zero = Number.isFinite(input.zeroOutputLoss) ? input.zeroOutputLoss : undefined;
  const t = (u: number) => (log ? Math.log10(u) : u);
  const reach = Math.max(t(xMax) - t(xMin), log ? Math.log10(1.1) : 0.1 * Math.abs(xMax));
  const rule = zero !== undefined && (!log || zero > 0) && t(zero) >= t(xMin) - reach && t(zero) <= t(xMax) + reach;
  const zeroNote =
    zero !== undefined && !rule
      ? [`zero-output loss ${formatMetric(zero, 3)}: off the axis, ${zero > xMax ? 'to the right' : 'to the left'}`]
      : [];
  const x = {
    field: 'loss',
    type: 'quantitative',
    scale: log ? { type: 'log', nice: false, padding: 12 } : { zero: false, nice: false, padding: 12 },
    // On a log axis Vega thins the labels of the 2..9 ticks itself, given a format (not a labelExpr).
    // On a linear one its default format takes its digits from the tick step: runs a few thousandths
    // apart near 7.6 need four digits, where a fixed three significant ones label two ticks alike.
    // Labels that long fit about five to the axis.
    axis: log
      ? { title: `${lossTitle} (log scale)`, format: '~g' }
      : { title: lossTitle, tickCount: 5, labelOverlap: 'parity' },
  };
  // 5% room around the points, set by hand: pixel padding would add ticks below 0, which no ratio reaches.
  const monos = rows.map((r) => r.mono_per_feature);
  const room = 0.05 * Math.max(Math.max(...monos) - Math.min(...monos), 0.1);
  const y = {
    field: 'mono_per_feature',
    type: 'quantitative',
    scale: { domain: [Math.min(...monos) - room, Math.max(...monos) + room], nice: false },
    axis: { title: MEASURE_LABELS.monoPerFeature, labelExpr: NUMBER_LABEL_EXPR },
  };
  const color = sweepColorEncoding(field, values, input.sweep.label);
  const shape: Spec = bySweep
    ? { shape: { field: 'sweep', type: 'nominal', scale: { domain: sweeps }, legend: { title: 'sweep' } } }
    : {};
  const tooltip = [
    { field: 'value', type: kind === 'nominal' ? 'nominal' : 'quantitative', title: sweepTitle },
    { field: 'loss', type: 'quantitative', title: lossTitle, format: '.4~g' },
    { field: 'mono_per_feature', type: 'quantitative', title: 'mono / N', format: '.4~g' },
    { field: 'id', type: 'nominal', title: 'run' },
    ...(bySweep ? [{ field: 'sweep', type: 'nominal', title: 'sweep' }] : []),
  ];
  const points = (open: boolean): Spec => ({
    transform: [{ filter: open ? 'datum.open' : '!datum.open' }],
    mark: { type: 'point', filled: !open, size: 64, strokeWidth: 1.6, opacity: 0.9 },
    encoding: { x, y, color, ...shape, tooltip },
  });

  const layers: Spec[] = [];
  if (withBars.length) {
    layers.push({
      data: { values: withBars },
      mark: { type: 'rule', strokeWidth: 1.4, opacity: 0.8 },
      encoding: { x: { ...x, field: 'loss_lo' }, x2: { field: 'loss_hi' }, y, color },
    });
  }
  const open = rows.some((r) => r.open);
  layers.push({ data: { values: rows }, layer: open ? [points(false), points(true)] : [points(false)] });
  if (rule) {
    layers.push({
      data: { values: [{ loss: zero, label: 'zero output' }] },
      layer: [
        {
          mark: { type: 'rule', strokeDash: [4, 3], color: '#333', strokeWidth: 1.2 },
          encoding: { x: { field: 'loss', type: 'quantitative' } },
        },
        {
          mark: { type: 'text', align: 'center', baseline: 'bottom', dy: -3, fontSize: 11, color: '#333' },
          encoding: { x: { field: 'loss', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } },
        },
      ],
    });
  }
  return topLevel(
    input,
    'Loss against monosemanticity',
    { width: input.width ?? 420, height: input.height ?? 300, layer: layers },
    [...pointMarkNotes(marks), ...zeroNote],
  );
}
