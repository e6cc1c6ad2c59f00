// Training in Node: the loop (loop.ts) with Node's engines. `--device cpu` trains on the ONNX graphs
// on ONNX Runtime's CPU provider, `--device webgpu` on our WGSL kernels through Dawn; ORT's WebGPU
// provider stays reachable through `ortEngine` for the benchmarks' comparison.
/// <reference types="@webgpu/types" />
import type { RunConfig } from '../config/schema.js';
import type { EngineName } from '../config/stored.js';
import { nodeGpuDevice } from '../gpu/node-gpu.js';
import { WgslEngine } from '../gpu/wgsl-engine.js';
import type { StepLoop } from '../graph/step.js';
import { DeviceError, nodeRuntime, type Device } from './device.js';
import { CHUNK, trainWith, type EngineFactory, type Progress, type TrainResult } from './loop.js';
import { OrtEngine } from './ort-engine.js';

export interface TrainOptions {
  /** ORT intra-op threads. */
  threads: number;
  device?: Device;
  /** How a chunk's steps are laid out in the ONNX graph (see `StepLoop`): by default Scan on the
   * CPU, unrolled on ORT's WebGPU provider. */
  stepLoop?: StepLoop['kind'];
  onProgress?: (p: Progress) => void;
  /** The engine to train with (default: the one `device` names). */
  engine?: EngineFactory;
}

/** The step graphs on ORT. ORT's WebGPU provider has no Scan kernel, so there each chunk's steps are
 * written out, a model per chunk length, all built before training starts. */
export function ortEngine(opts: Pick<TrainOptions, 'threads' | 'device' | 'stepLoop'>): EngineFactory {
  const loop = opts.stepLoop ?? (opts.device === 'webgpu' ? 'unrolled' : 'scan');
  return (cfgs, embeddings, lengths) =>
    OrtEngine.create(
      cfgs,
      embeddings,
      { runtime: nodeRuntime(opts.device ?? 'cpu', opts.threads), loop },
      loop === 'scan' ? [CHUNK] : lengths,
    );
}

/** The engine `--device` names: the ONNX graphs on the CPU, our WGSL kernels on WebGPU. */
export const engineName = (device: Device | undefined): EngineName => (device === 'webgpu' ? 'wgsl' : 'ort');

function defaultEngine(opts: TrainOptions): EngineFactory {
  if (engineName(opts.device) === 'ort') return ortEngine(opts);
  return async (cfgs, embeddings) => {
    let device: GPUDevice;
    try {
      device = await nodeGpuDevice();
    } catch (e) {
      throw new DeviceError('webgpu', (e as Error).message);
    }
    return WgslEngine.create(device, cfgs, embeddings);
  };
}

/**
 * Trains runs that share `graphKey` side by side, each with its own seed, data, parameters,
 * optimiser state, schedule, decay and regularisation: the results equal training them one by one.
 * A run that diverges stops recording; the others go on.
 */
export function trainTogether(cfgs: RunConfig[], opts: TrainOptions): Promise<TrainResult[]> {
  return trainWith(cfgs, opts.engine ?? defaultEngine(opts), { onProgress: opts.onProgress });
}

/** Trains one run. */
export async function train(cfg: RunConfig, opts: TrainOptions): Promise<TrainResult> {
  return (await trainTogether([cfg], opts))[0]!;
}
