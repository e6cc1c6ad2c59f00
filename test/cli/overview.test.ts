import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { parseRunsCsv } from '../../src/report/runs-csv.js';
import { expectUsageError, tempDir, toymodels } from './cli.js';

describe('toymodels overview', () => {
  it("draws the runs of two sweeps from their reports' runs.csv, which matches the report's table", () => {
    const store = tempDir();
    const base = ['--N', '32', '--m', '8', '--k', '64', '--scale', 'smoke', '--store', store];
    expect(toymodels(['sweep', ...base, '--grid', 'learning_rate=0.003,0.03', '--name', 'a']).code).toBe(0);
    expect(toymodels(['sweep', ...base, '--grid', 'initial_bias=0,-1', '--name', 'b']).code).toBe(0);
    const [ra, rb] = [tempDir(), tempDir()];
    const report = toymodels(['report', 'a', '--store', store, '--out', ra]);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toContain(`${ra}/runs.csv`);
    expect(toymodels(['report', 'b', '--store', store, '--out', rb]).code).toBe(0);

    const csv = parseRunsCsv(readFileSync(path.join(ra, 'runs.csv'), 'utf8'), 'a');
    expect(csv.map((r) => [r.sweep, r.value, r.learning_rate])).toEqual([
      ['a', '0.003', 0.003],
      ['a', '0.03', 0.03],
    ]);
    // The same run and measures as report.md's table row.
    const md = readFileSync(path.join(ra, 'report.md'), 'utf8');
    const line = md.split('\n').find((l) => l.includes(csv[1]!.id))!;
    expect(line).toContain(`| ${csv[1]!.features_covered} / 32 |`);
    expect(csv[1]!.zero_output_loss).toBeCloseTo(32 / 64 / 3, 12);

    const out = tempDir();
    const r = toymodels(['overview', path.join(ra, 'runs.csv'), path.join(rb, 'runs.csv'), '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      path.join(out, 'loss-vs-mono-all.png'),
      path.join(out, 'loss-vs-mono-all.svg'),
    ]);
    const svg = readFileSync(path.join(out, 'loss-vs-mono-all.svg'), 'utf8');
    for (const t of ['>a<', '>b<', 'initial mean bias', 'smoke (batch 2^5, 2^6 steps)']) expect(svg).toContain(t);
    expect(decode(readFileSync(path.join(out, 'loss-vs-mono-all.png'))).width).toBeGreaterThan(400);

    const twice = toymodels(['overview', path.join(ra, 'runs.csv'), path.join(ra, 'runs.csv'), '--out', tempDir()]);
    expect(twice.code).toBe(2);
    expect(twice.stderr.trim()).toMatch(/^toymodels: run \S+ is in more than one of the files given/);
  });

  it('refuses a missing file, a file that is not a runs.csv and a bad PNG scale, writing nothing', () => {
    const dir = tempDir();
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, 'x,y\n1,2\n');
    const out = path.join(dir, 'out');
    expectUsageError(
      ['overview', path.join(dir, 'nope.csv'), '--out', out],
      /nope\.csv does not exist: give the runs\.csv/,
    );
    expectUsageError(['overview', bad, '--out', out], /bad\.csv is not a runs\.csv written by `toymodels report`/);
    expectUsageError(['overview', dir, '--out', out], / cannot be read \(EISDIR[^)]*\): give the runs\.csv/);
    expectUsageError(['overview', bad, '--out', out, '--png-scale', '9'], /--png-scale: "9" is not allowed/);
  });
});
