import { relaxedLimits, startNodeServer } from '../harness/server.ts';
import { keepAliveBodiesScenario } from './scenarios/keepAliveBodies.ts';

/** The Node entry (its TLS server); the sharded entry's front runs the same in e2e-shards-node. */
keepAliveBodiesScenario('Node entry', async () => {
  const server = await startNodeServer({}, { limits: relaxedLimits });
  return { url: `${server.url}/api/v1/namespaces/default/configmaps`, token: await server.token(), close: () => server.close() };
});
