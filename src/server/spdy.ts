import { concat } from './spdyHeaders.ts';

/**
 * SPDY/3.1 framing (the subset moby/spdystream speaks, which kubectl's port-forward tunnels
 * over its WebSocket): control frames (SYN_STREAM, SYN_REPLY, RST_STREAM, SETTINGS, PING,
 * GOAWAY, HEADERS, WINDOW_UPDATE) and DATA frames, each an 8-byte header and a payload.
 * The tunnel's messages are arbitrary slices of the byte stream (spdystream writes a frame
 * field by field), so frames are reassembled here; a frame longer than the bound ends the
 * connection before its bytes are buffered.
 */

export const frameType = { synStream: 1, synReply: 2, rstStream: 3, settings: 4, ping: 6, goAway: 7, headers: 8, windowUpdate: 9 } as const;
export const flagFin = 0x01;
export const rstStatus = { protocolError: 1, invalidStream: 2, refusedStream: 3, cancel: 5, internalError: 6, frameTooLarge: 11 } as const;
export const goAwayStatus = { ok: 0, protocolError: 1, internalError: 2 } as const;

export type Frame =
  | { control: true; type: number; flags: number; payload: Uint8Array }
  | { control: false; streamId: number; flags: number; payload: Uint8Array };

export class FrameError extends Error {}

/** Reassembles frames from the byte stream; `push` returns the frames completed by the bytes given. */
export class FrameReader {
  private buffered: Uint8Array = new Uint8Array(0);

  constructor(private readonly maxPayload: number) {}

  push(data: Uint8Array): Frame[] {
    this.buffered = this.buffered.length ? concat([this.buffered, data]) : data.slice();
    const frames: Frame[] = [];
    let at = 0;
    const b = this.buffered;
    while (b.length - at >= 8) {
      const length = (b[at + 5] << 16) | (b[at + 6] << 8) | b[at + 7];
      if (length > this.maxPayload) throw new FrameError('frame too large');
      if (b.length - at < 8 + length) break;
      const flags = b[at + 4];
      const payload = b.slice(at + 8, at + 8 + length);
      if (b[at] & 0x80) {
        const version = ((b[at] & 0x7f) << 8) | b[at + 1];
        if (version !== 3) throw new FrameError(`unsupported SPDY version ${version}`);
        frames.push({ control: true, type: (b[at + 2] << 8) | b[at + 3], flags, payload });
      } else {
        frames.push({ control: false, streamId: u32At(b, at) & 0x7fffffff, flags, payload });
      }
      at += 8 + length;
    }
    this.buffered = b.subarray(at);
    return frames;
  }
}

export const u32At = (b: Uint8Array, at: number) => ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;

function u32(n: number): [number, number, number, number] {
  return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

export function controlFrame(type: number, flags: number, payload: Uint8Array): Uint8Array {
  const n = payload.length;
  return concat([new Uint8Array([0x80, 3, type >> 8, type & 0xff, flags, n >>> 16, (n >>> 8) & 0xff, n & 0xff]), payload]);
}

export function dataFrame(streamId: number, flags: number, payload: Uint8Array): Uint8Array {
  const n = payload.length;
  return concat([new Uint8Array([...u32(streamId & 0x7fffffff), flags, n >>> 16, (n >>> 8) & 0xff, n & 0xff]), payload]);
}

export const synReply = (streamId: number, flags: number, headerBlock: Uint8Array) =>
  controlFrame(frameType.synReply, flags, concat([new Uint8Array(u32(streamId & 0x7fffffff)), headerBlock]));
export const rstStream = (streamId: number, status: number) => controlFrame(frameType.rstStream, 0, new Uint8Array([...u32(streamId), ...u32(status)]));
export const ping = (id: number) => controlFrame(frameType.ping, 0, new Uint8Array(u32(id)));
export const goAway = (lastStreamId: number, status: number) => controlFrame(frameType.goAway, 0, new Uint8Array([...u32(lastStreamId), ...u32(status)]));

/** SYN_STREAM's fields: its stream, and its compressed header block. */
export function readSynStream(payload: Uint8Array): { streamId: number; headerBlock: Uint8Array } {
  if (payload.length < 10) throw new FrameError('invalid SYN_STREAM');
  return { streamId: u32At(payload, 0) & 0x7fffffff, headerBlock: payload.subarray(10) };
}
