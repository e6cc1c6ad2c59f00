// The run store: DIR/index.sqlite lists every run, DIR/<id>/ holds a finished run's files.
// The row is the commit point: finishRun writes the folder first and flips the row only after,
// so a run whose process died stays `running` and is never mistaken for a finished one.
import fs from 'node:fs';
import path from 'node:path';
import { StoreError, reason } from './errors.js';
import { newRunId, RUN_ID } from './run-files.js';
import { readRunFolder, writeRunFolder } from './run-folder.js';
import { RunIndex, type RunFilter } from './run-index.js';
import { isSettled } from './status.js';
import type { LoadedRun, RunProgress, RunRecord, RunRow, StoredRunConfig, SweepLink, SweepRow } from './types.js';

export { StoreError } from './errors.js';
export { SCHEMA_VERSION, type IndexedConfigField, type RunFilter } from './run-index.js';
export type * from './types.js';

export const DEFAULT_STORE_DIR = './runs';
export const INDEX_FILE = 'index.sqlite';

export { isSettled };

export class RunStore {
  /** The store's absolute directory. */
  readonly dir: string;
  private readonly index: RunIndex;

  /** Opens (creating if needed) the store in `dir`; throws a StoreError naming it if unusable. */
  constructor(dir: string = DEFAULT_STORE_DIR) {
    this.dir = path.resolve(dir);
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      fs.accessSync(this.dir, fs.constants.W_OK);
      this.index = new RunIndex(path.join(this.dir, INDEX_FILE));
    } catch (e) {
      throw new StoreError(`cannot use run store ${this.dir}: ${reason(e)}`);
    }
  }

  /**
   * Records a new `running` run and returns its id, e.g. 20261126-150102-a1b2c3. With `link`, the
   * run is tied to a sweep's point in the same transaction, so no run of a sweep is ever orphaned.
   */
  startRun(config: StoredRunConfig, link?: SweepLink): string {
    const createdAt = new Date();
    // Six hex digits make a same-second collision unlikely; a retry makes it harmless.
    for (let attempt = 0; attempt < 5; attempt++) {
      const id = newRunId(createdAt);
      if (this.index.insert(id, createdAt.toISOString(), config, link)) return id;
    }
    throw new StoreError(`cannot allocate a run id in ${this.dir}: every candidate was taken`);
  }

  /**
   * Persists a run: its folder first (atomically), then the row's status, finished_at and final
   * metrics in one transaction. Throws a StoreError, leaving the row `running`, if the record does
   * not match its config's shapes or the folder cannot be written.
   */
  finishRun(id: string, record: RunRecord): void {
    const row = this.getRun(id);
    if (!row) throw new StoreError(`run ${id} is not in ${path.join(this.dir, INDEX_FILE)}`);
    if (row.status !== 'running') throw new StoreError(`run ${id} is already ${row.status}`);
    writeRunFolder(this.dir, id, record);
    if (!this.index.finish(id, new Date().toISOString(), record.config, record.summary)) {
      throw new StoreError(`run ${id} was finished by another process while this one wrote it`);
    }
  }

  /**
   * Stores a run trained elsewhere (by a queue worker, or in another store) under its own id: its
   * folder atomically, then its row, finished, with its times and sweep link. At most once: false,
   * and nothing written, if the id is already in the index or, with `link`, the point already has a
   * finished or diverged run. The checks, the folder and the row happen under the index's write
   * lock, so two collectors of the same result cannot both store it.
   */
  importRun(
    id: string,
    record: RunRecord,
    times: { created_at: string; finished_at: string },
    link?: SweepLink,
  ): boolean {
    if (!RUN_ID.test(id))
      throw new StoreError(`${JSON.stringify(id)} is not a run id (expected e.g. 20261126-150102-a1b2c3)`);
    return this.index.exclusive(() => {
      if (this.index.get(id)) return false;
      if (link && this.index.sweepRuns(link.sweep).some((r) => r.point === link.point && isSettled(r.run)))
        return false;
      // A folder without a row is left only by an import that died between its rename and its commit.
      fs.rmSync(path.join(this.dir, id), { recursive: true, force: true });
      writeRunFolder(this.dir, id, record);
      if (!this.index.insert(id, times.created_at, record.config, link))
        throw new StoreError(`run ${id}: cannot insert its row`);
      this.index.finish(id, times.finished_at, record.config, record.summary);
      return true;
    });
  }

  /** Runs matching `filter`, oldest first. */
  listRuns(filter?: RunFilter): RunRow[] {
    return this.index.list(filter);
  }

  getRun(id: string): RunRow | undefined {
    return this.index.get(id);
  }

  /** Reads a finished run's folder: config, loss trace, summary and tensors. */
  loadRun(id: string): LoadedRun {
    // Ids may come from the command line; the pattern also keeps paths inside the store.
    if (!RUN_ID.test(id))
      throw new StoreError(`${JSON.stringify(id)} is not a run id (expected e.g. 20261126-150102-a1b2c3)`);
    return readRunFolder(path.join(this.dir, id), id);
  }

  /** Records a running run's progress for live views (the dashboard); cheap, one row update. */
  reportProgress(id: string, progress: Omit<RunProgress, 'at'>): void {
    this.index.progress(id, { ...progress, at: new Date().toISOString() });
  }

  /** Marks a run whose process is gone as `interrupted`; false if it was not `running`. */
  interruptRun(id: string): boolean {
    return this.index.interrupt(id);
  }

  /**
   * Saves a sweep's specification under its name, or checks it against the one already saved:
   * a name stands for one specification, so that running a command again resumes it.
   */
  saveSweep(sweep: Omit<SweepRow, 'created_at'>): SweepRow {
    const stored = this.index.saveSweep(sweep);
    if (JSON.stringify(stored.spec) !== JSON.stringify(sweep.spec) || stored.scale !== sweep.scale) {
      throw new StoreError(
        `sweep ${JSON.stringify(sweep.name)} already exists in ${this.dir} with a different specification; choose another --name`,
      );
    }
    return stored;
  }

  getSweep(name: string): SweepRow | undefined {
    return this.index.getSweep(name);
  }

  listSweeps(): SweepRow[] {
    return this.index.listSweeps();
  }

  /** The runs made for a sweep, each with its point index, oldest first. */
  sweepRuns(name: string): { point: number; run: RunRow }[] {
    return this.index.sweepRuns(name);
  }

  close(): void {
    this.index.close();
  }
}
