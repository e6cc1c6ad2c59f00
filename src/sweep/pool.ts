// Runs a sweep's missing points on a pool of worker processes. ORT's session.run blocks the thread
// that calls it, so parallel runs need processes; each worker writes its runs to the store itself,
// so a killed parent loses at most the runs in flight, and those are started again on resume.
// Points that share their shapes can also train together, several to one step graph (`together`).
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { RunStore } from '../store/run-store.js';
import type { RunRow, RunSummary } from '../store/types.js';
import { graphKey } from '../graph/step.js';
import type { Device } from '../train/device.js';
import type { Progress } from '../train/loop.js';
import { scaleLabel } from './scale.js';
import { sweepPoints, type SweepPoint, type SweepSpec } from './spec.js';
import type { WorkerMessage, WorkRequest } from './worker.js';

const WORKER = path.join(import.meta.dirname, 'worker.js');

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

/** A run that finished or diverged is kept; any other status means its point is trained again. */
const settled = (r?: RunRow): boolean => r?.status === 'finished' || r?.status === 'diverged';

/** Points whose latest run finished or diverged are done; a `running` one was interrupted. */
export function planSweep(store: RunStore, spec: SweepSpec): { points: SweepPoint[]; todo: SweepPoint[] } {
  const points = sweepPoints(spec);
  const done = new Set<number>();
  for (const { point, run } of store.sweepRuns(spec.name)) if (settled(run)) done.add(point);
  return { points, todo: points.filter((p) => !done.has(p.index)) };
}

export function sweepOutcomes(store: RunStore, spec: SweepSpec): SweepOutcome[] {
  const byPoint = new Map<number, RunRow>();
  for (const { point, run } of store.sweepRuns(spec.name)) {
    if (!settled(byPoint.get(point))) byPoint.set(point, run);
  }
  return sweepPoints(spec).map((point) => ({ point, run: byPoint.get(point.index) }));
}

export interface PoolOptions {
  /** Worker processes, and ORT threads in each. */
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
  const { points, todo } = planSweep(store, spec);
  store.saveSweep({ name: spec.name, spec, scale: scaleLabel(spec.scale) });
  // This command owns the sweep: runs still marked running were left by a process that is gone.
  for (const { run } of store.sweepRuns(spec.name)) if (run.status === 'running') store.interruptRun(run.id);
  opts.events?.onPlan?.(todo, points.length - todo.length);

  const queue = graphGroups(todo, opts.together);
  const workers: ChildProcess[] = [];
  const work = async () => {
    const child = fork(WORKER, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    workers.push(child);
    for (let group = queue.shift(); group; group = queue.shift()) await runGroup(child, store.dir, group, spec, opts);
  };
  try {
    await Promise.all(Array.from({ length: Math.min(opts.jobs, queue.length) }, work));
  } finally {
    for (const w of workers) w.disconnect();
  }
  return sweepOutcomes(store, spec);
}

function runGroup(child: ChildProcess, storeDir: string, group: SweepPoint[], spec: SweepSpec, opts: PoolOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`a sweep worker exited (code ${code}) while training point ${group.map((p) => p.index).join(', ')}`));
    const onMessage = (m: WorkerMessage) => {
      if (m.type === 'start') opts.events?.onRunStart?.(group[m.index]!, m.id);
      else if (m.type === 'progress') for (const p of group) opts.events?.onRunProgress?.(p, m.progress);
      else if (m.type === 'done') opts.events?.onRunEnd?.(group[m.index]!, m.id, m.summary);
      else {
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (m.type === 'error') reject(new Error(m.message));
        else resolve();
      }
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
    const req: WorkRequest = {
      store: storeDir,
      runs: group.map((p) => ({ config: p.config, link: { sweep: spec.name, point: p.index } })),
      threads: opts.threads,
      device: opts.device,
    };
    child.send(req);
  });
}
