// Connections to the queue's Redis server. A server that cannot be reached is reported in one
// line per attempt and retried with exponential back-off, forever: workers and collectors are
// meant to outlive a Redis restart. Refused credentials are final.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { reason } from '../store/errors.js';
import type { QueueAddress } from './address.js';
import { QUEUE_NAME, type RunJob, type RunJobResult } from './jobs.js';

/** Seconds between reconnection attempts: 1, 2, 4, ... then every 30. */
export const retryDelayMs = (attempt: number): number => Math.min(1000 * 2 ** (attempt - 1), 30_000);

const AUTH_FAILURE = /WRONGPASS|NOAUTH|invalid password|invalid username-password|AUTH.*without any password/i;
const CONNECTION_TROUBLE = /connection|socket|ECONN|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|ENOTFOUND/i;

export interface RedisLink {
  /** Ours: BullMQ duplicates it for its own connections, which inherit the retry strategy. */
  client: Redis;
  /**
   * Takes an error from any of the connections (BullMQ's arrive as its classes' `error` events):
   * true if it was about the connection (it then shows in the next retry line), false otherwise.
   */
  noteError: (e: unknown) => boolean;
}

/**
 * Opens a connection. `say` prints a line; `refused` is called once if the server refuses the
 * URL's credentials (the caller should exit: retrying cannot help).
 */
export function connectRedis(
  address: QueueAddress,
  say: (line: string) => void,
  refused: (line: string) => void,
): RedisLink {
  let lastError = 'connection lost';
  let printedAttempt = 0;
  let down = false;
  let refusedOnce = false;
  const noteError = (e: unknown): boolean => {
    const message = reason(e);
    if (AUTH_FAILURE.test(message)) {
      const why = message.startsWith('NOAUTH')
        ? 'needs a password (NOAUTH): give it in the URL, redis://[USER]:PASSWORD@HOST:PORT'
        : `refused the credentials (${message})`;
      if (!refusedOnce) refused(`${address.shown} ${why}`);
      refusedOnce = true;
      return true;
    }
    const code = (e as NodeJS.ErrnoException | undefined)?.code;
    if (code || CONNECTION_TROUBLE.test(message)) {
      if (code) lastError = code;
      return true;
    }
    return false;
  };
  const client = new Redis(address.url, {
    // Commands wait for the connection to come back instead of failing; BullMQ's workers need this.
    maxRetriesPerRequest: null,
    retryStrategy: (attempt) => {
      const delay = retryDelayMs(attempt);
      // BullMQ's duplicates of this connection retry in step with it: one line per attempt.
      if (attempt > printedAttempt) say(`cannot reach ${address.shown} (${lastError}); retrying in ${delay / 1000} s`);
      printedAttempt = Math.max(printedAttempt, attempt);
      down = true;
      return delay;
    },
  });
  client.on('error', noteError);
  client.on('ready', () => {
    if (down) say(`connected to ${address.shown}`);
    down = false;
    printedAttempt = 0;
    lastError = 'connection lost';
  });
  return { client, noteError };
}

/** The queue as a submitter or collector uses it: one connection, shared by BullMQ and the results. */
export interface QueueSession {
  address: QueueAddress;
  redis: Redis;
  queue: Queue<RunJob, RunJobResult>;
  close: () => Promise<void>;
}

export function openQueue(
  address: QueueAddress,
  say: (line: string) => void,
  refused: (line: string) => void,
): QueueSession {
  const link = connectRedis(address, say, refused);
  const queue = new Queue<RunJob, RunJobResult>(QUEUE_NAME, { connection: link.client });
  queue.on('error', (e) => link.noteError(e) || say(`queue error: ${reason(e)}`));
  return {
    address,
    redis: link.client,
    queue,
    close: async () => {
      await queue.close();
      link.client.disconnect();
    },
  };
}
