import { describe, expect, it } from 'vitest';
import { expandGrid, parseVariable } from '../../src/sweep/values.js';

describe('sweep values', () => {
  it('keeps plain lists, space- or comma-separated', () => {
    expect(parseVariable('learning_rate', ['0.001', '0.003,0.01']).values).toEqual([0.001, 0.003, 0.01]);
    expect(parseVariable('nonlinearity', ['ReLU', 'GeLU']).values).toEqual(['ReLU', 'GeLU']);
  });
  it('expands evenly spaced ranges (SPEC.md bias offsets)', () => {
    expect(parseVariable('initial_bias', ['lin:-2:1:11']).values).toEqual([
      -2, -1.7, -1.4, -1.1, -0.8, -0.5, -0.2, 0.1, 0.4, 0.7, 1,
    ]);
  });
  it('expands log-spaced ranges (SPEC.md L1 and decay)', () => {
    expect(parseVariable('reg', ['log:1e-1:1e-7:7']).values).toEqual([0.1, 0.01, 0.001, 1e-4, 1e-5, 1e-6, 1e-7]);
  });
  it('expands powers of two (SPEC.md k and eps)', () => {
    expect(parseVariable('k', ['pow2:4:11']).values).toEqual([16, 32, 64, 128, 256, 512, 1024, 2048]);
    const eps = parseVariable('eps', ['pow2:-1:-5:11']).values as number[];
    expect(eps).toHaveLength(11);
    eps.forEach((e, i) => expect(e).toBeCloseTo(2 ** -(1 + 0.4 * i), 10));
  });
  it('rejects bad words with the field named', () => {
    expect(() => parseVariable('learning_rate', ['fast'])).toThrow(/--learning_rate: "fast" .*number/);
    expect(() => parseVariable('learning_rate', [])).toThrow(/at least one value/);
    expect(() => parseVariable('k', ['lin:1:2'])).toThrow(/lin:FROM:TO:COUNT/);
    expect(() => parseVariable('task', ['lin:1:2:3'])).toThrow(/numeric fields only/);
    expect(() => parseVariable('depth', ['1'])).toThrow(/not a config field/);
  });
  it('makes every combination of a grid, the first variable outermost', () => {
    const grid = expandGrid([
      parseVariable('learning_rate', ['0.001,0.01']),
      parseVariable('initial_bias', ['-1,0,1']),
    ]);
    expect(grid).toEqual([
      { learning_rate: 0.001, initial_bias: -1 },
      { learning_rate: 0.001, initial_bias: 0 },
      { learning_rate: 0.001, initial_bias: 1 },
      { learning_rate: 0.01, initial_bias: -1 },
      { learning_rate: 0.01, initial_bias: 0 },
      { learning_rate: 0.01, initial_bias: 1 },
    ]);
    expect(expandGrid([])).toEqual([{}]);
  });
});
