import * as der from './der.ts';
import { pemBlocks, toPem } from './pem.ts';

/**
 * X.509 on WebCrypto (Workers and Node alike): PKCS#10 requests parsed and their
 * signatures checked (kube-apiserver's CSR validation), client certificates issued from a
 * CA (the kubernetes.io/kube-apiserver-client signer) and verified against it (the x509
 * authenticator). Messages are Go's crypto/x509's, which kube-apiserver passes on.
 */

export const oids = {
  commonName: '2.5.4.3', organization: '2.5.4.10',
  rsaEncryption: '1.2.840.113549.1.1.1', ecPublicKey: '1.2.840.10045.2.1', ed25519: '1.3.101.112',
  extensionRequest: '1.2.840.113549.1.9.14',
  subjectKeyIdentifier: '2.5.29.14', keyUsage: '2.5.29.15', subjectAltName: '2.5.29.17', basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35', extKeyUsage: '2.5.29.37',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
} as const;

const curves: Record<string, { namedCurve: string; size: number }> = {
  '1.2.840.10045.3.1.7': { namedCurve: 'P-256', size: 32 },
  '1.3.132.0.34': { namedCurve: 'P-384', size: 48 },
  '1.3.132.0.35': { namedCurve: 'P-521', size: 66 },
};

/** Signature algorithms Go verifies (RSA-PSS and SHA-1 aside), by OID. */
const signatureAlgorithms: Record<string, { key: 'rsa' | 'ec' | 'ed25519'; hash?: string }> = {
  '1.2.840.113549.1.1.11': { key: 'rsa', hash: 'SHA-256' },
  '1.2.840.113549.1.1.12': { key: 'rsa', hash: 'SHA-384' },
  '1.2.840.113549.1.1.13': { key: 'rsa', hash: 'SHA-512' },
  '1.2.840.10045.4.3.2': { key: 'ec', hash: 'SHA-256' },
  '1.2.840.10045.4.3.3': { key: 'ec', hash: 'SHA-384' },
  '1.2.840.10045.4.3.4': { key: 'ec', hash: 'SHA-512' },
  '1.3.101.112': { key: 'ed25519' },
};

export class X509Error extends Error {}

// Names

/** A distinguished name: its encoding (issuer/subject chaining compares these bytes) and the parts kube reads. */
export interface Name { raw: Uint8Array; commonName: string; organizations: string[] }

function parseName(element: der.Element): Name {
  der.expectTag(element, der.tag.sequence, 'name');
  const name: Name = { raw: element.raw, commonName: '', organizations: [] };
  for (const rdn of der.children(element)) {
    for (const attribute of der.children(der.expectTag(rdn, der.tag.set, 'name'))) {
      const [type, value] = der.children(der.expectTag(attribute, der.tag.sequence, 'name'));
      const id = der.decodeOid(type);
      if (!value) throw new der.DerError('asn1: malformed name');
      if (id === oids.commonName) name.commonName = der.decodeString(value);
      else if (id === oids.organization) name.organizations.push(der.decodeString(value));
    }
  }
  return name;
}

function encodeName(commonName: string, organizations: string[] = []): Uint8Array {
  const rdn = (id: string, value: string) => der.set(der.sequence(der.oid(id), der.utf8String(value)));
  return der.sequence(...organizations.map((o) => rdn(oids.organization, o)), rdn(oids.commonName, commonName));
}

// Keys and signatures

function spkiAlgorithm(spki: der.Element): { key: 'rsa' | 'ec' | 'ed25519'; curve?: { namedCurve: string; size: number } } {
  const [algorithm] = der.children(der.expectTag(spki, der.tag.sequence, 'public key info'));
  const [id, parameters] = der.children(der.expectTag(algorithm, der.tag.sequence, 'public key algorithm'));
  const oid = der.decodeOid(id);
  if (oid === oids.rsaEncryption) return { key: 'rsa' };
  if (oid === oids.ed25519) return { key: 'ed25519' };
  if (oid === oids.ecPublicKey && parameters) {
    const curve = curves[der.decodeOid(parameters)];
    if (curve) return { key: 'ec', curve };
  }
  throw new X509Error('x509: unsupported public key algorithm');
}

