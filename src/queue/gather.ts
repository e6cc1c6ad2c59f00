// A sweep through the queue, as the submitting machine sees it: enqueue each sweep's missing runs,
// then poll the collector until they are all stored, sweep after sweep, reporting through events
// so that the CLI (or anything else) decides what to show. Failed jobs are collected, not thrown:
// the runs that did finish are stored and their sweeps summarised all the same.
import { setTimeout as sleep } from 'node:timers/promises';
import { beginSweep, type SweepEvents } from '../runner/pool.js';
import type { RunStore } from '../store/run-store.js';
import type { RunSummary } from '../store/types.js';
import { planSweep, sweepOutcomes, type SweepOutcome } from '../sweep/outcomes.js';
import { storedSweepSpec, type SweepPoint, type SweepSpec } from '../sweep/spec.js';
import { Collector } from './collector.js';
import type { QueueSession } from './connection.js';
import { enqueueSweep } from './jobs.js';

/** How often the collector looks at the queue. */
const POLL_MS = 500;

export interface GatherOptions {
  /** Poll until nothing is left; otherwise gather what is there in one pass. */
  wait: boolean;
  /** A job failed for good (its attempts used up). */
  onFailed?: (sweep: string, point: number, jobId: string, reason: string) => void;
  /** Anything else worth a line: a lost result queued again, a job this store cannot take. */
  onNote?: (line: string) => void;
}

export interface GatherResult {
  /** Each gathered sweep with the outcome of every point. */
  sweeps: { spec: SweepSpec; outcomes: SweepOutcome[] }[];
  /** `jobId: reason` of every job that failed on the workers. */
  failures: string[];
}

/** Takes each sweep over in the store and queues its points still to run; returns how many each. */
export async function enqueueSweeps(
  session: QueueSession,
  store: RunStore,
  specs: SweepSpec[],
): Promise<{ sweep: string; runs: number }[]> {
  const queued: { sweep: string; runs: number }[] = [];
  for (const spec of specs) {
    const { todo } = beginSweep(store, spec);
    await enqueueSweep(session.queue, spec, todo);
    queued.push({ sweep: spec.name, runs: todo.length });
  }
  return queued;
}

const failureLog = (opts: GatherOptions) => {
  const failures: string[] = [];
  const onFailed = (sweep: string, point: number, jobId: string, reason: string) => {
    failures.push(`${jobId}: ${reason}`);
    opts.onFailed?.(sweep, point, jobId, reason);
  };
  return { failures, onFailed };
};

/**
 * Gathers the sweeps one after another (the results of the others are stored as they come too),
 * until none of a sweep's jobs is left; `watch(spec)` gives the events that show that sweep's runs
 * (the same a local sweep has) and is stopped when the sweep is done.
 */
export async function gatherSweeps(
  session: QueueSession,
  store: RunStore,
  specs: SweepSpec[],
  opts: GatherOptions & { watch?: (spec: SweepSpec) => SweepEvents & { stop: () => void } },
): Promise<GatherResult> {
  const names = new Set(specs.map((s) => s.name));
  let shown: { spec: SweepSpec; points: SweepPoint[]; runs: Map<number, string>; events: SweepEvents } | undefined;
  const { failures, onFailed } = failureLog(opts);
  const collector = new Collector(session.queue, session.redis, store, (sweep) => names.has(sweep), {
    onProgress: (sweep, point, p) => {
      const pt = shown?.spec.name === sweep ? shown.points[point] : undefined;
      if (!shown || !pt) return;
      if (shown.runs.get(point) !== p.id) {
        shown.runs.set(point, p.id);
        shown.events.onRunStart?.(pt, p.id);
      }
      shown.events.onRunProgress?.(pt, p);
    },
    onStored: (spec, point, id, summary) => {
      const pt = shown?.spec.name === spec.name ? shown.points[point] : undefined;
      if (pt) shown!.events.onRunEnd?.(pt, id, summary);
    },
    onFailed,
    onNote: opts.onNote,
  });
  const sweeps: GatherResult['sweeps'] = [];
  for (const spec of specs) {
    const { points, todo } = planSweep(store, spec);
    const events = opts.watch?.(spec) ?? { stop: () => {} };
    shown = { spec, points, runs: new Map(), events };
    events.onPlan?.(todo, points.length - todo.length);
    try {
      while (((await collector.poll()).get(spec.name) ?? 0) > 0 && opts.wait) await sleep(POLL_MS);
    } finally {
      events.stop();
    }
    sweeps.push({ spec, outcomes: sweepOutcomes(store, spec) });
  }
  return { sweeps, failures };
}

/**
 * Gathers every sweep in the queue, or the named ones, reporting each stored run and the number
 * still pending when it changes; then the outcomes of each sweep that got runs or was named.
 * `missing` lists named sweeps neither the queue nor the store knows.
 */
export async function gatherAny(
  session: QueueSession,
  store: RunStore,
  names: string[],
  opts: GatherOptions & {
    onStored?: (spec: SweepSpec, point: number, id: string, summary: RunSummary) => void;
    onPending?: (pending: number) => void;
  },
): Promise<GatherResult & { missing: string[] }> {
  const touched = new Set(names);
  const { failures, onFailed } = failureLog(opts);
  const collector = new Collector(
    session.queue,
    session.redis,
    store,
    (sweep) => names.length === 0 || names.includes(sweep),
    {
      onStored: (spec, point, id, summary) => {
        touched.add(spec.name);
        opts.onStored?.(spec, point, id, summary);
      },
      onFailed,
      onNote: opts.onNote,
    },
  );
  let lastPending = -1;
  for (;;) {
    const pending = [...(await collector.poll()).values()].reduce((a, b) => a + b, 0);
    if (!opts.wait || pending === 0) break;
    if (pending !== lastPending) opts.onPending?.(pending);
    lastPending = pending;
    await sleep(POLL_MS);
  }
  const sweeps: GatherResult['sweeps'] = [];
  const missing: string[] = [];
  for (const name of touched) {
    const row = store.getSweep(name);
    if (!row) missing.push(name);
    else {
      const spec = storedSweepSpec(row);
      sweeps.push({ spec, outcomes: sweepOutcomes(store, spec) });
    }
  }
  return { sweeps, failures, missing };
}
