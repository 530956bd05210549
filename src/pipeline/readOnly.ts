import { methodNotAllowed } from '../apimachinery/errors.ts';

/** Version, discovery and OpenAPI documents are read-only: another method is a 405, as go-restful answers. */
export function readOnly(method: string): void {
  if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed();
}
