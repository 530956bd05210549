import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { programFor } from '../src/runtime/programs.ts';
import { runShell } from '../src/runtime/shell.ts';
import type { ProgramInput } from '../src/runtime/timeline.ts';
import { exitOf, linesBetween } from '../src/runtime/timeline.ts';
import { demand, oomKilled, usage } from '../src/runtime/usage.ts';
import { expand } from '../src/runtime/podenv.ts';
import { fatalFailures, probeAt } from '../src/runtime/probes.ts';

/** The container runtime simulation: what a container prints and how it ends, from its spec alone. */
describe('container programs', () => {
  const input = { image: 'busybox', hostname: 'web-0' };

  it('a shell script prints, sleeps and exits on the virtual clock', () => {
    const program = programFor({ ...input, command: ['sh', '-c', 'echo one; sleep 2; echo two; exit 3'] });
    assert.deepEqual(exitOf(program), { afterMs: 2100, code: 3 });
    assert.deepEqual(linesBetween(program, 0, 0, 10_000).map((l) => [l.at, l.text]), [[0, 'one'], [2000, 'two']]);
  });

  it('a control-plane component prints its klog start-up lines and keeps running', () => {
    const program = programFor({ image: 'registry.k8s.io/kube-apiserver:v1.35.0', hostname: 'cp', command: ['kube-apiserver', '--secure-port=6443'] });
    assert.equal(exitOf(program), undefined);
    const lines = linesBetween(program, 0, 0, 1000);
    assert.ok(lines.length >= 3);
    assert.match(lines[0].text, /^I\d{4} \d\d:\d\d:\d\d\.\d{6} {7}1 options\.go:249\] /);
  });

  it('a command named like an Object property is just an unknown command, not a crash', () => {
    for (const command of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const program = programFor({ ...input, command: [command] });
      assert.equal(program.ending.kind, 'forever');
      assert.deepEqual(linesBetween(program, 0, 0, 10_000), []);
    }
  });

  it('an image with no command prints what its entrypoint prints', () => {
    const program = programFor({ image: 'nginx:1.27', hostname: 'web-0' });
    assert.equal(program.ending.kind, 'forever');
    assert.ok(linesBetween(program, 0, 0, 1000).some((l) => l.text.includes('start worker processes')));
  });
});

