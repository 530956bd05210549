import { httpConnection, type HttpConnection, type Listener } from '../runtime/httpServer.ts';
import { dataFrame, flagFin, FrameError, FrameReader, frameType, goAway, goAwayStatus, ping, readSynStream, rstStatus, rstStream, synReply, u32At, type Frame } from './spdy.ts';
import { HeaderCompressor, HeaderError, HeaderInflater } from './spdyHeaders.ts';
import type { StreamListener, StreamSocket } from './upgrade.ts';

/**
 * The kubelet's side of `portforward.k8s.io` over SPDY/3.1 (tunnelled in kubectl's WebSocket):
 * for each local connection kubectl opens an error stream and a data stream with the same
 * `requestid` and the remote `port`; once both are there, the data stream is connected to what
 * listens on that port in the pod (runtime/httpServer.ts), or the error stream carries the
 * runtime's refusal. Either side's end closes both streams, which is what lets kubectl finish
 * the local connection. Frames are handled one at a time, in order (a SYN_STREAM's headers are
 * inflated asynchronously); everything a client can make the session hold is bounded.
 */

export interface PortForwardTarget {
  /** What listens on a port of the pod, if anything. */
  listen(port: number): Listener | undefined;
  /** The runtime's words when nothing does (written on the error stream). */
  refused(port: number): string;
  now(): number;
}

interface Stream { id: number; kind: 'data' | 'error'; pair: Pair; finSent: boolean }
interface Pair { key: string; port: string; error?: Stream; data?: Stream; conn?: HttpConnection; pending: Uint8Array[]; pendingBytes: number; clientFin: boolean; done: boolean }

/** Bounds: control frames carry small header blocks; kubectl's data frames are its 32 KiB copy buffer. */
const maxFramePayload = 1 << 20;
const maxStreams = 256;
const maxQueuedFrames = 1024;
const maxPendingBytes = 1 << 20;
const maxDataChunk = 32 << 10;

