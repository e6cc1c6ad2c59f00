// `toymodels train`: one run with the seed's flags, a progress bar on stderr, the result on stdout.
import { availableParallelism } from 'node:os';
import { Command, Option } from 'commander';
import { RunStore } from '../store/run-store.js';
import { trainAndRecord, type RecordedRun } from '../sweep/run.js';
import { LOSS_EVERY } from '../train/loop.js';
import { addConfigOptions, configFromOptions } from './config-options.js';
import { addDeviceOption, deviceFromOptions } from './device-option.js';
import { EXIT_DIVERGED, fail, UsageError } from './errors.js';
import { progressBar } from './progress.js';

export const DEFAULT_STORE = './runs';

export function parseThreads(raw: string | undefined): number {
  if (raw === undefined) return availableParallelism();
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1) throw new UsageError(`--threads: ${JSON.stringify(raw)} is not allowed: must be a positive integer`);
  return n;
}

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

export function trainCommand(): Command {
  const cmd = new Command('train').description('train one model and record it in the run store');
  addConfigOptions(cmd);
  addDeviceOption(cmd);
  cmd
    .addOption(new Option('--threads <n>', `ORT intra-op threads (default: all cores, ${availableParallelism()} here)`))
    .addOption(new Option('--store <dir>', 'run store directory').default(DEFAULT_STORE))
    .option('--json', 'print one JSON object with the result on stdout', false)
    .action(async (opts: Record<string, unknown>) => {
      const cfg = configFromOptions(opts);
      const threads = parseThreads(opts.threads as string | undefined);
      const device = await deviceFromOptions(opts);
      const store = new RunStore(String(opts.store));
      const bar = progressBar();
      let run: RecordedRun;
      try {
        run = await trainAndRecord(store, cfg, { threads, device, onProgress: bar.update });
      } finally {
        bar.stop();
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
      if (run.summary.status === 'diverged') fail(`run ${run.id} diverged: the loss was not finite at step ${run.summary.diverged_at_step}`, EXIT_DIVERGED);
    });
  return cmd;
}
