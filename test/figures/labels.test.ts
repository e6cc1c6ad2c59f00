import { describe, expect, it } from 'vitest';
import { fieldLabel, formatNumber, formatValue, sweptTitle } from '../../src/figures/labels.js';
import { formatSweepValue } from '../../src/sweep/spec.js';

describe('labels', () => {
  it("maps config fields to the paper's axis names", () => {
    expect(fieldLabel('learning_rate')).toBe('learning rate');
    expect(fieldLabel('initial_bias')).toBe('initial mean bias');
    expect(fieldLabel('k')).toBe('# of neurons');
    expect(fieldLabel('decay')).toBe('bias decay rate');
    expect(fieldLabel('eps')).toBe('ε');
    expect(fieldLabel('reg')).toBe('L1 regularisation strength');
    expect(fieldLabel('seed')).toBe('seed');
    expect(fieldLabel('some_new_field')).toBe('some new field');
  });

  it('formats swept values compactly', () => {
    expect(formatNumber(0.003)).toBe('0.003');
    expect(formatNumber(1e-7)).toBe('1e-7');
    expect(formatNumber(2048)).toBe('2048');
    expect(formatNumber(-1.7000000000000002)).toBe('-1.7');
    expect(formatNumber(2 ** -1.4)).toBe('0.379');
    expect(formatNumber(0)).toBe('0');
    expect(formatValue('GeLU')).toBe('GeLU');
    expect(sweptTitle('learning_rate', 0.003)).toBe('learning rate = 0.003');
    // One argument: safe in values.map(formatValue), whose second argument is an index.
    expect([0.015625, -1.7, 'ReLU'].map(formatValue)).toEqual(['0.0156', '-1.7', 'ReLU']);
  });

  it('formats to 6 significant digits for tables and names (formatSweepValue)', () => {
    expect(formatNumber(0.015625, 6)).toBe('0.015625');
    expect(formatNumber(2 ** -1.4, 6)).toBe('0.378929');
    expect(formatNumber(1.23456789e-7, 6)).toBe('1.23457e-7');
    expect(formatNumber(2.5e6, 6)).toBe('2.5e6');
    expect([0.015625, 1e-7, 'GeLU', 0.0005].map(formatSweepValue)).toEqual(['0.015625', '1e-7', 'GeLU', '5e-4']);
  });
});
