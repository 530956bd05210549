import assert from 'node:assert/strict';
import { connect, type PeerCertificate } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { Kubectl } from '../harness/kubectl.ts';
import { startNodeServer, type TestServer } from '../harness/server.ts';

/**
 * The Node entry's self-signed serving certificate is ECDSA P-256 (src/entry/node.ts): a full
 * TLS handshake, the work a server does before it knows the tenant, costs it less than with
 * RSA-2048, and kubectl speaks to it as to any kubeadm cluster.
 */
describe('the Node entry serves an ECDSA P-256 certificate', () => {
  let server: TestServer;
  before(async () => { server = await startNodeServer(); });
  after(() => server?.close());

  it('its certificate names localhost and 127.0.0.1 and carries a P-256 key; kubectl v1.35 works through it', { timeout: 60_000 }, async () => {
    const certificate = await new Promise<PeerCertificate>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: server.port, rejectUnauthorized: false }, () => {
        resolve(socket.getPeerCertificate());
        socket.end();
      });
      socket.on('error', reject);
    });
    assert.equal((certificate as PeerCertificate & { asn1Curve?: string }).asn1Curve, 'prime256v1');
    assert.equal(certificate.bits, 256);
    assert.equal(certificate.subjectaltname, 'DNS:localhost, IP Address:127.0.0.1');
    const kubectl = new Kubectl(await server.kubeconfig());
    const namespaces = await kubectl.ok(['get', 'namespaces', '-o', 'name']);
    assert.match(namespaces, /^namespace\/default$/m);
  });
});
