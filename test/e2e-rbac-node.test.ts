import { rbacScenario } from './scenarios/rbac.ts';
import { startNodeServer } from '../harness/server.ts';

rbacScenario('Node entry, memory store', () => startNodeServer());
