// One table's rows as COPY text: each row is its columns' generators at that row number.
import { NEWLINE, TAB, type ByteWriter } from '../../seed/byte-writer.ts';
import type { RowSource } from '../../seed/copy-stream.ts';
import type { Gen } from './gen.ts';

export class TableRows implements RowSource {
  rendered = 0;
  readonly maxRowBytes: number;
  private readonly gens: Gen[];

  constructor(
    gens: readonly Gen[],
    readonly total: number,
  ) {
    this.gens = [...gens];
    this.maxRowBytes = this.gens.reduce((m, g) => m + g.maxBytes + 1, 1);
  }

  get done(): boolean {
    return this.rendered >= this.total;
  }

  fill(w: ByteWriter): void {
    const gens = this.gens;
    const n = gens.length;
    while (this.rendered < this.total && w.free >= this.maxRowBytes) {
      const row = this.rendered++;
      gens[0]!.write(w, row);
      for (let i = 1; i < n; i++) {
        w.byte(TAB);
        gens[i]!.write(w, row);
      }
      w.byte(NEWLINE);
    }
  }
}
