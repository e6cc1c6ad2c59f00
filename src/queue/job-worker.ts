// A queue worker: takes runs from the queue, trains each in a training process (trainer.ts) into a
// private temporary store, and delivers the run's files through Redis (results.ts). Training
// happens in child processes, so this process stays free to renew its jobs' locks: a worker that
// stops renewing (killed, frozen, cut off) loses its jobs to the stalled-job check of the others.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { parseRunConfig, type RunConfig } from '../config/schema.js';
import { reason } from '../store/errors.js';
import { RunStore } from '../store/run-store.js';
import { PACKAGE_VERSION } from '../config/version.js';
import { checkSweepSpec, pointLabel, sweepPoints } from '../sweep/spec.js';
import { Trainer } from '../runner/trainer.js';
import { formatMetric } from '../figures/labels.js';
import type { Device } from '../config/stored.js';
import type { QueueAddress } from './address.js';
import { connectRedis } from './connection.js';
import { JOB_FORMAT, QUEUE_NAME, type RunJob, type RunJobProgress, type RunJobResult } from './jobs.js';
import { deliverRun } from './results.js';

export interface QueueWorkerOptions {
  /** Runs trained at once, each in its own process. */
  jobs: number;
  /** ORT threads per run. */
  threads: number;
  device: Device;
  /**
   * Seconds a job's lock lasts without renewal (renewed every half of it): how long a killed
   * worker's runs wait before another worker takes them over (at most about twice this).
   */
  stallSeconds: number;
  /** Prints one line of the worker's log. */
  say: (line: string) => void;
  /** Called once if Redis refuses the URL's credentials. */
  refused: (line: string) => void;
}

/** How many times a job may lose its worker before it fails: a run that kills its machine every
 * time is not retried forever. */
const MAX_STALLS = 2;

export class QueueWorker {
  private readonly scratch = mkdtempSync(path.join(tmpdir(), 'toymodels-worker-'));
  /** Where training processes write their runs before they are delivered. */
  private readonly store = new RunStore(this.scratch);
  private readonly idle: Trainer[] = [];
  private readonly busy = new Set<Trainer>();
  private readonly worker: Worker<RunJob, RunJobResult>;
  private readonly redis: Redis;
  private stopping = false;

  constructor(
    address: QueueAddress,
    private readonly opts: QueueWorkerOptions,
  ) {
    const link = connectRedis(address, opts.say, opts.refused);
    this.redis = link.client;
    this.worker = new Worker<RunJob, RunJobResult>(QUEUE_NAME, (job, token) => this.process(job, token), {
      connection: link.client,
      concurrency: opts.jobs,
      lockDuration: opts.stallSeconds * 1000,
      stalledInterval: opts.stallSeconds * 1000,
      maxStalledCount: MAX_STALLS,
    });
    this.worker.on('error', (e) => link.noteError(e) || opts.say(`queue error: ${reason(e)}`));
    this.worker.on(
      'failed',
      (job, e) => job && opts.say(`${job.id}: attempt ${job.attemptsMade} failed (${reason(e)})`),
    );
    opts.say(
      `toymodels ${PACKAGE_VERSION}: ${opts.jobs} run(s) at once, ${opts.threads} ORT thread(s) each on ${opts.device}, from ${address.shown}`,
    );
  }

  /** The job's run, checked: a job this worker cannot read fails at once, without retries. */
  private readJob(job: Job<RunJob, RunJobResult>): { config: RunConfig; label: string } {
    const { format, sweep, point } = job.data;
    try {
      if (format !== JOB_FORMAT)
        throw new Error(`job format ${format}; this worker (toymodels ${PACKAGE_VERSION}) reads format ${JOB_FORMAT}`);
      const config = parseRunConfig(job.data.config);
      const p = sweepPoints(checkSweepSpec(sweep, `job ${job.id}`))[point];
      if (!p) throw new Error(`job ${job.id}: sweep ${sweep.name} has no point ${point}`);
      return { config, label: pointLabel(p) };
    } catch (e) {
      throw new UnrecoverableError((e as Error).message);
    }
  }

  private async process(job: Job<RunJob, RunJobResult>, token?: string): Promise<RunJobResult> {
    const { config, label } = this.readJob(job);
    const trainer = this.idle.pop() ?? new Trainer();
    this.busy.add(trainer);
    let reported = 0;
    let runId = '';
    let run;
    try {
      // The worker's one training call: what a run is trained with is decided here.
      [run] = await trainer.train(
        { store: this.scratch, runs: [{ config }], threads: this.opts.threads, device: this.opts.device },
        {
          onStart: (_, id) => {
            runId = id;
            this.opts.say(`${job.id}: training ${label} as run ${id}`);
          },
          onProgress: (p) => {
            // To Redis at most once a second: collectors poll about as often.
            const now = performance.now();
            if (now - reported < 1000 && p.step !== p.steps) return;
            reported = now;
            const progress: RunJobProgress = { ...p, id: runId };
            job.updateProgress(progress).catch(() => {});
          },
        },
      );
      this.idle.push(trainer);
    } catch (e) {
      trainer.close();
      if (this.stopping && token) {
        // Back to the queue for another worker, without using up one of the job's attempts.
        await job.moveToWait(token);
        throw new WaitingError();
      }
      throw e;
    } finally {
      this.busy.delete(trainer);
    }
    try {
      const bytes = await deliverRun(this.redis, job.id!, this.scratch, this.store.getRun(run.id)!);
      const s = run.summary;
      this.opts.say(
        `${job.id}: ${s.status}, loss ${formatMetric(s.data_loss)}, ${s.seconds.toFixed(1)} s; sent ${(bytes / 1e6).toFixed(1)} MB`,
      );
      return { id: run.id, status: s.status, bytes };
    } finally {
      rmSync(path.join(this.scratch, run.id), { recursive: true, force: true });
    }
  }

  /** Stops taking runs; runs in progress go back to the queue. Resolves once the worker is closed
   * (or after `graceMs`, if Redis cannot be reached to hand them back). */
  async stop(graceMs = 5000): Promise<number> {
    this.stopping = true;
    const returned = this.busy.size;
    for (const t of this.busy) t.close();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.worker.close(), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    for (const t of this.idle) t.close();
    this.redis.disconnect();
    this.store.close();
    rmSync(this.scratch, { recursive: true, force: true });
    return returned;
  }
}
