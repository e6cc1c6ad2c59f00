// Runs the built CLI (dist/, made by `npm test`'s pretest and by `npm ci`'s prepare) as a user would.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const BIN = path.resolve(import.meta.dirname, '../../bin/toymodels.js');

export function toymodels(args: string[], opts: { cwd?: string } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: opts.cwd, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export const tempDir = (): string => mkdtempSync(path.join(tmpdir(), 'toymodels-test-'));

/** A configuration small enough for a test: a few hundred milliseconds a run. */
export const SMALL = ['--N', '32', '--m', '8', '--k', '64', '--log2_batch_size', '6', '--log2_training_steps', '6', '--threads', '1'];
