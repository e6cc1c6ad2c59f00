import { describe, expect, it } from 'vitest';
import { heatmapOrder } from '../../src/analysis/heatmap.js';
import { matrix, reorder } from '../../src/analysis/matrix.js';

// k = 7 neurons x N = 6 features; scores max / mean = N max / sum in the comments.
const SFA = [
  [0, 0.5, 0.5, 0, 0, 0.5], // n0: 6 * 0.5 / 1.5 = 2
  [0, 0, 0, 0, 0, 0], //       n1: dead (all zero)
  [0, 0, 0, 2, 0, 0], //       n2: 6
  [1, 0, 0, 0, 0, 0], //       n3: 6, tied with n2: n2 first (index order)
  [0.25, 0.25, 1, 0.5, 0, 0.5], // n4: 6 * 1 / 2.5 = 2.4
  [-0.1, -0.1, -0.1, -0.1, -0.1, -0.1], // n5: dead (GeLU-like negatives only)
  [0.1, -1, 0, 0, 0, 0], //    n6: a positive max but a negative sum: not ranked
];

describe('heat-map order', () => {
  const order = heatmapOrder(matrix(7, 6, Float32Array.from(SFA.flat())));

  it('sorts neurons by max/mean descending, ties by index, unranked (dead) neurons last in index order', () => {
    expect([...order.neurons]).toEqual([2, 3, 4, 0, 1, 5, 6]);
    expect(order.ranked_neurons).toBe(4);
    expect(order.neuron_score[2]).toBe(6);
    expect(order.neuron_score[0]).toBe(2);
    expect(order.neuron_score[4]).toBeCloseTo(2.4, 6);
    expect(Number.isNaN(order.neuron_score[1]!)).toBe(true);
  });

  it('sorts features by the row of the neuron each activates most, ties by index; inactive features last', () => {
    // Rows: n2 0, n3 1, n4 2, n0 3. f0 -> n3 (row 1), f1 -> n0 (row 3), f2 -> n4 (row 2),
    // f3 -> n2 (row 0), f4 activates nothing, f5: n0 and n4 tie at 0.5 -> the earlier row, 2.
    expect([...order.feature_row]).toEqual([1, 3, 2, 0, -1, 2]);
    expect([...order.features]).toEqual([3, 0, 2, 5, 1, 4]);
  });

  it('reorders and crops matrices', () => {
    const heat = reorder(matrix(7, 6, Float32Array.from(SFA.flat())), order.neurons.subarray(0, 2), order.features);
    expect(heat.rows).toBe(2);
    expect(heat.cols).toBe(6);
    expect([...heat.data]).toEqual([2, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
  });

  it('orders an all-dead matrix by index', () => {
    const dead = heatmapOrder(matrix(3, 2));
    expect([...dead.neurons]).toEqual([0, 1, 2]);
    expect([...dead.features]).toEqual([0, 1]);
    expect(dead.ranked_neurons).toBe(0);
  });
});
