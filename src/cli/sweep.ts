// `toymodels sweep`: any config fields swept, one (the seed's --sweep_var/--sweep_values) or a grid.
import { Command } from 'commander';
import { SWEEP_NAME } from '../config/stored.js';
import { specDigest, type SweepSpec } from '../sweep/spec.js';
import { parseVariable } from '../sweep/values.js';
import { UsageError } from './errors.js';
import { addSweepOptions, givenFields, gridFromOptions, runSweeps, scaleFromOptions } from './sweep-options.js';

export function sweepCommand(): Command {
  const cmd = new Command('sweep').description(
    'train one run per value (or combination of values) of the swept config fields; resumable',
  );
  cmd
    .option('--sweep_var <name>', "the swept config field (the seed's flag), e.g. learning_rate")
    .option(
      '--sweep_values <values...>',
      'its values: numbers, categories or ranges (lin:A:B:N, log:A:B:N, pow2:A:B[:N])',
    )
    .option(
      '--name <name>',
      "the sweep's name in the store (default: derived from what it sweeps); the same name resumes",
    );
  addSweepOptions(cmd).action(async (opts: Record<string, unknown>) => {
    const variables = gridFromOptions(opts);
    if (opts.sweep_var !== undefined || opts.sweep_values !== undefined) {
      if (opts.sweep_var === undefined) throw new UsageError('--sweep_values needs --sweep_var NAME');
      variables.unshift(parseVariable(String(opts.sweep_var), (opts.sweep_values as string[] | undefined) ?? []));
    }
    if (variables.length === 0)
      throw new UsageError('nothing to sweep: give --sweep_var NAME --sweep_values V1 V2 ... or --grid NAME=V1,V2 ...');
    const base = { fixed: givenFields(opts), variables, scale: scaleFromOptions(opts) };
    const name =
      opts.name === undefined
        ? `${variables.map((v) => v.field).join('-')}-${base.scale.name}-${specDigest(base)}`
        : String(opts.name);
    if (!SWEEP_NAME.test(name))
      throw new UsageError(
        `--name: ${JSON.stringify(name)} is not allowed: use letters, digits and _ . @ = + - (at most 100)`,
      );
    const spec: SweepSpec = { name, ...base };
    await runSweeps([spec], opts);
  });
  return cmd;
}
