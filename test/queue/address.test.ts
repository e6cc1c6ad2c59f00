import { describe, expect, it } from 'vitest';
import { maskPassword, parseQueueAddress } from '../../src/queue/address.js';
import { retryDelayMs } from '../../src/queue/connection.js';

describe('queue address', () => {
  it('keeps the URL for connecting and masks the password for messages', () => {
    expect(parseQueueAddress('redis://127.0.0.1:6379')).toEqual({
      url: 'redis://127.0.0.1:6379',
      shown: 'redis://127.0.0.1:6379',
    });
    expect(parseQueueAddress('rediss://worker:s3cret@queue.lab:6380/2')).toEqual({
      url: 'rediss://worker:s3cret@queue.lab:6380/2',
      shown: 'rediss://worker:***@queue.lab:6380/2',
    });
    expect(parseQueueAddress('redis://:s3cret@host').shown).toBe('redis://:***@host');
  });

  it('refuses what is not a Redis URL, without echoing the password', () => {
    expect(() => parseQueueAddress('host:6379')).toThrow(
      /--queue: "host:6379" is not allowed: host: is not a Redis scheme/,
    );
    expect(() => parseQueueAddress('redis://u:pw@host/queue')).toThrow(
      '--queue: "redis://u:***@host/queue" is not allowed: the path must be a database number',
    );
    expect(() => parseQueueAddress('not a url')).toThrow(/expected redis:\/\/\[USER:PASSWORD@\]HOST/);
    expect(maskPassword('no //a:b@c here')).toBe('no //a:***@c here');
  });

  it('backs off 1, 2, 4 ... seconds, at most 30', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(retryDelayMs)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });
});
