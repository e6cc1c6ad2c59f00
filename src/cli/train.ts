// `toymodels train`: one run with the seed's flags, a progress bar on stderr, the result on stdout.
import { availableParallelism } from 'node:os';
import { Command, Option } from 'commander';
import { CONFIG_FIELDS } from '../config/schema.js';
import { isSettled, RunStore } from '../store/run-store.js';
import type { SweepLink } from '../store/types.js';
import type { SweepPoint, SweepSpec } from '../sweep/spec.js';
import { planRun, readPlan } from '../runner/plan-file.js';
import { trainAndRecord, type RecordedRun } from '../runner/record-run.js';
import { scaleLabel } from '../sweep/scale.js';
import { LOSS_EVERY } from '../train/loop.js';
import { addConfigOptions, configFromOptions } from './config-options.js';
import { addDeviceOption, deviceFromOptions } from './device-option.js';
import { EXIT_DIVERGED, fail, UsageError } from './errors.js';
import { progressBar } from './progress.js';
import { storeOption } from './store-option.js';
import { positiveInt } from './sweep-options.js';

/** The `--json` result: one object with the run's id, full config, loss trace and final metrics. */
export function runJson(run: RecordedRun): object {
  const { summary } = run;
  return {
    id: run.id,
    config: run.config,
    loss_every: LOSS_EVERY,
    losses: run.result.losses.loss,
    final: {
      status: summary.status,
      ...(summary.diverged_at_step !== undefined ? { diverged_at_step: summary.diverged_at_step } : {}),
      data_loss: summary.data_loss,
      monosemantic_neurons: summary.monosemantic_neurons,
      monosemantic_per_feature: summary.monosemantic_per_feature,
      mean_bias: summary.mean_bias,
    },
    samples_per_second: summary.samples_per_second,
    seconds: summary.seconds,
  };
}

/** With --from-plan: run I of the plan, checked before anything is written. */
function plannedRun(opts: Record<string, unknown>): { spec: SweepSpec; point: SweepPoint } {
  if (opts.index === undefined) throw new UsageError('--from-plan needs --index I: which run of the plan to train');
  const given = CONFIG_FIELDS.find((f) => opts[f] !== undefined);
  if (given) throw new UsageError(`--${given} cannot be given with --from-plan: the plan sets every config field`);
  return planRun(readPlan(String(opts.fromPlan)), String(opts.index));
}

/** Saves the planned run's sweep in the store (once: a name stands for one specification) so that
 * the run joins it; undefined, after saying so, if the point is already stored. */
function joinSweep(store: RunStore, spec: SweepSpec, point: SweepPoint, json: boolean): SweepLink | undefined {
  store.saveSweep({ name: spec.name, spec, scale: scaleLabel(spec.scale) });
  const link = { sweep: spec.name, point: point.index };
  const earlier = store.sweepRuns(spec.name).filter((r) => r.point === point.index);
  const done = earlier.find((r) => isSettled(r.run));
  if (done) {
    // A scheduler may run an index again (a requeued Slurm task): the point's run is kept.
    const line = `run ${done.run.id} (sweep ${spec.name}, point ${point.index}) is already stored: ${done.run.status}`;
    process.stdout.write(
      json ? `${JSON.stringify({ id: done.run.id, ...link, status: done.run.status, skipped: true })}\n` : `${line}\n`,
    );
    return undefined;
  }
  // The scheduler runs each index once at a time, so a point's run still `running` was killed.
  for (const { run } of earlier) if (run.status === 'running') store.interruptRun(run.id);
  return link;
}

export function trainCommand(): Command {
  const cmd = new Command('train').description('train one model and record it in the run store');
  addConfigOptions(cmd);
  addDeviceOption(cmd);
  cmd
    .addOption(new Option('--threads <n>', `ORT intra-op threads (default: all cores, ${availableParallelism()} here)`))
    .addOption(storeOption())
    .option('--json', 'print one JSON object with the result on stdout', false)
    .option(
      '--from-plan <file>',
      'train one run of a plan file (written by sweep/batch --plan --json) into its sweep in the store; with --index',
    )
    .option('--index <i>', 'with --from-plan: which run, from 0 (e.g. $SLURM_ARRAY_TASK_ID, $JOB_COMPLETION_INDEX)')
    .action(async (opts: Record<string, unknown>) => {
      if (opts.index !== undefined && opts.fromPlan === undefined)
        throw new UsageError('--index is for --from-plan FILE');
      const plan = opts.fromPlan !== undefined ? plannedRun(opts) : undefined;
      const cfg = plan ? plan.point.config : configFromOptions(opts);
      const threads = positiveInt('threads', opts.threads) ?? availableParallelism();
      const device = await deviceFromOptions(opts);
      const store = new RunStore(String(opts.store));
      let run: RecordedRun;
      try {
        const link = plan && joinSweep(store, plan.spec, plan.point, Boolean(opts.json));
        if (plan && !link) return;
        const bar = progressBar();
        try {
          run = await trainAndRecord(store, cfg, { threads, device, link, onProgress: bar.update });
        } finally {
          bar.stop();
        }
      } finally {
        store.close();
      }
      if (opts.json) process.stdout.write(`${JSON.stringify(runJson(run))}\n`);
      else {
        const s = run.summary;
        process.stdout.write(
          [
            `run ${run.id}: ${s.status}`,
            `final data loss ${s.data_loss.toPrecision(5)} (mean of the last 8 recorded)`,
            `monosemantic neurons ${s.monosemantic_neurons} (${s.monosemantic_per_feature.toFixed(3)} of N=${cfg.N})`,
            `mean bias ${s.mean_bias.toFixed(4)}`,
            `${Math.round(s.samples_per_second)} samples/s over ${s.seconds.toFixed(1)} s`,
          ].join('\n') + '\n',
        );
      }
      if (run.summary.status === 'diverged')
        fail(`run ${run.id} diverged: the loss was not finite at step ${run.summary.diverged_at_step}`, EXIT_DIVERGED);
    });
  return cmd;
}
