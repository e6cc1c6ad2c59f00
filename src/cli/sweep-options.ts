// Options and execution shared by `sweep` and `batch`: scale, parallelism, store and output.
import { availableParallelism } from 'node:os';
import { Command, Option } from 'commander';
import {
  CONFIG_FIELDS,
  isNumericField,
  parseRunConfig,
  type ConfigField,
  type RunConfigInput,
} from '../config/schema.js';
import { parseNumberFlag } from '../config/numbers.js';
import { parseQueueAddress } from '../queue/address.js';
import { RunStore } from '../store/run-store.js';
import { runSweep } from '../runner/pool.js';
import { resolveScale, SCALE_NAMES, SCALES, type Scale } from '../sweep/scale.js';
import { defaultSplit } from '../runner/split.js';
import { sweepPoints, type SweepSpec } from '../sweep/spec.js';
import { parseVariable, type SweepVariable } from '../sweep/values.js';
import type { Device } from '../config/stored.js';
import { addConfigOptions } from './config-options.js';
import { addDeviceOption, deviceFromOptions } from './device-option.js';
import { UsageError } from './errors.js';
import { printPlan } from './plan.js';
import { queueSweeps } from './queue-output.js';
import { sweepProgress, sweepResults } from './sweep-output.js';
import { storeOption } from './store-option.js';

export function addSweepOptions(cmd: Command): Command {
  addConfigOptions(cmd);
  addDeviceOption(cmd);
  return cmd
    .option(
      '--grid <name=values...>',
      'swept variables, every combination: learning_rate=0.001,0.003 initial_bias=lin:-2:1:11',
    )
    .addOption(
      new Option(
        '--scale <name>',
        `run scale: ${SCALE_NAMES.map((n) => `${n} (batch 2^${SCALES[n].log2_batch_size}, 2^${SCALES[n].log2_training_steps} steps)`).join(', ')}; --log2_batch_size / --log2_training_steps override`,
      ).default('laptop'),
    )
    .option(
      '--constant_batch_k',
      'hold batch x k at 2^23 (batch 2^(23 - ceil(log2 k))), for k sweeps at paper scale',
      false,
    )
    .addOption(new Option('--jobs <n>', 'runs trained at once (default: the measured best split of the cores)'))
    .addOption(new Option('--threads <n>', 'ORT threads per run (default: cores / jobs)'))
    .addOption(
      new Option(
        '--together <n>',
        'most runs of the same shapes trained side by side in one step graph (default: 1 on cpu, 16 on webgpu)',
      ),
    )
    .addOption(storeOption())
    .option('--json', 'print the sweep and its runs as one JSON object on stdout', false)
    .option(
      '--plan',
      'print the runs as a numbered list instead of training them; with --json, a plan file for `train --from-plan FILE --index I`',
      false,
    )
    .option(
      '--queue <url>',
      'put the runs on a job queue for `toymodels worker`s instead of training them here, and gather their results into the store: redis://[USER:PASSWORD@]HOST[:PORT][/DB], or rediss:// for TLS',
    )
    .option('--no-wait', 'with --queue: enqueue the runs and exit; gather them later with `toymodels collect`');
}

/** The config fields given on the command line, as numbers or categories (unvalidated). */
export function givenFields(opts: Record<string, unknown>): RunConfigInput {
  const given: Record<string, unknown> = {};
  for (const field of CONFIG_FIELDS) {
    const raw = opts[field];
    if (raw !== undefined && field !== 'log2_batch_size' && field !== 'log2_training_steps') {
      given[field] = isNumericField(field) ? parseNumberFlag(field, String(raw)) : raw;
    }
  }
  parseRunConfig(given); // each given value must be valid on its own
  return given as RunConfigInput;
}

export function scaleFromOptions(opts: Record<string, unknown>): Scale {
  const explicit = (field: ConfigField) =>
    opts[field] === undefined
      ? undefined
      : (parseRunConfig({ [field]: parseNumberFlag(field, String(opts[field])) })[field] as number);
  return resolveScale(
    String(opts.scale),
    { log2_batch_size: explicit('log2_batch_size'), log2_training_steps: explicit('log2_training_steps') },
    Boolean(opts.constant_batch_k),
  );
}

export function gridFromOptions(opts: Record<string, unknown>): SweepVariable[] {
  return ((opts.grid as string[] | undefined) ?? []).map((item) => {
    const eq = item.indexOf('=');
    if (eq <= 0)
      throw new UsageError(
        `--grid: ${JSON.stringify(item)} is not allowed: write NAME=VALUES, e.g. learning_rate=0.001,0.003`,
      );
    return parseVariable(item.slice(0, eq), [item.slice(eq + 1)]);
  });
}

export function positiveInt(flag: string, raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(String(raw)) || Number(raw) < 1)
    throw new UsageError(`--${flag}: ${JSON.stringify(raw)} is not allowed: must be a positive integer`);
  return Number(raw);
}

export function parallelism(
  opts: Record<string, unknown>,
  device: Device,
): { jobs: number; threads: number; together: number } {
  const cores = availableParallelism();
  const jobs = positiveInt('jobs', opts.jobs);
  const threads = positiveInt('threads', opts.threads);
  const fallback = defaultSplit(cores, device);
  const together = positiveInt('together', opts.together) ?? fallback.together;
  if (jobs === undefined && threads === undefined) return { ...fallback, together };
  const j = jobs ?? Math.max(1, Math.floor(cores / (threads ?? 1)));
  return { jobs: j, threads: threads ?? Math.max(1, Math.floor(cores / j)), together };
}

/** Validates every sweep fully (so bad input writes nothing), then plans, queues or runs them in order. */
export async function runSweeps(specs: SweepSpec[], opts: Record<string, unknown>): Promise<void> {
  for (const spec of specs) sweepPoints(spec);
  if (opts.plan) {
    if (opts.queue !== undefined)
      throw new UsageError('--plan and --queue are two ways to share a sweep out: give one');
    printPlan(specs, Boolean(opts.json));
    return;
  }
  if (opts.queue !== undefined) {
    if (opts.jobs !== undefined || opts.threads !== undefined || opts.together !== undefined) {
      throw new UsageError(
        '--jobs, --threads and --together do not apply with --queue: each `toymodels worker` takes its own',
      );
    }
    await queueSweeps(specs, parseQueueAddress(String(opts.queue)), opts);
    return;
  }
  if (opts.wait === false) throw new UsageError('--no-wait is for --queue: without a queue the runs are trained here');
  const device = await deviceFromOptions(opts);
  const split = parallelism(opts, device);
  const store = new RunStore(String(opts.store));
  const output = sweepResults(Boolean(opts.json));
  try {
    for (const spec of specs) {
      const progress = sweepProgress(spec);
      try {
        output.add(spec, await runSweep(store, spec, { ...split, device, events: progress }));
      } finally {
        progress.stop();
      }
    }
  } finally {
    store.close();
  }
  output.end();
}
