// One schema per stored thing: a run's config as stored, its summary, its loss trace and progress,
// a sweep's specification, a plan file and a report's runs.csv. Every reader (the store, the
// server, the queue, plan files, the overview) parses through these, so a stored run that lacks a
// field or carries a wrong type gets the same one-line error wherever it is read; the API's and
// the web app's types are derived from them.
//
// JSON has no NaN or Infinity: a diverged run's losses and metrics are stored as null. The schemas
// read null back as NaN, so a schema's input type is the JSON (number | null) and its output type
// what the code works with (number).
import { z } from 'zod';
import { runConfigSchema } from './schema.js';

export const DEVICES = ['cpu', 'webgpu'] as const;
export type Device = (typeof DEVICES)[number];
/** What trained a run: the ONNX graphs on ONNX Runtime, or our WGSL kernels on WebGPU. */
export const ENGINES = ['ort', 'wgsl'] as const;
export type EngineName = (typeof ENGINES)[number];

/** `running` until the run's files are committed; a run whose process died stays `running` until a
 * resumed sweep marks it `interrupted` and starts its point again. */
export const RUN_STATUSES = ['running', 'finished', 'diverged', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** A number that JSON may carry as null (non-finite when written). */
const finiteOrNull = z
  .number()
  .nullable()
  .transform((x) => x ?? NaN);
const count = z.number().int().nonnegative();

type Shape = typeof runConfigSchema.shape;
type Required<S> = { [K in keyof S]: S[K] extends z.ZodDefault<infer I extends z.ZodType> ? I : S[K] };

/** Every run config field, required: a stored config is complete, never filled in with defaults. */
const requiredFields = Object.fromEntries(
  Object.entries(runConfigSchema.shape).map(([field, s]) => [field, s instanceof z.ZodDefault ? s.unwrap() : s]),
) as Required<Shape>;

/** The config as stored: the validated run config plus how the run was executed. */
export const storedRunConfigSchema = z.object({
  ...requiredFields,
  /** ORT intra-op threads (1 for the WebGPU engine). */
  threads: z.number().int().positive(),
  /** Where it trained, what trained it, and how many runs shared its kernels (absent in runs made
   * before each existed: they trained on the CPU with ORT). */
  device: z.enum(DEVICES).optional(),
  engine: z.enum(ENGINES).optional(),
  together: z.number().int().positive().optional(),
  /** The toymodels package version that produced the run. */
  version: z.string(),
});
export type StoredRunConfig = z.output<typeof storedRunConfigSchema>;

/**
 * A run's final metrics. The optional fields are absent from runs stored before they existed.
 * data_loss is the mean of the last 8 recorded losses (SPEC.md's final data loss), last64 of 64.
 */
export const runSummarySchema = z.object({
  status: z.enum(['finished', 'diverged']),
  diverged_at_step: count.optional(),
  data_loss: finiteOrNull,
  data_loss_se: finiteOrNull.optional(),
  data_loss_last64: finiteOrNull.optional(),
  data_loss_last64_se: finiteOrNull.optional(),
  monosemantic_neurons: finiteOrNull,
  monosemantic_per_feature: finiteOrNull,
  /** Distinct features that some monosemantic neuron responds to most. */
  features_covered: count.optional(),
  /** Neurons that no single feature activates. */
  dead_neurons: count.optional(),
  mean_bias: finiteOrNull,
  samples_per_second: finiteOrNull,
  seconds: finiteOrNull,
});
export type RunSummary = z.output<typeof runSummarySchema>;

/** The data loss recorded every `every` steps, before that step's update. */
export const lossTraceSchema = z
  .object({ every: z.number().int().positive(), steps: z.array(count), loss: z.array(finiteOrNull) })
  .refine((t) => t.steps.length === t.loss.length, 'must have as many steps as losses');
export type LossTrace = z.output<typeof lossTraceSchema>;

/** How far a run has got: steps done of `steps`, and the latest recorded data loss, when. */
export const runProgressSchema = z.object({ step: count, steps: count, loss: finiteOrNull, at: z.string() });
export type RunProgress = z.output<typeof runProgressSchema>;

/** A sweep name: 1 to 100 letters, digits and _ . @ = + - (it becomes part of file names). */
export const SWEEP_NAME = /^[\w.@=+-]{1,100}$/;

/** A sweep's specification as stored: its shape only; src/sweep checks every point's values. */
export const sweepSpecSchema = z.object({
  name: z.string().regex(SWEEP_NAME, 'must be a sweep name (1 to 100 letters, digits and _ . @ = + -)'),
  batch: z.string().optional(),
  fixed: z.record(z.string(), z.unknown()),
  variables: z.array(z.object({ field: z.string(), values: z.array(z.union([z.number(), z.string()])).min(1) })),
  scale: z.object({
    name: z.string(),
    log2_batch_size: z.number().int(),
    log2_training_steps: z.number().int(),
    constant_batch_times_k: z.boolean(),
  }),
});

export const PLAN_FORMAT = 'toymodels-plan-1';

/** A plan file: every run of some sweeps, numbered from 0 (runner/plan-file.ts). */
export const planSchema = z.object({
  format: z.literal(PLAN_FORMAT),
  sweeps: z.array(z.unknown()),
  runs: z.array(
    z.object({
      index: count,
      sweep: z.string(),
      point: count,
      values: z.record(z.string(), z.union([z.number(), z.string()])),
    }),
  ),
});

/** The first problem zod found, as `field: message` for a one-line error. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const where = issue.path.join('.');
  return where ? `${where}: ${issue.message}` : issue.message;
}

/** A CSV cell is text; a blank cell is no value (never 0). */
const blank = (v: unknown) => (v === '' ? undefined : v);
const num = z.preprocess(blank, z.coerce.number());
/** Blank (a run without a snapshot, or a diverged run's loss) or a number. */
const optionalNum = z.preprocess(blank, z.coerce.number().optional());

/**
 * A row of a report's runs.csv (report/runs-csv.ts): one settled run, its configuration and final
 * measures. CSV cells are text, so numbers are read from text, and a blank cell is no value.
 */
export const runsCsvRowSchema = z.object({
  /** The sweep, and the Table 1 batch it runs (blank for a sweep of its own). */
  sweep: z.string().min(1),
  batch: z.string(),
  scale: z.string().min(1),
  /** The swept fields other than the seed, joined by " × ", and the run's values of them. */
  swept: z.string(),
  value: z.string(),
  seed: num,
  task: z.string().min(1),
  sample_kind: z.string().min(1),
  nonlinearity: z.string().min(1),
  N: num,
  m: num,
  k: num,
  eps: num,
  learning_rate: num,
  decay: num,
  initial_bias: num,
  reg: num,
  threads: num,
  device: z.string().min(1),
  status: z.enum(['finished', 'diverged']),
  /** As every figure marks it: ok, never-learned or diverged. */
  mark: z.enum(['ok', 'never-learned', 'diverged']),
  /** Mean and standard error of the last 64 loss records (blank when diverged). */
  loss_last64: optionalNum,
  loss_last64_se: optionalNum,
  /** The loss of a model that always outputs zero (analysis/loss.ts). */
  zero_output_loss: num,
  monosemantic_per_feature: optionalNum,
  features_covered: optionalNum,
  dead_neurons: optionalNum,
  mean_bias: optionalNum,
  id: z.string().min(1),
});
export type RunsCsvRow = z.output<typeof runsCsvRowSchema>;
