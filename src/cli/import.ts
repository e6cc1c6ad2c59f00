// `toymodels import`: brings runs that arrive as files (a page's downloads, `<id>.config.json` and
// the rest, or run folders) into this store under their own ids, like `merge` for single runs. A
// run already here is skipped, so importing again is harmless.
import { Command } from 'commander';
import { readRunsToImport } from '../store/run-import.js';
import { RunStore } from '../store/run-store.js';
import { storeOption } from './store-option.js';

export function importCommand(): Command {
  return new Command('import')
    .description(
      'import runs downloaded as files (<run id>.config.json, .losses.json, .summary.json, .tensors.safetensors) or run folders into this store',
    )
    .argument('<paths...>', "each run's four files, named <run id>.<file>, or run folders named by their run id")
    .addOption(storeOption('the run store to import into'))
    .action((paths: string[], opts: Record<string, unknown>) => {
      // Every run is checked before the store is opened: a bad file leaves the store untouched.
      const runs = readRunsToImport(paths);
      const store = new RunStore(String(opts.store));
      try {
        for (const { id, run, times } of runs) {
          const imported = store.importRun(id, run, times);
          process.stdout.write(imported ? `imported ${id}\n` : `${id} is already in the store: skipped\n`);
        }
      } finally {
        store.close();
      }
    });
}
