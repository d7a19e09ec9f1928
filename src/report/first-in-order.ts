/**
 * Returns the first `limit` of the numbers 0 .. count-1 in the order of
 * `compare`, sorted. For a limit well below the count it keeps a heap of `limit` numbers
 * instead of sorting all of them, so listing the newest 100 of half a million
 * jobs neither allocates nor sorts an array of half a million.
 */
export function firstInOrder(count: number, limit: number, compare: (a: number, b: number) => number): number[] {
  if (limit >= count) {
    return Array.from({ length: count }, (_, index) => index).sort(compare);
  }

  // A heap with the last in order at its root: a newcomer only enters by replacing the root.
  const heap: number[] = [];
  const later = (a: number, b: number) => compare(a, b) > 0;
  for (let candidate = 0; candidate < count && limit > 0; candidate += 1) {
    if (heap.length < limit) {
      heap.push(candidate);
      siftUp(heap, heap.length - 1, later);
    } else if (compare(candidate, heap[0]!) < 0) {
      heap[0] = candidate;
      siftDown(heap, 0, later);
    }
  }
  return heap.sort(compare);
}

function siftUp(heap: number[], position: number, later: (a: number, b: number) => boolean): void {
  let child = position;
  while (child > 0) {
    const parent = (child - 1) >> 1;
    if (!later(heap[child]!, heap[parent]!)) return;
    swap(heap, child, parent);
    child = parent;
  }
}

function siftDown(heap: number[], position: number, later: (a: number, b: number) => boolean): void {
  let parent = position;
  for (;;) {
    const left = parent * 2 + 1;
    const right = left + 1;
    let latest = parent;
    if (left < heap.length && later(heap[left]!, heap[latest]!)) latest = left;
    if (right < heap.length && later(heap[right]!, heap[latest]!)) latest = right;
    if (latest === parent) return;
    swap(heap, parent, latest);
    parent = latest;
  }
}

function swap(heap: number[], a: number, b: number): void {
  const value = heap[a]!;
  heap[a] = heap[b]!;
  heap[b] = value;
}
