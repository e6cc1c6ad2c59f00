// Gathers a queue's results into a local store. Each completed job's run is checked and stored once,
// under the id its worker gave it and linked to its sweep point (the sweep is saved from the job's
// data if this store does not have it yet); only then are its result and its job removed from
// Redis, so a collector killed at any moment loses nothing, and one that stored a run but died
// before removing it just removes it next time.
import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { reason } from '../store/errors.js';
import { isSettled, type RunStore } from '../store/run-store.js';
import type { RunSummary } from '../store/types.js';
import { scaleLabel } from '../sweep/scale.js';
import { checkSweepSpec, type SweepSpec } from '../sweep/spec.js';
import { PENDING_STATES, sweepOfJob, type RunJob, type RunJobProgress, type RunJobResult } from './jobs.js';
import { dropRun, fetchRun } from './results.js';

export interface CollectEvents {
  /** A running job's latest progress (about once a second). */
  onProgress?: (sweep: string, point: number, progress: RunJobProgress) => void;
  /** A run stored in the local store. */
  onStored?: (spec: SweepSpec, point: number, id: string, summary: RunSummary) => void;
  /** A job that failed for good (its attempts used up); reported once. */
  onFailed?: (sweep: string, point: number, jobId: string, reason: string) => void;
  /** Anything else worth a line: a lost result queued again, a job this store cannot take. */
  onNote?: (line: string) => void;
}

export class Collector {
  private readonly failed = new Set<string>();
  private readonly refused = new Set<string>();

  constructor(
    private readonly queue: Queue<RunJob, RunJobResult>,
    private readonly redis: Redis,
    private readonly store: RunStore,
    /** Which sweeps this collector gathers. */
    private readonly wanted: (sweep: string) => boolean,
    private readonly events: CollectEvents = {},
  ) {}

  /** One pass: stores what has finished, reports progress and failures; returns how many jobs of
   * each wanted sweep are still to finish (waiting, delayed or running). */
  async poll(): Promise<Map<string, number>> {
    // Counted before collecting: a job that completes in between is collected in this very pass.
    const pending = new Map<string, number>();
    for (const id of await this.queue.getRanges([...PENDING_STATES], 0, -1)) {
      const sweep = sweepOfJob(id);
      if (this.wanted(sweep)) pending.set(sweep, (pending.get(sweep) ?? 0) + 1);
    }
    for (const job of await this.jobs('completed')) await this.collect(job);
    for (const job of await this.jobs('failed')) {
      if (this.failed.has(job.id!)) continue;
      this.failed.add(job.id!);
      this.events.onFailed?.(sweepOfJob(job.id!), job.data.point, job.id!, job.failedReason ?? 'no reason given');
    }
    for (const job of await this.jobs('active')) {
      const progress = job.progress as RunJobProgress | number;
      if (typeof progress === 'object' && progress.id)
        this.events.onProgress?.(sweepOfJob(job.id!), job.data.point, progress);
    }
    return pending;
  }

  private async jobs(state: 'completed' | 'failed' | 'active'): Promise<Job<RunJob, RunJobResult>[]> {
    // Oldest first, so runs are stored in the order they finished.
    return (await this.queue.getJobs([state], 0, -1, true)).filter((job) => job.id && this.wanted(sweepOfJob(job.id)));
  }

  private async collect(job: Job<RunJob, RunJobResult>): Promise<void> {
    const jobId = job.id!;
    if (this.refused.has(jobId)) return;
    let spec: SweepSpec;
    try {
      spec = checkSweepSpec(job.data.sweep, `job ${jobId}`);
      this.store.saveSweep({ name: spec.name, spec, scale: scaleLabel(spec.scale) });
    } catch (e) {
      this.refused.add(jobId);
      this.events.onNote?.(`${jobId}: left in the queue: ${reason(e)}`);
      return;
    }
    const link = { sweep: spec.name, point: job.data.point };
    let result: Awaited<ReturnType<typeof fetchRun>>;
    let problem = 'missing';
    try {
      result = await fetchRun(this.redis, jobId);
    } catch (e) {
      problem = `unreadable (${reason(e)})`;
    }
    const settled = () => this.store.sweepRuns(spec.name).some((r) => r.point === link.point && isSettled(r.run));
    if (!result && !settled()) {
      // Completed, but its result is gone (Redis restarted without persistence, say) or corrupt: train it again.
      this.events.onNote?.(`${jobId}: its result is ${problem}; queued again`);
      await job.retry('completed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      return;
    }
    const stored = result !== undefined && this.store.importRun(result.run.id, result.run, result.times, link);
    await dropRun(this.redis, jobId);
    await job.remove();
    if (stored) this.events.onStored?.(spec, link.point, result!.run.id, result!.run.summary);
  }
}
