import { describe, expect, it } from 'vitest';
import { StoreError } from '../../src/store/errors.js';
import { RUNS_CSV_COLUMNS, formatRunsCsv, parseRunsCsv, type RunsCsvRow } from '../../src/report/runs-csv.js';

const row = (over: Partial<RunsCsvRow> = {}): RunsCsvRow => ({
  sweep: 'LR1-laptop',
  batch: 'LR1',
  scale: 'laptop (batch 2^10, 2^13 steps)',
  swept: 'learning_rate',
  value: '0.03',
  seed: 0,
  task: 'decoder',
  sample_kind: 'equal',
  nonlinearity: 'ReLU',
  N: 512,
  m: 64,
  k: 1024,
  eps: 1 / 64,
  learning_rate: 0.03,
  decay: 0,
  initial_bias: 0,
  reg: 0,
  threads: 1,
  device: 'cpu',
  status: 'finished',
  mark: 'ok',
  loss_last64: 0.9202,
  loss_last64_se: 0.004,
  zero_output_loss: 512 / 64 / 3,
  monosemantic_per_feature: 561 / 512,
  features_covered: 508,
  dead_neurons: 214,
  mean_bias: -0.481,
  id: '20261202-022142-eb1469',
  ...over,
});

describe('runs.csv', () => {
  it('reads back what it writes, every column at full precision', () => {
    const rows = [row(), row({ value: '0.01', learning_rate: 0.01, id: 'b', scale: 'a "quoted", scale' })];
    const text = formatRunsCsv(rows);
    expect(text.split('\n')[0]).toBe(RUNS_CSV_COLUMNS.join(','));
    expect(parseRunsCsv(text, 'runs.csv')).toEqual(rows);
  });

  it('keeps a blank measure blank (a diverged run), never 0', () => {
    const diverged = row({ status: 'diverged', mark: 'diverged', loss_last64: undefined, loss_last64_se: undefined });
    const [back] = parseRunsCsv(formatRunsCsv([diverged]), 'runs.csv');
    expect(back!.loss_last64).toBeUndefined();
    expect(back!.status).toBe('diverged');
  });

  it('names the file, row and column of a bad cell, and refuses a file without its columns', () => {
    const text = formatRunsCsv([row(), row({ id: 'b' })]).replace(/,0\.03,0,0,0,1,cpu,/, ',0.03,0,zero,0,1,cpu,');
    expect(() => parseRunsCsv(text, 'x.csv')).toThrow(StoreError);
    expect(() => parseRunsCsv(text, 'x.csv')).toThrow(/^x\.csv, row 2, column initial_bias: "zero" is not allowed/);
    const blank = formatRunsCsv([row()]).replace(',1024,', ',,');
    expect(() => parseRunsCsv(blank, 'y.csv')).toThrow(/^y\.csv, row 2, column k: "" is not allowed/);
    expect(() => parseRunsCsv('a,b\n1,2\n', 'z.csv')).toThrow(/^z\.csv is not a runs\.csv .*no column sweep, batch/);
    expect(() => parseRunsCsv(RUNS_CSV_COLUMNS.join(',') + '\n', 'e.csv')).toThrow(/^e\.csv has no runs$/);
  });
});
