// Node's `navigator.gpu`: Dawn's Node binding from the `webgpu` package (its binary ships in the
// package). Browsers have their own; nothing else in src/gpu/ imports this file.
/// <reference types="@webgpu/types" />
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { create, globals } from 'webgpu';
import { requestGpuDevice } from './device.js';

let gpu: GPU | undefined;
let device: Promise<GPUDevice> | undefined;

/** The process's one GPU object. Dawn's Vulkan loader complains on stderr when XDG_RUNTIME_DIR is
 * unset (a bare container, CI), though nothing it does needs the folder. */
export function nodeGpu(): GPU {
  if (gpu) return gpu;
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  Object.assign(globalThis, globals);
  gpu = create([]);
  return gpu;
}

/** The process's one device, shared by every engine it creates (a training process trains many
 * groups of runs one after another). */
export function nodeGpuDevice(): Promise<GPUDevice> {
  device ??= requestGpuDevice(nodeGpu());
  device.catch(() => (device = undefined));
  return device;
}

/**
 * Whether Node gets a WebGPU adapter here, asked in a child process: where there is none, Dawn
 * explains why on stderr (six lines for Mesa's lavapipe, which it refuses), and the user should
 * see our one line instead.
 */
export function probeAdapter(): boolean {
  const script = fileURLToPath(new URL('./adapter-probe.js', import.meta.url));
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 60_000 });
  try {
    return (JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as { ok: boolean }).ok;
  } catch {
    return false;
  }
}