describe('the shell', () => {
  const input: ProgramInput = { image: 'busybox', hostname: 'web', files: { '/t/token': 'abc.def\n' }, env: [{ name: 'MODE', value: 'prod' }] };
  const printed = (script: string) => runShell(['sh', '-c', script], input).out.map((t) => `${t.stderr ? '! ' : ''}${typeof t.text === 'string' ? t.text : t.text(0)}`);

  it('$(…) runs its script and puts its output in place, quoted or not, nested; NAME=value and export set variables', () => {
    assert.deepEqual(printed('echo "Bearer $(cat /t/token)"'), ['Bearer abc.def']);
    assert.deepEqual(printed('TOKEN=$(cat /t/token); echo "T=$TOKEN"'), ['T=abc.def']);
    assert.deepEqual(printed('export A=1 B=$MODE; echo $A $B'), ['1 prod']);
    assert.deepEqual(printed('echo $(echo $(echo nested)) $(hostname)'), ['nested web']);
    assert.deepEqual(printed("echo $(echo ')') done"), [') done']);
    // Its errors still show; its status is the assignment's.
    assert.deepEqual(printed('X=$(cat /nope); echo $?'), ["! cat: can't open '/nope': No such file or directory", '1']);
  });

  it('the filters students pipe through: sort, uniq, cut, tr, base64, tee; date with a format', () => {
    const lines: ProgramInput = { ...input, files: { '/l': 'b\na\nc\na\n', '/p': 'root:x:0:0\ndaemon:x:1:1\n' }, exec: {} };
    const out = (script: string) => runShell(['sh', '-c', script], lines).out.map((t) => `${t.stderr ? '! ' : ''}${typeof t.text === 'string' ? t.text : t.text(0)}`);
    assert.deepEqual(out('sort /l'), ['a', 'a', 'b', 'c']);
    assert.deepEqual(out('sort -ru /l'), ['c', 'b', 'a']);
    assert.deepEqual(out('sort /l | uniq -c'), ['      2 a', '      1 b', '      1 c']);
    assert.deepEqual(out('cut -d: -f1,3 /p'), ['root:0', 'daemon:1']);
    assert.deepEqual(out('echo hello | tr a-z A-Z; echo hello | tr -d l'), ['HELLO', 'heo']);
    // Many wide ranges build one bounded set (a plane's code points), not one per range.
    assert.deepEqual(out(`echo abc | tr '${'!-\uffff'.repeat(200)}' x`), ['xxx']);
    assert.deepEqual(out('echo hi | base64; echo aGkK | base64 -d'), ['aGkK', 'hi']);
    assert.deepEqual(out('echo x | tee /t; cat /t'), ['x', 'x']);
    // date renders when printed (here at the epoch): busybox's default form, or a +FORMAT.
    assert.deepEqual(out('date; date +%F_%T; date "+%s %Z"'), ['Thu Jan  1 00:00:00 UTC 1970', '1970-01-01_00:00:00', '0 UTC']);
    // An exec'd command that keeps date's output (a file, a pipe, a $(…)) keeps the time it ran at.
    const later = runShell(['sh', '-c', 'date +%s > /t; cat /t; date +%F | cat; echo "at $(date +%H:%M)"'], { ...lines, exec: { now: 86_400_000 } });
    assert.deepEqual(later.out.map((t) => (typeof t.text === 'string' ? t.text : t.text(86_400_000))), ['86400', '1970-01-02', 'at 00:00']);
  });

  it('id, ps, df and mount describe the container: its command as PID 1, its volumes as mounts', () => {
    const box: ProgramInput = { ...input, command: ['sleep', '3600'], exec: {}, mounts: [{ path: '/etc/config', readOnly: true, tmpfs: false }, { path: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true, tmpfs: true }] };
    const out = (script: string, given = box) => runShell(['sh', '-c', script], given).out.map((t) => `${t.stderr ? '! ' : ''}${typeof t.text === 'string' ? t.text : t.text(0)}`);
    assert.deepEqual(out('id'), ['uid=0(root) gid=0(root) groups=0(root),10(wheel)']);
    assert.deepEqual(out('ps'), ['PID   USER     TIME  COMMAND', '    1 root      0:00 sleep 3600', '    7 root      0:00 ps']);
    assert.deepEqual(out('ps', { ...box, image: 'nginx' }), ['! sh: ps: not found'], 'the nginx image has no procps');
    assert.deepEqual(out('mount | grep -e config -e serviceaccount'), ['/dev/sda1 on /etc/config type ext4 (ro,relatime)', 'tmpfs on /var/run/secrets/kubernetes.io/serviceaccount type tmpfs (ro,relatime,size=3930112k)']);
    assert.deepEqual(out('df -h | head -3'), ['Filesystem                Size      Used Available Use% Mounted on', 'overlay                  96.7G     12.3G     84.4G  13% /', 'tmpfs                    64.0M         0     64.0M   0% /dev']);
    assert.match(out('df').join('\n'), /^\/dev\/sda1\s+101430960\s+12897172\s+88533788\s+13% \/etc\/config$/m);
  });
});

describe('what the kubelet gives a container', () => {
  it('usage: stress asks for what its flags say, other images use an idle footprint; a limit below it is an OOM kill', () => {
    const stress = { image: 'polinux/stress', command: ['stress'], args: ['--vm', '1', '--vm-bytes', '250M', '--cpu', '2'] };
    assert.deepEqual(demand(stress), { cpuMillis: 3000, memoryBytes: 251 * 1024 * 1024 });
    assert.equal(usage(stress, { cpu: '500m' }).cpuMillis, 500);
    assert.equal(oomKilled(stress, { memory: '100Mi' }), true);
    assert.equal(oomKilled(stress, { memory: '1Gi' }), false);
    assert.equal(oomKilled({ image: 'nginx' }, { memory: '64Mi' }), false);
  });

  it('$(VAR) expands from what is defined, $$ escapes, an unknown name stays as written', () => {
    const vars: Record<string, string> = { A: 'x' };
    assert.equal(expand('$(A)-$(B)-$$(A)-$', (n) => vars[n]), 'x-$(B)-$(A)-$');
  });

  it('an exec probe sees the files the program wrote by then', () => {
    const input = { image: 'busybox', hostname: 'p', args: ['sh', '-c', 'touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600'] };
    const ctx = { program: programFor(input), input, jitterMs: 0 };
    const probe = { exec: { command: ['cat', '/tmp/healthy'] }, initialDelaySeconds: 5, periodSeconds: 5 };
    assert.equal(probeAt(probe, ctx, 10_000).ok, true);
    const fatal = fatalFailures(probe, ctx, 0, 0)!;
    assert.deepEqual(fatal.map((f) => f.at), [30_000, 35_000, 40_000]);
    assert.equal(fatal[0].result.output, "cat: can't open '/tmp/healthy': No such file or directory");
  });
});
