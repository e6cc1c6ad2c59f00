// Initial parameters: PyTorch's nn.Linear default (uniform in +-1/sqrt(fan_in)), then the bias offset.
import type { RunConfig } from '../config/schema.js';
import type { Rng } from '../features/rng.js';
import { paramShapes, type ParamName } from '../graph/step.js';

function uniform(rng: Rng, size: number, bound: number, offset = 0): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.uniform(-bound, bound) + offset;
  return out;
}

export type Params = Record<ParamName, Float32Array>;

export function initialParams(cfg: RunConfig, rng: Rng): Params {
  const s = paramShapes(cfg);
  return {
    W1: uniform(rng, s.W1[0]! * s.W1[1]!, 1 / Math.sqrt(cfg.m)),
    b1: uniform(rng, cfg.k, 1 / Math.sqrt(cfg.m), cfg.initial_bias),
    W2: uniform(rng, s.W2[0]! * s.W2[1]!, 1 / Math.sqrt(cfg.k)),
  };
}
