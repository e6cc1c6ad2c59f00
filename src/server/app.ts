// `toymodels serve`: one Hono app with the JSON API under /api/ (api.ts) and the built web app
// everywhere else (static.ts), over a store opened read-only (store-reader.ts).
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { StoreError } from '../store/errors.js';
import { RunAnalysis } from './analysis.js';
import { ApiError, apiRoutes } from './api.js';
import { ChangeFeed } from './events.js';
import { serveWebApp } from './static.js';
import { StoreReader } from './store-reader.js';

/** dist/web: where the web app's build goes (this file runs as dist/src/server/app.js). */
export const DEFAULT_WEB_ROOT = path.resolve(import.meta.dirname, '../../web');
export const DEFAULT_PORT = 8137;
export const DEFAULT_HOST = '127.0.0.1';

export interface AppOptions {
  /** The run store; it is only read, and never created. */
  storeDir: string;
  /** The built web app's folder (index.html and assets/). */
  webRoot: string;
  /** How often /api/events polls the index, in ms (default 1000). */
  pollMs?: number;
  /** Heartbeat comment interval of /api/events, in ms (default 15000). */
  heartbeatMs?: number;
  /**
   * Host names requests may be addressed to (the Host header), e.g. ['localhost', '127.0.0.1'];
   * others get 403, which stops DNS-rebinding pages from reading a local server. Default: any.
   */
  allowedHosts?: string[];
  /** ORT threads for the analysis (default: ORT's choice). */
  threads?: number;
}

export interface Dashboard {
  app: Hono;
  /** Stops polling and releases the analysis sessions and caches. */
  close(): Promise<void>;
}

const oneLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]!;

export function createDashboard(opts: AppOptions): Dashboard {
  const reader = new StoreReader(opts.storeDir);
  const analysis = new RunAnalysis(reader, { threads: opts.threads });
  const feed = new ChangeFeed(reader, opts.pollMs ?? 1000);
  const app = new Hono();
  const allowed = opts.allowedHosts ? new Set(opts.allowedHosts.map((h) => h.toLowerCase())) : null;

  app.use(async (c, next) => {
    if (allowed && !allowed.has(new URL(c.req.url).hostname.toLowerCase())) {
      return c.json({ error: `host ${new URL(c.req.url).hostname} is not served here; use ${[...allowed][0]}` }, 403);
    }
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
  });
  app.route('/api', apiRoutes({ reader, analysis, feed, heartbeatMs: opts.heartbeatMs ?? 15_000 }));
  app.get('*', serveWebApp(opts.webRoot));
  app.all('*', (c) => c.json({ error: `${c.req.method} is not allowed: the dashboard is read-only` }, 405));
  app.notFound((c) => c.json({ error: `not found: ${new URL(c.req.url).pathname}` }, 404));
  app.onError((e, c) => {
    if (e instanceof ApiError) return c.json({ error: e.message }, e.status);
    // A store that cannot be read is the server's problem to report, not a crash.
    const status = e instanceof StoreError ? 503 : 500;
    return c.json({ error: oneLine(e) }, status);
  });

  return {
    app,
    close: async () => {
      feed.stop();
      await analysis.close();
      reader.close();
    },
  };
}

/** The dashboard app; `app.request(url)` answers without a socket. */
export function createApp(opts: AppOptions): Hono {
  return createDashboard(opts).app;
}

export interface ServerOptions {
  storeDir: string;
  webRoot?: string;
  /** 0: any free port. */
  port?: number;
  host?: string;
  pollMs?: number;
}

export interface RunningServer {
  /** e.g. http://127.0.0.1:8137/ */
  url: string;
  port: number;
  host: string;
  server: ServerType;
  close(): Promise<void>;
}

/** The server could not listen (port in use, no such address): the user's to fix. */
export class ListenError extends Error {}

const LOOPBACK = ['127.0.0.1', 'localhost', '::1', '[::1]'];

/** Starts the dashboard on `host:port`; resolves once it listens, rejects if it cannot. */
export function startServer(opts: ServerOptions): Promise<RunningServer> {
  const host = opts.host ?? DEFAULT_HOST;
  const loopback = LOOPBACK.includes(host) || /^127\./.test(host);
  const dashboard = createDashboard({
    storeDir: opts.storeDir,
    webRoot: opts.webRoot ?? DEFAULT_WEB_ROOT,
    pollMs: opts.pollMs,
    // A server on the loopback interface answers only to the loopback names.
    allowedHosts: loopback
      ? [host.includes(':') && !host.startsWith('[') ? `[${host}]` : host, ...LOOPBACK]
      : undefined,
  });
  return new Promise((resolve, reject) => {
    const server = serve(
      { fetch: dashboard.app.fetch, port: opts.port ?? DEFAULT_PORT, hostname: host },
      (info: AddressInfo) => {
        server.off('error', onError);
        const shown = host.includes(':') ? `[${host}]` : host;
        resolve({
          url: `http://${shown}:${info.port}/`,
          port: info.port,
          host,
          server,
          close: async () => {
            await new Promise<void>((done) => {
              server.close(() => done());
              // Event streams stay open: end them so close() can finish.
              if ('closeAllConnections' in server) server.closeAllConnections();
            });
            await dashboard.close();
          },
        });
      },
    );
    const onError = (e: NodeJS.ErrnoException) => {
      void dashboard.close();
      const port = opts.port ?? DEFAULT_PORT;
      if (e.code === 'EADDRINUSE')
        reject(new ListenError(`port ${port} on ${host} is in use; choose another with --port (0: any free port)`));
      else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND')
        reject(new ListenError(`cannot listen on ${host}: no such local address`));
      else reject(new ListenError(`cannot listen on ${host}:${port}: ${e.message}`));
    };
    server.once('error', onError);
  });
}