/** ECDSA-Sig-Value (SEQUENCE { r, s }) → the fixed-width r‖s WebCrypto verifies. */
function ecdsaRaw(signature: Uint8Array, size: number): Uint8Array {
  const [r, s] = der.children(der.expectTag(der.parse(signature), der.tag.sequence, 'ECDSA signature'));
  const fixed = (n: der.Element) => {
    const bytes = der.expectTag(n, der.tag.integer, 'ECDSA signature').content;
    const trimmed = bytes.subarray(bytes.length > size ? bytes.length - size : 0);
    const out = new Uint8Array(size);
    out.set(trimmed, size - trimmed.length);
    return out;
  };
  return der.concat([fixed(r), fixed(s)]);
}

/** r‖s from WebCrypto → ECDSA-Sig-Value, as X.509 carries it. */
function ecdsaDer(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;
  return der.sequence(der.unsignedInteger(raw.subarray(0, half)), der.unsignedInteger(raw.subarray(half)));
}

const buffer = (bytes: Uint8Array) => bytes.slice().buffer as ArrayBuffer;

/** CheckSignature: `signed` signed with `signature` under `algorithmOid` by the key of `spki`. Throws Go's messages. */
async function checkSignature(algorithmOid: string, spki: der.Element, signed: Uint8Array, signature: Uint8Array): Promise<void> {
  const algorithm = signatureAlgorithms[algorithmOid];
  if (!algorithm) throw new X509Error('x509: cannot verify signature: algorithm unimplemented');
  const key = spkiAlgorithm(spki);
  if (key.key !== algorithm.key) throw new X509Error('x509: signature algorithm specifies an ' + (algorithm.key === 'rsa' ? 'RSA' : algorithm.key === 'ec' ? 'ECDSA' : 'Ed25519') + ' public key, but have public key of another type');
  let ok: boolean;
  try {
    if (key.key === 'rsa') {
      const publicKey = await crypto.subtle.importKey('spki', buffer(spki.raw), { name: 'RSASSA-PKCS1-v1_5', hash: algorithm.hash! }, false, ['verify']);
      ok = await crypto.subtle.verify('RSASSA-PKCS1-v1_5', publicKey, buffer(signature), buffer(signed));
    } else if (key.key === 'ec') {
      const publicKey = await crypto.subtle.importKey('spki', buffer(spki.raw), { name: 'ECDSA', namedCurve: key.curve!.namedCurve }, false, ['verify']);
      ok = await crypto.subtle.verify({ name: 'ECDSA', hash: algorithm.hash! }, publicKey, buffer(ecdsaRaw(signature, key.curve!.size)), buffer(signed));
    } else {
      const publicKey = await crypto.subtle.importKey('spki', buffer(spki.raw), { name: 'Ed25519' }, false, ['verify']);
      ok = await crypto.subtle.verify('Ed25519', publicKey, buffer(signature), buffer(signed));
    }
  } catch (err) {
    if (err instanceof X509Error || err instanceof der.DerError) throw err;
    throw new X509Error('x509: failed to parse public key');
  }
  if (!ok) throw new X509Error(key.key === 'rsa' ? 'crypto/rsa: verification error' : key.key === 'ec' ? 'x509: ECDSA verification failure' : 'x509: Ed25519 verification failure');
}

/** The content of a BIT STRING with no unused bits (signatures, keys). */
function bitStringBytes(element: der.Element | undefined): Uint8Array {
  const content = der.expectTag(element, der.tag.bitString, 'bit string').content;
  if (!content.length || content[0] !== 0) throw new der.DerError('asn1: invalid bit string');
  return content.subarray(1);
}

function algorithmOid(element: der.Element | undefined): string {
  return der.decodeOid(der.children(der.expectTag(element, der.tag.sequence, 'algorithm identifier'))[0]);
}

// Certificate requests (PKCS#10)

export interface CertificateRequest {
  subject: Name;
  spki: der.Element;
  /** Requested extensions (extensionRequest attribute), whole, by OID. */
  extensions: Map<string, Uint8Array>;
  info: Uint8Array;
  signatureAlgorithm: string;
  signature: Uint8Array;
}

function extensionsOf(list: der.Element): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const extension of der.children(der.expectTag(list, der.tag.sequence, 'extensions'))) {
    out.set(der.decodeOid(der.children(extension)[0]), extension.raw);
  }
  return out;
}

