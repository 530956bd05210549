/**
 * The remote command protocol over WebSocket (k8s.io/apimachinery wsstream and
 * client-go's remotecommand), as kubectl v1.30+ speaks it. Every message is one binary
 * frame: a channel byte, then data. Channels: 0 stdin, 1 stdout, 2 stderr, 3 error (one
 * metav1.Status, the process's end), 4 resize (JSON {"Width","Height"}); v5 adds 255, whose
 * one data byte names a channel the client closed (stdin's EOF). v4 is v5 without 255.
 * v1–v3 (plain-text errors) are not offered: kubectl has asked for v5 first since 1.30.
 */

export const channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

/** What this server speaks, best first. */
export const servedProtocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;
export type ServedProtocol = (typeof servedProtocols)[number];

export function chooseProtocol(offered: string[]): ServedProtocol | undefined {
  return servedProtocols.find((p) => offered.includes(p));
}

const encoder = new TextEncoder();

export function frame(ch: number, data: string | Uint8Array): Uint8Array {
  const bytes = typeof data === 'string' ? encoder.encode(data) : data;
  const out = new Uint8Array(bytes.length + 1);
  out[0] = ch;
  out.set(bytes, 1);
  return out;
}

/** The metav1.Status written on the error channel (json.Marshal of it: no kind, no apiVersion). */
export interface StreamStatus {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { causes: Array<{ reason?: string; message: string }> };
  code?: number;
}

/** The error channel's Status for an exit code, as the kubelet's remotecommand server writes it (v4+). */
export function exitStatus(code: number, argv: string[]): StreamStatus {
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {}, status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${argv.join(' ')}], error: command terminated with exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

/** A failure before the process started (the kubelet's, as kube-apiserver's stream translator relays it: InternalError). */
export function internalErrorStatus(message: string): StreamStatus {
  return { metadata: {}, status: 'Failure', message: `Internal error occurred: ${message}`, reason: 'InternalError', details: { causes: [{ message }] }, code: 500 };
}
