// A sweep's summary table, one row per point: its swept values, status, final loss, mono / N,
// mono / k, mean bias and run id. The CLI prints it as text and the report as markdown.
import type { SweepOutcome } from './pool.js';
import { formatValue, type SweepSpec } from './spec.js';

/** A metric for a table: `-` when missing or not finite (a diverged run's loss). */
export const formatMetric = (x: number | undefined | null, digits = 4): string =>
  x === undefined || x === null || !Number.isFinite(x) ? '-' : x.toPrecision(digits);

/** The swept values' cells, then status, final loss, mono / N, mono / k, mean bias and run id, for each point in sweep order. */
export function summaryRows(spec: SweepSpec, outcomes: SweepOutcome[]): string[][] {
  return outcomes.map(({ point, run }) => [
    ...spec.variables.map((v) => formatValue(point.values[v.field]!)),
    run?.status ?? 'missing',
    formatMetric(run?.final?.data_loss),
    formatMetric(run?.final?.monosemantic_per_feature, 3),
    run?.final ? formatMetric(run.final.monosemantic_neurons / point.config.k, 3) : '-',
    formatMetric(run?.final?.mean_bias, 3),
    run?.id ?? '-',
  ]);
}
