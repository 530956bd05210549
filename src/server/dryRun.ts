import type { Context } from 'hono';
import { badRequest } from '../apimachinery/errors.ts';

/** `?dryRun=All` (the only value kube-apiserver accepts): the write is checked and answered, not stored. */
export function dryRun(c: Context): boolean {
  const values = c.req.queries('dryRun') ?? [];
  for (const v of values) if (v !== 'All') throw badRequest(`Invalid dry run value: "${v}": supported values: "All"`);
  return values.length > 0;
}
