// `toymodels report SWEEP --out DIR`: every figure of a sweep as PNG and SVG, and report.md.
import { Command, Option } from 'commander';
import { RunStore } from '../store/run-store.js';
import { writeSweepReport } from '../report/sweep-report.js';
import { DEFAULT_STORE } from './train.js';

export function reportCommand(): Command {
  return new Command('report')
    .description('write every figure of a sweep (PNG and SVG) and a report.md with its summary table')
    .argument('<sweep>', 'the sweep\'s name (as `sweep` or `batch` printed it, e.g. LR1-laptop)')
    .requiredOption('--out <dir>', 'output directory')
    .addOption(new Option('--store <dir>', 'run store directory').default(DEFAULT_STORE))
    .action(async (name: string, opts: { out: string; store: string }) => {
      const store = new RunStore(opts.store);
      try {
        const { files } = await writeSweepReport(store, name, opts.out);
        process.stdout.write(`${[...files.flatMap((f) => [`${opts.out}/${f.png}`, `${opts.out}/${f.svg}`]), `${opts.out}/report.md`].join('\n')}\n`);
      } finally {
        store.close();
      }
    });
}
