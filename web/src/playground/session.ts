// One playground training: one configuration, or two side by side, on the browser's engine (our
// WGSL kernels through navigator.gpu, or the ONNX step graphs on onnxruntime-web's WebAssembly),
// through the same training loop as `toymodels train`, with pause, resume and stop between chunks,
// and the analysis of every snapshot on onnxruntime-web.
/// <reference types="@webgpu/types" />
import { heatmapOrder } from '../../../src/analysis/heatmap.js';
import type { Matrix } from '../../../src/analysis/matrix.js';
import { SnapshotAnalyser, type MonosemanticitySummary } from '../../../src/analysis/snapshot.js';
import type { RunConfig } from '../../../src/config/schema.js';
import { requestGpuDevice } from '../../../src/gpu/device.js';
import { WgslEngine } from '../../../src/gpu/wgsl-engine.js';
import type { Embeddings } from '../../../src/graph/step.js';
import {
  CHUNK,
  trainWith,
  type EngineFactory,
  type Params,
  type RunRecords,
  type TrainResult,
} from '../../../src/train/loop.js';
import { OrtEngine, type OrtRuntime } from '../../../src/train/ort-engine.js';
import { webRuntime } from '../../../src/train/ort-web.js';
import { newRunId } from '../../../src/store/run-files.js';
import type { EngineChoice } from './params.js';

/** What a page trains on: `webgpu` (our WGSL kernels) or `wasm` (the ONNX graphs on WebAssembly). */
export type PageEngine = 'webgpu' | 'wasm';

export interface BrowserEngine {
  name: PageEngine;
  factory: EngineFactory;
  /** WebAssembly threads (1 on WebGPU, where the engine needs none). */
  threads: number;
  /** The runtime the analysis runs on (WebAssembly for both engines). */
  analysisRuntime: OrtRuntime;
  /** For the page: the adapter, or the WebAssembly threads. */
  detail: string;
}

/** WebAssembly threads need a cross-origin-isolated page (SharedArrayBuffer); else one. */
export const maxWasmThreads = (): number => (globalThis.crossOriginIsolated ? navigator.hardwareConcurrency || 1 : 1);

/**
 * onnxruntime-web runs one session call at a time ("Session already started"), so the page's two
 * runs and their analyses take turns through one queue.
 */
function oneAtATime(runtime: OrtRuntime): OrtRuntime {
  let queue: Promise<unknown> = Promise.resolve();
  return {
    Tensor: runtime.Tensor,
    async createSession(model) {
      const session = await runtime.createSession(model);
      const run = session.run.bind(session);
      session.run = ((...args: Parameters<typeof run>) => {
        const done = queue.then(() => run(...args));
        queue = done.catch(() => undefined);
        return done;
      }) as typeof session.run;
      return session;
    },
  };
}

let gpuDevice: Promise<GPUDevice> | undefined;

/**
 * The engine for `choice`: `auto` is WebGPU where the browser gives an adapter, else WebAssembly
 * with `threads` threads (at most what the page allows).
 */
export async function browserEngine(choice: EngineChoice, wanted?: number): Promise<BrowserEngine> {
  const threads = Math.min(wanted ?? Infinity, maxWasmThreads());
  const runtime = oneAtATime(webRuntime(threads));
  if (choice !== 'wasm') {
    const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
    try {
      if (!gpu) throw new Error('this browser has no WebGPU (navigator.gpu is missing)');
      gpuDevice ??= requestGpuDevice(gpu);
      const device = await gpuDevice;
      return {
        name: 'webgpu',
        factory: (cfgs, embeddings) => WgslEngine.create(device, cfgs, embeddings),
        threads: 1,
        analysisRuntime: runtime,
        detail: 'our WGSL kernels on WebGPU',
      };
    } catch (e) {
      gpuDevice = undefined;
      if (choice === 'webgpu') throw e;
    }
  }
  return {
    name: 'wasm',
    factory: (cfgs, embeddings) => OrtEngine.create(cfgs, embeddings, { runtime, loop: 'scan' }, [CHUNK]),
    threads,
    analysisRuntime: runtime,
    detail: `the ONNX step graphs on WebAssembly, ${threads} thread${threads === 1 ? '' : 's'}`,
  };
}

/** A snapshot's measures, as the training figure's series reads them. */
export interface SeriesPoint extends MonosemanticitySummary {
  step: number;
  log2_step: number;
}

/** What the page shows of one set of parameters: the measures, the SFA heat map and the biases. */
export interface View {
  /** The step after which the parameters were taken. */
  step: number;
  metrics: MonosemanticitySummary;
  /** k x N, rows and columns in the paper's heat-map order. */
  sfa: Matrix;
  /** The neuron of each row and the feature of each column. */
  neurons: Int32Array;
  features: Int32Array;
  /** b1 in the heat map's row order. */
  biases: Float32Array;
}

