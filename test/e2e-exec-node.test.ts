import { execScenario, type ExecEntry } from './scenarios/exec.ts';
import { networkScenario } from './scenarios/network.ts';
import { idleSessionScenario } from './scenarios/execIdle.ts';
import { nodeShellScenario } from './scenarios/nodeShell.ts';
import { startControlPlane } from './helpers/controlplane.ts';

// The Node entry (its own WebSocket framing) with the control plane live, ten times faster than real time.
async function open(): Promise<ExecEntry> {
  const cluster = await startControlPlane({ mode: 'live', timeScale: 0.1 });
  return { kubeconfig: (name, token) => cluster.kubeconfig(name, token), token: (name, o) => cluster.token(name, o), close: () => cluster.close() };
}

execScenario('Node entry, memory store', open);
networkScenario('Node entry, memory store', open);
idleSessionScenario('Node entry, memory store', open);
nodeShellScenario('Node entry, memory store', open);
