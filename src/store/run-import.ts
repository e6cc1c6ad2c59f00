// What `toymodels import` reads: runs given as files named `<id>.<file>` (as a page downloads them)
// or as run folders (`<id>/` holding the four files). Every run is read and checked before any is
// returned, so that an import with one bad file imports nothing.
import fs from 'node:fs';
import path from 'node:path';
import { StoreError, reason, unopenable } from './errors.js';
import {
  decodeRunFiles,
  downloadName,
  parseDownloadName,
  RUN_FILES,
  RUN_ID,
  runIdTime,
  type RunFileName,
} from './run-files.js';
import type { LoadedRun } from './types.js';

export interface RunToImport {
  id: string;
  run: LoadedRun;
  times: { created_at: string; finished_at: string };
}

const FILE_LIST = Object.values(RUN_FILES).join(', ');

/** One run's files as given: where each was found, and where a missing one was expected. */
interface GivenRun {
  paths: Map<RunFileName, string>;
  expected: (file: RunFileName) => string;
}

/** Reads, groups by run id and checks the runs in `args` (files and run folders); throws a StoreError on any problem. */
export function readRunsToImport(args: string[]): RunToImport[] {
  const runs = new Map<string, GivenRun>();
  const add = (id: string, file: RunFileName, where: string, expected: GivenRun['expected']) => {
    const run = runs.get(id) ?? { paths: new Map(), expected };
    runs.set(id, run);
    const other = run.paths.get(file);
    if (other !== undefined)
      throw new StoreError(
        `run ${id}: its ${file} is given twice, as ${JSON.stringify(other)} and ${JSON.stringify(where)}`,
      );
    run.paths.set(file, where);
  };
  for (const arg of args) {
    let isFolder: boolean;
    try {
      isFolder = fs.statSync(arg).isDirectory();
    } catch (e) {
      throw new StoreError(`${JSON.stringify(arg)} ${unopenable(e)}`);
    }
    if (isFolder) {
      const id = path.basename(path.resolve(arg));
      if (!RUN_ID.test(id)) {
        throw new StoreError(
          `${JSON.stringify(arg)} is not a run folder: its name must be a run id (e.g. 20261126-150102-a1b2c3)`,
        );
      }
      const inFolder = (file: RunFileName) => path.join(arg, file);
      for (const file of Object.values(RUN_FILES)) add(id, file, inFolder(file), inFolder);
    } else {
      const parsed = parseDownloadName(path.basename(arg));
      if (!parsed) {
        throw new StoreError(
          `${JSON.stringify(arg)} is not a run file: expected <run id>.<file>, with a run id like ` +
            `20261126-150102-a1b2c3 and a file one of ${FILE_LIST} (or a run folder)`,
        );
      }
      add(parsed.id, parsed.file, arg, (file) => path.join(path.dirname(arg), downloadName(parsed.id, file)));
    }
  }
  return [...runs].map(([id, given]) => readRun(id, given));
}

function readRun(id: string, { paths, expected }: GivenRun): RunToImport {
  const files: Record<string, Uint8Array> = {};
  let lastWritten = 0;
  for (const file of Object.values(RUN_FILES)) {
    const where = paths.get(file);
    if (where === undefined || !fs.existsSync(where))
      throw new StoreError(`run ${id}: ${expected(file)} is missing (a run needs all four of ${FILE_LIST})`);
    try {
      files[file] = fs.readFileSync(where);
      lastWritten = Math.max(lastWritten, fs.statSync(where).mtimeMs);
    } catch (e) {
      throw new StoreError(`run ${id}: cannot read ${where}: ${reason(e)}`);
    }
  }
  const run = decodeRunFiles(files, id, (name) => paths.get(name as RunFileName) ?? name);
  // The id carries the time the run was created; its files were last written when it finished
  // (or was downloaded), which is no earlier and no later than now.
  const now = Date.now();
  const created = Math.min(runIdTime(id)?.getTime() ?? now, now);
  const finished = Math.min(Math.max(lastWritten, created), now);
  return {
    id,
    run,
    times: { created_at: new Date(created).toISOString(), finished_at: new Date(finished).toISOString() },
  };
}
