import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FairTurns } from '../src/entry/fair-turns.ts';
import { serveBehindFront } from '../src/entry/node.ts';

/** Runs every immediate asked for, one turn at a time, when the test says. */
function manualTurns(): { immediate: (callback: () => void) => void; turn(): void; asked(): number } {
  let due: Array<() => void> = [];
  return {
    immediate: (callback) => { due.push(callback); },
    turn: () => { const now = due; due = []; for (const callback of now) callback(); },
    asked: () => due.length,
  };
}

describe('each cluster starts at most two requests a turn of the shared loop (fair-turns.ts)', () => {
  it('a burst of one cluster waits for later turns, one start each; another cluster\'s request in the same turn starts at once', async () => {
    const turns = manualTurns();
    const fair = new FairTurns(2, turns.immediate);
    const order: string[] = [];
    const done = [
      ...Array.from({ length: 6 }, (_, i) => fair.run('attacker', () => { order.push(`attacker-${i}`); })),
      fair.run('victim', () => { order.push('victim'); }),
    ];
    assert.deepEqual(order, ['attacker-0', 'attacker-1', 'victim'], 'two of the burst and the other cluster\'s start in the turn they came');
    assert.equal(fair.waiting, 4);
    turns.turn();
    assert.deepEqual(order.slice(3), ['attacker-2'], 'each later turn starts one more, in the order they came');
    fair.run('victim', () => { order.push('victim-again'); });
    assert.deepEqual(order.slice(4), ['victim-again'], 'the other cluster, with nothing waiting, still starts at once');
    for (let i = 0; i < 3; i++) turns.turn();
    assert.deepEqual(order.slice(5), ['attacker-3', 'attacker-4', 'attacker-5']);
    assert.equal(fair.waiting, 0);
    await Promise.all(done);
    turns.turn();
    assert.equal(turns.asked(), 0, 'an idle loop asks for no more turns');
  });

  it('a cluster\'s requests start in the order they came, even one that comes while others of its own wait', () => {
    const turns = manualTurns();
    const fair = new FairTurns(2, turns.immediate);
    const order: number[] = [];
    for (let i = 0; i < 3; i++) void fair.run('a', () => { order.push(i); });
    turns.turn(); // the waiting one starts and counts as this turn's first
    void fair.run('a', () => { order.push(3); });
    void fair.run('a', () => { order.push(4); });
    assert.deepEqual(order, [0, 1, 2, 3], 'the second of the new turn starts at once');
    void fair.run('a', () => { order.push(5); });
    turns.turn();
    assert.deepEqual(order, [0, 1, 2, 3, 4], 'the one past two waits behind the one already waiting');
    turns.turn();
    assert.deepEqual(order, [0, 1, 2, 3, 4, 5]);
  });

  it('settles as the work does: a value, a rejection, a throw', async () => {
    const fair = new FairTurns(1, manualTurns().immediate);
    assert.equal(await fair.run('a', () => 7), 7);
    await assert.rejects(fair.run('b', () => Promise.reject(new Error('no'))), /no/);
    await assert.rejects(fair.run('c', () => { throw new Error('thrown'); }), /thrown/);
  });
});

describe('requests that reach the server together: another cluster\'s is not served behind a burst', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fair-turns-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Sends `requests` at once, each on a connection of its own, to a shard serving the app given; the order their handlers started in. */
  async function startOrder(requests: Array<{ path: string; token: string }>, name: string): Promise<string[]> {
    const started: string[] = [];
    const socketPath = join(dir, `${name}.sock`);
    const server = await serveBehindFront((request) => {
      started.push(`${new URL(request.url).pathname.split('/')[2]}:${request.headers.get('authorization')}`);
      return new Response('ok');
    }, socketPath);
    const sockets: Socket[] = [];
    try {
      for (const _ of requests) {
        const socket = connect(socketPath);
        await new Promise((resolve) => socket.once('connect', resolve));
        sockets.push(socket);
      }
      const answered = sockets.map((socket) => new Promise<void>((resolve) => socket.once('data', () => resolve())));
      // Written in one go from this process: the server reads them all in its next turn, in this order.
      sockets.forEach((socket, i) => socket.write(`GET ${requests[i].path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${requests[i].token}\r\n\r\n`));
      await Promise.all(answered);
      return started;
    } finally {
      for (const socket of sockets) socket.destroy();
      await server.close();
    }
  }

  it('12 requests of one cluster and 1 of another read in the same turn: the other\'s handler runs among the first three, not thirteenth', async () => {
    const started = await startOrder([...Array.from({ length: 12 }, () => ({ path: '/clusters/attacker/api', token: 'a' })), { path: '/clusters/victim/api', token: 'v' }], 'burst');
    assert.equal(started.length, 13);
    assert.ok(started.indexOf('victim:Bearer v') <= 2, `handlers ran in this order: ${started.join(', ')}`);
  });

  it('requests naming the other cluster without its token do not spend its turns', async () => {
    const started = await startOrder([...Array.from({ length: 12 }, () => ({ path: '/clusters/victim/api', token: 'forged' })), { path: '/clusters/victim/api', token: 'v' }], 'forged');
    assert.ok(started.indexOf('victim:Bearer v') <= 2, `handlers ran in this order: ${started.join(', ')}`);
  });
});
