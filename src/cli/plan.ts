// `sweep ... --plan` and `batch ... --plan`: the runs as a numbered list for people, or with --json
// the plan file that `train --from-plan FILE --index I` reads.
import { makePlan } from '../runner/plan-file.js';
import { scaleLabel } from '../sweep/scale.js';
import { pointLabel } from '../sweep/spec.js';

export function printPlan(specs: Parameters<typeof makePlan>[0], json: boolean): void {
  const plan = makePlan(specs);
  if (json) {
    process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
    return;
  }
  const width = String(plan.runs.length - 1).length;
  const lines: string[] = [];
  for (const spec of specs) {
    lines.push(`sweep ${spec.name}${spec.batch ? ` (batch ${spec.batch})` : ''} at scale ${scaleLabel(spec.scale)}`);
    for (const run of plan.runs.filter((r) => r.sweep === spec.name))
      lines.push(`  ${String(run.index).padStart(width)}  ${pointLabel(run)}`);
  }
  const last = plan.runs.length - 1;
  lines.push(
    '',
    `${plan.runs.length} runs. Write the plan file with --plan --json > plan.json, then run each index I from 0 to ${last}:`,
    `  toymodels train --from-plan plan.json --index I --store DIR`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}
