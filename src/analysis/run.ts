// A whole run's analysis: the monosemanticity measures of every snapshot as series over log2 of
// the training step (as the paper plots them), the loss trace, and the full analysis of one
// snapshot.
import type { LoadedRun, LossTrace, Snapshot, StoredRunConfig } from '../store/types.js';
import { cpuAnalyser, type CpuAnalyserOptions } from './cpu.js';
import type { AnalyseOptions, MonosemanticitySummary, SnapshotAnalyser, SnapshotAnalysis } from './snapshot.js';

/** One snapshot's measures. The snapshot after step i = 2^j - 1 sits at log2_step = j. */
export interface SeriesPoint extends MonosemanticitySummary {
  /** log2(step + 1). */
  log2_step: number;
  /** The step after which the snapshot was taken. */
  step: number;
}

export interface RunSeries {
  /** One point per snapshot, by step. */
  series: SeriesPoint[];
  /** The data loss recorded every `every` steps, before that step's update (NaN if not finite). */
  losses: LossTrace;
}

export interface RunAnalysis extends RunSeries {
  id: string;
  config: StoredRunConfig;
  /** The step of the analysed snapshot. */
  snapshot: number;
  metrics: SnapshotAnalysis;
}

/** The run's snapshot steps, ascending (0, 1, 3, 7, ..., T - 1 for a finished run). */
export function snapshotSteps(run: Pick<LoadedRun, 'snapshots'>): number[] {
  return run.snapshots.map((s) => s.step).sort((a, b) => a - b);
}

/** The snapshot taken after `step`; undefined if there is none. */
export function findSnapshot(run: Pick<LoadedRun, 'snapshots'>, step: number): Snapshot | undefined {
  return run.snapshots.find((s) => s.step === step);
}

/** The last snapshot (the final model of a finished run); undefined if the run has none. */
export function finalSnapshot(run: Pick<LoadedRun, 'snapshots'>): Snapshot | undefined {
  return run.snapshots.reduce<Snapshot | undefined>(
    (last, s) => (last === undefined || s.step > last.step ? s : last),
    undefined,
  );
}

/** The measures of every snapshot of a run, by step, with an analyser the caller keeps. */
export async function seriesWith(
  analyser: SnapshotAnalyser,
  run: Pick<LoadedRun, 'snapshots' | 'embeddings'>,
): Promise<SeriesPoint[]> {
  const series: SeriesPoint[] = [];
  for (const s of [...run.snapshots].sort((a, b) => a.step - b.step)) {
    series.push({
      log2_step: Math.log2(s.step + 1),
      step: s.step,
      ...(await analyser.monosemanticity(s, run.embeddings.E)),
    });
  }
  return series;
}

/** The monosemanticity measures of every snapshot of a run, and its loss trace. */
export async function runSeries(run: LoadedRun, options: CpuAnalyserOptions = {}): Promise<RunSeries> {
  const analyser = cpuAnalyser(run.config, options);
  try {
    return { series: await seriesWith(analyser, run), losses: run.losses };
  } finally {
    await analyser.release();
  }
}

/**
 * The series of a run plus the full analysis of one snapshot: `snapshot` is its step as stored
 * (e.g. 1023), the final snapshot by default. Throws a RangeError naming the valid steps if the
 * run has no such snapshot.
 */
export async function analyseRun(
  run: LoadedRun,
  opts: AnalyseOptions & CpuAnalyserOptions & { snapshot?: number } = {},
): Promise<RunAnalysis> {
  const chosen = opts.snapshot === undefined ? finalSnapshot(run) : findSnapshot(run, opts.snapshot);
  if (!chosen) {
    const steps = snapshotSteps(run);
    throw new RangeError(
      steps.length === 0
        ? `run ${run.id} has no snapshots`
        : `run ${run.id} has no snapshot ${opts.snapshot}; its snapshots are after steps ${steps.join(', ')}`,
    );
  }
  const analyser = cpuAnalyser(run.config, opts);
  try {
    const metrics = await analyser.analyse(chosen, run.embeddings, opts);
    const series = await seriesWith(analyser, run);
    return { id: run.id, config: run.config, snapshot: chosen.step, metrics, series, losses: run.losses };
  } finally {
    await analyser.release();
  }
}
