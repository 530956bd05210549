import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `npm run bench`: runs every bench/*.bench.ts (or only those named on the
 * command line). Each exports `run(): Promise<void>` and prints its figures as
 * ratios against a baseline measured in the same run.
 */
const dir = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(dir).filter((f) => f.endsWith('.bench.ts') && (!only.length || only.some((o) => f.includes(o)))).sort();
for (const file of files) {
  console.log(`\n## ${file.replace('.bench.ts', '')}`);
  const mod = (await import(join(dir, file))) as { run: () => Promise<void> };
  await mod.run();
}
process.exit(0);
