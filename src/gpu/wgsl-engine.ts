// The WebGPU engine: SPEC.md's training step as our own WGSL kernels (step-kernels.ts), for R runs
// of one `graphKey` side by side (workgroup z = run, so a run's arithmetic does not depend on R).
// Parameters, moments and every intermediate stay on the GPU from chunk to chunk; a chunk of K
// steps is one command buffer, and its K x R losses come back in one readback. Samples arrive as
// lists of active features (sparse-batch.ts): drawn on the GPU, or, when `run` is given the
// loop's dense samples (the test hook), sparsified on the CPU and uploaded.
/// <reference types="@webgpu/types" />
import type { RunConfig } from '../config/schema.js';
import { carriedTensors, graphKey, PARAM_NAMES, type Embeddings, type ParamName } from '../graph/step.js';
import type { CarriedState, Engine } from '../train/engine.js';
import { biasScale, learningRate } from '../train/schedule.js';
import { engineLayout, type EngineLayout } from './layout.js';
import {
  bindGroup,
  compile,
  encode,
  STEP_STRIDE,
  stepLayout,
  type Compiled,
  type Dispatch,
  type Resource,
} from './pipelines.js';
import { GpuSampler } from './sampler.js';
import { sparseCapacity, sparsifyChunk } from './sparse-batch.js';
import { stepKernels, type StepKernel, type StepKernels } from './step-kernels.js';

export interface WgslEngineOptions {
  /** List slots per sample (default `sparseCapacity(cfgs)`). */
  capacity?: number;
  /** The longest chunk `run` is asked for (default 16, the training loop's chunk). */
  maxSteps?: number;
  /** Draw samples on the GPU when `run` is given none (default true). False makes `drawsSamples`
   * false, so the loop hands over its own samples: the same data as the CPU engine. */
  drawSamples?: boolean;
}

/** A chunk's sample lists, in the layout of sparse-batch.ts. */
interface Lists {
  count: GPUBuffer;
  index: GPUBuffer;
  value: GPUBuffer;
}

const FLOAT = 4;
const DEFAULT_MAX_STEPS = 16;

export class WgslEngine implements Engine {
  readonly drawsSamples: boolean;
  private readonly owned: GPUBuffer[] = [];
  private readonly res: Record<string, Resource> = {};
  private readonly dispatches = new Map<Lists, Dispatch[]>();
  private uploaded?: Lists;
  private stepGroup!: GPUBindGroup;
  private lossReduce!: Dispatch;
  private staging!: GPUBuffer;

  private constructor(
    private readonly device: GPUDevice,
    private readonly cfgs: RunConfig[],
    private readonly layout: EngineLayout,
    private readonly kernels: { kernel: StepKernel; compiled: Compiled }[],
    private readonly scratch: Pick<StepKernels, 'lossPartPerStep' | 'norms'>,
    private readonly maxSteps: number,
    private readonly sampler: GpuSampler | undefined,
  ) {
    this.drawsSamples = sampler !== undefined;
  }

  /** An engine for runs that share `graphKey`, with their fixed embeddings; parameters start at
   * zero until `write`, moments at zero. */
  static async create(
    device: GPUDevice,
    cfgs: RunConfig[],
    embeddings: Embeddings[],
    opts: WgslEngineOptions = {},
  ): Promise<WgslEngine> {
    const cfg = cfgs[0]!;
    if (cfgs.some((c) => graphKey(c) !== graphKey(cfg)))
      throw new Error('runs trained together must share their shapes, task, activation and optimiser');
    if (embeddings.length !== cfgs.length)
      throw new RangeError(`${cfgs.length} runs need ${cfgs.length} embeddings, got ${embeddings.length}`);
    const maxSteps = opts.maxSteps ?? DEFAULT_MAX_STEPS;
    const layout = engineLayout(cfg, cfgs.length, opts.capacity ?? sparseCapacity(cfgs));
    const { step, lossReduce, ...scratch } = stepKernels(cfg, layout);
    const limit = device.limits.maxComputeWorkgroupsPerDimension;
    if ([...step.flatMap((k) => k.grid), maxSteps * cfgs.length].some((n) => n > limit)) {
      throw new RangeError(
        `too many runs trained together: a dispatch would need more than ${limit} workgroups along an axis`,
      );
    }
    const [reduce, ...compiled] = await Promise.all([
      compile(device, lossReduce),
      ...step.map((k) => compile(device, k.kernel)),
    ]);
    const sampler = opts.drawSamples === false ? undefined : GpuSampler.create(device, cfgs, layout.capacity, maxSteps);
    const engine = new WgslEngine(
      device,
      cfgs,
      layout,
      step.map((kernel, i) => ({ kernel, compiled: compiled[i]! })),
      scratch,
      maxSteps,
      sampler,
    );
    device.pushErrorScope('validation');
    device.pushErrorScope('out-of-memory');
    let thrown: unknown;
    try {
      engine.allocate(embeddings);
      engine.lossReduce = { compiled: reduce!, group: bindGroup(device, reduce!, engine.res), grid: [0, 1, 1] };
    } catch (e) {
      thrown = e;
    }
    const oom = await device.popErrorScope();
    const invalid = await device.popErrorScope();
    if (thrown !== undefined || oom || invalid) {
      await engine.release();
      throw thrown ?? new Error(`WebGPU could not set up the engine: ${(oom ?? invalid)!.message}`);
    }
    return engine;
  }

