// `toymodels batch`: the 21 batches of Table 1 by name, one, several or --all, at a named scale.
import { Command } from 'commander';
import { BATCH_NAMES, CATALOGUE, findBatch } from '../sweep/catalogue.js';
import { batchSpec, formatSweepValue } from '../sweep/spec.js';
import { UsageError } from './errors.js';
import { addSweepOptions, givenFields, gridFromOptions, runSweeps, scaleFromOptions } from './sweep-options.js';

const COLUMNS = [
  'task',
  'nonlinearity',
  'sample_kind',
  'k',
  'eps',
  'learning_rate',
  'decay',
  'initial_bias',
  'reg',
] as const;

function listTable(): string {
  const header = ['batch', 'task', 'f', 'features', 'k', 'eps', 'lr', 'decay', 'bias', 'L1', 'runs'];
  const rows = CATALOGUE.map((b) => {
    const fixed = b.fixed as Record<string, unknown>;
    const cell = (c: (typeof COLUMNS)[number]) => {
      const v = b.variables.find((x) => x.field === c);
      if (v) return `var (${v.values.length})`;
      const x = fixed[c];
      return c === 'eps' && typeof x === 'number' ? `1/${1 / x}` : String(x);
    };
    return [b.name, ...COLUMNS.map(cell), String(b.variables.reduce((n, v) => n * v.values.length, 1))];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const values = CATALOGUE.flatMap((b) => b.variables).filter(
    (v, i, all) => all.findIndex((w) => w.field === v.field) === i,
  );
  return [
    ...[header, ...rows].map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    ),
    '',
    'All batches: N=512, m=64. Swept values:',
    ...values.map((v) => `  ${v.field}: ${v.values.map(formatSweepValue).join(', ')}`),
  ].join('\n');
}

export function batchCommand(): Command {
  const cmd = new Command('batch')
    .description(`run Table 1 batches by name (${BATCH_NAMES.join(', ')}); resumable`)
    .argument('[names...]', 'batch names')
    .option('--all', 'run the whole catalogue, in order', false)
    .option('--list', 'print the catalogue (with --json: as an array)', false);
  addSweepOptions(cmd).action(async (names: string[], opts: Record<string, unknown>) => {
    if (opts.list) {
      if (opts.json) {
        const list = CATALOGUE.map((b) => ({
          name: b.name,
          fixed: b.fixed,
          swept: Object.fromEntries(b.variables.map((v) => [v.field, v.values])),
        }));
        process.stdout.write(`${JSON.stringify(list)}\n`);
      } else process.stdout.write(`${listTable()}\n`);
      return;
    }
    if (!opts.all && names.length === 0)
      throw new UsageError(`name a batch (${BATCH_NAMES.join(', ')}), or give --all or --list`);
    const batches = opts.all ? [...CATALOGUE] : names.map((n) => findBatch(n) ?? fail(n));
    const scale = scaleFromOptions(opts);
    const extraFixed = givenFields(opts);
    const grid = gridFromOptions(opts);
    await runSweeps(
      batches.map((b) => batchSpec(b, scale, extraFixed, grid)),
      opts,
    );
  });
  return cmd;
}

function fail(name: string): never {
  throw new UsageError(`unknown batch ${JSON.stringify(name)}; valid batches: ${BATCH_NAMES.join(', ')}`);
}
