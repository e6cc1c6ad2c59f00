import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { downloadName, RUN_FILES, runIdTime, type RunFileName } from '../../src/store/run-files.js';
import { RunStore } from '../../src/store/run-store.js';
import { expectUsageError, SMALL, tempDir, toymodels } from './cli.js';

const OTHER_ID = '20000101-000000-00beef';
const FILES = Object.values(RUN_FILES);

describe('toymodels import', () => {
  let source: string;
  let id: string;
  /** The run's four files under their download names. */
  let downloads: string;
  const download = (file: RunFileName, dir = downloads, run = id) => path.join(dir, downloadName(run, file));
  const runsIn = (store: string) => {
    const r = toymodels(['runs', '--store', store, '--json']);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };

  beforeAll(() => {
    source = tempDir();
    const r = toymodels(['train', ...SMALL, '--store', source, '--json']);
    expect(r.code, r.stderr).toBe(0);
    id = JSON.parse(r.stdout).id;
    downloads = tempDir();
    for (const file of FILES) copyFileSync(path.join(source, id, file), download(file));
  });

  it('imports a run from its downloaded files, which report, analyse and runs then treat as any run', () => {
    const target = tempDir();
    // Any order.
    const r = toymodels(['import', ...[...FILES].reverse().map((f) => download(f)), '--store', target]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`imported ${id}\n`);
    expect(r.stderr).toBe('');

    const [row] = runsIn(target);
    const [original] = runsIn(source);
    expect(row).toMatchObject({ id, status: 'finished', config: original.config, final: original.final });
    expect(row.created_at).toBe(runIdTime(id)!.toISOString());
    expect(Date.parse(row.finished_at)).toBeGreaterThanOrEqual(Date.parse(row.created_at));
    for (const file of FILES)
      expect(readFileSync(path.join(target, id, file)).equals(readFileSync(path.join(source, id, file))), file).toBe(
        true,
      );
    const analyse = (store: string) => toymodels(['analyse', id, '--store', store, '--json']);
    expect(JSON.parse(analyse(target).stdout)).toEqual(JSON.parse(analyse(source).stdout));

    const again = toymodels(['import', ...FILES.map((f) => download(f)), '--store', target]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe(`${id} is already in the store: skipped\n`);
    expect(runsIn(target)).toHaveLength(1);
  });

  it('imports run folders, several runs at once, beside downloaded files', () => {
    const other = path.join(tempDir(), OTHER_ID);
    mkdirSync(other);
    for (const file of FILES) copyFileSync(path.join(source, id, file), path.join(other, file));
    const target = tempDir();
    const r = toymodels(['import', other, ...FILES.map((f) => download(f)), '--store', target]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`imported ${OTHER_ID}\nimported ${id}\n`);
    expect(runsIn(target).map((row: { id: string }) => row.id)).toEqual([OTHER_ID, id]);
  });

  /** The run's files downloaded again into a new folder, as run `run`, with `change.file` replaced by its `contents` or, without them, left out. */
  const downloadAgain = (change?: { file: RunFileName; contents?: string }, run = id): string[] => {
    const dir = tempDir();
    for (const f of FILES) {
      if (f !== change?.file) copyFileSync(download(f), download(f, dir, run));
      else if (change.contents !== undefined) writeFileSync(download(f, dir, run), change.contents);
    }
    return FILES.map((f) => download(f, dir, run)).filter((p) => existsSync(p));
  };

  it.each([
    [
      'a missing file',
      () => downloadAgain({ file: RUN_FILES.tensors }),
      /^toymodels: run \S+: \S+\.tensors\.safetensors is missing \(a run needs all four of config\.json, losses\.json, summary\.json, tensors\.safetensors\)$/,
    ],
    [
      'a name that is not <run id>.<file>',
      () => {
        const rest = downloadAgain({ file: RUN_FILES.config });
        const renamed = path.join(tempDir(), 'pg-1a2b.config.json');
        copyFileSync(download(RUN_FILES.config), renamed);
        return [renamed, ...rest];
      },
      /^toymodels: "\S+pg-1a2b\.config\.json" is not a run file: expected <run id>\.<file>, with a run id like 20261126-150102-a1b2c3 and a file one of config\.json, losses\.json, summary\.json, tensors\.safetensors \(or a run folder\)$/,
    ],
    [
      'a corrupt summary',
      () => downloadAgain({ file: RUN_FILES.summary, contents: '{"status": "finished", "data_loss": "low"}' }),
      /^toymodels: run \S+: \S+\.summary\.json is corrupt: data_loss: /,
    ],
    [
      'a summary that is not JSON',
      () => downloadAgain({ file: RUN_FILES.summary, contents: '{"status' }),
      /^toymodels: run \S+: \S+\.summary\.json is corrupt: invalid JSON/,
    ],
    [
      'a path that does not exist',
      () => ['nowhere.config.json'],
      /^toymodels: "nowhere\.config\.json" does not exist$/,
    ],
    [
      'a folder not named by a run id',
      () => [tempDir()],
      /^toymodels: "\S+" is not a run folder: its name must be a run id \(e\.g\. 20261126-150102-a1b2c3\)$/,
    ],
    [
      'a file given twice',
      () => [download(RUN_FILES.config), ...downloadAgain()],
      /^toymodels: run \S+: its config\.json is given twice, as "\S+" and "\S+"$/,
    ],
  ])('refuses %s: one line, exit 2, no store written', (_, paths, message) => {
    expectUsageError(['import', ...paths()], message);
  });

  it('imports nothing when any run is invalid, into a store that exists', () => {
    const target = tempDir();
    new RunStore(target).close();
    const good = FILES.map((f) => download(f));
    const bad = downloadAgain({ file: RUN_FILES.summary, contents: '[]' }, OTHER_ID);
    const r = toymodels(['import', ...good, ...bad, '--store', target]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^toymodels: run ${OTHER_ID}: \\S+ is corrupt: .*\\n$`));
    expect(runsIn(target)).toEqual([]);
    expect(existsSync(path.join(target, id))).toBe(false);
  });
});
