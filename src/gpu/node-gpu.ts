// Node's `navigator.gpu`: Dawn's Node binding from the `webgpu` package (its binary ships in the
// package). Browsers have their own; nothing else in src/gpu/ imports this file.
/// <reference types="@webgpu/types" />
import { create, globals } from 'webgpu';

let gpu: GPU | undefined;

/** The process's one GPU object. Dawn's Vulkan loader complains on stderr when XDG_RUNTIME_DIR is
 * unset (a bare container, CI), though nothing it does needs the folder. */
export function nodeGpu(): GPU {
  if (gpu) return gpu;
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  Object.assign(globalThis, globals);
  gpu = create([]);
  return gpu;
}
