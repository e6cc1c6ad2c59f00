// The CPU engine (and ORT's WebGPU provider): each chunk of steps is one ORT call of the step
// graph (src/graph/step.ts), so parameters and optimiser state stay in ORT tensors from chunk to
// chunk and each step's outputs become the next step's inputs with no copy through JavaScript.
// The runtime is given: onnxruntime-node in Node (device.ts), onnxruntime-web in a browser
// (ort-web.ts), the same graphs either way.
import type { InferenceSession, Tensor } from 'onnxruntime-common';
import { batchSize, type RunConfig } from '../config/schema.js';
import { buildStepModel, carriedTensors, nextName, type Embeddings, type StepLoop } from '../graph/step.js';
import type { CarriedState, Engine } from './engine.js';
import { biasScale, learningRate } from './schedule.js';

/** An ONNX Runtime to run the graphs on, with its session options chosen. */
export interface OrtRuntime {
  Tensor: typeof Tensor;
  createSession(model: Uint8Array): Promise<InferenceSession>;
}

export interface OrtEngineOptions {
  runtime: OrtRuntime;
  /** Scan serves every chunk length with one model; unrolled chunks need a model per length
   * (ORT's WebGPU provider has no Scan kernel). */
  loop: StepLoop['kind'];
}

export class OrtEngine implements Engine {
  readonly drawsSamples = false;
  private readonly sessions = new Map<number, Promise<InferenceSession>>();
  private carried: Record<string, Tensor>;
  private readonly B: number;

  private constructor(
    private readonly cfgs: RunConfig[],
    private readonly embeddings: Embeddings[],
    private readonly opts: OrtEngineOptions,
  ) {
    this.B = batchSize(cfgs[0]!);
    // Optimiser state starts at zero; parameters are written by the caller.
    this.carried = Object.fromEntries(
      carriedTensors(cfgs[0]!, cfgs.length).map(({ name, shape }) => [
        name,
        new this.opts.runtime.Tensor('float32', new Float32Array(shape.reduce((a, b) => a * b, 1)), shape),
      ]),
    );
  }

  /** An engine for runs that share `graphKey`, with the models for chunks of the given lengths
   * built and loaded up front (others are built when first run). */
  static async create(
    cfgs: RunConfig[],
    embeddings: Embeddings[],
    opts: OrtEngineOptions,
    lengths: Iterable<number> = [],
  ): Promise<OrtEngine> {
    const engine = new OrtEngine(cfgs, embeddings, opts);
    try {
      for (const K of lengths) await engine.session(K);
    } catch (e) {
      await engine.release();
      throw e;
    }
    return engine;
  }

  /** The session for chunks of K steps (one Scan session for all K). */
  private session(K: number): Promise<InferenceSession> {
    const key = this.opts.loop === 'scan' ? 0 : K;
    let s = this.sessions.get(key);
    if (!s) {
      const model =
        this.opts.loop === 'scan'
          ? buildStepModel(this.cfgs, this.embeddings)
          : buildStepModel(this.cfgs, this.embeddings, { kind: 'unrolled', K });
      s = this.opts.runtime.createSession(model);
      this.sessions.set(key, s);
    }
    return s;
  }

  async run(first: number, K: number, v?: Float32Array): Promise<Float32Array> {
    if (!v) throw new Error('the ORT engine draws no samples: pass them');
    const { cfgs, B } = this;
    const R = cfgs.length;
    const N = cfgs[0]!.N;
    const perStep = (f: (c: RunConfig, i: number) => number) => {
      const out = new Float32Array(K * R);
      for (let j = 0; j < K; j++) cfgs.forEach((c, r) => (out[j * R + r] = f(c, first + j)));
      return new this.opts.runtime.Tensor('float32', out, [K, R]);
    };
    const out = await (
      await this.session(K)
    ).run({
      v: new this.opts.runtime.Tensor('float32', v.subarray(0, R * K * B * N), [R, K, B, N]),
      lr: perStep(learningRate),
      t: new this.opts.runtime.Tensor(
        'float32',
        Float32Array.from({ length: K }, (_, j) => first + j + 1),
        [K],
      ),
      bias_scale: perStep(biasScale),
      ...this.carried,
    });
    this.carried = Object.fromEntries(Object.keys(this.carried).map((name) => [name, out[nextName(name)] as Tensor]));
    return out.loss!.data as Float32Array;
  }

  async read(): Promise<CarriedState> {
    return Object.fromEntries(Object.entries(this.carried).map(([name, t]) => [name, t.data as Float32Array]));
  }

  write(state: CarriedState): void {
    for (const [name, data] of Object.entries(state)) {
      const t = this.carried[name];
      if (!t) throw new Error(`no carried tensor ${name}`);
      if (data.length !== t.size) throw new RangeError(`${name} needs ${t.size} values, got ${data.length}`);
      this.carried[name] = new this.opts.runtime.Tensor('float32', Float32Array.from(data), t.dims);
    }
  }

  async release(): Promise<void> {
    const sessions = await Promise.allSettled(this.sessions.values());
    this.sessions.clear();
    for (const s of sessions) if (s.status === 'fulfilled') await s.value.release();
  }
}
