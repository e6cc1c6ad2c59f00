// Kernels as data (WGSL plus the storage buffers they bind, by name), their compiled pipelines, and
// their bind groups. A kernel's WGSL bakes in every size, so pipelines are cached per device by
// source: engines with the same shapes (a sweep's groups, the tests' windows) compile once.
/// <reference types="@webgpu/types" />

export interface Binding {
  name: string;
  access: 'read' | 'read_write';
  /** WGSL type of the buffer: `array<f32>`, `array<vec4<f32>>`, `array<u32>`, ... */
  type: string;
}

export interface Kernel {
  /** Group 0, binding i is bindings[i]. */
  bindings: Binding[];
  /** Whether the kernel reads the per-step uniform `step` (group 1, bound at a dynamic offset). */
  step: boolean;
  /** Everything but the binding declarations. */
  code: string;
}

/** Bytes between two steps' entries of the step uniform (WebGPU's uniform offset alignment). */
export const STEP_STRIDE = 256;

/** The per-step uniform: the step's index in its chunk, and Adam's bias corrections 1 - 0.9^t and
 * sqrt(1 - 0.999^t) (computed in float64 on the CPU). */
const STEP_WGSL = `struct Step { j: u32, bc1: f32, sbc2: f32 }
@group(1) @binding(0) var<uniform> step: Step;`;

export const read = (name: string, type = 'array<f32>'): Binding => ({ name, access: 'read', type });
export const readWrite = (name: string, type = 'array<f32>'): Binding => ({ name, access: 'read_write', type });

export function wgslSource(k: Kernel): string {
  const decls = k.bindings.map((b, i) => `@group(0) @binding(${i}) var<storage, ${b.access}> ${b.name}: ${b.type};`);
  return [...decls, ...(k.step ? [STEP_WGSL] : []), k.code].join('\n');
}

export interface Compiled {
  kernel: Kernel;
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

const pipelines = new WeakMap<GPUDevice, Map<string, Promise<Compiled>>>();
const stepLayouts = new WeakMap<GPUDevice, GPUBindGroupLayout>();

/** The layout of the step uniform's group, one per device. */
export function stepLayout(device: GPUDevice): GPUBindGroupLayout {
  let layout = stepLayouts.get(device);
  if (!layout) {
    layout = device.createBindGroupLayout({
      entries: [
        { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true } },
      ],
    });
    stepLayouts.set(device, layout);
  }
  return layout;
}

/** The kernel's pipeline, compiled once per device and source. WGSL errors come back as an Error
 * that quotes the compiler's messages with their lines. */
export function compile(device: GPUDevice, kernel: Kernel): Promise<Compiled> {
  let cache = pipelines.get(device);
  if (!cache) pipelines.set(device, (cache = new Map()));
  const code = wgslSource(kernel);
  let compiled = cache.get(code);
  if (!compiled) {
    compiled = build(device, kernel, code);
    cache.set(code, compiled);
    compiled.catch(() => cache.delete(code));
  }
  return compiled;
}

async function build(device: GPUDevice, kernel: Kernel, code: string): Promise<Compiled> {
  const module = device.createShaderModule({ code });
  const errors = (await module.getCompilationInfo()).messages.filter((m) => m.type === 'error');
  if (errors.length > 0) {
    const lines = code.split('\n');
    const quoted = errors.map(
      (m) => `${m.lineNum}:${m.linePos}: ${m.message}\n  ${lines[m.lineNum - 1]?.trim() ?? ''}`,
    );
    throw new Error(`WGSL does not compile:\n${quoted.join('\n')}`);
  }
  const layout = device.createBindGroupLayout({
    entries: kernel.bindings.map((b, i) => ({
      binding: i,
      visibility: GPUShaderStage.COMPUTE,
      buffer: { type: b.access === 'read' ? 'read-only-storage' : 'storage' },
    })),
  });
  const groups = kernel.step ? [layout, stepLayout(device)] : [layout];
  const pipeline = await device.createComputePipelineAsync({
    layout: device.createPipelineLayout({ bindGroupLayouts: groups }),
    compute: { module, entryPoint: 'main' },
  });
  return { kernel, pipeline, layout };
}

/** A buffer, or a part of one (offset and size in bytes). */
export type Resource = GPUBuffer | GPUBufferBinding;

/** Binds `resources` to the kernel's bindings by name. */
export function bindGroup(device: GPUDevice, c: Compiled, resources: Record<string, Resource>): GPUBindGroup {
  return device.createBindGroup({
    layout: c.layout,
    entries: c.kernel.bindings.map((b, i) => {
      const r = resources[b.name];
      if (!r) throw new Error(`no buffer for binding ${b.name}`);
      return { binding: i, resource: 'buffer' in r ? r : { buffer: r } };
    }),
  });
}

/** A dispatch of a compiled kernel with its bind group: what one step (or chunk) runs. */
export interface Dispatch {
  compiled: Compiled;
  group: GPUBindGroup;
  grid: [number, number, number];
}

/** Workgroups for `n` items of `perGroup` each, as x by y (WebGPU caps each at 65535); the kernel
 * recovers the flat index as wg.y * nwg.x + wg.x and skips indices past the end. */
export function flatGrid(n: number, perGroup: number): [number, number] {
  const groups = Math.max(1, Math.ceil(n / perGroup));
  const y = Math.ceil(groups / 65535);
  return [Math.ceil(groups / y), y];
}

/** Encodes dispatches into a pass; `j` selects the step uniform's entry for kernels that read it. */
export function encode(pass: GPUComputePassEncoder, dispatches: Dispatch[], stepGroup: GPUBindGroup, j: number): void {
  for (const d of dispatches) {
    pass.setPipeline(d.compiled.pipeline);
    pass.setBindGroup(0, d.group);
    if (d.compiled.kernel.step) pass.setBindGroup(1, stepGroup, [j * STEP_STRIDE]);
    pass.dispatchWorkgroups(...d.grid);
  }
}

/** A number as a WGSL f32 literal (an integer-valued one would otherwise read as an integer). */
export const f32 = (x: number): string => (Number.isInteger(x) ? `${x}.0` : `${x}`);

/** WGSL that sums `red` (one entry per thread of a workgroup of `size`, a power of two) into red[0];
 * every thread must reach it. */
export const treeSum = (size: number): string => `workgroupBarrier();
  for (var s = ${size / 2}u; s > 0u; s >>= 1u) {
    if (li < s) { red[li] += red[li + s]; }
    workgroupBarrier();
  }`;
