// Runs a sweep's missing points on a pool of training processes (trainer.ts); each writes its runs
// to the store itself, so a killed parent loses at most the runs in flight, and those are started
// again on resume. Points that share their shapes can also train together, several to one step
// graph (`together`).
import type { RunStore } from '../store/run-store.js';
import type { RunSummary } from '../store/types.js';
import { graphKey } from '../graph/step.js';
import type { Device } from '../config/stored.js';
import type { Progress } from '../train/loop.js';
import { scaleLabel } from '../sweep/scale.js';
import { planSweep, sweepOutcomes, type SweepOutcome } from '../sweep/outcomes.js';
import type { SweepPoint, SweepSpec } from '../sweep/spec.js';
import { Trainer } from './trainer.js';

export interface SweepEvents {
  /** Called once the plan is known: the points still to run and those kept from earlier. */
  onPlan?: (todo: SweepPoint[], kept: number) => void;
  onRunStart?: (point: SweepPoint, id: string) => void;
  onRunProgress?: (point: SweepPoint, p: Progress) => void;
  onRunEnd?: (point: SweepPoint, id: string, summary: RunSummary) => void;
}

export interface PoolOptions {
  /** Training processes, and ORT threads in each. */
  jobs: number;
  threads: number;
  /** Most runs in one step graph (1: one graph per run). */
  together: number;
  device: Device;
  events?: SweepEvents;
}

/** Splits points into groups that can share a step graph: same `graphKey`, at most `size` each,
 * in sweep order. */
export function graphGroups(points: SweepPoint[], size: number): SweepPoint[][] {
  const byKey = new Map<string, SweepPoint[][]>();
  const groups: SweepPoint[][] = [];
  for (const p of points) {
    const key = graphKey(p.config);
    const open = byKey.get(key)?.at(-1);
    if (open && open.length < size) open.push(p);
    else {
      const group = [p];
      groups.push(group);
      byKey.set(key, [...(byKey.get(key) ?? []), group]);
    }
  }
  return groups;
}

export async function runSweep(store: RunStore, spec: SweepSpec, opts: PoolOptions): Promise<SweepOutcome[]> {
  const { points, todo } = beginSweep(store, spec);
  opts.events?.onPlan?.(todo, points.length - todo.length);

  const queue = graphGroups(todo, opts.together);
  const trainers: Trainer[] = [];
  const work = async () => {
    const trainer = new Trainer();
    trainers.push(trainer);
    for (let group = queue.shift(); group; group = queue.shift()) {
      const events = opts.events;
      const points = group;
      await trainer.train(
        {
          store: store.dir,
          runs: points.map((p) => ({ config: p.config, link: { sweep: spec.name, point: p.index } })),
          threads: opts.threads,
          device: opts.device,
        },
        {
          onStart: (i, id) => events?.onRunStart?.(points[i]!, id),
          onProgress: (p) => points.forEach((point) => events?.onRunProgress?.(point, p)),
          onEnd: (i, run) => events?.onRunEnd?.(points[i]!, run.id, run.summary),
        },
      );
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(opts.jobs, queue.length) }, work));
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
