// DIR/index.sqlite: one row per run, the config fields worth querying and the final metrics as
// columns. WAL plus a busy timeout lets several training processes share one store.
import Database from 'better-sqlite3';
import type { z } from 'zod';
import type { RunConfig } from '../config/schema.js';
import { firstIssue, runProgressSchema, runSummarySchema, storedRunConfigSchema } from '../config/stored.js';
import { StoreError } from './errors.js';
import type { RunProgress, RunRow, RunStatus, RunSummary, StoredRunConfig, SweepLink, SweepRow } from './types.js';

// Migration i takes the schema from user_version i to i + 1. Never edit one that has shipped:
// append a new one (e.g. ALTER TABLE) instead.
const MIGRATIONS = [
  `CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    finished_at TEXT,
    config TEXT NOT NULL,
    final TEXT,
    task TEXT, N INTEGER, m INTEGER, k INTEGER, eps REAL, learning_rate REAL, decay REAL,
    initial_bias REAL, nonlinearity TEXT, reg REAL, sample_kind TEXT, seed INTEGER,
    log2_batch_size INTEGER, log2_training_steps INTEGER,
    data_loss REAL, monosemantic_per_feature REAL, mean_bias REAL
  );
  CREATE INDEX runs_created_at ON runs (created_at);
  CREATE INDEX runs_status ON runs (status);`,
  // Sweeps: a named specification and the runs made for each of its points.
  `CREATE TABLE sweeps (
    name TEXT PRIMARY KEY,
    spec TEXT NOT NULL,
    scale TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE sweep_runs (
    sweep TEXT NOT NULL REFERENCES sweeps (name),
    point INTEGER NOT NULL,
    run_id TEXT NOT NULL REFERENCES runs (id),
    PRIMARY KEY (sweep, run_id)
  );
  CREATE INDEX sweep_runs_point ON sweep_runs (sweep, point);`,
  // Live progress of running runs, for the dashboard: steps done, of how many, latest loss.
  `ALTER TABLE runs ADD COLUMN progress TEXT;`,
];
export const SCHEMA_VERSION = MIGRATIONS.length;

const CONFIG_COLUMNS = [
  'task',
  'N',
  'm',
  'k',
  'eps',
  'learning_rate',
  'decay',
  'initial_bias',
  'nonlinearity',
  'reg',
  'sample_kind',
  'seed',
  'log2_batch_size',
  'log2_training_steps',
] as const satisfies readonly (keyof RunConfig)[];
const FINAL_COLUMNS = [
  'data_loss',
  'monosemantic_per_feature',
  'mean_bias',
] as const satisfies readonly (keyof RunSummary)[];

export type IndexedConfigField = (typeof CONFIG_COLUMNS)[number];
/** Equality filters, ANDed; undefined fields are ignored. */
export type RunFilter = { status?: RunStatus } & Partial<Pick<RunConfig, IndexedConfigField>>;
const FILTER_COLUMNS: readonly string[] = ['status', ...CONFIG_COLUMNS];

// Busy writers are retried for this long before SQLITE_BUSY surfaces; a finishRun holds the
// write lock for milliseconds, so this only matters under heavy contention.
const BUSY_TIMEOUT_MS = 15_000;

/** A runs row as SQLite returns it: JSON columns still text. */
export interface RawRow {
  id: string;
  status: RunStatus;
  created_at: string;
  finished_at: string | null;
  config: string;
  final: string | null;
  progress: string | null;
}

export interface RawSweep {
  name: string;
  spec: string;
  scale: string;
  created_at: string;
}

const configValues = (config: StoredRunConfig) => Object.fromEntries(CONFIG_COLUMNS.map((c) => [c, config[c]]));

export class RunIndex {
  private readonly db: Database.Database;

  constructor(readonly file: string) {
    this.db = new Database(file);
    try {
      this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      this.db.pragma('journal_mode = WAL');
      this.migrate();
    } catch (e) {
      this.db.close();
      throw e;
    }
  }

  // IMMEDIATE takes the write lock first, so processes opening a new store at once migrate it once.
  private migrate(): void {
    this.db
      .transaction(() => {
        const version = this.db.pragma('user_version', { simple: true }) as number;
        if (version > SCHEMA_VERSION) {
          throw new StoreError(
            `${this.file}: schema version ${version} is newer than this toymodels supports (${SCHEMA_VERSION})`,
          );
        }
        for (const sql of MIGRATIONS.slice(version)) this.db.exec(sql);
        this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
      })
      .immediate();
  }

  /** Inserts a `running` row, linked to a sweep's point in the same transaction; false if the id is taken. */
  insert(id: string, createdAt: string, config: StoredRunConfig, link?: SweepLink): boolean {
    const columns = ['id', 'status', 'created_at', 'config', ...CONFIG_COLUMNS];
    const insertRun = this.db.prepare(
      `INSERT OR IGNORE INTO runs (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`,
    );
    const insertLink = this.db.prepare('INSERT INTO sweep_runs (sweep, point, run_id) VALUES (?, ?, ?)');
    return this.db.transaction(() => {
      const result = insertRun.run({
        id,
        status: 'running',
        created_at: createdAt,
        config: JSON.stringify(config),
        ...configValues(config),
      });
      if (result.changes !== 1) return false;
      if (link) insertLink.run(link.sweep, link.point, id);
      return true;
    })();
  }

