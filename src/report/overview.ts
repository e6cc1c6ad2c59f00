// The runs of many sweeps in one figure (`toymodels overview`): read from the runs.csv files their
// reports wrote, so that it can be redrawn from what a reproduction commits, without the runs.
import { readFileSync } from 'node:fs';
import {
  fieldLabel,
  lossVsMonoOverview,
  type LossVsMonoOverviewInput,
  type OverviewPanel,
  type OverviewRun,
} from '../figures/index.js';
import { writeFigure, type WrittenFigure } from '../figures/render.js';
import { StoreError, unopenable } from '../store/errors.js';
import { parseRunsCsv, type RunsCsvRow } from './runs-csv.js';

/** A sweep's panel: its Table 1 batch, else the sweep's own name. */
const panelOf = (r: RunsCsvRow): string => r.batch || r.sweep;

/** The overview's input: one panel a batch (in the order first seen), the loss over the zero-output loss. */
export function overviewInput(rows: readonly RunsCsvRow[]): LossVsMonoOverviewInput {
  const panels: OverviewPanel[] = [];
  for (const r of rows) {
    const panel = panelOf(r);
    if (!panels.some((p) => p.panel === panel)) {
      const fields = r.swept ? r.swept.split(' × ') : [];
      const numeric = rows.filter((q) => panelOf(q) === panel).every((q) => Number.isFinite(Number(q.value)));
      panels.push({
        panel,
        swept: fields.length ? fields.map(fieldLabel).join(' × ') : 'seed',
        ordered: fields.length === 1 && numeric,
      });
    }
  }
  const rank = new Map<string, number>();
  const runs: OverviewRun[] = rows.map((r) => {
    const key = `${panelOf(r)}\u0000${r.value}`;
    if (!rank.has(key)) rank.set(key, rank.size);
    const numeric = Number(r.value);
    return {
      panel: panelOf(r),
      value: r.value || `seed ${r.seed}`,
      order: r.value !== '' && Number.isFinite(numeric) ? numeric : rank.get(key)!,
      loss_fraction: (r.loss_last64 ?? NaN) / r.zero_output_loss,
      mono_per_feature: r.monosemantic_per_feature ?? NaN,
      mark: r.mark,
      id: r.id,
    };
  });
  const scales = [...new Set(rows.map((r) => r.scale))];
  return { scale: scales.join('; '), panels, runs };
}

/** Reads the runs.csv files (all checked before anything is drawn) and writes `<outDir>/loss-vs-mono-all.{svg,png}`. */
export async function writeOverview(
  files: readonly string[],
  outDir: string,
  opts: { pngScale?: number } = {},
): Promise<WrittenFigure> {
  const rows = files.flatMap((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new StoreError(`${file} ${unopenable(e)}: give the runs.csv that \`toymodels report\` wrote`);
    }
    return parseRunsCsv(text, file);
  });
  const ids = new Set<string>();
  for (const r of rows) {
    if (ids.has(r.id)) throw new StoreError(`run ${r.id} is in more than one of the files given: give each sweep once`);
    ids.add(r.id);
  }
  return writeFigure(outDir, 'loss-vs-mono-all', lossVsMonoOverview(overviewInput(rows)), {
    scale: opts.pngScale,
  });
}
