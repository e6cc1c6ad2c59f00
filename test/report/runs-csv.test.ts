import { describe, expect, it } from 'vitest';
import { StoreError } from '../../src/store/errors.js';
import { RUNS_CSV_COLUMNS, formatRunsCsv, parseRunsCsv } from '../../src/report/runs-csv.js';
import { csvRow } from './rows.js';

const row = csvRow;

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
