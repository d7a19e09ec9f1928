/** Id of an absent string in a column of string ids. */
export const NO_STRING = -1;

/**
 * Gives each distinct string a small integer id, so that a column of many
 * rows stores 4 bytes per value instead of a pointer to a string, and each
 * string is kept once.
 */
export class StringIds {
  private readonly idByValue = new Map<string, number>();
  private readonly values: string[] = [];

  idOf(value: string | undefined): number {
    if (value === undefined) return NO_STRING;
    let id = this.idByValue.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(value);
      this.idByValue.set(value, id);
    }
    return id;
  }

  /** Returns the string of `id`, or null for NO_STRING, which is how report rows show an absent value. */
  valueOf(id: number): string | null {
    return id === NO_STRING ? null : this.values[id]!;
  }
}