  /** Records a running run's progress; ignored once the run has left `running`. */
  progress(id: string, progress: RunProgress): void {
    this.db
      .prepare(`UPDATE runs SET progress = ? WHERE id = ? AND status = 'running'`)
      .run(JSON.stringify(progress), id);
  }

  /** Marks a `running` row `interrupted` (its process is gone); false if it was not running. */
  interrupt(id: string): boolean {
    return (
      this.db.prepare(`UPDATE runs SET status = 'interrupted' WHERE id = ? AND status = 'running'`).run(id).changes ===
      1
    );
  }

  /** Inserts the sweep if new; returns the stored row (which may differ from `sweep` if it existed). */
  saveSweep(sweep: Omit<SweepRow, 'created_at'>): SweepRow {
    this.db
      .prepare('INSERT OR IGNORE INTO sweeps (name, spec, scale, created_at) VALUES (?, ?, ?, ?)')
      .run(sweep.name, JSON.stringify(sweep.spec), sweep.scale, new Date().toISOString());
    return this.getSweep(sweep.name)!;
  }

  getSweep(name: string): SweepRow | undefined {
    const row = this.db.prepare('SELECT name, spec, scale, created_at FROM sweeps WHERE name = ?').get(name) as
      RawSweep | undefined;
    return row ? { ...row, spec: JSON.parse(row.spec) as unknown } : undefined;
  }

  listSweeps(): SweepRow[] {
    const rows = this.db
      .prepare('SELECT name, spec, scale, created_at FROM sweeps ORDER BY created_at, rowid')
      .all() as RawSweep[];
    return rows.map((row) => ({ ...row, spec: JSON.parse(row.spec) as unknown }));
  }

  /** Every run made for a sweep, with its point, oldest first. */
  sweepRuns(name: string): { point: number; run: RunRow }[] {
    const rows = this.db
      .prepare(
        `SELECT l.point, r.id, r.status, r.created_at, r.finished_at, r.config, r.final, r.progress FROM sweep_runs l
         JOIN runs r ON r.id = l.run_id WHERE l.sweep = ? ORDER BY r.created_at, r.rowid`,
      )
      .all(name) as (RawRow & { point: number })[];
    return rows.map(({ point, ...row }) => ({ point, run: this.parse(row) }));
  }

  /** Moves a `running` row to the summary's status; false if no such running row exists. */
  finish(id: string, finishedAt: string, config: StoredRunConfig, summary: RunSummary): boolean {
    const sets = ['status', 'finished_at', 'config', 'final', ...CONFIG_COLUMNS, ...FINAL_COLUMNS];
    const update = this.db.prepare(
      `UPDATE runs SET ${sets.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id AND status = 'running'`,
    );
    return this.db.transaction(
      () =>
        update.run({
          id,
          status: summary.status,
          finished_at: finishedAt,
          config: JSON.stringify(config),
          final: JSON.stringify(summary),
          ...configValues(config),
          ...Object.fromEntries(FINAL_COLUMNS.map((c) => [c, summary[c]])),
        }).changes === 1,
    )();
  }

  /** Oldest first; runs created in the same millisecond in insertion (rowid) order. */
  list(filter: RunFilter = {}): RunRow[] {
    const conditions = Object.entries(filter).filter(([, v]) => v !== undefined);
    for (const [field] of conditions) {
      if (!FILTER_COLUMNS.includes(field))
        throw new StoreError(`cannot filter runs by ${field}; known: ${FILTER_COLUMNS.join(', ')}`);
    }
    const where = conditions.length ? `WHERE ${conditions.map(([c]) => `${c} = ?`).join(' AND ')}` : '';
    const rows = this.db
      .prepare(
        `SELECT id, status, created_at, finished_at, config, final, progress FROM runs ${where} ORDER BY created_at, rowid`,
      )
      .all(...conditions.map(([, v]) => v)) as RawRow[];
    return rows.map((row) => this.parse(row));
  }

  get(id: string): RunRow | undefined {
    const row = this.db
      .prepare('SELECT id, status, created_at, finished_at, config, final, progress FROM runs WHERE id = ?')
      .get(id);
    return row ? this.parse(row as RawRow) : undefined;
  }

  /** Runs `fn` in one IMMEDIATE transaction: it holds the write lock from its first statement. */
  exclusive<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  close(): void {
    this.db.close();
  }

  private parse(row: RawRow): RunRow {
    try {
      return parseRunRow(row);
    } catch (e) {
      throw new StoreError(`${this.file}: run ${row.id} has a corrupt JSON column (${(e as Error).message})`);
    }
  }
}

/** Parses a row's JSON columns through their schemas; throws on corrupt JSON or a wrong shape. */
export function parseRunRow(row: RawRow): RunRow {
  const column = <S extends z.ZodType>(name: string, text: string, schema: S): z.output<S> => {
    const parsed = schema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(`${name}: ${firstIssue(parsed.error)}`);
    return parsed.data;
  };
  return {
    ...row,
    config: column('config', row.config, storedRunConfigSchema),
    final: row.final === null ? null : column('final', row.final, runSummarySchema),
    progress: row.progress === null ? null : column('progress', row.progress, runProgressSchema),
  };
}
