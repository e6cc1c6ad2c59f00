// Runs a sweep's missing points on a pool of training processes (trainer.ts); each writes its runs
// to the store itself, so a killed parent loses at most the runs in flight, and those are started
// again on resume.
import { isSettled, type RunStore } from '../store/run-store.js';
import type { RunRow, RunSummary } from '../store/types.js';
import type { Progress } from '../train/loop.js';
import { scaleLabel } from './scale.js';
import { sweepPoints, type SweepPoint, type SweepSpec } from './spec.js';
import { Trainer } from './trainer.js';

export interface SweepEvents {
  /** Called once the plan is known: the points still to run and those kept from earlier. */
  onPlan?: (todo: SweepPoint[], kept: number) => void;
  onRunStart?: (point: SweepPoint, id: string) => void;
  onRunProgress?: (point: SweepPoint, p: Progress) => void;
  onRunEnd?: (point: SweepPoint, id: string, summary: RunSummary) => void;
}

export interface SweepOutcome {
  point: SweepPoint;
  /** The point's run: the finished or diverged one, else the latest. */
  run?: RunRow;
}

/** Points whose latest run finished or diverged are done; a `running` one was interrupted. */
export function planSweep(store: RunStore, spec: SweepSpec): { points: SweepPoint[]; todo: SweepPoint[] } {
  const points = sweepPoints(spec);
  const done = new Set<number>();
  for (const { point, run } of store.sweepRuns(spec.name)) if (isSettled(run)) done.add(point);
  return { points, todo: points.filter((p) => !done.has(p.index)) };
}

export function sweepOutcomes(store: RunStore, spec: SweepSpec): SweepOutcome[] {
  const byPoint = new Map<number, RunRow>();
  for (const { point, run } of store.sweepRuns(spec.name)) {
    if (!isSettled(byPoint.get(point))) byPoint.set(point, run);
  }
  return sweepPoints(spec).map((point) => ({ point, run: byPoint.get(point.index) }));
}

export async function runSweep(
  store: RunStore,
  spec: SweepSpec,
  opts: { jobs: number; threads: number; events?: SweepEvents },
): Promise<SweepOutcome[]> {
  const { points, todo } = beginSweep(store, spec);
  opts.events?.onPlan?.(todo, points.length - todo.length);

  const queue = [...todo];
  const trainers: Trainer[] = [];
  const work = async () => {
    const trainer = new Trainer();
    trainers.push(trainer);
    for (let point = queue.shift(); point; point = queue.shift()) {
      const events = opts.events;
      const run = await trainer.train(
        { store: store.dir, config: point.config, threads: opts.threads, link: { sweep: spec.name, point: point.index } },
        { onStart: (id) => events?.onRunStart?.(point, id), onProgress: (p) => events?.onRunProgress?.(point, p) },
      );
      events?.onRunEnd?.(point, run.id, run.summary);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(opts.jobs, todo.length) }, work));
  } finally {
    for (const t of trainers) t.close();
  }
  return sweepOutcomes(store, spec);
}

/**
 * Takes a sweep over in this store, for training here or through a queue: saves (or checks) its
 * specification, marks runs still `running` (left by a process that is gone) `interrupted`, and
 * returns its points and those still to train.
 */
export function beginSweep(store: RunStore, spec: SweepSpec): { points: SweepPoint[]; todo: SweepPoint[] } {
  const plan = planSweep(store, spec);
  store.saveSweep({ name: spec.name, spec, scale: scaleLabel(spec.scale) });
  for (const { run } of store.sweepRuns(spec.name)) if (run.status === 'running') store.interruptRun(run.id);
  return plan;
}
