// The dashboard's analysis of stored runs, cached in memory: a run's series (every snapshot's
// measures) and the final snapshot's biases, once per run version (its files' sizes and mtimes,
// so finished runs are analysed once); analysed snapshots for the heat-map slider; loaded runs,
// bounded by bytes. One SnapshotAnalyser (ORT sessions) per config shape is kept and reused.
// ORT blocks the thread it runs on, so the work is queued and runs one task at a time.
import {
  amplitudeOptions,
  cpuAnalyser,
  finalSnapshot,
  findSnapshot,
  reorder,
  seriesWith,
  snapshotSteps,
  zeroOutputLoss,
  type SeriesPoint,
  type SnapshotAnalyser,
} from '../analysis/index.js';
import { amplitudeCurves } from '../figures/amplitude-response.js';
import { HEATMAP_MAX_FEATURES, HEATMAP_MAX_NEURONS } from '../figures/heatmap.js';
import type { LoadedRun, LossTrace, Snapshot } from '../store/types.js';
import type { SnapshotResponse } from './api-types.js';
import { Lru } from './lru.js';
import type { StoreReader } from './store-reader.js';

/** What the dashboard keeps of a run's analysis. */
export interface RunAnalysisEntry {
  losses: LossTrace;
  snapshots: number[];
  series: SeriesPoint[];
  /** The final snapshot's step and b1 in heat-map order; null if the run has no snapshots. */
  final: { step: number; biases: number[] } | null;
  /** The expected loss of a model that outputs zero, for marking runs that never learned. */
  zero_output_loss: number;
}

/** A request for a snapshot the run does not have. */
export class MissingSnapshotError extends Error {}

export interface AnalysisOptions {
  /** ORT intra-op threads for the analysis (default: ORT's choice). */
  threads?: number;
  /** Bytes of loaded runs kept in memory (default 256 MiB). */
  loadedRunBytes?: number;
  /** Bytes of analysed snapshots kept (default 64 MiB). */
  snapshotBytes?: number;
}

const shapeKey = (c: LoadedRun['config']) => `${c.task}|${c.nonlinearity}|${c.N}|${c.m}|${c.k}`;

function loadedBytes(run: LoadedRun): number {
  let bytes = run.embeddings.E.byteLength + (run.embeddings.F?.byteLength ?? 0);
  for (const s of run.snapshots) bytes += s.W1.byteLength + s.b1.byteLength + s.W2.byteLength;
  return bytes;
}

