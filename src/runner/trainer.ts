// The parent's side of a training process (training-process.ts): one forked process that trains
// the groups of runs it is sent (a group shares one step graph), one group at a time, into the
// store named in each request. ORT's session.run blocks the thread that calls it, so a parent that
// must stay responsive (progress bars, a queue worker's lock renewals) trains in such processes.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { RunSummary } from '../store/types.js';
import type { Progress } from '../train/loop.js';
import type { WorkerMessage, WorkRequest } from './training-process.js';

const WORKER = path.join(import.meta.dirname, 'training-process.js');

/** `index` is a run's place in the request's `runs`. */
export interface TrainerEvents {
  onStart?: (index: number, id: string) => void;
  onProgress?: (p: Progress) => void;
  onEnd?: (index: number, run: TrainedRun) => void;
}

export interface TrainedRun {
  id: string;
  summary: RunSummary;
}

export class Trainer {
  private readonly child: ChildProcess = fork(WORKER, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });

  /** Trains the request's runs; resolves with them in request order, rejects if training throws
   * or the process dies. */
  train(req: WorkRequest, events: TrainerEvents = {}): Promise<TrainedRun[]> {
    const child = this.child;
    const runs: TrainedRun[] = [];
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        child.off('message', onMessage);
        reject(new Error(`a training process exited (${signal ?? `code ${code}`}) while training`));
      };
      const onMessage = (m: WorkerMessage) => {
        if (m.type === 'start') events.onStart?.(m.index, m.id);
        else if (m.type === 'progress') events.onProgress?.(m.progress);
        else if (m.type === 'done') {
          runs[m.index] = { id: m.id, summary: m.summary };
          events.onEnd?.(m.index, runs[m.index]!);
        } else {
          child.off('message', onMessage);
          child.off('exit', onExit);
          if (m.type === 'error') reject(new Error(m.message));
          else resolve(runs);
        }
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send(req);
    });
  }

  /** Lets the process end: it exits when its parent disconnects, mid-run or not. */
  close(): void {
    if (this.child.connected) this.child.disconnect();
  }
}
