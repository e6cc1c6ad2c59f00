// `toymodels analyse RUN`: a stored run's monosemanticity measures, for its final snapshot (or
// one chosen by step) and as series over every snapshot.
import fs from 'node:fs';
import { Command, Option } from 'commander';
import { finalLoss, FINAL_LOSS_RECORDS, LONG_LOSS_RECORDS, type LossWindow } from '../analysis/loss.js';
import { runSeries, snapshotSteps, type SeriesPoint } from '../analysis/run.js';
import { MONO_THRESHOLD } from '../analysis/snapshot.js';
import { parseNumberFlag } from '../config/numbers.js';
import { ConfigError } from '../config/schema.js';
import { RunStore } from '../store/run-store.js';
import type { LoadedRun } from '../store/types.js';
import { UsageError } from './errors.js';
import { storeOption } from './store-option.js';

const num = (x: number, digits = 4): string => (Number.isFinite(x) ? x.toPrecision(digits) : String(x));

/** The one-line description of a run's configuration. */
export function configLine(run: LoadedRun): string {
  const c = run.config;
  const status =
    run.summary.status === 'diverged' ? `diverged at step ${run.summary.diverged_at_step}` : run.summary.status;
  return (
    `run ${run.id} (${status}): ${c.task} ${c.nonlinearity} N=${c.N} m=${c.m} k=${c.k} ${c.sample_kind} eps=${num(c.eps, 3)} ` +
    `lr=${c.learning_rate} decay=${c.decay} bias=${c.initial_bias} reg=${c.reg} ${c.optimizer}, ` +
    `2^${c.log2_training_steps} steps x 2^${c.log2_batch_size} samples, seed ${c.seed}, final loss ${num(run.summary.data_loss)}`
  );
}

/** The step named by --snapshot, checked against the run's snapshots. */
function parseSnapshot(raw: string | undefined, run: LoadedRun): number | undefined {
  if (raw === undefined) return undefined;
  const steps = snapshotSteps(run);
  const step = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!steps.includes(step)) {
    throw new UsageError(
      `--snapshot: ${JSON.stringify(raw)} is not a snapshot of run ${run.id}; valid: ${steps.join(', ')} (the step after which each was taken)`,
    );
  }
  return step;
}

/** The floor of --mono_min_activation: a finite number >= 0. */
function parseMinActivation(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  let a = NaN;
  try {
    a = parseNumberFlag('mono_min_activation', raw);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
  }
  if (!(Number.isFinite(a) && a >= 0)) {
    throw new UsageError(
      `--mono_min_activation: ${JSON.stringify(raw)} is not allowed: must be a number >= 0 (the largest single-feature activation a monosemantic neuron must reach)`,
    );
  }
  return a;
}

/** `mean ± se`, and how many records the window holds when the trace is shorter than asked. */
const windowText = (w: LossWindow, records: number): string =>
  `${num(w.mean)} ± ${num(w.se, 2)}${w.n < records ? ` (only ${w.n} recorded)` : ''}`;

function table(series: SeriesPoint[], chosen: number): string {
  const header = ['', 'log2 step', 'step', 'mono', 'covered', 'mono/N', 'mono/k', 'dead', 'mean bias'];
  const rows = series.map((p) =>
    [
      p.step === chosen ? '*' : '',
      num(p.log2_step, 3),
      p.step,
      p.monosemantic_neurons,
      p.features_covered,
      num(p.monosemantic_per_feature),
      num(p.monosemantic_per_neuron),
      p.dead_neurons,
      num(p.mean_bias),
    ].map(String),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows]
    .map((r) =>
      r
        .map((cell, i) => (i >= 1 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function analyseCommand(): Command {
  return new Command('analyse')
    .description(
      'monosemanticity of a stored run: its final snapshot (or --snapshot) and the series over all snapshots',
    )
    .argument('<run>', 'run id, as `toymodels runs` lists them (e.g. 20261126-150102-a1b2c3)')
    .addOption(
      new Option(
        '--snapshot <I>',
        'analyse the snapshot taken after step I, as stored: I + 1 is a power of two (0, 1, 3, 7, ..., 1023, ..., T - 1); default: the last',
      ),
    )
    .addOption(
      new Option(
        '--mono_min_activation <a>',
        `count a neuron as monosemantic only if its largest single-feature activation is at least a (>= 0), besides its ratio > ${MONO_THRESHOLD}; default: no floor (the paper's definition)`,
      ),
    )
    .addOption(storeOption())
    .option(
      '--json',
      'print one JSON object: id, config, status, snapshot (step), metrics, series, losses, final_loss',
      false,
    )
    .action(
      async (id: string, opts: { snapshot?: string; mono_min_activation?: string; store: string; json: boolean }) => {
        const monoMinActivation = parseMinActivation(opts.mono_min_activation);
        if (!fs.existsSync(opts.store)) throw new UsageError(`--store: no run store at ${opts.store}`);
        const store = new RunStore(opts.store);
        let run: LoadedRun;
        try {
          run = store.loadRun(id);
        } finally {
          store.close();
        }
        const steps = snapshotSteps(run);
        if (steps.length === 0) throw new UsageError(`run ${run.id} has no snapshots to analyse`);
        const requested = parseSnapshot(opts.snapshot, run);
        const snapshot = requested ?? steps[steps.length - 1]!;
        const { series, losses } = await runSeries(run, { monoMinActivation });
        const point = series.find((p) => p.step === snapshot)!;
        const metrics = {
          monosemantic_neurons: point.monosemantic_neurons,
          monosemantic_per_feature: point.monosemantic_per_feature,
          monosemantic_per_neuron: point.monosemantic_per_neuron,
          features_covered: point.features_covered,
          dead_neurons: point.dead_neurons,
          activation_floor: point.activation_floor,
          monosemantic_below_floor: point.monosemantic_below_floor,
          mean_bias: point.mean_bias,
        };
        const final_loss = finalLoss(losses.loss);
        if (opts.json) {
          // JSON.stringify writes the non-finite numbers (a diverged run's loss, a window's se of one record) as null.
          process.stdout.write(
            `${JSON.stringify({ id: run.id, config: run.config, status: run.summary.status, snapshot, metrics, series, losses, final_loss })}\n`,
          );
          return;
        }
        const c = run.config;
        const floor = String(metrics.activation_floor);
        process.stdout.write(
          [
            configLine(run),
            `snapshot after step ${snapshot} (log2 step ${num(point.log2_step, 3)})${requested === undefined ? ', the last' : ''}`,
            `monosemantic neurons ${metrics.monosemantic_neurons}: ${num(metrics.monosemantic_per_feature)} per feature (of N=${c.N}), ` +
              `${num(metrics.monosemantic_per_neuron)} per neuron (of k=${c.k}); features covered ${metrics.features_covered} (of N=${c.N}); dead neurons ${metrics.dead_neurons}`,
            monoMinActivation === undefined
              ? `${metrics.monosemantic_below_floor} of them have a largest activation below ${floor}`
              : `${metrics.monosemantic_below_floor} more pass the ratio but have a largest activation below ${floor} (--mono_min_activation) and are not counted`,
            `final loss: mean of the last ${FINAL_LOSS_RECORDS} records ${windowText(final_loss.last8, FINAL_LOSS_RECORDS)}; ` +
              `last ${LONG_LOSS_RECORDS} records: ${windowText(final_loss.last64, LONG_LOSS_RECORDS)}`,
            `mean bias ${num(metrics.mean_bias)}`,
            '',
            table(series, snapshot),
          ].join('\n') + '\n',
        );
      },
    );
}
