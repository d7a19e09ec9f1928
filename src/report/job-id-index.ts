import { randomInt } from 'node:crypto';

// Ids per page of the id list. Adding a page never copies the ids already listed.
const PAGE_BITS = 14;
const PAGE_SIZE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE_SIZE - 1;
const INITIAL_SLOTS = 1024;
const EMPTY_SLOT = 0;

/**
 * Numbers distinct job ids 0, 1, 2, ... in order of first sight, as a Map from
 * id to number would, in about half the memory. A Map over half a million ids
 * took some 15 MB for its table, plus a list of the ids. This index keeps one
 * Int32 slot per id, at most half full, and the ids in fixed pages. Each slot
 * stores index + 1 under open addressing with linear probing.
 */
export class JobIdIndex {
  private readonly pages: string[][] = [];
  private slots = new Int32Array(INITIAL_SLOTS);
  private count = 0;
  // NOTE: job ids come from callers of the relay, so the hash is seeded per
  // index, making colliding ids hard to choose in advance. FNV-1a is not a
  // keyed hash, so this is a hurdle, not a guarantee.
  private readonly seed = randomInt(0, 2 ** 31);

  get size(): number {
    return this.count;
  }

  /** Returns the number of `id`, giving it the next number (the size before the call) when it is new. */
  indexOrAdd(id: string): number {
    const mask = this.slots.length - 1;
    let slot = this.hashOf(id) & mask;

    for (;;) {
      const stored = this.slots[slot]!;
      if (stored === EMPTY_SLOT) break;
      if (this.idAt(stored - 1) === id) return stored - 1;
      slot = (slot + 1) & mask;
    }

    const index = this.count;
    if ((index & PAGE_MASK) === 0) this.pages.push([]);
    this.pages[index >>> PAGE_BITS]!.push(id);
    this.slots[slot] = index + 1;
    this.count += 1;
    if (this.count * 2 > this.slots.length) this.grow();
    return index;
  }

  idAt(index: number): string {
    return this.pages[index >>> PAGE_BITS]![index & PAGE_MASK]!;
  }

  private grow(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;

    for (let index = 0; index < this.count; index += 1) {
      let slot = this.hashOf(this.idAt(index)) & mask;
      while (slots[slot] !== EMPTY_SLOT) slot = (slot + 1) & mask;
      slots[slot] = index + 1;
    }
    this.slots = slots;
  }

  // FNV-1a over UTF-16 code units, so every string hashes, whatever it holds.
  private hashOf(id: string): number {
    let hash = 0x811c9dc5 ^ this.seed;
    for (let position = 0; position < id.length; position += 1) {
      hash = Math.imul(hash ^ id.charCodeAt(position), 0x01000193);
    }
    return hash >>> 0;
  }
}
