// `toymodels overview CSV... --out DIR`: loss against monosemanticity over the runs of many sweeps
// (say, every batch of Table 1), from the runs.csv files their reports wrote.
import { Command } from 'commander';
import { writeOverview } from '../report/overview.js';
import { parsePngScale, pngScaleOption } from './png-scale.js';

export function overviewCommand(): Command {
  return new Command('overview')
    .description(
      "draw loss against monosemanticity for every run of several sweeps, one panel a sweep, from their reports' runs.csv files",
    )
    .argument('<csv...>', 'runs.csv files written by `toymodels report`, one a sweep, in panel order')
    .requiredOption('--out <dir>', 'output directory')
    .addOption(pngScaleOption())
    .action(async (files: string[], opts: { out: string; pngScale: string }) => {
      const pngScale = parsePngScale(opts.pngScale);
      const written = await writeOverview(files, opts.out, { pngScale });
      process.stdout.write(`${written.png}\n${written.svg}\n`);
    });
}
