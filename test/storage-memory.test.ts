import { MemoryStore } from '../src/storage/memory.ts';
import { storeContract } from './helpers/storeContract.ts';

storeContract('memory', async () => ({ store: new MemoryStore(), close: async () => {} }));
