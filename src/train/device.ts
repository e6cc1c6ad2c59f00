// Where the step graphs run. ORT's npm package bundles its CPU and WebGPU providers; on Linux the
// WebGPU provider (Dawn) runs on Vulkan, so a machine needs the Vulkan loader and a GPU driver.
import ort from 'onnxruntime-node';
import type { Device } from '../config/stored.js';
import { probeAdapter } from '../gpu/node-gpu.js';
import type { OrtRuntime } from './ort-engine.js';

export type { Device };

/** The device cannot run the graphs here (no Vulkan loader, no adapter): the user's choice, not a bug. */
export class DeviceError extends Error {
  constructor(device: Device, reason: string) {
    super(`--device ${device} is not available here: ${reason}; use --device cpu`);
  }
}

/**
 * Without the Vulkan loader, Dawn prints a native warning before ORT fails; checking for the
 * loader first keeps the error to our one line. process.dlopen loads any shared library before it
 * looks for a Node addon in it, so "did not self-register" means the library is there.
 */
function checkVulkanLoader(): void {
  if (process.platform !== 'linux') return;
  try {
    process.dlopen({ exports: {} }, 'libvulkan.so.1');
  } catch (e) {
    if (/cannot open shared object/.test(String(e)))
      throw new DeviceError(
        'webgpu',
        'the Vulkan loader libvulkan.so.1 is not installed (Debian: apt-get install libvulkan1) and a GPU driver is needed',
      );
  }
}

/** ORT's source location and check expression, before the reason ORT gives in words. */
function ortReason(message: string): string {
  const line = message.split('\n')[0]!;
  return (line.split(' was false. ').at(-1) ?? line).trim();
}

/** ORT's own log level (0 verbose ... 4 fatal; ORT's default 2), from TOYMODELS_ORT_LOG_LEVEL: at 1
 * ORT says which nodes a provider could not take, the first thing to look at on a new device. */
const ORT_LOG_LEVEL =
  process.env.TOYMODELS_ORT_LOG_LEVEL === undefined
    ? undefined
    : (Number(process.env.TOYMODELS_ORT_LOG_LEVEL) as 0 | 1 | 2 | 3 | 4);

/**
 * The one way the project opens an ORT session, for a step or analysis graph on the device: one
 * log level, sequential execution, full graph optimisation. `threads` undefined leaves ORT's own
 * choice (one per core); `extra` adds options such as the profiler's.
 */
export async function createSession(
  model: Uint8Array,
  device: Device,
  threads: number | undefined,
  extra: ort.InferenceSession.SessionOptions = {},
): Promise<ort.InferenceSession> {
  if (device === 'webgpu') checkVulkanLoader();
  try {
    return await ort.InferenceSession.create(model, {
      ...(ORT_LOG_LEVEL !== undefined ? { logSeverityLevel: ORT_LOG_LEVEL } : {}),
      executionProviders: [device],
      ...(threads !== undefined ? { intraOpNumThreads: threads } : {}),
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      ...extra,
    });
  } catch (e) {
    if (device === 'cpu') throw e;
    throw new DeviceError(device, ortReason(e instanceof Error ? e.message : String(e)));
  }
}

/**
 * Fails fast with a DeviceError when the device cannot train here, before any run starts. WebGPU
 * needs an adapter, which is asked for in a child process so that Dawn's own account of why there
 * is none never reaches the user's terminal.
 */
export async function ensureDevice(device: Device): Promise<void> {
  if (device === 'cpu') return;
  checkVulkanLoader();
  if (!probeAdapter()) {
    throw new DeviceError(
      device,
      'no WebGPU adapter was found (it needs a GPU with Vulkan drivers on Linux or Windows, Metal on macOS, or D3D12 on Windows)',
    );
  }
}

/** onnxruntime-node on the device, for the ORT engine and the snapshot analysis; `threads`
 * undefined leaves ORT's own choice. */
export function nodeRuntime(device: Device, threads?: number): OrtRuntime {
  return { Tensor: ort.Tensor, createSession: (model) => createSession(model, device, threads) };
}
