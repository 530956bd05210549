import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Kubectl, KubectlProcess } from '../../harness/kubectl.ts';
import { openScenario, type Entry } from './core.ts';

/**
 * Pods left to a scheduler that does not exist stay Pending and untouched wherever a scheduler
 * runs (the Worker's does), so each line the watch prints comes from the test's own kubectl, not
 * from how far the kubelet got before kubectl started watching.
 */
const unschedulable = '--overrides={"spec":{"schedulerName":"nobody"}}';

/** `kubectl get -w` sees every change another kubectl makes, streamed as it happens. */
export function watchScenario(label: string, open: () => Promise<Entry>) {
  describe(`kubectl get -w (${label})`, () => {
    let server: Entry, kubectl: Kubectl;
    openScenario(open, (opened) => ({ server, kubectl } = opened));

    it('prints a line for each change made while it runs', async () => {
      await kubectl.ok(['run', 'before', '--image=nginx', unschedulable]);
      const watch = new KubectlProcess(kubectl, ['get', 'pods', '-w']);
      try {
        await watch.waitFor(/^before\s+0\/1\s+Pending/m);
        await kubectl.ok(['run', 'during', '--image=nginx', unschedulable]);
        await watch.waitFor(/^during\s+0\/1\s+Pending/m);
        await kubectl.ok(['label', 'pod', 'during', 'tier=web']);
        await kubectl.ok(['delete', 'pod', 'before']);
        // the delete shows as a last line for `before` (kubectl prints the final state)
        await watch.waitFor(/^before[^\n]*\n(?:.*\n)*before\s+0\/1\s+(Pending|Terminating)/m);
        assert.match(watch.stdout.split('\n')[0], /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
      } finally {
        await watch.stop();
      }
    });

    it('a watch with a label selector sees only matching objects', async () => {
      const watch = new KubectlProcess(kubectl, ['get', 'pods', '-w', '-l', 'app=watched']);
      try {
        await kubectl.ok(['run', 'other', '--image=nginx', unschedulable]);
        await kubectl.ok(['run', 'watched', '--image=nginx', '--labels=app=watched', unschedulable]);
        await watch.waitFor(/^watched\s+0\/1\s+Pending/m);
        assert.doesNotMatch(watch.stdout, /^other\s/m);
      } finally {
        await watch.stop();
      }
    });
  });
}
