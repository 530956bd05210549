import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backgroundPace, nextTurn, turnPacer } from '../src/apimachinery/nextTurn.ts';
import { discardQueue, systemClock, type Ports } from '../src/ports.ts';
import { Catalog } from '../src/registry/catalog.ts';
import { resources } from '../src/registry/resources/index.ts';
import { hmacKeys } from '../src/server/keys.ts';
import { MemoryClusterStore, MemoryStore } from '../src/storage/memory.ts';
import { provisionInStore } from '../src/tenancy/provision.ts';
import { defaultClusterRecord, testSecret } from '../harness/server.ts';

/** Counts the loop's turns (setImmediate callbacks) until stopped. */
function turnCounter(): { turns(): number; stop(): void } {
  let turns = 0, counting = true;
  const tick = () => { if (counting) { turns++; setImmediate(tick); } };
  setImmediate(tick);
  return { turns: () => turns, stop: () => { counting = false; } };
}

describe('long background work gives the shared loop back (nextTurn.ts turnPacer)', () => {
  it('waiters for a turn are let go one per turn, in the order they asked: a turn holds one slice of expensive work, not all that asked at once', async () => {
    const counter = turnCounter();
    const resolvedOn: number[] = [];
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3].map((i) => nextTurn().then(() => { order.push(i); resolvedOn.push(counter.turns()); })));
    counter.stop();
    assert.deepEqual(order, [0, 1, 2, 3]);
    assert.equal(new Set(resolvedOn).size, 4, `four waiters, four turns (let go on turns ${resolvedOn.join(', ')})`);
  });

  it('within its budget the pacer never yields; past it, concurrent callers wait for one turn and share the next budget', async () => {
    let clock = 0;
    const pace = turnPacer(4, () => clock);
    const counter = turnCounter();
    for (let i = 0; i < 3; i++) { clock += 1; await pace(); }
    assert.equal(counter.turns(), 0, 'no turn given back within 4 ms of work');
    clock += 2; // 5 ms since the start: the budget is spent
    const waits = [pace(), pace(), pace()];
    assert.equal(new Set(waits).size, 1, 'three callers, one turn to wait for');
    await Promise.all(waits);
    assert.equal(counter.turns(), 1);
    await pace();
    clock += 3;
    await pace();
    assert.equal(counter.turns(), 1, 'the budget starts again after the turn');
    counter.stop();
  });

  it('a new cluster’s content is made on turns of the loop, never hundreds of objects in one stretch', async () => {
    const ports: Ports = { store: new MemoryStore(), queue: discardQueue, clock: systemClock, keys: hmacKeys(testSecret) };
    const catalog = new Catalog(resources);
    // Every paced step on a turn of its own (budget 0), and the creates counted per turn: without
    // the pacer all of a cluster's ~300 objects are made in one stretch of the loop.
    const create = MemoryClusterStore.prototype.create;
    let inTurn = 0, most = 0, total = 0, counting = true;
    MemoryClusterStore.prototype.create = function (...args) { inTurn++; total++; most = Math.max(most, inTurn); return create.apply(this, args); };
    const tick = () => { inTurn = 0; if (counting) setImmediate(tick); };
    setImmediate(tick);
    backgroundPace.budgetMs = 0;
    try {
      await provisionInStore(ports, catalog, { ...defaultClusterRecord(), name: 'paced' });
    } finally {
      backgroundPace.budgetMs = 4;
      MemoryClusterStore.prototype.create = create;
      counting = false;
    }
    assert.ok(total > 200, `${total} objects created`);
    assert.ok(most <= 16, `${most} of ${total} creates in one turn of the loop (createEach runs 16 at a time)`);
  });
});
