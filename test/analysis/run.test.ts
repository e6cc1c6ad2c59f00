import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyseRun, runSeries } from '../../src/analysis/run.js';
import { parseRunConfig } from '../../src/config/schema.js';
import { RunStore, type LoadedRun } from '../../src/store/run-store.js';
import { monosemanticity } from '../../src/analysis/cpu.js';
import { train } from '../../src/train/train.js';

/**
 * A short run stored through the real store, made by the first test that asks for it. Not in a
 * beforeAll: `npm run mutate` attributes code that runs outside a test to no test, and would then
 * run every test against each mutant of the training code.
 */
let stored: Promise<{ store: RunStore; run: LoadedRun }> | undefined;
function storedRun() {
  stored ??= (async () => {
    const store = new RunStore(fs.mkdtempSync(path.join(os.tmpdir(), 'toymodels-analysis-')));
    const cfg = parseRunConfig({
      N: 32,
      m: 8,
      k: 64,
      log2_batch_size: 6,
      log2_training_steps: 6,
      learning_rate: 0.01,
      decay: 0.03,
      initial_bias: -0.5,
    });
    // What `toymodels train` does (src/runner/record-run.ts), through the real store.
    const config = { ...cfg, threads: 1, version: 'test' };
    const id = store.startRun(config);
    const result = await train(cfg, { threads: 1 });
    const final = await monosemanticity(cfg, result.params, result.embeddings.E, { threads: 1 });
    store.finishRun(id, {
      config,
      losses: result.losses,
      snapshots: result.snapshots,
      embeddings: result.embeddings,
      summary: {
        status: result.status,
        data_loss: result.losses.loss.at(-1)!,
        ...final,
        samples_per_second: result.samplesPerSecond,
        seconds: result.seconds,
      },
    });
    return { store, run: store.loadRun(id) };
  })();
  return stored;
}

describe('a run as series over log2 step', () => {
  afterAll(async () => (await stored)?.store.close());

  it('has one entry per snapshot, at log2(step + 1), and the loss trace', async () => {
    const { run } = await storedRun();
    const { series, losses } = await runSeries(run, { threads: 1 });
    expect(series.map((p) => p.step)).toEqual([0, 1, 3, 7, 15, 31, 63]);
    expect(series.map((p) => p.log2_step)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(losses).toEqual(run.losses);
    for (const p of series) {
      expect(Object.keys(p).sort()).toEqual([
        'activation_floor',
        'dead_neurons',
        'features_covered',
        'log2_step',
        'mean_bias',
        'monosemantic_below_floor',
        'monosemantic_neurons',
        'monosemantic_per_feature',
        'monosemantic_per_neuron',
        'step',
      ]);
      expect(p.monosemantic_per_feature).toBe(p.monosemantic_neurons / 32);
      expect(p.monosemantic_per_neuron).toBe(p.monosemantic_neurons / 64);
    }
    // The final point is what training stored as the run's final metrics.
    const last = series.at(-1)!;
    expect(last.monosemantic_neurons).toBe(run.summary.monosemantic_neurons);
    expect(last.mean_bias).toBeCloseTo(run.summary.mean_bias, 12);
    // Bias decay pulls the mean bias (initially about -0.5) toward zero.
    expect(Math.abs(last.mean_bias)).toBeLessThan(Math.abs(series[0]!.mean_bias));
  });

  it('analyses the final snapshot, or one chosen by step', async () => {
    const { run } = await storedRun();
    const final = await analyseRun(run, { threads: 1 });
    expect(final.snapshot).toBe(63);
    expect(final.series).toHaveLength(7);
    expect(final.metrics.monosemantic_neurons).toBe(final.series.at(-1)!.monosemantic_neurons);
    expect(final.metrics.single_feature_activations).toMatchObject({ rows: 64, cols: 32 });
    const early = await analyseRun(run, { snapshot: 3, threads: 1, extraFeatures: [0, 1] });
    expect(early.snapshot).toBe(3);
    expect(early.metrics.mean_bias).toBeCloseTo(early.series[2]!.mean_bias, 12);
    await expect(analyseRun(run, { snapshot: 5 })).rejects.toThrow(
      /no snapshot 5; its snapshots are after steps 0, 1, 3, 7, 15, 31, 63/,
    );
  });
});
