// `toymodels serve`: the dashboard over a run store, until killed. It prints its URL on stdout.
import fs from 'node:fs';
import { Command, Option } from 'commander';
import { DEFAULT_HOST, DEFAULT_PORT, ListenError, startServer } from '../server/app.js';
import { UsageError } from './errors.js';
import { storeOption } from './store-option.js';

function parsePort(raw: string): number {
  const port = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
  if (!(port >= 0 && port <= 65535))
    throw new UsageError(
      `--port: ${JSON.stringify(raw)} is not allowed: must be an integer from 0 (any free port) to 65535`,
    );
  return port;
}

function parseHost(raw: string): string {
  if (!/^[\w.:-]{1,253}$/.test(raw))
    throw new UsageError(
      `--host: ${JSON.stringify(raw)} is not allowed: must be a host name or IP address (e.g. 127.0.0.1)`,
    );
  return raw;
}

export function serveCommand(): Command {
  return new Command('serve')
    .description('serve the dashboard (runs, sweeps, the catalogue, live progress) over a run store; read-only')
    .addOption(storeOption('run store directory (never created or written)'))
    .addOption(new Option('--port <port>', 'port (0: any free port)').default(String(DEFAULT_PORT)))
    .addOption(
      new Option(
        '--host <host>',
        'address to listen on (other than loopback, the dashboard is open to the network)',
      ).default(DEFAULT_HOST),
    )
    .action(async (opts: { store: string; port: string; host: string }) => {
      const port = parsePort(opts.port);
      const host = parseHost(opts.host);
      let server;
      try {
        server = await startServer({ storeDir: opts.store, port, host });
      } catch (e) {
        if (e instanceof ListenError) throw new UsageError(e.message);
        throw e;
      }
      process.stdout.write(`toymodels dashboard: ${server.url}\n`);
      if (!fs.existsSync(opts.store))
        process.stderr.write(
          `toymodels: no run store at ${opts.store} yet; the dashboard shows it once a run starts there\n`,
        );
      const stop = () => {
        void server.close().finally(() => process.exit(0));
        // A stuck close must not keep the process alive.
        setTimeout(() => process.exit(0), 2000).unref();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      // Serve until killed.
      await new Promise<never>(() => undefined);
    });
}