  private buffer(name: string, bytes: number, usage: number): GPUBuffer {
    const limit = Math.min(this.device.limits.maxStorageBufferBindingSize, this.device.limits.maxBufferSize);
    if (bytes > limit) {
      throw new RangeError(
        `buffer ${name} needs ${bytes} bytes, above this device's limit of ${limit}: ` +
          'train fewer runs together or use a smaller batch',
      );
    }
    const b = this.device.createBuffer({ label: name, size: Math.max(16, Math.ceil(bytes / 16) * 16), usage });
    this.owned.push(b);
    return b;
  }

  private allocate(embeddings: Embeddings[]): void {
    const { runs: R, B, N, m, k, out, params, grads } = this.layout;
    const cfg = this.cfgs[0]!;
    const S = GPUBufferUsage.STORAGE;
    const float = (name: string, floats: number, usage = 0) =>
      (this.res[name] = this.buffer(name, floats * FLOAT, S | usage));
    const P = float('P', this.layout.paramFloats, GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC);
    if (cfg.optimizer !== 'sgd')
      for (const s of ['M', 'V']) float(s, this.layout.paramFloats, GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC);
    const G = float('G', this.layout.gradFloats);
    for (const p of PARAM_NAMES) {
      this.res[p] = { buffer: P, offset: params[p].offset * FLOAT, size: params[p].length * FLOAT };
      this.res[`g${p}`] = { buffer: G, offset: grads[p].offset * FLOAT, size: grads[p].length * FLOAT };
    }
    float('X', R * B * m);
    if (cfg.task === 're-projector') float('TG', R * B * m);
    float('H', R * B * k);
    float('ZD', R * B * k);
    float('DY', R * B * out);
    float('lossPart', this.maxSteps * this.scratch.lossPartPerStep);
    float('losses', this.maxSteps * R, GPUBufferUsage.COPY_SRC);
    float('sched', this.maxSteps * R * 2, GPUBufferUsage.COPY_DST);
    if (cfg.optimizer === 'lamb') float('norms', this.scratch.norms);
    const l1 = float('l1', R, GPUBufferUsage.COPY_DST);
    this.device.queue.writeBuffer(
      l1,
      0,
      Float32Array.from(this.cfgs, (c) => c.reg / B),
    );
    // E and F transposed, N x m per run: a feature's column is contiguous.
    const transposed = (pick: (e: Embeddings) => Float32Array | undefined, name: string) => {
      const t = new Float32Array(R * N * m);
      embeddings.forEach((e, r) => {
        const M = pick(e);
        if (!M || M.length !== m * N) throw new RangeError(`run ${r} needs an ${m} x ${N} embedding ${name}`);
        for (let i = 0; i < m; i++) for (let f = 0; f < N; f++) t[(r * N + f) * m + i] = M[i * N + f]!;
      });
      this.device.queue.writeBuffer(float(`${name}T`, R * N * m, GPUBufferUsage.COPY_DST), 0, t);
    };
    transposed((e) => e.E, 'E');
    if (cfg.task === 're-projector') transposed((e) => e.F, 'F');
    const steps = this.buffer('steps', this.maxSteps * STEP_STRIDE, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
    this.stepGroup = this.device.createBindGroup({
      layout: stepLayout(this.device),
      entries: [{ binding: 0, resource: { buffer: steps, size: 16 } }],
    });
    this.res.steps = steps;
    this.staging = this.buffer(
      'staging',
      (this.maxSteps * R + 1) * FLOAT,
      GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    );
  }

  /** Uploads an array (typed arrays may sit on any ArrayBuffer; WebGPU's types want a plain one). */
  private put(buffer: GPUBuffer, offset: number, data: Float32Array | Uint32Array): void {
    this.device.queue.writeBuffer(buffer, offset, data as Float32Array<ArrayBuffer>);
  }

  /** The step's dispatches with the lists of `lists` bound, made once per source of lists. */
  private stepDispatches(lists: Lists): Dispatch[] {
    let d = this.dispatches.get(lists);
    if (!d) {
      const res = { ...this.res, ...lists };
      d = this.kernels.map(({ kernel, compiled }) => ({
        compiled,
        grid: kernel.grid,
        group: bindGroup(this.device, compiled, kernel.lists ? res : this.res),
      }));
      this.dispatches.set(lists, d);
    }
    return d;
  }

  /** The test hook: the loop's dense chunk (R x K x B x N) as lists, uploaded. */
  private upload(v: Float32Array, K: number): Lists {
    const { runs: R, B, N, capacity } = this.layout;
    const slots = this.maxSteps * R * B;
    this.uploaded ??= {
      count: this.buffer('count', slots * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST),
      index: this.buffer('index', slots * capacity * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST),
      value: this.buffer('value', slots * capacity * FLOAT, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST),
    };
    const lists = sparsifyChunk(v, R, K, B, N, capacity);
    this.put(this.uploaded.count, 0, lists.count);
    this.put(this.uploaded.index, 0, lists.index);
    this.put(this.uploaded.value, 0, lists.value);
    return this.uploaded;
  }

  /** Per step: its index in the chunk and Adam's bias corrections (t = i + 1); per step and run:
   * the scheduled learning rate and the bias decay factor (schedule.ts, in float64). */
  private writeSchedule(first: number, K: number): void {
    const R = this.cfgs.length;
    const steps = new ArrayBuffer(K * STEP_STRIDE);
    const sched = new Float32Array(K * R * 2);
    for (let j = 0; j < K; j++) {
      const t = first + j + 1;
      new Uint32Array(steps, j * STEP_STRIDE, 1)[0] = j;
      new Float32Array(steps, j * STEP_STRIDE + 4, 2).set([1 - 0.9 ** t, Math.sqrt(1 - 0.999 ** t)]);
      this.cfgs.forEach((c, r) => sched.set([learningRate(c, first + j), biasScale(c, first + j)], (j * R + r) * 2));
    }
    this.device.queue.writeBuffer(this.res.steps as GPUBuffer, 0, steps);
    this.device.queue.writeBuffer(this.res.sched as GPUBuffer, 0, sched);
  }

  async run(first: number, K: number, v?: Float32Array): Promise<Float32Array> {
    if (!Number.isInteger(K) || K < 1 || K > this.maxSteps)
      throw new RangeError(`chunks must be 1 to ${this.maxSteps} steps long, got ${K}`);
    const { device, sampler } = this;
    if (!v && !sampler) throw new Error('this engine draws no samples (drawSamples: false): pass them');
    const R = this.cfgs.length;
    device.pushErrorScope('validation');
    this.writeSchedule(first, K);
    const encoder = device.createCommandEncoder();
    const lists = v ? this.upload(v, K) : sampler!;
    if (!v) sampler!.encode(encoder, first, K);
    const pass = encoder.beginComputePass();
    const dispatches = this.stepDispatches(lists);
    for (let j = 0; j < K; j++) encode(pass, dispatches, this.stepGroup, j);
    encode(pass, [{ ...this.lossReduce, grid: [K * R, 1, 1] }], this.stepGroup, 0);
    pass.end();
    encoder.copyBufferToBuffer(this.res.losses as GPUBuffer, 0, this.staging, 0, K * R * FLOAT);
    // The sampler's count of samples cut at capacity (cumulative): rides along with the losses.
    const overflowAt = this.maxSteps * R * FLOAT;
    if (!v) encoder.copyBufferToBuffer(sampler!.overflow, 0, this.staging, overflowAt, 4);
    device.queue.submit([encoder.finish()]);
    const invalid = await device.popErrorScope();
    if (invalid) throw new Error(`WebGPU rejected the chunk: ${invalid.message}`);
    await this.staging.mapAsync(GPUMapMode.READ);
    const losses = new Float32Array(this.staging.getMappedRange(0, K * R * FLOAT).slice(0));
    const overflow = v ? 0 : new Uint32Array(this.staging.getMappedRange(overflowAt, 4))[0]!;
    this.staging.unmap();
    if (overflow > 0) {
      throw new RangeError(
        `${overflow} samples had more than ${this.layout.capacity} active features: raise the engine's capacity`,
      );
    }
    return losses;
  }

  /** Where carried tensor `name` (W1, m_W1, v_W1, ...) lives: its buffer and region. */
  private locate(name: string): { buffer: GPUBuffer; offset: number; length: number } {
    const [moment, param] = name.includes('_') ? name.split('_') : [undefined, name];
    const region = this.layout.params[param as ParamName];
    const buffer = this.res[moment === undefined ? 'P' : moment === 'm' ? 'M' : moment === 'v' ? 'V' : ''];
    if (!region || !buffer) throw new Error(`no carried tensor ${name}`);
    return { buffer: buffer as GPUBuffer, ...region };
  }

  async read(): Promise<CarriedState> {
    const names = carriedTensors(this.cfgs[0]!, this.cfgs.length).map((t) => t.name);
    const parts = names.map((name) => this.locate(name));
    const total = parts.reduce((a, p) => a + p.length, 0);
    const staging = this.device.createBuffer({
      size: Math.max(16, total * FLOAT),
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    try {
      const encoder = this.device.createCommandEncoder();
      let at = 0;
      for (const p of parts) {
        encoder.copyBufferToBuffer(p.buffer, p.offset * FLOAT, staging, at * FLOAT, p.length * FLOAT);
        at += p.length;
      }
      this.device.queue.submit([encoder.finish()]);
      await staging.mapAsync(GPUMapMode.READ);
      const all = new Float32Array(staging.getMappedRange().slice(0));
      at = 0;
      return Object.fromEntries(parts.map((p, i) => [names[i]!, all.subarray(at, (at += p.length))]));
    } finally {
      staging.destroy();
    }
  }

  write(state: CarriedState): void {
    for (const [name, data] of Object.entries(state)) {
      const { buffer, offset, length } = this.locate(name);
      if (data.length !== length) throw new RangeError(`${name} needs ${length} values, got ${data.length}`);
      this.put(buffer, offset * FLOAT, data);
    }
  }

  /**
   * Each step kernel's GPU time, from timestamp queries: the mean over `reps` dispatches, each in a
   * pass of its own, on the samples of the last chunk run. For the roofline of `npm run bench:gpu`;
   * the parameters move as it runs, so profile after training, not during.
   */
  async profileKernels(reps = 10): Promise<{ name: string; seconds: number; flops: number; bytes: number }[]> {
    const { device } = this;
    if (!device.features.has('timestamp-query')) throw new Error('this device has no timestamp queries');
    const lists = this.sampler ?? this.uploaded;
    if (!lists) throw new Error('run a chunk before profiling');
    const dispatches = this.stepDispatches(lists);
    const count = 2 * dispatches.length * reps;
    const querySet = device.createQuerySet({ type: 'timestamp', count });
    const resolved = device.createBuffer({
      size: count * 8,
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    });
    const staging = device.createBuffer({ size: count * 8, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const at = (rep: number, i: number) => 2 * (rep * dispatches.length + i);
    try {
      const encoder = device.createCommandEncoder();
      for (let rep = 0; rep < reps; rep++) {
        dispatches.forEach((d, i) => {
          const q = at(rep, i);
          const pass = encoder.beginComputePass({
            timestampWrites: { querySet, beginningOfPassWriteIndex: q, endOfPassWriteIndex: q + 1 },
          });
          encode(pass, [d], this.stepGroup, 0);
          pass.end();
        });
      }
      encoder.resolveQuerySet(querySet, 0, count, resolved, 0);
      encoder.copyBufferToBuffer(resolved, 0, staging, 0, count * 8);
      device.queue.submit([encoder.finish()]);
      await staging.mapAsync(GPUMapMode.READ);
      const t = new BigUint64Array(staging.getMappedRange().slice(0));
      staging.unmap();
      return this.kernels.map(({ kernel }, i) => {
        let ns = 0;
        for (let rep = 0; rep < reps; rep++) ns += Number(t[at(rep, i) + 1]! - t[at(rep, i)]!);
        return { name: kernel.name, seconds: ns / reps / 1e9, flops: kernel.flops, bytes: kernel.bytes };
      });
    } finally {
      querySet.destroy();
      resolved.destroy();
      staging.destroy();
    }
  }

  async release(): Promise<void> {
    this.sampler?.destroy();
    for (const b of this.owned) b.destroy();
    this.owned.length = 0;
    this.dispatches.clear();
  }
}
