// onnxruntime-web's WebAssembly build as the ORT engine's runtime: the same step graphs as Node's
// CPU engine, for a browser without WebGPU. It also runs in Node, where the tests check it.
import * as ort from 'onnxruntime-web';
import type { OrtRuntime } from './ort-engine.js';

/** The WASM runtime with `threads` threads (more than one needs a cross-origin-isolated page). */
export function webRuntime(threads = 1): OrtRuntime {
  ort.env.wasm.numThreads = threads;
  return {
    Tensor: ort.Tensor,
    createSession: (model) =>
      ort.InferenceSession.create(model, {
        executionProviders: ['wasm'],
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
      }),
  };
}
