import { coreScenario } from './scenarios/core.ts';
import { startNodeServer } from './helpers/server.ts';

coreScenario('Node entry, memory store', () => startNodeServer());
