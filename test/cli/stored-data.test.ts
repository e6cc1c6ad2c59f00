// Every reader of stored data goes through one schema (src/config/stored.ts): a run whose config
// lacks a field, or carries a wrong type, gets the same one-line error from analyse, report, merge
// and the dashboard's API.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/app.js';
import { TINY } from '../server/helpers.js';
import { tempDir, toymodels } from './cli.js';

/** The one stderr line of a command that must fail with exit 2. */
function failure(args: string[]): string {
  const r = toymodels(args);
  expect(r.code, r.stdout + r.stderr).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  return lines[0]!;
}

describe('a stored config that lacks a field or has a wrong type', () => {
  let store: string;
  let id: string;

  beforeAll(() => {
    store = tempDir();
    const r = toymodels(['sweep', ...TINY, '--grid', 'seed=1', '--name', 's', '--store', store, '--json']);
    expect(r.code, r.stderr).toBe(0);
    id = JSON.parse(r.stdout).runs[0].id;
  });

  it.each([
    ['lacks N', (c: Record<string, unknown>) => delete c.N, /config\.json is corrupt: N: .*expected number/],
    ['has k as text', (c: Record<string, unknown>) => (c.k = 'ten'), /config\.json is corrupt: k: .*expected number/],
    [
      'names no known activation',
      (c: Record<string, unknown>) => (c.nonlinearity = 'tanh'),
      /config\.json is corrupt: nonlinearity: must be one of ReLU, GeLU, SoLU/,
    ],
  ])('%s: analyse, report, merge and serve say the same line', async (_, change, message) => {
    const copy = tempDir();
    cpSync(store, copy, { recursive: true });
    const file = path.join(copy, id, 'config.json');
    const config = JSON.parse(readFileSync(file, 'utf8'));
    change(config);
    writeFileSync(file, JSON.stringify(config));
    const expected = `run ${id}: ${file} is corrupt`;

    const analyse = failure(['analyse', id, '--store', copy]);
    expect(analyse).toMatch(message);
    expect(analyse).toContain(expected);
    expect(failure(['report', 's', '--store', copy, '--out', tempDir()])).toBe(analyse);
    expect(failure(['merge', copy, '--store', tempDir()])).toBe(analyse);
    const app = createApp({ storeDir: copy, webRoot: tempDir() });
    const res = await app.request(`/api/runs/${id}`);
    expect(((await res.json()) as { error: string }).error).toBe(analyse.replace(/^toymodels: /, ''));
  });
});