export function parseCertificateRequest(bytes: Uint8Array): CertificateRequest {
  try {
    const [info, algorithm, signature] = der.children(der.expectTag(der.parse(bytes), der.tag.sequence, 'certificate request'));
    const [version, subject, spki, attributes] = der.children(der.expectTag(info, der.tag.sequence, 'certificate request'));
    der.expectTag(version, der.tag.integer, 'version');
    let extensions = new Map<string, Uint8Array>();
    if (attributes && attributes.tag === 0xa0) {
      for (const attribute of der.children(attributes)) {
        const [type, values] = der.children(attribute);
        if (der.decodeOid(type) === oids.extensionRequest && values) extensions = extensionsOf(der.children(values)[0]);
      }
    }
    spkiAlgorithm(der.expectTag(spki, der.tag.sequence, 'public key'));
    return { subject: parseName(subject), spki, extensions, info: info.raw, signatureAlgorithm: algorithmOid(algorithm), signature: bitStringBytes(signature) };
  } catch (err) {
    if (err instanceof X509Error) throw err;
    throw new X509Error('x509: malformed certificate request');
  }
}

export const checkRequestSignature = (csr: CertificateRequest) => checkSignature(csr.signatureAlgorithm, csr.spki, csr.info, csr.signature);

// Certificates

export interface Certificate {
  tbs: Uint8Array;
  signatureAlgorithm: string;
  signature: Uint8Array;
  issuer: Name;
  subject: Name;
  notBefore: number;
  notAfter: number;
  spki: der.Element;
  /** Extended key usages, when the certificate names any. */
  extKeyUsages?: string[];
}

export function parseCertificate(bytes: Uint8Array): Certificate {
  try {
    const [tbs, algorithm, signature] = der.children(der.expectTag(der.parse(bytes), der.tag.sequence, 'certificate'));
    const fields = der.children(der.expectTag(tbs, der.tag.sequence, 'tbs certificate'));
    if (fields[0]?.tag === 0xa0) fields.shift(); // version
    const [, , issuer, validity, subject, spki, ...rest] = fields;
    const [notBefore, notAfter] = der.children(der.expectTag(validity, der.tag.sequence, 'validity'));
    const cert: Certificate = {
      tbs: tbs.raw, signatureAlgorithm: algorithmOid(algorithm), signature: bitStringBytes(signature),
      issuer: parseName(issuer), subject: parseName(subject), notBefore: der.decodeTime(notBefore), notAfter: der.decodeTime(notAfter),
      spki: der.expectTag(spki, der.tag.sequence, 'public key'),
    };
    const extensions = rest.find((e) => e.tag === 0xa3);
    const eku = extensions && extensionsOf(der.children(extensions)[0]).get(oids.extKeyUsage);
    if (eku) {
      const parts = der.children(der.parse(eku));
      cert.extKeyUsages = der.children(der.parse(parts[parts.length - 1].content)).map(der.decodeOid);
    }
    return cert;
  } catch (err) {
    if (err instanceof X509Error) throw err;
    throw new X509Error('x509: malformed certificate');
  }
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

const extKeyUsageOids = {
  any: '2.5.29.37.0', serverAuth: '1.3.6.1.5.5.7.3.1', clientAuth: '1.3.6.1.5.5.7.3.2', codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4', ipsecEndSystem: '1.3.6.1.5.5.7.3.5', ipsecTunnel: '1.3.6.1.5.5.7.3.6', ipsecUser: '1.3.6.1.5.5.7.3.7',
  timestamping: '1.3.6.1.5.5.7.3.8', ocspSigning: '1.3.6.1.5.5.7.3.9', microsoftSgc: '1.3.6.1.4.1.311.10.3.3', netscapeSgc: '2.16.840.1.113730.4.1',
};

/**
 * x509.Verify with a single root and ExtKeyUsageClientAuth, as kube-apiserver's client-CA
 * authenticator asks: issued by the CA (name and signature), within its validity, and for
 * client auth if it names extended key usages at all.
 */
export async function verifyClientCertificate(cert: Certificate, ca: Certificate, now: number): Promise<void> {
  const at = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (now < cert.notBefore) throw new X509Error(`x509: certificate has expired or is not yet valid: current time ${at} is before ${new Date(cert.notBefore).toISOString().replace(/\.\d{3}Z$/, 'Z')}`);
  if (now > cert.notAfter) throw new X509Error(`x509: certificate has expired or is not yet valid: current time ${at} is after ${new Date(cert.notAfter).toISOString().replace(/\.\d{3}Z$/, 'Z')}`);
  if (!sameBytes(cert.issuer.raw, ca.subject.raw)) throw new X509Error('x509: certificate signed by unknown authority');
  try {
    await checkSignature(cert.signatureAlgorithm, ca.spki, cert.tbs, cert.signature);
  } catch {
    throw new X509Error('x509: certificate signed by unknown authority');
  }
  if (cert.extKeyUsages && !cert.extKeyUsages.some((u) => u === extKeyUsageOids.clientAuth || u === extKeyUsageOids.any)) {
    throw new X509Error('x509: certificate specifies an incompatible key usage');
  }
}

// Issuing

/** A CA as kept in a cluster's store: its certificate and its ECDSA P-256 private key (PKCS#8). */
export interface CertificateAuthority { certificate: string; privateKey: string }

const keyUsageBits: Record<string, number> = {
  'digital signature': 0, 'content commitment': 1, 'key encipherment': 2, 'data encipherment': 3, 'key agreement': 4, 'cert sign': 5, 'crl sign': 6, 'encipher only': 7, 'decipher only': 8,
};
const extKeyUsages: Record<string, string> = {
  any: extKeyUsageOids.any, 'server auth': extKeyUsageOids.serverAuth, 'client auth': extKeyUsageOids.clientAuth, 'code signing': extKeyUsageOids.codeSigning,
  'email protection': extKeyUsageOids.emailProtection, 's/mime': extKeyUsageOids.emailProtection, 'ipsec end system': extKeyUsageOids.ipsecEndSystem,
  'ipsec tunnel': extKeyUsageOids.ipsecTunnel, 'ipsec user': extKeyUsageOids.ipsecUser, timestamping: extKeyUsageOids.timestamping,
  'ocsp signing': extKeyUsageOids.ocspSigning, 'microsoft sgc': extKeyUsageOids.microsoftSgc, 'netscape sgc': extKeyUsageOids.netscapeSgc,
};

/** KeyUsage as a DER BIT STRING: bit 0 is the most significant bit of the first byte; trailing zero bits dropped. */
function keyUsageExtension(bits: number[]): Uint8Array | undefined {
  if (!bits.length) return undefined;
  const bytes = new Uint8Array(2);
  for (const bit of bits) bytes[bit >> 3] |= 0x80 >> (bit & 7);
  const length = bytes[1] ? 2 : 1;
  const last = bytes[length - 1];
  let unused = 0;
  while (unused < 8 && !(last & (1 << unused))) unused++;
  return extension(oids.keyUsage, true, der.bitString(bytes.subarray(0, length), unused));
}

function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  return der.sequence(der.oid(id), ...(critical ? [der.boolean(true)] : []), der.octetString(value));
}

