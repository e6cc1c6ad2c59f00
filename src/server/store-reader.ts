// A read-only view of a run store for the dashboard. `RunStore` cannot be used: its constructor
// creates the directory, opens the index read-write and runs migrations (which write even when
// there is nothing to migrate), and a read-only SQLite connection to a WAL database creates the
// -wal and -shm files when they are absent and leaves them behind. So this reader never creates,
// changes or leaves anything in the store:
//
// - no store directory or no index.sqlite: an empty store, with a message saying so;
// - no index.sqlite-wal (no process has the index open, so every commit is in the main file):
//   the file is read into memory and opened as an in-memory database (re-read when its size or
//   mtime changes);
// - index.sqlite-wal present (a run or sweep is writing now): a read-only connection, opened for
//   one read and closed at once, uses the writer's -wal and -shm files as they are.
//
// The one window left: a writer that closes the index (deleting its -wal) between this reader's
// check and its read makes SQLite create empty -wal and -shm files again; the next writer to
// close the index removes them.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StoreError, reason } from '../store/errors.js';
import { RUN_FILES, RUN_ID } from '../store/run-files.js';
import { readRunFolder } from '../store/run-folder.js';
import { parseRunRow, type RawRow, type RawSweep } from '../store/run-index.js';
import { INDEX_FILE, SCHEMA_VERSION } from '../store/run-store.js';
export { RUN_ID } from '../store/run-files.js';
export { SWEEP_NAME } from '../config/stored.js';
import type { LoadedRun, RunRow, SweepRow } from '../store/types.js';

export interface SweepLinkRow {
  sweep: string;
  point: number;
  run_id: string;
}

/** What one read sees: the database and which tables/columns its schema version has. */
interface View {
  db: Database.Database;
  hasSweeps: boolean;
  hasProgress: boolean;
}

interface Cached {
  signature: string;
  view: View;
}

