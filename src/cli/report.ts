// `toymodels report SWEEP --out DIR`: every figure of a sweep as PNG and SVG, report.md and runs.csv.
import { Command } from 'commander';
import { RunStore } from '../store/run-store.js';
import { writeSweepReport } from '../report/sweep-report.js';
import { parsePngScale, pngScaleOption } from './png-scale.js';
import { storeOption } from './store-option.js';

export function reportCommand(): Command {
  return new Command('report')
    .description(
      'write every figure of a sweep (PNG and SVG), a report.md with its summary table and a runs.csv with its runs',
    )
    .argument('<sweep>', "the sweep's name (as `sweep` or `batch` printed it, e.g. LR1-laptop)")
    .requiredOption('--out <dir>', 'output directory')
    .addOption(storeOption())
    .option(
      '--with <sweeps...>',
      'other sweeps whose runs join the loss-against-monosemanticity scatter (e.g. --with LR1-laptop)',
    )
    .addOption(pngScaleOption())
    .action(async (name: string, opts: { out: string; store: string; pngScale: string; with?: string[] }) => {
      const pngScale = parsePngScale(opts.pngScale);
      const store = new RunStore(opts.store);
      try {
        const { files } = await writeSweepReport(store, name, opts.out, { pngScale, with: opts.with ?? [] });
        process.stdout.write(
          `${[...files.flatMap((f) => [`${opts.out}/${f.png}`, `${opts.out}/${f.svg}`]), `${opts.out}/report.md`, `${opts.out}/runs.csv`].join('\n')}\n`,
        );
      } finally {
        store.close();
      }
    });
}