const base64 = (a: Float32Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

export class RunAnalysis {
  private readonly analysers: Lru<string, SnapshotAnalyser>;
  private readonly loaded: Lru<string, LoadedRun>;
  private readonly analyses = new Lru<string, RunAnalysisEntry>(2000);
  private readonly snapshots: Lru<string, SnapshotResponse>;
  private readonly inflight = new Map<string, Promise<unknown>>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly reader: StoreReader,
    private readonly options: AnalysisOptions = {},
  ) {
    this.analysers = new Lru(
      4,
      () => 1,
      (a) => void a.release().catch(() => undefined),
    );
    this.loaded = new Lru(options.loadedRunBytes ?? 256 * 2 ** 20, loadedBytes);
    this.snapshots = new Lru(
      options.snapshotBytes ?? 64 * 2 ** 20,
      (s) => s.sfa.data.length + 16 * (s.biases.length + s.neurons.length + s.features.length),
    );
  }

  /** Runs `task` after every task queued before it (ORT work never interleaves). */
  private serial<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** One computation per key at a time: concurrent requests for the same thing share it. */
  private shared<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const running = this.inflight.get(key);
    if (running) return running as Promise<T>;
    const promise = compute().finally(() => this.inflight.delete(key));
    this.inflight.set(key, promise);
    return promise;
  }

  private analyser(run: LoadedRun): SnapshotAnalyser {
    const key = shapeKey(run.config);
    let a = this.analysers.get(key);
    if (!a) {
      a = cpuAnalyser(run.config, { threads: this.options.threads });
      this.analysers.set(key, a);
    }
    return a;
  }

  /** The run's files, read once per version (`signature`) while they fit the cache. */
  private load(id: string, signature: string): LoadedRun {
    const key = `${id}|${signature}`;
    const cached = this.loaded.get(key);
    if (cached) return cached;
    const run = this.reader.loadRun(id);
    this.loaded.set(key, run);
    return run;
  }

  /** Series, losses, snapshot steps and final biases of a finished or diverged run. */
  runAnalysis(id: string, signature: string): Promise<RunAnalysisEntry> {
    const key = `${id}|${signature}`;
    const cached = this.analyses.get(key);
    if (cached) return Promise.resolve(cached);
    return this.shared(`analysis:${key}`, () =>
      this.serial(async () => {
        const again = this.analyses.get(key);
        if (again) return again;
        const run = this.load(id, signature);
        const analyser = this.analyser(run);
        const series = await seriesWith(analyser, run);
        const last = finalSnapshot(run);
        let final: RunAnalysisEntry['final'] = null;
        if (last) {
          // The final snapshot's heat map is what a sweep page shows first: analyse it now.
          const response = await this.analyseSnapshot(
            run,
            last,
            analyser,
            series.find((p) => p.step === last.step)!,
          );
          this.snapshots.set(`${key}|${last.step}`, response);
          final = { step: last.step, biases: response.biases };
        }
        const entry: RunAnalysisEntry = {
          losses: run.losses,
          snapshots: snapshotSteps(run),
          series,
          final,
          zero_output_loss: zeroOutputLoss(run.config, run.embeddings.F),
        };
        this.analyses.set(key, entry);
        return entry;
      }),
    );
  }

  /** The heat map, biases and measures of one snapshot; MissingSnapshotError names the valid steps. */
  snapshot(id: string, signature: string, step: number): Promise<SnapshotResponse> {
    const key = `${id}|${signature}|${step}`;
    const cached = this.snapshots.get(key);
    if (cached) return Promise.resolve(cached);
    return this.shared(`snapshot:${key}`, () =>
      this.serial(async () => {
        const again = this.snapshots.get(key);
        if (again) return again;
        const run = this.load(id, signature);
        const snapshot = findSnapshot(run, step);
        if (!snapshot) {
          const steps = snapshotSteps(run);
          throw new MissingSnapshotError(
            steps.length
              ? `run ${id} has no snapshot ${step}; its snapshots are after steps ${steps.join(', ')}`
              : `run ${id} has no snapshots`,
          );
        }
        const analyser = this.analyser(run);
        const metrics = await analyser.monosemanticity(snapshot, run.embeddings.E);
        const response = await this.analyseSnapshot(run, snapshot, analyser, {
          log2_step: Math.log2(step + 1),
          step,
          ...metrics,
        });
        this.snapshots.set(key, response);
        return response;
      }),
    );
  }

  private async analyseSnapshot(
    run: LoadedRun,
    snapshot: Snapshot,
    analyser: SnapshotAnalyser,
    point: SeriesPoint,
  ): Promise<SnapshotResponse> {
    const { k, N } = run.config;
    const analysis = await analyser.analyse(snapshot, run.embeddings, { extraFeatures: [], ...amplitudeOptions(N) });
    const { single_feature_activations: sfa, heatmap_order: order } = analysis;
    const rows = Math.min(k, HEATMAP_MAX_NEURONS);
    const cols = Math.min(N, HEATMAP_MAX_FEATURES);
    const cropped = reorder(sfa, order.neurons.subarray(0, rows), order.features.subarray(0, cols));
    const biases = Array.from(order.neurons, (n) => snapshot.b1[n]!);
    const { log2_step, step, ...metrics } = point;
    return {
      step,
      log2_step,
      metrics,
      sfa: { rows, cols, data: base64(cropped.data) },
      biases,
      neurons: Array.from(order.neurons),
      features: Array.from(order.features),
      ranked_neurons: order.ranked_neurons,
      k,
      N,
      amplitude: { title: '', ...amplitudeCurves(analysis.amplitude_response) },
    };
  }

  /** Releases the ORT sessions and drops every cache. */
  async close(): Promise<void> {
    await this.queue;
    const analysers = this.analysers.values();
    this.analysers.clear();
    this.loaded.clear();
    this.snapshots.clear();
    this.analyses.clear();
    // clear() already started each release; a second release() finds no sessions left.
    await Promise.all(analysers.map((a) => a.release()));
  }
}
