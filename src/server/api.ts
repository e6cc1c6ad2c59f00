// The dashboard's JSON API over a run store. Response types: api-types.ts (importable by the web
// app). Every endpoint is GET (HEAD works too) and read-only.
//
//   GET /api/runs
//     { runs: RunListRow[], store: StoreInfo }
//     Every run, oldest first: its index row (id, status, created_at, finished_at, config, final,
//     progress) plus `sweeps`, the sweeps it was made for. `store` = {dir, exists, message}: a
//     store directory (or index) that does not exist is an empty store with a message saying so
//     (the server never creates it); `message` also names corrupt index rows, which are skipped.
//
//   GET /api/runs/:id                                  id like 20261126-150102-a1b2c3
//     { run: RunRow, sweeps: string[], losses: LossTrace | null, snapshots: number[],
//       series: SeriesPoint[] | null, zero_output_loss: number | null, error?: string }
//     A finished or diverged run's loss trace, snapshot steps and the measures of every snapshot
//     (monosemantic_neurons, monosemantic_per_feature, monosemantic_per_neuron, dead_neurons,
//     mean_bias, at step / log2_step). A running or interrupted run has no files yet: losses and
//     series null, snapshots [] (its `run.progress` says how far it got). A finished run whose
//     files are missing or corrupt still answers 200, with `error` (one line) and nulls.
//     400 malformed id; 404 unknown run.
//
//   GET /api/runs/:id/snapshots/:step                  step: as stored, e.g. 0, 1, 3, ..., 1023
//     { step, log2_step, metrics, sfa: {rows, cols, data}, biases, neurons, features,
//       ranked_neurons, k, N, amplitude }
//     The single-feature activation heat map of one snapshot: `sfa.data` is base64 of a
//     little-endian Float32Array, row-major, neurons x features in heat-map order, cropped to at
//     most 1024 x 512. `biases` is b1 (all k) in heat-map order; `neurons` / `features` the
//     original index of each row / column (all k / N; the matrix shows the first rows / cols).
//     `amplitude`: the output for a feature against its input amplitude (full model, negative-
//     and positive-bias neurons), mean and 10th/90th percentiles over evenly spaced features.
//     400 malformed id or step; 404 unknown run, a run without files (running), or a step it
//     does not have (the message lists the valid steps); 500 with the reason if the run's files
//     are corrupt. Analysed snapshots are cached (LRU), so the slider can ask again freely.
//
//   GET /api/sweeps
//     { sweeps: SweepListRow[], store: StoreInfo }
//     Each stored sweep: name, batch (Table 1 name or null), scale (label, e.g. "laptop (batch
//     2^10, 2^13 steps)"), variables [{field, values}], created_at, and counts over its points
//     (total, finished, diverged, running), each point counted by its settled run.
//
//   GET /api/sweeps/:name                              name: /^[\w.@=+-]{1,100}$/
//     { name, batch, scale, fixed, variables, created_at, points, runs, errors }
//     points: [{point, values, run: RunRow | null}] in grid order (the point's finished or
//     diverged run, else its latest, else null). runs: the sweep data the figures are drawn from
//     (src/figures/sweep-data.ts, the same the report builds), one per finished or diverged run
//     with readable files: {id, point, values, status, diverged_at_step, config, series, losses,
//     biases (final snapshot's b1 in heat-map order), zero_output_loss}. errors: [{id, point,
//     error}] for settled runs whose files cannot be read.
//     Each run is analysed once per version of its files (then cached), and its final
//     snapshot's heat map is cached at the same time, so the sweep page's heat maps
//     (GET /api/runs/:id/snapshots/:final_step) come from memory. 400 bad name; 404 unknown.
//
//   GET /api/catalogue
//     { batches: [{name, fixed, swept: {field: values}, sweeps: [{name, scale, total, finished}],
//       command}] }
//     Table 1, with the stored sweeps of each batch (any scale) and the command that runs it
//     (e.g. "npx toymodels batch LR1 --scale laptop").
//
//   GET /api/events                                    text/event-stream
//     A comment (": connected") at once, a heartbeat comment (": heartbeat") every 15 s, and,
//     whenever the index changed since the last poll (every second), `event: change` with
//     `data: {"runs": [{id, status, progress, final}, ...], "sweeps": [names]}`: the runs that
//     are new or whose status, progress or final metrics changed, and the sweeps that are new,
//     gained a run or contain a changed run. The page re-fetches what it shows.
//
//   Anything else under /api/: 404 (405 for methods other than GET and HEAD). Every error is
//   JSON {error: "one line"} with a 4xx or 5xx status.
import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { StoreError } from '../store/errors.js';
import { isSettled, type RunStore } from '../store/run-store.js';
import type { RunRow } from '../store/types.js';
import { sweepRunData } from '../figures/sweep-data.js';
import { CATALOGUE } from '../sweep/catalogue.js';
import { sweepOutcomes, type SweepOutcome } from '../sweep/outcomes.js';
import { storedSweepSpec, type SweepSpec } from '../sweep/spec.js';
import { MissingSnapshotError, type RunAnalysis } from './analysis.js';
import type {
  CatalogueResponse,
  ChangeEvent,
  RunDetailResponse,
  RunsResponse,
  SweepDetailResponse,
  SweepListRow,
  SweepsResponse,
} from './api-types.js';
import type { ChangeFeed } from './events.js';
import { RUN_ID, SWEEP_NAME, type StoreReader } from './store-reader.js';

