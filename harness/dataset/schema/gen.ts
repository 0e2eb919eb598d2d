// Column generators: each writes one COPY text field for a row number, as a pure function of
// (seed, column salt, row). Purity is what lets a child row write its parent's key without
// the parent being loaded first, and two runs with one seed write identical bytes.
import { ByteWriter } from '../../seed/byte-writer.ts';
import { NULL_FIELD } from '../../seed/copy-stream.ts';
import { Prng, hashKey, hashWithKey } from '../../seed/prng.ts';

export interface Gen {
  /** Upper bound of the bytes one value takes. */
  readonly maxBytes: number;
  /** Upper bound of the characters one value takes (for varchar(n) limits). */
  readonly maxChars: number;
  /** Every row gets a distinct value. */
  readonly unique: boolean;
  write(w: ByteWriter, row: number): void;
}

export const NULL_BYTES = Buffer.from(NULL_FIELD, 'latin1');
const DIGITS = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz', 'latin1');

/** FNV-1a of a string: a stable salt per table/column, so adding a table never shifts another's data. */
export const saltOf = (s: string): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
};

/** Base class: a per-row PRNG stream for this column. */
export abstract class RandomGen implements Gen {
  abstract readonly maxBytes: number;
  abstract readonly maxChars: number;
  readonly unique: boolean = false;
  protected readonly r = new Prng();
  private readonly key: number;
  constructor(
    protected readonly seed: number,
    protected readonly salt: number,
  ) {
    this.key = hashKey(seed, salt);
  }
  /** The row's stream: reseeded with hash32(seed, row, salt), its (seed, salt) half precomputed. */
  protected rng(row: number): Prng {
    return this.r.reseed(hashWithKey(this.key, row));
  }
  abstract write(w: ByteWriter, row: number): void;
}

/** Index into n entries, skewed towards the first ones when k > 1 (u^k: a few values dominate). */
export const skewed = (u: number, n: number, k: number): number => Math.min(n - 1, Math.floor(n * (k === 1 ? u : u ** k)));

/** Writes a non-negative integer in base 36 (short unique suffixes). */
export function writeBase36(w: ByteWriter, n: number): void {
  let digits = 1;
  for (let t = n; t >= 36; t = Math.floor(t / 36)) digits++;
  let p = w.pos + digits;
  w.pos = p;
  do {
    const q = Math.floor(n / 36);
    w.buf[--p] = DIGITS[n - q * 36]!;
    n = q;
  } while (n > 0);
}
export const base36Length = (n: number): number => Math.max(1, Math.ceil(Math.log(n + 1) / Math.log(36)) + 1);

/** A signed safe integer. */
export function writeInt(w: ByteWriter, n: number): void {
  if (n < 0) {
    w.byte(45);
    w.uint(-n);
  } else w.uint(n);
}

/** units × 10^-scale in decimal, e.g. (12345, 2) → 123.45. */
export function writeDecimal(w: ByteWriter, units: number, scale: number): void {
  if (units < 0) {
    w.byte(45);
    units = -units;
  }
  if (scale === 0) return w.uint(units);
  const div = 10 ** scale;
  const whole = Math.floor(units / div);
  let frac = units - whole * div;
  w.uint(whole);
  w.byte(46);
  for (let d = div / 10; d >= 1; d /= 10) {
    const digit = Math.floor(frac / d);
    w.byte(48 + digit);
    frac -= digit * d;
  }
}

export function writeHex(w: ByteWriter, word: number, nibbles: number): void {
  for (let i = nibbles - 1; i >= 0; i--) w.byte(DIGITS[(word >>> (i * 4)) & 15]!);
}

/** NULL for a share of rows, decided by its own hash so it never disturbs the value's stream. */
export class NullableGen implements Gen {
  readonly maxBytes: number;
  readonly maxChars: number;
  readonly unique: boolean;
  private readonly key: number;
  constructor(
    readonly inner: Gen,
    private readonly rate: number,
    seed: number,
    salt: number,
  ) {
    this.maxBytes = Math.max(inner.maxBytes, 2);
    this.maxChars = inner.maxChars;
    this.unique = inner.unique;
    this.key = hashKey(seed, salt);
  }
  isNull(row: number): boolean {
    return hashWithKey(this.key, row) / 4294967296 < this.rate;
  }
  write(w: ByteWriter, row: number): void {
    if (this.isNull(row)) w.bytes(NULL_BYTES);
    else this.inner.write(w, row);
  }
}

/** One of a fixed list of pre-encoded values, skewed or uniform. */
export class PoolGen extends RandomGen {
  readonly maxBytes: number;
  readonly maxChars: number;
  constructor(
    seed: number,
    salt: number,
    private readonly entries: readonly Buffer[],
    private readonly skew = 1,
    chars?: number,
  ) {
    super(seed, salt);
    if (!entries.length) throw new RangeError('empty pool');
    this.maxBytes = entries.reduce((m, e) => Math.max(m, e.length), 0);
    this.maxChars = chars ?? this.maxBytes;
  }
  write(w: ByteWriter, row: number): void {
    w.bytes(this.entries[skewed(this.rng(row).float(), this.entries.length, this.skew)]!);
  }
}

export class ConstGen implements Gen {
  readonly maxChars: number;
  readonly maxBytes: number;
  readonly unique = false;
  constructor(private readonly value: Buffer) {
    this.maxBytes = value.length;
    this.maxChars = value.length;
  }
  write(w: ByteWriter): void {
    w.bytes(this.value);
  }
}

/**
 * Fits another generator's text into [minChars, maxChars] characters and, when asked, makes
 * it unique by ending it with "-<row in base 36>" (the part that makes it unique is never cut).
 */
export class FitGen implements Gen {
  readonly maxBytes: number;
  readonly maxChars: number;
  readonly unique: boolean;
  private readonly scratch: ByteWriter;
  private readonly room: number;
  constructor(
    private readonly inner: Gen,
    opts: { maxChars: number; minChars?: number; uniqueRows?: number },
    private readonly minChars = opts.minChars ?? 0,
  ) {
    const suffix = opts.uniqueRows ? base36Length(opts.uniqueRows) + 1 : 0;
    this.unique = suffix > 0 || inner.unique;
    this.room = Math.max(0, opts.maxChars - suffix);
    this.maxChars = Math.min(opts.maxChars, inner.maxChars + suffix);
    this.maxBytes = inner.maxBytes + suffix + minChars;
    this.scratch = new ByteWriter(inner.maxBytes);
    this.suffix = suffix > 0;
  }
  private readonly suffix: boolean;
  write(w: ByteWriter, row: number): void {
    const s = this.scratch;
    s.pos = 0;
    this.inner.write(s, row);
    // Copy whole UTF-8 characters up to the room left (continuation bytes are 10xxxxxx).
    let chars = 0;
    let end = 0;
    while (end < s.pos) {
      if (chars === this.room) break;
      end++;
      while (end < s.pos && (s.buf[end]! & 0xc0) === 0x80) end++;
      chars++;
    }
    // Never end on an escaping backslash cut in half.
    let back = 0;
    for (let i = end - 1; i >= 0 && s.buf[i] === 92; i--) back++;
    if (back % 2 === 1) {
      end--;
      chars--;
    }
    for (let i = 0; i < end; i++) w.byte(s.buf[i]!);
    if (this.suffix) {
      w.byte(45);
      chars++;
      const before = w.pos;
      writeBase36(w, row + 1);
      chars += w.pos - before;
    }
    while (chars < this.minChars) {
      w.byte(120);
      chars++;
    }
  }
}
