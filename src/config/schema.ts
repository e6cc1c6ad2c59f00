// The one run configuration: its fields, defaults and validation. The CLI, the store, sweeps and
// queue workers all go through `parseRunConfig`, so a config is checked in one place only.
import { z } from 'zod';

export const TASKS = ['decoder', 're-projector', 'abs'] as const;
/** The seed's task names, accepted on input and stored as the paper's. */
export const TASK_ALIASES: Record<string, (typeof TASKS)[number]> = {
  autoencoder: 'decoder',
  random_proj: 're-projector',
};
export const NONLINEARITIES = ['ReLU', 'GeLU', 'SoLU'] as const;
export const SAMPLE_KINDS = ['equal', 'power_law'] as const;
export const OPTIMIZERS = ['lamb', 'adam', 'adamw', 'sgd'] as const;
export const SCHEDULES = ['paper', 'constant', 'cosine'] as const;

const positiveInt = z.number().int('must be a positive integer').positive('must be a positive integer');
const nonNegativeInt = z.number().int('must be a non-negative integer').nonnegative('must be a non-negative integer');
const nonNegative = z.number().finite('must be a finite number').nonnegative('must be >= 0');

export const runConfigSchema = z.object({
  N: positiveInt.default(512).describe('number of features'),
  m: positiveInt.default(64).describe('embedding dimensions (the bottleneck)'),
  k: positiveInt.default(1024).describe('number of neurons'),
  eps: z
    .number()
    .gt(0, 'must be in (0, 1]')
    .lte(1, 'must be in (0, 1]')
    .default(1 / 64)
    .describe('mean feature frequency'),
  log2_batch_size: nonNegativeInt.max(20, 'must be at most 20').default(8).describe('log2 of the samples per step'),
  log2_training_steps: nonNegativeInt.max(30, 'must be at most 30').default(15).describe('log2 of the training steps'),
  learning_rate: nonNegative.default(0.003).describe('base learning rate'),
  sample_kind: z
    .enum(SAMPLE_KINDS, { error: `must be one of ${SAMPLE_KINDS.join(', ')}` })
    .default('equal')
    .describe('feature distribution: equal or power_law'),
  task: z
    .enum([...TASKS, ...Object.keys(TASK_ALIASES)] as [string, ...string[]], {
      error: `must be one of ${[...TASKS, ...Object.keys(TASK_ALIASES)].join(', ')}`,
    })
    .transform((t) => TASK_ALIASES[t] ?? (t as (typeof TASKS)[number]))
    .default('decoder')
    .describe('decoder (autoencoder), re-projector (random_proj) or abs'),
  decay: nonNegative.default(0).describe('bias decay rate (first half of training)'),
  initial_bias: z
    .number()
    .finite('must be a finite number')
    .default(0)
    .describe('offset added to every first-layer bias'),
  nonlinearity: z
    .enum(NONLINEARITIES, { error: `must be one of ${NONLINEARITIES.join(', ')}` })
    .default('ReLU')
    .describe('activation: ReLU, GeLU (exact) or SoLU (z e^z)'),
  reg: nonNegative.default(0).describe('L1 regularisation strength on the activations'),
  seed: nonNegativeInt
    .max(2 ** 32 - 1, 'must be below 2^32')
    .default(0)
    .describe('random seed'),
  optimizer: z
    .enum(OPTIMIZERS, { error: `must be one of ${OPTIMIZERS.join(', ')}` })
    .default('lamb')
    .describe('optimiser: lamb (the paper), adam, adamw or sgd'),
  schedule: z
    .enum(SCHEDULES, { error: `must be one of ${SCHEDULES.join(', ')}` })
    .default('paper')
    .describe(
      'learning-rate schedule: paper (cosine with period 1024 steps), constant or cosine (one decay over the run)',
    ),
  warmup_steps: nonNegativeInt.default(0).describe('linear warm-up steps before the schedule'),
  weight_decay: nonNegative.default(0.01).describe('AdamW weight decay (adamw only)'),
});

export type RunConfig = z.output<typeof runConfigSchema>;
export type RunConfigInput = z.input<typeof runConfigSchema>;
export type ConfigField = keyof RunConfig;
export const CONFIG_FIELDS = Object.keys(runConfigSchema.shape) as ConfigField[];

/** A bad value, named by its field: the CLI turns it into a one-line error and exit code 2. */
export class ConfigError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super(`--${field}: ${JSON.stringify(value)} is not allowed: ${allowed}`);
  }
}

/** Validates a partial config, fills defaults, and throws a ConfigError naming the first bad field. */
export function parseRunConfig(input: Record<string, unknown>): RunConfig {
  for (const key of Object.keys(input)) {
    if (!(key in runConfigSchema.shape))
      throw new ConfigError(key, input[key], `unknown field; known: ${CONFIG_FIELDS.join(', ')}`);
  }
  const result = runConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = String(issue.path[0] ?? '?');
  throw new ConfigError(field, input[field], issue.message);
}

/** Numeric fields take numbers on the command line and ranges in sweeps; the others are categories. */
export function isNumericField(field: ConfigField): boolean {
  return typeof runConfigSchema.shape[field].parse(undefined) === 'number';
}

export const batchSize = (c: RunConfig): number => 2 ** c.log2_batch_size;
export const trainingSteps = (c: RunConfig): number => 2 ** c.log2_training_steps;
/** Output width: N for the decoder and abs, m for the re-projector. */
export const outputSize = (c: RunConfig): number => (c.task === 're-projector' ? c.m : c.N);
