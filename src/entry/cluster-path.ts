/** The cluster a request path names, as the app will read it (a `/clusters/<name>` segment is percent-decoded). */
export function clusterOfPath(path: string): string {
  if (!path.startsWith('/clusters/')) return 'default';
  const segment = path.slice('/clusters/'.length).split('/')[0];
  try { return decodeURIComponent(segment); } catch { return segment; }
}