async function keyIdentifier(spki: der.Element): Promise<Uint8Array> {
  const key = der.children(spki)[1];
  return new Uint8Array(await crypto.subtle.digest('SHA-1', buffer(bitStringBytes(key)))).subarray(0, 20);
}

function serialNumber(): Uint8Array {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] & 0x7f) | 0x01; // positive, and minimal with no leading zero
  return bytes;
}

async function signTbs(tbs: Uint8Array, key: CryptoKey): Promise<Uint8Array> {
  const algorithm = der.sequence(der.oid(oids.ecdsaWithSha256));
  const signature = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, buffer(tbs)));
  return der.sequence(tbs, algorithm, der.bitString(ecdsaDer(signature)));
}

function tbsCertificate(fields: { issuer: Uint8Array; subject: Uint8Array; notBefore: number; notAfter: number; spki: Uint8Array; extensions: Uint8Array[] }): Uint8Array {
  return der.sequence(
    der.explicit(0, der.smallInteger(2)),
    der.unsignedInteger(serialNumber()),
    der.sequence(der.oid(oids.ecdsaWithSha256)),
    fields.issuer,
    der.sequence(der.time(fields.notBefore), der.time(fields.notAfter)),
    fields.subject,
    fields.spki,
    der.explicit(3, der.sequence(...fields.extensions)),
  );
}

const base64 = (bytes: Uint8Array) => toPem('X', bytes).split('\n').slice(1, -2).join('');

/** A self-signed CA (kubeadm's `kubernetes` CA: CN=kubernetes, ten years), with a fresh ECDSA P-256 key. */
export async function createCertificateAuthority(now: number, commonName = 'kubernetes'): Promise<CertificateAuthority> {
  const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']) as CryptoKeyPair;
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', keys.publicKey) as ArrayBuffer);
  const id = await keyIdentifier(der.parse(spki));
  const name = encodeName(commonName);
  const tbs = tbsCertificate({
    issuer: name, subject: name, notBefore: now - 5 * 60_000, notAfter: now + 10 * 365 * 86_400_000, spki,
    extensions: [
      keyUsageExtension([keyUsageBits['digital signature'], keyUsageBits['key encipherment'], keyUsageBits['cert sign']])!,
      extension(oids.basicConstraints, true, der.sequence(der.boolean(true))),
      extension(oids.subjectKeyIdentifier, false, der.octetString(id)),
    ],
  });
  const certificate = await signTbs(tbs, keys.privateKey);
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', keys.privateKey) as ArrayBuffer);
  return { certificate: toPem('CERTIFICATE', certificate), privateKey: base64(pkcs8) };
}

