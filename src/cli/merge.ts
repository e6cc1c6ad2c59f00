// `toymodels merge`: copies the finished runs of other stores into this one, with their sweeps: for
// clusters whose tasks each trained into a store of their own (SQLite must not be shared over a
// network filesystem). Runs keep their ids; one already here is skipped, so merging again is harmless.
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { INDEX_FILE, isSettled, RunStore } from '../store/run-store.js';
import type { SweepLink } from '../store/types.js';
import { UsageError } from './errors.js';
import { storeOption } from './store-option.js';

/** Copies `from`'s sweeps and finished or diverged runs into `to`; returns how many were new. */
function mergeStore(from: RunStore, to: RunStore): { copied: number; present: number } {
  const links = new Map<string, SweepLink>();
  for (const sweep of from.listSweeps()) {
    to.saveSweep({ name: sweep.name, spec: sweep.spec, scale: sweep.scale });
    for (const { point, run } of from.sweepRuns(sweep.name)) links.set(run.id, { sweep: sweep.name, point });
  }
  let copied = 0;
  let present = 0;
  for (const run of from.listRuns()) {
    if (!isSettled(run)) continue;
    const times = { created_at: run.created_at, finished_at: run.finished_at ?? run.created_at };
    if (to.importRun(run.id, from.loadRun(run.id), times, links.get(run.id))) copied++;
    else present++;
  }
  return { copied, present };
}

export function mergeCommand(): Command {
  return new Command('merge')
    .description('copy the finished runs and sweeps of other run stores (e.g. one per cluster task) into this store')
    .argument('<stores...>', 'run store directories to copy from')
    .addOption(storeOption('the run store to copy into'))
    .action((sources: string[], opts: Record<string, unknown>) => {
      const target = path.resolve(String(opts.store));
      for (const source of sources) {
        if (!fs.existsSync(path.join(source, INDEX_FILE)))
          throw new UsageError(`${JSON.stringify(source)} is not a run store: it has no ${INDEX_FILE}`);
        if (path.resolve(source) === target)
          throw new UsageError(`${JSON.stringify(source)} is the store being merged into (--store)`);
      }
      const to = new RunStore(target);
      let copied = 0;
      let present = 0;
      try {
        for (const source of sources) {
          const from = new RunStore(source);
          try {
            const n = mergeStore(from, to);
            copied += n.copied;
            present += n.present;
          } finally {
            from.close();
          }
        }
      } finally {
        to.close();
      }
      process.stdout.write(
        `merged ${copied} runs from ${sources.length} stores into ${target}${present ? ` (${present} were already there)` : ''}\n`,
      );
    });
}
