import { coreScenario } from './scenarios/core.ts';
import { startNodeServer } from '../harness/server.ts';

coreScenario('Node entry, memory store', () => startNodeServer());
