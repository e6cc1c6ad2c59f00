import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectUsageError, SMALL, tempDir, toymodels } from './cli.js';

describe('toymodels analyse', () => {
  let store: string;
  let id: string;

  beforeAll(() => {
    store = tempDir();
    const r = toymodels(['train', ...SMALL, '--store', store, '--json']);
    expect(r.code, r.stderr).toBe(0);
    id = JSON.parse(r.stdout).id;
  });

  it('prints the config, the final snapshot metrics and the series table', () => {
    const r = toymodels(['analyse', id, '--store', store]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^run ${id} \\(finished\\): decoder ReLU N=32 m=8 k=64 `));
    expect(lines[1]).toBe('snapshot after step 63 (log2 step 6.00), the last');
    expect(lines[2]).toMatch(
      /^monosemantic neurons \d+: .* per feature \(of N=32\), .* per neuron \(of k=64\); features covered \d+ \(of N=32\); dead neurons \d+$/,
    );
    expect(lines[3]).toMatch(/^\d+ of them have a largest activation below 0\.1$/);
    // 2^6 steps recorded every 16: 4 records, fewer than either window.
    expect(lines[4]).toMatch(
      /^final loss: mean of the last 8 records \d\.\d+ ± \d\.\d+ \(only 4 recorded\); last 64 records: \d\.\d+ ± \d\.\d+ \(only 4 recorded\)$/,
    );
    expect(lines[5]).toMatch(/^mean bias -?\d/);
    const table = lines.slice(7);
    expect(table[0]).toMatch(/log2 step\s+step\s+mono\s+covered\s+mono\/N\s+mono\/k\s+dead\s+mean bias/);
    expect(table).toHaveLength(1 + 7);
    expect(table.filter((l) => l.startsWith('*'))).toEqual([table[7]]);
  });

  it('--json: one object with id, config, snapshot, metrics, series and losses; --snapshot picks a step', () => {
    const r = toymodels(['analyse', id, '--store', store, '--json', '--snapshot', '15']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out).sort()).toEqual([
      'config',
      'final_loss',
      'id',
      'losses',
      'metrics',
      'series',
      'snapshot',
      'status',
    ]);
    expect(out).toMatchObject({
      id,
      snapshot: 15,
      status: 'finished',
      config: { N: 32, m: 8, k: 64, task: 'decoder' },
    });
    expect(out.series.map((p: { step: number }) => p.step)).toEqual([0, 1, 3, 7, 15, 31, 63]);
    expect(out.series.map((p: { log2_step: number }) => p.log2_step)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const { log2_step, step, ...point } = out.series[4];
    expect([log2_step, step]).toEqual([4, 15]);
    expect(out.metrics).toEqual(point);
    expect(Object.keys(out.metrics).sort()).toEqual([
      'activation_floor',
      'dead_neurons',
      'features_covered',
      'mean_bias',
      'monosemantic_below_floor',
      'monosemantic_neurons',
      'monosemantic_per_feature',
      'monosemantic_per_neuron',
    ]);
    for (const p of out.series) expect(p.activation_floor).toBe(0.1);
    expect(out.losses).toMatchObject({ every: 16, steps: [0, 16, 32, 48] });
    // Both windows hold all 4 records: their mean, and sd (n - 1) / sqrt(4).
    const loss: number[] = out.losses.loss;
    const mean = loss.reduce((a, b) => a + b, 0) / 4;
    const se = Math.sqrt(loss.reduce((a, b) => a + (b - mean) ** 2, 0) / 3 / 4);
    for (const w of [out.final_loss.last8, out.final_loss.last64]) {
      expect(w.n).toBe(4);
      expect(w.mean).toBeCloseTo(mean, 12);
      expect(w.se).toBeCloseTo(se, 12);
    }
    // The last snapshot's measures and the loss windows are the ones training stored.
    const runs = JSON.parse(toymodels(['runs', '--store', store, '--json']).stdout);
    const final = runs[0].final;
    expect(out.series[6].monosemantic_neurons).toBe(final.monosemantic_neurons);
    expect([final.features_covered, final.dead_neurons]).toEqual([
      out.series[6].features_covered,
      out.series[6].dead_neurons,
    ]);
    expect([final.data_loss, final.data_loss_se, final.data_loss_last64, final.data_loss_last64_se]).toEqual([
      out.final_loss.last8.mean,
      out.final_loss.last8.se,
      out.final_loss.last64.mean,
      out.final_loss.last64.se,
    ]);
  });

  it('--mono_min_activation moves the neurons below it from monosemantic to below the floor, in every point', () => {
    const series = (args: string[]) => {
      const r = toymodels(['analyse', id, '--store', store, '--json', ...args]);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout).series as Record<string, number>[];
    };
    const paper = series([]);
    const none = series(['--mono_min_activation', '1e9']);
    const zero = series(['--mono_min_activation', '0']);
    expect(paper.some((p) => p.monosemantic_neurons > 0)).toBe(true);
    paper.forEach((p, i) => {
      expect(p.features_covered).toBeLessThanOrEqual(p.monosemantic_neurons);
      expect(p.features_covered > 0).toBe(p.monosemantic_neurons > 0);
      expect(none[i]).toMatchObject({
        monosemantic_neurons: 0,
        features_covered: 0,
        activation_floor: 1e9,
        monosemantic_below_floor: p.monosemantic_neurons,
      });
      expect(zero[i]).toMatchObject({
        monosemantic_neurons: p.monosemantic_neurons,
        features_covered: p.features_covered,
        activation_floor: 0,
        monosemantic_below_floor: 0,
      });
    });
    const text = toymodels(['analyse', id, '--store', store, '--mono_min_activation', '1e9']).stdout.split('\n');
    expect(text[2]).toMatch(/^monosemantic neurons 0: /);
    expect(text[3]).toBe(
      `${paper[6]!.monosemantic_neurons} more pass the ratio but have a largest activation below 1000000000 (--mono_min_activation) and are not counted`,
    );
  });

  it.each(['-1', 'abc', '', '1e999', '0x10'])(
    '--mono_min_activation %j is one line naming the value and what is allowed, exit 2',
    (bad) => {
      expectUsageError(
        ['analyse', id, '--mono_min_activation', bad],
        new RegExp(`^toymodels: --mono_min_activation: ${JSON.stringify(bad)} is not allowed: must be a number >= 0`),
      );
    },
  );

  it('an unknown snapshot is one line listing the valid ones, exit 2', () => {
    const r = toymodels(['analyse', id, '--store', store, '--snapshot', '5']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--snapshot: "5" is not a snapshot');
    expect(r.stderr).toContain('valid: 0, 1, 3, 7, 15, 31, 63');
  });

  it.each([
    ['a malformed id', ['analyse', 'nope'], /"nope" is not a run id/],
    ['an unknown id', ['analyse', '20200101-000000-abcdef'], /run 20200101-000000-abcdef: no folder/],
  ])('%s is one line, exit 2', (_, args, message) => {
    const r = toymodels([...args, '--store', store]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it('a corrupt run is one line, exit 2', () => {
    const corrupt = tempDir();
    const t = toymodels(['train', ...SMALL, '--store', corrupt, '--json']);
    const cid = JSON.parse(t.stdout).id;
    writeFileSync(path.join(corrupt, cid, 'tensors.safetensors'), 'garbage');
    const r = toymodels(['analyse', cid, '--store', corrupt]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/tensors\.safetensors is corrupt/);
  });

  it('a missing store is one line, exit 2', () => {
    const r = toymodels(['analyse', id, '--store', path.join(store, 'no-such-dir')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--store: no run store at/);
  });

  it('--help says what the snapshot index is', () => {
    const r = toymodels(['analyse', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--snapshot <I>');
    expect(r.stdout).toMatch(/after step I, as stored/);
    expect(toymodels(['--help']).stdout).toContain('analyse');
  });
});