/** One configuration's side of a training. */
export class LiveRun {
  /** The store's id for the run, made when it starts (its time is the run's creation time). */
  readonly id = newRunId();
  records?: RunRecords;
  /** The measures of every snapshot taken so far, by step. */
  readonly series: SeriesPoint[] = [];
  /** The latest parameters' view (refreshed while training). */
  latest?: View;
  result?: TrainResult;
  /** The final parameters' measures, once finished. */
  final?: MonosemanticitySummary;
  /** When the latest parameters were last analysed (each run on its own clock). */
  lastView = 0;
  readonly analyser: SnapshotAnalyser;
  private readonly views = new Map<number, Promise<View>>();

  constructor(
    readonly config: RunConfig,
    runtime: OrtRuntime,
  ) {
    this.analyser = new SnapshotAnalyser(config, { runtime });
  }

  get embeddings(): Embeddings | undefined {
    return this.records?.embeddings;
  }

  /** The view of one set of parameters taken after `step`. */
  async view(step: number, params: Params): Promise<View> {
    const E = this.embeddings!.E;
    const { sfa, summary: metrics } = await this.analyser.singleFeatureActivations(params, E);
    const order = heatmapOrder(sfa);
    const { rows, cols } = sfa;
    const data = new Float32Array(rows * cols);
    order.neurons.forEach((n, r) => order.features.forEach((f, c) => (data[r * cols + c] = sfa.data[n * cols + f]!)));
    const biases = Float32Array.from(order.neurons, (n) => params.b1[n]!);
    return { step, metrics, sfa: { rows, cols, data }, neurons: order.neurons, features: order.features, biases };
  }

  /** The view of the snapshot taken after `step` (computed once). */
  snapshotView(step: number): Promise<View> {
    let v = this.views.get(step);
    if (!v) {
      const snapshot = this.records!.snapshots.find((s) => s.step === step)!;
      v = this.view(step, snapshot);
      this.views.set(step, v);
    }
    return v;
  }

  /** Analyses the snapshots not yet in the series. */
  async extendSeries(): Promise<void> {
    for (const s of this.records?.snapshots ?? []) {
      if (this.series.some((p) => p.step === s.step)) continue;
      const metrics = await this.analyser.monosemanticity(s, this.embeddings!.E);
      this.series.push({ step: s.step, log2_step: Math.log2(s.step + 1), ...metrics });
    }
  }
}

export type TrainingState = 'running' | 'paused' | 'finished' | 'stopped' | 'failed';

class Stopped extends Error {}

/**
 * Trains each configuration in its own loop, side by side. `onChunk` is called after every chunk
 * (every 16 steps) of any run; the page draws from the runs' records and views.
 */
export class Training {
  state: TrainingState = 'running';
  error?: string;
  readonly runs: LiveRun[];
  private resume?: () => void;
  private paused?: Promise<void>;

  constructor(
    configs: RunConfig[],
    readonly engine: BrowserEngine,
    private readonly onChunk: (t: Training) => void,
    /** The latest parameters are analysed at most this often, per run. */
    private readonly viewEveryMs = 250,
  ) {
    this.runs = configs.map((c) => new LiveRun(c, engine.analysisRuntime));
  }

  async start(): Promise<void> {
    try {
      await Promise.all(this.runs.map((run) => this.trainOne(run)));
      this.state = 'finished';
    } catch (e) {
      if (e instanceof Stopped) this.state = 'stopped';
      else {
        this.state = 'failed';
        this.error = (e as Error).message;
      }
    }
    this.onChunk(this);
  }

  private async trainOne(run: LiveRun): Promise<void> {
    const [result] = await trainWith([run.config], this.engine.factory, {
      afterChunk: async ([records], current) => {
        run.records = records;
        const now = performance.now();
        if (now - run.lastView >= this.viewEveryMs) {
          run.lastView = now;
          const [params] = await current();
          const step = records!.stepsRun - 1;
          run.latest = await run.view(step, params!);
          await run.extendSeries();
        }
        this.onChunk(this);
        // Let the page paint and take clicks between chunks.
        await new Promise((r) => setTimeout(r, 0));
        if (this.paused) await this.paused;
        if (this.state === 'stopped') throw new Stopped();
      },
    });
    run.result = result;
    const T = 2 ** run.config.log2_training_steps;
    run.latest = await run.view(result!.status === 'finished' ? T - 1 : result!.divergedAtStep!, result!.params);
    run.final = run.latest.metrics;
    await run.extendSeries();
  }

  pause(): void {
    if (this.state !== 'running') return;
    this.state = 'paused';
    this.paused = new Promise((r) => (this.resume = r));
    this.onChunk(this);
  }

  /** Resumes a paused training where it stopped. */
  continue(): void {
    if (this.state !== 'paused') return;
    this.state = 'running';
    const resume = this.resume;
    this.paused = undefined;
    resume?.();
    this.onChunk(this);
  }

  stop(): void {
    if (this.state !== 'running' && this.state !== 'paused') return;
    this.state = 'stopped';
    const resume = this.resume;
    this.paused = undefined;
    resume?.();
  }

  async release(): Promise<void> {
    this.stop();
    await Promise.all(this.runs.map((r) => r.analyser.release()));
  }
}
