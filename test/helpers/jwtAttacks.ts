import { createHmac, generateKeyPairSync, type KeyObject } from 'node:crypto';
import * as jose from 'jose';
import { tokenAudience, tokenIssuer } from '../../src/server/keys.ts';

/**
 * Forged, broken and misplaced credentials, crafted with jose. Each says how a
 * correct server answers it: 401 (not authenticated) or 403 (authenticated, but
 * for another cluster).
 */

export interface Credential {
  name: string;
  /** Header values to send (a list sends the header more than once); none: no Authorization header. */
  authorization?: string | string[];
  /** Extra query parameters (tokens where no token belongs). */
  query?: string;
  /** Other headers (impersonation attempts). */
  headers?: Record<string, string>;
  /** The secret parts of what this credential shows the server (a JWT's signature, an opaque token), never to come back in a body or a log. */
  presented: string[];
  expect: 401 | 403;
}

const enc = new TextEncoder();
const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');
/** The default cluster's uid at the target (forgedTokens sets it): a near-miss differs from a valid token in one way only. */
let clusterUid: string | undefined;
const claims = (cluster = 'default') => ({ groups: ['system:masters', 'system:authenticated'], cluster, ...(clusterUid ? { cluster_uid: clusterUid } : {}) });
const now = () => Math.floor(Date.now() / 1000);

/** A token as the server issues it, before any mischief (issuer, audience, subject, cluster). */
function issued(cluster = 'default', header: jose.JWTHeaderParameters = { alg: 'HS256', typ: 'JWT' }) {
  return new jose.SignJWT(claims(cluster)).setProtectedHeader(header).setSubject('kubernetes-admin')
    .setIssuer(tokenIssuer).setAudience(tokenAudience).setIssuedAt();
}

/** Replaces one dot-separated part of a JWT. */
const withPart = (token: string, index: number, value: string) => token.split('.').map((p, i) => (i === index ? value : p)).join('.');

/** Changes one character in the middle of a base64url segment (the last one may only carry padding bits). */
function flipMiddle(segment: string): string {
  const i = Math.floor(segment.length / 2);
  return segment.slice(0, i) + (segment[i] === 'A' ? 'B' : 'A') + segment.slice(i + 1);
}

/**
 * Tokens that must not get in. `secret` is the deployment's HS256 secret (to build
 * near-misses that differ from a valid token in exactly one way); `serverPublicKey` is
 * public key material anyone can read off the TLS handshake (RS256/HS256 confusion).
 */
