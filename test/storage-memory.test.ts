import { MemoryStore } from '../src/storage/memory.ts';
import { storeContract } from './helpers/storeContract.ts';

const logBytes = 8 * 1024 * 1024;
storeContract('memory', async () => ({ store: new MemoryStore({ entries: 10_000, bytes: logBytes }), close: async () => {}, logBytes }));
