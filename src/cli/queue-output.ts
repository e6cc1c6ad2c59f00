// What `sweep --queue`, `batch --queue` and `collect` show while src/queue/gather.ts enqueues and
// gathers: a local sweep's progress bars, a line per stored run or failure, the hint to collect
// later on Ctrl-C, and the same summary table or JSON as a local sweep.
import { Option } from 'commander';
import type { QueueAddress } from '../queue/address.js';
import { openQueue, type QueueSession } from '../queue/connection.js';
import { enqueueSweeps, gatherAny, gatherSweeps, type GatherResult } from '../queue/gather.js';
import { RunStore } from '../store/run-store.js';
import { pointLabel, sweepPoints, type SweepSpec } from '../sweep/spec.js';
import { formatMetric } from '../figures/labels.js';
import { EXIT_FAILURE, EXIT_USAGE, fail } from './errors.js';
import { sweepProgress, sweepResults } from './sweep-output.js';

/** --queue for the commands that only make sense with one; from TOYMODELS_QUEUE if not given, which
 * keeps a password out of the process list. */
export const queueOption = (): Option =>
  new Option('--queue <url>', 'the queue: redis://[USER:PASSWORD@]HOST[:PORT][/DB], or rediss:// for TLS')
    .env('TOYMODELS_QUEUE')
    .makeOptionMandatory();

export const say = (line: string): void => {
  process.stderr.write(`toymodels: ${line}\n`);
};

export const openSession = (address: QueueAddress): QueueSession =>
  openQueue(address, say, (line) => fail(line, EXIT_USAGE));

/** Ctrl-C while gathering: the runs stay queued and keep training; say how to gather them later. */
function onInterrupt(session: QueueSession, names: string[], cleanup: () => void): () => void {
  const handler = () => {
    cleanup();
    say(
      `interrupted: the runs stay queued; gather them with: toymodels collect --queue ${session.address.shown} ${names.join(' ')}`,
    );
    process.exit(130);
  };
  process.once('SIGINT', handler);
  return () => process.off('SIGINT', handler);
}

export async function queueSweeps(
  specs: SweepSpec[],
  address: QueueAddress,
  opts: Record<string, unknown>,
): Promise<void> {
  const store = new RunStore(String(opts.store));
  const session = openSession(address);
  try {
    const queued = await enqueueSweeps(session, store, specs);
    const total = queued.reduce((n, q) => n + q.runs, 0);
    say(`${total} runs queued on ${address.shown}; workers take them with: toymodels worker --queue ${address.shown}`);
    if (opts.wait === false) {
      const hint = (name: string) => `toymodels collect --queue ${address.shown} ${name} --store ${String(opts.store)}`;
      if (opts.json) process.stdout.write(`${JSON.stringify(queued.length === 1 ? queued[0] : queued)}\n`);
      else
        process.stdout.write(
          queued.map((q) => `sweep ${q.sweep}: ${q.runs} runs queued; gather them with: ${hint(q.sweep)}\n`).join(''),
        );
      return;
    }
    await showSweeps(session, store, specs, { json: Boolean(opts.json), wait: true });
  } finally {
    await session.close();
    store.close();
  }
}

const onFailed = (sweep: string, point: number, jobId: string, reason: string) =>
  say(`${jobId} (sweep ${sweep}, point ${point}) failed on the workers: ${reason}`);

/** The summary of every gathered sweep; exit 1 if any job failed on the workers. */
function report(result: GatherResult, json: boolean): void {
  const output = sweepResults(json);
  for (const { spec, outcomes } of result.sweeps) output.add(spec, outcomes);
  output.end();
  if (result.failures.length)
    fail(`${result.failures.length} run(s) failed on the workers; the first: ${result.failures[0]}`, EXIT_FAILURE);
}

/** Gathers the sweeps one after another, each with a local sweep's progress bars. */
export async function showSweeps(
  session: QueueSession,
  store: RunStore,
  specs: SweepSpec[],
  opts: { json: boolean; wait: boolean },
): Promise<void> {
  let current: { stop: () => void } | undefined;
  const release = onInterrupt(
    session,
    specs.map((s) => s.name),
    () => current?.stop(),
  );
  try {
    const result = await gatherSweeps(session, store, specs, {
      wait: opts.wait,
      onFailed,
      onNote: say,
      watch: (spec) => (current = sweepProgress(spec)),
    });
    report(result, opts.json);
  } finally {
    release();
  }
}

/** Gathers every sweep in the queue, or the named ones, with a line per stored run. */
export async function showAny(
  session: QueueSession,
  store: RunStore,
  names: string[],
  opts: { json: boolean; wait: boolean },
): Promise<void> {
  const release = onInterrupt(session, names, () => {});
  try {
    const result = await gatherAny(session, store, names, {
      wait: opts.wait,
      onFailed,
      onNote: say,
      onStored: (spec, point, id, summary) => {
        const values = pointLabel(sweepPoints(spec)[point] ?? { values: {} });
        say(
          `stored ${spec.name} ${values}: ${summary.status}, loss ${formatMetric(summary.data_loss)}, mono/N ${formatMetric(summary.monosemantic_per_feature, 3)} (${id})`,
        );
      },
      onPending: (pending) => say(`${pending} runs still queued or training`),
    });
    for (const name of result.missing) say(`sweep ${name}: not in the queue nor in ${store.dir}`);
    report(result, opts.json);
  } finally {
    release();
  }
}
