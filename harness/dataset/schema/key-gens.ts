// Keys across tables. A child row picks a parent row number and writes the parent's key
// generator at that row, so the value matches without the parent being loaded (FKs are added
// after the load anyway). Fan-out is skewed: u² over the parents, scattered by a permutation,
// gives a few parents many children and about a fifth none, as in real data. Unique
// combinations (join tables, 1:1 keys) walk a permutation of the combination space instead.
import type { ByteWriter } from '../../seed/byte-writer.ts';
import { hashKey, hashWithKey } from '../../seed/prng.ts';
import { NULL_BYTES, type Gen } from './gen.ts';
import { Permutation } from './permutation.ts';

/** Skew of the fan-out: parent = ⌊n·u^FANOUT_SKEW⌋ before scattering; 2 puts ≈10 % of children on the top 1 % of parents. */
export const FANOUT_SKEW = 2;

export interface RowPicker {
  /** Parent row for `row`, or -1 for NULL. */
  pick(row: number): number;
  /** A parent row even where pick() says NULL (for NOT NULL columns of a nullable composite key). */
  pickAny(row: number): number;
}

export class FkPicker implements RowPicker {
  private readonly scatter: Permutation;
  private readonly nullKey: number;
  private readonly pickKey: number;
  constructor(
    seed: number,
    salt: number,
    private readonly parentRows: number,
    private readonly nullRate: number,
    /** Self-reference: rows point to earlier rows (a forest); row 0 is a root. */
    private readonly self: boolean,
    scatterSeed: number,
  ) {
    this.scatter = new Permutation(Math.max(1, parentRows), scatterSeed);
    this.nullKey = hashKey(seed, salt ^ 0x6e756c6c);
    this.pickKey = hashKey(seed, salt);
  }
  pick(row: number): number {
    if (this.nullRate > 0 && hashWithKey(this.nullKey, row) / 4294967296 < this.nullRate) return -1;
    if (this.self && row === 0) return this.nullRate > 0 ? -1 : 0;
    return this.pickAny(row);
  }
  pickAny(row: number): number {
    const u = hashWithKey(this.pickKey, row) / 4294967296;
    if (this.self) return row === 0 ? 0 : Math.floor(u * Math.min(row, this.parentRows));
    return this.scatter.at(Math.min(this.parentRows - 1, Math.floor(this.parentRows * u ** FANOUT_SKEW)));
  }
}

/** Distinct combinations of several finite components (parent rows, enum labels) per row. */
export class ComboPicker {
  readonly capacity: number;
  private readonly perm: Permutation;
  private lastRow = -1;
  private readonly last: number[];
  constructor(
    readonly sizes: readonly number[],
    seed: number,
  ) {
    const full = sizes.reduce((m, s) => m * s, 1);
    this.capacity = Math.min(full, 2 ** 52);
    this.perm = new Permutation(Math.max(1, this.capacity), seed);
    this.last = sizes.map(() => 0);
  }
  indices(row: number): number[] {
    if (row !== this.lastRow) {
      let p = this.perm.at(row);
      for (let k = 0; k < this.sizes.length; k++) {
        const s = this.sizes[k]!;
        this.last[k] = p % s;
        p = Math.floor(p / s);
      }
      this.lastRow = row;
    }
    return this.last;
  }
  component(k: number): RowPicker {
    return { pick: (row) => this.indices(row)[k]!, pickAny: (row) => this.indices(row)[k]! };
  }
}

/**
 * Distinct parents or NULL, for a nullable unique FK: a permutation of max(rows, parents) sends
 * each row to its own slot; slots past the parents (and a share of the rest) are NULL.
 */
export class DistinctOrNullPicker implements RowPicker {
  private readonly perm: Permutation;
  private readonly nullKey: number;
  constructor(
    private readonly parentRows: number,
    rows: number,
    private readonly nullRate: number,
    seed: number,
  ) {
    this.perm = new Permutation(Math.max(rows, parentRows, 1), seed);
    this.nullKey = hashKey(seed, 0x6e756c6c);
  }
  pick(row: number): number {
    const p = this.perm.at(row);
    return p >= this.parentRows || hashWithKey(this.nullKey, row) / 4294967296 < this.nullRate ? -1 : p;
  }
  pickAny(row: number): number {
    return this.perm.at(row) % this.parentRows;
  }
}

/** A key column of a child: the parent's generator at the picked parent row. `parent` is linked after planning. */
export class RefGen implements Gen {
  parent!: Gen;
  maxBytes = 64;
  maxChars = 64;
  readonly unique = false;
  constructor(
    private readonly picker: RowPicker,
    private readonly notNull: boolean,
  ) {}
  link(parent: Gen): void {
    this.parent = parent;
    this.maxBytes = Math.max(parent.maxBytes, 2);
    this.maxChars = parent.maxChars;
  }
  write(w: ByteWriter, row: number): void {
    const j = this.picker.pick(row);
    if (j >= 0) this.parent.write(w, j);
    else if (this.notNull) this.parent.write(w, this.picker.pickAny(row));
    else w.bytes(NULL_BYTES);
  }
}

/** One of a finite list of values, as chosen by a combination. */
export class ComboValueGen implements Gen {
  readonly maxBytes: number;
  readonly maxChars: number;
  readonly unique = false;
  constructor(
    private readonly values: readonly Buffer[],
    private readonly picker: RowPicker,
  ) {
    this.maxBytes = values.reduce((m, v) => Math.max(m, v.length), 0);
    this.maxChars = this.maxBytes;
  }
  write(w: ByteWriter, row: number): void {
    w.bytes(this.values[this.picker.pick(row)]!);
  }
}

/** Rows the baseline already holds (reference data), read once as COPY text. */
export class ExistingGen implements Gen {
  readonly maxBytes: number;
  readonly maxChars: number;
  readonly unique = true;
  constructor(private readonly values: readonly Buffer[]) {
    this.maxBytes = values.reduce((m, v) => Math.max(m, v.length), 2);
    this.maxChars = this.maxBytes;
  }
  write(w: ByteWriter, row: number): void {
    w.bytes(this.values[row]!);
  }
}
