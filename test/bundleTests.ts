/**
 * Builds the test files into plain JavaScript once per run, for `test/run.ts`.
 *
 * Loaded through tsx, each test file's process spent ~2 CPU-seconds compiling and
 * resolving a few hundred TypeScript modules (tsx's loader hooks run beside the
 * main thread and see every import); 78 files did that twice over (the `--test`
 * parent and its child). One esbuild pass builds them all in about a second, with
 * the modules they share in shared chunks, and the files then load as plain ESM.
 * Packages stay external, resolved from `node_modules` as before.
 *
 * What a bundle would change is put back: `import.meta.url` and
 * `import.meta.dirname` name the source file they are written in, so paths such
 * as `../bin/apiserverless.mjs` resolve as they do under tsx, and source maps make
 * a failure's stack point at the `.ts` lines.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

/** Each `.ts` file's `import.meta.url`/`dirname` replaced by what it is where the source lives. */
const sourceLocation: Plugin = {
  name: 'source-location',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.')) return { contents: text, loader: 'ts' };
      const contents = text
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
        .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)));
      return { contents, loader: 'ts' };
    });
  },
};

/**
 * Builds `files` (paths under `root`) and the `extra` entries (path → output name) into `outDir`;
 * returns each built entry, by its given path.
 */
export async function bundleTests(root: string, files: string[], outDir: string, extra: Record<string, string> = {}): Promise<Map<string, string>> {
  const entryPoints = [
    ...files.map((f) => ({ in: join(root, f), out: relative(join(root, 'test'), join(root, f)).replace(/\.ts$/, '') })),
    ...Object.entries(extra).map(([f, out]) => ({ in: join(root, f), out })),
  ];
  const given = [...files, ...Object.keys(extra)];
  await build({
    entryPoints,
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'error',
    plugins: [sourceLocation],
  });
  return new Map(entryPoints.map((e, i) => [given[i], join(outDir, `${e.out}.mjs`)]));
}
