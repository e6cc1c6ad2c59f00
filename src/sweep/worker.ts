// A training process (its parent's side is trainer.ts): trains the runs the parent sends, one at a
// time, writing each to the store named in the request itself (SQLite in WAL mode serialises the
// writers). It dies with its parent.
import type { RunConfig } from '../config/schema.js';
import { RunStore } from '../store/run-store.js';
import type { RunSummary, SweepLink } from '../store/types.js';
import type { Progress } from '../train/loop.js';
import { trainAndRecord } from './run.js';

export interface WorkRequest {
  store: string;
  config: RunConfig;
  threads: number;
  link?: SweepLink;
}

export type WorkerMessage =
  | { type: 'start'; id: string }
  | { type: 'progress'; progress: Progress }
  | { type: 'done'; id: string; summary: RunSummary }
  | { type: 'error'; message: string };

const send = (m: WorkerMessage) => process.send?.(m);

process.on('disconnect', () => process.exit(1));
process.on('message', async (req: WorkRequest) => {
  const store = new RunStore(req.store);
  try {
    const run = await trainAndRecord(store, req.config, {
      threads: req.threads,
      link: req.link,
      onStart: (id) => send({ type: 'start', id }),
      onProgress: (progress) => send({ type: 'progress', progress }),
    });
    send({ type: 'done', id: run.id, summary: run.summary });
  } catch (e) {
    send({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  } finally {
    store.close();
  }
});
