import type { ClusterClient } from './clusterClient.ts';
export const scenarioList = () => '';
export async function scenarioCommand(_client: ClusterClient, _verb: string, _name: string | undefined, _out: (s: string) => void): Promise<number> { return 2; }
