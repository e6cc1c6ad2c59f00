/** A run store problem, in one line that names the path involved and the reason. */
export class StoreError extends Error {
  constructor(message: string) {
    super(message.replace(/\s*\n\s*/g, ' '));
    this.name = 'StoreError';
  }
}

/** The first line of an error's message, for embedding in a StoreError. */
export const reason = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]!;

/** Why a path could not be opened: a missing path is the usual case; a folder or an unreadable file gets its reason. */
export const unopenable = (e: unknown): string =>
  (e as { code?: unknown }).code === 'ENOENT' ? 'does not exist' : `cannot be read (${reason(e)})`;
