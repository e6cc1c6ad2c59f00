// One run from config to store: the unit of work that `train` runs once and sweeps run many times.
import type { RunConfig } from '../config/schema.js';
import { PACKAGE_VERSION } from '../config/version.js';
import { runSummary } from '../analysis/summary.js';
import { monosemanticity } from '../analysis/cpu.js';
import type { RunStore } from '../store/run-store.js';
import type { RunSummary, StoredRunConfig, SweepLink } from '../store/types.js';
import type { Device } from '../config/stored.js';
import { type Progress, type TrainResult } from '../train/loop.js';
import { engineName, trainTogether } from '../train/train.js';

export interface RecordedRun {
  id: string;
  config: StoredRunConfig;
  result: TrainResult;
  summary: RunSummary;
}

export interface RecordOptions {
  threads: number;
  device?: Device;
  onProgress?: (p: Progress) => void;
}

/** Trains one model, measures its final snapshot and stores everything; the run shows as
 * `running` in the store until the last write commits. */
export async function trainAndRecord(
  store: RunStore,
  cfg: RunConfig,
  opts: RecordOptions & { link?: SweepLink; onStart?: (id: string) => void },
): Promise<RecordedRun> {
  const [run] = await trainTogetherAndRecord(store, [{ config: cfg, link: opts.link }], {
    ...opts,
    onStart: (_, id) => opts.onStart?.(id),
  });
  return run!;
}

/** Runs that share `graphKey` trained side by side in one graph (see `trainTogether`), each
 * recorded as its own run, exactly as if trained one by one. */
export async function trainTogetherAndRecord(
  store: RunStore,
  runs: { config: RunConfig; link?: SweepLink }[],
  opts: RecordOptions & {
    onStart?: (index: number, id: string) => void;
    onEnd?: (index: number, run: RecordedRun) => void;
  },
): Promise<RecordedRun[]> {
  const device = opts.device ?? 'cpu';
  const configs: StoredRunConfig[] = runs.map((r) => ({
    ...r.config,
    threads: opts.threads,
    device,
    engine: engineName(device),
    together: runs.length,
    version: PACKAGE_VERSION,
  }));
  const ids = runs.map((r, i) => store.startRun(configs[i]!, r.link));
  ids.forEach((id, i) => opts.onStart?.(i, id));
  // Progress goes to the store at most once a second, for live views of running runs.
  let reported = 0;
  const onProgress = (p: Progress) => {
    opts.onProgress?.(p);
    const now = performance.now();
    if (now - reported >= 1000 || p.step === p.steps) {
      reported = now;
      for (const id of ids) store.reportProgress(id, p);
    }
  };
  const results = await trainTogether(
    runs.map((r) => r.config),
    { threads: opts.threads, device, onProgress },
  );
  const recorded: RecordedRun[] = [];
  for (const [i, result] of results.entries()) {
    const cfg = runs[i]!.config;
    const metrics = await monosemanticity(cfg, result.params, result.embeddings.E, { threads: opts.threads });
    const summary = runSummary(result, metrics);
    store.finishRun(ids[i]!, {
      config: configs[i]!,
      losses: result.losses,
      snapshots: result.snapshots,
      embeddings: result.embeddings,
      summary,
    });
    const run = { id: ids[i]!, config: configs[i]!, result, summary };
    opts.onEnd?.(i, run);
    recorded.push(run);
  }
  return recorded;
}
