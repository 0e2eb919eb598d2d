// Rows → COPY text format → pg-copy-streams. Rows are rendered into 64 KiB buffers (one
// stream write per chunk, not per row: per-row writes cost more than rendering the row) and
// only when the socket asks for more, so memory stays bounded however many rows we load.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { ByteWriter } from './byte-writer.ts';

/** The NULL marker of COPY text format. */
export const NULL_FIELD = '\\N';

const NEEDS_ESCAPE = /[\\\t\n\r]/;

/**
 * Escapes one value for COPY text format (tab-delimited). Backslash first, so the escapes we
 * add are not doubled. NUL cannot be stored in a PostgreSQL text value at all, escaped or not.
 */
export const escapeCopyText = (value: string): string =>
  NEEDS_ESCAPE.test(value)
    ? value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : value;

/** Produces COPY text rows in order. */
export interface RowSource {
  /** Rows this source produces in all. */
  readonly total: number;
  /** Rows rendered so far. */
  readonly rendered: number;
  readonly done: boolean;
  /** Upper bound of one row's bytes, so a chunk never has to split a row. */
  readonly maxRowBytes: number;
  /** Writes whole rows while at least maxRowBytes are free (or until done). */
  fill(w: ByteWriter): void;
}

/** Default chunk size; one CopyData message each. Larger chunks did not COPY faster. */
export const DEFAULT_CHUNK_BYTES = 64 * 1024;

/** A Readable of COPY text chunks that renders lazily, honouring backpressure. */
export class CopyTextStream extends Readable {
  private readonly chunkBytes: number;

  constructor(
    private readonly source: RowSource,
    chunkBytes = DEFAULT_CHUNK_BYTES,
  ) {
    const size = Math.max(chunkBytes, source.maxRowBytes);
    // Two chunks in flight: one being written to the socket, one ready behind it.
    super({ highWaterMark: size * 2 });
    this.chunkBytes = size;
  }

  override _read(): void {
    try {
      for (;;) {
        if (this.source.done) {
          this.push(null);
          return;
        }
        // A fresh buffer per chunk: the previous one may still sit in the socket's queue.
        const w = new ByteWriter(this.chunkBytes);
        this.source.fill(w);
        // push() returning false is the backpressure signal: stop until _read is called again.
        if (w.pos > 0 && !this.push(w.view())) return;
      }
    } catch (err) {
      this.destroy(err as Error);
    }
  }
}

/** COPY statement for a table's columns in text format; FREEZE when the table is new in this tx. */
export const copySql = (table: string, columns: readonly string[], freeze: boolean): string =>
  `COPY ${table} (${columns.join(', ')}) FROM STDIN WITH (FORMAT text${freeze ? ', FREEZE' : ''})`;

/**
 * Streams `body` into `COPY … FROM STDIN` and resolves with the server's row count. Aborting
 * `signal` destroys the pipeline, which sends CopyFail so the server rolls the COPY back.
 */
export async function copyInto(
  client: pg.ClientBase,
  sql: string,
  body: Readable,
  signal?: AbortSignal,
): Promise<number> {
  const sink = client.query(copyFrom(sql));
  await pipeline(body, sink, signal ? { signal } : {});
  return sink.rowCount;
}
