// A sweep plan: every run of one or more sweeps, numbered from 0, for clusters whose own scheduler
// runs task I of N (a Slurm array, a Kubernetes indexed job) instead of a queue. The file carries
// the sweeps' specifications, so that the run of index I can save its sweep in the store
// (idempotently: a name stands for one specification) and join it, and `report` works once every
// index has run.
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { ConfigError } from '../config/schema.js';
import { firstIssue, PLAN_FORMAT, planSchema } from '../config/stored.js';
import { reason } from '../store/errors.js';
import { checkSweepSpec, sweepPoints, type SweepPoint, type SweepSpec } from '../sweep/spec.js';

/** A plan as its schema reads it, with every sweep checked. Run `index` is point `point` of sweep
 * `sweep`; `values` are its swept values, for people. */
export type Plan = Omit<z.output<typeof planSchema>, 'sweeps'> & { sweeps: SweepSpec[] };

export function makePlan(specs: SweepSpec[]): Plan {
  const runs = specs.flatMap((spec) =>
    sweepPoints(spec).map((p) => ({ sweep: spec.name, point: p.index, values: p.values })),
  );
  return { format: PLAN_FORMAT, sweeps: specs, runs: runs.map((r, index) => ({ index, ...r })) };
}

/** Reads a plan file; anything unreadable or inconsistent is a ConfigError naming the flag. */
export function readPlan(file: string): Plan {
  const bad = (why: string) => new ConfigError('from-plan', file, why);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw bad(`cannot read it as JSON (${reason(e)})`);
  }
  const plan = planSchema.safeParse(raw);
  if (!plan.success)
    throw bad(
      `expected a plan file (${PLAN_FORMAT}), as written by \`toymodels sweep ... --plan --json\` (${firstIssue(plan.error)})`,
    );
  try {
    return {
      ...plan.data,
      format: PLAN_FORMAT,
      sweeps: plan.data.sweeps.map((spec) => checkSweepSpec(spec, 'a sweep')),
    };
  } catch (e) {
    throw bad((e as Error).message);
  }
}

/** The sweep and point of run `index`; a ConfigError naming --index if there is no such run. */
export function planRun(plan: Plan, index: string): { spec: SweepSpec; point: SweepPoint } {
  const allowed = `must be an integer from 0 to ${plan.runs.length - 1} (the plan has ${plan.runs.length} runs)`;
  const run = /^\d+$/.test(index) ? plan.runs[Number(index)] : undefined;
  if (!run) throw new ConfigError('index', index, allowed);
  const spec = plan.sweeps.find((s) => s.name === run.sweep);
  const point = spec && sweepPoints(spec)[run.point];
  if (!spec || !point)
    throw new ConfigError(
      'index',
      index,
      `run ${index} of the plan names no point of its sweeps (sweep ${run.sweep}, point ${run.point})`,
    );
  return { spec, point };
}
