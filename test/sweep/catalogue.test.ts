// The catalogue against SPEC.md's Table 1, copied here verbatim, row by row and value by value.
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/sweep/catalogue.js';

const SPEC_TABLE = `
| LR1 | decoder | ReLU | equal | 1024 | 1/64 | var | 0 | 0 | 0 |
| LR2 | decoder | ReLU | power_law | 1024 | 1/64 | var | 0 | 0 | 0 |
| LR3 | decoder | ReLU | equal | 1024 | 1/64 | var | 0.03 | -1 | 0 |
| B1 | decoder | ReLU | equal | 1024 | 1/16 | 0.003 | 0.03 | var | 0 |
| B2 | decoder | ReLU | equal | 1024 | 1/32 | 0.003 | 0.003 | var | 0 |
| B3 | decoder | ReLU | equal | 1024 | 1/64 | 0.003 | 0.003 | var | 0 |
| B4 | decoder | ReLU | equal | 1024 | 1/128 | 0.003 | 0.003 | var | 0 |
| B5 | decoder | ReLU | equal | 1024 | 1/256 | 0.003 | 0.003 | var | 0 |
| LR4 | decoder | ReLU | power_law | 1024 | 1/64 | var | 0.03 | -1 | 0 |
| B3 (GeLU) | decoder | GeLU | equal | 1024 | 1/64 | var | 0.03 | var | 0 |
| E1 | decoder | ReLU | equal | 1024 | var | 0.003 | 0.03 | -1 | 0 |
| E2 | decoder | ReLU | equal | 1024 | var | 0.003 | 0.01 | -1 | 0 |
| E3 | decoder | ReLU | equal | 1024 | var | 0.003 | 0.003 | -1 | 0 |
| E4 | decoder | ReLU | equal | 1024 | var | 0.003 | 0.001 | -1 | 0 |
| K0 | decoder | ReLU | equal | var | 1/64 | 0.007 | 0 | 0 | 0 |
| K1 | decoder | ReLU | equal | var | 1/64 | 0.007 | 0.03 | -1 | 0 |
| K2 | decoder | ReLU | power_law | var | 1/64 | 0.007 | 0.03 | -1 | 0 |
| RG1 | decoder | ReLU | equal | 1024 | 1/64 | 0.005 | 0.03 | -1 | var |
| RP1 | re-projector | ReLU | equal | 1024 | 1/64 | var | 0.03 | -1 | 0 |
| LR5 | abs | ReLU | equal | 2048 | 1/64 | var | 0.03 | -1 | 0 |
| D1 | abs | ReLU | equal | 2048 | 1/64 | 0.007 | var | -1 | 0 |`;

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

// "Sweep values: learning rate {0.001, 0.003, 0.005, 0.007, 0.01, 0.03}; bias offset 11 values
// evenly spaced from -2 to 1; eps 2^-x for 11 values of x evenly spaced from 1 to 5; k 2^4 .. 2^11;
// L1 reg and decay 10^-1 .. 10^-7."
const SWEEP_VALUES: Record<string, number[]> = {
  learning_rate: [0.001, 0.003, 0.005, 0.007, 0.01, 0.03],
  initial_bias: Array.from({ length: 11 }, (_, i) => -2 + (3 * i) / 10),
  eps: Array.from({ length: 11 }, (_, i) => 2 ** -(1 + (4 * i) / 10)),
  k: Array.from({ length: 8 }, (_, i) => 2 ** (4 + i)),
  reg: Array.from({ length: 7 }, (_, i) => 10 ** -(1 + i)),
  decay: Array.from({ length: 7 }, (_, i) => 10 ** -(1 + i)),
};

const parse = (cell: string): string | number => {
  if (/^1\/\d+$/.test(cell)) return 1 / Number(cell.slice(2));
  return /^-?[\d.]+$/.test(cell) ? Number(cell) : cell;
};

describe('Table 1 catalogue', () => {
  const rows = SPEC_TABLE.trim()
    .split('\n')
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  it('has the 21 batches in order', () => {
    expect(CATALOGUE.map((b) => b.name)).toEqual(rows.map(([name]) => (name === 'B3 (GeLU)' ? 'B3-GeLU' : name)));
  });
  it.each(rows)('%s matches SPEC.md', (name, ...cells) => {
    const batch = CATALOGUE.find((b) => b.name === (name === 'B3 (GeLU)' ? 'B3-GeLU' : name))!;
    expect(batch.fixed).toMatchObject({ N: 512, m: 64 });
    const fixed = batch.fixed as Record<string, unknown>;
    const swept = COLUMNS.filter((_, i) => cells[i] === 'var');
    expect(batch.variables.map((v) => v.field)).toEqual(swept);
    COLUMNS.forEach((column, i) => {
      if (cells[i] === 'var') {
        const values = batch.variables.find((v) => v.field === column)!.values as number[];
        expect(values).toHaveLength(SWEEP_VALUES[column]!.length);
        values.forEach((v, j) => expect(v).toBeCloseTo(SWEEP_VALUES[column]![j]!, 12));
        expect(fixed[column]).toBeUndefined();
      } else expect(fixed[column]).toEqual(parse(cells[i]!));
    });
  });
});
