/**
 * One error type for every client-visible failure, rendered as a metav1.Status
 * in exactly one place (app.onError). Constructors mirror k8s.io/apimachinery's
 * api/errors package so messages read like the real server's.
 */
export type StatusReason =
  | 'BadRequest' | 'Unauthorized' | 'Forbidden' | 'NotFound' | 'AlreadyExists'
  | 'Conflict' | 'Invalid' | 'Gone' | 'Expired' | 'MethodNotAllowed' | 'NotAcceptable'
  | 'RequestEntityTooLarge' | 'UnsupportedMediaType' | 'TooManyRequests'
  | 'InternalError' | 'ServiceUnavailable' | 'Timeout';

export interface StatusCause { reason?: string; message?: string; field?: string }
export interface StatusDetails {
  name?: string; group?: string; kind?: string; uid?: string;
  causes?: StatusCause[]; retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status'; apiVersion: 'v1'; metadata: Record<string, never>;
  status: 'Failure' | 'Success'; message: string; reason?: StatusReason;
  details?: StatusDetails; code: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
    readonly headers: Record<string, string> = {},
  ) { super(message); }

  toStatus(): Status {
    // metav1.Status's fields in its Go struct order, which is the order Go encodes them in
    const { name, group, kind, uid, causes, retryAfterSeconds } = this.details ?? {};
    const details = this.details && { name, group, kind, uid, causes, retryAfterSeconds };
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, details, code: this.code };
  }
}

/** `pods` in group "" is written `pods`; in "apps" it is `deployments.apps`. */
export interface GroupResource { group: string; resource: string }
const qualified = (gr: GroupResource) => (gr.group ? `${gr.resource}.${gr.group}` : gr.resource);
const details = (gr: GroupResource, name: string): StatusDetails => ({ name, group: gr.group || undefined, kind: gr.resource });

export const notFound = (gr: GroupResource, name: string) =>
  new ApiError(404, 'NotFound', `${qualified(gr)} "${name}" not found`, details(gr, name));
export const alreadyExists = (gr: GroupResource, name: string) =>
  new ApiError(409, 'AlreadyExists', `${qualified(gr)} "${name}" already exists`, details(gr, name));
export const conflict = (gr: GroupResource, name: string, why: string) =>
  new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`, details(gr, name));
export const badRequest = (message: string) => new ApiError(400, 'BadRequest', message);
export const unauthorized = () => new ApiError(401, 'Unauthorized', 'Unauthorized');
export const forbidden = (message: string) => new ApiError(403, 'Forbidden', message);
export const methodNotAllowed = (message = 'the server does not allow this method on the requested resource') =>
  new ApiError(405, 'MethodNotAllowed', message);
export const notAcceptable = (message: string) => new ApiError(406, 'NotAcceptable', message);
export const tooLarge = (message = 'Request entity too large: limit is 3145728') =>
  new ApiError(413, 'RequestEntityTooLarge', message);
export const unsupportedMediaType = (contentType: string) =>
  new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got "${contentType}")`);
export const expired = (message: string) => new ApiError(410, 'Expired', message);
export const tooManyRequests = (message: string, retryAfterSeconds: number) =>
  new ApiError(429, 'TooManyRequests', message, { retryAfterSeconds }, { 'Retry-After': String(retryAfterSeconds) });
export const internalError = (message: string) =>
  new ApiError(500, 'InternalError', `Internal error occurred: ${message}`);

export interface FieldError { field: string; type: FieldErrorType; value?: unknown; detail?: string }
export type FieldErrorType = 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueNotSupported' | 'FieldValueDuplicate' | 'FieldValueForbidden' | 'FieldValueTooLong' | 'FieldValueTypeInvalid';

const typeWords: Record<FieldErrorType, string> = {
  FieldValueRequired: 'Required value', FieldValueInvalid: 'Invalid value', FieldValueNotSupported: 'Unsupported value',
  FieldValueDuplicate: 'Duplicate value', FieldValueForbidden: 'Forbidden', FieldValueTooLong: 'Too long', FieldValueTypeInvalid: 'Invalid value',
};

/** Renders one field error the way field.Error.ErrorBody() does. */
function fieldErrorMessage(e: FieldError): string {
  const words = typeWords[e.type];
  // Required, Forbidden and TooLong never echo the value (a too-long one would be the whole input again)
  if (e.type === 'FieldValueRequired' || e.type === 'FieldValueForbidden' || e.type === 'FieldValueTooLong') return e.detail ? `${words}: ${e.detail}` : words;
  const value = e.value === undefined ? '' : `: ${JSON.stringify(e.value)}`;
  return e.detail ? `${words}${value}: ${e.detail}` : `${words}${value}`;
}

/** `The Pod "x" is invalid: spec.containers[0].image: Required value` */
export function invalid(kind: string, group: string, name: string, errors: FieldError[]): ApiError {
  const parts = errors.map((e) => `${e.field}: ${fieldErrorMessage(e)}`);
  const joined = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  return new ApiError(422, 'Invalid', `${kind}${group ? '.' + group : ''} "${name}" is invalid: ${joined}`, {
    name, group: group || undefined, kind,
    causes: errors.map((e) => ({ reason: e.type, message: fieldErrorMessage(e), field: e.field })),
  });
}
