/**
 * The running state of one histogram series: a count per bucket (not
 * cumulative), the sum and the count. Observing is a binary search and three
 * additions; the cumulative counts are built only when scraped.
 */
export class HistogramState {
  readonly bucketCounts: Float64Array;
  sum = 0;
  count = 0;

  constructor(readonly upperBounds: readonly number[]) {
    // One extra slot for observations above the last bound (the +Inf bucket).
    this.bucketCounts = new Float64Array(upperBounds.length + 1);
  }

  observe(value: number): void {
    this.bucketCounts[findBucket(this.upperBounds, value)]! += 1;
    this.sum += value;
    this.count += 1;
  }

  /** Returns the cumulative count for each bound, +Inf last. */
  cumulativeCounts(): number[] {
    const result: number[] = [];
    let running = 0;
    for (const count of this.bucketCounts) {
      running += count;
      result.push(running);
    }
    return result;
  }
}

/** Returns the index of the first bound that is >= value, or bounds.length for +Inf. */
export function findBucket(bounds: readonly number[], value: number): number {
  let low = 0;
  let high = bounds.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (bounds[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}
