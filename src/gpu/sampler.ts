// Sparse feature batches drawn on the GPU (SPEC.md, "Features" and "Tasks") into the engine's list
// layout (sparse-batch.ts), so no sample ever crosses the bus. The kernel and its cost per sample
// are described in kernels/sample.ts. Each run's p_j are computed once here on the CPU and uploaded;
// after that a chunk costs one small uniform write (its first step) and one dispatch.
/// <reference types="@webgpu/types" />
import { batchSize, type RunConfig } from '../config/schema.js';
import { featureProbabilities } from '../features/distributions.js';
import { featureBlocks, sampleKernel, threadsPerSample, WORKGROUP_SIZE } from './kernels/sample.js';

/** Uniform slots used in turn, so up to this many encodes may be recorded before one submit. */
const PARAM_SLOTS = 64;

export class GpuSampler {
  private slot = 0;

  private constructor(
    private readonly device: GPUDevice,
    private readonly pipeline: GPUComputePipeline,
    private readonly bindGroup: GPUBindGroup,
    private readonly params: GPUBuffer,
    private readonly paramStride: number,
    private readonly inputs: GPUBuffer[],
    /** Samples of one step of every run: runs x batch. */
    private readonly samplesPerStep: number,
    private readonly samplesPerGroup: number,
    private readonly maxSteps: number,
    readonly count: GPUBuffer,
    readonly index: GPUBuffer,
    readonly value: GPUBuffer,
    readonly overflow: GPUBuffer,
  ) {}

  /**
   * A sampler for runs trained together (same N, task and batch size; eps, sample_kind and seed
   * may differ), with lists of `capacity` slots (sparseCapacity) and room for `maxSteps` steps.
   */
  static create(device: GPUDevice, cfgs: RunConfig[], capacity: number, maxSteps: number): GpuSampler {
    const head = cfgs[0];
    if (!head) throw new RangeError('a GPU sampler needs at least one run');
    for (const c of cfgs) {
      if (c.N !== head.N || c.task !== head.task || c.log2_batch_size !== head.log2_batch_size) {
        throw new RangeError('runs sampled together must share N, task and batch size');
      }
    }
    for (const [name, n] of [
      ['capacity', capacity],
      ['maxSteps', maxSteps],
    ] as const) {
      if (!Number.isInteger(n) || n < 1) throw new RangeError(`${name} must be a positive integer, got ${n}`);
    }
    const N = head.N;
    const abs = head.task === 'abs';
    const batch = batchSize(head);
    const samplesPerStep = cfgs.length * batch;
    const slots = maxSteps * samplesPerStep * capacity;
    // Checked here rather than left to an asynchronous validation error; the kernel indexes in u32.
    if (4 * slots > device.limits.maxStorageBufferBindingSize || slots > 2 ** 32) {
      throw new RangeError(`${slots} list slots exceed this device's storage binding limit`);
    }

    const storage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
    const buffer = (label: string, size: number, usage: number): GPUBuffer =>
      device.createBuffer({ label, size, usage });
    const count = buffer('sampler count', 4 * maxSteps * samplesPerStep, storage);
    const index = buffer('sampler index', 4 * slots, storage);
    const value = buffer('sampler value', 4 * slots, storage);
    const overflow = buffer('sampler overflow', 4, storage | GPUBufferUsage.COPY_DST);

    const blocks = featureBlocks(N);
    const probs = new Float32Array(cfgs.length * 4 * blocks); // zero padding past N: never active
    cfgs.forEach((c, r) => probs.set(featureProbabilities(N, abs ? c.eps / 2 : c.eps, c.sample_kind), r * 4 * blocks));
    const upload = (label: string, data: Uint32Array<ArrayBuffer> | Float32Array<ArrayBuffer>): GPUBuffer => {
      const b = buffer(label, data.byteLength, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST);
      device.queue.writeBuffer(b, 0, data);
      return b;
    };
    const seeds = upload(
      'sampler seeds',
      Uint32Array.from(cfgs, (c) => c.seed),
    );
    const probBuffer = upload('sampler probabilities', probs);
    const paramStride = Math.max(16, device.limits.minUniformBufferOffsetAlignment);
    const paramUsage = GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST;
    const params = buffer('sampler params', PARAM_SLOTS * paramStride, paramUsage);

    const storageEntry = (binding: number, type: GPUBufferBindingType): GPUBindGroupLayoutEntry => ({
      binding,
      visibility: GPUShaderStage.COMPUTE,
      buffer: { type },
    });
    const layout = device.createBindGroupLayout({
      label: 'sampler',
      entries: [
        { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true } },
        storageEntry(1, 'read-only-storage'),
        storageEntry(2, 'read-only-storage'),
        storageEntry(3, 'storage'),
        storageEntry(4, 'storage'),
        storageEntry(5, 'storage'),
        storageEntry(6, 'storage'),
      ],
    });
    const bindGroup = device.createBindGroup({
      label: 'sampler',
      layout,
      entries: [
        { binding: 0, resource: { buffer: params, size: 8 } },
        ...[seeds, probBuffer, count, index, value, overflow].map((b, i) => ({
          binding: i + 1,
          resource: { buffer: b },
        })),
      ],
    });
    const module = device.createShaderModule({
      label: 'sampler',
      code: sampleKernel({ N, runs: cfgs.length, batch, capacity, abs }),
    });
    const pipeline = device.createComputePipeline({
      label: 'sampler',
      layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: 'main' },
    });
    const samplesPerGroup = WORKGROUP_SIZE / threadsPerSample(N);
    return new GpuSampler(
      device,
      pipeline,
      bindGroup,
      params,
      paramStride,
      [seeds, probBuffer],
      samplesPerStep,
      samplesPerGroup,
      maxSteps,
      count,
      index,
      value,
      overflow,
    );
  }

  /**
   * Records the drawing of steps first .. first + K - 1 of every run; step first + j lands at chunk
   * step j of the layout. `first` reaches the GPU through queue.writeBuffer into a slot of its own,
   * so the command buffer must be submitted before PARAM_SLOTS more encodes are made.
   */
  encode(encoder: GPUCommandEncoder, first: number, K: number): void {
    if (!Number.isInteger(K) || K < 1 || K > this.maxSteps) {
      throw new RangeError(`K must be an integer in [1, ${this.maxSteps}], got ${K}`);
    }
    if (!Number.isInteger(first) || first < 0 || first + K - 1 > 0xffffffff) {
      throw new RangeError(`steps ${first} .. ${first} + ${K} - 1 must be integers in [0, 2^32)`);
    }
    const samples = K * this.samplesPerStep;
    const offset = this.slot * this.paramStride;
    this.slot = (this.slot + 1) % PARAM_SLOTS;
    this.device.queue.writeBuffer(this.params, offset, Uint32Array.of(first, samples));
    // A 2-D grid, numbered x + y * width in the kernel, past the per-dimension limit.
    const groups = Math.ceil(samples / this.samplesPerGroup);
    const width = Math.min(groups, this.device.limits.maxComputeWorkgroupsPerDimension);
    const pass = encoder.beginComputePass({ label: 'sampler' });
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, this.bindGroup, [offset]);
    pass.dispatchWorkgroups(width, Math.ceil(groups / width));
    pass.end();
  }

  destroy(): void {
    for (const b of [this.params, ...this.inputs, this.count, this.index, this.value, this.overflow]) b.destroy();
  }
}
