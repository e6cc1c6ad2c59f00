// Learning-rate schedules, computed in float64 on the JavaScript side and fed to the step graph.
import type { RunConfig } from '../config/schema.js';

/** The paper's period: PyTorch's CosineAnnealingLR(T_max=512) stepped once per step, whatever T is. */
export const PAPER_T_MAX = 512;

/** Learning rate used by step i (0-based). */
export function learningRate(cfg: RunConfig, i: number): number {
  const T = 2 ** cfg.log2_training_steps;
  let lr: number;
  switch (cfg.schedule) {
    case 'paper':
      lr = (cfg.learning_rate * (1 + Math.cos((Math.PI * i) / PAPER_T_MAX))) / 2;
      break;
    case 'cosine':
      lr = (cfg.learning_rate * (1 + Math.cos((Math.PI * i) / T))) / 2;
      break;
    case 'constant':
      lr = cfg.learning_rate;
      break;
  }
  return i < cfg.warmup_steps ? (lr * (i + 1)) / cfg.warmup_steps : lr;
}

/** Factor applied to b1 after step i: 1 - decay * lr (the base rate) in the first half, then 1. */
export function biasScale(cfg: RunConfig, i: number): number {
  return i < 2 ** cfg.log2_training_steps / 2 ? 1 - cfg.decay * cfg.learning_rate : 1;
}