const fileSignature = (st: fs.Stats): string => `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;

function statOrNull(file: string): fs.Stats | null {
  try {
    return fs.statSync(file);
  } catch {
    return null;
  }
}

export class StoreReader {
  readonly dir: string;
  private readonly indexFile: string;
  private cached: Cached | null = null;
  /** Index rows whose JSON could not be parsed, by id: skipped in lists and reported. */
  private readonly badRows = new Map<string, string>();

  constructor(dir: string) {
    this.dir = path.resolve(dir);
    this.indexFile = path.join(this.dir, INDEX_FILE);
  }

  /** Whether the store exists, and a message when it is missing or unreadable. */
  info(): { dir: string; exists: boolean; message: string | null } {
    if (!fs.existsSync(this.dir))
      return {
        dir: this.dir,
        exists: false,
        message: `no run store at ${this.dir} (nothing trained there yet); the dashboard shows it once a run starts`,
      };
    if (!fs.existsSync(this.indexFile))
      return { dir: this.dir, exists: false, message: `${this.dir} has no ${INDEX_FILE}: the store is empty` };
    try {
      this.read(() => undefined);
    } catch (e) {
      return { dir: this.dir, exists: true, message: reason(e) };
    }
    const bad = [...this.badRows.entries()];
    const message = bad.length
      ? `${bad.length} run(s) with a corrupt index row skipped: ${bad.map(([id, why]) => `${id} (${why})`).join('; ')}`
      : null;
    return { dir: this.dir, exists: true, message };
  }

  /**
   * A cheap token (sizes and mtimes of index.sqlite and its -wal) that changes whenever the index
   * may have changed: every commit writes one of the two files.
   */
  changeToken(): string {
    const main = statOrNull(this.indexFile);
    const wal = statOrNull(`${this.indexFile}-wal`);
    return `${main ? fileSignature(main) : '-'}|${wal ? fileSignature(wal) : '-'}`;
  }

  /** Runs one read against the current index; `fn` gets null when there is no index. */
  private read<T>(fn: (view: View | null) => T): T {
    if (!fs.existsSync(this.indexFile)) return fn(null);
    let view: View | null = null;
    try {
      if (!fs.existsSync(`${this.indexFile}-wal`)) view = this.snapshotView();
      // With a -wal (or one that appeared while the file was read), read through the writer's files.
      return view ? fn(view) : this.readLive(fn);
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw new StoreError(`cannot read ${this.indexFile}: ${reason(e)}`);
    }
  }

  private readLive<T>(fn: (view: View | null) => T): T {
    const db = new Database(this.indexFile, { readonly: true, fileMustExist: true });
    try {
      db.pragma('busy_timeout = 5000');
      return fn(this.describe(db));
    } finally {
      db.close();
    }
  }

  /** The index as an in-memory copy, re-read when the file changes; null if a writer appeared. */
  private snapshotView(): View | null {
    const before = statOrNull(this.indexFile);
    if (!before) throw new StoreError(`${this.indexFile} disappeared`);
    const signature = fileSignature(before);
    if (this.cached?.signature === signature) return this.cached.view;
    const bytes = fs.readFileSync(this.indexFile);
    const after = statOrNull(this.indexFile);
    if (fs.existsSync(`${this.indexFile}-wal`) || !after || fileSignature(after) !== signature) return null;
    // Bytes 18-19 say WAL mode (2); an in-memory database cannot be one, so the copy says legacy (1).
    if (bytes.length >= 20 && bytes[18] === 2 && bytes[19] === 2) bytes[18] = bytes[19] = 1;
    const db = new Database(bytes, { readonly: true });
    this.cached?.view.db.close();
    this.cached = { signature, view: this.describe(db) };
    return this.cached.view;
  }

  private describe(db: Database.Database): View {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new StoreError(
        `schema version ${version} is newer than this toymodels supports (${SCHEMA_VERSION}); upgrade toymodels`,
      );
    }
    if (version < 1) return { db, hasSweeps: false, hasProgress: false };
    return { db, hasSweeps: version >= 2, hasProgress: version >= 3 };
  }

  private columns(view: View): string {
    return `id, status, created_at, finished_at, config, final, ${view.hasProgress ? 'progress' : 'NULL AS progress'}`;
  }

  private parse(row: RawRow): RunRow | undefined {
    try {
      const run = parseRunRow(row);
      this.badRows.delete(row.id);
      return run;
    } catch (e) {
      this.badRows.set(row.id, reason(e));
      return undefined;
    }
  }

  /** Every run, oldest first; rows with corrupt JSON are skipped (and named by `info()`). */
  listRuns(): RunRow[] {
    return this.read((view) => {
      if (!view) return [];
      const rows = view.db
        .prepare(`SELECT ${this.columns(view)} FROM runs ORDER BY created_at, rowid`)
        .all() as RawRow[];
      return rows.map((r) => this.parse(r)).filter((r): r is RunRow => r !== undefined);
    });
  }

  /** A run's row; throws a StoreError if its row is corrupt. */
  getRun(id: string): RunRow | undefined {
    return this.read((view) => {
      if (!view) return undefined;
      const raw = view.db.prepare(`SELECT ${this.columns(view)} FROM runs WHERE id = ?`).get(id) as RawRow | undefined;
      if (!raw) return undefined;
      const row = this.parse(raw);
      if (!row) throw new StoreError(`run ${id} has a corrupt row in ${this.indexFile}: ${this.badRows.get(id)}`);
      return row;
    });
  }

  listSweeps(): SweepRow[] {
    return this.read((view) => {
      if (!view?.hasSweeps) return [];
      const rows = view.db
        .prepare('SELECT name, spec, scale, created_at FROM sweeps ORDER BY created_at, rowid')
        .all() as RawSweep[];
      return rows.flatMap((row) => {
        try {
          return [{ ...row, spec: JSON.parse(row.spec) as object }];
        } catch {
          return [{ ...row, spec: {} }];
        }
      });
    });
  }

  /** A sweep's row; its spec is `{}` if the stored JSON is corrupt. */
  getSweep(name: string): SweepRow | undefined {
    return this.read((view) => {
      if (!view?.hasSweeps) return undefined;
      const row = view.db.prepare('SELECT name, spec, scale, created_at FROM sweeps WHERE name = ?').get(name) as
        RawSweep | undefined;
      if (!row) return undefined;
      try {
        return { ...row, spec: JSON.parse(row.spec) as object };
      } catch {
        return { ...row, spec: {} };
      }
    });
  }

  /** The runs made for a sweep, each with its point, oldest first (as RunStore.sweepRuns). */
  sweepRuns(name: string): { point: number; run: RunRow }[] {
    return this.read((view) => {
      if (!view?.hasSweeps) return [];
      const rows = view.db
        .prepare(
          `SELECT l.point, r.id, r.status, r.created_at, r.finished_at, r.config, r.final, ${view.hasProgress ? 'r.progress' : 'NULL AS progress'}
           FROM sweep_runs l JOIN runs r ON r.id = l.run_id WHERE l.sweep = ? ORDER BY r.created_at, r.rowid`,
        )
        .all(name) as (RawRow & { point: number })[];
      return rows.flatMap(({ point, ...raw }) => {
        const run = this.parse(raw);
        return run ? [{ point, run }] : [];
      });
    });
  }

  /** Every (sweep, point, run) link. */
  sweepLinks(): SweepLinkRow[] {
    return this.read((view) => {
      if (!view?.hasSweeps) return [];
      return view.db.prepare('SELECT sweep, point, run_id FROM sweep_runs ORDER BY rowid').all() as SweepLinkRow[];
    });
  }

  /** The sweeps a run was made for. */
  runSweeps(id: string): string[] {
    return this.read((view) => {
      if (!view?.hasSweeps) return [];
      const rows = view.db.prepare('SELECT DISTINCT sweep FROM sweep_runs WHERE run_id = ? ORDER BY sweep').all(id) as {
        sweep: string;
      }[];
      return rows.map((r) => r.sweep);
    });
  }

  /** The folder of a run (the id is checked, so the path stays inside the store). */
  runFolder(id: string): string {
    if (!RUN_ID.test(id))
      throw new StoreError(`${JSON.stringify(id)} is not a run id (expected e.g. 20261126-150102-a1b2c3)`);
    return path.join(this.dir, id);
  }

  /**
   * A string that changes when any of the run's files changes (size, mtime), or null if the run
   * has no folder: a cache key for what is computed from the files.
   */
  runFilesSignature(id: string): string | null {
    const folder = this.runFolder(id);
    if (!fs.existsSync(folder)) return null;
    return Object.values(RUN_FILES)
      .map((name) => {
        const st = statOrNull(path.join(folder, name));
        return st ? `${st.size}:${st.mtimeMs}` : '-';
      })
      .join('|');
  }

  /** Reads a finished run's folder (read-only); a StoreError names any missing or corrupt file. */
  loadRun(id: string): LoadedRun {
    return readRunFolder(this.runFolder(id), id);
  }

  close(): void {
    this.cached?.view.db.close();
    this.cached = null;
  }
}
