import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SMALL, tempDir, toymodels } from './cli.js';

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
    expect(lines[2]).toMatch(/^monosemantic neurons \d+: .* per feature \(of N=32\), .* per neuron \(of k=64\); dead neurons \d+$/);
    expect(lines[3]).toMatch(/^mean bias -?\d/);
    const table = lines.slice(5);
    expect(table[0]).toMatch(/log2 step\s+step\s+mono\s+mono\/N\s+mono\/k\s+dead\s+mean bias/);
    expect(table).toHaveLength(1 + 7);
    expect(table.filter((l) => l.startsWith('*'))).toEqual([table[7]]);
  });

  it('--json: one object with id, config, snapshot, metrics, series and losses; --snapshot picks a step', () => {
    const r = toymodels(['analyse', id, '--store', store, '--json', '--snapshot', '15']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out).sort()).toEqual(['config', 'id', 'losses', 'metrics', 'series', 'snapshot', 'status']);
    expect(out).toMatchObject({ id, snapshot: 15, status: 'finished', config: { N: 32, m: 8, k: 64, task: 'decoder' } });
    expect(out.series.map((p: { step: number }) => p.step)).toEqual([0, 1, 3, 7, 15, 31, 63]);
    expect(out.series.map((p: { log2_step: number }) => p.log2_step)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const { log2_step, step, ...point } = out.series[4];
    expect([log2_step, step]).toEqual([4, 15]);
    expect(out.metrics).toEqual(point);
    expect(Object.keys(out.metrics).sort()).toEqual(['dead_neurons', 'mean_bias', 'monosemantic_neurons', 'monosemantic_per_feature', 'monosemantic_per_neuron']);
    expect(out.losses).toMatchObject({ every: 16, steps: [0, 16, 32, 48] });
    // The last snapshot's measures are the ones training stored.
    const runs = JSON.parse(toymodels(['runs', '--store', store, '--json']).stdout);
    expect(out.series[6].monosemantic_neurons).toBe(runs[0].final.monosemantic_neurons);
  });

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
