import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'node_modules', '.cache', 'apiserverless', 'python3-kubernetes-22.6.0');
const sitePackages = join(target, 'usr', 'lib', 'python3', 'dist-packages');

/** The official Python client as Debian packages it (the version the issue's own run used). */
const debianPackage = 'python3-kubernetes';

export interface PythonClient { python: string; pythonPath: string }

/**
 * Debian's python3-kubernetes and the Python packages it depends on, unpacked (not installed:
 * the machine's packages are left alone) under node_modules/.cache, for the system's python3.
 * Fetched with `apt-get download` the first time (after `apt-get update` when the package lists
 * lack it); `null`, with the reason, where there is no Debian python3 or no package to be had.
 */
export function debianPythonClient(): PythonClient | { missing: string } {
  const python = '/usr/bin/python3';
  if (!existsSync(python)) return { missing: 'no /usr/bin/python3 (Debian python) on this machine' };
  if (existsSync(join(sitePackages, 'kubernetes'))) return { python, pythonPath: sitePackages };
  const work = mkdtempSync(`${target}.partial-`);
  try {
    const packages = dependencies();
    try {
      execFileSync('apt-get', ['download', ...packages], { cwd: work, stdio: 'pipe' });
    } catch {
      execFileSync('apt-get', ['update', '-qq'], { stdio: 'pipe' });
      execFileSync('apt-get', ['download', ...dependencies()], { cwd: work, stdio: 'pipe' });
    }
    const unpacked = join(work, 'root');
    for (const deb of readdirSync(work).filter((f) => f.endsWith('.deb'))) execFileSync('dpkg-deb', ['-x', join(work, deb), unpacked]);
    if (!existsSync(join(unpacked, 'usr', 'lib', 'python3', 'dist-packages', 'kubernetes'))) return { missing: `${debianPackage} unpacked without its module` };
    mkdirSync(dirname(target), { recursive: true });
    try { renameSync(unpacked, target); } catch { /* another test file unpacked it first */ }
    return { python, pythonPath: sitePackages };
  } catch (err) {
    return { missing: `could not fetch ${debianPackage} with apt-get: ${(err as Error).message.split('\n')[0]}` };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The package and the Python packages it needs, recursively (pure Python or built for Debian's python3). */
function dependencies(): string[] {
  const out = execFileSync('apt-cache', ['depends', '--recurse', '--no-recommends', '--no-suggests', '--no-conflicts', '--no-breaks', '--no-replaces', '--no-enhances', debianPackage], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const names = [...new Set(out.split('\n').filter((line) => /^python3-[a-z0-9.+-]+$/.test(line)))];
  if (!names.includes(debianPackage)) throw new Error(`apt-cache knows no ${debianPackage}`);
  return names;
}
