import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { kubeconfig } from '../tenancy/kubeconfig.ts';

/**
 * The local state folder (.apiserverless, or APISERVERLESS_STATE) both local
 * starts share: secrets made once and kept, the kubeconfig and token they write.
 */
export function localState() {
  const dir = resolve(process.env.APISERVERLESS_STATE ?? '.apiserverless');
  mkdirSync(dir, { recursive: true });
  const persisted = (name: string, make: () => string): string => {
    const file = join(dir, name);
    if (!existsSync(file)) writeFileSync(file, make(), { mode: 0o600 });
    return readFileSync(file, 'utf8').trim();
  };
  return {
    dir,
    jwtSecret: process.env.APISERVERLESS_JWT_SECRET ?? persisted('jwt-secret', () => randomBytes(32).toString('hex')),
    adminToken: process.env.APISERVERLESS_ADMIN_TOKEN ?? persisted('admin-token', () => randomBytes(24).toString('hex')),

    /** Writes the default cluster's kubeconfig and token (the admin token of its current uid). */
    writeKubeconfig(token: string, port: number): { token: string; kubeconfigPath: string; tokenPath: string } {
      // The URL this start serves, for the teacher's CLI (`npx apiserverless cluster …`) to find it on any PORT.
      writeFileSync(join(dir, 'server'), `https://localhost:${port}\n`, { mode: 0o600 });
      const kubeconfigPath = join(dir, 'kubeconfig'), tokenPath = join(dir, 'token');
      writeFileSync(kubeconfigPath, kubeconfig({ server: `https://localhost:${port}`, cluster: 'default', user: 'kubernetes-admin', token, insecure: true }), { mode: 0o600 });
      writeFileSync(tokenPath, token, { mode: 0o600 });
      return { token, kubeconfigPath, tokenPath };
    },
  };
}

export function startedMessage(what: string, port: number, paths: { kubeconfigPath: string; tokenPath: string }, extra = ''): string {
  return `${what} is serving the cluster "default" at https://localhost:${port}
${extra}
  export KUBECONFIG=${paths.kubeconfigPath}
  kubectl get nodes

The token is in ${paths.tokenPath}; press Ctrl+C to stop.`;
}

/** The bearer token of a kubeconfig this server issued (one user, `token: <jwt>`). */
export function tokenOf(kubeconfigText: string): string {
  const token = /^\s*token:\s*(\S+)\s*$/m.exec(kubeconfigText)?.[1];
  if (!token) throw new Error('the kubeconfig holds no token');
  return token;
}
