// Named scales: every sweep runs at one, and its reports say which.
import { ConfigError } from '../config/schema.js';

export const SCALES = {
  /** Tiny, for tests and trying a command: seconds a run at the paper's sizes. */
  smoke: { log2_batch_size: 5, log2_training_steps: 6 },
  /** About 8.4M samples a run, where the PyTorch oracle is already highly monosemantic at lr 0.03. */
  laptop: { log2_batch_size: 10, log2_training_steps: 13 },
  /** Laptop's batch for 8 times the steps (67M samples a run): where bias decay, which acts in the
   * first half, and the schedule's later periods get time to show. */
  long: { log2_batch_size: 10, log2_training_steps: 16 },
  /** The original authors' runs: about 10^9 samples, GPU work. */
  paper: { log2_batch_size: 13, log2_training_steps: 17 },
} as const;
export type ScaleName = keyof typeof SCALES;
export const SCALE_NAMES = Object.keys(SCALES) as ScaleName[];

export interface Scale {
  /** The preset, or `custom` when explicit flags changed it. */
  name: ScaleName | 'custom';
  log2_batch_size: number;
  log2_training_steps: number;
  /** Batch x k held at 2^23 (batch 2^(23 - ceil(log2 k))), as the original analysis code suggests for k sweeps. */
  constant_batch_times_k: boolean;
}

export function resolveScale(
  name: string,
  overrides: { log2_batch_size?: number; log2_training_steps?: number },
  constantBatchTimesK = false,
): Scale {
  if (!(SCALE_NAMES as string[]).includes(name))
    throw new ConfigError('scale', name, `must be one of ${SCALE_NAMES.join(', ')}`);
  const preset = SCALES[name as ScaleName];
  const scale = { ...preset, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
  const custom =
    scale.log2_batch_size !== preset.log2_batch_size || scale.log2_training_steps !== preset.log2_training_steps;
  return { name: custom ? 'custom' : (name as ScaleName), ...scale, constant_batch_times_k: constantBatchTimesK };
}

/** The scale of one run: the preset its batch and steps match, else `custom`. */
export function runScaleOf(run: { log2_batch_size: number; log2_training_steps: number }): Scale {
  const { log2_batch_size, log2_training_steps } = run;
  const name =
    SCALE_NAMES.find(
      (n) => SCALES[n].log2_batch_size === log2_batch_size && SCALES[n].log2_training_steps === log2_training_steps,
    ) ?? 'custom';
  return { name, log2_batch_size, log2_training_steps, constant_batch_times_k: false };
}

/** The sweep's batch size for a run with k neurons. */
export function log2BatchFor(scale: Scale, k: number): number {
  return scale.constant_batch_times_k ? Math.max(0, 23 - Math.ceil(Math.log2(k))) : scale.log2_batch_size;
}

/** "laptop (batch 2^10, 2^13 steps)": the label every sweep output carries. */
export function scaleLabel(scale: Scale): string {
  const batch = scale.constant_batch_times_k ? 'batch x k = 2^23' : `batch 2^${scale.log2_batch_size}`;
  return `${scale.name} (${batch}, 2^${scale.log2_training_steps} steps)`;
}
