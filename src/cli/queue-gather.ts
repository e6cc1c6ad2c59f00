// `sweep --queue`, `batch --queue` and `collect`: enqueue a sweep's missing runs, show the workers'
// progress with a local sweep's bars, and gather the results into the store, ending with the same
// summary table or JSON as a local sweep.
import { setTimeout as sleep } from 'node:timers/promises';
import { Option } from 'commander';
import type { QueueAddress } from '../queue/address.js';
import { Collector, type CollectEvents } from '../queue/collector.js';
import { openQueue, type QueueSession } from '../queue/connection.js';
import { enqueueSweep } from '../queue/jobs.js';
import { RunStore } from '../store/run-store.js';
import { planSweep, sweepOutcomes } from '../sweep/outcomes.js';
import { beginSweep } from '../runner/pool.js';
import { pointLabel, storedSweepSpec, sweepPoints, type SweepPoint, type SweepSpec } from '../sweep/spec.js';
import { formatMetric } from '../figures/labels.js';
import { EXIT_FAILURE, EXIT_USAGE, fail } from './errors.js';
import { sweepProgress, sweepResults } from './sweep-output.js';

/** --queue for the commands that only make sense with one; from TOYMODELS_QUEUE if not given, which
 * keeps a password out of the process list. */
export const queueOption = (): Option =>
  new Option('--queue <url>', 'the queue: redis://[USER:PASSWORD@]HOST[:PORT][/DB], or rediss:// for TLS').env('TOYMODELS_QUEUE').makeOptionMandatory();

/** How often the collector looks at the queue. */
const POLL_MS = 500;

export const say = (line: string): void => {
  process.stderr.write(`toymodels: ${line}\n`);
};

export const openSession = (address: QueueAddress): QueueSession => openQueue(address, say, (line) => fail(line, EXIT_USAGE));

/** Ctrl-C while gathering: the runs stay queued and keep training; say how to gather them later. */
function onInterrupt(session: QueueSession, names: string[], cleanup: () => void): () => void {
  const handler = () => {
    cleanup();
    say(`interrupted: the runs stay queued; gather them with: toymodels collect --queue ${session.address.shown} ${names.join(' ')}`);
    process.exit(130);
  };
  process.once('SIGINT', handler);
  return () => process.off('SIGINT', handler);
}

export async function queueSweeps(specs: SweepSpec[], address: QueueAddress, opts: Record<string, unknown>): Promise<void> {
  const store = new RunStore(String(opts.store));
  const session = openSession(address);
  try {
    const queued: { sweep: string; runs: number }[] = [];
    for (const spec of specs) {
      const { todo } = beginSweep(store, spec);
      await enqueueSweep(session.queue, spec, todo);
      queued.push({ sweep: spec.name, runs: todo.length });
    }
    const total = queued.reduce((n, q) => n + q.runs, 0);
    say(`${total} runs queued on ${address.shown}; workers take them with: toymodels worker --queue ${address.shown}`);
    if (opts.wait === false) {
      const hint = (name: string) => `toymodels collect --queue ${address.shown} ${name} --store ${String(opts.store)}`;
      if (opts.json) process.stdout.write(`${JSON.stringify(queued.length === 1 ? queued[0] : queued)}\n`);
      else process.stdout.write(queued.map((q) => `sweep ${q.sweep}: ${q.runs} runs queued; gather them with: ${hint(q.sweep)}\n`).join(''));
      return;
    }
    await gatherSweeps(session, store, specs, { json: Boolean(opts.json), wait: true });
  } finally {
    await session.close();
    store.close();
  }
}

/** Reports failed jobs as they come, and ends the command with exit 1 if there were any. */
function failures(): { onFailed: CollectEvents['onFailed']; check: () => void } {
  const reasons: string[] = [];
  return {
    onFailed: (sweep, point, jobId, reason) => {
      reasons.push(`${jobId}: ${reason}`);
      say(`${jobId} (sweep ${sweep}, point ${point}) failed on the workers: ${reason}`);
    },
    check: () => {
      if (reasons.length) fail(`${reasons.length} run(s) failed on the workers; the first: ${reasons[0]}`, EXIT_FAILURE);
    },
  };
}

/**
 * Gathers the sweeps one after another, each with its progress bars (the results of the others are
 * stored as they come too), until none of the sweep's jobs is left (or at once, without `wait`).
 */
export async function gatherSweeps(session: QueueSession, store: RunStore, specs: SweepSpec[], opts: { json: boolean; wait: boolean }): Promise<void> {
  const names = new Set(specs.map((s) => s.name));
  let shown: { spec: SweepSpec; points: SweepPoint[]; runs: Map<number, string>; events: ReturnType<typeof sweepProgress> } | undefined;
  const failed = failures();
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
    onFailed: failed.onFailed,
    onNote: say,
  });
  const output = sweepResults(opts.json);
  for (const spec of specs) {
    const { points, todo } = planSweep(store, spec);
    const events = sweepProgress(spec);
    shown = { spec, points, runs: new Map(), events };
    events.onPlan?.(todo, points.length - todo.length);
    const release = onInterrupt(session, [...names], events.stop);
    try {
      while (((await collector.poll()).get(spec.name) ?? 0) > 0 && opts.wait) await sleep(POLL_MS);
    } finally {
      release();
      events.stop();
    }
    output.add(spec, sweepOutcomes(store, spec));
  }
  output.end();
  failed.check();
}

/**
 * Gathers every sweep in the queue, or the named ones, printing a line per stored run; then the
 * summary of each sweep that got runs (or was named).
 */
export async function gatherAny(session: QueueSession, store: RunStore, names: string[], opts: { json: boolean; wait: boolean }): Promise<void> {
  const touched = new Set(names);
  const failed = failures();
  const collector = new Collector(session.queue, session.redis, store, (sweep) => names.length === 0 || names.includes(sweep), {
    onStored: (spec, point, id, summary) => {
      touched.add(spec.name);
      const values = pointLabel(sweepPoints(spec)[point] ?? { values: {} });
      say(`stored ${spec.name} ${values}: ${summary.status}, loss ${formatMetric(summary.data_loss)}, mono/N ${formatMetric(summary.monosemantic_per_feature, 3)} (${id})`);
    },
    onFailed: failed.onFailed,
    onNote: say,
  });
  const release = onInterrupt(session, names, () => {});
  let lastPending = -1;
  try {
    for (;;) {
      const pending = [...(await collector.poll()).values()].reduce((a, b) => a + b, 0);
      if (!opts.wait || pending === 0) break;
      if (pending !== lastPending) say(`${pending} runs still queued or training`);
      lastPending = pending;
      await sleep(POLL_MS);
    }
  } finally {
    release();
  }
  const output = sweepResults(opts.json);
  for (const name of touched) {
    const row = store.getSweep(name);
    if (row) {
      const spec = storedSweepSpec(row);
      output.add(spec, sweepOutcomes(store, spec));
    }
    else say(`sweep ${name}: not in the queue nor in ${store.dir}`);
  }
  output.end();
  failed.check();
}
