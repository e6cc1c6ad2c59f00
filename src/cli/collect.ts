// `toymodels collect`: gathers queued runs' results (from `sweep --queue --no-wait`, or a submitting
// command that was stopped) into the store, waiting for those still queued or training.
import { Command } from 'commander';
import { parseQueueAddress } from '../queue/address.js';
import { SWEEP_NAME } from '../config/stored.js';
import { RunStore } from '../store/run-store.js';
import { storedSweepSpec, type SweepSpec } from '../sweep/spec.js';
import { UsageError } from './errors.js';
import { openSession, queueOption, showAny, showSweeps } from './queue-output.js';
import { storeOption } from './store-option.js';

export function collectCommand(): Command {
  return new Command('collect')
    .description(
      'gather the results of queued runs (sweep/batch --queue) into the store, waiting for those still queued or training',
    )
    .argument('[sweeps...]', 'sweep names (default: every sweep in the queue)')
    .addOption(queueOption())
    .addOption(storeOption())
    .option('--no-wait', 'gather what has finished and exit')
    .option('--json', 'print the sweeps and their runs as JSON on stdout', false)
    .action(async (names: string[], opts: Record<string, unknown>) => {
      const address = parseQueueAddress(String(opts.queue));
      for (const name of names) {
        if (!SWEEP_NAME.test(name))
          throw new UsageError(
            `${JSON.stringify(name)} is not a sweep name: use letters, digits and _ . @ = + - (at most 100)`,
          );
      }
      const store = new RunStore(String(opts.store));
      const session = openSession(address);
      const gather = { json: Boolean(opts.json), wait: opts.wait !== false };
      try {
        // Named sweeps this store already knows get progress bars; others are reported run by run.
        const known = names.map((n) => {
          const row = store.getSweep(n);
          return row && storedSweepSpec(row);
        });
        if (names.length > 0 && known.every((s): s is SweepSpec => s !== undefined))
          await showSweeps(session, store, known, gather);
        else await showAny(session, store, names, gather);
      } finally {
        await session.close();
        store.close();
      }
    });
}
