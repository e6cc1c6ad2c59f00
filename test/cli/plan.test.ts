// Sharding without a queue: `--plan` for a cluster's own scheduler, `train --from-plan` per index,
// `merge` for stores trained apart.
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectUsageError, tempDir, toymodels } from './cli.js';

const SWEEP = [
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
  'seed=1,2',
  'learning_rate=0.01',
  '--name',
  'pl',
];

describe('sweep --plan and train --from-plan', () => {
  it('plans a sweep; each index trains into its sweep, stores trained apart merge, and the sweep is complete', () => {
    const cwd = tempDir();
    const text = toymodels([...SWEEP, '--plan'], { cwd });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(
      'sweep pl at scale smoke (batch 2^5, 2^6 steps)\n  0  seed=1 learning_rate=0.01\n  1  seed=2 learning_rate=0.01\n',
    );
    expect(text.stdout).toContain('toymodels train --from-plan plan.json --index I --store DIR');
    expect(existsSync(path.join(cwd, 'runs'))).toBe(false);
    const plan = path.join(cwd, 'plan.json');
    writeFileSync(plan, toymodels([...SWEEP, '--plan', '--json']).stdout);

    // One store per task, as on a cluster without a shared filesystem; index 0 runs twice.
    const stores = [tempDir(), tempDir()];
    for (const i of [0, 1]) {
      const r = toymodels([
        'train',
        '--from-plan',
        plan,
        '--index',
        String(i),
        '--threads',
        '1',
        '--store',
        stores[i]!,
        '--json',
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).config).toMatchObject({ seed: i + 1, learning_rate: 0.01, log2_batch_size: 5 });
    }
    const again = toymodels(['train', '--from-plan', plan, '--index', '0', '--store', stores[0]!]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^run \d{8}-\d{6}-[0-9a-f]{6} \(sweep pl, point 0\) is already stored: finished\n$/);
    const outOfRange = toymodels(['train', '--from-plan', plan, '--index', '2', '--store', stores[0]!]);
    expect(outOfRange.code).toBe(2);
    expect(outOfRange.stderr).toBe(
      'toymodels: --index: "2" is not allowed: must be an integer from 0 to 1 (the plan has 2 runs)\n',
    );

    const merged = tempDir();
    const merge = toymodels(['merge', ...stores, '--store', merged]);
    expect(merge.code, merge.stderr).toBe(0);
    expect(merge.stdout).toBe(`merged 2 runs from 2 stores into ${merged}\n`);
    expect(toymodels(['merge', ...stores, '--store', merged]).stdout).toContain('merged 0 runs from 2 stores into');
    // The sweep in the merged store is complete: the same command finds nothing to train.
    const sweep = toymodels([...SWEEP, '--store', merged, '--json']);
    expect(sweep.code, sweep.stderr).toBe(0);
    expect(sweep.stderr).toContain('0 runs to train, 2 kept from earlier');
    expect(JSON.parse(sweep.stdout).runs.map((r: { status: string }) => r.status)).toEqual(['finished', 'finished']);
  });

  it.each([
    [
      ['train', '--from-plan', 'missing.json', '--index', '0'],
      /^toymodels: --from-plan: "missing.json" is not allowed: cannot read it as JSON \(ENOENT/,
    ],
    [['train', '--index', '0'], /--index is for --from-plan FILE/],
    [['merge', 'nowhere'], /"nowhere" is not a run store: it has no index\.sqlite/],
  ])('bad input %j: one line, exit 2', (args, message) => {
    expectUsageError(args as string[], message);
  });
});
