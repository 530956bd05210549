import { hash64 } from '../apimachinery/hash.ts';

/**
 * Image references as containerd sees them: normalized names, deterministic
 * digests, pull times and sizes, and which references fail (a tag like
 * `does-not-exist` is not found; an unparseable reference is InvalidImageName).
 */

export type ImageInfo =
  | { status: 'ok'; requested: string; normalized: string; imageID: string; pullMs: number; size: number }
  | { status: 'missing'; requested: string; normalized: string; pullMs: number; error: string }
  | { status: 'invalid'; requested: string; error: string };

const component = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const tagRe = /^[\w][\w.-]{0,127}$/;
const digestRe = /^sha256:[a-f0-9]{64}$/;
/** Tags that exist nowhere: what students type to see ErrImagePull. */
const missingTag = /does-?not-?exist|non-?exist|not-?exist|notfound|not-found|invalid|bogus|fake|typo|wrong|missing/i;

const knownSizes: Record<string, number> = {
  'docker.io/library/nginx': 72095017, 'docker.io/library/busybox': 2224229, 'docker.io/library/alpine': 3802452,
  'docker.io/library/httpd': 45157321, 'docker.io/library/redis': 52370432, 'docker.io/library/ubuntu': 29754422,
  'docker.io/library/hello-world': 10072,
};

/** 64 hex digits derived from text (image digests, container IDs). */
export const hex64 = (text: string) => [0, 1, 2, 3].map((i) => hash64(`${i}:${text}`)).join('');

/** docker/distribution reference.ParseNormalizedNamed, enough for our purposes. */
function parseImage(image: string): { repository: string; tag?: string; digest?: string } | { error: string } {
  const invalid = (why = '') => ({ error: `couldn't parse image name "${image}": invalid reference format${why}` });
  if (!image || image !== image.trim() || /\s/.test(image)) return invalid();
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!digestRe.test(digest)) return invalid();
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!tagRe.test(tag)) return invalid();
  }
  const parts = rest.split('/');
  let domain = 'docker.io';
  if (parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost')) domain = parts.shift()!;
  if (!parts.length || parts.some((p) => !p)) return invalid();
  if (parts.some((p) => p !== p.toLowerCase())) return invalid(`: repository name (${parts.join('/')}) must be lowercase`);
  if (parts.some((p) => !component.test(p))) return invalid();
  if (domain === 'docker.io' && parts.length === 1) parts.unshift('library');
  return { repository: `${domain}/${parts.join('/')}`, tag, digest };
}

export function imageInfo(image: string): ImageInfo {
  const parsed = parseImage(image);
  if ('error' in parsed) return { status: 'invalid', requested: image, error: `Failed to apply default image tag "${image}": ${parsed.error}` };
  const normalized = parsed.digest ? `${parsed.repository}@${parsed.digest}` : `${parsed.repository}:${parsed.tag ?? 'latest'}`;
  const pullMs = 400 + (Number.parseInt(hash64(normalized).slice(0, 8), 16) % 2600);
  if (parsed.tag && missingTag.test(parsed.tag)) {
    const error = `rpc error: code = NotFound desc = failed to pull and unpack image "${normalized}": failed to resolve reference "${normalized}": ${normalized}: not found`;
    return { status: 'missing', requested: image, normalized, pullMs: Math.ceil(pullMs / 2), error };
  }
  const size = knownSizes[parsed.repository] ?? 2_000_000 + (Number.parseInt(hash64(parsed.repository).slice(0, 8), 16) % 200_000_000);
  return { status: 'ok', requested: image, normalized, imageID: `${parsed.repository}@sha256:${parsed.digest?.slice(7) ?? hex64(normalized)}`, pullMs, size };
}

/** Go's time.Duration.String() for whole milliseconds: 512ms, 1.234s, 1m2.5s. */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000), m = Math.floor((ms % 3_600_000) / 60_000), s = (ms % 60_000) / 1000;
  const sec = `${Number(s.toFixed(3))}s`;
  if (h) return `${h}h${m}m${sec}`;
  if (m) return `${m}m${sec}`;
  return sec;
}
