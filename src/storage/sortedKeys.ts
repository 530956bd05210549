/** Sorted insertion point of key in keys (binary search). */
export function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0, hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < key) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/** Blocks split past this size; inserting moves at most this many keys plus one entry per block. */
const maxBlock = 512;

/**
 * A sorted set of keys kept in blocks of at most `maxBlock`, so an insert or delete
 * costs a binary search and a short splice instead of moving every later key
 * (one flat sorted array made a create cost O(keys): 91 µs at 100,000 keys).
 */
export class SortedKeys {
  /** Non-empty sorted blocks, each wholly before the next. */
  private blocks: string[][] = [];

  /** The index of the block that holds key, or would: the first whose last key is ≥ key. */
  private blockFor(key: string): number {
    let lo = 0, hi = this.blocks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const block = this.blocks[mid];
      if (block[block.length - 1] < key) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  /** Adds key; the caller knows it is absent. */
  insert(key: string): void {
    if (this.blocks.length === 0) { this.blocks.push([key]); return; }
    const b = Math.min(this.blockFor(key), this.blocks.length - 1);
    const block = this.blocks[b];
    block.splice(lowerBound(block, key), 0, key);
    if (block.length > maxBlock) this.blocks.splice(b + 1, 0, block.splice(block.length >> 1));
  }

  delete(key: string): void {
    const b = this.blockFor(key);
    const block = this.blocks[b];
    if (!block) return;
    const i = lowerBound(block, key);
    if (block[i] !== key) return;
    block.splice(i, 1);
    if (block.length === 0) this.blocks.splice(b, 1);
  }

  /** Keys ≥ from, in order. */
  *from(from: string): Generator<string> {
    let b = this.blockFor(from);
    if (b >= this.blocks.length) return;
    for (let i = lowerBound(this.blocks[b], from); i < this.blocks[b].length; i++) yield this.blocks[b][i];
    for (b++; b < this.blocks.length; b++) yield* this.blocks[b];
  }

  /** Keys that start with prefix, in order, beginning at the first ≥ from (default: the prefix itself). */
  *withPrefix(prefix: string, from = prefix): Generator<string> {
    for (const key of this.from(from < prefix ? prefix : from)) {
      if (!key.startsWith(prefix)) return;
      yield key;
    }
  }
}
