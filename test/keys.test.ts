import assert from 'node:assert/strict';
import { it } from 'node:test';
import * as jose from 'jose';
import { keysFromEnv } from '../src/server/keys.ts';

const secret = 'a-secret-that-is-long-enough-for-hs256-keys';

it('keysFromEnv verifies its own HS256 tokens and, with JWKS set, an external issuer\'s RS256 tokens', async () => {
  const { publicKey, privateKey } = await jose.generateKeyPair('RS256');
  const jwk = { ...(await jose.exportJWK(publicKey)), kid: 'k1', alg: 'RS256' };
  const keys = keysFromEnv(secret, { JWKS: JSON.stringify({ keys: [jwk] }), JWT_ISSUER: 'https://idp.example', JWT_AUDIENCE: 'students' });
  const own = await keys.sign({ sub: 'kubernetes-admin', groups: ['system:masters'], cluster: 'default', clusterUid: 'uid-1' });
  assert.equal((await keys.verify(own)).sub, 'kubernetes-admin');
  assert.equal((await keys.verify(own)).clusterUid, 'uid-1');
  // Our own tokens must be bound to a cluster uid; an external issuer's need not (it cannot know it).
  await assert.rejects(keys.verify(await keys.sign({ sub: 'kubernetes-admin', groups: [], cluster: 'default' })), /no cluster uid/);
  const external = await new jose.SignJWT({ groups: ['class'], cluster: 'alice' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setSubject('alice@example.edu').setIssuer('https://idp.example').setAudience('students').setExpirationTime('1h').sign(privateKey);
  assert.deepEqual(await keys.verify(external), { sub: 'alice@example.edu', groups: ['class'], cluster: 'alice', clusterUid: undefined, exp: jose.decodeJwt(external).exp });
  const wrongAudience = await new jose.SignJWT({ cluster: 'alice' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setSubject('x').setIssuer('https://idp.example').setAudience('others').sign(privateKey);
  await assert.rejects(keys.verify(wrongAudience));
  await assert.rejects(keys.verify('not.a.token'));
  // Without JWKS only our own tokens pass.
  await assert.rejects(keysFromEnv(secret, {}).verify(external));
});
