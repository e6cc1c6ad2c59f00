/** A run store problem, in one line that names the path involved and the reason. */
export class StoreError extends Error {
  constructor(message: string) {
    super(message.replace(/\s*\n\s*/g, ' '));
    this.name = 'StoreError';
  }
}

/** The first line of an error's message, for embedding in a StoreError. */
export const reason = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
