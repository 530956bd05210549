import { rbacScenario } from './scenarios/rbac.ts';
import { startControlPlane } from './helpers/controlplane.ts';

// The Node entry with its control plane running (the ClusterRole aggregation controller acts on change events).
rbacScenario('Node entry, memory store', () => startControlPlane({ mode: 'live' }));
