import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Kubectl } from '../../harness/kubectl.ts';
import type { Entry } from './core.ts';

/**
 * `kubectl api-resources -o wide` against a real kube-apiserver's: test/reference/ holds 1.32's
 * list and what 1.35 adds (its README cites where each line comes from). Every built-in type is
 * served with the same name, short names, group-version, scope, kind, verbs and categories,
 * except the ones named below with the work that owns them.
 */
export const notYetServed: Record<string, string> = {
};

/** What this server serves beyond a bare kubeadm cluster's kube-apiserver, and why. */
export const servedBeyondReference: Record<string, string> = {
  'nodes.metrics.k8s.io': "metrics-server's APIService (kubectl top), which CKA clusters install",
  'pods.metrics.k8s.io': "metrics-server's APIService (kubectl top), which CKA clusters install",
  ...Object.fromEntries(['gatewayclasses', 'gateways', 'grpcroutes', 'httproutes', 'referencegrants'].map((plural) => [
    `${plural}.gateway.networking.k8s.io`, "the Gateway API standard channel's CRDs, which CKA clusters install (tenancy/bootstrapGatewayApi.ts)",
  ])),
};

const referenceFiles = ['kube-apiserver-1.32-api-resources.txt', 'kube-apiserver-1.35-additions.txt'];

/** The rows of an `api-resources -o wide` table, cut at the header's column starts (short names may be blank). */
export function parseApiResources(text: string): Map<string, string> {
  const [header, ...lines] = text.trimEnd().split('\n');
  const starts = [...header.matchAll(/\S+/g)].map((m) => m.index);
  const rows = new Map<string, string>();
  for (const line of lines) {
    const cells = starts.map((start, i) => line.slice(start, starts[i + 1]).trim());
    const [name, , apiVersion] = cells;
    const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
    rows.set(group ? `${name}.${group}` : name, cells.join(' | '));
  }
  return rows;
}

export function apiResourcesScenario(label: string, open: () => Promise<Entry>) {
  describe(`kubectl api-resources matches kube-apiserver 1.35 (${label})`, () => {
    let server: Entry;
    let ours: Map<string, string>;
    before(async () => {
      server = await open();
      ours = parseApiResources(await new Kubectl(await server.kubeconfig()).ok(['api-resources', '-o', 'wide']));
    });
    after(() => server.close());

    const reference = new Map(referenceFiles.flatMap((f) => [...parseApiResources(readFileSync(new URL(`../reference/${f}`, import.meta.url), 'utf8'))]));

    it('serves every built-in type of the reference the way it lists it, but the ones named with their owner', () => {
      const differences = [...reference].filter(([key, row]) => !(key in notYetServed) && ours.get(key) !== row).map(([key, row]) => `${key}\n  kube: ${row}\n  ours: ${ours.get(key) ?? '(not served)'}`);
      assert.deepEqual(differences, []);
    });

    it('names only types that are really missing, and serves nothing the reference lacks', () => {
      assert.deepEqual(Object.keys(notYetServed).filter((key) => ours.has(key) || !reference.has(key)), []);
      assert.deepEqual([...ours.keys()].filter((key) => !reference.has(key) && !(key in servedBeyondReference)), []);
    });
  });
}
