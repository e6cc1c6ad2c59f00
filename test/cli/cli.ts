// Runs the built CLI (dist/, made by `npm test`'s pretest and by `npm ci`'s prepare) as a user would.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';

const BIN = path.resolve(import.meta.dirname, '../../bin/toymodels.js');

export function toymodels(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    cwd: opts.cwd,
    timeout: 120_000,
    env: opts.env && { ...process.env, ...opts.env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export const tempDir = (): string => mkdtempSync(path.join(tmpdir(), 'toymodels-test-'));

/** A configuration small enough for a test: a few hundred milliseconds a run. */
export const SMALL = [
  '--N',
  '32',
  '--m',
  '8',
  '--k',
  '64',
  '--log2_batch_size',
  '6',
  '--log2_training_steps',
  '6',
  '--threads',
  '1',
];

/** Bad input: exit 2, nothing on stdout, one line on stderr matching `message`, no store created. */
export function expectUsageError(args: string[], message: RegExp, env?: Record<string, string>): void {
  const cwd = tempDir();
  const r = toymodels(args, { cwd, env });
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(message);
  expect(existsSync(path.join(cwd, 'runs'))).toBe(false);
}