export async function forgedTokens(secret: string, serverPublicKeyPem: string, defaultClusterUid: string): Promise<Credential[]> {
  clusterUid = defaultClusterUid;
  const key = enc.encode(secret);
  const valid = await issued().sign(key);
  const [header, payload, signature] = valid.split('.');
  const validClaims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as object;
  const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const out: Array<Omit<Credential, 'presented' | 'expect'> & { expect?: 403 }> = [];
  const bearer = (name: string, token: string) => out.push({ name, authorization: `Bearer ${token}` });

  bearer('alg none', new jose.UnsecuredJWT(claims()).setSubject('kubernetes-admin').setIssuer(tokenIssuer).setAudience(tokenAudience).setIssuedAt().encode());
  bearer('alg none keeping the real signature', withPart(valid, 0, b64url('{"alg":"none","typ":"JWT"}')));
  bearer('alg "None" (case games)', withPart(withPart(valid, 0, b64url('{"alg":"None"}')), 2, ''));
  bearer('HS256 keyed with the server public key (RS256/HS256 confusion)', await issued().sign(enc.encode(serverPublicKeyPem)));
  bearer('RS256 signed by an attacker key', await issued('default', { alg: 'RS256', typ: 'JWT' }).sign(attacker.privateKey));
  bearer('RS256 header on an HMAC signature', hmacToken({ alg: 'RS256', typ: 'JWT' }, validClaims, secret));
  bearer('HS512 with the real secret', hmacToken({ alg: 'HS512', typ: 'JWT' }, validClaims, secret, 'sha512'));
  bearer('expired', await issued().setExpirationTime(now() - 3600).sign(key));
  bearer('expired a second ago', await issued().setExpirationTime(now() - 1).sign(key));
  bearer('not valid before next hour (nbf)', await issued().setNotBefore(now() + 3600).sign(key));
  bearer('wrong issuer', await issued().setIssuer('https://evil.example').sign(key));
  bearer('wrong audience', await issued().setAudience('kubernetes').sign(key));
  bearer('no issuer or audience', await new jose.SignJWT(claims()).setProtectedHeader({ alg: 'HS256' }).setSubject('kubernetes-admin').sign(key));
  bearer('no subject', await new jose.SignJWT(claims()).setProtectedHeader({ alg: 'HS256' }).setIssuer(tokenIssuer).setAudience(tokenAudience).sign(key));
  bearer('no cluster claim', await new jose.SignJWT({ groups: ['system:masters'] }).setProtectedHeader({ alg: 'HS256' }).setSubject('kubernetes-admin').setIssuer(tokenIssuer).setAudience(tokenAudience).sign(key));
  bearer('cluster claim of the wrong type', await new jose.SignJWT({ groups: ['system:masters'], cluster: ['default'] }).setProtectedHeader({ alg: 'HS256' }).setSubject('kubernetes-admin').setIssuer(tokenIssuer).setAudience(tokenAudience).sign(key));
  bearer('wrong key', await issued().sign(enc.encode('another-secret-that-is-long-enough-for-hs256!')));
  bearer('empty key', hmacToken({ alg: 'HS256', typ: 'JWT' }, validClaims, ''));
  bearer('tampered payload (another cluster, same signature)', withPart(valid, 1, b64url(JSON.stringify({ ...validClaims, cluster: 'someone-else', sub: 'system:admin' }))));
  bearer('tampered payload (one character)', withPart(valid, 1, flipMiddle(payload)));
  bearer('tampered signature', withPart(valid, 2, flipMiddle(signature)));
  bearer('signature removed', `${header}.${payload}.`);
  bearer('signature of another token', withPart(await issued('someone-else').sign(key), 2, signature));
  bearer('unknown critical header', hmacToken({ alg: 'HS256', crit: ['x-must-understand'], 'x-must-understand': true }, validClaims, secret));
  bearer('jku pointing at an attacker key set', await issued('default', { alg: 'RS256', jku: 'https://evil.example/jwks.json', kid: 'evil' }).sign(attacker.privateKey));
  bearer('embedded jwk of the attacker', await issued('default', { alg: 'RS256', jwk: await jose.exportJWK(attacker.publicKey) }).sign(attacker.privateKey));
  bearer('kid path traversal to an empty key', hmacToken({ alg: 'HS256', kid: '../../../../dev/null' }, validClaims, ''));
  bearer('JWE-shaped (five parts)', `${header}.${payload}.${signature}.${signature}.${signature}`);
  bearer('not a JWT', 'not-a-jwt-at-all-but-long-enough');
  bearer('base64 of the secret', Buffer.from(secret).toString('base64'));
  for (const kb of [10, 40]) {
    // base64url makes the token 4/3 of its claims
    const pad = 'x'.repeat(Math.ceil((kb * 1024 * 3) / 4));
    bearer(`oversized (${kb} KB, validly signed)`, await new jose.SignJWT({ ...claims(), pad }).setProtectedHeader({ alg: 'HS256' }).setSubject('kubernetes-admin').setIssuer(tokenIssuer).setAudience(tokenAudience).sign(key));
  }
  out.push({ name: 'valid token for another cluster', authorization: `Bearer ${await issued('someone-else').sign(key)}`, expect: 403 });
  // Bound to the cluster's uid: a token for an earlier cluster of the same name, or one naming no uid, is refused.
  bearer('validly signed, for an earlier cluster of the same name (another uid)', await new jose.SignJWT({ ...claims(), cluster_uid: 'a-deleted-cluster' }).setProtectedHeader({ alg: 'HS256' }).setSubject('kubernetes-admin').setIssuer(tokenIssuer).setAudience(tokenAudience).sign(key));
  bearer('validly signed, naming no cluster uid', await new jose.SignJWT({ groups: ['system:masters'], cluster: 'default' }).setProtectedHeader({ alg: 'HS256' }).setSubject('kubernetes-admin').setIssuer(tokenIssuer).setAudience(tokenAudience).sign(key));

  // The valid token, but not where a bearer token goes.
  out.push({ name: 'valid token in ?access_token=', query: `access_token=${valid}` });
  out.push({ name: 'valid token in ?token=', query: `token=${valid}` });
  out.push({ name: 'valid token without "Bearer "', authorization: valid });
  out.push({ name: 'valid token as Basic auth', authorization: `Basic ${b64url(`kubernetes-admin:${valid}`)}` });
  out.push({ name: 'valid token after "Token "', authorization: `Token ${valid}` });
  out.push({ name: 'two tokens in one header', authorization: `Bearer ${valid} Bearer ${valid}` });
  out.push({ name: 'a bad Authorization header before a good one', authorization: ['Bearer not-a-jwt-at-all-but-long-enough', `Bearer ${valid}`] });
  out.push({ name: 'Basic admin:admin', authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` });
  out.push({ name: 'empty bearer', authorization: 'Bearer ' });
  out.push({ name: 'bare "Bearer"', authorization: 'Bearer' });
  out.push({ name: 'no credentials at all' });
  out.push({ name: 'impersonation headers without a token', headers: { 'impersonate-user': 'system:admin', 'impersonate-group': 'system:masters', 'x-remote-user': 'admin', 'x-remote-group': 'system:masters' } });

  return out.map((c) => ({ ...c, expect: c.expect ?? 401, presented: presentedStrings(c) }));
}

/** HMAC over any header and payload, for algorithms and headers jose will not produce. */
function hmacToken(header: object, payload: object, secret: string, hash: 'sha256' | 'sha512' = 'sha256'): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
}

/**
 * The secret part of every token a credential carries: a JWT's signature (its header and
 * claims are readable by anyone), or an opaque token whole.
 */
function presentedStrings(c: Pick<Credential, 'authorization' | 'query'>): string[] {
  const values = [...[c.authorization ?? []].flat(), ...(c.query ? [c.query.slice(c.query.indexOf('=') + 1)] : [])];
  const out = new Set<string>();
  for (const value of values) {
    for (const token of value.replace(/^(Bearer|Basic|Token)\s+/, '').split(' ')) {
      const parts = token.split('.');
      const secret = parts.length >= 3 ? parts[parts.length - 1] : token;
      if (secret.length >= 20) out.add(secret);
    }
  }
  return [...out];
}

/** Credentials for the root admin API (/clusters): anything but the admin token is a 401. */
export function adminForgeries(adminToken: string, clusterToken: string): Credential[] {
  const list: Array<Omit<Credential, 'presented' | 'expect'>> = [
    { name: 'a valid cluster JWT', authorization: `Bearer ${clusterToken}` },
    { name: 'wrong admin token', authorization: 'Bearer wrong-admin-token-0123456789abcdef' },
    { name: 'admin token plus a character', authorization: `Bearer ${adminToken}x` },
    { name: 'admin token minus its last character', authorization: `Bearer ${adminToken.slice(0, -1)}` },
    { name: 'admin token uppercased', authorization: `Bearer ${adminToken.toUpperCase()}` },
    { name: 'admin token without "Bearer "', authorization: adminToken },
    { name: 'admin token as Basic auth', authorization: `Basic ${Buffer.from(`admin:${adminToken}`).toString('base64')}` },
    { name: 'admin token in ?token=', query: `token=${adminToken}` },
    { name: 'admin token in ?access_token=', query: `access_token=${adminToken}` },
    { name: 'empty bearer', authorization: 'Bearer ' },
    { name: 'no credentials at all' },
  ];
  return list.map((c) => ({ ...c, expect: 401, presented: presentedStrings(c) }));
}

/** An RSA key pair and its public JWKS, for a deployment that verifies RS256 tokens. */
export async function rsaIssuer(): Promise<{ privateKey: KeyObject; publicPem: string; jwks: jose.JSONWebKeySet }> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...(await jose.exportJWK(publicKey)), alg: 'RS256', kid: 'issuer-1', use: 'sig' };
  return { privateKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), jwks: { keys: [jwk] } };
}

/** Tokens against a JWKS (RS256) deployment: the classic confusions of asymmetric verification. An external issuer names no cluster uid. */
export async function jwksForgeries(issuer: Awaited<ReturnType<typeof rsaIssuer>>): Promise<{ valid: string; attacks: Credential[] }> {
  clusterUid = undefined;
  const sign = (header: jose.JWTHeaderParameters, key: KeyObject | Uint8Array, cluster = 'default') => issued(cluster, header).sign(key);
  const valid = await sign({ alg: 'RS256', kid: 'issuer-1' }, issuer.privateKey);
  const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwkJson = JSON.stringify(issuer.jwks.keys[0]);
  const tokens: Array<[string, string]> = [
    ['HS256 keyed with the public key PEM', await sign({ alg: 'HS256', kid: 'issuer-1' }, enc.encode(issuer.publicPem))],
    ['HS256 keyed with the public JWK', await sign({ alg: 'HS256', kid: 'issuer-1' }, enc.encode(jwkJson))],
    ['HS256 keyed with the modulus', await sign({ alg: 'HS256', kid: 'issuer-1' }, Buffer.from(String(issuer.jwks.keys[0].n), 'base64url'))],
    ['alg none', new jose.UnsecuredJWT(claims()).setSubject('kubernetes-admin').setIssuer(tokenIssuer).setAudience(tokenAudience).encode()],
    ['RS256 by an attacker key under the issuer kid', await sign({ alg: 'RS256', kid: 'issuer-1' }, attacker.privateKey)],
    ['embedded jwk of the attacker', await sign({ alg: 'RS256', jwk: await jose.exportJWK(attacker.publicKey) }, attacker.privateKey)],
    ['tampered signature', withPart(valid, 2, flipMiddle(valid.split('.')[2]))],
    ['expired', await issued('default', { alg: 'RS256', kid: 'issuer-1' }).setExpirationTime(now() - 60).sign(issuer.privateKey)],
  ];
  const attacks: Credential[] = tokens.map(([name, token]) => ({ name, authorization: `Bearer ${token}`, expect: 401, presented: presentedStrings({ authorization: `Bearer ${token}` }) }));
  const foreign = await sign({ alg: 'RS256', kid: 'issuer-1' }, issuer.privateKey, 'someone-else');
  attacks.push({ name: 'valid token for another cluster', authorization: `Bearer ${foreign}`, expect: 403, presented: presentedStrings({ authorization: `Bearer ${foreign}` }) });
  return { valid, attacks };
}
