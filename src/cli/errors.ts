// Exit codes and the one-line error contract: bad input exits 2, a diverged run exits 3, any
// other failure 1.
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_DIVERGED = 3;

/** An error the user caused; printed as one line without a stack trace. */
export class UsageError extends Error {}

export function fail(message: string, code: number): never {
  process.stderr.write(`toymodels: ${message}\n`);
  process.exit(code);
}
