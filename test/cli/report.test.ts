import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { expectUsageError, tempDir, toymodels } from './cli.js';

// A grid sweep: mono / N over both variables is the grid (no mono-vs-sweep line against one of them).
const FIGURES = [
  'training',
  'loss-vs-mono',
  'sfa-heatmaps',
  'amplitude-response',
  'biases',
  'many-feature',
  'sfa-lines',
  'grid',
];

describe('toymodels report', () => {
  it('writes every figure as PNG and SVG and a report.md for a smoke-scale grid sweep', () => {
    const store = tempDir();
    const out = path.join(tempDir(), 'report');
    const sweep = toymodels([
      'sweep',
      '--N',
      '32',
      '--m',
      '8',
      '--k',
      '64',
      '--scale',
      'smoke',
      '--grid',
      'learning_rate=0.003,0.03',
      'initial_bias=0,-0.5',
      '--name',
      'g',
      '--store',
      store,
    ]);
    expect(sweep.code, sweep.stderr).toBe(0);
    const r = toymodels(['report', 'g', '--store', store, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const listed = r.stdout.trim().split('\n');
    expect(listed).toHaveLength(FIGURES.length * 2 + 2);
    expect(listed.slice(-2)).toEqual([`${out}/report.md`, `${out}/runs.csv`]);
    for (const name of FIGURES) {
      const svg = readFileSync(path.join(out, `${name}.svg`), 'utf8');
      expect(svg).toMatch(/^<svg/);
      expect(svg).toContain('smoke (batch 2^5, 2^6 steps)');
      const png = decode(readFileSync(path.join(out, `${name}.png`)));
      expect(png.width).toBeGreaterThan(100);
      expect(png.height).toBeGreaterThan(100);
      // Not blank: some pixel differs from the top-left (background) one.
      const px = png.channels;
      const differs = Array.from({ length: png.width * png.height }, (_, i) => i).some((i) =>
        [0, 1, 2].some((c) => png.data[i * px + c] !== png.data[c]),
      );
      expect(differs, name).toBe(true);
    }
    const md = readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(md).toContain('**Scale: smoke (batch 2^5, 2^6 steps).**');
    expect(md).toContain(
      '| learning rate | initial mean bias | status | final loss (last 8, ± se) | loss (last 64) | mono / N | features covered | mono / k | dead | mean bias | run |',
    );
    // At smoke scale a run may end within 5% of the zero-output loss: it is marked, not hidden.
    expect(md.match(/\| (finished|never learned) \|/g)).toHaveLength(4);
    for (const name of FIGURES) expect(md).toContain(`![${name}](${name}.png)`);
  });

  it('draws smaller PNGs with --png-scale and refuses a scale out of range', () => {
    const store = tempDir();
    toymodels([
      'sweep',
      '--N',
      '32',
      '--m',
      '8',
      '--k',
      '64',
      '--scale',
      'smoke',
      '--sweep_var',
      'seed',
      '--sweep_values',
      '1',
      '--name',
      'one',
      '--store',
      store,
    ]);
    const width = (scale: string[]) => {
      const out = tempDir();
      expect(toymodels(['report', 'one', '--store', store, '--out', out, ...scale]).code).toBe(0);
      return decode(readFileSync(path.join(out, 'mono-vs-sweep.png'))).width;
    };
    expect(Math.abs(width([]) - 2 * width(['--png-scale', '1']))).toBeLessThanOrEqual(1);
    expectUsageError(
      ['report', 'one', '--store', store, '--out', tempDir(), '--png-scale', '0'],
      /--png-scale: "0" is not allowed: must be a number from 0.5 to 8/,
    );
  });

  it('names the known sweeps when the sweep does not exist', () => {
    const store = tempDir();
    toymodels([
      'sweep',
      '--N',
      '32',
      '--m',
      '8',
      '--k',
      '64',
      '--scale',
      'smoke',
      '--sweep_var',
      'seed',
      '--sweep_values',
      '1',
      '--name',
      'one',
      '--store',
      store,
    ]);
    const r = toymodels(['report', 'nope', '--store', store, '--out', tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/no sweep "nope" .*sweeps there: one$/);
  });
});

describe('toymodels report, new figures and marks', () => {
  it('draws mono/k against N/k for a k sweep, and marks a diverged run in the table and the figures', () => {
    const store = tempDir();
    const out = path.join(tempDir(), 'k');
    const base = ['--N', '32', '--m', '8', '--scale', 'smoke', '--store', store];
    expect(
      toymodels(['sweep', ...base, '--sweep_var', 'k', '--sweep_values', '16', '32', '64', '--name', 'ks']).code,
    ).toBe(0);
    expect(toymodels(['report', 'ks', '--store', store, '--out', out]).code).toBe(0);
    for (const name of ['mono-vs-sweep', 'mono-vs-n-over-k', 'loss-vs-mono', 'amplitude-response']) {
      expect(readFileSync(path.join(out, `${name}.svg`), 'utf8'), name).toMatch(/^<svg/);
    }
    expect(readFileSync(path.join(out, 'mono-vs-n-over-k.svg'), 'utf8')).toContain('k = N');

    const lr = path.join(tempDir(), 'lr');
    const wild = [
      '--optimizer',
      'sgd',
      '--schedule',
      'constant',
      '--sweep_var',
      'learning_rate',
      '--sweep_values',
      '0.03',
      '10000',
      '--name',
      'wild',
    ];
    expect(toymodels(['sweep', ...base, '--k', '64', ...wild]).code).toBe(0);
    expect(toymodels(['report', 'wild', '--store', store, '--out', lr]).code).toBe(0);
    const md = readFileSync(path.join(lr, 'report.md'), 'utf8');
    expect(md).toMatch(/\| 10000 \| diverged at step \d+ \|/);
    // Left out of the final-value figures (never drawn at 0), and said so.
    expect(readFileSync(path.join(lr, 'mono-vs-sweep.svg'), 'utf8')).toMatch(/1 diverged run/);
    expect(readFileSync(path.join(lr, 'loss-vs-mono.svg'), 'utf8')).toMatch(/1 diverged run/);
    expect(readFileSync(path.join(lr, 'training.svg'), 'utf8')).toMatch(/dashed: diverged/);

    // Runs of other sweeps join the scatter; coloured by sweep when the swept fields differ.
    const both = path.join(tempDir(), 'both');
    expect(toymodels(['report', 'wild', '--with', 'ks', '--store', store, '--out', both]).code).toBe(0);
    const scatter = readFileSync(path.join(both, 'loss-vs-mono.svg'), 'utf8');
    for (const name of ['>wild<', '>ks<']) expect(scatter).toContain(name);
    const missing = toymodels(['report', 'wild', '--with', 'nope', '--store', store, '--out', tempDir()]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toMatch(/^toymodels: no sweep "nope" .*sweeps there: .*ks/);
  });
});
