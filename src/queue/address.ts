// The --queue URL: where the Redis server behind the job queue is, with its credentials and TLS.
// The URL itself goes to ioredis as given; what is printed has the password masked.
import { ConfigError } from '../config/schema.js';

export interface QueueAddress {
  /** As given, credentials included: for connecting only. */
  url: string;
  /** For messages: the password replaced by ***. */
  shown: string;
}

const ALLOWED = 'expected redis://[USER:PASSWORD@]HOST[:PORT][/DB], or rediss://... for TLS';

/** Masks the password of anything URL-like, even text that does not parse as a URL. */
export const maskPassword = (text: string): string => text.replace(/(\/\/[^/:@\s]*:)[^@\s/]*@/g, '$1***@');

export function parseQueueAddress(raw: string): QueueAddress {
  const bad = (why: string) => new ConfigError('queue', maskPassword(raw), why);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw bad(ALLOWED);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    throw bad(`${url.protocol} is not a Redis scheme; ${ALLOWED}`);
  if (!url.hostname) throw bad(`no host; ${ALLOWED}`);
  if (!/^(\/\d*)?$/.test(url.pathname)) throw bad(`the path must be a database number; ${ALLOWED}`);
  return { url: raw, shown: maskPassword(url.href) };
}
