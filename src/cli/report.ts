// `toymodels report SWEEP --out DIR`: every figure of a sweep as PNG and SVG, and report.md.
import { Command, Option } from 'commander';
import { RunStore } from '../store/run-store.js';
import { writeSweepReport } from '../report/sweep-report.js';
import { UsageError } from './errors.js';
import { storeOption } from './store-option.js';

export function reportCommand(): Command {
  return new Command('report')
    .description('write every figure of a sweep (PNG and SVG) and a report.md with its summary table')
    .argument('<sweep>', "the sweep's name (as `sweep` or `batch` printed it, e.g. LR1-laptop)")
    .requiredOption('--out <dir>', 'output directory')
    .addOption(storeOption())
    .option(
      '--with <sweeps...>',
      'other sweeps whose runs join the loss-against-monosemanticity scatter (e.g. --with LR1-laptop)',
    )
    .addOption(
      new Option(
        '--png-scale <x>',
        'PNG pixels per SVG unit, 0.5 to 8 (1 for small PNGs to embed in documents)',
      ).default('2'),
    )
    .action(async (name: string, opts: { out: string; store: string; pngScale: string; with?: string[] }) => {
      const pngScale = Number(opts.pngScale);
      if (!/^\d+(\.\d+)?$/.test(opts.pngScale) || pngScale < 0.5 || pngScale > 8) {
        throw new UsageError(
          `--png-scale: ${JSON.stringify(opts.pngScale)} is not allowed: must be a number from 0.5 to 8`,
        );
      }
      const store = new RunStore(opts.store);
      try {
        const { files } = await writeSweepReport(store, name, opts.out, { pngScale, with: opts.with ?? [] });
        process.stdout.write(
          `${[...files.flatMap((f) => [`${opts.out}/${f.png}`, `${opts.out}/${f.svg}`]), `${opts.out}/report.md`].join('\n')}\n`,
        );
      } finally {
        store.close();
      }
    });
}