export interface IssueRequest {
  request: CertificateRequest;
  usages: string[];
  notBefore: number;
  notAfter: number;
}

/**
 * A leaf certificate for a request, signed by the CA: the request's subject and key, the
 * requested usages, no CA rights, and the request's subjectAltName if it asked for one
 * (kube's signer copies these from the CSR; everything else it decides itself).
 */
export async function issueCertificate(ca: CertificateAuthority, issue: IssueRequest): Promise<string> {
  const caCert = parseCertificate(pemBlocks(ca.certificate)[0].bytes);
  const key = await crypto.subtle.importKey('pkcs8', buffer(Uint8Array.from(atob(ca.privateKey), (c) => c.charCodeAt(0))), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  const bits = issue.usages.map((u) => keyUsageBits[u === 'signing' ? 'digital signature' : u]).filter((b): b is number => b !== undefined);
  const ekus = [...new Set(issue.usages.map((u) => extKeyUsages[u]).filter(Boolean))];
  const extensions = [
    keyUsageExtension([...new Set(bits)]),
    ekus.length ? extension(oids.extKeyUsage, false, der.sequence(...ekus.map(der.oid))) : undefined,
    extension(oids.basicConstraints, true, der.sequence()),
    extension(oids.authorityKeyIdentifier, false, der.sequence(der.encode(0x80, await keyIdentifier(caCert.spki)))),
    issue.request.extensions.get(oids.subjectAltName),
  ].filter((e): e is Uint8Array => e !== undefined);
  const tbs = tbsCertificate({
    issuer: caCert.subject.raw, subject: issue.request.subject.raw, notBefore: issue.notBefore, notAfter: Math.min(issue.notAfter, caCert.notAfter),
    spki: issue.request.spki.raw, extensions,
  });
  return toPem('CERTIFICATE', await signTbs(tbs, key));
}

/**
 * A client certificate with a fresh key, for a kubeconfig (`apiserverless user create --certificate`):
 * CN the user, O its groups, `client auth`, valid from notBefore to notAfter (both may be in the
 * past: an expired certificate is what a break-and-fix scenario hands out). The key is PKCS#8 PEM.
 */
export function issueClientCertificate(ca: CertificateAuthority, subject: { commonName: string; organizations: string[] }, validity: { notBefore: number; notAfter: number }): Promise<{ certificate: string; privateKey: string }> {
  return issueWithNewKey(ca, subject, ['digital signature', 'key encipherment', 'client auth'], validity);
}

/**
 * A serving certificate with a fresh key: kubeadm's apiserver.crt (CN kube-apiserver, its DNS
 * names and addresses as subjectAltName, `server auth`), for the node's /etc/kubernetes/pki.
 */
export function issueServingCertificate(ca: CertificateAuthority, subject: { commonName: string; dnsNames: string[]; ips: string[] }, validity: { notBefore: number; notAfter: number }): Promise<{ certificate: string; privateKey: string }> {
  const ip = (address: string) => Uint8Array.from(address.split('.').map(Number));
  const names = der.sequence(...subject.dnsNames.map((d) => der.encode(0x82, new TextEncoder().encode(d))), ...subject.ips.map((a) => der.encode(0x87, ip(a))));
  const san = extension(oids.subjectAltName, false, names);
  return issueWithNewKey(ca, { commonName: subject.commonName, organizations: [] }, ['digital signature', 'key encipherment', 'server auth'], validity, new Map([[oids.subjectAltName, san]]));
}

async function issueWithNewKey(ca: CertificateAuthority, subject: { commonName: string; organizations: string[] }, usages: string[], validity: { notBefore: number; notAfter: number }, extensions = new Map<string, Uint8Array>()): Promise<{ certificate: string; privateKey: string }> {
  const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']) as CryptoKeyPair;
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', keys.publicKey) as ArrayBuffer);
  const raw = encodeName(subject.commonName, subject.organizations);
  const request = { subject: { raw, ...subject }, spki: der.parse(spki), extensions, info: new Uint8Array(0), signatureAlgorithm: '', signature: new Uint8Array(0) };
  const certificate = await issueCertificate(ca, { request, usages, ...validity });
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', keys.privateKey) as ArrayBuffer);
  return { certificate, privateKey: toPem('PRIVATE KEY', pkcs8) };
}
