import type { Context } from 'hono';
import { ApiError, badRequest, invalid, methodNotAllowed, type FieldError } from '../apimachinery/errors.ts';
import { timestamp } from '../apimachinery/time.ts';
import type { Keys, TokenClaims } from '../ports.ts';
import type { Registry } from '../registry/generic.ts';
import type { ClusterObjects, KubeObject, ResourceDef } from '../registry/types.ts';
import * as schema from '../schema/authentication.ts';
import { serviceAccountUsername } from './authn.ts';
import { decodeDocument, decodeObject, parseFieldValidation, readBody } from './codec.ts';
import { kubernetesAudience } from './keys.ts';
import type { ResourceRequest } from './requestInfo.ts';
import type { SubresourceHandler } from './subresource.ts';
import { writeObject } from './wire.ts';

/**
 * Service account tokens. POST serviceaccounts/<name>/token (TokenRequest, `kubectl create
 * token`) issues a JWT for the account, bound to its uid and to the cluster's; such a token
 * is only as alive as the account it names.
 */

type TokenRequest = KubeObject & { spec?: { audiences?: string[] | null; expirationSeconds?: number | null; boundObjectRef?: unknown } };

/** kube-apiserver's default when the request names no duration, and its bounds (ValidateTokenRequest). */
const defaultSeconds = 3600;
const minSeconds = 600;
const maxSeconds = 2 ** 32;

function validate(request: TokenRequest): FieldError[] {
  const seconds = request.spec?.expirationSeconds;
  if (seconds == null) return [];
  if (seconds < minSeconds) return [{ field: 'spec.expirationSeconds', type: 'FieldValueInvalid', value: seconds, detail: 'may not specify a duration less than 10 minutes' }];
  if (seconds > maxSeconds) return [{ field: 'spec.expirationSeconds', type: 'FieldValueInvalid', value: seconds, detail: 'may not specify a duration larger than 2^32 seconds' }];
  return [];
}

/** The handler, given the keys that sign and how to read the uid of the request's cluster (its record's). */
export function tokenRequestHandler(keys: Keys, clusterUid: (c: Context) => string): SubresourceHandler {
  return async (c: Context, registry: Registry, def: ResourceDef, info: ResourceRequest, namespace: string | undefined) => {
    if (info.verb !== 'create' || def.plural !== 'serviceaccounts') throw methodNotAllowed();
    const account = await registry.get(def, namespace, info.name!);
    const bytes = await readBody(c.req.raw);
    if (!bytes.byteLength) throw badRequest('the request body is empty; a TokenRequest was expected');
    const shape = { ...def, group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', schema: schema.tokenRequest };
    const { obj } = decodeObject(shape, decodeDocument(bytes, c.req.header('content-type') ?? null, 'TokenRequest'), parseFieldValidation(c.req.query('fieldValidation')));
    const request = obj as TokenRequest;
    const errors = validate(request);
    if (errors.length) throw invalid('TokenRequest', 'authentication.k8s.io', info.name!, errors);
    const seconds = request.spec?.expirationSeconds ?? defaultSeconds;
    const audiences = request.spec?.audiences?.length ? request.spec.audiences : [kubernetesAudience];
    const now = registry.now();
    const exp = Math.floor(now.getTime() / 1000) + seconds;
    const token = await signServiceAccountToken(keys, registry, clusterUid(c), account, exp, audiences);
    return writeObject(c, {
      kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1',
      metadata: { name: info.name, namespace, creationTimestamp: timestamp(now) },
      spec: { audiences, expirationSeconds: seconds, boundObjectRef: request.spec?.boundObjectRef ?? null },
      status: { token, expirationTimestamp: timestamp(exp * 1000) },
    }, 201);
  };
}

/** A token for the account, bound to its uid and the cluster's, valid until `exp` (seconds since the epoch). */
export function signServiceAccountToken(keys: Keys, registry: Registry, clusterUid: string, account: KubeObject, exp: number, audiences = [kubernetesAudience]): Promise<string> {
  const { namespace, name, uid } = account.metadata;
  return keys.sign({
    sub: serviceAccountUsername(namespace!, name!), groups: [], cluster: registry.cluster, clusterUid, exp,
    serviceAccount: { namespace: namespace!, name: name!, uid: uid! },
    jti: crypto.randomUUID(), audiences,
  });
}

/**
 * The token the kubelet mounts for a pod (its projected service-account token: the pod's account,
 * an hour and seven seconds, kubelet's default); undefined when the account does not exist.
 */
export async function podServiceAccountToken(keys: Keys, registry: Registry, clusterUid: string, pod: { metadata: { namespace?: string }; spec: { serviceAccountName?: string } }): Promise<string | undefined> {
  const def = registry.catalog.find('', 'v1', 'serviceaccounts')!;
  let account: KubeObject;
  try {
    account = await registry.get(def, pod.metadata.namespace, pod.spec.serviceAccountName ?? 'default');
  } catch (err) {
    if (err instanceof ApiError && err.reason === 'NotFound') return undefined;
    throw err;
  }
  return signServiceAccountToken(keys, registry, clusterUid, account, Math.floor(registry.now().getTime() / 1000) + 3607);
}

/**
 * Whether the service account a token names still exists with the uid it was issued for
 * (kube-apiserver checks it in its informer cache on every request): once the account is
 * deleted, or re-created under its name, the token is refused.
 */
export async function serviceAccountAlive(objects: ClusterObjects, account: NonNullable<TokenClaims['serviceAccount']>): Promise<boolean> {
  const def = objects.catalog.find('', 'v1', 'serviceaccounts')!;
  try {
    return (await objects.get(def, account.namespace, account.name)).metadata.uid === account.uid;
  } catch (err) {
    if (err instanceof ApiError && err.reason === 'NotFound') return false;
    throw err;
  }
}
