// The LR1 comparison of REPRODUCTION.md: our stored runs of a batch against the PyTorch oracle's runs
// of the same configurations (JSON lines, one oracle output per line), point by point.
// Usage: node dist/bench/oracle-table.js <store> <sweep name> <oracle.jsonl>
import { readFileSync } from 'node:fs';
import { RunStore } from '../src/store/run-store.js';
import { sweepOutcomes } from '../src/sweep/outcomes.js';
import type { SweepSpec } from '../src/sweep/spec.js';
import { formatMetric } from '../src/figures/labels.js';

const [storeDir, sweepName, oracleFile] = process.argv.slice(2);
if (!storeDir || !sweepName || !oracleFile)
  throw new Error('usage: oracle-table.js <store> <sweep name> <oracle.jsonl>');

interface OracleRun {
  config: { learning_rate: number; seed: number };
  final_loss_mean_last_8: number;
  monosemantic_per_feature: number;
  mean_bias: number;
}
const oracle = readFileSync(oracleFile, 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as OracleRun);
const store = new RunStore(storeDir);
const spec = store.getSweep(sweepName)!.spec as SweepSpec;
const rows = sweepOutcomes(store, spec).map(({ point, run }) => {
  const o = oracle.find(
    (r) => r.config.learning_rate === point.config.learning_rate && r.config.seed === point.config.seed,
  );
  const f = run?.final;
  return [
    point.config.learning_rate,
    f?.data_loss,
    o?.final_loss_mean_last_8,
    f?.monosemantic_per_feature,
    o?.monosemantic_per_feature,
    f?.mean_bias,
    o?.mean_bias,
  ].map((v, i) => (i === 0 ? String(v) : formatMetric(v as number | undefined, i >= 3 ? 3 : 4)));
});
store.close();
const header = [
  'learning rate',
  'final loss, ours',
  'final loss, oracle',
  'mono/N, ours',
  'mono/N, oracle',
  'mean bias, ours',
  'mean bias, oracle',
];
console.log(
  [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n'),
);
