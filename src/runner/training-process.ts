// A training process (its parent's side is trainer.ts): trains the groups of runs the parent sends,
// one group at a time (a group shares one step graph), writing each run to the store named in the
// request itself (SQLite in WAL mode serialises the writers). It dies with its parent.
import type { RunConfig } from '../config/schema.js';
import { RunStore } from '../store/run-store.js';
import type { RunSummary, SweepLink } from '../store/types.js';
import type { Device } from '../config/stored.js';
import type { Progress } from '../train/loop.js';
import { trainTogetherAndRecord } from './record-run.js';

export interface WorkRequest {
  store: string;
  runs: { config: RunConfig; link?: SweepLink }[];
  threads: number;
  device: Device;
}

/** `index` is the run's place in the request's `runs`. */
export type WorkerMessage =
  | { type: 'start'; index: number; id: string }
  | { type: 'progress'; progress: Progress }
  | { type: 'done'; index: number; id: string; summary: RunSummary }
  | { type: 'finished' }
  | { type: 'error'; message: string };

const send = (m: WorkerMessage) => process.send?.(m);

process.on('disconnect', () => process.exit(1));
process.on('message', async (req: WorkRequest) => {
  const store = new RunStore(req.store);
  try {
    await trainTogetherAndRecord(store, req.runs, {
      threads: req.threads,
      device: req.device,
      onStart: (index, id) => send({ type: 'start', index, id }),
      onProgress: (progress) => send({ type: 'progress', progress }),
      onEnd: (index, run) => send({ type: 'done', index, id: run.id, summary: run.summary }),
    });
    send({ type: 'finished' });
  } catch (e) {
    send({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  } finally {
    store.close();
  }
});
