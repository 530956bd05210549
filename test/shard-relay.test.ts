import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultRelayPace, RelayBuckets, relayPaceFromEnv } from '../src/entry/shard-relay.ts';

/** The sharded front's per-cluster pacing of answer bytes (shard-relay.ts), on a hand-moved clock. */
describe('the front\'s answer pacing', () => {
  const pace = { bytesPerSecond: 1000, burstBytes: 500 };

  it('lets a burst through, then makes a cluster wait for what it spent past it; others are not charged', () => {
    let now = 0;
    const buckets = new RelayBuckets(pace, () => now);
    assert.equal(buckets.spend('attacker', 500), 0);
    assert.equal(buckets.spend('attacker', 250), 250); // 250 bytes past the burst at 1,000/s
    assert.equal(buckets.spend('victim', 400), 0);
    now += 250;
    assert.equal(buckets.spend('attacker', 0), 0);
    now += 10_000; // refilled, but never past the burst
    assert.equal(buckets.spend('attacker', 500), 0);
    assert.equal(buckets.spend('attacker', 1), 1);
  });

  it('forgets clusters whose bucket refilled, so made-up names in paths cannot grow it without bound', () => {
    let now = 0;
    const buckets = new RelayBuckets(pace, () => now);
    for (let i = 0; i < 10_000; i++) buckets.spend(`made-up-${i}`, 10);
    assert.equal(buckets.size, 10_000);
    now += 1000;
    buckets.spend('one-more', 10);
    assert.equal(buckets.size, 1);
  });

  it('reads FRONT_BYTES_PER_SECOND (a burst of a quarter of it), and ignores what is not a positive number', () => {
    assert.deepEqual(relayPaceFromEnv({ FRONT_BYTES_PER_SECOND: '8388608' }), { bytesPerSecond: 8_388_608, burstBytes: 2_097_152 });
    assert.deepEqual(relayPaceFromEnv({}), defaultRelayPace);
    assert.deepEqual(relayPaceFromEnv({ FRONT_BYTES_PER_SECOND: 'fast' }), defaultRelayPace);
    assert.deepEqual(relayPaceFromEnv({ FRONT_BYTES_PER_SECOND: '-5' }), defaultRelayPace);
  });
});
