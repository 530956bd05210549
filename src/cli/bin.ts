/**
 * The `apiserverless` command as a process: runs main with the arguments and sets the exit
 * code; an error it did not expect is one line on stderr, not a stack. `bin/apiserverless.mjs`
 * loads this through tsx; `npm test` builds it to JavaScript once and runs that.
 */
import { main } from './main.ts';

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
