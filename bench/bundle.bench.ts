import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { fmt, line } from './lib.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Issue 3: the production Worker bundle (cold start is a product feature); target ≤512 KiB gzipped. */
export async function run(): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), 'bundle-'));
  execFileSync(join(root, 'node_modules', '.bin', 'wrangler'), ['deploy', '--dry-run', '--minify', '--outdir', out], {
    cwd: root, stdio: 'pipe', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  });
  const files = readdirSync(out).filter((f) => f.endsWith('.js'));
  let raw = 0, gz = 0;
  for (const f of files) {
    const bytes = readFileSync(join(out, f));
    raw += statSync(join(out, f)).size;
    gz += gzipSync(bytes, { level: 9 }).length;
  }
  // Baseline in the same run: hono alone, the floor any Hono Worker pays.
  const hono = gzipSync(readFileSync(join(root, 'node_modules', 'hono', 'dist', 'hono-base.js'))).length;
  line('Worker bundle (wrangler deploy --dry-run --minify), raw', `${fmt(raw / 1024)} KiB`);
  line('Worker bundle, gzipped', `${fmt(gz / 1024)} KiB (target ≤512 KiB, ${fmt((100 * gz) / (512 * 1024), 0)}% of it)`);
  line('baseline: hono-base.js gzipped', `${fmt(hono / 1024)} KiB`);
}