export function openPortForward(target: PortForwardTarget, socket: StreamSocket): StreamListener {
  const reader = new FrameReader(maxFramePayload);
  const inflater = new HeaderInflater();
  const compressor = new HeaderCompressor();
  const streams = new Map<number, Stream>();
  const pairs = new Map<string, Pair>();
  const queue: Frame[] = [];
  let pumping = false;
  let closed = false;
  let lastStreamId = 0;
  const encoder = new TextEncoder();

  const close = (status: number) => {
    if (closed) return;
    closed = true;
    socket.send(goAway(lastStreamId, status));
    socket.close(1000, '');
    inflater.close();
  };

  const sendData = (stream: Stream, data: Uint8Array) => {
    for (let at = 0; at < data.length; at += maxDataChunk) socket.send(dataFrame(stream.id, 0, data.subarray(at, at + maxDataChunk)));
  };
  const fin = (stream: Stream | undefined) => {
    if (!stream || stream.finSent || closed) return;
    stream.finSent = true;
    socket.send(dataFrame(stream.id, flagFin, new Uint8Array(0)));
  };
  /** The forwarded connection is over: both streams end (the error stream's end is what kubectl waits for). */
  const finish = (pair: Pair) => {
    if (pair.done) return;
    pair.done = true;
    fin(pair.data);
    fin(pair.error);
    pairs.delete(pair.key);
  };
  const deliver = (pair: Pair, data: Uint8Array) => {
    if (!pair.conn || pair.done) return;
    const { out, close: ends } = pair.conn.receive(data);
    for (const chunk of out) sendData(pair.data!, chunk);
    if (ends) finish(pair);
  };

  const start = (pair: Pair) => {
    const port = Number(pair.port);
    const listener = Number.isInteger(port) && port > 0 && port < 65536 ? target.listen(port) : undefined;
    if (!listener) {
      const message = Number.isInteger(port) && port > 0 && port < 65536 ? target.refused(port) : `unable to parse "${pair.port}" as a port`;
      sendData(pair.error!, encoder.encode(message));
      finish(pair);
      return;
    }
    pair.conn = httpConnection(listener, target.now);
    for (const chunk of pair.pending.splice(0)) deliver(pair, chunk);
    if (pair.clientFin) finish(pair);
  };

  const synStream = async (frame: Extract<Frame, { control: true }>) => {
    const { streamId, headerBlock } = readSynStream(frame.payload);
    // The header stream is one zlib context: every block is inflated, in order, even a refused stream's.
    const headers = new Map(await inflater.inflate(headerBlock));
    lastStreamId = Math.max(lastStreamId, streamId);
    const kind = headers.get('streamtype');
    if (streams.has(streamId) || streams.size >= maxStreams || (kind !== 'data' && kind !== 'error')) {
      socket.send(rstStream(streamId, streams.has(streamId) ? rstStatus.protocolError : rstStatus.refusedStream));
      return;
    }
    const key = headers.get('requestid') ?? String(kind === 'error' ? streamId : streamId - 2);
    let pair = pairs.get(key);
    if (!pair) { pair = { key, port: headers.get('port') ?? '', pending: [], pendingBytes: 0, clientFin: false, done: false }; pairs.set(key, pair); }
    const stream: Stream = { id: streamId, kind, pair, finSent: false };
    streams.set(streamId, stream);
    socket.send(synReply(streamId, 0, compressor.compress([])));
    if (pair[kind] || pair.done) { finish(pair); return; }
    pair[kind] = stream;
    if (kind === 'data') pair.port = headers.get('port') ?? pair.port;
    if (pair.data && pair.error) start(pair);
  };

  const data = (frame: Extract<Frame, { control: false }>) => {
    const stream = streams.get(frame.streamId);
    if (!stream) { if (frame.streamId) socket.send(rstStream(frame.streamId, rstStatus.invalidStream)); else close(goAwayStatus.protocolError); return; }
    const pair = stream.pair;
    if (stream.kind === 'data' && frame.payload.length && !pair.done) {
      if (pair.conn) deliver(pair, frame.payload);
      else {
        pair.pendingBytes += frame.payload.length;
        if (pair.pendingBytes > maxPendingBytes) { socket.send(rstStream(stream.id, rstStatus.frameTooLarge)); finish(pair); return; }
        pair.pending.push(frame.payload);
      }
    }
    if (frame.flags & flagFin) {
      if (stream.kind === 'data') { pair.clientFin = true; if (pair.conn) finish(pair); }
      if (stream.finSent) streams.delete(stream.id);
    }
  };

  const control = async (frame: Extract<Frame, { control: true }>) => {
    switch (frame.type) {
      case frameType.synStream: await synStream(frame); return;
      case frameType.rstStream: {
        if (frame.payload.length < 8) throw new FrameError('invalid RST_STREAM');
        const stream = streams.get(u32At(frame.payload, 0) & 0x7fffffff);
        if (!stream) return;
        streams.delete(stream.id);
        // kubectl resets the data stream when the local connection is done; the error stream still has to end.
        stream.finSent = true;
        finish(stream.pair);
        return;
      }
      // kubectl pings every 10 s (NewClientConnectionWithPings): the same id goes back.
      case frameType.ping: if (frame.payload.length === 4) socket.send(ping(u32At(frame.payload, 0))); return;
      case frameType.goAway: close(goAwayStatus.ok); return;
      // SETTINGS, HEADERS, WINDOW_UPDATE and unknown types change nothing here (spdystream keeps no windows).
      default:
    }
  };

  const pump = async () => {
    if (pumping) return;
    pumping = true;
    try {
      while (queue.length && !closed) {
        const frame = queue.shift()!;
        if (frame.control) await control(frame); else data(frame);
      }
    } catch (err) {
      // A client's malformed frames end its connection; nothing it sends reaches the process as an error.
      close(err instanceof FrameError || err instanceof HeaderError ? goAwayStatus.protocolError : goAwayStatus.internalError);
    } finally {
      pumping = false;
    }
  };

  return {
    message(bytes) {
      if (closed) return;
      try {
        queue.push(...reader.push(bytes));
      } catch (err) {
        if (!(err instanceof FrameError)) throw err;
        close(goAwayStatus.protocolError);
        return;
      }
      if (queue.length > maxQueuedFrames) { close(goAwayStatus.internalError); return; }
      void pump();
    },
    closed() {
      closed = true;
      inflater.close();
    },
  };
}
