/**
 * The few Cloudflare runtime types the Worker entry uses, declared here so the
 * core type-checks with Node's lib and no runtime globals leak into it.
 */
export interface DurableObjectId { toString(): string }
export interface DurableObjectStub { fetch(request: Request): Promise<Response> }
export interface DurableObjectNamespace {
  idFromName(name: string): DurableObjectId;
  get(id: DurableObjectId): DurableObjectStub;
}
export interface DurableObjectStorage {
  sql: import('../storage/sqlite.ts').SqlStorage;
  transactionSync<T>(fn: () => T): T;
  deleteAll(): Promise<void>;
  setAlarm(scheduledTime: number | Date): Promise<void>;
  deleteAlarm(): Promise<void>;
}
export interface DurableObjectState {
  storage: DurableObjectStorage;
  blockConcurrencyWhile<T>(fn: () => Promise<T>): Promise<T>;
  waitUntil(promise: Promise<unknown>): void;
  /** The hibernation API: the runtime holds the socket; its events come to the object's webSocket* methods. */
  acceptWebSocket(ws: WorkerWebSocket, tags?: string[]): void;
}
export interface KVNamespace {
  get(key: string): Promise<string | null>;
  put(key: string, value: string, options?: { expirationTtl?: number; expiration?: number; metadata?: unknown }): Promise<void>;
  delete(key: string): Promise<void>;
  list(options?: { prefix?: string; cursor?: string; limit?: number }): Promise<{ keys: Array<{ name: string; expiration?: number; metadata?: unknown }>; list_complete: boolean; cursor?: string }>;
}
export interface CloudflareQueue<T> {
  send(body: T, options?: { delaySeconds?: number; contentType?: 'json' }): Promise<void>;
  sendBatch(messages: Array<{ body: T; delaySeconds?: number }>): Promise<void>;
}
export interface QueueMessageEnvelope<T> { id: string; body: T; attempts: number; ack(): void; retry(options?: { delaySeconds?: number }): void }
export interface MessageBatch<T> { queue: string; messages: Array<QueueMessageEnvelope<T>>; ackAll(): void; retryAll(): void }
export interface ExecutionContext { waitUntil(promise: Promise<unknown>): void; passThroughOnException(): void }
export interface ScheduledController { scheduledTime: number; cron: string }
/** The server end of a WebSocketPair (workerd). */
export interface WorkerWebSocket {
  accept(): void;
  send(data: ArrayBuffer | ArrayBufferView | string): void;
  close(code?: number, reason?: string): void;
  /** Up to 2 KiB kept with a hibernatable socket across the object's evictions. */
  serializeAttachment(value: unknown): void;
  deserializeAttachment(): unknown;
  addEventListener(type: 'message', listener: (event: { data: ArrayBuffer | string }) => void): void;
  addEventListener(type: 'close' | 'error', listener: () => void): void;
}
export interface WebSocketPairConstructor { new (): { 0: WorkerWebSocket; 1: WorkerWebSocket } }
