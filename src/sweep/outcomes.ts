// A sweep's outcomes: each point with its run in the store, and the points still to train.
import { isSettled, type RunStore } from '../store/run-store.js';
import type { RunRow } from '../store/types.js';
import { sweepPoints, type SweepPoint, type SweepSpec } from './spec.js';

export interface SweepOutcome {
  point: SweepPoint;
  /** The point's run: the finished or diverged one, else the latest. */
  run?: RunRow;
}

/** Points whose latest run finished or diverged are done; a `running` one was interrupted. */
export function planSweep(
  store: Pick<RunStore, 'sweepRuns'>,
  spec: SweepSpec,
): { points: SweepPoint[]; todo: SweepPoint[] } {
  const points = sweepPoints(spec);
  const done = new Set<number>();
  for (const { point, run } of store.sweepRuns(spec.name)) if (isSettled(run)) done.add(point);
  return { points, todo: points.filter((p) => !done.has(p.index)) };
}

/** Each point of the sweep with its run; the store is asked only for the sweep's runs. */
export function sweepOutcomes(store: Pick<RunStore, 'sweepRuns'>, spec: SweepSpec): SweepOutcome[] {
  const byPoint = new Map<number, RunRow>();
  for (const { point, run } of store.sweepRuns(spec.name)) {
    if (!isSettled(byPoint.get(point))) byPoint.set(point, run);
  }
  return sweepPoints(spec).map((point) => ({ point, run: byPoint.get(point.index) }));
}
