import * as v from 'valibot';
import type { Check, Json, Manifest, ObjectRef, Write } from './types.ts';

/**
 * Graded exercises as data: the task a student reads, how a cluster is set up for it (a
 * break-and-fix scenario and/or writes), the checks on API state that grade it (the same
 * vocabulary as the scenarios' checks, checks.ts), and two solutions the test suite runs:
 * the reference one (graded 100%) and a plausible mistake (graded less). An exercise is a
 * YAML file (exercises/*.yaml ships 25); `parseExercise` checks one whole before it is used.
 */

/** The five domains of the CKA curriculum (v1.32+), by the short names exercise files use. */
export const domains = {
  architecture: 'Cluster Architecture, Installation and Configuration',
  workloads: 'Workloads and Scheduling',
  networking: 'Services and Networking',
  storage: 'Storage',
  troubleshooting: 'Troubleshooting',
} as const;
export type Domain = keyof typeof domains;

/** `kubectl exec -n NAMESPACE POD [-c CONTAINER] -- COMMAND…`, as a step of a solution. */
export interface ExecStep { exec: { namespace: string; pod: string; container?: string; command: string[] } }

/**
 * One thing a student does: a write (server-side apply of a manifest, a merge patch, a delete)
 * or an exec. `kubectl` is the command line a student would type for it where that is not the
 * obvious `kubectl apply -f` / `patch` / `delete` / `exec` (a `kubectl scale`, `create role`…):
 * what `exercise show --solution` prints and what the tests run with the real kubectl.
 */
export type Step = (Write | ExecStep) & { kubectl?: string };

export interface Exercise {
  name: string;
  domain: Domain;
  title: string;
  /** What the student reads. */
  task: string;
  setup: { scenario?: string; steps?: Step[] };
  checks: Check[];
  solution: Step[];
  /** A plausible mistake: graded below 100% by the same checks. */
  wrong: Step[];
}

const json: v.GenericSchema<Json> = v.lazy(() => v.union([v.null(), v.boolean(), v.number(), v.string(), v.array(json), v.record(v.string(), json)]));
const name = v.pipe(v.string(), v.minLength(1));
const ref: v.GenericSchema<ObjectRef> = v.strictObject({ apiVersion: name, kind: name, namespace: v.optional(name), name });
const manifest = v.pipe(v.looseObject({ apiVersion: name, kind: name, metadata: v.looseObject({ name, namespace: v.optional(name) }) }), v.transform((m) => m as Manifest));
const labels = v.record(v.string(), v.string());
const condition = {
  equals: v.optional(json), notEquals: v.optional(json), atLeast: v.optional(v.number()), matches: v.optional(v.string()), absent: v.optional(v.literal(true)),
};
const kubectl = { kubectl: v.optional(v.pipe(v.string(), v.startsWith('kubectl '))) };

const step = v.union([
  v.strictObject({ apply: manifest, ...kubectl }),
  v.strictObject({ patch: ref, merge: json, ...kubectl }),
  v.strictObject({ delete: ref, ...kubectl }),
  v.strictObject({ onNode: name, script: name, ...kubectl }),
  v.strictObject({ exec: v.strictObject({ namespace: name, pod: name, container: v.optional(name), command: v.pipe(v.array(v.string()), v.minLength(1)) }), ...kubectl }),
], 'a step is one of apply (a manifest), patch + merge, delete (an object reference), onNode + script or exec, with an optional kubectl command line');

const says = { says: name };
const check = v.union([
  v.strictObject({ ...says, field: v.strictObject({ object: ref, path: name, ...condition }) }),
  v.strictObject({ ...says, canI: v.strictObject({ user: name, groups: v.optional(v.array(name)), verb: name, resource: name, subresource: v.optional(name), group: v.optional(v.string()), namespace: v.optional(name) }), allowed: v.boolean() }),
  v.strictObject({ ...says, networkAllows: v.strictObject({ namespace: name, from: labels, to: labels, port: v.number() }), allowed: v.boolean() }),
  v.strictObject({ ...says, count: v.strictObject({ apiVersion: name, kind: name, namespace: v.optional(name), labelSelector: v.optional(v.string()), where: v.optional(v.array(v.strictObject({ path: name, ...condition }))), atLeast: v.optional(v.number()), atMost: v.optional(v.number()) }) }),
  v.strictObject({ ...says, certificateFor: v.strictObject({ user: name }) }),
  v.strictObject({ ...says, file: v.strictObject({ namespace: name, pod: name, container: v.optional(name), path: v.pipe(v.string(), v.startsWith('/')), matches: v.optional(v.string()), absent: v.optional(v.literal(true)) }) }),
], 'a check is says plus one of field, canI (with allowed), networkAllows (with allowed), count, file or certificateFor');

const exercise = v.strictObject({
  apiVersion: v.literal('apiserverless.dev/v1'),
  kind: v.literal('Exercise'),
  name: v.pipe(v.string(), v.regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a name is lowercase letters, digits and dashes')),
  domain: v.picklist(Object.keys(domains) as Domain[]),
  title: name,
  task: name,
  setup: v.optional(v.strictObject({ scenario: v.optional(name), steps: v.optional(v.array(step)) }), {}),
  checks: v.pipe(v.array(check), v.minLength(1)),
  solution: v.pipe(v.array(step), v.minLength(1)),
  wrong: v.pipe(v.array(step), v.minLength(1)),
});

/** The exercise a parsed YAML document declares; a mistake is thrown as one line per problem, with its place (`checks.2.field.path`). */
export function parseExercise(doc: unknown, where: string): Exercise {
  const parsed = v.safeParse(exercise, doc);
  if (parsed.success) return parsed.output as Exercise;
  const problems = parsed.issues.map((issue) => `  ${v.getDotPath(issue) ?? '(top)'}: ${issue.message}`);
  throw new Error(`${where} is not a valid exercise:\n${[...new Set(problems)].join('\n')}`);
}
