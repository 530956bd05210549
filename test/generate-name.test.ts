import assert from 'node:assert/strict';
import { it } from 'node:test';
import { startNodeServer } from '../harness/server.ts';

it('a generateName that collides is retried with a fresh name instead of failing AlreadyExists', async () => {
  const server = await startNodeServer();
  const real = Math.random;
  try {
    const registry = server.registry();
    const configmaps = server.catalog.find('', 'v1', 'configmaps')!;
    // The same "random" suffix twice, then a different one: the second create must still succeed.
    const values = [0.123456789, 0.123456789, 0.987654321];
    Math.random = () => values.shift() ?? real();
    const first = await registry.create(configmaps, 'default', { metadata: { generateName: 'gen-' } });
    const second = await registry.create(configmaps, 'default', { metadata: { generateName: 'gen-' } });
    assert.notEqual(first.metadata.name, second.metadata.name);
    assert.match(second.metadata.name!, /^gen-[a-z0-9]{5}$/);
  } finally {
    Math.random = real;
    await server.close();
  }
});
