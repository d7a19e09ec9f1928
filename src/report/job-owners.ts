// Jobs per page, as in the job table: growing adds a page and copies nothing.
const PAGE_BITS = 14;
const PAGE_SIZE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE_SIZE - 1;

/** Owner of a job that no customer has claimed yet. */
export const NO_OWNER = -1;

/**
 * The first customer (install or license, by its index) seen with each job,
 * by job row index. A customer then counts its distinct jobs without a set of
 * job ids: a job it claimed first is new to it exactly once, and only a job
 * that another customer claimed first needs a set entry.
 */
export class JobOwners {
  private readonly pages: Int32Array[] = [];

  /** Returns the job's owner before this call, and makes `customer` its owner when it had none. */
  claim(jobIndex: number, customer: number): number {
    const pageIndex = jobIndex >>> PAGE_BITS;
    while (this.pages.length <= pageIndex) this.pages.push(new Int32Array(PAGE_SIZE).fill(NO_OWNER));

    const page = this.pages[pageIndex]!;
    const row = jobIndex & PAGE_MASK;
    const owner = page[row]!;
    if (owner === NO_OWNER) page[row] = customer;
    return owner;
  }
}
