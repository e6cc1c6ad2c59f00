// One run from config to store: the unit of work that `train` runs once and sweeps run many times.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunConfig } from '../config/schema.js';
import { monosemanticity } from '../analysis/snapshot.js';
import type { RunStore } from '../store/run-store.js';
import type { RunSummary, StoredRunConfig, SweepLink } from '../store/types.js';
import { train, type Progress, type TrainResult } from '../train/loop.js';

/** The package's version, from the nearest package.json up from this file (src/ or dist/src/). */
export const PACKAGE_VERSION: string = (() => {
  for (let dir = import.meta.dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  }
  throw new Error('toymodels: package.json not found');
})();

/** SPEC.md's final data loss: the mean of the last 8 recorded losses. */
export function finalDataLoss(losses: number[]): number {
  const last = losses.slice(-8);
  return last.reduce((a, b) => a + b, 0) / last.length;
}

export interface RecordedRun {
  id: string;
  config: StoredRunConfig;
  result: TrainResult;
  summary: RunSummary;
}

/** Trains one model, measures its final snapshot and stores everything; the run shows as
 * `running` in the store until the last write commits. */
export async function trainAndRecord(
  store: RunStore,
  cfg: RunConfig,
  opts: { threads: number; link?: SweepLink; onStart?: (id: string) => void; onProgress?: (p: Progress) => void },
): Promise<RecordedRun> {
  const config: StoredRunConfig = { ...cfg, threads: opts.threads, version: PACKAGE_VERSION };
  const id = store.startRun(config, opts.link);
  opts.onStart?.(id);
  // Progress goes to the store at most once a second, for live views of running runs.
  let reported = 0;
  const onProgress = (p: Progress) => {
    opts.onProgress?.(p);
    const now = performance.now();
    if (now - reported >= 1000 || p.step === p.steps) {
      reported = now;
      store.reportProgress(id, p);
    }
  };
  const result = await train(cfg, { threads: opts.threads, onProgress });
  const metrics = await monosemanticity(cfg, result.params, result.embeddings.E, { threads: opts.threads });
  const summary: RunSummary = {
    status: result.status,
    ...(result.divergedAtStep !== undefined ? { diverged_at_step: result.divergedAtStep } : {}),
    data_loss: result.status === 'diverged' ? NaN : finalDataLoss(result.losses.loss),
    monosemantic_neurons: metrics.monosemantic_neurons,
    monosemantic_per_feature: metrics.monosemantic_per_feature,
    mean_bias: metrics.mean_bias,
    samples_per_second: result.samplesPerSecond,
    seconds: result.seconds,
  };
  store.finishRun(id, { config, losses: result.losses, snapshots: result.snapshots, embeddings: result.embeddings, summary });
  return { id, config, result, summary };
}