/** An error with its HTTP status; its message is the one line the client sees. */
export class ApiError extends Error {
  constructor(
    readonly status: 400 | 404 | 405 | 500 | 503,
    message: string,
  ) {
    super(message.replace(/\s*\n\s*/g, ' '));
  }
}

export interface ApiDeps {
  reader: StoreReader;
  analysis: RunAnalysis;
  feed: ChangeFeed;
  heartbeatMs: number;
}

const STEP = /^\d{1,15}$/;

function runId(raw: string): string {
  if (!RUN_ID.test(raw))
    throw new ApiError(
      400,
      `${JSON.stringify(raw.slice(0, 80))} is not a run id (expected e.g. 20261126-150102-a1b2c3)`,
    );
  return raw;
}

function sweepName(raw: string): string {
  if (!SWEEP_NAME.test(raw))
    throw new ApiError(
      400,
      `${JSON.stringify(raw.slice(0, 120))} is not a sweep name (1 to 100 letters, digits and _ . @ = + -)`,
    );
  return raw;
}

function stepParam(raw: string): number {
  const step = STEP.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(step))
    throw new ApiError(
      400,
      `${JSON.stringify(raw.slice(0, 40))} is not a snapshot step (a non-negative integer, e.g. 1023)`,
    );
  return step;
}

/**
 * The points of every sweep with their runs, from one read of the index: `sweepOutcomes` asks its
 * store only for `sweepRuns`, which is answered here from rows already read.
 */
function outcomesOf(reader: StoreReader, runs: RunRow[]): (spec: SweepSpec) => SweepOutcome[] {
  const byId = new Map(runs.map((r) => [r.id, r]));
  const order = new Map(runs.map((r, i) => [r.id, i]));
  const bySweep = new Map<string, { point: number; run: RunRow }[]>();
  for (const l of reader.sweepLinks()) {
    const run = byId.get(l.run_id);
    if (!run) continue;
    const list = bySweep.get(l.sweep) ?? [];
    list.push({ point: l.point, run });
    bySweep.set(l.sweep, list);
  }
  for (const list of bySweep.values()) list.sort((a, b) => order.get(a.run.id)! - order.get(b.run.id)!);
  const store: Pick<RunStore, 'sweepRuns'> = { sweepRuns: (name: string) => bySweep.get(name) ?? [] };
  return (spec) => sweepOutcomes(store, spec);
}

function counts(outcomes: SweepOutcome[]) {
  const count = (status: string) => outcomes.filter((o) => o.run?.status === status).length;
  return {
    total: outcomes.length,
    finished: count('finished'),
    diverged: count('diverged'),
    running: count('running'),
  };
}

function listSweeps(reader: StoreReader): SweepListRow[] {
  const outcomes = outcomesOf(reader, reader.listRuns());
  return reader.listSweeps().map((row) => {
    const base = { name: row.name, scale: row.scale, created_at: row.created_at };
    try {
      const spec = storedSweepSpec(row);
      return { ...base, batch: spec.batch ?? null, variables: spec.variables, ...counts(outcomes(spec)) };
    } catch (e) {
      return { ...base, batch: null, variables: [], total: 0, finished: 0, diverged: 0, running: 0, error: oneLine(e) };
    }
  });
}

const oneLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]!;

