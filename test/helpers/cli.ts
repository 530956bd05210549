import { join } from 'node:path';

/** Set by `npm test` (test/run.ts) to src/cli/bin.ts built to JavaScript along with the test files. */
export const builtCliVariable = 'APISERVERLESS_TEST_CLI';

/**
 * The script that runs the teacher's CLI: the one `npm test` built (the same source as
 * bin/apiserverless.mjs loads through tsx, which costs each of the suite's ~100 CLI processes
 * ~0.4 CPU-s more), or the bin itself when a file runs on its own. The front-door tests run
 * the bin as a user does.
 */
export function cliScript(): string {
  return process.env[builtCliVariable] ?? join(import.meta.dirname, '..', '..', 'bin', 'apiserverless.mjs');
}
