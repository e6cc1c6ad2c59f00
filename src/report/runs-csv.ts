// runs.csv: a report's runs as one table a researcher loads into pandas or a spreadsheet, and what
// `toymodels overview` reads to put the runs of many sweeps in one figure. Runs are regenerated,
// not kept; these files are what a reproduction commits of them. One row per settled run; its
// schema is config/stored.ts's runsCsvRowSchema.
import { csvFormat, csvParse } from 'd3-dsv';
import { finalMeasures, formatValue, runMark, type SweepData, type SweepRunData } from '../figures/index.js';
import { runsCsvRowSchema, type RunsCsvRow } from '../config/stored.js';
import { StoreError } from '../store/errors.js';

export type { RunsCsvRow };

export const RUNS_CSV_COLUMNS = Object.keys(runsCsvRowSchema.shape) as (keyof RunsCsvRow)[];

/** The swept fields a run is told apart by (the seed is a column of its own). */
const sweptFields = (d: SweepData): string[] => d.variables.map((v) => v.field).filter((f) => f !== 'seed');

export function runsCsvRow(d: SweepData, run: SweepRunData): RunsCsvRow {
  const f = finalMeasures(run);
  const s = f.snapshot;
  const c = run.config;
  const finite = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x : undefined);
  return {
    sweep: d.name,
    batch: d.batch ?? '',
    scale: d.scale,
    swept: sweptFields(d).join(' × '),
    value: sweptFields(d)
      .map((field) => formatValue(run.values[field] ?? '?'))
      .join(' × '),
    seed: c.seed,
    task: c.task,
    sample_kind: c.sample_kind,
    nonlinearity: c.nonlinearity,
    N: c.N,
    m: c.m,
    k: c.k,
    eps: c.eps,
    learning_rate: c.learning_rate,
    decay: c.decay,
    initial_bias: c.initial_bias,
    reg: c.reg,
    threads: c.threads,
    device: c.device ?? 'cpu',
    status: run.status,
    mark: runMark(run),
    loss_last64: finite(f.loss.last64.mean),
    loss_last64_se: finite(f.loss.last64.se),
    zero_output_loss: run.zero_output_loss,
    monosemantic_per_feature: finite(s?.monosemantic_per_feature),
    features_covered: finite(s?.features_covered),
    dead_neurons: finite(s?.dead_neurons),
    mean_bias: finite(s?.mean_bias),
    id: run.id,
  };
}

/** The sweep's settled runs as CSV text, in point order. */
export function formatRunsCsv(rows: readonly RunsCsvRow[]): string {
  // Full precision: the file is data, not a table to read by eye.
  const cells = rows.map((r) =>
    Object.fromEntries(RUNS_CSV_COLUMNS.map((c) => [c, r[c] === undefined ? '' : String(r[c])])),
  );
  return csvFormat(cells, RUNS_CSV_COLUMNS) + '\n';
}

/** Rows of a runs.csv; a file that is not one gets a one-line error naming the file and the cell. */
export function parseRunsCsv(text: string, file: string): RunsCsvRow[] {
  const parsed = csvParse(text);
  const missing = RUNS_CSV_COLUMNS.filter((c) => !parsed.columns.includes(c));
  if (missing.length)
    throw new StoreError(`${file} is not a runs.csv written by \`toymodels report\`: no column ${missing.join(', ')}`);
  if (parsed.length === 0) throw new StoreError(`${file} has no runs`);
  return parsed.map((raw, i) => {
    const row = runsCsvRowSchema.safeParse(raw);
    if (row.success) return row.data;
    const issue = row.error.issues[0]!;
    const column = String(issue.path[0] ?? '?');
    throw new StoreError(
      `${file}, row ${i + 2}, column ${column}: ${JSON.stringify(raw[column] ?? '')} is not allowed: ${issue.message}`,
    );
  });
}
