// What goes through the queue: one BullMQ job per sweep point. Its data carries the sweep's
// specification, so whichever store collects the result can save the sweep and link the run; its
// id is derived from the sweep, so enqueueing the same sweep again adds nothing (BullMQ keeps one
// job per id).
import type { JobsOptions, Queue } from 'bullmq';
import type { RunConfig } from '../config/schema.js';
import { specDigest, type SweepPoint, type SweepSpec } from '../sweep/spec.js';
import type { Progress } from '../train/loop.js';

/** The BullMQ queue (Redis keys bull:toymodels:*). */
export const QUEUE_NAME = 'toymodels';
/** Bumped when RunJob changes, so an older worker fails such a job with a clear reason. */
export const JOB_FORMAT = 1;

export interface RunJob {
  format: number;
  sweep: SweepSpec;
  point: number;
  config: RunConfig;
}

/** A job's return value; the run itself travels separately (results.ts). */
export interface RunJobResult {
  id: string;
  status: 'finished' | 'diverged';
  bytes: number;
}

/** A job's progress, as its worker reports it about once a second. */
export type RunJobProgress = Progress & { id: string };

/** The job states that are not finished, for counting what is still to come. */
export const PENDING_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;

export const JOB_OPTIONS: JobsOptions = {
  // A training process that crashed (out of memory, say) gets two more tries, 10 s apart; a run that
  // diverges is a result, not a failure.
  attempts: 3,
  backoff: { type: 'fixed', delay: 10_000 },
  // Completed jobs are removed by the collector once their run is stored; failed ones are kept for
  // inspection until the sweep is submitted again.
  removeOnComplete: false,
  removeOnFail: false,
};

/** sweep#digest#point: sweep names never contain '#' (and BullMQ forbids ':' in ids). */
export const jobId = (spec: SweepSpec, point: number): string => `${spec.name}#${specDigest(spec)}#${point}`;
export const sweepOfJob = (id: string): string => id.slice(0, id.indexOf('#'));

/**
 * Enqueues the points still to train. Jobs already in the queue (waiting, running, or completed
 * and not yet collected) are left as they are; failed ones are tried again.
 */
export async function enqueueSweep(queue: Queue, spec: SweepSpec, todo: SweepPoint[]): Promise<void> {
  const ids = new Set(todo.map((p) => jobId(spec, p.index)));
  await queue.addBulk(
    todo.map((p) => ({
      name: spec.name,
      data: { format: JOB_FORMAT, sweep: spec, point: p.index, config: p.config } satisfies RunJob,
      opts: { ...JOB_OPTIONS, jobId: jobId(spec, p.index) },
    })),
  );
  for (const job of await queue.getJobs(['failed'])) {
    if (job.id && ids.has(job.id)) await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
  }
}
