import assert from 'node:assert/strict';
import { deflateSync, constants } from 'node:zlib';
import { describe, it } from 'node:test';
import { httpConnection, listenerOn } from '../src/runtime/httpServer.ts';
import { readTar, TarError, writeTar } from '../src/runtime/tar.ts';
import { runTar } from '../src/runtime/tarCommand.ts';
import { openPortForward } from '../src/server/portforwardSession.ts';
import { FrameError, FrameReader } from '../src/server/spdy.ts';
import { encodeHeaderBlock, HeaderError, HeaderInflater, spdyDictionary } from '../src/server/spdyHeaders.ts';

/**
 * The parsers of what `kubectl cp` and `kubectl port-forward` send (tar archives, SPDY frames
 * and their compressed header blocks, HTTP requests to a forwarded port): what kubectl's Go
 * writers produce is read, and what a hostile client sends is refused by a bound, not buffered.
 */

const utf8 = new TextEncoder();
const text = new TextDecoder();

/** A header block as Go's framer compresses it: zlib with SPDY's dictionary, sync-flushed. */
const compressedBlock = (headers: Array<[string, string]>) =>
  new Uint8Array(deflateSync(encodeHeaderBlock(headers), { dictionary: Buffer.from(spdyDictionary), finishFlush: constants.Z_SYNC_FLUSH, level: 9 }));

describe('tar (unit)', () => {
  it('round-trips files and directories, names past 100 bytes by ustar prefix or GNU long name', () => {
    const deep = `${'d'.repeat(120)}/file`, long = 'x'.repeat(180);
    const archive = writeTar([
      { name: 'site/', type: 'dir', data: new Uint8Array(0), mode: 0o755, mtimeSec: 1 },
      { name: 'site/index.html', type: 'file', data: utf8.encode('<h1>héllo</h1>\n'), mode: 0o644, mtimeSec: 1 },
      { name: deep, type: 'file', data: utf8.encode('deep'), mode: 0o644, mtimeSec: 1 },
      { name: long, type: 'file', data: utf8.encode('long'), mode: 0o644, mtimeSec: 1 },
    ]);
    assert.deepEqual(readTar(archive).map((e) => [e.name, e.type, text.decode(e.data)]), [
      ['site/', 'dir', ''], ['site/index.html', 'file', '<h1>héllo</h1>\n'], [deep, 'file', 'deep'], [long, 'file', 'long'],
    ]);
  });

  it('a bad checksum or a size past the end is an error, never a loop; extraction answers in tar\'s words', () => {
    const archive = writeTar([{ name: 'a', type: 'file', data: utf8.encode('a'), mode: 0o644, mtimeSec: 1 }]);
    const corrupt = archive.slice();
    corrupt[0] ^= 1;
    assert.throws(() => readTar(corrupt), TarError);
    const truncated = archive.slice();
    truncated.set(utf8.encode('77777777777'), 124);
    assert.throws(() => readTar(truncated), TarError);
    const disk = { files: new Map<string, string>(), dirs: new Set<string>() };
    assert.deepEqual(runTar(['-xmf', '-', '-C', '/tmp'], 'busybox', disk, utf8.encode('not a tar archive'.padEnd(600, '!')), 0).stderr, 'tar: invalid tar magic\n');
    const escaping = writeTar([{ name: '../../etc/passwd', type: 'file', data: utf8.encode('x'), mode: 0o644, mtimeSec: 1 }]);
    assert.deepEqual(runTar(['-xmf', '-', '-C', '/tmp'], 'busybox', disk, escaping, 0).writes.map((w) => w.path), ['/tmp/etc/passwd']);
  });
});

describe('SPDY framing and header blocks (unit)', () => {
  it('frames split across messages are reassembled; a frame over the bound is refused from its header alone', () => {
    const reader = new FrameReader(1024);
    const frame = new Uint8Array([0, 0, 0, 1, 0, 0, 0, 3, 7, 8, 9]);
    assert.deepEqual(reader.push(frame.subarray(0, 5)), []);
    assert.deepEqual(reader.push(frame.subarray(5)), [{ control: false, streamId: 1, flags: 0, payload: new Uint8Array([7, 8, 9]) }]);
    assert.throws(() => new FrameReader(1024).push(new Uint8Array([0, 0, 0, 1, 0, 0xff, 0xff, 0xff])), FrameError);
  });

  it('inflates Go-style blocks in order; a block inflating past 16 KiB or naming another dictionary is refused', async () => {
    const inflater = new HeaderInflater();
    assert.deepEqual(await inflater.inflate(compressedBlock([['streamtype', 'error'], ['port', '80'], ['requestid', '0']])), [['streamtype', 'error'], ['port', '80'], ['requestid', '0']]);
    const bomb = new HeaderInflater();
    await assert.rejects(bomb.inflate(compressedBlock([['x', 'y'.repeat(1 << 20)]])), HeaderError);
    const other = new Uint8Array(deflateSync(encodeHeaderBlock([]), { dictionary: Buffer.from('another dictionary') }));
    await assert.rejects(new HeaderInflater().inflate(other), HeaderError);
  });

  it('a session fed garbage answers GOAWAY and closes; nothing is thrown into the server', async () => {
    const sent: Uint8Array[] = [];
    let closed = false;
    const session = openPortForward({ listen: () => undefined, refused: () => 'refused', now: () => 0 }, { send: (d) => sent.push(d), close: () => { closed = true; } });
    session.message(new Uint8Array([0x80, 9, 0, 1, 0, 0, 0, 0]));
    assert.equal(closed, true);
    assert.equal(sent[0][3], 7); // GOAWAY
  });
});

describe('the HTTP server behind a forwarded port (unit)', () => {
  const listener = listenerOn({ image: 'nginx', hostname: 'web', files: { '/usr/share/nginx/html/index.html': 'hi\n' } }, 80, 0)!;

  it('answers pipelined requests in order; an endless header is a 400 that closes, not a buffer', () => {
    const conn = httpConnection(listener, () => 0);
    const { out, close } = conn.receive(utf8.encode('GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    assert.deepEqual(out.map((o) => text.decode(o).split('\r\n')[0]), ['HTTP/1.1 200 OK', 'HTTP/1.1 404 Not Found']);
    assert.equal(close, true);
    const flood = httpConnection(listener, () => 0);
    let last = flood.receive(utf8.encode('GET / HTTP/1.1\r\n'));
    for (let i = 0; i < 40 && !last.close; i++) last = flood.receive(utf8.encode(`X-Filler: ${'a'.repeat(1000)}\r\n`));
    assert.equal(last.close, true);
    assert.match(text.decode(last.out[0]), /^HTTP\/1\.1 400 Bad Request\r\n/);
  });
});
