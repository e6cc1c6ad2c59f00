// Runs a sweep's missing points on a pool of worker processes. ORT's session.run blocks the thread
// that calls it, so parallel runs need processes; each worker writes its runs to the store itself,
// so a killed parent loses at most the runs in flight, and those are started again on resume.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { RunStore } from '../store/run-store.js';
import type { RunRow, RunSummary } from '../store/types.js';
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

export async function runSweep(
  store: RunStore,
  spec: SweepSpec,
  opts: { jobs: number; threads: number; events?: SweepEvents },
): Promise<SweepOutcome[]> {
  const { points, todo } = planSweep(store, spec);
  store.saveSweep({ name: spec.name, spec, scale: scaleLabel(spec.scale) });
  // This command owns the sweep: runs still marked running were left by a process that is gone.
  for (const { run } of store.sweepRuns(spec.name)) if (run.status === 'running') store.interruptRun(run.id);
  opts.events?.onPlan?.(todo, points.length - todo.length);

  const queue = [...todo];
  const workers: ChildProcess[] = [];
  const work = async () => {
    const child = fork(WORKER, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    workers.push(child);
    for (let point = queue.shift(); point; point = queue.shift()) await runOne(child, store.dir, point, spec, opts);
  };
  try {
    await Promise.all(Array.from({ length: Math.min(opts.jobs, todo.length) }, work));
  } finally {
    for (const w of workers) w.disconnect();
  }
  return sweepOutcomes(store, spec);
}

function runOne(child: ChildProcess, storeDir: string, point: SweepPoint, spec: SweepSpec, opts: { threads: number; events?: SweepEvents }): Promise<void> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`a sweep worker exited (code ${code}) while training point ${point.index}`));
    const onMessage = (m: WorkerMessage) => {
      if (m.type === 'start') opts.events?.onRunStart?.(point, m.id);
      else if (m.type === 'progress') opts.events?.onRunProgress?.(point, m.progress);
      else {
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (m.type === 'error') reject(new Error(m.message));
        else {
          opts.events?.onRunEnd?.(point, m.id, m.summary);
          resolve();
        }
      }
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
    const req: WorkRequest = { store: storeDir, config: point.config, threads: opts.threads, link: { sweep: spec.name, point: point.index } };
    child.send(req);
  });
}
