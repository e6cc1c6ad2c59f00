import { describe, expect, it } from 'vitest';
import { lossVsMonoOverview } from '../../src/figures/index.js';
import { overviewInput } from '../../src/report/overview.js';
import type { RunsCsvRow } from '../../src/report/runs-csv.js';
import { csvRow } from '../report/rows.js';
import { SCALE, renderChecked } from './helpers.js';

let n = 0;
const run = (sweep: string, batch: string, swept: string, value: string, over: Partial<RunsCsvRow> = {}) =>
  csvRow({
    sweep,
    batch,
    scale: SCALE,
    swept,
    value,
    loss_last64: 1,
    zero_output_loss: 8 / 3,
    monosemantic_per_feature: 0.5,
    id: `run-${n++}`,
    ...over,
  });

const rows = [
  run('LR1-laptop', 'LR1', 'learning_rate', '0.03', { loss_last64: 0.92, monosemantic_per_feature: 1.1 }),
  run('LR1-laptop', 'LR1', 'learning_rate', '0.001', { loss_last64: 1.71, monosemantic_per_feature: 0 }),
  // The abs task's losses are smaller: the fraction of its own zero-output loss puts it beside the decoder's.
  run('LR5-sub-laptop', '', 'learning_rate', '0.01', { task: 'abs', loss_last64: 0.5, zero_output_loss: 2, seed: 0 }),
  run('LR5-sub-laptop', '', 'learning_rate', '0.01', { task: 'abs', loss_last64: 0.7, zero_output_loss: 2, seed: 1 }),
  run('G', '', 'learning_rate × initial_bias', '0.003 × -1', { mark: 'never-learned', loss_last64: 2.6 }),
  run('G', '', 'learning_rate × initial_bias', '0.03 × -1', {
    status: 'diverged',
    mark: 'diverged',
    loss_last64: undefined,
  }),
];

describe('loss against monosemanticity over many sweeps', () => {
  it('takes the loss as a fraction of each run’s zero-output loss, one panel a batch in the order given', () => {
    const input = overviewInput(rows);
    expect(input.panels).toEqual([
      { panel: 'LR1', swept: 'learning rate', ordered: true },
      { panel: 'LR5-sub-laptop', swept: 'learning rate', ordered: true },
      { panel: 'G', swept: 'learning rate × initial mean bias', ordered: false },
    ]);
    const fractions = input.runs.map((r) => r.loss_fraction);
    expect(fractions.slice(0, 4)).toEqual([0.92 / (8 / 3), 1.71 / (8 / 3), 0.25, 0.35]);
    expect(fractions[5]).toBeNaN();
    // Numbers order the line by value, not by the order the runs came in.
    expect(input.runs.slice(0, 2).map((r) => r.order)).toEqual([0.03, 0.001]);
    expect(input.scale).toBe(SCALE);
  });

  it('draws every run in each panel, its own in colour, and says what it left out', async () => {
    const spec = lossVsMonoOverview(overviewInput(rows));
    const data = (spec as unknown as { data: { values: Record<string, unknown>[] } }).data.values;
    const drawn = data.filter((d) => d.kind === 'run');
    // 5 drawable runs (one diverged) in each of 3 panels.
    expect(drawn).toHaveLength(15);
    expect(drawn.filter((d) => d.own)).toHaveLength(5);
    // Seeds at one value: one mean, at the mean of their fractions.
    const lr5 = data.filter((d) => d.kind === 'mean' && String(d.panel).startsWith('LR5'));
    expect(lr5).toHaveLength(1);
    expect(lr5[0]!.x).toBeCloseTo(0.3, 12);
    expect(lr5[0]!.y).toBeCloseTo(0.5, 12);
    const { svg } = await renderChecked(spec, ['LR1', 'learning rate × initial mean bias', '1 diverged run left out']);
    expect(svg).toContain('loss (last 64) / zero-output loss');
  });

  it('refuses to draw nothing', () => {
    expect(() => lossVsMonoOverview(overviewInput([rows[5]!]))).toThrow(/at least one run that did not diverge/);
  });
});