export function apiRoutes(deps: ApiDeps): Hono {
  const { reader, analysis, feed } = deps;
  const api = new Hono();

  const requireRun = (id: string): RunRow => {
    const run = reader.getRun(runId(id));
    if (!run) throw new ApiError(404, `no run ${id} in ${reader.dir}`);
    return run;
  };

  api.get('/runs', (c) => {
    const memberships = new Map<string, string[]>();
    for (const l of reader.sweepLinks()) {
      const list = memberships.get(l.run_id) ?? [];
      if (!list.includes(l.sweep)) list.push(l.sweep);
      memberships.set(l.run_id, list);
    }
    const runs = reader.listRuns().map((r) => ({ ...r, sweeps: memberships.get(r.id) ?? [] }));
    const body: RunsResponse = { runs, store: reader.info() };
    return c.json(body);
  });

  api.get('/runs/:id', async (c) => {
    const run = requireRun(c.req.param('id'));
    const body: RunDetailResponse = {
      run,
      sweeps: reader.runSweeps(run.id),
      losses: null,
      snapshots: [],
      series: null,
      zero_output_loss: null,
    };
    if (!isSettled(run)) return c.json(body);
    try {
      const signature = reader.runFilesSignature(run.id);
      if (signature === null)
        throw new StoreError(`run ${run.id} is ${run.status} but its folder ${reader.runFolder(run.id)} is missing`);
      const entry = await analysis.runAnalysis(run.id, signature);
      Object.assign(body, {
        losses: entry.losses,
        snapshots: entry.snapshots,
        series: entry.series,
        zero_output_loss: entry.zero_output_loss,
      });
    } catch (e) {
      body.error = oneLine(e);
    }
    return c.json(body);
  });

  api.get('/runs/:id/snapshots/:step', async (c) => {
    const run = requireRun(c.req.param('id'));
    const step = stepParam(c.req.param('step'));
    const signature = reader.runFilesSignature(run.id);
    if (signature === null) {
      if (isSettled(run))
        throw new ApiError(500, `run ${run.id} is ${run.status} but its folder ${reader.runFolder(run.id)} is missing`);
      throw new ApiError(404, `run ${run.id} is ${run.status}: it has no stored snapshots yet`);
    }
    try {
      return c.json(await analysis.snapshot(run.id, signature, step));
    } catch (e) {
      if (e instanceof MissingSnapshotError) throw new ApiError(404, e.message);
      throw new ApiError(500, oneLine(e));
    }
  });

  api.get('/sweeps', (c) => {
    const body: SweepsResponse = { sweeps: listSweeps(reader), store: reader.info() };
    return c.json(body);
  });

  api.get('/sweeps/:name', async (c) => {
    const name = sweepName(c.req.param('name'));
    const row = reader.getSweep(name);
    if (!row) {
      const known = reader.listSweeps().map((s) => s.name);
      throw new ApiError(
        404,
        `no sweep ${name} in ${reader.dir}; sweeps there: ${known.length ? known.slice(0, 30).join(', ') : 'none'}`,
      );
    }
    const spec = storedSweepSpec(row);
    const outcomes = outcomesOf(reader, reader.listRuns())(spec);
    const body: SweepDetailResponse = {
      name,
      batch: spec.batch ?? null,
      scale: row.scale,
      fixed: spec.fixed,
      variables: spec.variables,
      created_at: row.created_at,
      points: outcomes.map((o) => ({ point: o.point.index, values: o.point.values, run: o.run ?? null })),
      runs: [],
      errors: [],
    };
    for (const { point, run } of outcomes) {
      if (!run || !isSettled(run)) continue;
      try {
        const signature = reader.runFilesSignature(run.id);
        if (signature === null)
          throw new StoreError(`run ${run.id} is ${run.status} but its folder ${reader.runFolder(run.id)} is missing`);
        const entry = await analysis.runAnalysis(run.id, signature);
        body.runs.push(
          sweepRunData({
            id: run.id,
            point: point.index,
            values: point.values,
            summary: run.final!,
            config: run.config,
            series: entry.series,
            losses: entry.losses,
            biases: entry.final?.biases ?? null,
            zero_output_loss: entry.zero_output_loss,
          }),
        );
      } catch (e) {
        body.errors.push({ id: run.id, point: point.index, error: oneLine(e) });
      }
    }
    return c.json(body);
  });

  api.get('/catalogue', (c) => {
    const outcomes = outcomesOf(reader, reader.listRuns());
    const stored = reader.listSweeps().flatMap((row) => {
      try {
        const spec = storedSweepSpec(row);
        const o = outcomes(spec);
        return spec.batch
          ? [
              {
                batch: spec.batch,
                name: row.name,
                scale: row.scale,
                total: o.length,
                finished: o.filter((x) => x.run?.status === 'finished').length,
              },
            ]
          : [];
      } catch {
        return [];
      }
    });
    const body: CatalogueResponse = {
      batches: CATALOGUE.map((b) => ({
        name: b.name,
        fixed: b.fixed as Record<string, unknown>,
        swept: Object.fromEntries(b.variables.map((v) => [v.field, v.values])),
        sweeps: stored
          .filter((s) => s.batch.toLowerCase() === b.name.toLowerCase())
          .map(({ batch: _batch, ...s }) => s),
        command: `npx toymodels batch ${b.name} --scale laptop`,
      })),
    };
    return c.json(body);
  });

  api.get('/events', (c) =>
    streamSSE(c, async (stream) => {
      const pending: ChangeEvent[] = [];
      let wake: (() => void) | null = null;
      let done = false;
      const unsubscribe = feed.subscribe((event) => {
        pending.push(event);
        wake?.();
      });
      stream.onAbort(() => {
        done = true;
        unsubscribe();
        wake?.();
      });
      try {
        await stream.write(': connected\n\n');
        while (!done) {
          const event = pending.shift();
          if (event) {
            await stream.writeSSE({ event: 'change', data: JSON.stringify(event) });
            continue;
          }
          const timedOut = await new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(true), deps.heartbeatMs);
            wake = () => {
              clearTimeout(timer);
              resolve(false);
            };
          });
          wake = null;
          if (timedOut && !done) await stream.write(': heartbeat\n\n');
        }
      } finally {
        done = true;
        unsubscribe();
      }
    }),
  );

  api.all('*', (c: Context) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD')
      throw new ApiError(405, `${c.req.method} is not allowed: the dashboard API is read-only (GET)`);
    throw new ApiError(
      404,
      `no API endpoint ${new URL(c.req.url).pathname}; see GET /api/runs, /api/sweeps, /api/catalogue, /api/events`,
    );
  });

  return api;
}
