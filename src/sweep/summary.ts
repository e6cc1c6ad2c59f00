// A sweep's summary table from the store's index, one row per point: its swept values, then the
// SUMMARY_HEADER columns. The CLI prints it; the report's table (from analysed runs) has the same
// columns.
import { formatMean, formatMetric } from '../figures/labels.js';
import type { SweepOutcome } from './outcomes.js';
import { formatSweepValue, type SweepSpec } from './spec.js';

/** A count for a table: `-` when missing (a run stored before the count existed). */
const formatCount = (x: number | undefined | null): string =>
  x === undefined || x === null || !Number.isFinite(x) ? '-' : String(x);

/** The columns of a summary row after its swept values. */
export const SUMMARY_HEADER: string[] = [
  'status',
  'final loss (last 8, ± se)',
  'loss (last 64)',
  'mono / N',
  'features covered',
  'mono / k',
  'dead',
  'mean bias',
  'run',
];

/** The swept values' cells, then one cell per SUMMARY_HEADER column, for each point in sweep order. */
export function summaryRows(spec: SweepSpec, outcomes: SweepOutcome[]): string[][] {
  return outcomes.map(({ point, run }) => {
    const final = run?.final;
    return [
      ...spec.variables.map((v) => formatSweepValue(point.values[v.field]!)),
      run?.status ?? 'missing',
      formatMean(final?.data_loss ?? NaN, final?.data_loss_se ?? NaN),
      formatMean(final?.data_loss_last64 ?? NaN, final?.data_loss_last64_se ?? NaN),
      formatMetric(final?.monosemantic_per_feature, 3),
      formatCount(final?.features_covered),
      final ? formatMetric(final.monosemantic_neurons / point.config.k, 3) : '-',
      formatCount(final?.dead_neurons),
      formatMetric(final?.mean_bias, 3),
      run?.id ?? '-',
    ];
  });
}
