import type { DocumentDecoder, TokenClaims } from '../ports.ts';
import type { Registry } from '../registry/generic.ts';
import type { Access, ResourceDef, UserInfo } from '../registry/types.ts';
import type { ApiError } from '../apimachinery/errors.ts';
import type { Connection } from '../server/clientCertificates.ts';
import type { RequestInfo, ResourceRequest } from '../server/requestInfo.ts';
import type { ClusterRecord } from '../tenancy/clusters.ts';
import type { OutputFormat } from '../server/wire.ts';
import type { RequestTrace } from '../trace/requestTrace.ts';

/**
 * What a request is about, as the request-info step reads it from the URL: one of the
 * cluster's own endpoints, a discovery or resource path (RequestInfo), or a path with a
 * malformed escape, whose 400 is answered only once the caller is authenticated.
 */
export type Target =
  | { kind: 'health' }
  | { kind: 'version' }
  | { kind: 'openapi' }
  | RequestInfo
  | { kind: 'malformed'; error: ApiError };

/**
 * The request's context variables, each set by one step of the pipeline and read by the
 * steps after it (Hono `Variables`; the order of app.use is what makes them present).
 */
export interface RequestVariables {
  /** request info: the request URL, parsed once. */
  url: URL;
  /** request info: the cluster named by `/clusters/<name>` (or `default`). */
  cluster: string;
  /** request info: the path inside the cluster (`/api/v1/pods`). */
  rest: string;
  /** request info: what the path asks for. */
  target: Target;
  /** trace: the steps of a write, recorded where the ports have a TraceSink (undefined otherwise, and for reads). */
  trace: RequestTrace | undefined;
  /** authenticate: the verified token's claims. */
  claims: TokenClaims;
  /** authenticate (then impersonate): who the request acts as. */
  user: UserInfo;
  /** rate limit: the cluster incarnation the request is charged to, and its cost in tokens. */
  incarnation: string;
  cost: number;
  /** rate limit: the cluster's charges (below) made before this request was admitted; its seat compares. */
  chargedAtAdmission: number;
  /** Charges the request's cluster more tokens once the request knows its work is larger (a large stored object). */
  charge: (tokens: number) => void;
  /** cluster record: the live record of the cluster (exists, not expired, same uid as the token). */
  record: ClusterRecord;
  /** cluster access: the cluster's authorizer (impersonation, authorization and access reviews ask it). */
  access: Access;
  /** route: a resource request, its declaration and the registry that serves it. */
  resourceRequest: ResourceRequest;
  def: ResourceDef;
  registry: Registry;
  /** route: what the answer is written in, negotiated from Accept (unset outside resource requests). */
  output: OutputFormat;
  /** route: where a large body's document is decoded (the ports' decoder; undefined: on the loop). */
  documents: DocumentDecoder | undefined;
}

/** Bindings: what the entry knows of the connection (the Node entry's TLS peer certificate); absent on entries that cannot ask. */
export type PipelineEnv = { Variables: RequestVariables; Bindings: Connection | undefined };
