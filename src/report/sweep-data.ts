// A stored sweep as its figures read it (src/figures/sweep-data.ts): every settled run analysed
// (series over its snapshots, the final snapshot in full with its amplitude responses), and the
// analyses kept for the figures that need matrices.
import { amplitudeOptions, analyseRun, zeroOutputLoss, type RunAnalysis } from '../analysis/index.js';
import { sweepRunData, type SweepData, type SweepRunData } from '../figures/sweep-data.js';
import type { RunStore } from '../store/run-store.js';
import type { SweepRow } from '../store/types.js';
import { sweepOutcomes } from '../sweep/outcomes.js';
import { storedSweepSpec } from '../sweep/spec.js';

export async function buildSweepData(
  store: RunStore,
  row: SweepRow,
  opts: { threads?: number } = {},
): Promise<{ data: SweepData; analyses: Map<string, RunAnalysis> }> {
  const spec = storedSweepSpec(row);
  const outcomes = sweepOutcomes(store, spec);
  const analyses = new Map<string, RunAnalysis>();
  const runs: SweepRunData[] = [];
  for (const { point, run } of outcomes) {
    if (!run || (run.status !== 'finished' && run.status !== 'diverged')) continue;
    const loaded = store.loadRun(run.id);
    // A diverged run keeps the snapshots taken before it diverged; without any it has no figures.
    if (loaded.snapshots.length === 0) continue;
    const analysis = await analyseRun(loaded, {
      threads: opts.threads,
      extraFeatures: [],
      ...amplitudeOptions(loaded.config.N),
    });
    analyses.set(run.id, analysis);
    runs.push(
      sweepRunData({
        id: run.id,
        point: point.index,
        values: point.values,
        summary: loaded.summary,
        config: loaded.config,
        series: analysis.series,
        losses: loaded.losses,
        biases: analysis.metrics.biases_in_heatmap_order,
        zero_output_loss: zeroOutputLoss(loaded.config, loaded.embeddings.F),
      }),
    );
  }
  const data: SweepData = {
    name: spec.name,
    batch: spec.batch ?? null,
    scale: row.scale,
    fixed: spec.fixed,
    variables: spec.variables,
    points: outcomes.map(({ point, run }) => ({
      point: point.index,
      values: point.values,
      status: run?.status ?? 'missing',
    })),
    runs,
  };
  return { data, analyses };
}
