// `toymodels runs`: the store's runs, as a table or as JSON.
import { Command } from 'commander';
import { RunStore } from '../store/run-store.js';
import { formatMetric as fmt } from '../figures/labels.js';
import { storeOption } from './store-option.js';

export function runsCommand(): Command {
  return new Command('runs')
    .description("list the store's runs")
    .addOption(storeOption())
    .option('--json', 'print an array of runs as JSON', false)
    .action((opts: { store: string; json: boolean }) => {
      const store = new RunStore(opts.store);
      const rows = store.listRuns();
      store.close();
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(rows)}\n`);
        return;
      }
      const header = [
        'id',
        'status',
        'task',
        'f',
        'N',
        'm',
        'k',
        'eps',
        'lr',
        'decay',
        'bias',
        'reg',
        'steps',
        'loss',
        'mono/N',
        'mean bias',
      ];
      const table = rows.map((r) => {
        const c = r.config;
        return [
          r.id,
          r.status,
          c.task,
          c.nonlinearity,
          c.N,
          c.m,
          c.k,
          fmt(c.eps, 3),
          c.learning_rate,
          c.decay,
          c.initial_bias,
          c.reg,
          `2^${c.log2_training_steps}x2^${c.log2_batch_size}`,
          fmt(r.final?.data_loss),
          fmt(r.final?.monosemantic_per_feature, 3),
          fmt(r.final?.mean_bias, 3),
        ].map(String);
      });
      const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
      for (const row of [header, ...table])
        process.stdout.write(`${row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')}\n`);
      if (rows.length === 0) process.stdout.write(`no runs in ${opts.store}\n`);
    });
}
