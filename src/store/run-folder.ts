// A finished run's folder, DIR/<id>/: config.json, losses.json, summary.json and
// tensors.safetensors. It appears in one rename, complete and fsynced, or not at all.
// The files' bytes are run-files.ts's; this module puts them on disk and reads them back.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fsyncDir, writeFileDurable } from './atomic.js';
import { StoreError, reason } from './errors.js';
import { decodeRunFiles, encodeRunFiles, RUN_FILES } from './run-files.js';
import type { LoadedRun, RunRecord } from './types.js';

/**
 * Writes DIR/<id>/ atomically: builds DIR/.tmp-<id>-<random>/, fsyncs every file and the folder,
 * then renames it into place. On failure the temporary folder is removed and nothing appears.
 */
export function writeRunFolder(storeDir: string, id: string, record: RunRecord): string {
  const folder = path.join(storeDir, id);
  const files = encodeRunFiles(id, record);
  if (fs.existsSync(folder)) throw new StoreError(`run ${id}: ${folder} already exists`);
  const temp = path.join(storeDir, `.tmp-${id}-${randomBytes(4).toString('hex')}`);
  try {
    fs.mkdirSync(temp);
    for (const [name, data] of Object.entries(files)) writeFileDurable(path.join(temp, name), data);
    fsyncDir(temp);
    fs.renameSync(temp, folder);
    fsyncDir(storeDir);
  } catch (e) {
    fs.rmSync(temp, { recursive: true, force: true });
    throw new StoreError(`run ${id}: cannot write ${folder}: ${reason(e)}`);
  }
  return folder;
}

/** The raw bytes of a finished run's files, as they lie in its folder (for sending a run elsewhere). */
export function readRunFiles(folder: string, id: string): Record<string, Buffer> {
  if (!fs.existsSync(folder))
    throw new StoreError(`run ${id}: no folder ${folder} (not finished, or not in this store)`);
  return Object.fromEntries(
    Object.values(RUN_FILES).map((name) => {
      try {
        return [name, fs.readFileSync(path.join(folder, name))];
      } catch (e) {
        throw new StoreError(`run ${id}: cannot read ${path.join(folder, name)}: ${reason(e)}`);
      }
    }),
  );
}

/** Reads and checks a run folder; any missing, corrupt or inconsistent file throws a StoreError. */
export function readRunFolder(folder: string, id: string): LoadedRun {
  return decodeRunFiles(readRunFiles(folder, id), id, (name) => path.join(folder, name));
}
